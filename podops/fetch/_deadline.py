"""The total time budget of one fetch, shared by every connect and read of every redirect."""

from __future__ import annotations

import time

from podops.fetch.errors import DeadlineExceededError


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends_at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._ends_at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self) -> None:
        """Raise once the time is up."""
        if self.expired():
            raise self.error()

    def clamp(self, timeout: float | None) -> float:
        """`timeout` cut to what is left; raises once nothing is left."""
        left = self.remaining()
        if left <= 0:
            raise self.error()
        return left if timeout is None else min(timeout, left)

    def error(self) -> DeadlineExceededError:
        return DeadlineExceededError(f"the fetch took longer than {self.seconds:g} s in total")
