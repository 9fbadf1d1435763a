"""A listener, as the counting knows them: a daily-salted hash of address and User-Agent.

No address is stored. IPv4 is taken as it is, IPv6 truncated to its /64 (one household or
phone gets a /64 and rotates the rest), as the IAB Podcast Measurement Technical Guidelines
2.1 recommend; the network and the User-Agent are hashed with the day's salt. The salt is a
random value of one UTC day, kept in the database only until the day is over (the aggregation
deletes it): after that, nobody — podops included — can tell which address a hash stood for.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podops.models import AnalyticsSalt

DAY = 86400
SALT_BYTES = 32


def network_of(address: str) -> str:
    """What identifies the client's network: IPv4 as is, IPv6 as its /64; anything else (a
    test client's name) as given. An IPv4-mapped IPv6 address is its IPv4 address."""
    address = address.strip()
    if ":" not in address:
        return address  # IPv4 (or a name): as is, without the cost of parsing it
    try:
        parsed = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.IPv6Network((parsed, 64), strict=False))


def listener_hash(salt: bytes, address: str, user_agent: str) -> str:
    """The listener's id for the salt's day: 128 bits of a keyed BLAKE2b, hex."""
    digest = hashlib.blake2b(digest_size=16, key=salt)
    digest.update(network_of(address).encode())
    digest.update(b"\x00")
    digest.update(user_agent.encode("utf-8", "replace"))
    return digest.hexdigest()


def day_of(timestamp: float) -> int:
    """The UTC day (days since 1970-01-01) of a Unix time."""
    return int(timestamp // DAY)


def salt_for(session: Session, day: int) -> bytes:
    """The salt of `day`, made by the first process that asks (the others read it)."""
    found = session.scalar(select(AnalyticsSalt.salt).where(AnalyticsSalt.day == day))
    if found is not None:
        return found
    made = secrets.token_bytes(SALT_BYTES)
    try:
        with session.begin_nested():
            session.add(AnalyticsSalt(day=day, salt=made))
            session.flush()
    except IntegrityError:  # another process made it first: use theirs
        theirs = session.scalar(select(AnalyticsSalt.salt).where(AnalyticsSalt.day == day))
        assert theirs is not None
        return theirs
    return made


def forget_salts(session: Session, *, before_day: int) -> int:
    """Delete the salts of the days before `before_day`; how many there were."""
    result = session.execute(delete(AnalyticsSalt).where(AnalyticsSalt.day < before_day))
    return int(getattr(result, "rowcount", 0) or 0)
