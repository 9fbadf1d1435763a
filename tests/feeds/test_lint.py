"""`lint`: each rule, its severity, and the path of the field it names."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest

from feeds import (
    Category,
    Chapters,
    Code,
    Enclosure,
    Episode,
    Funding,
    Image,
    LintReport,
    Owner,
    Person,
    Show,
    ShowType,
    Transcript,
    lint,
)
from feeds._values import _PLAIN_URL
from tests.feeds import samples
from tests.feeds.samples import DAY, NOW

ERROR, WARNING = "error", "warning"


def found(report: LintReport) -> set[tuple[str, Code, str]]:
    return {(ERROR, f.code, f.path) for f in report.errors} | {
        (WARNING, f.code, f.path) for f in report.warnings
    }


def enclosure(n: int = 2, /, **changes: Any) -> Enclosure:
    """Episode `n`'s enclosure, changed."""
    base = samples.episode(n).enclosure
    assert base is not None
    return replace(base, **changes)


def test_the_sample_show_is_clean() -> None:
    report = lint(samples.show(), samples.episodes(), now=NOW)
    assert report.errors == ()
    assert report.warnings == ()
    assert report.ok


# (show changes, changes to episodes[1], severity, code, path)
SHOW_CASES: list[tuple[str, dict[str, Any], str, Code, str]] = [
    ("no title", {"title": " "}, ERROR, Code.MISSING, "show.title"),
    ("long title", {"title": "t" * 256}, WARNING, Code.TOO_LONG, "show.title"),
    ("control chars", {"title": "a\x00b"}, WARNING, Code.UNWRITABLE_TEXT, "show.title"),
    ("no summary", {"summary_markdown": ""}, ERROR, Code.MISSING, "show.summary_markdown"),
    # 2,100 characters but 4,200 bytes: the limit is in bytes.
    (
        "long summary",
        {"summary_markdown": "é" * 2100},
        ERROR,
        Code.TOO_LONG,
        "show.summary_markdown",
    ),
    ("no feed URL", {"feed_url": ""}, ERROR, Code.MISSING, "show.feed_url"),
    ("relative feed URL", {"feed_url": "feed.xml"}, ERROR, Code.INVALID_URL, "show.feed_url"),
    ("ftp feed URL", {"feed_url": "ftp://x.io/f.xml"}, ERROR, Code.INVALID_URL, "show.feed_url"),
    ("no host", {"feed_url": "https:///feed.xml"}, ERROR, Code.INVALID_URL, "show.feed_url"),
    ("bad IPv6", {"feed_url": "https://[::1/feed.xml"}, ERROR, Code.INVALID_URL, "show.feed_url"),
    ("no link", {"link": None}, WARNING, Code.MISSING, "show.link"),
    ("spaced link", {"link": "https://x.io/a b"}, ERROR, Code.INVALID_URL, "show.link"),
    ("IRI link", {"link": "https://exämple.com/ü"}, ERROR, Code.NON_ASCII_URL, "show.link"),
    ("no language", {"language": ""}, ERROR, Code.MISSING, "show.language"),
    ("bad language", {"language": "English"}, ERROR, Code.INVALID_LANGUAGE, "show.language"),
    ("no category", {"categories": ()}, ERROR, Code.MISSING, "show.categories"),
    (
        "unknown category",
        {"categories": (Category("Tech"),)},
        ERROR,
        Code.UNKNOWN_CATEGORY,
        "show.categories[0].name",
    ),
    (
        "wrong case",
        {"categories": (Category("Technology"), Category("health & fitness"))},
        ERROR,
        Code.UNKNOWN_CATEGORY,
        "show.categories[1].name",
    ),
    (
        "foreign subcategory",
        {"categories": (Category("Arts", "Documentary"),)},
        ERROR,
        Code.UNKNOWN_CATEGORY,
        "show.categories[0].subcategory",
    ),
    ("no owner", {"owner": None}, ERROR, Code.MISSING, "show.owner.email"),
    ("empty owner email", {"owner": Owner("A", "")}, ERROR, Code.MISSING, "show.owner.email"),
    (
        "bad owner email",
        {"owner": Owner("A", "a@b")},
        ERROR,
        Code.INVALID_EMAIL,
        "show.owner.email",
    ),
    ("no owner name", {"owner": Owner("", "a@b.io")}, WARNING, Code.MISSING, "show.owner.name"),
    ("no author", {"author": None}, WARNING, Code.MISSING, "show.author"),
    ("no artwork", {"image": None}, ERROR, Code.MISSING, "show.image"),
    ("relative artwork", {"image": Image("/a.jpg")}, ERROR, Code.INVALID_URL, "show.image.url"),
    (
        "small artwork",
        {"image": Image("https://x.io/a.png", 1000, 1000)},
        WARNING,
        Code.ARTWORK_SIZE,
        "show.image",
    ),
    (
        "big artwork",
        {"image": Image("https://x.io/a.png", 3001, 3001)},
        WARNING,
        Code.ARTWORK_SIZE,
        "show.image",
    ),
    (
        "oblong artwork",
        {"image": Image("https://x.io/a.png", 3000, 2000)},
        WARNING,
        Code.ARTWORK_SIZE,
        "show.image",
    ),
    (
        "gif artwork",
        {"image": Image("https://x.io/a.gif")},
        WARNING,
        Code.ARTWORK_FORMAT,
        "show.image.url",
    ),
    (
        "bad new feed URL",
        {"new_feed_url": "elsewhere"},
        ERROR,
        Code.INVALID_URL,
        "show.new_feed_url",
    ),
    (
        "new feed URL is this one",
        {"new_feed_url": samples.show().feed_url},
        WARNING,
        Code.NEW_FEED_URL_UNCHANGED,
        "show.new_feed_url",
    ),
    (
        "bad podcast GUID",
        {"podcast_guid": "abc"},
        ERROR,
        Code.INVALID_PODCAST_GUID,
        "show.podcast_guid",
    ),
    (
        "locked, no owner",
        {"locked": True, "owner": None},
        WARNING,
        Code.LOCKED_WITHOUT_OWNER,
        "show.locked_owner",
    ),
    ("bad lock owner", {"locked_owner": "me"}, ERROR, Code.INVALID_EMAIL, "show.locked_owner"),
    (
        "bad funding URL",
        {"funding": (Funding("donate", "Give"),)},
        ERROR,
        Code.INVALID_URL,
        "show.funding[0].url",
    ),
    (
        "unlabelled funding",
        {"funding": (Funding("https://x.io/give", ""),)},
        WARNING,
        Code.MISSING,
        "show.funding[0].title",
    ),
    (
        "long funding label",
        {"funding": (Funding("https://x.io/give", "g" * 129),)},
        WARNING,
        Code.TOO_LONG,
        "show.funding[0].title",
    ),
    ("nameless person", {"persons": (Person(""),)}, ERROR, Code.MISSING, "show.persons[0].name"),
    (
        "long person name",
        {"persons": (Person("p" * 129),)},
        WARNING,
        Code.TOO_LONG,
        "show.persons[0].name",
    ),
    (
        "bad person picture",
        {"persons": (Person("P", img="p.png"),)},
        ERROR,
        Code.INVALID_URL,
        "show.persons[0].img",
    ),
    (
        "bad person link",
        {"persons": (Person("P", href="mailto:p@x.io"),)},
        ERROR,
        Code.INVALID_URL,
        "show.persons[0].href",
    ),
]


