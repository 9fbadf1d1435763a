"""Minimal Ogg, MP4, FLAC and WAV files built by hand, each with a known duration.

Ogg, MP4 and WAV hold the structure mutagen reads and placeholder audio; the FLAC frames
are real (constant silence with correct CRCs), so a decoder plays them.
"""

from __future__ import annotations

import io
import wave


# --- Ogg -------------------------------------------------------------------------------------
def _ogg_crc_table() -> list[int]:
    table = []
    for index in range(256):
        crc = index << 24
        for _ in range(8):
            crc = (crc << 1 ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = (crc << 8 ^ _OGG_CRC[(crc >> 24) ^ byte]) & 0xFFFFFFFF
    return crc


def ogg_page(
    packets: list[bytes], *, granule: int, sequence: int, flags: int = 0, serial: int = 7
) -> bytes:
    """One page holding whole packets (each under 255 * 255 bytes)."""
    table = bytearray()
    for packet in packets:
        table += b"\xff" * (len(packet) // 255) + bytes((len(packet) % 255,))
    header = (
        b"OggS\x00"
        + bytes((flags,))
        + granule.to_bytes(8, "little", signed=True)
        + serial.to_bytes(4, "little")
        + sequence.to_bytes(4, "little")
        + bytes(4)
        + bytes((len(table),))
        + bytes(table)
    )
    page = bytearray(header + b"".join(packets))
    page[22:26] = _ogg_crc(bytes(page)).to_bytes(4, "little")
    return bytes(page)


def _ogg_audio(headers: list[list[bytes]], samples: int, per_page: int, offset: int = 0) -> bytes:
    pages = [ogg_page(headers[0], granule=0, sequence=0, flags=0x02)]
    pages += [
        ogg_page(packets, granule=0, sequence=index)
        for index, packets in enumerate(headers[1:], start=1)
    ]
    sequence = len(pages)
    done = 0
    while done < samples:
        done = min(samples, done + per_page)
        flags = 0x04 if done == samples else 0
        pages.append(ogg_page([bytes(100)], granule=done + offset, sequence=sequence, flags=flags))
        sequence += 1
    return b"".join(pages)


def ogg_vorbis(seconds: float, rate: int = 44100, channels: int = 2) -> bytes:
    samples = round(seconds * rate)
    ident = (
        b"\x01vorbis"
        + bytes(4)
        + bytes((channels,))
        + rate.to_bytes(4, "little")
        + bytes(4)
        + (96000).to_bytes(4, "little")
        + bytes(4)
        + b"\xb8\x01"
    )
    vendor = b"podops tests"
    comment = b"\x03vorbis" + len(vendor).to_bytes(4, "little") + vendor + bytes(4) + b"\x01"
    setup = b"\x05vorbis" + bytes(32)
    return _ogg_audio([[ident], [comment, setup]], samples, rate)


def ogg_opus(seconds: float, channels: int = 2, pre_skip: int = 312) -> bytes:
    samples = round(seconds * 48000)
    head = (
        b"OpusHead\x01"
        + bytes((channels,))
        + pre_skip.to_bytes(2, "little")
        + (48000).to_bytes(4, "little")
        + bytes(3)
    )
    vendor = b"podops tests"
    tags = b"OpusTags" + len(vendor).to_bytes(4, "little") + vendor + bytes(4)
    return _ogg_audio([[head], [tags]], samples, 48000, offset=pre_skip)


# --- ISO BMFF (MP4, M4A, M4V, MOV) -------------------------------------------------------------
def box(kind: bytes, *children: bytes) -> bytes:
    payload = b"".join(children)
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def full_box(kind: bytes, payload: bytes) -> bytes:
    return box(kind, bytes(4), payload)


def _esds(bitrate: int) -> bytes:
    specific = b"\x05\x02\x12\x10"  # AAC LC, 44.1 kHz, stereo
    config = (
        b"\x40\x15" + bytes(3) + bitrate.to_bytes(4, "big") + bitrate.to_bytes(4, "big") + specific
    )
    descriptor = b"\x00\x01\x00" + b"\x04" + bytes((len(config),)) + config + b"\x06\x01\x02"
    return full_box(b"esds", b"\x03" + bytes((len(descriptor),)) + descriptor)


def _sound_track(timescale: int, duration: int, bitrate: int) -> bytes:
    entry = box(
        b"mp4a",
        bytes(6) + (1).to_bytes(2, "big") + bytes(8),
        (2).to_bytes(2, "big") + (16).to_bytes(2, "big") + bytes(4),
        (timescale << 16).to_bytes(4, "big"),
        _esds(bitrate),
    )
    stsd = full_box(b"stsd", (1).to_bytes(4, "big") + entry)
    return box(
        b"trak",
        box(
            b"mdia",
            _mdhd(timescale, duration),
            _hdlr(b"soun"),
            box(b"minf", box(b"stbl", stsd)),
        ),
    )


def _video_track(timescale: int, duration: int) -> bytes:
    return box(b"trak", box(b"mdia", _mdhd(timescale, duration), _hdlr(b"vide")))


def _mdhd(timescale: int, duration: int) -> bytes:
    return full_box(
        b"mdhd", bytes(8) + timescale.to_bytes(4, "big") + duration.to_bytes(4, "big") + bytes(4)
    )


def _hdlr(handler: bytes) -> bytes:
    return full_box(b"hdlr", bytes(4) + handler + bytes(12) + b"\0")


def _mvhd(timescale: int, duration: int) -> bytes:
    return full_box(
        b"mvhd", bytes(8) + timescale.to_bytes(4, "big") + duration.to_bytes(4, "big") + bytes(80)
    )


def mp4(
    seconds: float,
    *,
    brand: bytes = b"M4A ",
    audio: bool = True,
    video: bool = False,
    bitrate: int = 128000,
) -> bytes:
    """An MP4-family file with an audio and/or a video track of `seconds`."""
    timescale = 44100
    duration = round(seconds * timescale)
    tracks = []
    if video:
        tracks.append(_video_track(timescale, duration))
    if audio:
        tracks.append(_sound_track(timescale, duration, bitrate))
    brands = brand + bytes(4) + brand + b"isom"
    movie = box(b"moov", _mvhd(timescale, duration), *tracks)
    return box(b"ftyp", brands) + movie + box(b"mdat", bytes(2000))


# --- FLAC ------------------------------------------------------------------------------------
def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc << 1 ^ 0x07) & 0xFF if crc & 0x80 else crc << 1 & 0xFF
    return crc


def _crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = (crc << 1 ^ 0x8005) & 0xFFFF if crc & 0x8000 else crc << 1 & 0xFFFF
    return crc


def _flac_frame(number: int, block: int) -> bytes:
    # Block size code 7: the size follows the frame number as 16 bits (minus one).
    # Sample rate code 9: 44.1 kHz. Channels 0b0001: two, independent. Sample size 0b100: 16.
    header = bytes((0xFF, 0xF8, 0x7 << 4 | 0x9, 0b0001 << 4 | 0b100 << 1, number))
    header += (block - 1).to_bytes(2, "big")
    header += bytes((_crc8(header),))
    subframes = b"\x00\x00\x00" * 2  # CONSTANT subframe, value 0, for each channel
    body = header + subframes
    return body + _crc16(body).to_bytes(2, "big")


def flac(seconds: float, rate: int = 44100, block: int = 4096) -> bytes:
    """A stereo 16-bit FLAC of silence, `seconds` long (under 128 frames)."""
    total = round(seconds * rate)
    sizes = [block] * (total // block) + ([total % block] if total % block else [])
    frames = [_flac_frame(number, size) for number, size in enumerate(sizes)]
    lengths = [len(f) for f in frames]
    info = (
        block.to_bytes(2, "big")
        + block.to_bytes(2, "big")
        + min(lengths).to_bytes(3, "big")
        + max(lengths).to_bytes(3, "big")
        + (rate << 44 | (2 - 1) << 41 | (16 - 1) << 36 | total).to_bytes(8, "big")
        + bytes(16)
    )
    streaminfo = bytes((0x80,)) + len(info).to_bytes(3, "big") + info
    return b"fLaC" + streaminfo + b"".join(frames)


# --- WAV -------------------------------------------------------------------------------------
def wav(seconds: float, rate: int = 8000, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(bytes(round(seconds * rate) * channels * 2))
    return buffer.getvalue()
