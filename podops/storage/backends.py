"""Storage backends by URL scheme: the one list of the stores `PODOPS_STORAGE_URL` may name.

A backend is a module with a factory `(url, settings) -> Storage` that reads its URL and its
own settings; one `register_backend` line makes its scheme valid for the settings and for
`open_storage`. The built-in backends are registered at the end of this module by
`module:function` name, imported on first use, so the web process never loads boto3 for local
storage.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast
from urllib.parse import SplitResult, urlsplit

from podops.storage import Storage, StorageError

if TYPE_CHECKING:
    from podops.settings import Settings

__all__ = [
    "BackendFactory",
    "open_storage",
    "register_backend",
    "shown_url",
    "storage_url_problem",
]

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


class BackendFactory(Protocol):
    """Builds a backend from its URL (without ?query or #fragment) and the settings.

    No I/O until the first call on the storage; `StorageError` naming the URL (as `shown_url`
    writes it) when the URL or a setting is unusable.
    """

    def __call__(self, url: SplitResult, settings: Settings) -> Storage: ...


@dataclass(frozen=True)
class _Backend:
    form: str  # how its URL is written, for messages: "s3://bucket[/prefix]"
    factory: BackendFactory | str  # or "module:function", imported on first use


# In registration order, which is the order messages list them in.
_BACKENDS: dict[str, _Backend] = {}


def register_backend(scheme: str, factory: BackendFactory | str, *, form: str) -> None:
    """Open URLs `scheme://…` with `factory` (or the `module:function` it names).

    `form` shows how such a URL is written; messages about a bad storage URL list it.
    `ValueError` for a scheme that is not lower-case or is taken.
    """
    if not _SCHEME.fullmatch(scheme):
        raise ValueError(f"storage scheme {scheme!r}: use lower-case letters, digits, + . -")
    if scheme in _BACKENDS:
        raise ValueError(f"storage scheme {scheme!r} is already registered")
    _BACKENDS[scheme] = _Backend(form=form, factory=factory)


def storage_url_problem(url: str) -> str:
    """Why no registered backend opens `url` (naming the ones that would); "" when one does."""
    scheme, colon, rest = url.partition(":")
    backend = _BACKENDS.get(scheme) if colon else None
    if backend is not None:
        # Spelled `scheme://` exactly: `file:relative` is not a storage URL.
        return "" if rest.startswith("//") else f"use {backend.form}"
    named = f"unknown storage scheme {scheme!r}" if colon and scheme else "no storage scheme"
    return f"{named}: use {' or '.join(backend.form for backend in _BACKENDS.values())}"


def open_storage(url: str, settings: Settings) -> Storage:
    """Build the backend registered for `url`'s scheme; no I/O happens until the first call.

    `settings` gives the backend its own options (`PODOPS_S3_*`, `PODOPS_PUBLIC_BASE_URL`).
    """
    parts = urlsplit(url)
    shown = shown_url(parts)
    if problem := storage_url_problem(url):
        raise StorageError(f"storage URL {shown!r}: {problem}")
    if parts.query or parts.fragment:
        raise StorageError(f"storage URL {shown!r}: remove the ?query or #fragment")
    return _factory(_BACKENDS[parts.scheme])(parts, settings)


def shown_url(url: SplitResult) -> str:
    """`url` without user info, query or fragment: error messages end up in logs."""
    host = url.netloc.rpartition("@")[2]
    return url._replace(netloc=host, query="", fragment="").geturl()


def _factory(backend: _Backend) -> BackendFactory:
    if not isinstance(backend.factory, str):
        return backend.factory
    module, _colon, name = backend.factory.partition(":")
    return cast(BackendFactory, getattr(importlib.import_module(module), name))


register_backend("s3", "podops.storage._s3:open_s3_storage", form="s3://bucket[/prefix]")
register_backend("file", "podops.storage._local:open_local_storage", form="file:///absolute/path")
