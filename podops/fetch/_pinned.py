"""An httpcore network backend that connects only to addresses vetted beforehand.

httpcore asks its backend to `connect_tcp(host, port)`; ours ignores DNS entirely and
connects to the target's vetted addresses, so a name that answers differently the second
time (DNS rebinding) cannot redirect the connection. Everything above the socket stays
httpcore's: the Host header and the TLS server name and certificate check still use the
URL's host name.

The stream it returns also enforces the fetch's total deadline on every connect, TLS
handshake, read and write, and counts the bytes it reads so the caller can tell when a
server sent more than its Content-Length.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

from podops.fetch._deadline import Deadline
from podops.fetch._vet import Target
from podops.fetch.addresses import IPAddress
from podops.fetch.errors import TLSError

# Enough to hold any response head h11 accepts (it stops at 100 KiB), interim 1xx included.
_HEAD_CAPTURE = 256 * 1024
_BLANK_LINE = re.compile(rb"\n\r?\n")  # the end of a head, exactly as h11 finds it
_STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})")


class PinnedBackend(httpcore.NetworkBackend):
    """Connects to the target's vetted addresses in order; never resolves a name."""

    def __init__(self, target: Target, deadline: Deadline) -> None:
        self._target = target
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()
        self.stream: MeteredStream | None = None
        self.connected_to: IPAddress | None = None

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if (host, port) != (self._target.host, self._target.port):
            # httpcore connects only to the request's origin; anything else is a bug here.
            raise RuntimeError(f"refusing to connect to unvetted {host}:{port}")
        last_error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in self._target.addresses:
            try:
                raw = self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=self._deadline.clamp(timeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                # Every address passed the check, so trying the next one is safe — and
                # needed where IPv6 is advertised but unreachable.
                last_error = error
                continue
            self.connected_to = address
            self.stream = MeteredStream(raw, self._deadline)
            return self.stream
        if last_error is None:
            raise RuntimeError("a vetted target always has an address")
        if self._deadline.expired():
            raise self._deadline.error() from last_error
        raise last_error

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


_READ_BYTES = 1024 * 1024


class MeteredStream(httpcore.NetworkStream):
    """A network stream under the fetch's deadline that counts what it reads."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline
        self._head = bytearray()
        self.received = 0

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            # httpcore asks for 64 KiB at a time; a larger read lets a fast transfer pass in
            # a sixteenth of the round trips through h11 (which takes any amount it is given).
            data = self._inner.read(max(max_bytes, _READ_BYTES), self._deadline.clamp(timeout))
        except httpcore.ReadTimeout as error:
            if self._deadline.expired():
                raise self._deadline.error() from error
            raise
        self.received += len(data)
        room = _HEAD_CAPTURE - len(self._head)
        if room > 0:
            self._head += data[:room]
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, self._deadline.clamp(timeout))
        except httpcore.WriteTimeout as error:
            if self._deadline.expired():
                raise self._deadline.error() from error
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        try:
            self._inner = self._inner.start_tls(
                ssl_context, server_hostname, self._deadline.clamp(timeout)
            )
        except httpcore.ConnectTimeout as error:
            if self._deadline.expired():
                raise self._deadline.error() from error
            raise
        except httpcore.ConnectError as error:
            # Told apart here: the connection pool re-raises without the cause.
            cause = error.__cause__
            if isinstance(cause, ssl.SSLCertVerificationError):
                raise TLSError(
                    f"the certificate of {server_hostname} does not verify: {cause.verify_message}"
                ) from error
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def body_bytes_read(self) -> int | None:
        """Bytes read past the final response head; None if the head was not captured."""
        end = final_head_end(bytes(self._head))
        return None if end is None else self.received - end

    def bytes_after_response(self, grace: float) -> bytes:
        """The first byte that arrives within `grace` seconds; b"" once the server closed."""
        try:
            return self._inner.read(1, timeout=grace)
        except (httpcore.ReadTimeout, httpcore.ReadError):
            return b""


def final_head_end(data: bytes) -> int | None:
    """Offset just past the head of the final (non-1xx) response in `data`, if complete."""
    start = 0
    while True:
        status = _STATUS_LINE.match(data, start)
        blank = _BLANK_LINE.search(data, start)
        if status is None or blank is None:
            return None
        if int(status.group(1)) >= 200:
            return blank.end()
        start = blank.end()
