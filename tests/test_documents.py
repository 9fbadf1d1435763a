"""Production and resource documents: good ones round-trip, bad ones name the field at fault."""

from __future__ import annotations

import copy
import json
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ValidationError

from podops.names import Kind
from podops.resources import (
    AssetDocument,
    EpisodeDocument,
    Production,
    ProductionCreate,
    ShowDocument,
    check_kind_matches,
    dump_resource,
    parse_resource,
    resource_json_schema,
    server_owned_values,
)
from podops.resources.categories import ALL_SUBCATEGORIES, APPLE_CATEGORIES
from tests.support.documents import episode_tags, show_tags

SHOW_GUID = "c7b5414a9c02"
EPISODE_GUID = "91804b93b56a"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
DELETE = object()  # a `change` value that removes the field


def full_show() -> dict[str, Any]:
    """A show that states every field, so the dump must equal it exactly."""
    return {
        "apiVersion": "v1",
        "kind": "show",
        "metadata": {
            "name": "simple-podcast",
            "guid": SHOW_GUID,
            "date": 1_700_000_000,
            "labels": {"team": "audio", "tier.level": "gold"},
        },
        "description": {
            "title": "Simple Podcast \u2014 caf\u00e9 edition \U0001f399",
            "summary": "# About\n\nA *Markdown* summary.\n\tIndented line.",
            "link": "https://podops.dev/simple-podcast",
            "categories": [
                {"category": "Technology"},
                {"category": "Arts", "subcategory": "Books"},
                {"category": "TV & Film", "subcategory": "After Shows"},
            ],
            "owner": {"name": "Jane Producer", "email": "jane.producer+feeds@example.co.uk"},
            "author": "Jane Producer",
            "copyright": "\u00a9 2024 Jane Producer",
            "language": "en-us",
            "explicit": True,
            "type": "serial",
            "block": False,
            "access": "public",
            "complete": False,
            "new_feed_url": "https://feeds.example.com/simple-podcast.xml",
            "locked": False,
            "funding": [{"url": "https://example.com/support", "title": "Support the show"}],
            "persons": [
                {
                    "name": "Jane Producer",
                    "role": "host",
                    "group": "cast",
                    "href": "https://example.com/jane",
                    "img": "https://example.com/jane.jpg",
                }
            ],
        },
        "image": {"rel": "asset", "name": "cover-art-2024"},
    }


ENCLOSURES: dict[str, dict[str, Any]] = {
    "asset": {"rel": "asset", "name": "episode-one-audio"},
    "external": {
        "rel": "external",
        "url": "https://cdn.example.com/media/episode-1.mp3?token=a%20b",
        "type": "audio/mpeg",
        "length": 52_428_800,
        "duration": 3600.5,
    },
    "import": {"rel": "import", "url": "http://old-host.example.com/ep1.m4a"},
}


def full_episode(enclosure: dict[str, Any] | None = None) -> dict[str, Any]:
    """An episode that states every field."""
    return {
        "apiVersion": "v1",
        "kind": "episode",
        "metadata": {
            "name": "episode-0001",
            "guid": EPISODE_GUID,
            "parent": SHOW_GUID,
            "date": 1_700_003_600,
            "labels": {"season": "1"},
        },
        "description": {
            "title": "Episode 1: Beginnings",
            "summary": "Where it all started.",
            "notes": "<p>Links:</p>\n<ul><li><a href='https://example.com'>x</a></li></ul>",
            "link": "https://podops.dev/simple-podcast/episode-0001",
            "season": 1,
            "episode": 1,
            "type": "full",
            "explicit": False,
            "block": False,
            "premium": False,
            "transcripts": [
                {
                    "url": "https://cdn.example.com/ep1.vtt",
                    "type": "text/vtt",
                    "language": "en",
                    "rel": "captions",
                },
                {"url": "https://cdn.example.com/ep1.srt", "type": "application/x-subrip"},
            ],
            "chapters": {
                "url": "https://cdn.example.com/ep1.chapters.json",
                "type": "application/json+chapters",
            },
            "persons": [{"name": "Sam Guest", "role": "guest"}],
        },
        "image": {
            "rel": "external",
            "url": "https://cdn.example.com/ep1.jpg",
            "type": "image/jpeg",
            "length": 204_800,
        },
        "enclosure": copy.deepcopy(enclosure or ENCLOSURES["asset"]),
    }


def full_asset() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "asset",
        "metadata": {
            "name": "episode-one-audio",
            "guid": "0123456789ab",
            "date": 1_700_000_000,
            "labels": {"source": "upload"},
        },
        "description": {
            "size": 52_428_800,
            "type": "audio/mpeg",
            "duration": 3600.5,
            "bitrate": 128_000,
            "sample_rate": 44_100,
            "channels": 2,
            "sha256": SHA256,
            "storage_key": "productions/c7b5414a9c02/assets/episode-one-audio.mp3",
            "url": "https://cdn.example.com/episode-one-audio.mp3",
        },
    }


