"""Telling a file's type from its first bytes: magic numbers first, then text, then MPEG sync."""

from __future__ import annotations

from typing import BinaryIO, Literal

from podops.media._adts import is_adts_chain
from podops.media._io import read_at
from podops.media._isobmff import QUICKTIME_FIRST_BOXES
from podops.media._mpeg import FrameScanner
from podops.media._tags import skip_id3v2, stream_end
from podops.media._text import sniff_text
from podops.media.errors import ProbeError

Sniffed = Literal["mp3", "aac", "mp4", "ogg", "flac", "wav", "jpeg", "png", "vtt", "srt", "json"]

_HEAD = 4096
# mutagen also looks this far for the first MPEG frame; junk longer than that is not an MP3.
_MPEG_SEARCH = 1 << 20


def sniff(file: BinaryIO, size: int) -> Sniffed | None:
    """The type the bytes are, or None when they are none that podops accepts."""
    head = read_at(file, 0, _HEAD)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp" or head[4:8] in QUICKTIME_FIRST_BOXES:
        return "mp4"
    text = sniff_text(head)
    if text is not None:
        return text
    if _is_markup(head):
        # An MPEG frame may follow (HTML with an MP3 appended): stored as audio/mpeg and
        # sniffed by a browser, it would be a page on our origin.
        raise ProbeError("podops.media.markup", "the file begins as markup (HTML, XML), not media")
    # MPEG audio has no magic number; ID3v2 tags may come first, before FLAC and ADTS too.
    start = skip_id3v2(file, size)
    if read_at(file, start, 4) == b"fLaC":
        return "flac"
    if is_adts_chain(file, start, size):
        return "aac"
    if start > 0:
        return "mp3"  # an ID3 tag says MP3; the prober says whether frames follow
    scanner = FrameScanner(file, stream_end(file, start, size))
    try:
        located = scanner.locate(start, _MPEG_SEARCH)
    except ProbeError:  # the search gave up on a flood of false frame starts
        return None
    return "mp3" if located is not None else None


def _is_markup(head: bytes) -> bool:
    """Whether the bytes begin, after a UTF-8 BOM and white space, with a markup tag."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f").startswith(b"<")
