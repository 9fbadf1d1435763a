"""The storage the settings name: one place builds it for the web process and the workers."""

from __future__ import annotations

from podops.settings import Settings
from podops.storage import Storage
from podops.storage.backends import open_storage


def configured_storage(settings: Settings) -> Storage:
    """The backend registered for `PODOPS_STORAGE_URL`'s scheme, reading its own settings."""
    return open_storage(settings.storage_url, settings)
