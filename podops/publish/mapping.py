"""From stored documents to the `feeds` model, naming what cannot be mapped.

A reference that cannot be resolved — an asset that was deleted, an enclosure still being
imported — becomes a `Finding` (an error), reported beside lint's, so the producer reads one
report naming every field at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import feeds
from podops.models import Production, Resource

# An asset's name, and its document.
Assets = Mapping[str, dict[str, Any]]


class EpisodeRow(Protocol):
    """What mapping reads of an episode: a `Resource`, or a row of just these columns."""

    @property
    def guid(self) -> str: ...
    @property
    def document(self) -> dict[str, Any]: ...
    @property
    def html(self) -> str | None: ...


@dataclass(frozen=True)
class Problem:
    """Something the build cannot map, reported as an error beside lint's findings."""

    code: str
    message: str
    path: str


@dataclass(frozen=True)
class Unprobed:
    """An external enclosure stored without its length or type: the build probes its URL,
    and reads its head for the duration too when the document lacks that."""

    index: int  # of the episode, in `Mapped.episodes`
    resource_guid: str
    url: str
    path: str
    wants_duration: bool = False


@dataclass
class Mapped:
    show: feeds.Show | None
    episodes: list[feeds.Episode]
    problems: list[Problem] = field(default_factory=list)
    # Storage keys of the media the feed points at, once per use: they must exist before it
    # is published.
    media_keys: list[str] = field(default_factory=list)
    unprobed: list[Unprobed] = field(default_factory=list)
    # The show's `access` (public, private, both), the GUIDs of its premium episodes, and the
    # storage key of each stored enclosure by item GUID: a private feed signs those.
    access: str = "public"
    premium: set[str] = field(default_factory=set)
    # The show's `feed_episodes`: the public feed is paged when set.
    page_size: int | None = None
    enclosure_keys: dict[str, str] = field(default_factory=dict)
    # By item GUID, the storage keys of every stored medium the episode points at (enclosure,
    # image, images, transcripts, chapters, alternate enclosures' sources), once per use as in
    # `media_keys`: what premium episodes alone use is for subscribers only.
    episode_keys: dict[str, list[str]] = field(default_factory=dict)
    # The storage key of each stored medium by the URL the feeds name it by: the private feed
    # names a subscriber-only one by its signed placeholder instead.
    stored_urls: dict[str, str] = field(default_factory=dict)
    # (new feed URL, until when) while the show's feed URLs redirect there: a show moving away.
    moved: tuple[str, int] | None = None


def feed_url(base_url: str, production: Production) -> str:
    """The feed's stable URL (by GUID: a production's name could be reused one day)."""
    return f"{base_url}/f/{production.guid}/feed.xml"


def archive_url(base_url: str, production: Production, page: int) -> str:
    """Page `page` of a paged feed's archive (1: the oldest episodes)."""
    return f"{base_url}/f/{production.guid}/archive/{page}.xml"


def alias_url(base_url: str, production: Production) -> str:
    return f"{base_url}/s/{production.name}/feed.xml"


def stylesheet_href(base_url: str) -> str:
    """The XSL stylesheet public feeds name for browsers, as a path on the service's own
    origin: a browser applies a stylesheet only from the feed's origin, whichever host name
    it was opened by."""
    return urlsplit(base_url).path.rstrip("/") + "/f/feed.xsl"


def map_production(
    production: Production,
    show: Resource | None,
    episodes: Iterable[EpisodeRow],
    assets: Assets,
    *,
    base_url: str,
) -> Mapped:
    """The feed model of a production; `episodes` in feed-index order, read once (a stream of
    rows is mapped as it comes and need not be held whole)."""
    mapped = Mapped(show=None, episodes=[])
    if show is None:
        mapped.problems.append(_problem("show", "the production has no show yet: create it"))
        return mapped
    mapped.show = _show(production, show, assets, mapped, base_url=base_url)
    description = show.document["description"]
    mapped.access = description.get("access", "public")
    mapped.page_size = description.get("feed_episodes")
    if description.get("new_feed_url") and description.get("redirect_until"):
        mapped.moved = (description["new_feed_url"], int(description["redirect_until"]))
    for index, resource in enumerate(episodes):
        mapped.episodes.append(_episode(index, resource, assets, mapped))
    return mapped


