"""How a job's service says its work failed, so the worker records the right outcome.

    JobError
    ├── JobFailedError   the work cannot succeed as asked: the operation is Failed, not retried
    └── JobRetryError    a part around the work was briefly unavailable: try again later

Storage and database outages count as `JobRetryError` too (the worker's runner classes them);
a service raises these two for the failures it can name itself.
"""

from __future__ import annotations

from typing import Any

__all__ = ["JobError", "JobFailedError", "JobRetryError"]


class JobError(Exception):
    """The work of a job did not succeed."""


class JobFailedError(JobError):
    """The work cannot succeed as asked (bad input, missing data): fail it, do not retry.

    `code` and `message` become the operation's error; `details` (a build's lint report, say)
    are kept beside them.
    """

    def __init__(self, code: str, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class JobRetryError(JobError):
    """The work failed for a reason that may pass (a store or server briefly unreachable)."""
