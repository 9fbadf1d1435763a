"""Assets: probed media stored once per content, described by an `asset` resource.

The storage key derives from the bytes (`podops.storage.keys.media_key`), never from a name a
client sent, and the same bytes uploaded again find the asset they made the first time.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podops.errors import BadRequestError, ConflictError
from podops.media import ProbeResult
from podops.models import Production, Resource
from podops.names import Kind, is_name, new_guid
from podops.services.resources import write_document
from podops.storage import DirectUploads, Storage
from podops.storage.keys import media_key
from podops.uploads import ReceivedFile, suggested_name


def media_url(
    storage: Storage, key: str, production_guid: str, *, base_url: str, public_base_url: str
) -> str:
    """Where podcatchers fetch the media: the public base URL (a CDN) when one is configured,
    else podops itself — permanent even where the store's own URLs are presigned and expire,
    because the delivery route answers with a fresh redirect. It ends in the media's extension.
    """
    if public_base_url:
        public = storage.public_url(key)
        if public is not None:
            return public
    return f"{base_url}/m/{production_guid}/{key.rsplit('/', 1)[1]}"


def find_by_content(session: Session, production: Production, sha256: str) -> list[Resource]:
    return list(
        session.scalars(
            select(Resource)
            .where(
                Resource.production_guid == production.guid,
                Resource.kind == Kind.ASSET.value,
                Resource.sha256 == sha256,
            )
            .order_by(Resource.created_at)
        )
    )


def store_asset(
    session: Session,
    storage: Storage,
    production: Production,
    received: ReceivedFile,
    probed: ProbeResult,
    *,
    base_url: str,
    public_base_url: str = "",
) -> tuple[Resource, bool]:
    """The asset for an upload, and whether it is new. The received file is taken over."""
    wanted = received.name
    if wanted is not None and not is_name(wanted):
        received.discard()
        raise BadRequestError(
            f"name {wanted[:60]!r} breaks the name rule: 8-44 characters of a-z 0-9 - _",
            code="podops.request.invalid_name",
            field="name",
        )
    same_bytes = find_by_content(session, production, received.sha256)
    for asset in same_bytes:
        if wanted is None or asset.name == wanted:
            received.discard()
            return asset, False
    name = wanted or suggested_name(received.filename, received.sha256)
    if session.scalars(_named(production, name)).first() is not None:
        if wanted is None:  # a suggestion that collides: make it unique by the content
            name = f"{name[:31]}-{received.sha256[:12]}"
        else:
            received.discard()
            raise ConflictError(
                f"an asset named {name} exists already with other content",
                code="podops.resource.exists",
                field="name",
            )
    key = media_key(production.guid, received.sha256, probed.extension)
    if same_bytes or storage.exists(key):
        received.discard()  # the same bytes are stored already: once is enough
    elif received.in_store is not None and isinstance(storage, DirectUploads):
        storage.copy(received.in_store, key, content_type=probed.mime_type)
        received.discard()
    else:
        storage.put_path(key, received.path, content_type=probed.mime_type)
    now = int(time.time())
    guid = new_guid()
    document: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "asset",
        "metadata": {
            "name": name,
            "guid": guid,
            "parent": production.guid,
            "date": now,
            "labels": {},
        },
        "description": _description(
            probed,
            received,
            key,
            media_url(
                storage, key, production.guid, base_url=base_url, public_base_url=public_base_url
            ),
        ),
    }
    asset = Resource(
        guid=guid,
        production_guid=production.guid,
        kind=Kind.ASSET.value,
        name=name,
        sha256=received.sha256,
        created_at=now,
    )
    write_document(asset, document, now=now)
    try:
        with session.begin_nested():
            session.add(asset)
            session.flush()
    except IntegrityError:
        raise ConflictError(
            f"an asset named {name} exists already", code="podops.resource.exists", field="name"
        ) from None
    return asset, True


def _named(production: Production, name: str) -> Any:
    return select(Resource.guid).where(
        Resource.production_guid == production.guid,
        Resource.kind == Kind.ASSET.value,
        Resource.name == name,
    )


def _description(probed: ProbeResult, received: ReceivedFile, key: str, url: str) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "size": received.size,
        "type": probed.mime_type,
        "duration": probed.duration,
        "bitrate": probed.bitrate,
        "sample_rate": probed.sample_rate,
        "channels": probed.channels,
        "width": probed.width,
        "height": probed.height,
        "sha256": received.sha256,
        "storage_key": key,
        "url": url,
    }
    return {field: value for field, value in facts.items() if value is not None}
