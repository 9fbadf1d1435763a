"""Probing JPEG and PNG with Pillow, and Apple's rules for podcast artwork."""

from __future__ import annotations

import warnings
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from podops.media import formats
from podops.media.errors import ProbeError, ProbeErrorCode
from podops.media.result import ProbeResult

_PILLOW_FORMATS = {formats.JPEG: "JPEG", formats.PNG: "PNG"}
ARTWORK_MIN_SIDE = 1400
ARTWORK_MAX_SIDE = 3000


def probe_image(file: BinaryIO, size: int, media_format: formats.MediaFormat) -> ProbeResult:
    """Width, height and colour mode of a JPEG or PNG, after decoding it whole.

    Decoding is what finds a cut or damaged image; Pillow's decompression bomb limit
    (`Image.MAX_IMAGE_PIXELS`) stays on and its warning is a refusal here too, before the
    pixels are decoded.
    """
    file.seek(0)
    # Pillow reports bombs and oddities as warnings. Recording them is the only way to see
    # them without changing the process' filters for good; catch_warnings is process-wide
    # while it lasts, which costs at most a warning shown in another thread.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with Image.open(file, formats=[_PILLOW_FORMATS[media_format]]) as image:
                if any(issubclass(w.category, Image.DecompressionBombWarning) for w in caught):
                    raise _too_large(image.size)
                image.load()
                width, height = image.size
                mode = image.mode
        except ProbeError:
            raise
        except Image.DecompressionBombError as error:
            raise ProbeError("podops.media.too_large", str(error)) from error
        except Exception as error:  # Pillow's many errors for bad bytes all mean: refuse them
            raise _refusal(media_format, error) from error
    notes = [f"image: {w.message}" for w in caught]
    return ProbeResult(
        media_format=media_format, size=size, width=width, height=height, mode=mode, warnings=notes
    )


def artwork_warnings(width: int, height: int, mode: str) -> list[str]:
    """What keeps an image from being Apple Podcasts artwork: square, 1400-3000 px, RGB."""
    found: list[str] = []
    if width != height:
        found.append(f"artwork is {width}x{height} px; Apple Podcasts wants a square image")
    if not all(ARTWORK_MIN_SIDE <= side <= ARTWORK_MAX_SIDE for side in (width, height)):
        found.append(
            f"artwork is {width}x{height} px; Apple Podcasts wants "
            f"{ARTWORK_MIN_SIDE} to {ARTWORK_MAX_SIDE} px on a side"
        )
    if mode != "RGB":
        alpha = " (it has transparency)" if mode in ("RGBA", "LA", "PA") else ""
        found.append(f"artwork is in colour mode {mode}{alpha}; Apple Podcasts wants RGB")
    return found


def _refusal(media_format: formats.MediaFormat, error: Exception) -> ProbeError:
    name = media_format.name.upper()
    if isinstance(error, UnidentifiedImageError):
        # Its message names the file: a server path, not for the client.
        return ProbeError("podops.media.corrupt", f"Pillow cannot read these bytes as {name}")
    truncated = "truncated" in str(error).lower()
    code: ProbeErrorCode = "podops.media.truncated" if truncated else "podops.media.corrupt"
    return ProbeError(code, f"not a valid {name} image: {error}")


def _too_large(dimensions: tuple[int, int]) -> ProbeError:
    width, height = dimensions
    return ProbeError(
        "podops.media.too_large",
        f"the image is {width}x{height} px, more than the {Image.MAX_IMAGE_PIXELS} pixels "
        "podops decodes",
    )