def changed(document: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """A deep copy of `document` with the field at dotted `path` set (or removed: DELETE)."""
    result = copy.deepcopy(document)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return result


def errors_of(data: object) -> list[tuple[str, str, str]]:
    """(field path as the route layer writes it, error type, message) for each error."""
    with pytest.raises(ValidationError) as caught:
        parse_resource(data)
    return [
        (".".join(str(part) for part in error["loc"]), error["type"], error["msg"])
        for error in caught.value.errors()
    ]


def only_error(data: object) -> tuple[str, str, str]:
    found = errors_of(data)
    assert len(found) == 1, found
    return found[0]


# -- good documents -----------------------------------------------------------------------------


def test_a_full_show_round_trips() -> None:
    document = parse_resource(full_show())
    assert isinstance(document, ShowDocument)
    assert dump_resource(document) == full_show()
    assert document.model_dump(mode="json", by_alias=True, exclude_none=True) == full_show()


@pytest.mark.parametrize("rel", list(ENCLOSURES))
def test_a_full_episode_round_trips_with_each_enclosure(rel: str) -> None:
    data = full_episode(ENCLOSURES[rel])
    document = parse_resource(data)
    assert isinstance(document, EpisodeDocument)
    assert document.enclosure is not None
    assert document.enclosure.rel == rel
    assert dump_resource(document) == data


def test_an_asset_round_trips() -> None:
    document = parse_resource(full_asset())
    assert isinstance(document, AssetDocument)
    assert dump_resource(document) == full_asset()


def test_a_round_trip_survives_json() -> None:
    for data in (full_show(), full_episode(ENCLOSURES["external"]), full_asset()):
        text = json.dumps(dump_resource(parse_resource(data)))
        assert dump_resource(parse_resource(json.loads(text))) == data


def test_a_minimal_show_gets_its_defaults() -> None:
    data = {
        "apiVersion": "v1",
        "kind": "show",
        "metadata": {"name": "simple-podcast"},
        "description": {
            "title": "Simple",
            "summary": "A show.",
            "categories": [{"category": "Comedy"}],
            "language": "de",
            "owner": {"name": "Ana", "email": "ana@example.com"},
        },
        "image": {"rel": "external", "url": "https://cdn.example.com/simple.jpg"},
    }
    document = parse_resource(data)
    assert isinstance(document, ShowDocument)
    described = document.description
    assert (described.explicit, described.type, described.block, described.complete) == (
        False,
        "episodic",
        False,
        False,
    )
    assert described.locked is True
    assert document.metadata.labels == {}
    assert document.metadata.guid is None


def test_a_minimal_episode_and_asset() -> None:
    episode = parse_resource(
        {
            "apiVersion": "v1",
            "kind": "episode",
            "metadata": {"name": "episode-0001"},
            "description": {"title": "One"},
        }
    )
    assert isinstance(episode, EpisodeDocument)
    assert episode.description.type == "full"
    assert episode.description.explicit is None  # as the show says
    assert episode.enclosure is None
    asset = parse_resource(
        {"apiVersion": "v1", "kind": "asset", "metadata": {"name": "a-cover-art"}}
    )
    assert isinstance(asset, AssetDocument)
    assert asset.description is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [("en", "en"), ("EN", "en"), ("pt-BR", "pt-br"), ("en_US", "en-us"), ("es-419", "es-419")],
)
def test_languages_are_normalised(given: str, stored: str) -> None:
    document = parse_resource(changed(full_show(), "description.language", given))
    assert isinstance(document, ShowDocument)
    assert document.description.language == stored


def test_mime_types_are_normalised_to_lower_case() -> None:
    data = full_episode(dict(ENCLOSURES["external"], type="Audio/MPEG"))
    document = parse_resource(data)
    assert isinstance(document, EpisodeDocument)
    assert dump_resource(document)["enclosure"]["type"] == "audio/mpeg"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "HTTPS://EXAMPLE.COM/A.MP3",
        "http://127.0.0.1:8080/a.mp3",
        "https://[2001:db8::1]/a.mp3",
        "https://xn--bcher-kva.example/a.mp3",
        "https://example.com/a%20b.mp3?x=1&y=2#t=10",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_good_urls_pass(url: str) -> None:
    parse_resource(changed(full_show(), "description.link", url))


def test_every_apple_category_and_subcategory_is_accepted() -> None:
    pairs = [{"category": name} for name in APPLE_CATEGORIES] + [
        {"category": parent, "subcategory": sub}
        for parent, subs in APPLE_CATEGORIES.items()
        for sub in subs
    ]
    assert len(APPLE_CATEGORIES) == 19
    assert len(ALL_SUBCATEGORIES) == 91
    for pair in pairs:
        parse_resource(changed(full_show(), "description.categories", [pair]))


def test_summaries_may_use_the_whole_4000_bytes() -> None:
    for text in ("a" * 4000, "\u00e9" * 2000, "\U0001f399" * 1000):
        parse_resource(changed(full_show(), "description.summary", text))


def test_the_python_field_name_is_accepted_too() -> None:
    data = full_show()
    data["api_version"] = data.pop("apiVersion")
    assert dump_resource(parse_resource(data)) == full_show()


# -- bad names, kinds and GUIDs ------------------------------------------------------------------

BAD_NAMES = {
    "7 characters": "abcdefg",
    "45 characters": "a" * 45,
    "dot": "simple.podcast",
    "space": "simple podcast",
    "upper case": "Simple-Podcast",
    "Cyrillic look-alike": "simple-podc\u0430st",
    "full-width": "\uff53\uff49\uff4d\uff50\uff4c\uff45\uff50\uff4f",
    "two dots": "..",
    "slash": "simple/podcast",
    "trailing newline": "simple-podcast\n",
}


@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_bad_resource_names_are_refused(name: str) -> None:
    path, error_type, message = only_error(changed(full_show(), "metadata.name", name))
    assert (path, error_type) == ("metadata.name", "name_invalid")
    assert "a name" in message


