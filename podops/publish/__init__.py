"""Building a production's feed: stored documents → `feeds` model → lint → RSS → storage.

`mapping` turns the show, episodes and assets of a production into the `feeds` model (and
names what cannot be mapped: a deleted asset, an import not finished); `guard` keeps a build
from silently changing or dropping what subscribers already have; `feeds` does the rest.
"""

FEED_TYPE = "application/rss+xml; charset=utf-8"
# Podcatchers poll often; five minutes keeps a new episode from waiting long behind a cache.
FEED_CACHE = "public, max-age=300"
