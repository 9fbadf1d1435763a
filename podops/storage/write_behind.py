"""`open_write_behind`: a file written once, start to end, that will be made durable later.

Uploads and imports land in a file that is fsynced when it is stored (`Storage.put_path`).
Written the ordinary way, the whole body sits dirty in the page cache until then, and the
fsync waits for all of it. Here, every few megabytes the kernel is asked to start writing
back what was written, and to drop from the page cache what was written back a window
earlier. By the time of the fsync almost nothing is left to wait for, and a worker importing
a 2 GB file does not push 2 GB of other processes' pages out of memory for bytes it will not
read again.

The call is `posix_fadvise(POSIX_FADV_DONTNEED)`, as PostgreSQL's `pg_flush_data` uses where
`sync_file_range` is missing: on Linux it starts writeback of the range without waiting and
drops only clean pages. Nothing depends on it: it is a hint, skipped where the platform
lacks it (macOS), and the fsync still decides durability.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12

__all__ = ["open_write_behind"]

# How much is written between hints. A window later, that range has been written back and
# its pages can be dropped.
WINDOW_BYTES = 8 * 1024 * 1024
_BUFFER_BYTES = 1024 * 1024
_ADVISE = getattr(os, "posix_fadvise", None)


class _WriteBehindFile(io.FileIO):
    """A raw file whose writes are followed, every window, by the write-behind hint."""

    def __init__(self, path: Path, mode: str) -> None:
        super().__init__(path, mode)  # a new or emptied file: offsets count from 0
        self._written = 0
        self._hinted = 0  # everything below was hinted once: writeback has started
        self._dropped = 0  # everything below was hinted twice: its pages may go

    def write(self, data: Buffer, /) -> int:
        written = super().write(data)
        if written:
            self._written += written
            if self._written - self._hinted >= WINDOW_BYTES:
                self._advise()
        return written

    def _advise(self) -> None:
        if _ADVISE is not None:
            # From the previous window on: pages written back by now are dropped, the newest
            # window's writeback starts.
            _ADVISE(
                self.fileno(),
                self._dropped,
                self._written - self._dropped,
                os.POSIX_FADV_DONTNEED,
            )
        self._dropped, self._hinted = self._hinted, self._written


def open_write_behind(path: Path, mode: str = "wb") -> io.BufferedWriter:
    """Open `path` for writing (`"wb"` or `"xb"`), with write-behind; a buffered binary file."""
    if mode not in ("wb", "xb"):
        raise ValueError(f"open_write_behind writes new files only, not mode {mode!r}")
    return io.BufferedWriter(_WriteBehindFile(path, mode), buffer_size=_BUFFER_BYTES)
