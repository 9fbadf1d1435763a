"""The write-behind file: the bytes written are the bytes on disk, and the hints trail them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from podops.storage import write_behind
from podops.storage.write_behind import WINDOW_BYTES, open_write_behind

MB = 1024 * 1024


def _pieces(total: int, size: int) -> list[bytes]:
    """Distinct pieces, so a misplaced or repeated one changes the file's hash."""
    return [hashlib.sha256(str(n).encode()).digest() * (size // 32) for n in range(total // size)]


def test_the_file_holds_exactly_what_was_written_with_the_real_hint(tmp_path: Path) -> None:
    path = tmp_path / "body"
    pieces = [*_pieces(3 * WINDOW_BYTES, 64 * 1024), b"tail"]
    with open_write_behind(path) as handle:
        for piece in pieces:
            handle.write(memoryview(piece))
    assert path.read_bytes() == b"".join(pieces)


def test_hints_start_writeback_of_each_window_and_drop_the_one_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int, int]] = []

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append((offset, length, advice))

    monkeypatch.setattr(write_behind, "_ADVISE", advise)
    with open_write_behind(tmp_path / "body") as handle:
        for piece in _pieces(3 * WINDOW_BYTES + MB, MB):
            handle.write(piece)
    dontneed = os.POSIX_FADV_DONTNEED
    assert calls == [
        (0, WINDOW_BYTES, dontneed),
        (0, 2 * WINDOW_BYTES, dontneed),
        (WINDOW_BYTES, 2 * WINDOW_BYTES, dontneed),
    ]


def test_without_the_hint_the_file_is_written_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write_behind, "_ADVISE", None)  # as on macOS
    pieces = _pieces(2 * WINDOW_BYTES, MB)
    with open_write_behind(tmp_path / "body", "xb") as handle:
        for piece in pieces:
            handle.write(piece)
    assert (tmp_path / "body").read_bytes() == b"".join(pieces)


def test_exclusive_mode_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "body"
    path.write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        open_write_behind(path, "xb")
    assert path.read_bytes() == b"kept"


@pytest.mark.parametrize("mode", ["rb", "ab", "r+b", "w"])
def test_only_new_binary_files_are_written(tmp_path: Path, mode: str) -> None:
    with pytest.raises(ValueError, match="new files only"):
        open_write_behind(tmp_path / "body", mode)
    assert not (tmp_path / "body").exists()
