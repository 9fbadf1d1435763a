"""The MIME types a podcast feed may point at, and which of them Apple Podcasts plays."""

from __future__ import annotations

__all__ = [
    "APPLE_MEDIA_TYPES",
    "CHAPTERS_TYPES",
    "PODCAST_MEDIA_TYPES",
    "TRANSCRIPT_TYPES",
    "essence",
]

# Audio and video that podcast apps play. An enclosure of any other type is an error.
PODCAST_MEDIA_TYPES = frozenset(
    {
        "audio/aac",
        "audio/flac",
        "audio/m4a",
        "audio/mp4",
        "audio/mpeg",
        "audio/ogg",
        "audio/opus",
        "audio/wav",
        "audio/x-m4a",
        "audio/x-wav",
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/x-m4v",
    }
)

# The subset Apple Podcasts accepts (MP3, M4A, MP4, M4V, MOV); the others are warnings.
APPLE_MEDIA_TYPES = frozenset(
    {
        "audio/mp4",
        "audio/mpeg",
        "audio/x-m4a",
        "video/mp4",
        "video/quicktime",
        "video/x-m4v",
    }
)

# The transcript formats the Podcast Index namespace names.
TRANSCRIPT_TYPES = frozenset(
    {
        "application/json",
        "application/srt",
        "application/x-subrip",
        "text/html",
        "text/plain",
        "text/vtt",
    }
)

CHAPTERS_TYPES = frozenset({"application/json+chapters", "application/json"})


def essence(mime_type: str) -> str:
    """The type without parameters, in lower case: `Audio/MP4; codecs=mp4a` → `audio/mp4`."""
    return mime_type.split(";", 1)[0].strip().lower()
