"""How long to wait before retrying a transient fetch failure."""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["retry_delay"]

# Beyond this many doublings the ceiling is far past any sane cap; stopping here keeps the
# float arithmetic from overflowing for absurd attempt numbers.
_MAX_DOUBLINGS = 62


def retry_delay(
    attempt: int,
    *,
    base: float = 1.0,
    cap: float = 300.0,
    uniform: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number `attempt` (1 for the first retry).

    Exponential backoff with full jitter: a uniform draw in [0, min(cap, base * 2**(attempt-1))].
    Full jitter spreads the retries of many tasks that failed together (one upstream outage)
    instead of having them return in lock-step. When the server sent Retry-After
    (`RetryableStatusError.retry_after`), wait at least that long.
    """
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    if base <= 0 or cap <= 0:
        raise ValueError("base and cap must be positive")
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, _MAX_DOUBLINGS))
    return ceiling * uniform()
