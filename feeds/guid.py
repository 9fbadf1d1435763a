"""`podcast:guid`: the show's identity across hosts, derived from its feed URL.

The Podcast Index namespace defines it as the UUIDv5 of the feed URL with the protocol scheme
and trailing slashes stripped off, in the namespace ead4c236-bf58-58c6-a2c6-a6b28d128cb6. It is
given once: a show that moves keeps the GUID it had (`Show.podcast_guid`).
"""

from __future__ import annotations

import re
import uuid

__all__ = ["PODCAST_NAMESPACE", "podcast_guid"]

PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def podcast_guid(feed_url: str) -> str:
    """The `podcast:guid` for a feed published at `feed_url`.

    >>> podcast_guid("https://podnews.net/rss")
    '9b024349-ccf0-5f69-a609-6b82873eab3c'
    """
    seed = _SCHEME.sub("", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_NAMESPACE, seed))
