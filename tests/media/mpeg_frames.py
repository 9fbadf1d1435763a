"""MPEG-1 Layer III frames built by hand: silent (zeroed side information and payload), which
decoders play as silence and which mutagen and the frame scanner read like any MP3.

Each frame holds 1152 samples, so a stream's exact duration is known: frames * 1152 / rate.
"""

from __future__ import annotations

from collections.abc import Iterable

SAMPLES_PER_FRAME = 1152
_BITRATE_INDEX = {
    kbps: index
    for index, kbps in enumerate((0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320))
}
_RATE_INDEX = {44100: 0, 48000: 1, 32000: 2}


def frame_length(kbps: int, rate: int = 48000, padding: bool = False) -> int:
    return 144 * kbps * 1000 // rate + int(padding)


def frame(
    kbps: int, rate: int = 48000, *, padding: bool = False, mono: bool = False, layer: int = 3
) -> bytes:
    """One silent frame. `layer` other than 3 only changes the header (for refusal tests)."""
    layer_bits = {3: 0b01, 2: 0b10, 1: 0b11}[layer]
    byte1 = 0xE0 | 0b11 << 3 | layer_bits << 1 | 1  # MPEG-1, no CRC
    byte2 = _BITRATE_INDEX[kbps] << 4 | _RATE_INDEX[rate] << 2 | int(padding) << 1
    byte3 = (0b11 if mono else 0b00) << 6
    header = bytes((0xFF, byte1, byte2, byte3))
    return header + bytes(frame_length(kbps, rate, padding) - 4)


def stream(bitrates: Iterable[int], rate: int = 48000) -> bytes:
    """Frames at these bitrates, one after another."""
    return b"".join(frame(kbps, rate) for kbps in bitrates)


def cbr_44100(frames: int, kbps: int = 128) -> bytes:
    """A 44.1 kHz CBR stream: the padding bit keeps the bitrate exact, as encoders do."""
    out = bytearray()
    exact = 0.0
    for _ in range(frames):
        exact += 144 * kbps * 1000 / 44100
        padding = exact - len(out) >= frame_length(kbps, 44100) + 0.5
        out += frame(kbps, 44100, padding=padding)
    return bytes(out)


def vbr_pattern(frames: int) -> list[int]:
    """Bitrates that vary frame to frame and start low, as VBR speech does after silence."""
    cycle = (32, 32, 64, 128, 192, 256, 128, 96, 160, 320, 112, 64)
    return [cycle[index % len(cycle)] for index in range(frames)]


def xing_frame(frames: int, total_bytes: int, *, tag: bytes = b"Xing", kbps: int = 128) -> bytes:
    """A first frame carrying a Xing/Info tag with frame and byte counts (stereo, MPEG-1)."""
    data = bytearray(frame(kbps))
    tag_data = tag + (3).to_bytes(4, "big") + frames.to_bytes(4, "big")
    tag_data += total_bytes.to_bytes(4, "big")
    data[36 : 36 + len(tag_data)] = tag_data
    return bytes(data)


def with_xing(audio_frames: list[bytes], *, tag: bytes = b"Xing") -> bytes:
    first_length = frame_length(128)
    total = first_length + sum(len(f) for f in audio_frames)
    return xing_frame(len(audio_frames), total, tag=tag) + b"".join(audio_frames)


def vbri_frame(frames: int, total_bytes: int) -> bytes:
    data = bytearray(frame(128))
    tag = b"VBRI" + (1).to_bytes(2, "big") + bytes(4) + total_bytes.to_bytes(4, "big")
    tag += frames.to_bytes(4, "big")
    tag += bytes(4) + (2).to_bytes(2, "big") + bytes(2)  # an empty table of contents
    data[36 : 36 + len(tag)] = tag
    return bytes(data)


def id3v2(body: int = 1000) -> bytes:
    """An ID3v2.3 tag of `body` padding bytes."""
    size = bytes(body >> shift & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x03\x00\x00" + size + bytes(body)


def id3v1() -> bytes:
    return b"TAG" + b"title".ljust(125, b"\0")


def apev2(items: int = 40) -> bytes:
    """An APEv2 tag with a header and a footer, its body made of zeros."""
    body = bytes(items)
    size = len(body) + 32  # the footer counts, the header does not

    def part(flags: int) -> bytes:
        return (
            b"APETAGEX"
            + (2000).to_bytes(4, "little")
            + size.to_bytes(4, "little")
            + (0).to_bytes(4, "little")
            + flags.to_bytes(4, "little")
            + bytes(8)
        )

    return part(0xA0000000) + body + part(0x80000000)
