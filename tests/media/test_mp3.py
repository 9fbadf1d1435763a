"""MP3: duration, bitrate and truncation, for CBR, VBR with a header, and VBR without one."""

from __future__ import annotations

import io

import pytest
from mutagen.mp3 import MPEGInfo

from podops.media import ProbeError, probe
from podops.media._mpeg import decode_header
from tests.media import mpeg_frames as mpeg
from tests.media.conftest import WriteMedia

FRAME_SECONDS = mpeg.SAMPLES_PER_FRAME / 48000


def mutagen_length(data: bytes) -> float:
    return float(MPEGInfo(io.BytesIO(data)).length)


def test_cbr_duration_comes_from_the_size(media_file: WriteMedia) -> None:
    result = probe(media_file(mpeg.stream([128] * 500)))
    assert (result.mime_type, result.extension, result.kind) == ("audio/mpeg", ".mp3", "audio")
    assert result.duration == pytest.approx(500 * FRAME_SECONDS)
    assert result.exact_duration is False
    assert (result.bitrate, result.sample_rate, result.channels) == (128_000, 48000, 2)


def test_cbr_at_44100_with_padding_frames(media_file: WriteMedia) -> None:
    result = probe(media_file(mpeg.cbr_44100(400)))
    assert result.duration == pytest.approx(400 * 1152 / 44100, abs=0.001)
    assert result.sample_rate == 44100


@pytest.mark.parametrize(
    "bitrates",
    [
        pytest.param(mpeg.vbr_pattern(1500), id="starts-low"),
        pytest.param([320, *mpeg.vbr_pattern(1499)], id="starts-high"),
    ],
)
def test_vbr_without_header_is_counted_exactly(media_file: WriteMedia, bitrates: list[int]) -> None:
    data = mpeg.stream(bitrates)
    result = probe(media_file(data))
    assert result.exact_duration is True
    assert result.duration is not None
    assert result.duration == pytest.approx(1500 * FRAME_SECONDS, abs=1e-9)
    assert result.bitrate == pytest.approx(len(data) * 8 / result.duration, rel=1e-3)
    # The guess this replaces: mutagen extrapolates the first frame's bitrate.
    assert abs(mutagen_length(data) - result.duration) > 0.3 * result.duration


def test_vbr_with_xing_header_trusts_its_frame_count(media_file: WriteMedia) -> None:
    frames = [mpeg.frame(kbps) for kbps in mpeg.vbr_pattern(700)]
    result = probe(media_file(mpeg.with_xing(frames)))
    assert result.exact_duration is True
    assert result.duration == pytest.approx(700 * FRAME_SECONDS)


def test_cbr_with_info_header_is_exact(media_file: WriteMedia) -> None:
    frames = [mpeg.frame(128)] * 300
    result = probe(media_file(mpeg.with_xing(frames, tag=b"Info")))
    assert result.exact_duration is True
    assert result.duration == pytest.approx(300 * FRAME_SECONDS)


def test_vbri_header_is_trusted(media_file: WriteMedia) -> None:
    frames = mpeg.stream(mpeg.vbr_pattern(200))
    data = mpeg.vbri_frame(200, len(frames) + mpeg.frame_length(128)) + frames
    result = probe(media_file(data))
    assert result.exact_duration is True
    assert result.duration == pytest.approx(200 * FRAME_SECONDS)


def test_xing_frame_without_a_count_is_not_audio(media_file: WriteMedia) -> None:
    # A Xing tag that states only the byte count: the scan counts the frames after it.
    frames = mpeg.stream(mpeg.vbr_pattern(100))
    tagged = bytearray(mpeg.xing_frame(0, 0))
    tagged[40:44] = (2).to_bytes(4, "big")  # flags: bytes only
    result = probe(media_file(bytes(tagged) + frames))
    assert result.exact_duration is True
    assert result.duration == pytest.approx(100 * FRAME_SECONDS)


def test_tags_before_and_after_are_not_audio(media_file: WriteMedia) -> None:
    stream = mpeg.stream(mpeg.vbr_pattern(250))
    data = mpeg.id3v2(3000) + mpeg.id3v2(50) + stream + mpeg.apev2() + mpeg.id3v1()
    result = probe(media_file(data))
    assert result.duration == pytest.approx(250 * FRAME_SECONDS)
    assert result.warnings == []


def test_cbr_duration_leaves_out_the_trailing_tag(media_file: WriteMedia) -> None:
    result = probe(media_file(mpeg.stream([64] * 100) + mpeg.id3v1()))
    assert result.duration == pytest.approx(100 * FRAME_SECONDS)


def test_mono_stream(media_file: WriteMedia) -> None:
    data = b"".join(mpeg.frame(kbps, mono=True) for kbps in mpeg.vbr_pattern(50))
    result = probe(media_file(data))
    assert result.channels == 1
    assert result.duration == pytest.approx(50 * FRAME_SECONDS)


def test_garbage_inside_the_stream_is_skipped_with_a_warning(media_file: WriteMedia) -> None:
    junk = bytes(range(256)) * 8  # holds 0xFF bytes: false frame starts to resync past
    data = mpeg.stream(mpeg.vbr_pattern(100)) + junk + mpeg.stream(mpeg.vbr_pattern(100))
    result = probe(media_file(data))
    assert result.duration == pytest.approx(200 * FRAME_SECONDS)
    assert any("not MPEG audio frames" in warning for warning in result.warnings)