@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_bad_asset_reference_names_are_refused(name: str) -> None:
    data = full_episode({"rel": "asset", "name": name})
    assert only_error(data)[:2] == ("enclosure.name", "name_invalid")


@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_bad_production_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ProductionCreate.model_validate({"name": name, "title": "A production"})
    (error,) = caught.value.errors()
    assert (error["loc"], error["type"]) == (("name",), "name_invalid")


@pytest.mark.parametrize("kind", ["podcast", "Show", "all", "", 5, None])
def test_unknown_kinds_are_refused(kind: object) -> None:
    path, error_type, message = only_error(changed(full_show(), "kind", kind))
    assert (path, error_type) == ("kind", "union_tag_invalid")
    assert "use one of show, episode, asset" in message


def test_a_missing_kind_is_refused() -> None:
    path, _, message = only_error(changed(full_show(), "kind", DELETE))
    assert path == "kind"
    assert "kind is required" in message


def test_a_kind_that_does_not_match_the_body_is_refused() -> None:
    # A show's description sent as an episode: the errors name the episode's fields.
    found = errors_of(changed(full_show(), "kind", "episode"))
    assert ("description.categories", "extra_forbidden") in [(p, t) for p, t, _ in found]


@pytest.mark.parametrize(
    "guid", ["91804B93B56A", "91804b93b56", "91804b93b56ab", "91804b93b56g", "91804b93b56a\n", 5]
)
@pytest.mark.parametrize("field", ["metadata.guid", "metadata.parent"])
def test_malformed_guids_are_refused(field: str, guid: object) -> None:
    path, error_type, _ = only_error(changed(full_episode(), field, guid))
    assert path == field
    assert error_type in ("guid_invalid", "string_type")


@pytest.mark.parametrize("version", ["v2", "V1", 1, None])
def test_other_api_versions_are_refused(version: object) -> None:
    assert only_error(changed(full_show(), "apiVersion", version))[0] == "apiVersion"


def test_a_missing_api_version_is_refused() -> None:
    assert only_error(changed(full_show(), "apiVersion", DELETE))[:2] == ("apiVersion", "missing")


@pytest.mark.parametrize("data", [[], "show", None, 5])
def test_a_document_that_is_not_an_object_is_refused(data: object) -> None:
    assert only_error(data)[0] == ""


# -- wrong types and unknown fields -----------------------------------------------------------

WRONG_TYPES = [
    ("description.title", 5, "string_type"),
    ("description.title", ["Simple"], "string_type"),
    ("description.explicit", "true", "bool_type"),
    ("description.explicit", 1, "bool_type"),
    ("description.categories", {"category": "Arts"}, "list_type"),
    ("description.owner", "jane@example.com", "model_type"),
    ("metadata.date", "1700000000", "int_type"),
    ("metadata.date", True, "int_type"),
    ("metadata.date", 1.5, "int_type"),
    ("metadata.labels", ["team"], "dict_type"),
    ("metadata.labels.team", 5, "string_type"),
    ("metadata", "simple-podcast", "model_type"),
    ("description", None, "model_type"),
]


@pytest.mark.parametrize(("field", "value", "error_type"), WRONG_TYPES)
def test_wrong_types_are_refused_not_coerced(field: str, value: object, error_type: str) -> None:
    assert only_error(changed(full_show(), field, value))[:2] == (field, error_type)


@pytest.mark.parametrize(
    ("field", "value", "error_type"),
    [
        ("description.season", "1", "int_type"),
        ("description.episode", 1.0, "int_type"),
        ("enclosure.duration", "3600", "float_type"),
        ("enclosure.duration", float("nan"), "finite_number"),
        ("enclosure.duration", float("inf"), "finite_number"),
        ("enclosure.length", "52428800", "int_type"),
    ],
)
def test_wrong_types_in_an_episode_are_refused(field: str, value: object, error_type: str) -> None:
    data = changed(full_episode(ENCLOSURES["external"]), field, value)
    assert only_error(data)[:2] == (field, error_type)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (full_show(), "unexpected"),
        (full_show(), "metadata.owner"),
        (full_show(), "description.Title"),
        (full_show(), "description.categories.0.name"),
        (full_show(), "description.owner.phone"),
        (full_show(), "image.url"),
        (full_episode(ENCLOSURES["external"]), "enclosure.size"),
        (full_episode(), "description.chapters.version"),
        (full_asset(), "image"),
        (full_asset(), "enclosure"),
        (full_asset(), "description.title"),
    ],
)
def test_unknown_fields_are_refused(document: dict[str, Any], field: str) -> None:
    assert only_error(changed(document, field, "x"))[:2] == (field, "extra_forbidden")


def test_unknown_fields_are_refused_in_productions() -> None:
    with pytest.raises(ValidationError) as caught:
        ProductionCreate.model_validate(
            {"name": "simple-podcast", "title": "Simple", "guid": SHOW_GUID}
        )
    assert caught.value.errors()[0]["loc"] == ("guid",)


# -- lengths and characters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["description.title", "description.author", "description.copyright", "description.owner.name"],
)
def test_tags_are_limited_to_255_characters(field: str) -> None:
    parse_resource(changed(full_show(), field, "x" * 255))
    assert only_error(changed(full_show(), field, "x" * 256))[:2] == (field, "string_too_long")


