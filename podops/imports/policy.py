"""How far an import may reach: the fetch limits the settings set."""

from __future__ import annotations

from podops.fetch import FetchPolicy
from podops.settings import Settings


def fetch_policy(settings: Settings) -> FetchPolicy:
    """Size cap, total deadline and extra allowed hosts for fetching from the internet."""
    return FetchPolicy(
        max_bytes=settings.max_upload_bytes,
        total_timeout=float(settings.fetch_timeout),
        allow=settings.fetch_allow,
    )
