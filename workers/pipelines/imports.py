"""The asset import pipeline: a URL downloaded safely, probed like an upload, stored once.

The download goes to a file named after the operation, so a retry (after a transient failure
or a killed worker) starts it afresh in the same place and leaves no stray partial file; only
a complete, probed file ever reaches storage. When the operation was started for a document's
`rel: import` reference, that reference becomes `rel: asset` once the asset exists.
"""

from __future__ import annotations

import functools
import time
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from podops.fetch import FetchError, FetchPolicy, fetch_to_file
from podops.media import ProbeError, Role, probe
from podops.models import Production, Resource
from podops.services import assets
from podops.services.resources import etag_of
from podops.settings import Settings
from podops.storage.write_behind import open_write_behind
from podops.uploads import ReceivedFile
from workers import progress
from workers.runner import PermanentError, TransientError
from workers.runtime import Runtime

DOWNLOAD_STAGE = "download"


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        max_bytes=settings.max_upload_bytes,
        total_timeout=float(settings.fetch_timeout),
        allow=settings.fetch_allow,
    )


def import_asset(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    settings = runtime.settings
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    path = settings.upload_dir / f"import-{params['operation_id']}.part"
    try:
        # Written back while it arrives, so the fsync when it is stored has little to wait for.
        with open_write_behind(path) as destination:
            fetched = fetch_to_file(
                params["url"],
                destination,
                policy=fetch_policy(settings),
                on_progress=functools.partial(progress.report, DOWNLOAD_STAGE),
            )
        progress.report(DOWNLOAD_STAGE, fetched.bytes_received, fetched.bytes_received, final=True)
    except FetchError as error:
        path.unlink(missing_ok=True)
        if error.transient:
            raise TransientError(error.message) from error
        raise PermanentError(error.code, error.message) from error
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    filename = PurePosixPath(urlsplit(fetched.url).path).name or None
    received = ReceivedFile(
        path=path,
        size=fetched.bytes_received,
        sha256=fetched.sha256,
        filename=filename,
        declared_type=fetched.content_type,
        name=params.get("name"),
    )
    try:
        role: Role = "artwork" if params.get("role") == "artwork" else "media"
        probed = probe(path, declared_name=filename, role=role)
    except ProbeError as error:
        received.discard()
        raise PermanentError(error.code, f"{params['url']}: {error.message}") from error
    try:
        with runtime.database.session() as session:
            production = session.get(Production, params["production"])
            if production is None:
                raise PermanentError("podops.import.no_production", "the production is gone")
            asset, created = assets.store_asset(
                session,
                runtime.storage,
                production,
                received,
                probed,
                base_url=settings.base_url,
                public_base_url=settings.public_base_url,
            )
            if params.get("link"):
                _link(session, params["link"], asset.name)
            description = asset.document["description"]
            return {
                "asset": asset.name,
                "created": created,
                "url": description["url"],
                "sha256": description["sha256"],
                "size": description["size"],
                "type": description["type"],
                "duration": description.get("duration"),
                "source": fetched.url,
            }
    finally:
        received.discard()  # a no-op once storage took the file over


def _link(session: Session, link: dict[str, str], asset_name: str) -> None:
    """Point the document's `rel: import` reference at the asset it became."""
    resource = session.get(Resource, link["resource"])
    if resource is None:
        return  # deleted meanwhile: the asset stays, for whoever wants it
    document = dict(resource.document)
    reference = document.get(link["field"])
    if not isinstance(reference, dict) or reference.get("rel") != "import":
        return  # changed meanwhile: the producer's newer choice wins
    document[link["field"]] = {"rel": "asset", "name": asset_name}
    resource.document = document
    resource.etag = etag_of(document)
    resource.updated_at = int(time.time())
