"""The Celery configuration shared by the web process (which only sends) and the workers.

Reliability settings, and why:
- `task_acks_late` + `task_reject_on_worker_lost`: a message is acknowledged after its task
  ran, so a worker killed mid-task leaves it to be delivered again;
- `worker_prefetch_multiplier = 1`: a worker holds one message beyond the one it runs, so a
  long task does not strand others behind it;
- JSON only: a message can never carry code to run;
- Redis `visibility_timeout` above every task's time limit: Redis re-delivers an unacknowledged
  message after that long, and it must not do so while the task may still be running.

The embedded broker keeps messages as files under the data directory (kombu's filesystem
transport): it needs no server, and the web and worker processes share it through the disk.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from podops.settings import Settings

SWEEP_TASK = "podops.sweep_operations"
# Starts an `aggregate_downloads` job (unless one is under way): download counting.
COUNT_DOWNLOADS_TASK = "podops.count_downloads"
# Redis re-delivers an unacknowledged message after this many seconds past the time limit.
VISIBILITY_MARGIN_SECONDS = 300


def visibility_timeout(settings: Settings) -> int:
    return settings.task_time_limit + VISIBILITY_MARGIN_SECONDS


def celery_config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "broker_url": settings.broker_url,
        "broker_connection_timeout": 3,
        "broker_connection_retry_on_startup": True,
        # Sending gives up quickly: the API answers 503 rather than hanging a request.
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": settings.task_queue,
        "task_time_limit": settings.task_time_limit,
        "task_soft_time_limit": max(1, settings.task_time_limit - 10),
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "beat_schedule": {
            "sweep-operations": {
                "task": SWEEP_TASK,
                "schedule": float(settings.sweep_interval),
                "options": {"queue": settings.task_queue},
            },
            "count-downloads": {
                "task": COUNT_DOWNLOADS_TASK,
                "schedule": float(settings.analytics_interval),
                "options": {"queue": settings.task_queue},
            },
        },
    }
    if settings.embedded_broker:
        queue_dir = settings.broker_dir / "queue"
        config["broker_transport_options"] = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "control_folder": str(settings.broker_dir / "control"),
            "store_processed": False,
            "polling_interval": 0.2,
        }
        # The filesystem transport has no fan-out, which remote control needs.
        config["worker_enable_remote_control"] = False
    else:
        config["broker_transport_options"] = {
            "visibility_timeout": visibility_timeout(settings),
            "socket_connect_timeout": 3,
        }
    return config


def make_celery(settings: Settings, name: str = "podops") -> Celery:
    """A Celery app configured for `settings`, with its local broker folders made."""
    if settings.embedded_broker:
        for folder in ("queue", "control"):
            (settings.broker_dir / folder).mkdir(parents=True, exist_ok=True)
    app = Celery(name, set_as_current=False)
    app.conf.update(celery_config(settings))
    return app
