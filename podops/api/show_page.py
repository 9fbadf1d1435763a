"""The public show page `/s/{name}/` and the feed stylesheet `/f/feed.xsl`: podops for people.

The page is rendered from the feed the last build published (`podops.api.published`), so it
shows exactly what podcatchers get: public episodes only, drafts never. It answers 404 where
`/s/{name}/feed.xml` does (no such production, or nothing published yet). It runs no script
and loads only the show's artwork and audio, under a strict Content-Security-Policy; every
value from the feed is escaped, and the HTML notes are sanitised again on the way out. Its
ETag follows the stored feed's, so a page not changed since is a 304 without reading the feed.

The stylesheet turns a public feed opened in a browser into a page: every public feed names
it in an `xml-stylesheet` instruction (`podops.publish.mapping.stylesheet_href`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from importlib.resources import files

import nh3
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from feeds.markup import ALLOWED_TAGS
from podops.api.context import context_of, in_session
from podops.api.delivery import moved_to
from podops.api.docs import QueryParameter, documented
from podops.api.published import PublishedEpisode, PublishedShow, read_published
from podops.errors import BadRequestError, NotFoundError
from podops.names import is_name
from podops.publish import FEED_CACHE
from podops.services import productions
from podops.storage import NotFoundError as StorageNotFoundError
from podops.storage.keys import feed_key

EPISODES_PER_PAGE = 50
# Bumped when the page's markup changes, so that cached copies are not taken for current.
_LAYOUT = "1"
_PAGE = re.compile(r"[1-9][0-9]{0,5}")
_WEB_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
STYLE = """
body{font:16px/1.55 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
main{max-width:52em;margin:0 auto;padding:1.5em}
header.show{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}
header.show img{width:12em;height:12em;border-radius:8px;object-fit:cover;background:#dde}
h1{margin:.1em 0 .3em}.subscribe{background:#fff;border:1px solid #dde;border-radius:6px;
padding:.6em 1em;margin:1em 0}.subscribe code{word-break:break-all}
article{background:#fff;border:1px solid #dde;border-radius:6px;margin:1em 0;padding:.6em 1em}
article h2{font-size:1.15em;margin:.2em 0}.meta{color:#5a6275;font-size:.9em}
audio{width:100%;margin:.4em 0}nav.pages{display:flex;justify-content:space-between}
.moved{background:#fff4d6;border:1px solid #e5c46b;border-radius:6px;padding:.6em 1em}
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# No script, no frames, no forms; the artwork and audio may live on a CDN or the producer's
# own host, anywhere on the web.
SHOW_PAGE_CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'self' https: http:; "
    "media-src 'self' https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_NOTES = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href", "title"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener nofollow",
)


@documented(
    "The show's public page: artwork, description, the newest episodes with an audio player, "
    "and how to subscribe (from the published feed; 404 before the first publish)",
    tag="delivery",
    query=(
        QueryParameter(
            "page",
            {"type": "integer", "minimum": 1, "maximum": 999_999, "default": 1},
            f"which {EPISODES_PER_PAGE} episodes, newest first",
        ),
    ),
)
async def show_page(request: Request) -> Response:
    page = _page_number(request.query_params.get("page"))
    name = request.path_params["name"]
    guid = await in_session(request, productions.guid_by_name, name) if is_name(name) else None
    if guid is None:
        raise NotFoundError("no such show", code="podops.show.not_found")
    storage = context_of(request).storage
    key = feed_key(guid)
    try:
        stored = await run_in_threadpool(storage.head, key)
    except StorageNotFoundError:
        raise NotFoundError("no such show", code="podops.show.not_found") from None
    moved = await moved_to(request, guid, stored)  # as the feed routes have it
    etag = _etag(stored.etag, page, moved)
    headers = {
        "ETag": etag,
        "Cache-Control": FEED_CACHE,
        "Content-Security-Policy": SHOW_PAGE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if etag in _tags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)

    def read() -> PublishedShow:
        with storage.open(key) as stream:
            skip = (page - 1) * EPISODES_PER_PAGE
            return read_published(stream, skip=skip, count=EPISODES_PER_PAGE)

    try:
        show = await run_in_threadpool(read)
    except StorageNotFoundError:  # removed between the two reads
        raise NotFoundError("no such show", code="podops.show.not_found") from None
    if page > 1 and not show.episodes:
        raise NotFoundError(f"the show has no page {page}", code="podops.show.not_found")
    html = render_show_page(show, page=page, moved_to=moved)
    # For HEAD too: its Content-Length is the page's; the server sends no body.
    return HTMLResponse(html, headers=headers)


def _page_number(text: str | None) -> int:
    if text is None:
        return 1
    if not _PAGE.fullmatch(text):
        raise BadRequestError("page must be a whole number from 1 to 999999", field="page")
    return int(text)


def _etag(feed_etag: str, page: int, moved: str | None) -> str:
    digest = hashlib.sha256(f"{_LAYOUT}|{feed_etag}|{page}|{moved or ''}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _tags(header: str | None) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",")}


def render_show_page(show: PublishedShow, *, page: int, moved_to: str | None) -> str:
    """The whole page for `show` (its episodes of page `page`). `moved_to`: the feed's new
    home while the show moves away, offered instead of the feed here."""
    title = escape(show.title)
    feed_url = moved_to or show.feed_url
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        f"<title>{title}</title><style>{STYLE}</style>",
    ]
    if _is_web_url(feed_url):
        parts.append(
            f'<link rel=alternate type="application/rss+xml" title="{title}" '
            f'href="{escape(feed_url or "")}">'
        )
    parts.append("</head><body><main><header class=show>")
    if _is_web_url(show.image_url):
        parts.append(f'<img src="{escape(show.image_url or "")}" alt="{title} artwork">')
    parts.append(f"<div><h1>{title}</h1>{_NOTES.clean(show.description_html)}</div></header>")
    if moved_to is not None:
        parts.append(
            f"<p class=moved>This show has moved: its feed is now "
            f"<code>{escape(moved_to)}</code>.</p>"
        )
    parts.append(_subscribe(feed_url))
    parts += [_episode(episode) for episode in show.episodes]
    if not show.episodes:
        parts.append("<p>No episodes yet.</p>")
    parts.append(_pages(show, page))
    parts.append("</main></body></html>")
    return "".join(parts)


def _subscribe(feed_url: str | None) -> str:
    if not _is_web_url(feed_url):
        return ""
    shown = escape(feed_url or "")
    return (
        "<section class=subscribe><h2>Subscribe</h2><p>Paste this feed address into your "
        f'podcast app: <a href="{shown}"><code>{shown}</code></a></p></section>'
    )


def _episode(episode: PublishedEpisode) -> str:
    title = escape(episode.title)
    meta = [escape(episode.published)]
    if episode.duration and episode.duration.isdigit():
        meta.append(_duration(int(episode.duration)))
    parts = [f"<article><h2>{title}</h2><p class=meta>{' · '.join(meta)}</p>"]
    if _is_web_url(episode.audio_url):
        url = escape(episode.audio_url or "")
        media_type = escape(episode.audio_type)
        # preload=none: a page of fifty players must not start fifty downloads.
        parts.append(
            f'<audio controls preload=none><source src="{url}" type="{media_type}">'
            f'<a href="{url}">Download the episode</a></audio>'
        )
    parts.append(f"<div class=notes>{_NOTES.clean(episode.notes_html)}</div></article>")
    return "".join(parts)


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _pages(show: PublishedShow, page: int) -> str:
    links = []
    if page > 1:
        links.append(f'<a rel=prev href="?page={page - 1}">Newer episodes</a>')
    if show.more:
        links.append(f'<a rel=next href="?page={page + 1}">Older episodes</a>')
    elif _is_web_url(show.archive_url):
        # A paged feed: the rest is in its archive, which the stylesheet shows as a page.
        links.append(f'<a href="{escape(show.archive_url or "")}">Older episodes (archive)</a>')
    return f"<nav class=pages>{''.join(links)}</nav>" if links else ""


def _is_web_url(url: str | None) -> bool:
    return url is not None and _WEB_URL.fullmatch(url) is not None


FEED_STYLESHEET = files("podops.api").joinpath("feed.xsl").read_bytes()


@documented(
    "The XSL stylesheet a browser applies to a public feed, to read it as a page",
    tag="delivery",
)
async def feed_stylesheet(_request: Request) -> Response:
    return Response(
        FEED_STYLESHEET,
        media_type="text/xsl; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


routes = [
    Route("/s/{name}/", show_page, methods=["GET", "HEAD"]),
    Route("/f/feed.xsl", feed_stylesheet, methods=["GET", "HEAD"]),
]
