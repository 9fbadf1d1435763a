"""Learn a remote file's length and type without downloading it, under a `FetchPolicy`.

HEAD first. When a server refuses HEAD (405, 501, or 403 from URLs signed for GET only) or
answers it without a usable Content-Length, a GET for the first byte (`Range: bytes=0-0`)
reads the total from `Content-Range`; a server that ignores the Range and answers 200 is
taken at its Content-Length, and its body is never read. Every hop is vetted like a
download's (`_exchange`): same addresses refused, same pinned connections, same redirects.

The policy's `max_bytes` does not apply: it bounds what is received, and a probe receives
no body. A probe reports a length beyond it as it is; whoever would download the file
checks it then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from podops.fetch._deadline import Deadline
from podops.fetch._exchange import (
    Exchange,
    Redirect,
    declared_length,
    exchange,
    follow_redirects,
    redirect_of,
    status_error,
)
from podops.fetch._vet import Target
from podops.fetch.errors import UnknownLengthError
from podops.fetch.policy import FetchPolicy

__all__ = ["PROBE_TIMEOUT", "RemoteMedia", "probe_url"]

# A probe reads response heads, never a body: a minute in all (both requests and every
# redirect) is plenty, whatever total the policy allows a download.
PROBE_TIMEOUT = 60.0
_SUCCESS_STATUSES = frozenset({200, 203})
_HEAD_REFUSED = frozenset({403, 405, 501})
_RANGE_NOT_SATISFIABLE = 416
_CONTENT_RANGE = re.compile(r"bytes\s+(?:\d+-\d+|\*)\s*/\s*(\d+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class RemoteMedia:
    """What a probe learnt: the final URL (after redirects), the length in bytes, and the
    Content-Type as the server sent it (None without one)."""

    url: str
    length: int
    content_type: str | None


def probe_url(url: str, *, policy: FetchPolicy) -> RemoteMedia:
    """The length and type of the file at `url`, from response heads alone.

    Raises a `FetchError`: `UnknownLengthError` when the server tells no length (or 0),
    otherwise as a download of the URL would (blocked address, 404, timeout, …).
    """
    deadline = Deadline(min(policy.total_timeout, PROBE_TIMEOUT))

    def head(target: Target, _: tuple[str, ...]) -> RemoteMedia | Redirect | None:
        with exchange("HEAD", target, policy, deadline) as answer:
            return _read_head(answer, target)

    def ranged_get(target: Target, _: tuple[str, ...]) -> RemoteMedia | Redirect:
        with exchange("GET", target, policy, deadline, [(b"Range", b"bytes=0-0")]) as answer:
            # Left without reading its body: the connection closes with the exchange.
            return _read_ranged(answer, target)

    found = follow_redirects(url, policy, deadline, head)
    if found is not None:
        return found
    # From the URL given, not where HEAD was sent: a redirect may differ by method.
    return follow_redirects(url, policy, deadline, ranged_get)


def _read_head(answer: Exchange, target: Target) -> RemoteMedia | Redirect | None:
    """HEAD's answer: the media, a redirect, or None to ask again with a ranged GET."""
    redirect = redirect_of(answer, target)
    if redirect is not None:
        return redirect
    if answer.status in _HEAD_REFUSED:
        return None
    if answer.status not in _SUCCESS_STATUSES:
        raise status_error(answer.status, answer.headers)
    length = declared_length(answer.headers)
    # Some servers answer HEAD with no length, or with 0 for a file that has bytes.
    if not length:
        return None
    return _media(target, length, answer.headers)


def _read_ranged(answer: Exchange, target: Target) -> RemoteMedia | Redirect:
    redirect = redirect_of(answer, target)
    if redirect is not None:
        return redirect
    if answer.status == 206 or answer.status == _RANGE_NOT_SATISFIABLE:
        # 206 "bytes 0-0/12345"; 416 "bytes */0" for an empty file.
        length = _total_of(answer.headers.get("content-range"))
    elif answer.status in _SUCCESS_STATUSES:
        # The Range ignored: the whole file is on its way, and its length said up front.
        length = declared_length(answer.headers)
    else:
        raise status_error(answer.status, answer.headers)
    if length is None:
        raise UnknownLengthError(
            "the server tells no length: no Content-Length in answer to HEAD, and no total "
            "in the Content-Range of a ranged GET"
        )
    if length == 0:
        raise UnknownLengthError("the server says the file is empty (0 bytes)")
    return _media(target, length, answer.headers)


def _media(target: Target, length: int, headers: httpx.Headers) -> RemoteMedia:
    return RemoteMedia(url=str(target.url), length=length, content_type=headers.get("content-type"))


def _total_of(content_range: str | None) -> int | None:
    """The complete length of a `Content-Range`; None when absent or unknown (`/*`)."""
    match = _CONTENT_RANGE.fullmatch(content_range or "")
    return int(match.group(1)) if match else None
