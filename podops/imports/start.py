"""Starting imports: the one place that turns an import request into its job.

The API starts them for `POST /a/v1/import/*` and for a document's `rel: import`
references; a feed import starts them for the media of the episodes it made.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.orm import Session

from podops.jobs import ImportAssetJob, ImportFeedJob, ReferenceLink
from podops.jobs.kinds import IMPORT_FIELDS
from podops.models import Operation, Production, User
from podops.runtime import Runtime
from podops.services import productions


def start_asset_import(
    runtime: Runtime,
    production: str,
    url: str,
    *,
    owner: str,
    name: str | None = None,
    link: ReferenceLink | None = None,
    feed_import: str | None = None,
) -> Operation:
    """Start downloading `url` into the production (GUID `production`); with `link`, the
    reference it fills (an image reference makes artwork, the rest media); `feed_import`,
    the operation of the feed import it is part of."""
    role: Literal["media", "artwork"] = (
        "artwork" if link is not None and link.field == "image" else "media"
    )
    job = ImportAssetJob(
        production=production, url=url, role=role, name=name, link=link, feed_import=feed_import
    )
    return runtime.jobs.start(job, production=production, owner=owner)


def start_reference_imports(
    runtime: Runtime, production: Production, document: dict[str, Any], resource: str, *, owner: str
) -> list[Operation]:
    """An asset import for each `rel: import` reference of a document just written."""
    started = []
    for field in IMPORT_FIELDS:
        reference = document.get(field)
        if isinstance(reference, dict) and reference.get("rel") == "import":
            link = ReferenceLink(resource=resource, field=field)
            started.append(
                start_asset_import(
                    runtime, production.guid, reference["url"], owner=owner, link=link
                )
            )
    return started


def feed_import_job(
    session: Session,
    name: str,
    *,
    owner: str,
    url: str | None = None,
    xml: str | None = None,
    import_media: bool = False,
) -> ImportFeedJob:
    """The job that imports a feed into the production `name` for `owner`.

    409 at once when another user has that name, rather than after the feed was fetched.
    """
    productions.check_importable(session, name, owner_id=owner)
    user = session.get(User, owner)
    return ImportFeedJob(
        name=name,
        owner=owner,
        owner_email=user.email if user is not None else "",
        import_media=import_media,
        url=url,
        xml=xml,
    )
