"""The name rule, GUIDs and kinds, checked on the whole string and nothing but ASCII."""

from __future__ import annotations

import re

import pytest

from podops import names
from podops.names import (
    InvalidGuidError,
    InvalidKindError,
    InvalidNameError,
    Kind,
    check_guid,
    check_name,
    is_guid,
    is_name,
    new_guid,
    parse_kind,
    parse_list_kind,
)

GOOD_NAMES = [
    "simple_podcast",
    "my-first-podcast",
    "abcdefgh",  # 8 characters, the shortest
    "a" * 44,  # the longest
    "12345678",
    "--------",
    "________",
    "episode-001_final",
]

BAD_NAMES = {
    "7 characters": "abcdefg",
    "45 characters": "a" * 45,
    "empty": "",
    "dot": "simple.podcast",
    "two dots": "..",
    "path traversal": "../../etc/passwd",
    "dot-dot inside": "podcast..episode",
    "slash": "simple/podcast",
    "backslash": "simple\\podcast",
    "space": "simple podcast",
    "leading space": " simplepodcast",
    "upper case": "Simple-Podcast",
    "one upper-case letter": "simple-podcasT",
    "trailing newline": "simple-podcast\n",
    "leading newline": "\nsimple-podcast",
    "tab": "simple\tpodcast",
    "NUL": "simple\x00podcast",
    "Cyrillic a look-alike": "simple-podc\u0430st",
    "Cyrillic o look-alike": "simple-p\u043edcast",
    "Greek omicron look-alike": "simple-p\u03bfdcast",
    "full-width letters": "\uff53\uff49\uff4d\uff50\uff4c\uff45\uff50\uff4f",
    "full-width digits": "podcast-\uff11\uff12\uff13",
    "Arabic-Indic digits": "podcast-\u0663\u0663\u0663",
    "superscript digit": "podcast-\u00b2\u00b2\u00b2",
    "Kelvin sign": "simple-\u212apodcast",
    "long s": "\u017fimple-podcast",
    "dotless i": "s\u0131mple-podcast",
    "combining accent": "simple-podcaste\u0301",
    "zero-width space": "simple\u200bpodcast",
    "non-breaking hyphen": "simple\u2011podcast",
    "accented letter": "caf\u00e9-podcast",
    "emoji": "podcast-\U0001f399\ufe0f-show",
    "colon": "show:episode1",
    "percent": "simple%2epodcast",
    "plus": "simple+podcast",
    "at sign": "me@podcast",
}


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names_pass(name: str) -> None:
    assert is_name(name)
    assert check_name(name) == name


@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_bad_names_are_refused(name: str) -> None:
    assert not is_name(name)
    with pytest.raises(InvalidNameError):
        check_name(name)


@pytest.mark.parametrize("value", [None, 12345678, b"simple_podcast", ["simple_podcast"]])
def test_names_must_be_strings(value: object) -> None:
    assert not is_name(value)
    with pytest.raises(InvalidNameError, match="must be a string"):
        check_name(value)


def test_the_message_says_what_is_wrong() -> None:
    with pytest.raises(InvalidNameError, match=r"a dot \('\.'\)"):
        check_name("simple.podcast")
    with pytest.raises(InvalidNameError, match="a space"):
        check_name("simple podcast")
    with pytest.raises(InvalidNameError, match="upper-case letter 'S'"):
        check_name("Simple-podcast")
    with pytest.raises(InvalidNameError, match="has 7 characters; a name has 8 to 44"):
        check_name("abcdefg")
    with pytest.raises(InvalidNameError, match="has 45 characters"):
        check_name("a" * 45)
    # A look-alike is named, since it cannot be told apart on screen.
    with pytest.raises(InvalidNameError, match="U\\+0430 CYRILLIC SMALL LETTER A"):
        check_name("simple-podc\u0430st")
    with pytest.raises(InvalidNameError, match="U\\+000A"):
        check_name("simple-podcast\n")


def test_a_huge_bad_name_gives_a_short_message() -> None:
    with pytest.raises(InvalidNameError) as caught:
        check_name("a" * 1_000_000)
    assert len(str(caught.value)) < 200