def _problem(path: str, message: str) -> Problem:
    return Problem(code="missing-reference", message=message, path=path)


def _show(
    production: Production,
    show: Resource,
    assets: Assets,
    mapped: Mapped,
    *,
    base_url: str,
) -> feeds.Show:
    document = show.document
    description: dict[str, Any] = document["description"]
    owner = description.get("owner")
    return feeds.Show(
        title=description["title"],
        summary_markdown=description.get("summary", ""),
        summary_html=show.html,
        feed_url=feed_url(base_url, production),
        language=description["language"],
        categories=tuple(
            feeds.Category(item["category"], item.get("subcategory"))
            for item in description.get("categories", [])
        ),
        explicit=bool(description.get("explicit", False)),
        owner=feeds.Owner(owner["name"], owner["email"]) if owner else None,
        link=description.get("link"),
        author=description.get("author"),
        copyright=description.get("copyright"),
        image=_image("show.image", document.get("image"), assets, mapped),
        type=feeds.ShowType(description.get("type", "episodic")),
        block=bool(description.get("block", False)),
        complete=bool(description.get("complete", False)),
        new_feed_url=description.get("new_feed_url"),
        locked=bool(description.get("locked", True)),
        funding=tuple(
            feeds.Funding(item["url"], item.get("title") or "")
            for item in description.get("funding", [])
        ),
        persons=tuple(_person(item) for item in description.get("persons", [])),
        # Shows stored before podops kept their GUID derive it from the feed URL, as then.
        podcast_guid=description.get("podcast_guid"),
        updated=show.updated_at,
        medium=description.get("medium"),
        license=_license(description.get("license")),
        locations=tuple(map(_location, description.get("locations") or [])),
        trailers=tuple(
            trailer
            for index, item in enumerate(description.get("trailers") or [])
            if (trailer := _trailer(f"show.trailers[{index}]", item, assets, mapped)) is not None
        ),
        txt=tuple(
            feeds.Txt(item["text"], item.get("purpose")) for item in _items(description, "txt")
        ),
        update_frequency=_update_frequency(description.get("update_frequency")),
        service_blocks=tuple(
            feeds.ServiceBlock(item["blocked"], item.get("service"))
            for item in _items(description, "service_blocks")
        ),
        publisher=_remote_item(description["publisher"]) if description.get("publisher") else None,
        chat=_chat(description.get("chat")),
        image_srcset=_image_srcset("show.image_srcset", description, assets, mapped),
        values=tuple(map(_value, _items(description, "values"))),
        social_interacts=tuple(map(_social_interact, _items(description, "social_interacts"))),
        podroll=tuple(map(_remote_item, _items(description, "podroll"))),
        remote_items=tuple(map(_remote_item, _items(description, "remote_items"))),
        live_items=tuple(
            _live_item(f"show.live_items[{index}]", item, assets, mapped)
            for index, item in enumerate(_items(description, "live_items"))
        ),
    )


