"""What the private delivery path knows without the database, per subscriber: the current
key version, and the day's requests and distinct addresses (rate limit and cap).

Kept in Redis when the broker is Redis (every web process sees the same), else in this
process. Redis failing is logged and treated as "not known": a version is then read from the
database, and requests are let through rather than refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DAY = 86400
MINUTE = 60
KEEP_DAYS = 8  # a week of activity is visible


@dataclass(frozen=True)
class Limits:
    per_minute: int  # 0: none
    addresses_per_day: int  # 0: none


@dataclass(frozen=True)
class Admission:
    allowed: bool
    reason: str = ""  # "rate" or "addresses" when refused
    retry_after: int = 0


@dataclass(frozen=True)
class DayActivity:
    day: str  # YYYY-MM-DD, UTC
    requests: int
    addresses: int
    refused: int


class SubscriberState(Protocol):
    async def version(self, subscriber: str) -> int | None:
        """The subscriber's current key version (0: revoked), None when not known here."""
        ...

    async def set_version(self, subscriber: str, version: int) -> None:
        """Make `version` current (rotation, revocation): the next request sees it."""
        ...

    async def remember_version(self, subscriber: str, version: int) -> None:
        """Keep `version`, read from the database, unless one was set meanwhile (a
        revocation racing this read wins)."""
        ...

    async def admit(self, subscriber: str, address: str, *, now: int) -> Admission:
        """Count one request from `address` (a pseudonym); whether it is within the limits."""
        ...

    async def activity(self, subscriber: str, *, now: int, days: int) -> list[DayActivity]:
        """The last `days` days, today first."""
        ...

    async def close(self) -> None: ...


def _day_name(day: int) -> str:
    return datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")


def _refusal(
    limits: Limits, requests_this_minute: int, new_address_over_cap: bool, now: int
) -> Admission:
    if limits.per_minute and requests_this_minute > limits.per_minute:
        return Admission(False, "rate", MINUTE - now % MINUTE)
    if new_address_over_cap:
        return Admission(False, "addresses", DAY - now % DAY)
    return Admission(True)


class MemoryState:
    """In this process: the embedded mode's one web process."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._versions: dict[str, int] = {}
        self._minutes: dict[str, tuple[int, int]] = {}
        # (subscriber, day) -> [requests, refused, addresses]
        self._days: dict[tuple[str, int], tuple[list[int], set[str]]] = {}

    async def version(self, subscriber: str) -> int | None:
        return self._versions.get(subscriber)

    async def set_version(self, subscriber: str, version: int) -> None:
        self._versions[subscriber] = version

    async def remember_version(self, subscriber: str, version: int) -> None:
        self._versions.setdefault(subscriber, version)

    async def admit(self, subscriber: str, address: str, *, now: int) -> Admission:
        minute, day = now // MINUTE, now // DAY
        start, count = self._minutes.get(subscriber, (minute, 0))
        count = count + 1 if start == minute else 1
        self._minutes[subscriber] = (minute, count)
        counts, addresses = self._days.setdefault((subscriber, day), ([0, 0], set()))
        cap = self._limits.addresses_per_day
        over_cap = address not in addresses and bool(cap) and len(addresses) >= cap
        if not over_cap:
            addresses.add(address)
        admission = _refusal(self._limits, count, over_cap, now)
        counts[0 if admission.allowed else 1] += 1
        self._forget(day)
        return admission

    async def activity(self, subscriber: str, *, now: int, days: int) -> list[DayActivity]:
        today = now // DAY
        result = []
        for day in range(today, today - days, -1):
            counts, addresses = self._days.get((subscriber, day), ([0, 0], set()))
            result.append(DayActivity(_day_name(day), counts[0], len(addresses), counts[1]))
        return result

    async def close(self) -> None:
        return None

    def _forget(self, today: int) -> None:
        if len(self._days) > 100_000:
            self._days = {k: v for k, v in self._days.items() if k[1] > today - KEEP_DAYS}
        if len(self._minutes) > 100_000:
            self._minutes = {}


class RedisState:
    """In Redis, shared by every web process."""

    def __init__(self, limits: Limits, url: str) -> None:
        self._limits = limits
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)

    @staticmethod
    def _key(subscriber: str, what: str) -> str:
        return f"podops:subscriber:{subscriber}:{what}"

    async def version(self, subscriber: str) -> int | None:
        try:
            value = await self._redis.get(self._key(subscriber, "version"))
        except (RedisError, OSError) as error:
            logger.warning("subscriber key version not read", extra={"error": str(error)})
            return None
        return None if value is None else int(value)

    async def set_version(self, subscriber: str, version: int) -> None:
        # Errors are raised: a revocation that did not reach the store must not look done.
        await self._redis.set(self._key(subscriber, "version"), version)

    async def remember_version(self, subscriber: str, version: int) -> None:
        try:
            await self._redis.set(self._key(subscriber, "version"), version, nx=True)
        except (RedisError, OSError) as error:
            logger.warning("subscriber key version not kept", extra={"error": str(error)})

    async def admit(self, subscriber: str, address: str, *, now: int) -> Admission:
        minute, day = now // MINUTE, now // DAY
        rate = self._key(subscriber, f"minute:{minute}")
        addresses = self._key(subscriber, f"addresses:{day}")
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(rate)
                pipe.expire(rate, MINUTE * 2)
                pipe.sismember(addresses, address)
                pipe.scard(addresses)
                count, _, known, size = await pipe.execute()
            cap = self._limits.addresses_per_day
            over_cap = not known and bool(cap) and int(size) >= cap
            admission = _refusal(self._limits, int(count), over_cap, now)
            async with self._redis.pipeline(transaction=True) as pipe:
                if not over_cap:
                    pipe.sadd(addresses, address)
                    pipe.expire(addresses, DAY * KEEP_DAYS)
                counter = self._key(
                    subscriber, f"{'requests' if admission.allowed else 'refused'}:{day}"
                )
                pipe.incr(counter)
                pipe.expire(counter, DAY * KEEP_DAYS)
                await pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("subscriber request not counted", extra={"error": str(error)})
            return Admission(True)
        return admission

    async def activity(self, subscriber: str, *, now: int, days: int) -> list[DayActivity]:
        today = now // DAY
        span = range(today, today - days, -1)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for day in span:
                    pipe.get(self._key(subscriber, f"requests:{day}"))
                    pipe.scard(self._key(subscriber, f"addresses:{day}"))
                    pipe.get(self._key(subscriber, f"refused:{day}"))
                values = await pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("subscriber activity not read", extra={"error": str(error)})
            return []
        return [
            DayActivity(
                _day_name(day),
                int(values[3 * i] or 0),
                int(values[3 * i + 1] or 0),
                int(values[3 * i + 2] or 0),
            )
            for i, day in enumerate(span)
        ]

    async def close(self) -> None:
        await self._redis.aclose()


def make_state(limits: Limits, broker_url: str) -> SubscriberState:
    if broker_url.startswith(("redis://", "rediss://")):
        return RedisState(limits, broker_url)
    return MemoryState(limits)
