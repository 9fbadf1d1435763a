"""Private feeds for subscribers: `/p/{token}/feed.xml` and the signed media it points at.

Every way a request can be wrong — a malformed, unknown, rotated, revoked, expired or
tampered token or grant, a show that is no longer private — answers the same 404 as a feed
or media that does not exist: nothing tells a guesser that a show or a subscriber is there.

The feed needs the database (the secret's hash); a media request does not: its grant is
checked by signature, expiry and the subscriber's key version (`podops.private.state`).
Local storage is read through podops; a store that can presign (S3) gets a 307 to a URL
that lives `PRESIGNED_SECONDS`, either way with the type the media was stored with (audio,
an image, a transcript, a chapters file). Media only premium episodes point at is kept under
`private/` (`podops.publish.placement`), out of reach of the public `/m/` route; a media
request asks the store whether it is there (a stat, or one HEAD on S3) before it serves or
presigns, so that an episode moving between premium and free keeps its signed URLs.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from email.utils import formatdate

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from podops.api.auth import RateLimitedError
from podops.api.context import context_of, in_session
from podops.api.delivery import serve_stored
from podops.api.docs import documented
from podops.api.download_log import noted
from podops.errors import NotFoundError
from podops.names import is_guid
from podops.private.feed import fill, substitution
from podops.private.grants import Grant, parse_feed_token
from podops.publish import FEED_TYPE
from podops.services import subscribers
from podops.storage import NotFoundError as StorageNotFoundError
from podops.storage import ObjectStream, Presigning, Storage, StoredObject
from podops.storage.keys import hidden_media_key, media_key, private_feed_key

PRESIGNED_SECONDS = 300
PRIVATE_MEDIA_CACHE = "private, max-age=86400"
PRIVATE_FEED_CACHE = "private, no-cache"
_MEDIA_FILE = re.compile(r"([0-9a-f]{64})(\.[a-z0-9]{1,8})")
_CHUNK = 256 * 1024


def _no_feed() -> NotFoundError:
    # The very error of a public feed that does not exist.
    return NotFoundError("no such feed", code="podops.feed.not_found")


def _no_media() -> NotFoundError:
    return NotFoundError("no such media", code="podops.media.not_found")


async def _admit(request: Request, subscriber: str, now: int) -> None:
    """Count the request against the subscriber; 429 over their rate or address limit."""
    context = context_of(request)
    address = request.client.host if request.client else ""
    pseudonym = context.media_signer.address_hash(address, now // 86400)
    admission = await context.subscribers.admit(subscriber, pseudonym, now=now)
    if not admission.allowed:
        message = (
            "too many requests for this subscriber; slow down"
            if admission.reason == "rate"
            else "this feed was used from too many places today"
        )
        raise RateLimitedError(
            message,
            code=f"podops.subscriber.{admission.reason}_limited",
            headers={"Retry-After": str(admission.retry_after)},
        )


@documented("A subscriber's private feed (secret URL; 404 for any bad token)", tag="delivery")
async def private_feed(request: Request) -> Response:
    token = request.path_params["token"]
    parsed = parse_feed_token(token)
    if parsed is None:
        raise _no_feed()
    now = int(time.time())
    access = await in_session(
        request, subscribers.feed_access, parsed.subscriber, parsed.secret, now=now
    )
    if access is None:
        raise _no_feed()
    await _admit(request, access.subscriber, now)
    context = context_of(request)
    storage = context.storage
    try:
        stored = await run_in_threadpool(storage.head, private_feed_key(access.production))
    except StorageNotFoundError:
        raise _no_feed() from None
    headers = {
        "ETag": _feed_etag(stored, access.subscriber, access.key_version),
        "Last-Modified": formatdate(stored.last_modified, usegmt=True),
        "Cache-Control": PRIVATE_FEED_CACHE,
        "Content-Type": FEED_TYPE,
        "X-Robots-Tag": "noindex, nofollow",
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        if "*" in tags or headers["ETag"] in tags:
            return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers)
    grant = Grant(access.subscriber, access.key_version, access.expires or 0)
    replace = substitution(context.media_signer, grant, token)
    stream = await run_in_threadpool(storage.open, stored.key)
    return StreamingResponse(_filled(stream, replace), headers=headers)


async def _filled(
    stream: ObjectStream, replace: Callable[[re.Match[bytes]], bytes]
) -> AsyncIterator[bytes]:
    def chunks() -> Iterator[bytes]:
        with stream:
            yield from iter(lambda: stream.read(_CHUNK), b"")

    async for chunk in iterate_in_threadpool(fill(chunks(), replace)):
        yield chunk


def _feed_etag(stored: StoredObject, subscriber: str, version: int) -> str:
    """Per subscriber: the same stored feed reads differently for each of them."""
    digest = hashlib.sha256(f"{stored.etag}|{subscriber}|{version}".encode()).hexdigest()
    return f'"{digest[:32]}"'


@documented("Media of a private feed (signed URL; HEAD and byte ranges)", tag="delivery")
async def private_media(request: Request) -> Response:
    production, filename = request.path_params["production"], request.path_params["file"]
    match = _MEDIA_FILE.fullmatch(filename)
    if not is_guid(production) or match is None:
        raise _no_media()
    key = media_key(production, match.group(1), match.group(2))
    now = int(time.time())
    context = context_of(request)
    grant = context.media_signer.check(request.path_params["grant"], key, now=now)
    if grant is None:
        raise _no_media()
    version = await context.subscribers.version(grant.subscriber)
    if version is None:  # not known to the store yet: once from the database
        version = await in_session(request, subscribers.current_version, grant.subscriber, now=now)
        await context.subscribers.remember_version(grant.subscriber, version)
    if version != grant.version:
        raise _no_media()
    await _admit(request, grant.subscriber, now)
    storage = context.storage
    # Grants sign the public form of the key, so a subscriber's URL stays the same when an
    # episode moves between premium and free; the media is wherever the last build put it.
    hidden = hidden_media_key(key)
    if await run_in_threadpool(storage.exists, hidden):
        key = hidden
    if isinstance(storage, Presigning):
        url = await run_in_threadpool(storage.presigned_url, key, expires_in=PRESIGNED_SECONDS)
        redirect = RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
        return noted(request, production, filename, redirect)  # for download counting
    try:
        response = await serve_stored(
            request, _ThroughPodops(storage), key, cache_control=PRIVATE_MEDIA_CACHE
        )
    except NotFoundError:
        raise _no_media() from None
    return noted(request, production, filename, response)  # for download counting


class _ThroughPodops:
    """`storage` without public URLs: private media are never sent to a public address."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self.head = storage.head
        self.open = storage.open
        self.exists = storage.exists
        self.put_path = storage.put_path
        self.delete = storage.delete
        self.check = storage.check
        self.list = storage.list
        self.move = storage.move

    def public_url(self, key: str) -> str | None:
        return None


routes = [
    Route("/p/{token}/feed.xml", private_feed, methods=["GET", "HEAD"]),
    Route("/p/m/{grant}/{production}/{file}", private_media, methods=["GET", "HEAD"]),
]
