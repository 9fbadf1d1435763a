"""Small valid files of every accepted type, built in memory, for the tests to probe and mangle."""

from __future__ import annotations

import io
import json

from PIL import Image

from tests.media import containers, mpeg_frames


def image(size: tuple[int, int], file_format: str = "PNG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=0).save(buffer, format=file_format)
    return buffer.getvalue()


def noise_image(size: tuple[int, int], file_format: str) -> bytes:
    """An image of noise: its compressed data is long, so cutting it hits the pixels."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buffer, format=file_format)
    return buffer.getvalue()


def adts(frames: int = 20, payload: int = 100) -> bytes:
    """ADTS frames (AAC LC, 44.1 kHz, stereo) with placeholder payloads."""
    length = 7 + payload
    header = bytes(
        (
            0xFF,
            0xF1,
            0b01 << 6 | 4 << 2 | 0,
            0b10 << 6 | (length >> 11 & 0x3),
            length >> 3 & 0xFF,
            (length & 0x7) << 5 | 0x1F,
            0xFC,
        )
    )
    return (header + bytes(payload)) * frames


SRT = (
    "1\n00:00:00,000 --> 00:00:02,500\nHello and welcome.\n\n"
    "2\n00:00:02,500 --> 00:00:05,000\nToday: probing media.\n"
)
VTT = (
    "WEBVTT\n\nNOTE made by hand\n\n00:00.000 --> 00:02.500\n<v Host>Hello and welcome.\n\n"
    "intro-2\n00:00:02.500 --> 00:00:05.000 align:start\nToday: probing media.\n"
)
TRANSCRIPT = {
    "version": "1.0.0",
    "segments": [
        {"speaker": "Host", "startTime": 0, "endTime": 2.5, "body": "Hello and welcome."},
        {"speaker": "Host", "startTime": 2.5, "endTime": 5.0, "body": "Today: probing media."},
    ],
}
CHAPTERS = {
    "version": "1.2.0",
    "chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 60.5, "title": "News"}],
}


def every_type() -> dict[str, bytes]:
    """One small valid file of each accepted type, by format name."""
    vbr = mpeg_frames.vbr_pattern(60)
    return {
        "mp3-cbr": mpeg_frames.stream([128] * 60),
        "mp3-vbr": mpeg_frames.stream(vbr),
        "mp3-xing": mpeg_frames.with_xing([mpeg_frames.frame(kbps) for kbps in vbr]),
        "aac": adts(),
        "m4a": containers.mp4(2.0),
        "mp4": containers.mp4(2.0, brand=b"isom", video=True),
        "mov": containers.mp4(2.0, brand=b"qt  ", video=True),
        "vorbis": containers.ogg_vorbis(2.0),
        "opus": containers.ogg_opus(2.0),
        "flac": containers.flac(2.0),
        "wav": containers.wav(0.5),
        "jpeg": image((64, 48), "JPEG"),
        "png": image((64, 48), "PNG"),
        "srt": SRT.encode(),
        "vtt": VTT.encode(),
        "transcript-json": json.dumps(TRANSCRIPT).encode(),
        "chapters-json": json.dumps(CHAPTERS).encode(),
    }