def test_stream_after_a_long_gap_is_not_counted(media_file: WriteMedia) -> None:
    data = mpeg.stream(mpeg.vbr_pattern(100)) + bytes(2 << 20) + mpeg.stream([128] * 100)
    result = probe(media_file(data))
    assert result.duration == pytest.approx(100 * FRAME_SECONDS)
    assert result.warnings


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(mpeg.stream([128] * 300), id="cbr"),
        pytest.param(mpeg.stream(mpeg.vbr_pattern(300)), id="vbr"),
        pytest.param(
            mpeg.with_xing([mpeg.frame(kbps) for kbps in mpeg.vbr_pattern(300)]), id="xing"
        ),
        pytest.param(mpeg.id3v2() + mpeg.stream(mpeg.vbr_pattern(300)), id="id3-vbr"),
    ],
)
def test_cut_in_the_middle_of_a_frame_is_truncated(media_file: WriteMedia, data: bytes) -> None:
    with pytest.raises(ProbeError) as caught:
        probe(media_file(data[: len(data) // 2 + 7]))
    assert caught.value.code == "podops.media.truncated"


def test_cut_on_a_frame_boundary_is_truncated_when_the_header_says_so(
    media_file: WriteMedia,
) -> None:
    frames = [mpeg.frame(kbps) for kbps in mpeg.vbr_pattern(300)]
    data = mpeg.with_xing(frames)
    cut = mpeg.frame_length(128) + sum(len(f) for f in frames[:150])
    with pytest.raises(ProbeError) as caught:
        probe(media_file(data[:cut]))
    assert caught.value.code == "podops.media.truncated"


def test_layer_ii_is_not_mp3(media_file: WriteMedia) -> None:
    data = b"".join(mpeg.frame(128, layer=2) for _ in range(50))
    with pytest.raises(ProbeError) as caught:
        probe(media_file(data, "episode.mp3"))
    assert caught.value.code == "podops.media.unsupported_type"


def test_id3_tag_without_frames_is_corrupt(media_file: WriteMedia) -> None:
    with pytest.raises(ProbeError) as caught:
        probe(media_file(mpeg.id3v2() + bytes(5000)))
    assert caught.value.code == "podops.media.corrupt"


@pytest.mark.parametrize("junk", [b"\xff", b"\xff\xfb", b"\xff\xfb\x90\x64"])
def test_a_flood_of_false_frame_starts_is_skipped(media_file: WriteMedia, junk: bytes) -> None:
    # Bytes that look like frame starts everywhere: the search gives up after MAX_GAP bytes.
    flood = junk * ((2 << 20) // len(junk))
    result = probe(media_file(mpeg.stream(mpeg.vbr_pattern(100)) + flood))
    assert result.duration == pytest.approx(100 * FRAME_SECONDS)
    assert result.warnings == [f"{len(flood)} bytes of the MP3 stream are not MPEG audio frames"]


def test_false_frame_starts_are_capped(
    media_file: WriteMedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("podops.media._mpeg.MAX_FALSE_SYNCS", 1000)
    data = mpeg.stream(mpeg.vbr_pattern(100)) + b"\xff" * 5000 + mpeg.stream([128] * 10)
    with pytest.raises(ProbeError) as caught:
        probe(media_file(data))
    assert caught.value.code == "podops.media.corrupt"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (0xFFFB9064, (1, 3, 128_000, 44100, 1152, 417)),  # MPEG-1 layer III
        (0xFFF38064, (2, 3, 64_000, 22050, 576, 208)),  # MPEG-2 layer III
        (0xFFE38064, (25, 3, 64_000, 11025, 576, 417)),  # MPEG-2.5 layer III
        (0xFFFD9004, (1, 2, 160_000, 44100, 1152, 522)),  # MPEG-1 layer II
        (0xFFFF9004, (1, 1, 288_000, 44100, 384, 312)),  # MPEG-1 layer I
    ],
)
def test_header_tables(word: int, expected: tuple[int, ...]) -> None:
    header = decode_header(word)
    assert header is not None
    found = (header.version, header.layer, header.bitrate, header.sample_rate)
    assert (*found, header.samples, header.length) == expected


@pytest.mark.parametrize(
    "word",
    [0xFFEB9064, 0xFFF99064, 0xFFFB0064, 0xFFFBF064, 0xFFFB9C64, 0x12345678],
    ids=["reserved-version", "reserved-layer", "free-bitrate", "bad-bitrate", "bad-rate", "nosync"],
)
def test_headers_that_are_not_frames(word: int) -> None:
    assert decode_header(word) is None


def test_header_counting_more_frames_than_the_file_holds(media_file: WriteMedia) -> None:
    frames = mpeg.stream([32] * 100)
    data = mpeg.xing_frame(5000, 0) + frames  # no byte count to compare with
    tagged = bytearray(data)
    tagged[40:44] = (1).to_bytes(4, "big")  # flags: frames only
    with pytest.raises(ProbeError) as caught:
        probe(media_file(bytes(tagged)))
    assert caught.value.code == "podops.media.truncated"