def _episode(index: int, resource: EpisodeRow, assets: Assets, mapped: Mapped) -> feeds.Episode:
    document = resource.document
    description: dict[str, Any] = document["description"]
    where = f"episodes[{index}]"
    # Every use of stored media from here on is this episode's.
    first_use = len(mapped.media_keys)
    reference = document.get("enclosure")
    enclosure, duration = _enclosure(f"{where}.enclosure", reference, assets, mapped)
    if (
        reference is not None
        and reference["rel"] == "external"
        and not (reference.get("length") and reference.get("type"))
    ):
        mapped.unprobed.append(
            Unprobed(
                index,
                resource.guid,
                reference["url"],
                f"{where}.enclosure",
                wants_duration=not reference.get("duration"),
            )
        )
    chapters = description.get("chapters")
    # An imported episode keeps the GUID its old feed gave it.
    guid = description.get("feed_guid") or resource.guid
    if description.get("premium"):
        mapped.premium.add(guid)
    if enclosure is not None and reference is not None and reference["rel"] == "asset":
        key = assets.get(reference["name"], {}).get("description", {}).get("storage_key")
        if key:
            mapped.enclosure_keys[guid] = key
    episode = feeds.Episode(
        guid=guid,
        title=description["title"],
        itunes_title=description.get("itunes_title"),
        published=int(document["metadata"]["date"]),
        enclosure=enclosure,
        summary_markdown=description.get("summary") or "",
        notes_markdown=description.get("notes") or "",
        notes_html=resource.html,
        duration=duration,
        link=description.get("link"),
        season=description.get("season"),
        number=description.get("episode"),
        type=feeds.EpisodeType(description.get("type", "full")),
        explicit=description.get("explicit"),
        block=bool(description.get("block", False)),
        image=_image(f"{where}.image", document.get("image"), assets, mapped),
        transcripts=tuple(
            feeds.Transcript(url, item["type"], item.get("language"), item.get("rel"))
            for number, item in enumerate(description.get("transcripts", []))
            if (url := _file_url(f"{where}.transcripts[{number}]", item, assets, mapped))
        ),
        chapters=feeds.Chapters(url, chapters.get("type", "application/json+chapters"))
        if chapters and (url := _file_url(f"{where}.chapters", chapters, assets, mapped))
        else None,
        persons=tuple(_person(item) for item in description.get("persons", [])),
        season_name=description.get("season_name"),
        soundbites=tuple(
            feeds.Soundbite(item["start_time"], item["duration"], item.get("title") or "")
            for item in _items(description, "soundbites")
        ),
        locations=tuple(map(_location, _items(description, "locations"))),
        license=_license(description.get("license")),
        alternate_enclosures=tuple(
            alternate
            for number, item in enumerate(_items(description, "alternate_enclosures"))
            if (
                alternate := _alternate_enclosure(
                    f"{where}.alternate_enclosures[{number}]", item, assets, mapped
                )
            )
            is not None
        ),
        image_srcset=_image_srcset(f"{where}.image_srcset", description, assets, mapped),
        txt=tuple(
            feeds.Txt(item["text"], item.get("purpose")) for item in _items(description, "txt")
        ),
        chat=_chat(description.get("chat")),
        values=tuple(map(_value, _items(description, "values"))),
        social_interacts=tuple(map(_social_interact, _items(description, "social_interacts"))),
        content_links=tuple(
            feeds.ContentLink(item["href"], item.get("text") or "")
            for item in _items(description, "content_links")
        ),
    )
    # Extended, not set: lint refuses a GUID used twice, and this names all of its uses.
    mapped.episode_keys.setdefault(guid, []).extend(mapped.media_keys[first_use:])
    return episode


def rendered_html(kind: str, document: dict[str, Any]) -> str | None:
    """The HTML a feed carries for a show's summary or an episode's notes (None: no text),
    stored beside the document so a build does not convert its Markdown again. An episode's
    summary is short and plain; the feed library converts it when it builds."""
    description = document.get("description") or {}
    if kind == "show":
        text = description.get("summary", "")
    elif kind == "episode":
        text = description.get("notes", "")
    else:
        return None
    return feeds.markdown_to_html(text) if text else None


def _person(item: dict[str, Any]) -> feeds.Person:
    return feeds.Person(
        item["name"], item.get("role"), item.get("group"), item.get("href"), item.get("img")
    )


def _asset(
    path: str, reference: dict[str, Any], assets: Assets, mapped: Mapped
) -> dict[str, Any] | None:
    asset = assets.get(reference["name"])
    if asset is None:
        mapped.problems.append(
            _problem(
                path, f"asset {reference['name']!r} does not exist (deleted, or never uploaded)"
            )
        )
        return None
    description: dict[str, Any] = asset.get("description", {})
    if "url" not in description:
        mapped.problems.append(_problem(path, f"asset {reference['name']!r} has no media yet"))
        return None
    if "storage_key" in description:
        mapped.media_keys.append(description["storage_key"])
        mapped.stored_urls[str(description["url"])] = description["storage_key"]
    return description


