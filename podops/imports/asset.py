"""Importing an asset: a URL downloaded safely, probed like an upload, stored once.

The download goes to a file named after the operation, so a retry (after a transient failure
or a killed worker) starts it afresh in the same place and leaves no stray partial file; only
a complete, probed file ever reaches storage. When the operation was started for a document's
`rel: import` reference, that reference becomes `rel: asset` once the asset exists.
"""

from __future__ import annotations

import functools
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from podops.fetch import FetchError, fetch_to_file
from podops.imports.policy import fetch_policy
from podops.jobs import ImportAssetJob, JobFailedError, JobRetryError, progress
from podops.jobs.kinds import BadParamsError, load_params
from podops.media import ProbeError, probe
from podops.metrics import record_fetched
from podops.models import Operation, Production
from podops.runtime import Runtime
from podops.services import assets, resources
from podops.storage.write_behind import open_write_behind
from podops.uploads import ReceivedFile
from podops.webhooks.events import asset_created

DOWNLOAD_STAGE = "download"


def import_asset(runtime: Runtime, job: ImportAssetJob, *, operation_id: str) -> dict[str, Any]:
    """Download `job.url` into the production as an asset (or find the one the same bytes
    made), and link the reference it was started for; what was stored."""
    settings = runtime.settings
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    path = settings.upload_dir / f"import-{operation_id}.part"
    try:
        # Written back while it arrives, so the fsync when it is stored has little to wait for.
        with open_write_behind(path) as destination:
            fetched = fetch_to_file(
                job.url,
                destination,
                policy=fetch_policy(settings),
                on_progress=functools.partial(progress.report, DOWNLOAD_STAGE),
            )
        progress.report(DOWNLOAD_STAGE, fetched.bytes_received, fetched.bytes_received, final=True)
        record_fetched("asset", fetched.bytes_received)
    except FetchError as error:
        path.unlink(missing_ok=True)
        if error.transient:
            raise JobRetryError(error.message) from error
        raise _failed(runtime, job, error.code, error.message) from error
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
        name=job.name,
    )
    try:
        probed = probe(path, declared_name=filename, role=job.role)
    except ProbeError as error:
        received.discard()
        raise _failed(runtime, job, error.code, f"{job.url}: {error.message}") from error
    try:
        with runtime.database.session() as session:
            production = session.get(Production, job.production)
            if production is None:
                raise JobFailedError("podops.import.no_production", "the production is gone")
            asset, created = assets.store_asset(
                session,
                runtime.storage,
                production,
                received,
                probed,
                base_url=settings.base_url,
                public_base_url=settings.public_base_url,
            )
            if job.link is not None:
                resources.link_imported_asset(
                    session, job.link.resource, job.link.field, asset.name
                )
            description = asset.document["description"]
            result = {
                "asset": asset.name,
                "created": created,
                "url": description["url"],
                "sha256": description["sha256"],
                "size": description["size"],
                "type": description["type"],
                "duration": description.get("duration"),
                "source": fetched.url,
            }
            named = production.guid, production.name
    finally:
        received.discard()  # a no-op once storage took the file over
    if created:
        asset_created(runtime, *named, asset.document)
    return result


def _failed(runtime: Runtime, job: ImportAssetJob, code: str, message: str) -> JobFailedError:
    """The import cannot succeed: the reference it was started for points back at its URL
    (`rel: external`), so the document still builds, from the media's old home."""
    if job.link is None:
        return JobFailedError(code, message)
    fell_back = fall_back(runtime, job)
    details = {"reference": "external"} if fell_back else {}
    if fell_back:
        message += f"; the {job.link.field} now links to {job.url} instead"
    return JobFailedError(code, message, details=details)


def fall_back(runtime: Runtime, job: ImportAssetJob) -> bool:
    """Point the reference the import was started for back at its URL (`rel: external`,
    with what the feed said of the media), so the document builds from the media's old
    home; whether it did (not when the producer changed the reference meanwhile)."""
    if job.link is None:
        return False
    facts = job.link.fallback.model_dump() if job.link.fallback else None
    with runtime.database.session() as session:
        return resources.unlink_failed_import(
            session, job.link.resource, job.link.field, job.url, facts
        )


def fall_back_abandoned(runtime: Runtime, operation_ids: list[str]) -> int:
    """`fall_back` for the asset imports among `operation_ids` that the sweeper gave up on
    (out of attempts: a server that kept failing, a worker that kept dying); how many."""
    abandoned: list[ImportAssetJob] = []
    with runtime.database.session() as session:
        for operation in session.scalars(
            select(Operation).where(
                Operation.id.in_(operation_ids), Operation.kind == ImportAssetJob.kind
            )
        ):
            try:
                job = load_params(operation.kind, operation.params)
            except BadParamsError:
                continue  # a row this version cannot read: nothing it could link either
            if isinstance(job, ImportAssetJob):
                abandoned.append(job)
    return sum(fall_back(runtime, job) for job in abandoned)
