"""podops: podcast production and RSS build service."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata on first use, not at import:
    # importlib.metadata costs ~25 ms, which every `po` command would pay.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("podops")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0"
    globals()["__version__"] = found
    return found
