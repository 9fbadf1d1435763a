"""JPEG and PNG: size and mode, Apple's artwork rules, damaged images, decompression bombs."""

from __future__ import annotations

import struct
import zlib

import pytest

from podops.media import ProbeError, probe
from tests.media.conftest import WriteMedia
from tests.media.samples import image, noise_image


@pytest.mark.parametrize(
    ("file_format", "mime_type", "extension"),
    [("JPEG", "image/jpeg", ".jpg"), ("PNG", "image/png", ".png")],
)
def test_artwork_that_apple_accepts(
    media_file: WriteMedia, file_format: str, mime_type: str, extension: str
) -> None:
    result = probe(media_file(image((1400, 1400), file_format)), role="artwork")
    assert (result.mime_type, result.extension, result.kind) == (mime_type, extension, "image")
    assert (result.width, result.height, result.mode) == (1400, 1400, "RGB")
    assert result.duration is None
    assert result.warnings == []


def test_largest_artwork_apple_accepts(media_file: WriteMedia) -> None:
    assert probe(media_file(image((3000, 3000), "JPEG")), role="artwork").warnings == []


@pytest.mark.parametrize(
    ("size", "mode", "file_format", "expected"),
    [
        ((1200, 1200), "RGB", "PNG", ["1400 to 3000 px"]),
        ((3001, 3001), "RGB", "JPEG", ["1400 to 3000 px"]),
        ((1600, 1400), "RGB", "JPEG", ["square"]),
        ((1000, 800), "RGB", "JPEG", ["square", "1400 to 3000 px"]),
        ((1400, 1400), "RGBA", "PNG", ["transparency"]),
        ((1400, 1400), "CMYK", "JPEG", ["colour mode CMYK"]),
        ((1400, 1400), "L", "PNG", ["colour mode L"]),
        ((1400, 1400), "P", "PNG", ["colour mode P"]),
    ],
)
def test_artwork_warnings(
    media_file: WriteMedia,
    size: tuple[int, int],
    mode: str,
    file_format: str,
    expected: list[str],
) -> None:
    result = probe(media_file(image(size, file_format, mode)), role="artwork")
    assert len(result.warnings) == len(expected)
    for warning, phrase in zip(result.warnings, expected, strict=True):
        assert phrase in warning


def test_images_as_media_get_no_artwork_warnings(media_file: WriteMedia) -> None:
    result = probe(media_file(image((200, 100), "PNG", "RGBA")))
    assert (result.width, result.height, result.mode) == (200, 100, "RGBA")
    assert result.warnings == []


@pytest.mark.parametrize("file_format", ["JPEG", "PNG"])
def test_cut_image_is_truncated(media_file: WriteMedia, file_format: str) -> None:
    data = noise_image((300, 300), file_format)
    with pytest.raises(ProbeError) as caught:
        probe(media_file(data[: len(data) // 2]), role="artwork")
    assert caught.value.code == "podops.media.truncated"


def test_png_signature_then_garbage(media_file: WriteMedia) -> None:
    png = image((10, 10), "PNG")
    with pytest.raises(ProbeError) as caught:
        probe(media_file(png[:16] + bytes(300)))
    assert caught.value.code == "podops.media.corrupt"
    assert "/" not in caught.value.message  # no server path in what the client reads


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    ihdr_chunk = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + ihdr_chunk + end


@pytest.mark.parametrize(
    "side",
    [10_000, 20_000],  # Pillow warns beyond MAX_IMAGE_PIXELS and refuses beyond twice that
    ids=["bomb-warning", "bomb-error"],
)
def test_decompression_bombs_are_refused(media_file: WriteMedia, side: int) -> None:
    with pytest.raises(ProbeError) as caught:
        probe(media_file(_png_header(side, side)), role="artwork")
    assert caught.value.code == "podops.media.too_large"


def test_gif_is_not_accepted(media_file: WriteMedia) -> None:
    gif = image((20, 20), "GIF", "P")
    with pytest.raises(ProbeError) as caught:
        probe(media_file(gif))
    assert caught.value.code == "podops.media.unsupported_type"
    with pytest.raises(ProbeError) as caught:
        probe(media_file(gif), role="artwork")
    assert caught.value.code == "podops.media.not_an_image"