@pytest.mark.parametrize(
    ("changes", "severity", "code", "path"),
    [case[1:] for case in SHOW_CASES],
    ids=[case[0] for case in SHOW_CASES],
)
def test_show_rule(changes: dict[str, Any], severity: str, code: Code, path: str) -> None:
    report = lint(samples.show(**changes), samples.episodes(), now=NOW)
    assert (severity, code, path) in found(report)


EPISODE_CASES: list[tuple[str, dict[str, Any], str, Code, str]] = [
    ("no title", {"title": ""}, ERROR, Code.MISSING, "episodes[1].title"),
    ("long title", {"title": "t" * 256}, WARNING, Code.TOO_LONG, "episodes[1].title"),
    ("no GUID", {"guid": " "}, ERROR, Code.MISSING, "episodes[1].guid"),
    (
        "control chars",
        {"notes_markdown": "\x1b"},
        WARNING,
        Code.UNWRITABLE_TEXT,
        "episodes[1].notes_markdown",
    ),
    (
        "long notes",
        {"notes_markdown": "n" * 3_994},  # <p>…</p>: 4,001 bytes
        ERROR,
        Code.TOO_LONG,
        "episodes[1].notes_markdown",
    ),
    (
        "long stored notes",
        {"notes_html": "é" * 2_001},
        ERROR,
        Code.TOO_LONG,
        "episodes[1].notes_markdown",
    ),
    (
        "long summary",
        {"summary_markdown": "s" * 3_994},
        ERROR,
        Code.TOO_LONG,
        "episodes[1].summary_markdown",
    ),
    (
        "long stored summary",
        {"summary_markdown": "s", "summary_html": "s" * 4_001},
        ERROR,
        Code.TOO_LONG,
        "episodes[1].summary_markdown",
    ),
    (
        "control chars in the summary",
        {"summary_markdown": "\x1b"},
        WARNING,
        Code.UNWRITABLE_TEXT,
        "episodes[1].summary_markdown",
    ),
    (
        "long Apple title",
        {"itunes_title": "t" * 256},
        WARNING,
        Code.TOO_LONG,
        "episodes[1].itunes_title",
    ),
    (
        "control chars in the Apple title",
        {"itunes_title": "\x1b"},
        WARNING,
        Code.UNWRITABLE_TEXT,
        "episodes[1].itunes_title",
    ),
    ("no enclosure", {"enclosure": None}, ERROR, Code.MISSING, "episodes[1].enclosure"),
    (
        "no media URL",
        {"enclosure": enclosure(url="")},
        ERROR,
        Code.MISSING,
        "episodes[1].enclosure.url",
    ),
    (
        "relative media URL",
        {"enclosure": enclosure(url="/media/2.mp3")},
        ERROR,
        Code.INVALID_URL,
        "episodes[1].enclosure.url",
    ),
    (
        "IRI media URL",
        {"enclosure": enclosure(url="https://cdn.example.com/épisode.mp3")},
        ERROR,
        Code.NON_ASCII_URL,
        "episodes[1].enclosure.url",
    ),
    (
        "zero length",
        {"enclosure": enclosure(length=0)},
        ERROR,
        Code.ENCLOSURE_LENGTH,
        "episodes[1].enclosure.length",
    ),
    (
        "not media",
        {"enclosure": enclosure(type="text/html")},
        ERROR,
        Code.ENCLOSURE_TYPE,
        "episodes[1].enclosure.type",
    ),
    (
        "not for Apple",
        {"enclosure": enclosure(type="audio/ogg")},
        WARNING,
        Code.NOT_FOR_APPLE,
        "episodes[1].enclosure.type",
    ),
    ("no duration", {"duration": None}, WARNING, Code.DURATION, "episodes[1].duration"),
    ("zero duration", {"duration": 0.0}, WARNING, Code.DURATION, "episodes[1].duration"),
    ("season 0", {"season": 0}, ERROR, Code.INVALID_NUMBER, "episodes[1].season"),
    ("episode -1", {"number": -1}, ERROR, Code.INVALID_NUMBER, "episodes[1].number"),
    ("bad link", {"link": "example.com/2"}, ERROR, Code.INVALID_URL, "episodes[1].link"),
    ("bad artwork", {"image": Image("art.png")}, ERROR, Code.INVALID_URL, "episodes[1].image.url"),
    (
        "small artwork",
        {"image": Image("https://x.io/a.jpg", 600, 600)},
        WARNING,
        Code.ARTWORK_SIZE,
        "episodes[1].image",
    ),
    (
        "bad transcript URL",
        {"transcripts": (Transcript("t.vtt", "text/vtt"),)},
        ERROR,
        Code.INVALID_URL,
        "episodes[1].transcripts[0].url",
    ),
    (
        "unknown transcript type",
        {"transcripts": (Transcript("https://x.io/t", "text/x-unknown"),)},
        WARNING,
        Code.UNKNOWN_TYPE,
        "episodes[1].transcripts[0].type",
    ),
    (
        "bad chapters URL",
        {"chapters": Chapters("c.json")},
        ERROR,
        Code.INVALID_URL,
        "episodes[1].chapters.url",
    ),
    (
        "unknown chapters type",
        {"chapters": Chapters("https://x.io/c", "text/plain")},
        WARNING,
        Code.UNKNOWN_TYPE,
        "episodes[1].chapters.type",
    ),
    (
        "nameless guest",
        {"persons": (Person(" ", role="guest"),)},
        ERROR,
        Code.MISSING,
        "episodes[1].persons[0].name",
    ),
    (
        "same GUID as episode 1",
        {"guid": samples.episode(1).guid},
        ERROR,
        Code.DUPLICATE_GUID,
        "episodes[1].guid",
    ),
    (
        "same media as episode 1",
        {"enclosure": samples.episode(1).enclosure},
        ERROR,
        Code.DUPLICATE_ENCLOSURE_URL,
        "episodes[1].enclosure.url",
    ),
]


