"""`render`: a show and its episodes → the RSS feed, as UTF-8 bytes.

The feed is RSS 2.0 with the `itunes`, `podcast`, `atom` and `content` namespaces. It is
deterministic: the same show, episodes and `now` give byte-identical output, whatever order the
episodes come in, since `lastBuildDate` is derived from the data (the newest of the published
episodes' dates and `Show.updated`) and never from the clock.

`render` does not judge the data; `lint` does, and the service publishes only what passed it.
Render still turns almost anything into a well-formed feed: characters XML cannot carry are
left out and a missing show link falls back to the feed URL. It refuses (RenderError) a show
without a title, which RSS cannot express, and a published episode without a GUID, since
podcast apps would then key the episode on its media URL.
"""

from __future__ import annotations

from collections.abc import Iterable

from feeds._feedgen import ChannelCore, EnclosureCore, Extension, ItemCore, build_rss
from feeds._itunes import ItunesChannel, ItunesItem
from feeds._podcastindex import PodcastChannel, PodcastItem
from feeds._text import writable
from feeds.markup import markdown_to_html
from feeds.model import Episode, Show
from feeds.schedule import published_episodes

__all__ = ["GENERATOR", "RenderError", "render"]

# No version number: a deploy alone must not change every feed's bytes.
GENERATOR = "podops"


class RenderError(ValueError):
    """The data lacks something no feed can be rendered without (see `render`)."""


def render(show: Show, episodes: Iterable[Episode], *, now: int) -> bytes:
    """Render the feed of `show` as it stands at `now` (Unix seconds).

    Episodes published after `now` are left out; `feeds.schedule.next_release` says when the
    feed should be rendered again. Items are ordered newest first. Raises RenderError when the
    show has no title or a published episode has no GUID.
    """
    title = writable(show.title).strip()
    if not title:
        raise RenderError("show.title is empty: a feed cannot be rendered without a title")
    episodes = list(episodes)
    for index, episode in enumerate(episodes):
        if episode.published <= now and not writable(episode.guid).strip():
            raise RenderError(
                f"episodes[{index}].guid is empty: an item without a GUID would be keyed on "
                "its media URL by podcast apps"
            )
    visible = published_episodes(episodes, now)
    newest = visible[0].published if visible else None
    dates = [date for date in (newest, show.updated) if date is not None]
    link = writable(show.link or show.feed_url)
    channel = ChannelCore(
        title=title,
        link=link,
        description_html=markdown_to_html(show.summary_markdown),
        feed_url=writable(show.feed_url),
        language=writable(show.language),
        generator=GENERATOR,
        copyright=writable(show.copyright) if show.copyright else None,
        image_url=writable(show.image.url) if show.image else None,
        last_build=max(dates) if dates else None,
        published=newest,
    )
    channel_extensions: list[tuple[str, Extension]] = [
        ("podops_itunes", ItunesChannel(show)),
        ("podops_podcast", PodcastChannel(show)),
    ]
    return build_rss(channel, channel_extensions, (_item(episode) for episode in visible))


def _item(episode: Episode) -> tuple[ItemCore, list[tuple[str, Extension]]]:
    enclosure = episode.enclosure
    core = ItemCore(
        # The episode's own GUID, always: never the media URL, which changes when the file is
        # re-hosted and would make every subscriber download the episode again.
        guid=writable(episode.guid),
        title=writable(episode.title),
        link=writable(episode.link) if episode.link else None,
        description_html=markdown_to_html(episode.notes_markdown),
        enclosure=EnclosureCore(
            url=writable(enclosure.url), length=enclosure.length, type=writable(enclosure.type)
        )
        if enclosure is not None
        else None,
        published=episode.published,
    )
    return core, [("podops_itunes", ItunesItem(episode)), ("podops_podcast", PodcastItem(episode))]
