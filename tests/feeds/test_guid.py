"""`podcast:guid` follows the Podcast Index namespace's definition."""

from __future__ import annotations

import pytest

from feeds import podcast_guid


@pytest.mark.parametrize(
    ("feed_url", "guid"),
    [
        # The namespace's own examples.
        ("mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
        ("podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        # The scheme and trailing slashes are stripped off before hashing.
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("http://podnews.net/rss//", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
    ],
)
def test_podcast_guid(feed_url: str, guid: str) -> None:
    assert podcast_guid(feed_url) == guid
