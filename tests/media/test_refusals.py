"""The type comes from the bytes: empty files, unknown bytes, names that lie, artwork that isn't."""

from __future__ import annotations

from pathlib import Path

import pytest

from podops.media import ProbeError, probe
from tests.media import containers, samples
from tests.media import mpeg_frames as mpeg
from tests.media.conftest import WriteMedia

MP3 = mpeg.stream(mpeg.vbr_pattern(100))
PNG = samples.image((32, 32), "PNG")


def code_of(path: Path, **options: object) -> str:
    with pytest.raises(ProbeError) as caught:
        probe(path, **options)  # type: ignore[arg-type]
    assert caught.value.message
    return caught.value.code


@pytest.mark.parametrize("role", ["media", "artwork"])
def test_empty_file(media_file: WriteMedia, role: str) -> None:
    assert code_of(media_file(b"", "episode.mp3"), role=role) == "podops.media.empty"


@pytest.mark.parametrize(
    "data",
    [
        b"Just some notes about the episode.\n" * 20,
        bytes(range(256)) * 40,
        b"GIF89a" + bytes(100),
        b"RIFF\x10\x00\x00\x00AVI LIST",
        b"%PDF-1.7\n" + bytes(500),
        b"\x00" * 10_000,
        b"\xff" * 10_000,
    ],
    ids=["text", "bytes", "gif-header", "avi", "pdf", "zeros", "ones"],
)
def test_no_known_type(media_file: WriteMedia, data: bytes) -> None:
    path = media_file(data, "episode.mp3")
    assert code_of(path, declared_name="episode.mp3") == "podops.media.unsupported_type"


def test_unsupported_message_names_the_claim(media_file: WriteMedia) -> None:
    with pytest.raises(ProbeError) as caught:
        probe(media_file(b"hello\n" * 50), declared_name="show/episode.MP3")
    assert caught.value.message.startswith("the name ends in .mp3, but the bytes are of no type")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (PNG, "episode.mp3"),
        (PNG, "episode.m4a"),
        (MP3, "cover.jpg"),
        (samples.SRT.encode(), "episode.mp4"),
        (MP3, "transcript.vtt"),
        (containers.mp4(2.0), "chapters.json"),
    ],
)
def test_name_of_another_kind_is_refused(media_file: WriteMedia, data: bytes, name: str) -> None:
    assert code_of(media_file(data), declared_name=name) == "podops.media.type_mismatch"


@pytest.mark.parametrize(
    ("data", "name", "extension"),
    [
        (containers.mp4(2.0), "episode.mp3", ".m4a"),
        (MP3, "episode.m4a", ".mp3"),
        (samples.image((32, 32), "JPEG"), "cover.png", ".jpg"),
        (samples.VTT.encode(), "captions.srt", ".vtt"),
    ],
)
def test_name_of_another_format_of_the_kind_warns(
    media_file: WriteMedia, data: bytes, name: str, extension: str
) -> None:
    result = probe(media_file(data), declared_name=name)
    assert result.extension == extension
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"the name ends in {name[name.rindex('.') :]}")


@pytest.mark.parametrize(
    "name",
    [
        "episode.mp3",
        "EPISODE.MP3",
        "episode.mpga",
        "../../etc/passwd.mp3",
        "C:\\Users\\me\\episode.mp3",
        "episode",
        "episode.bin",
        "nul\x00.mp3",
        "",
        None,
    ],
)
def test_names_that_do_not_contradict(media_file: WriteMedia, name: str | None) -> None:
    result = probe(media_file(MP3), declared_name=name)
    assert result.extension == ".mp3"
    assert result.warnings == []


@pytest.mark.parametrize(
    "data",
    [MP3, samples.SRT.encode(), containers.mp4(1.0), b"plain text\n", samples.image((8, 8), "GIF")],
    ids=["mp3", "srt", "m4a", "text", "gif"],
)
def test_artwork_must_be_an_image(media_file: WriteMedia, data: bytes) -> None:
    path = media_file(data, "cover.jpg")
    assert code_of(path, role="artwork", declared_name="cover.jpg") == "podops.media.not_an_image"


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        probe(tmp_path / "gone.mp3")


def test_the_error_reads_well() -> None:
    error = ProbeError("podops.media.empty", "the file is empty")
    assert str(error) == "the file is empty"
    assert repr(error) == "ProbeError('podops.media.empty', 'the file is empty')"
