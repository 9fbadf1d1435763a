"""A stored private feed, its placeholders filled in for one subscriber as it streams.

The feed is read a chunk at a time and written out a chunk at a time; only a placeholder's
length is held back between chunks, so the work is one pass over the feed and one signature
per placeholder (each stored enclosure, and each other subscriber-only medium: an image, a
transcript, a chapters file; any `media_key` extension matches).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from podops.private.grants import Grant, MediaSigner
from podops.publish.private import FEED_MARK, MEDIA_MARK
from podops.storage.keys import media_key

_PLACEHOLDER = re.compile(
    rb"/p/(?:"
    + re.escape(FEED_MARK.encode())
    + rb"/feed\.xml|m/"
    + re.escape(MEDIA_MARK.encode())
    + rb"/([0-9a-f]{12})/([0-9a-f]{64})(\.[a-z0-9]{1,8}))"
)
# Longer than any placeholder: what is held back between chunks.
_HOLD = 128
# A match this close to the end of the buffer may be cut short (its extension): wait.
_UNSURE = 16


def substitution(
    signer: MediaSigner, grant: Grant, token: str
) -> Callable[[re.Match[bytes]], bytes]:
    """What each placeholder becomes for the subscriber of `grant`, whose feed token is `token`."""
    feed_path = f"/p/{token}/feed.xml".encode()

    def replace(match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return feed_path
        production, sha256, extension = (part.decode("ascii") for part in match.groups())
        signed = signer.grant(grant, media_key(production, sha256, extension))
        return f"/p/m/{signed}/{production}/{sha256}{extension}".encode()

    return replace


def fill(chunks: Iterable[bytes], replace: Callable[[re.Match[bytes]], bytes]) -> Iterator[bytes]:
    """`chunks` with every placeholder replaced, chunk by chunk."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        done, buffer = _split(buffer, replace, final=False)
        if done:
            yield done
    done, _ = _split(buffer, replace, final=True)
    if done:
        yield done


def _split(
    buffer: bytes, replace: Callable[[re.Match[bytes]], bytes], *, final: bool
) -> tuple[bytes, bytes]:
    """(what can be written now, what must wait for the next chunk)."""
    pieces, position = [], 0
    for match in _PLACEHOLDER.finditer(buffer):
        if not final and match.end() > len(buffer) - _UNSURE:
            break
        pieces.append(buffer[position : match.start()])
        pieces.append(replace(match))
        position = match.end()
    keep = len(buffer) if final else max(position, len(buffer) - _HOLD)
    pieces.append(buffer[position:keep])
    return b"".join(pieces), buffer[keep:]