def test_the_pattern_is_the_rule() -> None:
    # The published pattern (it goes into the JSON Schema) agrees with the check.
    pattern = re.compile(f"^{names.NAME_PATTERN}$")
    for name in GOOD_NAMES:
        assert pattern.search(name)
    for name in BAD_NAMES.values():
        if not name.endswith("\n"):  # Python's `$` (unlike JSON Schema's) allows a final \n
            assert not pattern.search(name), name


def test_new_guids_are_twelve_lower_case_hex_characters() -> None:
    guids = {new_guid() for _ in range(1000)}
    assert len(guids) == 1000
    for guid in guids:
        assert re.fullmatch("[0-9a-f]{12}", guid)
        assert is_guid(guid)
        assert check_guid(guid) == guid


BAD_GUIDS = {
    "upper case": "91804B93B56A",
    "11 characters": "91804b93b56",
    "13 characters": "91804b93b56ab",
    "not hex": "91804b93b56g",
    "trailing newline": "91804b93b56a\n",
    "dashes": "91804b93-b56a",
    "full-width digits": "\uff19\uff11804b93b56a",
    "a name": "simple_podcast",
    "empty": "",
    "UUID": "c7b5414a-9c02-4e1f-8b7e-000000000000",
}


@pytest.mark.parametrize("guid", list(BAD_GUIDS.values()), ids=list(BAD_GUIDS))
def test_malformed_guids_are_refused(guid: str) -> None:
    assert not is_guid(guid)
    with pytest.raises(InvalidGuidError, match="12 lower-case hexadecimal"):
        check_guid(guid)


@pytest.mark.parametrize("value", [None, 91804, b"91804b93b56a"])
def test_guids_must_be_strings(value: object) -> None:
    assert not is_guid(value)
    with pytest.raises(InvalidGuidError, match="must be a string"):
        check_guid(value)


def test_kinds() -> None:
    assert [parse_kind(kind) for kind in ("show", "episode", "asset")] == list(Kind)
    assert parse_list_kind("all") is None
    assert parse_list_kind("episode") is Kind.EPISODE


@pytest.mark.parametrize("kind", ["Show", "shows", "podcast", "", "show\n", "all", "SHOW"])
def test_unknown_kinds_are_refused(kind: str) -> None:
    with pytest.raises(InvalidKindError, match="is not a kind; use one of show, episode, asset"):
        parse_kind(kind)


@pytest.mark.parametrize("kind", ["All", "any", "*", "all\n"])
def test_unknown_list_kinds_are_refused(kind: str) -> None:
    with pytest.raises(InvalidKindError, match="or all"):
        parse_list_kind(kind)


def test_errors_are_value_errors() -> None:
    # Callers that only know ValueError still catch them.
    for error in (InvalidNameError, InvalidGuidError, InvalidKindError):
        assert issubclass(error, ValueError)


def test_new_guids_are_never_all_digits() -> None:
    from podops.names import new_guid

    # One GUID in ~2,400 would be all digits if nothing prevented it.
    assert not any(new_guid().isdigit() for _ in range(20_000))


@pytest.mark.slow
def test_podcast_partytime_reads_ten_thousand_fresh_guids_as_the_strings_they_are() -> None:
    """partytime turns an item GUID that looks like a number into one (`347822672e57` came
    back as 3.47822672e+65): every GUID podops makes must come back as it was written."""
    from dataclasses import replace

    from feeds import render
    from tests.feeds import samples
    from tests.feeds.samples import NOW
    from tests.support.partytime import ensure_partytime_installed, parse_with_partytime

    ensure_partytime_installed()
    guids = [new_guid() for _ in range(10_000)]
    episodes = [replace(samples.episode(1), guid=guid) for guid in guids]
    found = parse_with_partytime(render(samples.show(), episodes, now=NOW))
    read = [item["guid"] for item in found["items"]]
    assert sorted(map(str, read)) == sorted(guids)
    assert all(isinstance(value, str) for value in read), [
        v for v in read if not isinstance(v, str)
    ][:5]