def test_a_4001_byte_summary_of_fewer_characters_is_refused() -> None:
    summary = "\u00e9" * 2000 + "a"  # 2,001 characters, 4,001 bytes
    assert len(summary) < 4000
    assert len(summary.encode()) == 4001
    path, error_type, message = only_error(changed(full_show(), "description.summary", summary))
    assert (path, error_type) == ("description.summary", "text_too_many_bytes")
    assert "4001 bytes" in message
    assert "at most 4000 bytes" in message


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("description.summary", "a" * 4001),
        ("description.summary", "\U0001f399" * 1001),
        ("description.summary", "\u65e5\u672c" * 667),  # 1,334 CJK characters, 4,002 bytes
    ],
)
def test_over_long_summaries_are_refused(field: str, text: str) -> None:
    assert only_error(changed(full_show(), field, text))[0] == field


@pytest.mark.parametrize("field", ["description.summary", "description.notes"])
def test_over_long_episode_texts_are_refused(field: str) -> None:
    assert only_error(changed(full_episode(), field, "\u00e9" * 2001))[:2] == (
        field,
        "text_too_many_bytes",
    )


def test_production_summaries_are_limited_in_bytes() -> None:
    with pytest.raises(ValidationError) as caught:
        ProductionCreate.model_validate(
            {"name": "simple-podcast", "title": "Simple", "summary": "\u00e9" * 2001}
        )
    assert caught.value.errors()[0]["loc"] == ("summary",)


@pytest.mark.parametrize(
    ("field", "value", "error_type"),
    [
        ("description.title", "", "string_too_short"),
        ("description.title", "   ", "text_blank"),
        ("description.title", "Two\nlines", "text_control_character"),
        ("description.title", "Tab\there", "text_control_character"),
        ("description.title", "Bell\x07", "text_control_character"),
        ("description.title", "C1 \x85 control", "text_control_character"),
        ("description.title", "lone \ud800 surrogate", "string_unicode"),
        ("description.summary", "NUL \x00 inside", "text_control_character"),
        ("description.summary", "escape \x1b[31m", "text_control_character"),
        ("description.summary", "non-character \uffff", "text_control_character"),
        ("description.summary", "lone \udfff surrogate", "string_unicode"),
        ("description.summary", "", "string_too_short"),
        ("description.funding.0.title", "x" * 129, "string_too_long"),
        ("description.persons.0.name", "x" * 129, "string_too_long"),
        ("metadata.labels.team", "x" * 256, "string_too_long"),
        ("metadata.labels.team", "a\nb", "text_control_character"),
    ],
)
def test_bad_text_is_refused(field: str, value: str, error_type: str) -> None:
    assert only_error(changed(full_show(), field, value))[:2] == (field, error_type)


@pytest.mark.parametrize("key", ["Team", "team name", "-team", "team-", "t" * 64, "", "caf\u00e9"])
def test_bad_label_keys_are_refused(key: str) -> None:
    data = changed(full_show(), f"metadata.labels.{key}", "x") if key else full_show()
    if not key:
        data["metadata"]["labels"][""] = "x"
    path, error_type, _ = only_error(data)
    assert path == f"metadata.labels.{key}.[key]"
    assert error_type in ("label_key_invalid",)


def test_at_most_32_labels() -> None:
    labels = {f"label-{number}": "x" for number in range(32)}
    parse_resource(changed(full_show(), "metadata.labels", labels))
    labels["one-more"] = "x"
    assert only_error(changed(full_show(), "metadata.labels", labels))[:2] == (
        "metadata.labels",
        "too_long",
    )


@pytest.mark.parametrize("date", [-1, 253_402_300_800])
def test_dates_outside_the_representable_range_are_refused(date: int) -> None:
    assert only_error(changed(full_show(), "metadata.date", date))[0] == "metadata.date"


# -- categories, languages, emails ---------------------------------------------------------------


def test_a_category_not_in_apples_list_is_refused() -> None:
    data = changed(full_show(), "description.categories.0.category", "Foo")
    path, error_type, message = only_error(data)
    assert (path, error_type) == ("description.categories.0.category", "category_unknown")
    assert message.startswith("'Foo' is not an Apple Podcasts category; see https://")


@pytest.mark.parametrize(
    ("category", "hint"),
    [
        ("technology", "did you mean 'Technology'?"),
        ("Health and Fitness", ""),
        ("Books", "it is a subcategory of 'Arts'"),
        ("Podcasting", ""),  # an old category Apple dropped
    ],
)
def test_near_misses_are_refused_with_a_hint(category: str, hint: str) -> None:
    data = changed(full_show(), "description.categories.1.category", category)
    data["description"]["categories"][1].pop("subcategory")
    path, _, message = only_error(data)
    assert path == "description.categories.1.category"
    assert hint in message


def test_a_subcategory_under_the_wrong_parent_is_refused() -> None:
    data = changed(full_show(), "description.categories.1.subcategory", "Careers")
    path, error_type, message = only_error(data)
    assert (path, error_type) == ("description.categories.1.subcategory", "subcategory_unknown")
    assert "'Careers' is not a subcategory of 'Arts'; it belongs to 'Business'" in message


@pytest.mark.parametrize("subcategory", ["Gadgets", "books", "Technology"])
def test_unknown_subcategories_are_refused(subcategory: str) -> None:
    data = changed(full_show(), "description.categories.1.subcategory", subcategory)
    assert only_error(data)[:2] == ("description.categories.1.subcategory", "subcategory_unknown")


def test_a_subcategory_of_a_category_without_any_is_refused() -> None:
    data = changed(full_show(), "description.categories.0.subcategory", "Tech News")
    path, _, message = only_error(data)
    assert path == "description.categories.0.subcategory"
    assert "it belongs to 'News'" in message


