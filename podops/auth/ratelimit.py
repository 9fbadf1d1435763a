"""Rate limits per token subject: a fixed one-minute window.

Counted in Redis when the broker is Redis (shared by every web process), else in this process.
A rate limiter that cannot reach Redis lets requests through and logs it: a broken counter
should not take the API down.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateLimitResult:
    limit: int
    remaining: int
    reset_at: int  # Unix seconds when the window ends

    @property
    def allowed(self) -> bool:
        return self.remaining >= 0

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(self.reset_at),
        }


class RateLimiter(Protocol):
    limit: int

    async def hit(self, subject: str, cost: int = 1) -> RateLimitResult:
        """Count `cost` requests of `subject` (a bulk request costs more than one)."""
        ...

    async def close(self) -> None: ...


def _window(now: float) -> tuple[int, int]:
    start = int(now) - int(now) % WINDOW_SECONDS
    return start, start + WINDOW_SECONDS


class MemoryRateLimiter:
    """Counts in this process (embedded mode: one web process)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[str, tuple[int, int]] = {}

    async def hit(self, subject: str, cost: int = 1) -> RateLimitResult:
        start, end = _window(time.time())
        window, count = self._counts.get(subject, (start, 0))
        count = count + cost if window == start else cost
        self._counts[subject] = (start, count)
        if len(self._counts) > 100_000:  # forget subjects from old windows
            self._counts = {k: v for k, v in self._counts.items() if v[0] == start}
        return RateLimitResult(self.limit, self.limit - count, end)

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    """Counts in Redis, shared by every web process."""

    def __init__(self, limit: int, url: str) -> None:
        self.limit = limit
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)

    async def hit(self, subject: str, cost: int = 1) -> RateLimitResult:
        start, end = _window(time.time())
        key = f"podops:ratelimit:{subject}:{start}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incrby(key, cost)
                pipe.expire(key, WINDOW_SECONDS * 2)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("rate limit not counted", extra={"error": str(error)})
            return RateLimitResult(self.limit, self.limit, end)
        return RateLimitResult(self.limit, self.limit - int(count), end)

    async def close(self) -> None:
        await self._redis.aclose()


def make_rate_limiter(limit: int, broker_url: str) -> RateLimiter | None:
    """The limiter for these settings; None when limits are off (`limit` 0)."""
    if limit <= 0:
        return None
    if broker_url.startswith(("redis://", "rediss://")):
        return RedisRateLimiter(limit, broker_url)
    return MemoryRateLimiter(limit)
