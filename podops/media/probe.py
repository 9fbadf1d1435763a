"""`probe`: what a file is, from its bytes, and the facts a feed needs about it."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from podops.media import formats
from podops.media._adts import probe_adts
from podops.media._flac import probe_flac
from podops.media._image import artwork_warnings, probe_image
from podops.media._mp3 import probe_mp3
from podops.media._mp4 import probe_mp4
from podops.media._names import check_declared_name, declared_extension
from podops.media._ogg import probe_ogg
from podops.media._sniff import Sniffed, sniff
from podops.media._text import probe_text
from podops.media._wav import probe_wav
from podops.media.errors import ProbeError
from podops.media.result import ProbeResult, Role

__all__ = ["probe"]

_PROBERS: dict[Sniffed, Callable[[BinaryIO, int], ProbeResult]] = {
    "mp3": probe_mp3,
    "aac": probe_adts,
    "mp4": probe_mp4,
    "ogg": probe_ogg,
    "flac": probe_flac,
    "wav": probe_wav,
    "jpeg": lambda file, size: probe_image(file, size, formats.JPEG),
    "png": lambda file, size: probe_image(file, size, formats.PNG),
    "vtt": lambda file, size: probe_text(file, size, "vtt"),
    "srt": lambda file, size: probe_text(file, size, "srt"),
    "json": lambda file, size: probe_text(file, size, "json"),
}
_MAX_DURATION = 7 * 24 * 3600.0  # a week: longer is a damaged header, not a podcast
_ACCEPTED = "MP3, M4A, AAC, Ogg Vorbis/Opus, FLAC, WAV, MP4/M4V/MOV, JPEG, PNG, SRT, WebVTT, JSON"


def probe(path: Path, *, declared_name: str | None = None, role: Role = "media") -> ProbeResult:
    """Identify the file at `path` from its bytes and read the facts a feed needs about it.

    `declared_name` is the client's file name: it never decides the type, but a name of
    another kind than the bytes (a PNG called `.mp3`) is refused and a different format of
    the same kind is a warning. `role="artwork"` requires a JPEG or PNG and adds Apple's
    artwork rules (square, 1400-3000 px, RGB) as warnings.

    Raises `ProbeError` for every refusal of the bytes (codes in `podops.media`); `OSError`
    only when `path` itself cannot be read.
    """
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            raise ProbeError("podops.media.empty", "the file is empty")
        sniffed = sniff(file, size)
        if role == "artwork" and sniffed not in ("jpeg", "png"):
            raise ProbeError("podops.media.not_an_image", "artwork must be a JPEG or PNG image")
        if sniffed is None:
            raise _unsupported(declared_name)
        result = _PROBERS[sniffed](file, size)
    if result.duration is not None and not 0 <= result.duration < _MAX_DURATION:
        # Headers of damaged files can state anything; a feed must never carry it.
        raise ProbeError("podops.media.corrupt", f"the file states a duration of {result.duration}")
    extra = check_declared_name(declared_name, result.media_format)
    if role == "artwork" and result.width is not None and result.height is not None:
        extra += artwork_warnings(result.width, result.height, result.mode or "")
    if extra:
        result = dataclasses.replace(result, warnings=[*result.warnings, *extra])
    return result


def _unsupported(declared_name: str | None) -> ProbeError:
    extension = declared_extension(declared_name)
    named = f"the name ends in {extension}, but " if extension else ""
    return ProbeError(
        "podops.media.unsupported_type",
        f"{named}the bytes are of no type podops accepts ({_ACCEPTED})",
    )