def test_at_least_one_category() -> None:
    data = changed(full_show(), "description.categories", [])
    assert only_error(data)[:2] == ("description.categories", "too_short")
    assert only_error(changed(full_show(), "description.categories", DELETE))[:2] == (
        "description.categories",
        "missing",
    )


def test_a_category_listed_twice_is_refused() -> None:
    data = changed(full_show(), "description.categories.2", {"category": "Technology"})
    assert only_error(data)[:2] == ("description.categories", "category_repeated")


@pytest.mark.parametrize(
    "language",
    ["english", "xx", "en-zz", "e", "en-", "en-usa", "en-uk", "en us", "en-us\n", "", "\u0435n"],
)
def test_invalid_language_codes_are_refused(language: str) -> None:
    path, error_type, _ = only_error(changed(full_show(), "description.language", language))
    assert path == "description.language"
    assert error_type in ("language_invalid", "string_too_short", "string_too_long")


def test_invalid_transcript_languages_are_refused() -> None:
    data = changed(full_episode(), "description.transcripts.0.language", "klingon")
    assert only_error(data)[0] == "description.transcripts.0.language"


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "jane@localhost",
        "jane@@example.com",
        "jane doe@example.com",
        "@example.com",
        "jane@",
        "jane@example.c",
        "jane@-example.com",
        "jane@example..com",
        ".jane@example.com",
        "jane.@example.com",
        "jane@example.com\n",
        "j\u00e4ne@example.com",
        "jane@ex\u0430mple.com",
        "<jane@example.com>",
        "Jane <jane@example.com>",
        "x" * 65 + "@example.com",
    ],
)
def test_invalid_emails_are_refused(email: str) -> None:
    path, error_type, _ = only_error(changed(full_show(), "description.owner.email", email))
    assert (path, error_type) == ("description.owner.email", "email_invalid")


@pytest.mark.parametrize(
    "email", ["jane@example.com", "a.b+c_d@mail.example.co.uk", "x@example.xn--p1ai"]
)
def test_good_emails_pass(email: str) -> None:
    parse_resource(changed(full_show(), "description.owner.email", email))


# -- URLs and references -------------------------------------------------------------------------

BAD_URLS = {
    "javascript": "javascript:alert(1)",
    "data": "data:image/png;base64,iVBORw0KGgo=",
    "file": "file:///etc/passwd",
    "ftp": "ftp://example.com/episode.mp3",
    "relative path": "/media/episode.mp3",
    "bare file": "episode.mp3",
    "scheme-relative": "//cdn.example.com/episode.mp3",
    "no host": "https:///episode.mp3",
    "scheme only": "https://",
    "host without slashes": "http:example.com/episode.mp3",
    "space": "https://example.com/my episode.mp3",
    "space in host": "https://exa mple.com/",
    "trailing newline": "https://example.com/episode.mp3\n",
    "leading space": " https://example.com/episode.mp3",
    "tab": "https://example.com/\tepisode.mp3",
    "NUL": "https://example.com/\x00",
    "non-ASCII path": "https://example.com/\u00e9pisode.mp3",
    "look-alike host": "https://ex\u0430mple.com/episode.mp3",
    "credentials": "https://user:secret@example.com/episode.mp3",
    "bad port": "https://example.com:99999/episode.mp3",
    "bad percent escape": "https://example.com/100%.mp3",
    "quote": 'https://example.com/"episode".mp3',
    "angle bracket": "https://example.com/<script>",
    "backslash": "https:\\\\example.com\\episode.mp3",
    "empty": "",
    "too long": "https://example.com/" + "a" * 2030,
}


@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
@pytest.mark.parametrize(
    ("document", "field"),
    [
        (full_show(), "description.link"),
        (full_show(), "description.new_feed_url"),
        (full_show(), "description.funding.0.url"),
        (full_show(), "description.persons.0.img"),
        (full_episode(ENCLOSURES["external"]), "enclosure.url"),
        (full_episode(ENCLOSURES["import"]), "enclosure.url"),
        (full_episode(), "image.url"),
        (full_episode(), "description.transcripts.0.url"),
        (full_episode(), "description.chapters.url"),
        (full_asset(), "description.url"),
    ],
)
def test_bad_urls_are_refused(document: dict[str, Any], field: str, url: str) -> None:
    path, error_type, _ = only_error(changed(document, field, url))
    assert path == field
    assert error_type.startswith(("url_", "string_too_"))


def test_url_messages_help() -> None:
    cases = {
        "javascript:alert(1)": "javascript: URLs are not allowed; use https:// or http://",
        "/media/episode.mp3": "must be an absolute URL",
        "ftp://example.com/a.mp3": "ftp: URLs are not allowed",
        "https://example.com/my episode.mp3": "contains whitespace; percent-encode it",
    }
    for url, expected in cases.items():
        assert expected in only_error(changed(full_show(), "description.link", url))[2]


@pytest.mark.parametrize("rel", ["link", "Asset", "", "uri", None])
def test_unknown_reference_rels_are_refused(rel: object) -> None:
    data = changed(full_episode(), "enclosure.rel", rel)
    path, error_type, message = only_error(data)
    assert (path, error_type) == ("enclosure.rel", "union_tag_invalid")
    assert "use one of asset, external, import" in message


