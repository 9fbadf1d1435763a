"""External enclosures stored without their length or type: probed by the build, recorded.

RSS needs an enclosure's length and type; the schema lets a producer leave them out of an
external enclosure, and promises the build will find them. Before lint, the build asks each
such URL's server (`podops.fetch.probe_url`: HEAD, else a ranged GET; never the body), a few
at a time, records what it learnt in the episode's document — so a URL is asked once, not at
every build — and fills in the feed model. The type is the server's Content-Type when it is
podcast media, else the one the URL's extension names; without either, lint says so. A
build that only validates records them too: they are facts of the media, not a publish.

A probe that fails is a build error naming the episode and why, beside every other finding.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import feeds
from feeds.media_types import PODCAST_MEDIA_TYPES, essence
from podops.fetch import FetchError, FetchPolicy, RemoteMedia, probe_url
from podops.imports.policy import fetch_policy
from podops.media.formats import FORMATS
from podops.publish.mapping import Mapped, Problem, Unprobed
from podops.runtime import Runtime
from podops.services import resources

__all__ = ["PARALLEL_PROBES", "fill_unprobed", "media_type_of"]

# Probes run this many at a time: each waits on a far server, not on this one.
PARALLEL_PROBES = 8
_TYPE_OF_EXTENSION = {
    media_format.extension: media_format.mime_type
    for media_format in FORMATS.values()
    if media_format.kind in ("audio", "video") and media_format.mime_type in PODCAST_MEDIA_TYPES
} | {".m4b": "audio/x-m4a", ".mpga": "audio/mpeg", ".oga": "audio/ogg"}


def fill_unprobed(runtime: Runtime, mapped: Mapped) -> None:
    """Probe every enclosure `mapped.unprobed` lists (each URL once), record what was found
    in the episodes' documents and in `mapped`; a failure becomes one of `mapped.problems`."""
    if not mapped.unprobed:
        return
    policy = fetch_policy(runtime.settings)
    urls = list(dict.fromkeys(item.url for item in mapped.unprobed))
    with ThreadPoolExecutor(
        max_workers=min(PARALLEL_PROBES, len(urls)), thread_name_prefix="probe"
    ) as pool:
        found = dict(zip(urls, pool.map(lambda url: _probe(url, policy), urls), strict=True))
    with runtime.database.session() as session:
        for item in mapped.unprobed:
            outcome = found[item.url]
            if isinstance(outcome, FetchError):
                mapped.problems.append(_failure(mapped, item, outcome))
                continue
            media_type = media_type_of(outcome, item.url)
            resources.fill_enclosure(
                session,
                item.resource_guid,
                url=item.url,
                length=outcome.length,
                type=media_type,
            )
            _fill(mapped, item, outcome.length, media_type)


def media_type_of(media: RemoteMedia, url: str) -> str | None:
    """The enclosure type a probe implies: the server's Content-Type if it is podcast media,
    else what the extension of the URL (or of the one it redirected to) names; else None."""
    if media.content_type is not None and essence(media.content_type) in PODCAST_MEDIA_TYPES:
        return essence(media.content_type)
    for candidate in (url, media.url):
        extension = PurePosixPath(urlsplit(candidate).path).suffix.lower()
        if extension in _TYPE_OF_EXTENSION:
            return _TYPE_OF_EXTENSION[extension]
    return None


def _probe(url: str, policy: FetchPolicy) -> RemoteMedia | FetchError:
    try:
        return probe_url(url, policy=policy)
    except FetchError as error:
        return error


def _fill(mapped: Mapped, item: Unprobed, length: int, media_type: str | None) -> None:
    """The episode's enclosure with what it lacked: what the producer gave stays."""
    episode = mapped.episodes[item.index]
    enclosure = episode.enclosure
    if enclosure is None:
        return
    filled = feeds.Enclosure(
        enclosure.url, enclosure.length or length, enclosure.type or media_type or ""
    )
    mapped.episodes[item.index] = replace(episode, enclosure=filled)


def _failure(mapped: Mapped, item: Unprobed, error: FetchError) -> Problem:
    episode = mapped.episodes[item.index]
    enclosure = episode.enclosure
    lacking = [
        field
        for field, absent in (
            ("length", enclosure is None or enclosure.length <= 0),
            ("type", enclosure is None or not enclosure.type),
        )
        if absent
    ]
    where = f" (at {error.url})" if error.url and error.url != item.url else ""
    return Problem(
        code="enclosure-probe",
        message=(
            f'Episode "{episode.title}" ({episode.guid}): the {" and ".join(lacking)} of its '
            f"media {item.url} could not be learnt from its server{where}: {error.message}"
        ),
        path=item.path,
    )
