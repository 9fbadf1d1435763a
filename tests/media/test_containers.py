"""M4A and MP4-family video, Ogg Vorbis and Opus, FLAC, WAV and raw AAC."""

from __future__ import annotations

import struct

import pytest

from podops.media import ProbeError, probe
from tests.media import containers, samples
from tests.media.conftest import WriteMedia


def refused(media_file: WriteMedia, data: bytes) -> str:
    with pytest.raises(ProbeError) as caught:
        probe(media_file(data))
    return caught.value.code


@pytest.mark.parametrize(
    ("brand", "video", "name", "mime_type", "extension"),
    [
        (b"M4A ", False, "m4a", "audio/x-m4a", ".m4a"),
        (b"isom", False, "m4a", "audio/x-m4a", ".m4a"),  # no video track: audio
        (b"M4A ", True, "m4a", "audio/x-m4a", ".m4a"),  # chapter images do not make a video
        (b"isom", True, "mp4", "video/mp4", ".mp4"),
        (b"mp42", True, "mp4", "video/mp4", ".mp4"),
        (b"M4V ", True, "m4v", "video/x-m4v", ".m4v"),
        (b"qt  ", True, "mov", "video/quicktime", ".mov"),
    ],
)
def test_mp4_family_kind_from_brand_and_tracks(
    media_file: WriteMedia, brand: bytes, video: bool, name: str, mime_type: str, extension: str
) -> None:
    result = probe(media_file(containers.mp4(61.5, brand=brand, video=video)))
    assert (result.media_format.name, result.mime_type, result.extension) == (
        name,
        mime_type,
        extension,
    )
    assert result.duration == pytest.approx(61.5)
    assert result.exact_duration is True
    assert (result.sample_rate, result.channels, result.codec) == (44100, 2, "mp4a.40.2")
    assert result.bitrate == 128000


def test_video_without_sound(media_file: WriteMedia) -> None:
    result = probe(media_file(containers.mp4(12.0, brand=b"isom", audio=False, video=True)))
    assert result.mime_type == "video/mp4"
    assert result.duration == pytest.approx(12.0)
    assert (result.bitrate, result.sample_rate, result.channels) == (None, None, None)


def test_old_quicktime_without_ftyp(media_file: WriteMedia) -> None:
    data = containers.mp4(3.0, video=True)
    ftyp_length = int.from_bytes(data[:4], "big")
    result = probe(media_file(data[ftyp_length:]))
    assert result.mime_type == "video/quicktime"


@pytest.mark.parametrize("cut", [0.5, 0.95])
def test_cut_mp4_is_truncated(media_file: WriteMedia, cut: float) -> None:
    data = containers.mp4(10.0)
    assert refused(media_file, data[: int(len(data) * cut)]) == "podops.media.truncated"


def test_bytes_after_the_last_box_are_a_warning(media_file: WriteMedia) -> None:
    data = containers.mp4(5.0) + b"\x00\x01junk that is not a box"
    result = probe(media_file(data))
    assert result.duration == pytest.approx(5.0)
    assert result.warnings == ["24 bytes at the end of the MP4 file are not whole boxes"]


def test_a_cut_box_after_the_media_is_a_warning(media_file: WriteMedia) -> None:
    data = containers.mp4(5.0) + containers.box(b"free", bytes(100))[:50]
    assert probe(media_file(data)).warnings == [
        "50 bytes at the end of the MP4 file are not whole boxes"
    ]


def test_malformed_movie_box(media_file: WriteMedia) -> None:
    bad_track = (400).to_bytes(4, "big") + b"trak" + bytes(8)  # claims more than its parent
    movie = containers.box(b"moov", bad_track)
    data = containers.box(b"ftyp", b"isom" + bytes(4)) + movie + containers.box(b"mdat")
    assert refused(media_file, data) == "podops.media.corrupt"


def test_mp4_without_movie_box(media_file: WriteMedia) -> None:
    data = containers.box(b"ftyp", b"isom" + bytes(4)) + containers.box(b"mdat", bytes(100))
    assert refused(media_file, data) == "podops.media.corrupt"


def test_heif_image_is_not_accepted(media_file: WriteMedia) -> None:
    data = containers.box(b"ftyp", b"heic" + bytes(4) + b"mif1") + containers.box(b"meta")
    assert refused(media_file, data) == "podops.media.unsupported_type"


