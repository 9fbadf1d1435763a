"""The media formats the prober recognises: name, kind, MIME type and file extension.

The MIME types are the ones podcatchers expect in an enclosure's `type`:

- M4A is `audio/x-m4a`, the type Apple's podcast RSS requirements list for `.m4a` (its list is
  `audio/x-m4a`, `audio/mpeg`, `video/quicktime`, `video/mp4`, `video/x-m4v`).
- Ogg Vorbis and Ogg Opus are both `audio/ogg`: RFC 7845 registers `audio/ogg` for Ogg Opus
  files (`audio/opus` is the RTP payload type of RFC 7587, not a file type). The codec stays
  visible in `ProbeResult.codec` and in the extension (`.ogg` for Vorbis, `.opus` for Opus, as
  RFC 7845 recommends).
- WAV is `audio/wav`, what browsers and podcast apps send and accept.
- Raw AAC (ADTS) is `audio/aac`; few podcast apps play it, the feed linter says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AAC",
    "CHAPTERS_JSON",
    "FLAC",
    "FORMATS",
    "JPEG",
    "M4A",
    "M4V",
    "MOV",
    "MP3",
    "MP4",
    "OPUS",
    "PNG",
    "SRT",
    "TRANSCRIPT_JSON",
    "VORBIS",
    "VTT",
    "WAV",
    "Kind",
    "MediaFormat",
]

Kind = Literal["audio", "video", "image", "transcript", "chapters"]


@dataclass(frozen=True, slots=True)
class MediaFormat:
    """One recognised format. `extension` is the canonical one, with its dot."""

    name: str
    kind: Kind
    mime_type: str
    extension: str


MP3 = MediaFormat("mp3", "audio", "audio/mpeg", ".mp3")
AAC = MediaFormat("aac", "audio", "audio/aac", ".aac")
M4A = MediaFormat("m4a", "audio", "audio/x-m4a", ".m4a")
VORBIS = MediaFormat("vorbis", "audio", "audio/ogg", ".ogg")
OPUS = MediaFormat("opus", "audio", "audio/ogg", ".opus")
FLAC = MediaFormat("flac", "audio", "audio/flac", ".flac")
WAV = MediaFormat("wav", "audio", "audio/wav", ".wav")
MP4 = MediaFormat("mp4", "video", "video/mp4", ".mp4")
M4V = MediaFormat("m4v", "video", "video/x-m4v", ".m4v")
MOV = MediaFormat("mov", "video", "video/quicktime", ".mov")
JPEG = MediaFormat("jpeg", "image", "image/jpeg", ".jpg")
PNG = MediaFormat("png", "image", "image/png", ".png")
SRT = MediaFormat("srt", "transcript", "application/x-subrip", ".srt")
VTT = MediaFormat("vtt", "transcript", "text/vtt", ".vtt")
TRANSCRIPT_JSON = MediaFormat("transcript-json", "transcript", "application/json", ".json")
CHAPTERS_JSON = MediaFormat("chapters-json", "chapters", "application/json+chapters", ".json")

FORMATS: dict[str, MediaFormat] = {
    f.name: f
    for f in (
        MP3,
        AAC,
        M4A,
        VORBIS,
        OPUS,
        FLAC,
        WAV,
        MP4,
        M4V,
        MOV,
        JPEG,
        PNG,
        SRT,
        VTT,
        TRANSCRIPT_JSON,
        CHAPTERS_JSON,
    )
}
