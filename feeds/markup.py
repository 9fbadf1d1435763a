"""Listener-facing text: Markdown in, HTML that is safe to put in a feed out.

A show's summary and an episode's notes are written in Markdown (CommonMark), with raw HTML
allowed so that notes imported from another host keep their markup. The rendered HTML is then
sanitised to the few tags podcast apps display (Apple documents `p`, `ol`, `ul`, `li`, `a`;
others also show emphasis, code and headings): scripts, styles, images, event handlers,
`javascript:` links and relative links are removed, since a feed is read far from our site.

The service calls `markdown_to_html` once, when it stores a show or an episode, and passes
the result as `Show.summary_html` / `Episode.notes_html`, so that builds convert no Markdown.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from feeds._text import writable

__all__ = ["ALLOWED_TAGS", "markdown_to_html"]

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "ul",
    }
)

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_SANITISER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href", "title"}},
    url_schemes={"http", "https", "mailto"},
    # A relative link has no base once the feed is read inside a podcast app.
    url_relative="deny",
    # Without `target` there is no window to protect, and `rel` would only add bytes.
    link_rel=None,
)


# Rendering Markdown costs a few hundred microseconds a note, the largest part of a build;
# a rebuild in the same worker renders the same notes again, so keep recent results.
@lru_cache(maxsize=16_384)
def markdown_to_html(markdown: str) -> str:
    """Render `markdown` to sanitised HTML, ready to be put in a CDATA section.

    Deterministic: the same text always gives the same HTML. The result never contains `]]>`,
    which would end a CDATA section early.
    """
    html = _SANITISER.clean(_MARKDOWN.render(writable(markdown))).strip()
    # The sanitiser already escapes `>` in text and attributes; this keeps the CDATA promise
    # even if it ever stops doing so (`&gt;` means the same in HTML text and attributes).
    return html.replace("]]>", "]]&gt;")
