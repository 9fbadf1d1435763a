"""A remote file's duration from ranged reads of its head: which formats tell, in how few reads."""

from __future__ import annotations

import pytest

from podops.media import remote_duration
from podops.media.remote import BLOCK, MAX_READS
from tests.media import containers, samples
from tests.media import mpeg_frames as mpeg

FRAME_SECONDS = mpeg.SAMPLES_PER_FRAME / 48000


class Remote:
    """The reads a server would answer, over bytes in memory, counted."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reads: list[tuple[int, int]] = []

    def read(self, start: int, count: int) -> bytes:
        self.reads.append((start, count))
        return self.data[start : start + count]

    def duration(self) -> float | None:
        return remote_duration(self.read, len(self.data))


def test_an_mp3_with_a_xing_count_behind_a_large_id3_tag_is_exact() -> None:
    frames = [mpeg.frame(bitrate) for bitrate in mpeg.vbr_pattern(3000)]
    remote = Remote(mpeg.id3v2(300_000) + mpeg.with_xing(frames))

    assert remote.duration() == pytest.approx(3000 * FRAME_SECONDS)
    # The head, then the block where the tag ends: never the 300 KB of tag between.
    assert len(remote.reads) <= 3
    assert all(count == BLOCK for _, count in remote.reads)


def test_an_mp3_with_a_vbri_count() -> None:
    frames = mpeg.stream([128] * 400)
    remote = Remote(mpeg.vbri_frame(400, len(frames)) + frames)

    assert remote.duration() == pytest.approx(400 * FRAME_SECONDS)


def test_a_constant_bitrate_mp3_is_measured_by_its_size() -> None:
    remote = Remote(mpeg.id3v2(1000) + mpeg.stream([128] * 20_000))  # 8 minutes, 9.6 MB

    assert remote.duration() == pytest.approx(20_000 * FRAME_SECONDS, rel=1e-3)
    assert len(remote.reads) <= 2  # the frame scanner's window straddles two blocks


def test_a_variable_bitrate_mp3_without_a_count_is_not_guessed() -> None:
    remote = Remote(mpeg.stream(mpeg.vbr_pattern(3000)))

    assert remote.duration() is None


def test_an_m4a_with_its_movie_after_the_media_data() -> None:
    mvhd = containers.full_box(
        b"mvhd", bytes(8) + (44100).to_bytes(4, "big") + (44100 * 3600).to_bytes(4, "big")
    )
    data = (
        containers.box(b"ftyp", b"M4A \0\0\0\0M4A isom")
        + containers.box(b"mdat", bytes(3_000_000))
        + containers.box(b"moov", mvhd + bytes(200), containers.box(b"trak", bytes(500_000)))
    )
    remote = Remote(data)

    assert remote.duration() == pytest.approx(3600.0)
    assert len(remote.reads) == 2  # the head, and where the movie box starts


def test_a_fast_start_m4a() -> None:
    remote = Remote(containers.mp4(1234.5))

    assert remote.duration() == pytest.approx(1234.5)
    assert len(remote.reads) == 1


@pytest.mark.parametrize(
    ("data", "seconds"),
    [
        pytest.param(containers.ogg_vorbis(600.0), 600.0, id="vorbis"),
        pytest.param(containers.ogg_opus(600.0), 600.0, id="opus"),
        pytest.param(containers.flac(2.0), 2.0, id="flac"),
        pytest.param(mpeg.id3v2(200_000) + containers.flac(2.0), 2.0, id="flac-after-id3"),
        pytest.param(containers.wav(30.0, rate=44100, channels=2), 30.0, id="wav"),
    ],
)
def test_formats_read_from_head_and_tail_as_probe_reads_them(data: bytes, seconds: float) -> None:
    remote = Remote(data)

    assert remote.duration() == pytest.approx(seconds, abs=0.01)
    assert len(remote.reads) <= MAX_READS


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.adts(), id="aac"),
        pytest.param(b"<html><body>not media</body></html>" * 100, id="html"),
        pytest.param(b"", id="empty"),
        pytest.param(containers.box(b"ftyp", b"M4A \0\0\0\0") + bytes(100), id="mp4-no-movie"),
    ],
)
def test_formats_that_do_not_say_it_in_their_head(data: bytes) -> None:
    assert Remote(data).duration() is None


def test_a_hostile_head_gives_up_within_its_reads() -> None:
    # Frame-sync lookalikes everywhere, and an ID3 tag pointing far ahead.
    data = mpeg.id3v2(5_000_000) + b"\xff\xfb\x00" * 2_000_000
    remote = Remote(data)

    assert remote.duration() is None
    assert len(remote.reads) <= MAX_READS


def test_a_damaged_movie_header_is_refused() -> None:
    mvhd = containers.full_box(b"mvhd", bytes(8) + (0).to_bytes(4, "big") + (10).to_bytes(4, "big"))
    data = containers.box(b"ftyp", b"M4A \0\0\0\0") + containers.box(b"moov", mvhd)
    assert Remote(data).duration() is None  # a time scale of 0
    week = containers.full_box(
        b"mvhd", bytes(8) + (1).to_bytes(4, "big") + (8 * 24 * 3600).to_bytes(4, "big")
    )
    data = containers.box(b"ftyp", b"M4A \0\0\0\0") + containers.box(b"moov", week)
    assert Remote(data).duration() is None  # over a week: a damaged header
