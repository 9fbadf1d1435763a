"""External enclosures stored without their length or type: probed by the build, recorded.

RSS needs an enclosure's length and type; the schema lets a producer leave them out of an
external enclosure, and promises the build will find them. Before lint, the build asks each
such URL's server (`podops.fetch.probe_url`: HEAD, else a ranged GET; never the body), a few
at a time, records what it learnt in the episode's document — so a URL is asked once, not at
every build — and fills in the feed model. The type is the server's Content-Type when it is
podcast media, else the one the URL's extension names; without either, lint says so. A
build that only validates records them too: they are facts of the media, not a publish.

When the document lacks the duration as well, the same probe reads the file's head (and
tail) with a few ranged GETs (`podops.fetch.read_range`, as SSRF-safe as the probe) and
learns it where the format states it there (`podops.media.remote_duration`: MP3 Xing/VBRI
or CBR, MP4 `mvhd`, Ogg, FLAC, WAV). Not learning a duration is no error —
`itunes:duration` is optional — and it is not asked again: the URL is asked once, when its
length or type is missing. An enclosure given with its length and type is never fetched for
its duration alone.

A probe that fails is a build error naming the episode and why, beside every other finding.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import feeds
from feeds.media_types import PODCAST_MEDIA_TYPES, essence
from podops.fetch import FetchError, FetchPolicy, RemoteMedia, probe_url, read_range
from podops.imports.policy import fetch_policy
from podops.media import remote_duration
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
    timed = {item.url for item in mapped.unprobed if item.wants_duration}
    with ThreadPoolExecutor(
        max_workers=min(PARALLEL_PROBES, len(urls)), thread_name_prefix="probe"
    ) as pool:
        found = dict(
            zip(urls, pool.map(lambda url: _probe(url, policy, url in timed), urls), strict=True)
        )
    with runtime.database.session() as session:
        for item in mapped.unprobed:
            outcome = found[item.url]
            if isinstance(outcome, FetchError):
                mapped.problems.append(_failure(mapped, item, outcome))
                continue
            media, duration = outcome
            media_type = media_type_of(media, item.url)
            resources.fill_enclosure(
                session,
                item.resource_guid,
                url=item.url,
                length=media.length,
                type=media_type,
                duration=duration if item.wants_duration else None,
            )
            _fill(mapped, item, media.length, media_type, duration)


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


def _probe(
    url: str, policy: FetchPolicy, wants_duration: bool
) -> tuple[RemoteMedia, float | None] | FetchError:
    """The URL's length and type, and its duration when wanted and its head says it."""
    try:
        media = probe_url(url, policy=policy)
    except FetchError as error:
        return error
    return media, (_duration(media, policy) if wants_duration else None)


def _duration(media: RemoteMedia, policy: FetchPolicy) -> float | None:
    """The duration read from the head of the file (where the probe's redirects led)."""

    def read(start: int, count: int) -> bytes:
        return read_range(media.url, start, count, policy=policy)

    try:
        duration = remote_duration(read, media.length)
    except FetchError:
        # The length and type were learnt; a server that will not give its head loses only
        # the optional duration.
        return None
    return round(duration, 3) if duration is not None else None


def _fill(
    mapped: Mapped, item: Unprobed, length: int, media_type: str | None, duration: float | None
) -> None:
    """The episode's enclosure with what it lacked: what the producer gave stays."""
    episode = mapped.episodes[item.index]
    enclosure = episode.enclosure
    if enclosure is None:
        return
    filled = feeds.Enclosure(
        enclosure.url, enclosure.length or length, enclosure.type or media_type or ""
    )
    mapped.episodes[item.index] = replace(
        episode, enclosure=filled, duration=episode.duration or duration
    )


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