def _file_url(path: str, item: dict[str, Any], assets: Assets, mapped: Mapped) -> str | None:
    """A transcript's or chapters file's URL: its own, or its uploaded asset's (None, and a
    problem, when the asset is gone)."""
    if not item.get("asset"):
        url: str = item["url"]
        return url
    media = _asset(f"{path}.asset", {"name": item["asset"]}, assets, mapped)
    return None if media is None else str(media["url"])


def _image(
    path: str, reference: dict[str, Any] | None, assets: Assets, mapped: Mapped
) -> feeds.Image | None:
    if reference is None:
        return None
    if reference["rel"] == "asset":
        media = _asset(path, reference, assets, mapped)
        if media is None:
            return None
        return feeds.Image(media["url"], media.get("width"), media.get("height"))
    if reference["rel"] == "import":
        mapped.problems.append(_problem(path, "the image is still to be imported"))
        return None
    return feeds.Image(reference["url"])


def _enclosure(
    path: str, reference: dict[str, Any] | None, assets: Assets, mapped: Mapped
) -> tuple[feeds.Enclosure | None, float | None]:
    if reference is None:
        return None, None
    if reference["rel"] == "asset":
        media = _asset(path, reference, assets, mapped)
        if media is None:
            return None, None
        enclosure = feeds.Enclosure(media["url"], int(media.get("size", 0)), media.get("type", ""))
        return enclosure, media.get("duration")
    if reference["rel"] == "import":
        mapped.problems.append(_problem(path, "the enclosure is still to be imported"))
        return None, None
    enclosure = feeds.Enclosure(
        reference["url"], int(reference.get("length") or 0), reference.get("type") or ""
    )
    return enclosure, reference.get("duration")


# The Podcast Index tags beyond the first eight (`podops.resources.namespace`).


