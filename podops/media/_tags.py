"""Tags around an audio stream: ID3v2 before it, APEv2 and ID3v1 after it.

MP3, ADTS and FLAC files may start with ID3v2 tags (Windows Media Player writes several in a
row); MP3 files may end with an APEv2 and an ID3v1 tag. The stream is what lies between.
"""

from __future__ import annotations

from typing import BinaryIO

from podops.media._io import read_at

_ID3V1_SIZE = 128
_APE_FOOTER_SIZE = 32
_APE_HAS_HEADER = 0x80000000
_MAX_ID3V2_TAGS = 16


def skip_id3v2(file: BinaryIO, size: int) -> int:
    """The offset after the ID3v2 tags at the start of the file (0 when there are none)."""
    offset = 0
    for _ in range(_MAX_ID3V2_TAGS):
        header = read_at(file, offset, 10)
        if len(header) < 10 or header[:3] != b"ID3":
            break
        sync_safe = header[6:10]
        if any(b & 0x80 for b in sync_safe):
            break  # not a real tag size: stop skipping rather than jump somewhere random
        body = _sync_safe(sync_safe)
        footer = 10 if header[5] & 0x10 else 0
        following = offset + 10 + body + footer
        if following > size:
            break
        offset = following
    return offset


def _sync_safe(data: bytes) -> int:
    """A 28-bit integer stored 7 bits a byte, as ID3v2 sizes are."""
    value = 0
    for byte in data:
        value = value << 7 | (byte & 0x7F)
    return value


def stream_end(file: BinaryIO, start: int, size: int) -> int:
    """Where the audio before any trailing ID3v1 and APEv2 tags ends."""
    end = size
    if end - start >= _ID3V1_SIZE and read_at(file, end - _ID3V1_SIZE, 3) == b"TAG":
        end -= _ID3V1_SIZE
    if end - start >= _APE_FOOTER_SIZE:
        footer = read_at(file, end - _APE_FOOTER_SIZE, _APE_FOOTER_SIZE)
        if footer[:8] == b"APETAGEX":
            tag_size = int.from_bytes(footer[12:16], "little")
            flags = int.from_bytes(footer[20:24], "little")
            if flags & _APE_HAS_HEADER:
                tag_size += _APE_FOOTER_SIZE
            # A size that does not fit is not a tag we can trust; leave the bytes to the stream.
            if _APE_FOOTER_SIZE <= tag_size <= end - start:
                end -= tag_size
    return end
