"""The Celery app the workers run: `celery -A workers.app worker`.

Configuration comes from the same settings as the web process (`podops.celery_config`); the
task modules are imported here so the worker knows every task name `podops.jobs` sends.
"""

from __future__ import annotations

from podops.celery_config import make_celery
from podops.logs import configure_logging
from podops.settings import Settings

settings = Settings.from_env()
configure_logging(settings.log_level, settings.log_format)
celery_app = make_celery(settings, name="podops-worker")

import workers.tasks  # noqa: E402,F401 — registers the tasks on celery_app
