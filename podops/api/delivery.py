"""Delivery to podcatchers: media and feeds over plain public HTTP.

Podcatchers depend on the details: HEAD, single byte ranges (206, and 416 when unsatisfiable;
Apple refuses hosts without them), quoted strong ETags with Last-Modified, and 304 for
`If-None-Match` / `If-Modified-Since`. When the store has public URLs of its own (S3, a CDN)
podops answers 307 to them instead of carrying the bytes. Feeds it serves itself go out
gzip-compressed to clients that accept it, from a copy each build compresses once.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from email.utils import formatdate, parsedate_to_datetime

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from podops.api.context import context_of, in_session
from podops.api.docs import documented
from podops.api.download_log import noted
from podops.api.routing import path_for
from podops.errors import NotFoundError
from podops.names import is_guid, is_name
from podops.publish import FEED_CACHE, FEED_TYPE
from podops.services import feed_moves, productions
from podops.storage import NotFoundError as StorageNotFoundError
from podops.storage import Storage, StoredObject
from podops.storage.keys import archive_key, feed_key, gzip_key, media_key
from podops.untrusted import ascii_int

MEDIA_CACHE = "public, max-age=31536000, immutable"  # content-addressed: never changes
_MEDIA_FILE = re.compile(r"([0-9a-f]{64})(\.[a-z0-9]{1,8})")
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
# Larger than any object: a position with more digits means "past the end", whatever it is.
_BEYOND_ANY_OBJECT = 10**18
_CHUNK = 256 * 1024


def byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """The (first, last) byte of a single satisfiable range; None to send the whole object
    (no header, or one we ignore as RFC 9110 allows: malformed, several ranges); False when
    the range cannot be satisfied (416)."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = (_position(digits) for digits in match.groups())
    if first is None and last is None:
        return None
    if first is None:  # the last N bytes
        assert last is not None
        if last == 0 or size == 0:
            return False
        return max(0, size - last), size - 1
    start = first
    end = min(last, size - 1) if last is not None else size - 1
    if last is not None and last < start:
        return None  # invalid: ignored
    if start >= size:
        return False
    return start, end


def _position(digits: str) -> int | None:
    """A byte position of a Range header; None when absent. Any number of digits is valid
    HTTP, and one past every object's size means the same as any other: it is capped."""
    if not digits:
        return None
    value = ascii_int(digits, max_digits=18)
    return _BEYOND_ANY_OBJECT if value is None else value


def not_modified(request: Request, stored: StoredObject) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or stored.etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return stored.last_modified <= since
    return False


async def serve_stored(
    request: Request,
    storage: Storage,
    key: str,
    *,
    cache_control: str,
    content_type: str | None = None,
    negotiated: str | None = None,
    vary: str = "Accept-Encoding",
) -> Response:
    """The object under `key` as HTTP, with conditional requests and byte ranges.

    `negotiated` is for a representation chosen by `Accept-Encoding`: the `Content-Encoding`
    the object is stored in ("gzip"), or "identity" for the plain one; either way the answer
    varies on `vary` (a redirect to a bucket on that header alone). Ranges and validators are
    those of the stored bytes, as RFC 9110 has them for an encoded representation.
    """
    public = storage.public_url(key)
    if public is not None:
        return _to_store(public, negotiated)
    try:
        stored = await run_in_threadpool(storage.head, key)
    except StorageNotFoundError:
        raise NotFoundError("no such media", code="podops.media.not_found") from None
    return _answer_stored(
        request,
        storage,
        stored,
        cache_control=cache_control,
        content_type=content_type,
        negotiated=negotiated,
        vary=vary,
    )


def _to_store(public: str, negotiated: str | None) -> Response:
    """The 307 to the store's own URL of an object (or a representation chosen by
    `Accept-Encoding`, when `negotiated`)."""
    headers = {"Cache-Control": "no-store"}
    if negotiated is not None:
        headers["Vary"] = "Accept-Encoding"
    return RedirectResponse(public, status_code=307, headers=headers)


