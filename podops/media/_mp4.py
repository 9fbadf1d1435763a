"""Probing MP4-family files: M4A audio, MP4 and M4V video, QuickTime movies."""

from __future__ import annotations

from typing import BinaryIO

from podops.media import formats
from podops.media._isobmff import Movie, read_movie
from podops.media._mutagen import read_stream
from podops.media.errors import ProbeError
from podops.media.result import ProbeResult

_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})
_M4V_BRANDS = frozenset({b"M4V ", b"M4VH", b"M4VP"})
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"})


def probe_mp4(file: BinaryIO, size: int) -> ProbeResult:
    """Duration, audio parameters and codec of an MP4/MOV file; its kind from brands and tracks."""
    movie = read_movie(file, size)
    if movie.major_brand in _IMAGE_BRANDS:
        raise ProbeError("podops.media.unsupported_type", "HEIF/AVIF images are not supported")
    if movie.truncated:
        raise ProbeError("podops.media.truncated", "the MP4 file ends inside one of its boxes")
    if not movie.has_movie_box:
        raise ProbeError("podops.media.corrupt", "the MP4 file has no movie (moov) box")
    media_format = _classify(movie)
    info = read_stream("mp4", file)
    warnings: list[str] = []
    if movie.trailing:
        warnings.append(f"{movie.trailing} bytes at the end of the MP4 file are not whole boxes")
    duration: float | None = info.length
    if not duration or duration < 0:
        # Fragmented MP4 states its duration elsewhere (or nowhere); do not invent one.
        duration = None
        warnings.append("the MP4 file does not state its duration")
    has_audio = b"soun" in movie.handlers
    return ProbeResult(
        media_format=media_format,
        size=size,
        duration=duration,
        exact_duration=duration is not None,
        bitrate=(info.bitrate or None) if has_audio else None,
        sample_rate=(info.sample_rate or None) if has_audio else None,
        channels=(info.channels or None) if has_audio else None,
        codec=(info.codec or None) if has_audio else None,
        warnings=warnings,
    )


def _classify(movie: Movie) -> formats.MediaFormat:
    if movie.major_brand == b"qt  " or movie.major_brand is None:
        return formats.MOV
    if movie.major_brand in _M4V_BRANDS:
        return formats.M4V
    # An M4A brand wins over tracks: enhanced podcasts carry chapter images as a video track.
    if movie.major_brand in _AUDIO_BRANDS:
        return formats.M4A
    if b"vide" in movie.handlers:
        return formats.MP4
    if b"soun" in movie.handlers:
        return formats.M4A
    raise ProbeError("podops.media.unsupported_type", "the MP4 file has no audio or video track")