def test_a_reference_without_rel_is_refused() -> None:
    path, _, message = only_error(changed(full_episode(), "image.rel", DELETE))
    assert path == "image.rel"
    assert "rel is required" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("enclosure.length", 0),
        ("enclosure.length", -1),
        ("enclosure.duration", 0),
        ("enclosure.duration", -3.5),
        ("enclosure.type", "text/html"),
        ("enclosure.type", "image/jpeg"),
        ("enclosure.type", "audio"),
        ("enclosure.type", "audio/mpeg; charset=x"),
        ("enclosure.url", "ftp://example.com/a.mp3"),
    ],
)
def test_bad_external_enclosures_are_refused(field: str, value: object) -> None:
    data = changed(full_episode(ENCLOSURES["external"]), field, value)
    assert only_error(data)[0] == field


@pytest.mark.parametrize(
    ("field", "value"),
    [("image.type", "audio/mpeg"), ("image.length", 0), ("image.duration", 12.0)],
)
def test_bad_external_images_are_refused(field: str, value: object) -> None:
    assert only_error(changed(full_episode(), field, value))[0] == field


def test_an_import_takes_only_a_url() -> None:
    data = changed(full_episode(ENCLOSURES["import"]), "enclosure.name", "episode-one-audio")
    assert only_error(data)[:2] == ("enclosure.name", "extra_forbidden")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description.season", 0),
        ("description.episode", 0),
        ("description.episode", -4),
        ("description.season", 2**31),
        ("description.type", "teaser"),
        ("description.type", "Full"),
        ("description.transcripts.0.type", "text/srt"),
        ("description.transcripts.0.rel", "subtitles"),
        ("description.chapters.type", "application/json"),
    ],
)
def test_bad_episode_values_are_refused(field: str, value: object) -> None:
    assert only_error(changed(full_episode(), field, value))[0] == field


@pytest.mark.parametrize(
    ("field", "value"),
    [("description.type", "weekly"), ("description.type", "Episodic")],
)
def test_bad_show_values_are_refused(field: str, value: object) -> None:
    assert only_error(changed(full_show(), field, value))[0] == field


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description.sha256", SHA256.upper()),
        ("description.sha256", SHA256[:-1]),
        ("description.size", -1),
        ("description.channels", 0),
        ("description.duration", float("nan")),
        ("description.type", "audio mpeg"),
    ],
)
def test_bad_asset_values_are_refused(field: str, value: object) -> None:
    assert only_error(changed(full_asset(), field, value))[0] == field


# -- the Podcast Index tags ----------------------------------------------------------------------


def tagged_show(**assets: str) -> dict[str, Any]:
    document = full_show()
    document["description"].update(show_tags(**assets))
    return document


def tagged_episode(**assets: str) -> dict[str, Any]:
    document = full_episode()
    document["description"].update(episode_tags(**assets))
    return document


@pytest.mark.parametrize(
    "assets",
    [
        {},
        {
            "trailer_asset": "trailer-2024",
            "image_asset": "cover-art-1500",
            "stream_asset": "live-recording",
        },
    ],
)
def test_a_show_with_every_podcast_index_tag_round_trips(assets: dict[str, str]) -> None:
    data = tagged_show(**assets)
    assert dump_resource(parse_resource(data)) == data


@pytest.mark.parametrize(
    "assets", [{}, {"source_asset": "episode-one-opus", "image_asset": "episode-one-art"}]
)
def test_an_episode_with_every_podcast_index_tag_round_trips(assets: dict[str, str]) -> None:
    data = tagged_episode(**assets)
    assert dump_resource(parse_resource(data)) == data
    assert dump_resource(parse_resource(json.loads(json.dumps(data)))) == data


def test_the_tags_are_optional_and_a_document_without_them_dumps_as_before() -> None:
    assert "medium" not in dump_resource(parse_resource(full_show()))["description"]
    assert "soundbites" not in dump_resource(parse_resource(full_episode()))["description"]