def _answer_stored(
    request: Request,
    storage: Storage,
    stored: StoredObject,
    *,
    cache_control: str,
    content_type: str | None = None,
    negotiated: str | None = None,
    vary: str = "Accept-Encoding",
) -> Response:
    """The object `stored` describes as HTTP, podops carrying its bytes (see `serve_stored`)."""
    headers = {
        "ETag": stored.etag,
        "Last-Modified": formatdate(stored.last_modified, usegmt=True),
        "Cache-Control": cache_control,
        "Accept-Ranges": "bytes",
        "Content-Type": content_type or stored.content_type,
        # Served from the API's own origin: a browser must not read media as HTML.
        "X-Content-Type-Options": "nosniff",
    }
    if negotiated is not None:
        headers["Vary"] = vary
        if negotiated != "identity":
            headers["Content-Encoding"] = negotiated
    if not_modified(request, stored):
        return Response(status_code=304, headers=headers)
    wanted = byte_range(request.headers.get("range"), stored.size)
    if_range = request.headers.get("if-range")
    if wanted and if_range is not None and if_range.strip() != stored.etag:
        wanted = None  # the client's copy is stale: send it all
    if wanted is False:
        headers["Content-Range"] = f"bytes */{stored.size}"
        return Response(status_code=416, headers=headers)
    first, last, status = 0, stored.size - 1, 200
    if isinstance(wanted, tuple):
        first, last, status = wanted[0], wanted[1], 206
        headers["Content-Range"] = f"bytes {first}-{last}/{stored.size}"
    headers["Content-Length"] = str(last - first + 1)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    span = wanted if isinstance(wanted, tuple) else None
    return StreamingResponse(
        _read(storage, stored.key, span, last - first + 1), status_code=status, headers=headers
    )


