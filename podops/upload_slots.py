"""How many uploads one user may have in progress at once (429 beyond).

An upload holds a connection and a `.part` file for as long as its body takes, so a user who
opens many at once ties up what every other user needs. The bound holds for the whole service:
counted in Redis when the broker is Redis (every web process shares it), else in this process
(embedded mode has one).

In Redis each upload in progress is a lease, a member of a sorted set scored by when it expires.
The holder renews it while the body streams, so a long upload keeps its slot and a process
killed mid-upload frees it within `LEASE_SECONDS`. A counter that cannot reach Redis lets the
upload through and logs it, as the rate limiter does: a broken counter should not stop uploads.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from podops.errors import TooManyRequestsError

logger = logging.getLogger(__name__)

LEASE_SECONDS = 60
RENEW_EVERY = LEASE_SECONDS / 3

# Drop expired leases, then take one if fewer than the limit are held. Atomic in Redis.
# KEYS[1] the user's set; ARGV: now, lease expiry, limit, lease id, key TTL.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


def _too_many(limit: int) -> TooManyRequestsError:
    return TooManyRequestsError(
        f"you have {limit} uploads in progress; let one finish first",
        code="podops.upload.too_many",
        headers={"Retry-After": "5"},
    )


class UploadSlots(Protocol):
    limit: int

    def hold(self, user_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """A slot for one upload of `user_id` while the block runs; 429 if none is free."""
        ...

    async def close(self) -> None: ...


class MemoryUploadSlots:
    """Counted in this process (embedded mode: one web process)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: collections.Counter[str] = collections.Counter()

    @contextlib.asynccontextmanager
    async def hold(self, user_id: str) -> AsyncIterator[None]:
        if self._held[user_id] >= self.limit:
            raise _too_many(self.limit)
        self._held[user_id] += 1
        try:
            yield
        finally:
            self._held[user_id] -= 1
            if self._held[user_id] <= 0:
                del self._held[user_id]

    async def close(self) -> None:
        return None


class RedisUploadSlots:
    """Counted in Redis, shared by every web process; leases renewed while an upload runs."""

    def __init__(self, limit: int, url: str) -> None:
        self.limit = limit
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self._acquire = self._redis.register_script(_ACQUIRE)

    @contextlib.asynccontextmanager
    async def hold(self, user_id: str) -> AsyncIterator[None]:
        key, lease = f"podops:uploads:{user_id}", secrets.token_hex(8)
        try:
            now = time.time()
            args: list[str | float] = [
                now,
                now + LEASE_SECONDS,
                self.limit,
                lease,
                LEASE_SECONDS * 2,
            ]
            taken = await self._acquire(keys=[key], args=args)
        except (RedisError, OSError) as error:
            logger.warning("upload slot not counted", extra={"error": str(error)})
            yield
            return
        if not taken:
            raise _too_many(self.limit)
        renewal = asyncio.create_task(self._renew(key, lease))
        try:
            yield
        finally:
            renewal.cancel()
            with contextlib.suppress(RedisError, OSError):
                await self._redis.zrem(key, lease)

    async def _renew(self, key: str, lease: str) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.zadd(key, {lease: time.time() + LEASE_SECONDS}, xx=True)
                    pipe.expire(key, LEASE_SECONDS * 2)
                    await pipe.execute()
            except (RedisError, OSError) as error:  # try again at the next turn
                logger.warning("upload slot not renewed", extra={"error": str(error)})

    async def close(self) -> None:
        await self._redis.aclose()


def make_upload_slots(limit: int, broker_url: str) -> UploadSlots:
    if broker_url.startswith(("redis://", "rediss://")):
        return RedisUploadSlots(limit, broker_url)
    return MemoryUploadSlots(limit)