def test_mp4_without_tracks(media_file: WriteMedia) -> None:
    data = containers.box(b"ftyp", b"isom" + bytes(4)) + containers.box(b"moov")
    assert refused(media_file, data) == "podops.media.unsupported_type"


@pytest.mark.parametrize(
    ("data", "name", "extension", "rate"),
    [
        (containers.ogg_vorbis(95.25), "vorbis", ".ogg", 44100),
        (containers.ogg_opus(95.25), "opus", ".opus", 48000),
    ],
)
def test_ogg(media_file: WriteMedia, data: bytes, name: str, extension: str, rate: int) -> None:
    result = probe(media_file(data))
    assert (result.media_format.name, result.mime_type, result.extension) == (
        name,
        "audio/ogg",
        extension,
    )
    assert result.duration == pytest.approx(95.25)
    assert result.exact_duration is True
    assert (result.sample_rate, result.channels, result.codec) == (rate, 2, name)


@pytest.mark.parametrize("build", [containers.ogg_vorbis, containers.ogg_opus])
def test_cut_ogg_is_truncated(media_file: WriteMedia, build: object) -> None:
    assert callable(build)
    data: bytes = build(30.0)
    assert refused(media_file, data[: len(data) - 40]) == "podops.media.truncated"
    # Cut on a page boundary: whole pages, but the end-of-stream page is missing.
    last = data.rfind(b"OggS")
    assert refused(media_file, data[:last]) == "podops.media.truncated"


def test_ogg_of_another_codec(media_file: WriteMedia) -> None:
    page = containers.ogg_page([b"\x80theora" + bytes(40)], granule=0, sequence=0, flags=2)
    assert refused(media_file, page) == "podops.media.unsupported_type"


def test_flac(media_file: WriteMedia) -> None:
    result = probe(media_file(containers.flac(7.5)))
    assert (result.mime_type, result.extension) == ("audio/flac", ".flac")
    assert result.duration == pytest.approx(7.5)
    assert result.exact_duration is True
    assert (result.sample_rate, result.channels) == (44100, 2)


def test_flac_ending_in_its_metadata(media_file: WriteMedia) -> None:
    assert refused(media_file, containers.flac(2.0)[:30]) == "podops.media.truncated"


def test_flac_with_endless_metadata_blocks(media_file: WriteMedia) -> None:
    padding_block = b"\x01\x00\x00\x00"  # PADDING, not last, empty
    data = b"fLaC" + padding_block * 5000
    assert refused(media_file, data) == "podops.media.corrupt"


def test_wav(media_file: WriteMedia) -> None:
    result = probe(media_file(containers.wav(2.25, rate=16000, channels=2)))
    assert (result.mime_type, result.extension) == ("audio/wav", ".wav")
    assert result.duration == pytest.approx(2.25)
    assert result.exact_duration is True
    assert (result.sample_rate, result.channels, result.bitrate) == (16000, 2, 512_000)


def test_cut_wav_is_truncated(media_file: WriteMedia) -> None:
    data = containers.wav(2.0)
    assert refused(media_file, data[: len(data) // 2]) == "podops.media.truncated"
    assert refused(media_file, data[:30]) == "podops.media.truncated"


@pytest.mark.parametrize("placeholder", [0, 0xFFFFFFFF])
def test_wav_from_a_streaming_encoder(media_file: WriteMedia, placeholder: int) -> None:
    data = bytearray(containers.wav(3.0))
    data[4:8] = struct.pack("<I", placeholder)
    data[40:44] = struct.pack("<I", placeholder)
    result = probe(media_file(bytes(data)))
    assert result.duration == pytest.approx(3.0)
    assert result.warnings == ["the WAV header does not state the size of its audio"]


def test_wav_without_data(media_file: WriteMedia) -> None:
    data = containers.wav(1.0)[:44]
    header = bytearray(data[:36])
    header[4:8] = struct.pack("<I", 28)
    assert refused(media_file, bytes(header)) == "podops.media.corrupt"


def test_raw_aac(media_file: WriteMedia) -> None:
    result = probe(media_file(samples.adts(frames=200)))
    assert (result.mime_type, result.extension) == ("audio/aac", ".aac")
    assert result.exact_duration is False
    assert (result.sample_rate, result.channels) == (44100, 2)
    assert result.duration == pytest.approx(200 * 1024 / 44100, rel=0.05)
