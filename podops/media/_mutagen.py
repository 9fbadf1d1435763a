"""The mutagen calls the prober makes, behind one typed function.

mutagen ships `py.typed`, but its file classes are untyped and `FileType.info` is declared
`None`; the casts below say what they return (an object with the stream's attributes), and
`StreamFacts` keeps the rest of the package typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, cast

from mutagen.aac import AAC
from mutagen.flac import FLAC
from mutagen.mp3 import MPEGInfo
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from podops.media._wrap import third_party

Reader = Literal["mp3", "mp4", "vorbis", "opus", "flac", "aac"]

_Open = Callable[[BinaryIO], Any]
# MPEGInfo reads the stream only: an MP3 with a damaged ID3 tag still plays.
_READERS: dict[Reader, tuple[str, Callable[[BinaryIO], Any]]] = {
    "mp3": ("MP3", cast(_Open, MPEGInfo)),
    "mp4": ("MP4", lambda file: cast(_Open, MP4)(file).info),
    "vorbis": ("Ogg Vorbis", lambda file: cast(_Open, OggVorbis)(file).info),
    "opus": ("Ogg Opus", lambda file: cast(_Open, OggOpus)(file).info),
    "flac": ("FLAC", lambda file: cast(_Open, FLAC)(file).info),
    "aac": ("AAC", lambda file: cast(_Open, AAC)(file).info),
}


@dataclass(frozen=True, slots=True)
class StreamFacts:
    """What mutagen read; 0 or '' where the format does not say."""

    length: float
    bitrate: int
    sample_rate: int
    channels: int
    codec: str
    total_samples: int


def read_stream(reader: Reader, file: BinaryIO) -> StreamFacts:
    """Stream information by mutagen; any failure of its parser is a `ProbeError`."""
    what, read = _READERS[reader]
    with third_party(what):
        file.seek(0)
        info = read(file)
        return StreamFacts(
            length=float(getattr(info, "length", 0) or 0),
            bitrate=int(getattr(info, "bitrate", 0) or 0),
            sample_rate=int(getattr(info, "sample_rate", 0) or 0),
            channels=int(getattr(info, "channels", 0) or 0),
            codec=str(getattr(info, "codec", "") or ""),
            total_samples=int(getattr(info, "total_samples", 0) or 0),
        )
