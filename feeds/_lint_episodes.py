"""Lint rules for the episodes: each `<item>`, and the episodes taken together.

Errors: a missing title or GUID, a summary or notes over Apple's 4,000 bytes as published
(HTML), a missing enclosure, an enclosure URL that is not an absolute ASCII http(s) URL, a
length of 0 bytes, a type that is not podcast audio or video, a season or episode number below
1, two episodes sharing a GUID or a media URL (apps would drop one, or download one twice), and
no episode in the feed at all (Apple and podcast apps refuse a feed without one). Warnings: no
duration, a type Apple Podcasts does not play, long titles, unknown transcript or chapters
types, unnumbered episodes of a serial show.

An episode scheduled after `now` is not in the feed being built: its errors are reported as
warnings, and stop the build that will publish it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter

from feeds._findings import Code, Finding, Findings
from feeds._items import notes_html, summary_html
from feeds._lint_podcast import check_episode_tags
from feeds._lint_show import DESCRIPTION_MAX_BYTES, TITLE_MAX_CHARS, published_size
from feeds._rules import check_artwork, check_length, check_persons, check_text, check_url
from feeds.media_types import (
    APPLE_MEDIA_TYPES,
    CHAPTERS_TYPES,
    PODCAST_MEDIA_TYPES,
    TRANSCRIPT_TYPES,
    essence,
)
from feeds.model import Episode

__all__ = ["CLEAN", "EpisodeFindings", "episode_findings", "lint_episodes"]

_GUID = attrgetter("guid")
_ENCLOSURE = attrgetter("enclosure")


@dataclass(frozen=True, slots=True)
class EpisodeFindings:
    """What one episode's own rules found, with paths relative to the episode (`.title`).

    It depends on the episode and on whether the show is serial, nothing else: neither its
    place among the episodes nor `now`. So it can be kept from one build to the next
    (`feeds.cache.ItemCache`), and the paths and the scheduling are applied per build.
    """

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]


CLEAN = EpisodeFindings((), ())


def episode_findings(episode: Episode, *, serial: bool) -> EpisodeFindings:
    """Check one episode on its own (`serial`: whether the show's type is serial)."""
    own = Findings()
    _lint_episode(episode, serial, own)
    if not own.errors and not own.warnings:
        return CLEAN
    return EpisodeFindings(tuple(own.errors), tuple(own.warnings))


def lint_episodes(
    episodes: Sequence[Episode],
    problems: Iterable[tuple[int, EpisodeFindings]],
    *,
    now: int,
    findings: Findings,
) -> None:
    """Record in `findings` the problems of `episodes` (as given, with their indexes).

    `problems` holds the index and own findings (`episode_findings`) of each episode that has
    any, in order; the rules that look at the episodes together run here.
    """
    for index, own in problems:
        prefix = f"episodes[{index}]"
        reason = _scheduled(episodes[index], now)
        if reason is None:
            findings.errors.extend(Finding(f.code, f.message, prefix + f.path) for f in own.errors)
        else:
            findings.warnings.extend(
                Finding(f.code, f"{f.message} ({reason})", prefix + f.path) for f in own.errors
            )
        findings.warnings.extend(Finding(f.code, f.message, prefix + f.path) for f in own.warnings)
    # The usual case, found in one pass each: no value twice, not even an empty one.
    guids = list(map(_GUID, episodes))
    if len(set(guids)) < len(guids):
        _check_unique(
            episodes,
            [guid or None for guid in guids],
            now,
            findings,
            Code.DUPLICATE_GUID,
            "guid",
            "GUID",
        )
    enclosures = list(map(_ENCLOSURE, episodes))
    urls = [enclosure.url for enclosure in enclosures if enclosure is not None]
    if len(set(urls)) < len(urls):
        _check_unique(
            episodes,
            [enclosure.url or None if enclosure else None for enclosure in enclosures],
            now,
            findings,
            Code.DUPLICATE_ENCLOSURE_URL,
            "enclosure.url",
            "media URL",
        )
    if not any(episode.published <= now for episode in episodes):
        scheduled = f" ({len(episodes)} scheduled for later)" if episodes else ""
        findings.error(
            Code.NO_EPISODES,
            "episodes",
            f"The feed would have no episode{scheduled}; Apple Podcasts and podcast apps "
            "refuse a feed without episodes, so it is not published until one is out.",
        )


def _subject(episode: Episode) -> str:
    title = episode.title.strip() or "(untitled)"
    return f'Episode "{title}" ({episode.guid or "no GUID"})'


def _scheduled(episode: Episode, now: int) -> str | None:
    if episode.published <= now:
        return None
    when = datetime.fromtimestamp(episode.published, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"scheduled for {when}: this will stop the build that publishes it"


def _lint_episode(episode: Episode, serial: bool, findings: Findings) -> None:
    # Paths are relative to the episode: lint_episodes puts `episodes[i]` before them.
    path = ""
    subject = _subject(episode)
    if not episode.guid.strip():
        findings.error(Code.MISSING, f"{path}.guid", f"{subject}: the GUID is missing.")
    if not episode.title.strip():
        findings.error(Code.MISSING, f"{path}.title", f"{subject}: the title is missing.")
    check_length(findings, f"{path}.title", subject, "title", episode.title, TITLE_MAX_CHARS)
    if episode.itunes_title is not None:
        check_length(
            findings,
            f"{path}.itunes_title",
            subject,
            "Apple Podcasts title",
            episode.itunes_title,
            TITLE_MAX_CHARS,
        )
    _check_descriptions(episode, path, subject, findings)
    for field, label, text in (
        ("guid", "GUID", episode.guid),
        ("title", "title", episode.title),
        ("itunes_title", "Apple Podcasts title", episode.itunes_title or ""),
        ("summary_markdown", "summary", episode.summary_markdown),
        ("notes_markdown", "notes", episode.notes_markdown),
    ):
        check_text(findings, f"{path}.{field}", subject, label, text)
    _check_enclosure(episode, path, subject, findings)
    _check_numbers(episode, serial, path, subject, findings)
    if episode.link:
        check_url(findings, f"{path}.link", subject, "link", episode.link)
    if episode.image is not None:
        check_artwork(findings, f"{path}.image", subject, episode.image)
    _check_companions(episode, path, subject, findings)
    check_persons(findings, f"{path}.persons", subject, episode.persons)
    check_episode_tags(episode, path, subject, findings)


def _check_descriptions(episode: Episode, path: str, subject: str, findings: Findings) -> None:
    """`<description>` (the summary, else the notes) and `<content:encoded>` (the notes):
    Apple takes at most 4,000 bytes of each, measured as published."""
    summary = published_size(summary_html(episode))
    notes_tags = "<content:encoded>" if summary else "<description>"
    for field, label, size, tags in (
        ("summary_markdown", "summary is", summary, "<description>"),
        ("notes_markdown", "notes are", published_size(notes_html(episode)), notes_tags),
    ):
        if size > DESCRIPTION_MAX_BYTES:
            findings.error(
                Code.TOO_LONG,
                f"{path}.{field}",
                f"{subject}: the {label} {size} bytes once rendered as HTML (the item's "
                f"{tags}); Apple Podcasts accepts at most {DESCRIPTION_MAX_BYTES}.",
            )


def _check_enclosure(episode: Episode, path: str, subject: str, findings: Findings) -> None:
    enclosure = episode.enclosure
    if enclosure is None:
        findings.error(
            Code.MISSING,
            f"{path}.enclosure",
            f"{subject}: there is no media file; podcast apps skip an episode without one.",
        )
        return
    if enclosure.url:
        check_url(findings, f"{path}.enclosure.url", subject, "media URL", enclosure.url)
    else:
        findings.error(
            Code.MISSING, f"{path}.enclosure.url", f"{subject}: the media URL is missing."
        )
    if enclosure.length <= 0:
        findings.error(
            Code.ENCLOSURE_LENGTH,
            f"{path}.enclosure.length",
            f"{subject}: the media file's length is {enclosure.length} bytes; podcast apps "
            "need its real size in bytes (probe the file again).",
        )
    media_type = essence(enclosure.type)
    if media_type not in PODCAST_MEDIA_TYPES:
        findings.error(
            Code.ENCLOSURE_TYPE,
            f"{path}.enclosure.type",
            f"{subject}: the media type {enclosure.type!r} is not podcast audio or video "
            "(for example audio/mpeg for MP3, audio/x-m4a for M4A, video/mp4).",
        )
    elif media_type not in APPLE_MEDIA_TYPES:
        findings.warning(
            Code.NOT_FOR_APPLE,
            f"{path}.enclosure.type",
            f"{subject}: Apple Podcasts does not play {media_type} files; "
            "use MP3, M4A, MP4, M4V or MOV to reach its listeners.",
        )
    if episode.duration is None or episode.duration <= 0:
        findings.warning(
            Code.DURATION,
            f"{path}.duration",
            f"{subject}: the duration is unknown; podcast apps show it before playing "
            "(probe the media file).",
        )


def _check_numbers(
    episode: Episode, serial: bool, path: str, subject: str, findings: Findings
) -> None:
    for field, label, value in (
        ("season", "season number", episode.season),
        ("number", "episode number", episode.number),
    ):
        if value is not None and value < 1:
            findings.error(
                Code.INVALID_NUMBER,
                f"{path}.{field}",
                f"{subject}: the {label} is {value}; Apple Podcasts needs a whole number "
                "from 1 up.",
            )
    if serial and episode.number is None:
        findings.warning(
            Code.MISSING,
            f"{path}.number",
            f"{subject}: the episode number is missing; a serial show's episodes are "
            "listed in episode-number order.",
        )


def _check_companions(episode: Episode, path: str, subject: str, findings: Findings) -> None:
    for index, transcript in enumerate(episode.transcripts):
        here = f"{path}.transcripts[{index}]"
        check_url(findings, f"{here}.url", subject, "transcript URL", transcript.url)
        if essence(transcript.type) not in TRANSCRIPT_TYPES:
            findings.warning(
                Code.UNKNOWN_TYPE,
                f"{here}.type",
                f"{subject}: the transcript type {transcript.type!r} is not one podcast "
                f"apps know ({', '.join(sorted(TRANSCRIPT_TYPES))}).",
            )
    if episode.chapters is not None:
        here = f"{path}.chapters"
        check_url(findings, f"{here}.url", subject, "chapters URL", episode.chapters.url)
        if essence(episode.chapters.type) not in CHAPTERS_TYPES:
            findings.warning(
                Code.UNKNOWN_TYPE,
                f"{here}.type",
                f"{subject}: the chapters type {episode.chapters.type!r} is not "
                "application/json+chapters.",
            )


def _check_unique(
    episodes: Sequence[Episode],
    keys: list[Hashable | None],
    now: int,
    findings: Findings,
    code: Code,
    field: str,
    label: str,
) -> None:
    """Report every episode whose key (None: no key) another episode already has.

    Among published episodes it is an error: apps would drop one or download it twice.
    Where a scheduled episode is involved it is a warning for now.
    """
    groups: defaultdict[Hashable, list[int]] = defaultdict(list)
    for index, value in enumerate(keys):
        if value is not None:
            groups[value].append(index)
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        published = [i for i in indexes if episodes[i].published <= now]
        first = published[0] if published else indexes[0]
        for index in indexes:
            if index == first:
                continue
            message = (
                f"{_subject(episodes[index])}: the {label} is the same as that of "
                f'episodes[{first}] ("{episodes[first].title}"); each episode needs its own.'
            )
            path = f"episodes[{index}].{field}"
            reason = _scheduled(episodes[index], now) or _scheduled(episodes[first], now)
            if reason is None:
                findings.error(code, path, message)
            else:
                findings.warning(code, path, f"{message} ({reason})")
