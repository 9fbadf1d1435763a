"""Background jobs: their typed parameters, how they are started, how they report.

- `kinds`: one parameters model per job kind, which names its operation kind and task;
- `sender`: `Jobs` records an operation, commits it, then sends its task (and re-sends
  those the sweeper finds stuck);
- `errors`: what a job's service raises to fail its operation or have it retried;
- `progress`: how a running job says how far it has come.

The work itself lives in the services (`podops.publish`, `podops.imports`, …); the worker
(`workers/`) only claims a run, calls the service and records the outcome.
"""

from podops.jobs.errors import JobError, JobFailedError, JobRetryError
from podops.jobs.kinds import (
    BuildJob,
    DeliverWebhookJob,
    DirectUploadJob,
    ExternalFacts,
    ImportAssetJob,
    ImportFeedJob,
    JobParams,
    JsonObject,
    NotifyJob,
    PingJob,
    ReferenceLink,
    ValidateJob,
)
from podops.jobs.sender import BrokerUnavailableError, Jobs

__all__ = [
    "BrokerUnavailableError",
    "BuildJob",
    "DeliverWebhookJob",
    "DirectUploadJob",
    "ExternalFacts",
    "ImportAssetJob",
    "ImportFeedJob",
    "JobError",
    "JobFailedError",
    "JobParams",
    "JobRetryError",
    "Jobs",
    "JsonObject",
    "NotifyJob",
    "PingJob",
    "ReferenceLink",
    "ValidateJob",
]