def _items(description: dict[str, Any], field: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = description.get(field) or []
    return items


def _license(item: dict[str, Any] | None) -> feeds.License | None:
    return feeds.License(item["identifier"], item.get("url")) if item else None


def _location(item: dict[str, Any]) -> feeds.Location:
    return feeds.Location(
        item["name"], item.get("geo"), item.get("osm"), item.get("rel"), item.get("country")
    )


def _trailer(
    path: str, item: dict[str, Any], assets: Assets, mapped: Mapped
) -> feeds.Trailer | None:
    reference: dict[str, Any] = item["media"]
    if reference["rel"] == "asset":
        media = _asset(f"{path}.media", reference, assets, mapped)
        if media is None:
            return None
        url, length, kind = media["url"], media.get("size"), media.get("type")
    else:
        url, length, kind = reference["url"], reference.get("length"), reference.get("type")
    return feeds.Trailer(item["title"], url, item["published"], length, kind, item.get("season"))


def _update_frequency(item: dict[str, Any] | None) -> feeds.UpdateFrequency | None:
    if not item:
        return None
    return feeds.UpdateFrequency(
        item["label"], item.get("rrule"), bool(item.get("complete", False)), item.get("starts")
    )


def _remote_item(item: dict[str, Any]) -> feeds.RemoteItem:
    return feeds.RemoteItem(
        item["feed_guid"],
        item.get("feed_url"),
        item.get("item_guid"),
        item.get("medium"),
        item.get("title"),
    )


def _chat(item: dict[str, Any] | None) -> feeds.Chat | None:
    if not item:
        return None
    return feeds.Chat(item["server"], item["protocol"], item.get("account_id"), item.get("space"))


def _image_srcset(
    path: str, description: dict[str, Any], assets: Assets, mapped: Mapped
) -> tuple[feeds.ImageSource, ...]:
    images: list[feeds.ImageSource] = []
    for index, item in enumerate(_items(description, "image_srcset")):
        if item["rel"] == "external":
            images.append(feeds.ImageSource(item["url"], item["width"]))
            continue
        here = f"{path}[{index}]"
        media = _asset(here, item, assets, mapped)
        if media is None:
            continue
        width = item.get("width") or media.get("width")
        if not width:
            mapped.problems.append(
                _problem(f"{here}.width", f"asset {item['name']!r} has no known width: give it")
            )
            continue
        images.append(feeds.ImageSource(media["url"], int(width)))
    return tuple(images)


def _recipient(item: dict[str, Any]) -> feeds.ValueRecipient:
    return feeds.ValueRecipient(
        item["type"],
        item["address"],
        item["split"],
        item.get("name"),
        item.get("custom_key"),
        item.get("custom_value"),
        bool(item.get("fee", False)),
    )


def _value(item: dict[str, Any]) -> feeds.Value:
    return feeds.Value(
        item["type"],
        item["method"],
        tuple(map(_recipient, item["recipients"])),
        item.get("suggested"),
        tuple(
            feeds.ValueTimeSplit(
                split["start_time"],
                split["duration"],
                tuple(map(_recipient, split.get("recipients") or [])),
                _remote_item(split["remote_item"]) if split.get("remote_item") else None,
                split.get("remote_start_time"),
                split.get("remote_percentage"),
            )
            for split in item.get("time_splits") or []
        ),
    )


def _social_interact(item: dict[str, Any]) -> feeds.SocialInteract:
    return feeds.SocialInteract(
        item["protocol"],
        item.get("uri"),
        item.get("account_id"),
        item.get("account_url"),
        item.get("priority"),
    )


def _alternate_enclosure(
    path: str, item: dict[str, Any], assets: Assets, mapped: Mapped
) -> feeds.AlternateEnclosure | None:
    """The alternate enclosure, its uploaded sources resolved to their URLs; its type and
    length, when the document leaves them out, are those of its first uploaded source."""
    sources: list[feeds.Source] = []
    uploaded: list[dict[str, Any]] = []
    for index, reference in enumerate(item["sources"]):
        if reference["rel"] == "external":
            sources.append(feeds.Source(reference["uri"], reference.get("content_type")))
            continue
        media = _asset(f"{path}.sources[{index}]", reference, assets, mapped)
        if media is None:
            return None
        uploaded.append(media)
        sources.append(feeds.Source(media["url"]))
    first = uploaded[0] if uploaded else {}
    kind = item.get("type") or first.get("type")
    if not kind:
        mapped.problems.append(
            _problem(f"{path}.type", "the alternate enclosure's media type is not known: give it")
        )
        return None
    integrity = item.get("integrity")
    return feeds.AlternateEnclosure(
        type=kind,
        sources=tuple(sources),
        length=item.get("length", first.get("size")),
        bitrate=item.get("bitrate"),
        height=item.get("height"),
        lang=item.get("lang"),
        title=item.get("title"),
        rel=item.get("rel"),
        codecs=item.get("codecs"),
        default=bool(item.get("default", False)),
        integrity=feeds.Integrity(integrity["type"], integrity["value"]) if integrity else None,
    )


def _live_item(path: str, item: dict[str, Any], assets: Assets, mapped: Mapped) -> feeds.LiveItem:
    """The live item, its uploaded media resolved; an asset that cannot be resolved is named
    and leaves the item without its stream, which lint then reports as well."""
    reference: dict[str, Any] = item["enclosure"]
    stream: feeds.Enclosure | None = None
    if reference["rel"] == "asset":
        media = _asset(f"{path}.enclosure", reference, assets, mapped)
        if media is not None:
            stream = feeds.Enclosure(media["url"], int(media.get("size", 0)), media.get("type", ""))
    else:
        stream = feeds.Enclosure(
            reference["url"], int(reference.get("length") or 0), reference["type"]
        )
    return feeds.LiveItem(
        guid=item["guid"],
        title=item["title"],
        status=item["status"],
        start=item["start"],
        enclosure=stream,
        end=item.get("end"),
        description=item.get("description") or "",
        link=item.get("link"),
        persons=tuple(map(_person, _items(item, "persons"))),
        alternate_enclosures=tuple(
            alternate
            for number, each in enumerate(_items(item, "alternate_enclosures"))
            if (
                alternate := _alternate_enclosure(
                    f"{path}.alternate_enclosures[{number}]", each, assets, mapped
                )
            )
            is not None
        ),
        image_srcset=_image_srcset(f"{path}.image_srcset", item, assets, mapped),
        values=tuple(map(_value, _items(item, "values"))),
        chat=_chat(item.get("chat")),
        content_links=tuple(
            feeds.ContentLink(link["href"], link.get("text") or "")
            for link in _items(item, "content_links")
        ),
    )