@pytest.mark.parametrize(
    ("changes", "severity", "code", "path"),
    [case[1:] for case in EPISODE_CASES],
    ids=[case[0] for case in EPISODE_CASES],
)
def test_episode_rule(changes: dict[str, Any], severity: str, code: Code, path: str) -> None:
    episodes = samples.episodes()
    episodes[1] = replace(episodes[1], **changes)
    report = lint(samples.show(), episodes, now=NOW)
    assert (severity, code, path) in found(report)


def test_media_type_parameters_and_case_are_ignored() -> None:
    episodes = [samples.episode(1, enclosure=enclosure(1, type="Audio/MPEG; charset=binary"))]
    assert lint(samples.show(), episodes, now=NOW).ok


def test_a_serial_show_wants_episode_numbers() -> None:
    episodes = [samples.episode(1, number=None)]
    assert (WARNING, Code.MISSING, "episodes[0].number") in found(
        lint(samples.show(type=ShowType.SERIAL), episodes, now=NOW)
    )
    assert found(lint(samples.show(), episodes, now=NOW)) == set()


def test_a_show_missing_everything_names_each_field() -> None:
    bare = Show(
        title="",
        summary_markdown="",
        feed_url="",
        language="",
        categories=(),
        explicit=False,
    )
    report = lint(bare, [], now=NOW)
    assert {f.path for f in report.errors} == {
        "show.title",
        "show.summary_markdown",
        "show.feed_url",
        "show.language",
        "show.categories",
        "show.image",
        "show.owner.email",
        "episodes",
    }
    assert not report.ok


