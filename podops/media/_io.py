"""Reading parts of a file that may be huge, malformed, or shorter than its headers claim."""

from __future__ import annotations

from typing import BinaryIO


def read_at(file: BinaryIO, offset: int, count: int) -> bytes:
    """Up to `count` bytes at `offset`; fewer at the end of the file."""
    file.seek(offset)
    return file.read(count)


class Window:
    """A block of the file around the position being read.

    MPEG frames are a few hundred bytes and the file may be a gigabyte: reading a block at a
    time keeps memory flat and the per-frame cost low.
    """

    def __init__(self, file: BinaryIO, end: int, block: int) -> None:
        self._file = file
        self._end = end
        self._block = block
        self.base = 0
        self.data = b""

    def load(self, offset: int) -> None:
        """Make `data` start at `offset` (it may be empty at the end)."""
        self.base = offset
        self.data = read_at(self._file, offset, max(0, min(self._block, self._end - offset)))

    def get(self, offset: int, count: int) -> bytes:
        """Up to `count` bytes at `offset`, never past the window's end."""
        start = offset - self.base
        if start < 0 or start + count > len(self.data):
            self.load(offset)
            start = 0
        return self.data[start : start + count]

    def find(self, byte: bytes, offset: int, limit: int) -> int:
        """The position of the next `byte` at or after `offset` and before `limit`, else -1."""
        limit = min(limit, self._end)
        while offset < limit:
            start = offset - self.base
            if start < 0 or start >= len(self.data):
                self.load(offset)
                start = 0
                if not self.data:
                    return -1
            found = self.data.find(byte, start, start + (limit - offset))
            if found >= 0:
                return self.base + found
            offset = self.base + len(self.data)
        return -1
