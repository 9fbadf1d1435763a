"""Files from a real encoder (ffmpeg), when one is installed: the hand-built fixtures elsewhere
cover every machine; these check the same facts on what producers actually upload.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from podops.media import ProbeError, probe

FFMPEG = shutil.which("ffmpeg")
pytestmark = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed")

SECONDS = 10
SINE = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}:sample_rate=44100"]
PICTURE = ["-f", "lavfi", "-i", f"testsrc=duration={SECONDS}:size=160x120:rate=25"]
VIDEO = ["-c:v", "mpeg4", "-c:a", "aac", "-shortest"]

# name: (ffmpeg arguments, MIME type, exact duration, tolerance in seconds)
CASES: dict[str, tuple[list[str], str, bool, float]] = {
    "cbr.mp3": ([*SINE, "-c:a", "libmp3lame", "-b:a", "128k"], "audio/mpeg", True, 0.06),
    "vbr.mp3": ([*SINE, "-c:a", "libmp3lame", "-q:a", "4"], "audio/mpeg", True, 0.06),
    "cbr-no-header.mp3": (
        [*SINE, "-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0"],
        "audio/mpeg",
        False,
        0.06,
    ),
    "vbr-no-header.mp3": (
        [*SINE, "-c:a", "libmp3lame", "-q:a", "4", "-write_xing", "0"],
        "audio/mpeg",
        True,
        0.06,
    ),
    "a.m4a": ([*SINE, "-c:a", "aac"], "audio/x-m4a", True, 0.05),
    "a.ogg": ([*SINE, "-c:a", "libvorbis"], "audio/ogg", True, 0.01),
    "a.opus": ([*SINE, "-c:a", "libopus"], "audio/ogg", True, 0.01),
    "a.flac": ([*SINE, "-c:a", "flac"], "audio/flac", True, 0.001),
    "a.wav": ([*SINE], "audio/wav", True, 0.001),
    "v.mp4": ([*PICTURE, *SINE, *VIDEO], "video/mp4", True, 0.1),
    "v.mov": ([*PICTURE, *SINE, *VIDEO], "video/quicktime", True, 0.1),
    "v.m4v": ([*PICTURE, *SINE, *VIDEO, "-f", "ipod"], "video/x-m4v", True, 0.1),
}


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("encoded")


def encode(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.exists():
        assert FFMPEG is not None
        command = [FFMPEG, "-v", "error", "-y", *CASES[name][0], str(path)]
        if subprocess.run(command, capture_output=True, check=False).returncode:
            pytest.skip(f"this ffmpeg cannot encode {name}")
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_file(encoded: Path, name: str) -> None:
    _, mime_type, exact, tolerance = CASES[name]
    path = encode(encoded, name)
    result = probe(path, declared_name=name)
    assert result.mime_type == mime_type
    assert result.extension == Path(name).suffix
    assert result.exact_duration is exact
    assert result.duration == pytest.approx(SECONDS, abs=tolerance)
    assert result.warnings == []


@pytest.mark.parametrize("name", ["vbr.mp3", "vbr-no-header.mp3", "a.m4a", "a.flac", "a.opus"])
def test_real_file_cut_in_half(encoded: Path, tmp_path: Path, name: str) -> None:
    data = encode(encoded, name).read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProbeError) as caught:
        probe(cut)
    assert caught.value.code == "podops.media.truncated"