def test_a_show_without_episodes_is_an_error() -> None:
    report = lint(samples.show(), [], now=NOW)
    (finding,) = report.errors
    assert (finding.code, finding.path) == (Code.NO_EPISODES, "episodes")
    assert finding.code == "no-episodes"
    assert "refuse a feed without episodes" in finding.message
    assert not report.ok


def test_no_published_episode_is_an_error_until_one_is_out() -> None:
    scheduled = [samples.episode(1, published=NOW + 1)]
    report = lint(samples.show(), scheduled, now=NOW)
    assert found(report) == {(ERROR, Code.NO_EPISODES, "episodes")}
    assert "1 scheduled for later" in report.errors[0].message
    assert lint(samples.show(), scheduled, now=NOW + 1).ok


def test_descriptions_of_exactly_4000_bytes_pass() -> None:
    # <p>…</p> is 7 bytes: 3,993 characters of Markdown make 4,000 bytes of HTML.
    episode = samples.episode(1, summary_markdown="s" * 3_993, notes_markdown="n" * 3_993)
    assert lint(samples.show(), [episode], now=NOW).ok
    assert not lint(samples.show(), [replace(episode, summary_html="é" * 2_001)], now=NOW).ok


def test_summary_and_notes_are_measured_apart() -> None:
    # Together they are twice Apple's limit, and each is published in a tag of its own.
    episode = samples.episode(1, summary_markdown="s" * 3_993, notes_markdown="n" * 3_993)
    assert lint(samples.show(), [episode], now=NOW).errors == ()
    long_notes = replace(episode, notes_markdown="n" * 4_000)
    (finding,) = lint(samples.show(), [long_notes], now=NOW).errors
    assert finding.path == "episodes[0].notes_markdown"
    assert "4007 bytes" in finding.message
    assert "<content:encoded>" in finding.message
    assert "<description>" not in finding.message


def test_notes_without_a_summary_are_the_description_too() -> None:
    episode = samples.episode(1, notes_markdown="n" * 4_000)
    (finding,) = lint(samples.show(), [episode], now=NOW).errors
    assert finding.path == "episodes[0].notes_markdown"
    assert "(the item's <description>)" in finding.message


def test_the_size_is_that_of_the_published_text() -> None:
    # Characters a feed cannot carry are left out of it, and are not counted.
    episode = samples.episode(1, notes_html="<p>" + "n" * 3_993 + "\x00" * 100 + "</p>")
    assert lint(samples.show(), [episode], now=NOW).ok


def test_a_scheduled_episodes_errors_are_warnings_until_its_time() -> None:
    scheduled = samples.episode(4, published=NOW + DAY, enclosure=enclosure(4, length=0))
    episodes = [*samples.episodes(), scheduled]
    now_report = lint(samples.show(), episodes, now=NOW)
    assert now_report.ok
    (warning,) = now_report.warnings
    assert (warning.code, warning.path) == (Code.ENCLOSURE_LENGTH, "episodes[3].enclosure.length")
    assert "scheduled for 2025-01-02 00:00 UTC" in warning.message
    due_report = lint(samples.show(), episodes, now=NOW + DAY)
    assert (ERROR, Code.ENCLOSURE_LENGTH, "episodes[3].enclosure.length") in found(due_report)


