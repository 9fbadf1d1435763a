"""Real HTTP(S) servers on 127.0.0.1 for the fetch tests, each route a small function.

A route gets the request handler and writes the response by hand, so a test can make the
server misbehave exactly as it needs: lie about Content-Length, never answer, never stop.
"""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socket import socket
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Route = Callable[["Handler"], None]


@dataclass
class Seen:
    """One request as the server saw it."""

    path: str
    host: str | None
    headers: dict[str, str]
    method: str = "GET"


@dataclass
class LocalServer:
    """A threaded HTTP server; `routes` maps a path to the function that answers it."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    tls: ssl.SSLContext | None = None
    _httpd: _Server | None = None

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def allow(self) -> str:
        """The allow-list entry that admits this server and nothing else."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def start(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.owner = self
        if self.tls is not None:
            self._httpd.socket = self.tls.wrap_socket(self._httpd.socket, server_side=True)
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()  # releases handlers that wait forever
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


@contextmanager
def running(server: LocalServer) -> Iterator[LocalServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _Server(ThreadingHTTPServer):
    owner: LocalServer

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.owner.connections += 1
        return True


class Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        owner.requests.append(
            Seen(path, self.headers.get("Host"), dict(self.headers.items()), self.command)
        )
        route = owner.routes.get(path)
        if route is None:
            self.send_error(404)
            return
        route(self)

    def do_HEAD(self) -> None:
        # The same routes answer HEAD (`handler.command` says which); `body` sends no body.
        self.do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    @property
    def stopping(self) -> threading.Event:
        return self.server.owner.stopping

    def send_head(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def write_raw(self, data: bytes) -> bool:
        """Send bytes; False once the client went away."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            return False
        return True


# Routes -------------------------------------------------------------------------------


def body(data: bytes, content_type: str = "audio/mpeg") -> Route:
    def route(handler: Handler) -> None:
        handler.send_head(200, {"Content-Type": content_type, "Content-Length": str(len(data))})
        if handler.command != "HEAD":
            handler.write_raw(data)

    return route


def range_body(data: bytes, content_type: str = "audio/mpeg") -> Route:
    """Serves `data` as a file server does: HEAD, GET, and `Range: bytes=a-b` with 206."""

    def route(handler: Handler) -> None:
        asked = handler.headers.get("Range", "")
        if handler.command == "HEAD" or not asked.startswith("bytes="):
            body(data, content_type)(handler)
            return
        first, _, last = asked.removeprefix("bytes=").partition("-")
        start, end = int(first), min(int(last or len(data) - 1), len(data) - 1)
        if start >= len(data):
            handler.send_head(416, {"Content-Range": f"bytes */{len(data)}", "Content-Length": "0"})
            return
        part = data[start : end + 1]
        handler.send_head(
            206,
            {
                "Content-Type": content_type,
                "Content-Range": f"bytes {start}-{end}/{len(data)}",
                "Content-Length": str(len(part)),
            },
        )
        handler.write_raw(part)

    return route


def status(code: int, headers: dict[str, str] | None = None) -> Route:
    def route(handler: Handler) -> None:
        handler.send_head(code, {"Content-Length": "0", **(headers or {})})

    return route


def redirect(location: str, code: int = 302) -> Route:
    return status(code, {"Location": location})


def lying_length(declared: int, sent: bytes, *, later: bytes = b"") -> Route:
    """Declares `declared` bytes, sends `sent`, then `later` after a pause, then closes."""

    def route(handler: Handler) -> None:
        handler.send_head(200, {"Content-Length": str(declared)})
        handler.write_raw(sent)
        if later and not handler.stopping.wait(0.05):
            handler.write_raw(later)

    return route


def endless(chunk: bytes, pause: float = 0.0) -> Route:
    """Sends `chunk` after `chunk` until the client goes away (no Content-Length)."""

    def route(handler: Handler) -> None:
        handler.send_head(200, {"Content-Type": "audio/mpeg"})
        while handler.write_raw(chunk) and not handler.stopping.wait(pause):
            pass

    return route


def silent(handler: Handler) -> None:
    """Reads the request, then never answers."""
    handler.stopping.wait(30)


def hang_up(handler: Handler) -> None:
    """Closes the connection without a response."""
    handler.close_connection = True
    handler.connection.shutdown(2)


def chunked(parts: list[bytes]) -> Route:
    def route(handler: Handler) -> None:
        handler.protocol_version = "HTTP/1.1"
        handler.send_head(200, {"Transfer-Encoding": "chunked", "Connection": "close"})
        for part in parts:
            handler.write_raw(b"%x\r\n%s\r\n" % (len(part), part))
        handler.write_raw(b"0\r\n\r\n")

    return route


# TLS ----------------------------------------------------------------------------------


@dataclass
class Certificates:
    ca_file: Path
    server_context: ssl.SSLContext
    server_names: list[str | None]

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_certificates(directory: Path, dns_name: str) -> Certificates:
    """A throwaway CA and a server certificate for `dns_name`, signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "podops test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain_file = directory / "server.pem"
    chain_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + leaf.public_bytes(serialization.Encoding.PEM)
    )
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain_file)

    def remember_name(_: ssl.SSLObject | socket | Any, name: str | None, __: Any) -> None:
        server_names.append(name)

    context.sni_callback = remember_name
    return Certificates(ca_file, context, server_names)
