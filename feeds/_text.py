"""Text that XML 1.0 can carry.

XML 1.0 has no way to write most C0 control characters, lone surrogates or U+FFFE/U+FFFF,
and lxml refuses them with a ValueError. Producers paste such characters from word
processors, so `render` leaves them out (and `lint` warns) rather than failing the build.
"""

from __future__ import annotations

import re

__all__ = ["has_unwritable_chars", "writable"]

_UNWRITABLE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def writable(text: str) -> str:
    """`text` without the characters XML 1.0 cannot represent."""
    return _UNWRITABLE.sub("", text)


def has_unwritable_chars(text: str) -> bool:
    """True when `writable(text)` would drop something."""
    return _UNWRITABLE.search(text) is not None
