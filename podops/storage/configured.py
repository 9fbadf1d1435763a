"""The storage the settings name: one place builds it for the web process and the workers."""

from __future__ import annotations

from podops.settings import Settings
from podops.storage import Storage, open_storage


def configured_storage(settings: Settings) -> Storage:
    return open_storage(
        settings.storage_url,
        s3_region=settings.s3_region,
        s3_endpoint_url=settings.s3_endpoint_url,
        s3_path_style=settings.s3_path_style,
        public_base_url=settings.public_base_url,
    )