def test_a_scheduled_episode_reusing_a_guid_is_a_warning_until_its_time() -> None:
    scheduled = samples.episode(4, guid=samples.episode(1).guid, published=NOW + DAY)
    episodes: list[Episode] = [*samples.episodes(), scheduled]
    assert (WARNING, Code.DUPLICATE_GUID, "episodes[3].guid") in found(
        lint(samples.show(), episodes, now=NOW)
    )
    assert (ERROR, Code.DUPLICATE_GUID, "episodes[3].guid") in found(
        lint(samples.show(), episodes, now=NOW + DAY)
    )


def test_every_copy_of_a_duplicate_is_reported_against_the_first() -> None:
    guid = samples.episode(1).guid
    episodes = [samples.episode(n, guid=guid) for n in (1, 2, 3)]
    report = lint(samples.show(), episodes, now=NOW)
    duplicates = [f for f in report.errors if f.code is Code.DUPLICATE_GUID]
    assert [f.path for f in duplicates] == ["episodes[1].guid", "episodes[2].guid"]
    assert all("episodes[0]" in f.message for f in duplicates)


def test_messages_say_which_episode_and_what_to_do() -> None:
    episodes = samples.episodes()
    episodes[2] = replace(episodes[2], enclosure=enclosure(3, length=0))
    (finding,) = lint(samples.show(), episodes, now=NOW).errors
    assert finding.message.startswith(f'Episode "Episode 3" ({episodes[2].guid}): ')
    assert "0 bytes" in finding.message


def test_a_non_ascii_url_comes_with_its_encoded_form() -> None:
    report = lint(samples.show(link="https://exämple.com/ü?q=é"), samples.episodes(), now=NOW)
    (finding,) = [f for f in report.errors if f.code is Code.NON_ASCII_URL]
    assert "https://xn--exmple-cua.com/%C3%BC?q=%C3%A9" in finding.message


def test_lint_accepts_any_iterable_once() -> None:
    report = lint(samples.show(), iter(samples.episodes()), now=NOW)
    assert report.ok
    assert report.warnings == ()


def test_a_url_with_a_lone_surrogate_is_reported_not_a_crash() -> None:
    # Pasted from a broken document: no percent-encoded form exists for it.
    report = lint(samples.show(link="https://example.com/\ud800"), samples.episodes(), now=NOW)
    (finding,) = [f for f in report.errors if f.code is Code.NON_ASCII_URL]
    assert finding.path == "show.link"
    assert "percent-encoded" not in finding.message


_URL_PARTS = [
    "http://",
    "https://",
    "HTTPS://",
    "ftp://",
    "//",
    "example.com",
    "EX-a.mple.org",
    "\u017f",  # LATIN SMALL LETTER LONG S: "s" when case is ignored
    "\u212a",  # KELVIN SIGN: "k" when case is ignored
    "é",
    ":8080",
    ":",
    ":x",
    "/",
    "/a b",
    "?q=1&r=2",
    "#frag",
    "[",
    "]",
    "@",
    "user@",
    "\t",
    "\x00",
    "%20",
    "~",
    '"',
]


@pytest.mark.parametrize("seed", range(10))
def test_the_quick_url_check_never_passes_a_url_the_full_check_refuses(seed: int) -> None:
    # url_problem answers most URLs with one regular expression; what it passes so must
    # pass every check that follows it.
    rng = random.Random(seed)
    passed = 0
    for _ in range(500):
        # Mostly a scheme and a host, then anything: URLs near the edge of the quick path.
        start = rng.choice(_URL_PARTS[:3]) + rng.choice(_URL_PARTS[5:7])
        rest = "".join(rng.choice(_URL_PARTS) for _ in range(rng.randint(0, 4)))
        url = start + rest if rng.random() < 0.8 else rest
        if _PLAIN_URL.fullmatch(url):
            passed += 1
            assert _full_url_problem(url) is None, url
    assert passed > 50


def _full_url_problem(url: str) -> tuple[Code, str] | None:
    """The checks of url_problem after its quick path, as they were written first."""
    if any(char.isspace() or ord(char) < 0x20 for char in url):
        return Code.INVALID_URL, "spaces"
    if not url.isascii():
        return Code.NON_ASCII_URL, "non-ASCII"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return Code.INVALID_URL, "malformed"
    if parts.scheme.lower() not in ("http", "https"):
        return Code.INVALID_URL, "scheme"
    if not host:
        return Code.INVALID_URL, "no host"
    return None
