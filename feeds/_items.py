"""The `<item>` writer: one episode → its `<item>` element, as the UTF-8 bytes of the feed.

Items do not go through feedgen, though the channel does (`_feedgen`). Building an item with
feedgen meant a `FeedEntry`, its extension objects, an lxml element per tag and then the
serialisation: about 100 µs an episode, most of a 10,000-episode build, and every item alive
as elements until the whole document was serialised. An item is a flat list of leaf elements
in a fixed order, so it is written here directly as text, exactly as feedgen and lxml wrote it
(same tags, order, attribute order, escaping, and libxml2's indentation at the item's depth):
the bytes of a feed did not change. An item depends on its episode alone, never on the show,
so its bytes can be kept from one build to the next (`feeds.cache.ItemCache`).

The rules kept here are those of the channel's extensions (`_itunes`, `_podcastindex`):
`itunes:episodeType` in lower case, `itunes:block` only as `Yes`, `itunes:duration` in whole
seconds, `podcast:` attributes written only when set, and the GUID never a permalink.
"""

from __future__ import annotations

from feeds._itunes import whole_seconds
from feeds._podcast_tags import Tag, item_tags, rfc2822
from feeds._text import attribute_value, cdata_content, character_data
from feeds.markup import markdown_to_html
from feeds.model import Episode, Person

__all__ = ["item_xml", "notes_html", "rfc2822", "summary_html", "tag_xml"]


def item_xml(episode: Episode) -> bytes:
    """The episode's `<item>`, indented for its place in `<channel>`, ending with a newline.

    `<description>` is the summary, or the notes when there is no summary; `<content:encoded>`
    is the notes beside a summary, and left out when there are no notes or no summary (the
    description carries them then: podcast apps read content:encoded, else description, so
    each text is in the feed once). Each is the HTML the service stored (`summary_html`,
    `notes_html`), else the Markdown rendered now.
    """
    lines = ["    <item>\n"]
    add = lines.append
    title = character_data(episode.title)
    if title:
        add(f"      <title>{title}</title>\n")
    if episode.link:
        link = character_data(episode.link)
        if link:
            add(f"      <link>{link}</link>\n")
    summary = cdata_content(summary_html(episode))
    notes = cdata_content(notes_html(episode))
    add(f"      <description><![CDATA[{summary or notes}]]></description>\n")
    # Each text once: the notes go in content:encoded only beside a summary that differs.
    if summary and notes and notes != summary:
        add(f"      <content:encoded><![CDATA[{notes}]]></content:encoded>\n")
    # The episode's own GUID, always: never the media URL, which changes when the file is
    # re-hosted and would make every subscriber download the episode again.
    add(f'      <guid isPermaLink="false">{character_data(episode.guid)}</guid>\n')
    enclosure = episode.enclosure
    if enclosure is not None:
        add(
            f'      <enclosure url="{attribute_value(enclosure.url)}" '
            f'length="{attribute_value(str(enclosure.length))}" '
            f'type="{attribute_value(enclosure.type)}"/>\n'
        )
    add(f"      <pubDate>{rfc2822(episode.published)}</pubDate>\n")
    _itunes(episode, lines)
    _podcast(episode, lines)
    add("    </item>\n")
    return "".join(lines).encode()


def notes_html(episode: Episode) -> str:
    """The notes as the feed carries them: the stored HTML, else the Markdown rendered."""
    html = episode.notes_html
    return markdown_to_html(episode.notes_markdown) if html is None else html


def summary_html(episode: Episode) -> str:
    """The summary as the feed carries it: the stored HTML, else the Markdown rendered."""
    html = episode.summary_html
    if html is not None:
        return html
    return markdown_to_html(episode.summary_markdown) if episode.summary_markdown else ""


def _itunes(episode: Episode, lines: list[str]) -> None:
    add = lines.append
    if episode.itunes_title:
        title = character_data(episode.itunes_title)
        if title:
            add(f"      <itunes:title>{title}</itunes:title>\n")
    add(f"      <itunes:episodeType>{character_data(episode.type.value)}</itunes:episodeType>\n")
    if episode.duration is not None:
        add(f"      <itunes:duration>{whole_seconds(episode.duration)}</itunes:duration>\n")
    if episode.season is not None:
        add(f"      <itunes:season>{character_data(str(episode.season))}</itunes:season>\n")
    if episode.number is not None:
        add(f"      <itunes:episode>{character_data(str(episode.number))}</itunes:episode>\n")
    if episode.explicit is not None:
        explicit = "true" if episode.explicit else "false"
        add(f"      <itunes:explicit>{explicit}</itunes:explicit>\n")
    if episode.block:
        add("      <itunes:block>Yes</itunes:block>\n")
    if episode.image is not None:
        add(f'      <itunes:image href="{attribute_value(episode.image.url)}"/>\n')


def _podcast(episode: Episode, lines: list[str]) -> None:
    add = lines.append
    if episode.season is not None:
        name = _attributes(("name", episode.season_name))
        season = character_data(str(episode.season))
        add(f"      <podcast:season{name}>{season}</podcast:season>\n")
    if episode.number is not None:
        add(f"      <podcast:episode>{character_data(str(episode.number))}</podcast:episode>\n")
    for transcript in episode.transcripts:
        attributes = _attributes(
            ("url", transcript.url),
            ("type", transcript.type),
            ("language", transcript.language),
            ("rel", transcript.rel),
        )
        add(f"      <podcast:transcript{attributes}/>\n")
    chapters = episode.chapters
    if chapters is not None:
        attributes = _attributes(("url", chapters.url), ("type", chapters.type))
        add(f"      <podcast:chapters{attributes}/>\n")
    for person in episode.persons:
        add(_person(person))
    for tag in item_tags(episode):
        add(tag_xml(tag, "      "))


def _person(person: Person) -> str:
    attributes = _attributes(
        ("role", person.role), ("group", person.group), ("img", person.img), ("href", person.href)
    )
    # Even an empty name is text: lxml wrote `<podcast:person></podcast:person>` for it.
    return f"      <podcast:person{attributes}>{character_data(person.name)}</podcast:person>\n"


def tag_xml(tag: Tag, indent: str) -> str:
    """`tag` as text at `indent`, as libxml2 indents it: children one level (2 spaces) in."""
    name = f"{tag.prefix}:{tag.name}" if tag.prefix else tag.name
    attributes = _attributes(*tag.attributes)
    if tag.children:
        inner = "".join(tag_xml(child, indent + "  ") for child in tag.children)
        return f"{indent}<{name}{attributes}>\n{inner}{indent}</{name}>\n"
    if tag.text is None:
        return f"{indent}<{name}{attributes}/>\n"
    return f"{indent}<{name}{attributes}>{character_data(tag.text)}</{name}>\n"


def _attributes(*pairs: tuple[str, str | None]) -> str:
    """` name="value"` for each pair whose value is set, in the order given."""
    return "".join(f' {name}="{attribute_value(value)}"' for name, value in pairs if value)
