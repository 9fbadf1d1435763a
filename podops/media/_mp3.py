"""Probing MP3: mutagen for what the first frames say, the frame scanner for the rest."""

from __future__ import annotations

from typing import BinaryIO

from podops.media import formats
from podops.media._mpeg import FrameScanner
from podops.media._mutagen import read_stream
from podops.media._tags import skip_id3v2, stream_end
from podops.media.errors import ProbeError
from podops.media.result import ProbeResult

# Bytes that are not frames are normal in small amounts (junk between spliced files); more
# than this share of the stream deserves a word to the producer.
_SKIPPED_SHARE_WARNING = 0.01


def probe_mp3(file: BinaryIO, size: int) -> ProbeResult:
    """Duration, bitrate, sample rate and channels of an MP3 file; exact even for VBR."""
    start = skip_id3v2(file, size)
    end = stream_end(file, start, size)
    scanner = FrameScanner(file, end)
    located = scanner.locate(start)
    if located is None:
        raise ProbeError("podops.media.corrupt", "no MPEG audio frames after the ID3 tag")
    offset, first = located
    if first.layer != 3:
        raise ProbeError(
            "podops.media.unsupported_type",
            f"MPEG audio layer {'I' * first.layer} is not MP3 (layer III)",
        )
    info = read_stream("mp3", file)

    warnings: list[str] = []
    vbr = scanner.read_vbr_header(offset, first)
    if vbr is not None and vbr.frames > 0:
        # The header counts the frames: mutagen's duration is exact (LAME's encoder delay and
        # padding already taken off). Its byte count tells a cut file apart (some encoders
        # count the tags too, hence the whole size).
        # The stream cannot hold fewer bytes than its frame count at the lowest bitrate.
        too_short = vbr.frames * first.smallest_length > end - offset
        if too_short or vbr.bytes > size or scanner.ends_inside_frame(offset, first):
            raise _truncated()
        duration, exact, bitrate = vbr.frames * first.samples / first.sample_rate, True, 0
        # mutagen also takes LAME's encoder delay and padding off (a frame or two); when its
        # figure is further off, it did not read this header and guessed.
        if abs(info.length - duration) <= 2 * first.samples / first.sample_rate:
            duration, bitrate = info.length, info.bitrate
        bitrate = bitrate or round((end - offset) * 8 / duration)
    elif scanner.bitrates_vary(offset, first):
        # VBR without a frame count: mutagen's figure is a guess from the first frame's
        # bitrate. Count the frames; a Xing/Info frame without a count is silence, skip it.
        audio_start = offset + first.length if vbr is not None else offset
        scan = scanner.scan(audio_start, first)
        if scan.truncated:
            raise _truncated()
        duration, exact = scan.samples / first.sample_rate, True
        bitrate = round(scan.audio_bytes * 8 / duration) if duration else first.bitrate
        if scan.skipped > _SKIPPED_SHARE_WARNING * (end - offset):
            warnings.append(f"{scan.skipped} bytes of the MP3 stream are not MPEG audio frames")
    else:
        if scanner.ends_inside_frame(offset, first):
            raise _truncated()
        # Constant bitrate: the size says the duration, to within a frame.
        duration, exact, bitrate = (end - offset) * 8 / first.bitrate, False, first.bitrate
    return ProbeResult(
        media_format=formats.MP3,
        size=size,
        duration=duration,
        exact_duration=exact,
        bitrate=bitrate,
        sample_rate=first.sample_rate,
        channels=info.channels or first.channels,
        codec="mp3",
        warnings=warnings,
    )


def _truncated() -> ProbeError:
    return ProbeError("podops.media.truncated", "the MP3 stream ends in the middle of a frame")