async def _read(
    storage: Storage, key: str, span: tuple[int, int] | None, length: int
) -> AsyncIterator[bytes]:
    """`length` bytes of the object: the range `span` (first, last), or all of it."""
    start, end = span if span else (0, None)

    def chunks() -> Iterator[bytes]:
        with storage.open(key, start=start, end=end) as stream:
            # Never more than Content-Length, even if the object was replaced since `head`.
            remaining = length
            while remaining > 0:
                chunk = stream.read(min(_CHUNK, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

    async for chunk in iterate_in_threadpool(chunks()):
        yield chunk


@documented("Media for podcatchers (public; HEAD and byte ranges)", tag="delivery")
async def media(request: Request) -> Response:
    production, filename = request.path_params["production"], request.path_params["file"]
    match = _MEDIA_FILE.fullmatch(filename)
    if not is_guid(production) or match is None:
        raise NotFoundError("no such media", code="podops.media.not_found")
    key = media_key(production, match.group(1), match.group(2))
    response = await serve_stored(
        request, context_of(request).storage, key, cache_control=MEDIA_CACHE
    )
    return noted(request, production, filename, response)  # for download counting


def accepts_gzip(header: str | None) -> bool:
    """Whether an `Accept-Encoding` header admits gzip (RFC 9110 §12.5.3): `gzip` (or its
    old name `x-gzip`) or `*` with a weight above 0, and gzip not refused by name. An entry
    whose weight cannot be read is left out, as if it were not there."""
    weights: dict[str, float] = {}
    for entry in (header or "").split(","):
        coding, _, parameters = entry.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        weight = 1.0
        name, _, value = parameters.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                continue
            if not 0.0 <= weight <= 1.0:
                continue
        weights[coding] = weight
    named = weights.get("gzip", weights.get("x-gzip"))
    if named is not None:
        return named > 0
    return weights.get("*", 0.0) > 0


# A browser shows `application/rss+xml` as text (or saves it); as `application/xml` it applies
# the stylesheet the feed names (`/f/feed.xsl`) and shows a page. Podcatchers get RSS's type.
BROWSER_FEED_TYPE = "application/xml; charset=utf-8"


def wants_page(accept: str | None) -> bool:
    """Whether an `Accept` header is a browser's opening a page: it names `text/html`."""
    return any(
        entry.split(";", 1)[0].strip().lower() == "text/html" for entry in (accept or "").split(",")
    )


# A feed served here is chosen by its encoding and, for a browser, typed by `Accept` too.
FEED_VARY = "Accept-Encoding, Accept"


async def serve_feed(
    request: Request, key: str, missing: str, *, move_of: str | None = None
) -> Response:
    """A published feed (or archive page), gzip-compressed for a client that accepts it when
    the build stored the compressed copy (`podops.publish.compressed`), else plain; typed for
    a browser to apply its stylesheet when the client asks for a page.

    `move_of`: the production whose move the feed follows, answering 301 while the show
    moves away; the move is read from the head of the object served (`moved_to`).
    """
    storage = context_of(request).storage
    gzip_wanted = accepts_gzip(request.headers.get("accept-encoding"))
    if move_of is None and not gzip_wanted and (public := storage.public_url(key)):
        return _to_store(public, "identity")  # nothing to learn from the object first
    # The compressed copy first; a feed published before feeds were compressed has none.
    wanted = (gzip_key(key), key) if gzip_wanted else (key,)
    stored = await run_in_threadpool(_first_stored, storage, wanted)
    if stored is None:
        raise NotFoundError(missing, code="podops.feed.not_found")
    if move_of is not None and (moved := await moved_to(request, move_of, stored)) is not None:
        return _moved(moved)
    negotiated = "identity" if stored.key == key else "gzip"
    public = storage.public_url(stored.key)
    if public is not None:
        # The bucket or CDN serves the copy with `Content-Encoding: gzip` (stored so).
        return _to_store(public, negotiated)
    feed_type = BROWSER_FEED_TYPE if wants_page(request.headers.get("accept")) else FEED_TYPE
    return _answer_stored(
        request,
        storage,
        stored,
        cache_control=FEED_CACHE,
        content_type=feed_type,
        negotiated=negotiated,
        vary=FEED_VARY,
    )


def _first_stored(storage: Storage, keys: tuple[str, ...]) -> StoredObject | None:
    """The head of the first of `keys` stored; None when none is. One call: one trip to the
    threadpool for all of them."""
    for key in keys:
        try:
            return storage.head(key)
        except StorageNotFoundError:
            continue
    return None


async def moved_to(request: Request, production: str, feed: StoredObject) -> str | None:
    """Where the production's feed redirects to now, from the head of its stored `feed` (or
    of the feed's gzip copy); the database answers for a feed stored without its move."""
    now = int(time.time())
    move = feed_moves.published_move(feed.metadata)
    if move is None:
        return await in_session(request, feed_moves.moved_to, production, now=now)
    return move.target(now)


@documented(
    "A production's feed (public; gzip when accepted, ETag, Last-Modified, 304, ranges; "
    "301 while the show moves away)",
    tag="delivery",
)
async def feed(request: Request) -> Response:
    production = request.path_params["production"]
    if not is_guid(production):
        raise NotFoundError("no such feed", code="podops.feed.not_found")
    return await serve_feed(
        request, feed_key(production), "no feed published yet", move_of=production
    )


_PAGE = re.compile(r"[1-9][0-9]{0,5}")


@documented(
    "A page of a paged feed's archive (public; RFC 5005 links lead here from the feed)",
    tag="delivery",
)
async def feed_page(request: Request) -> Response:
    production, page = request.path_params["production"], request.path_params["page"]
    if not is_guid(production) or not _PAGE.fullmatch(page):
        raise NotFoundError("no such feed page", code="podops.feed.not_found")
    return await serve_feed(request, archive_key(production, int(page)), "no such feed page")


@documented(
    "The feed by production name: a redirect to its stable URL once published (404 before), "
    "or a 301 to the new one while the show moves away",
    tag="delivery",
)
async def feed_alias(request: Request) -> Response:
    name = request.path_params["name"]
    guid = await in_session(request, productions.guid_by_name, name) if is_name(name) else None
    storage = context_of(request).storage
    # Until a feed is published there is nothing to redirect to, nor a GUID to give away.
    stored = await run_in_threadpool(_first_stored, storage, (feed_key(guid),)) if guid else None
    if guid is None or stored is None:
        raise NotFoundError("no such feed", code="podops.feed.not_found")
    moved = await moved_to(request, guid, stored)
    if moved is not None:
        return _moved(moved)  # straight to the new home: one hop, not two
    base_url = context_of(request).settings.base_url
    return RedirectResponse(base_url + path_for(request, "feed", production=guid), status_code=307)


def _moved(url: str) -> Response:
    """The 301 of a show that moved away; cached briefly, since the producer may end it."""
    return RedirectResponse(url, status_code=301, headers={"Cache-Control": FEED_CACHE})


routes = [
    Route("/m/{production}/{file}", media, methods=["GET", "HEAD"]),
    Route("/f/{production}/feed.xml", feed, methods=["GET", "HEAD"]),
    Route("/f/{production}/archive/{page}.xml", feed_page, methods=["GET", "HEAD"]),
    Route("/s/{name}/feed.xml", feed_alias, methods=["GET", "HEAD"]),
]