@pytest.mark.parametrize(
    ("field", "value", "at"),
    [
        ("description.medium", "Podcast", None),
        ("description.medium", "radio", None),
        ("description.license", {"identifier": "my-own-licence"}, "description.license.url"),
        ("description.license.url", "ftp://example.com/l.txt", None),
        ("description.locations.0.geo", "geo:91,0", None),
        ("description.locations.0.geo", "30.2,-97.7", None),
        ("description.locations.0.osm", "X113314", None),
        ("description.locations.0.rel", "author", None),
        ("description.locations.0.country", "us", None),
        ("description.locations.0.name", " ", None),
        ("description.trailers.0.media.url", "ipfs://Qm", None),
        ("description.trailers.0.media.type", "text/plain", None),
        ("description.trailers.0.media.length", 0, None),
        ("description.trailers.0.media.rel", "import", None),
        ("description.trailers.1.media.name", "x", None),
        ("description.trailers.1.season", 0, None),
        ("description.trailers.0.published", -1, None),
        ("description.txt.0.text", "", None),
        ("description.txt.0.text", "x" * 4001, None),
        (
            "description.txt.0",
            {"text": "yes", "purpose": "ai-content"},
            "description.txt.0.purpose",
        ),
        ("description.update_frequency.rrule", "FREQ=FORTNIGHTLY", None),
        ("description.update_frequency.rrule", "BYDAY=MO", None),
        ("description.update_frequency.starts", DELETE, "description.update_frequency.starts"),
        ("description.service_blocks.1.service", None, "description.service_blocks"),
        ("description.service_blocks.1.service", "Google Play", None),
        ("description.service_blocks.0.blocked", "yes", None),
        ("description.publisher.medium", "podcast", "description.publisher"),
        ("description.publisher.feed_guid", "not-a-uuid", None),
        ("description.chat.server", "https://irc.example.com/", None),
        ("description.image_srcset.0.url", "https://cdn.example.com/a,b.jpg", None),
        ("description.image_srcset.1.width", 0, None),
        ("description.image_srcset.1.rel", "import", None),
        ("description.values.0.recipients", [], None),
        ("description.values.0.recipients.0.split", -1, None),
        ("description.values.0.suggested", "1e-8", None),
        ("description.social_interacts.0.uri", DELETE, "description.social_interacts.0.uri"),
        ("description.social_interacts.0.uri", "javascript:alert(1)", None),
        ("description.social_interacts.0.priority", -1, None),
        ("description.podroll.0.medium", "radio", None),
        ("description.remote_items.0.feed_url", "feeds.example.org/x.xml", None),
        ("description.live_items.0.status", "over", None),
        ("description.live_items.0.status", "LIVE", None),
        ("description.live_items.0.guid", " live", None),
        ("description.live_items.0.guid", "", None),
        ("description.live_items.0.title", DELETE, None),
        ("description.live_items.0.start", "tomorrow", None),
        ("description.live_items.0.end", 1_699_999_999, None),
        (
            "description.live_items.0",
            {
                "guid": "x",
                "title": "Over",
                "status": "ended",
                "start": 1,
                "enclosure": {
                    "rel": "external",
                    "url": "https://e.example/l",
                    "type": "audio/mpeg",
                },
            },
            "description.live_items.0.end",
        ),
        ("description.live_items.0.enclosure", DELETE, None),
        ("description.live_items.0.enclosure.rel", "import", None),
        ("description.live_items.0.enclosure.url", "rtmp://stream.example.com/live", None),
        ("description.live_items.0.enclosure.type", DELETE, None),
        ("description.live_items.0.enclosure.length", 0, None),
        ("description.live_items.0.link", "not a url", None),
        ("description.live_items.0.content_links.0.href", "javascript:alert(1)", None),
        ("description.live_items.0.alternate_enclosures.0.sources", [], None),
        ("description.live_items.0.persons.0.href", "nowhere", None),
        ("description.live_items.0.chat.protocol", "", None),
        ("description.live_items.0", "a stream", None),
    ],
)
def test_bad_show_tags_are_refused_at_their_field(
    field: str, value: object, at: str | None
) -> None:
    assert only_error(changed(tagged_show(), field, value))[0] == (at or field)


@pytest.mark.parametrize(
    ("field", "value", "at"),
    [
        ("description.season", DELETE, "description.season_name"),
        ("description.soundbites.0.start_time", -1.0, None),
        ("description.soundbites.0.duration", 0.0, None),
        ("description.soundbites.0.duration", float("inf"), None),
        ("description.soundbites.0.start_time", "73", None),
        ("description.alternate_enclosures.0.sources", [], None),
        ("description.alternate_enclosures.0.sources.1.uri", "QmX33FYehk6ckGQ6g1D9", None),
        ("description.alternate_enclosures.0.sources.1.uri", "data:audio/mpeg;base64,AA", None),
        ("description.alternate_enclosures.0.sources.1.rel", "import", None),
        ("description.alternate_enclosures.0.sources.0.uri", "https://cdn.example.com/a b", None),
        (
            "description.alternate_enclosures.0.type",
            DELETE,
            "description.alternate_enclosures.0.type",
        ),
        ("description.alternate_enclosures.0.length", -1, None),
        ("description.alternate_enclosures.0.bitrate", -1.0, None),
        ("description.alternate_enclosures.0.integrity.type", "md5", None),
        ("description.alternate_enclosures.0.integrity.value", "md5-abc", None),
        ("description.image_srcset.0.width", 0, None),
        (
            "description.values.0.time_splits.0.recipients",
            [{"type": "node", "address": "a", "split": 1}],
            "description.values.0.time_splits.0.remote_item",
        ),
        ("description.values.0.time_splits.0.remote_percentage", 101, None),
        ("description.values.0.time_splits.1.remote_start_time", -1.0, None),
        ("description.values.0.time_splits.1.duration", 0.0, None),
        ("description.social_interacts.0.protocol", "ActivityPub", None),
        ("description.content_links.0.href", "javascript:alert(1)", None),
        ("description.content_links.1.href", "no-scheme", None),
        ("description.chat.protocol", "", None),
    ],
)
def test_bad_episode_tags_are_refused_at_their_field(
    field: str, value: object, at: str | None
) -> None:
    assert only_error(changed(tagged_episode(), field, value))[0] == (at or field)


def test_an_alternate_enclosure_of_an_uploaded_asset_may_leave_its_type_out() -> None:
    data = tagged_episode(source_asset="episode-one-opus")
    del data["description"]["alternate_enclosures"][1]["type"]
    assert dump_resource(parse_resource(data)) == data


def test_two_live_items_with_one_guid_are_refused() -> None:
    data = tagged_show()
    live = data["description"]["live_items"]
    live.append(dict(live[0], title="A second stream"))
    field, kind, message = only_error(data)
    assert (field, kind) == ("description.live_items", "live_guid_repeated")
    assert "live-2025-01-06" in message


def test_a_reference_without_rel_in_a_tag_is_named_there() -> None:
    data = changed(tagged_show(), "description.trailers.0.media", {"url": "https://a.example/t"})
    assert only_error(data)[:2] == ("description.trailers.0.media.rel", "union_tag_not_found")


# -- helpers for the route layer -----------------------------------------------------------------


def test_check_kind_matches() -> None:
    document = parse_resource(full_show())
    check_kind_matches("show", document)
    check_kind_matches(Kind.SHOW, document)
    with pytest.raises(ValidationError) as caught:
        check_kind_matches(Kind.EPISODE, document)
    (error,) = caught.value.errors()
    assert (error["loc"], error["type"]) == (("kind",), "kind_mismatch")
    assert error["msg"] == "the document is 'show' but the path says 'episode'"


def test_server_owned_values() -> None:
    assert server_owned_values(parse_resource(full_show())) == {"metadata.guid": SHOW_GUID}
    no_guid = changed(full_episode(), "metadata.guid", DELETE)
    assert server_owned_values(parse_resource(no_guid)) == {}
    owned = server_owned_values(parse_resource(full_asset()))
    assert owned["description.sha256"] == SHA256
    assert owned["description.size"] == 52_428_800
    assert "description.width" not in owned  # not set, so not claimed
    bare_asset = changed(full_asset(), "description", DELETE)
    bare_asset["metadata"].pop("guid")
    assert server_owned_values(parse_resource(bare_asset)) == {}


def test_productions() -> None:
    body = ProductionCreate.model_validate({"name": "simple-podcast", "title": "Simple"})
    assert body.summary is None
    data = {
        "guid": SHOW_GUID,
        "name": "simple-podcast",
        "title": "Simple",
        "summary": "A *show*.",
        "owner": "user-1",
        "created": 1_700_000_000,
        "updated": 1_700_000_100,
    }
    production = Production.model_validate(data)
    assert production.model_dump(mode="json", by_alias=True, exclude_none=True) == data
    for field, value in [("title", "x" * 256), ("title", ""), ("created", "1700000000")]:
        with pytest.raises(ValidationError) as caught:
            Production.model_validate(dict(data, **{field: value}))
        assert caught.value.errors()[0]["loc"] == (field,)


# -- JSON Schema for the OpenAPI document --------------------------------------------------------

TOP_LEVEL_MODELS: list[type[BaseModel]] = [
    ShowDocument,
    EpisodeDocument,
    AssetDocument,
    ProductionCreate,
    Production,
]


@pytest.mark.parametrize("model", TOP_LEVEL_MODELS)
@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_every_top_level_model_has_a_json_schema(
    model: type[BaseModel], mode: Literal["validation", "serialization"]
) -> None:
    schema = model.model_json_schema(by_alias=True, mode=mode)
    json.dumps(schema)  # plain JSON: no Python objects left in it
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False


def test_the_resource_schema_is_a_discriminated_union() -> None:
    schema = resource_json_schema()
    assert schema["discriminator"]["propertyName"] == "kind"
    assert set(schema["discriminator"]["mapping"]) == {"show", "episode", "asset"}
    definitions = schema["$defs"]
    assert "apiVersion" in definitions["ShowDocument"]["properties"]
    name = definitions["Metadata"]["properties"]["name"]
    assert (name["pattern"], name["minLength"], name["maxLength"]) == ("^[a-z0-9_-]{8,44}$", 8, 44)
    category = definitions["Category"]["properties"]["category"]
    assert len(category["enum"]) == 19
    episode = definitions["EpisodeDocument"]["properties"]
    assert episode["enclosure"]["anyOf"][0]["discriminator"]["propertyName"] == "rel"
    json.dumps(schema)


@pytest.mark.parametrize("value", [0, -1, 10_001, "ten", 2.5, True])
def test_a_feed_page_size_outside_1_to_10000_is_refused(value: object) -> None:
    assert only_error(changed(full_show(), "description.feed_episodes", value))[0] == (
        "description.feed_episodes"
    )


def test_a_feed_page_size_round_trips() -> None:
    data = changed(full_show(), "description.feed_episodes", 100)
    assert dump_resource(parse_resource(data)) == data


# -- transcripts and chapters from uploaded assets ------------------------------------------------


def test_a_transcript_and_chapters_may_name_an_uploaded_asset() -> None:
    data = full_episode()
    data["description"]["transcripts"][0] = {
        "asset": "episode-one-vtt",
        "type": "text/vtt",
        "rel": "captions",
    }
    data["description"]["chapters"] = {
        "asset": "episode-one-chapters",
        "type": "application/json+chapters",
    }
    assert dump_resource(parse_resource(data)) == data


@pytest.mark.parametrize(
    ("field", "value", "at", "kind"),
    [
        (
            "description.transcripts.0.asset",
            "episode-one-vtt",
            "description.transcripts.0.asset",
            "url_or_asset",
        ),
        (
            "description.transcripts.0.url",
            DELETE,
            "description.transcripts.0.asset",
            "url_or_asset",
        ),
        ("description.chapters.asset", "episode-one-chapters", None, "url_or_asset"),
        ("description.chapters.url", DELETE, "description.chapters.asset", "url_or_asset"),
        ("description.transcripts.1", {"asset": "no.dots.here", "type": "text/vtt"}, None, None),
        ("description.chapters", {"asset": "short"}, "description.chapters.asset", None),
    ],
)
def test_a_transcript_or_chapters_needs_exactly_one_of_url_and_asset(
    field: str, value: object, at: str | None, kind: str | None
) -> None:
    path, error_type, message = only_error(changed(full_episode(), field, value))
    if at is not None:
        assert path == at
    if kind is not None:
        assert error_type == kind
        assert "one of the two" in message
