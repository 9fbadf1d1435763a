"""`po`'s configuration file: named contexts (an API and how to sign in to it), like kubectl's.

The file is `$PO_CONFIG`, else `$XDG_CONFIG_HOME/po/config.yaml` (`~/.config/po/…`;
`%APPDATA%\\po\\…` on Windows). It holds tokens and private keys, so it is written with mode
0600 (its directory 0700), atomically:

    current-context: staging
    contexts:
      staging:
        api: https://podops.staging.example.com
        token: eyJ…                     # or
        credentials: {client_id: …, private_key: …, token_uri: …}

What is in effect: the command line, then `PO_API` / `PO_TOKEN` / `PO_CREDENTIALS`, then the
context (`--context`, `PO_CONTEXT`, else `current-context`). A context's token is only ever
sent to the context's own API.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The configuration file cannot be read or does not have what was asked for."""


@dataclass
class Context:
    name: str
    api: str
    token: str | None = None
    credentials: dict[str, str] | None = None

    @property
    def auth(self) -> str:
        if self.credentials is not None:
            return f"service account {self.credentials.get('client_id', '?')}"
        return "token" if self.token else "none"

    def to_yaml(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"api": self.api}
        if self.token:
            entry["token"] = self.token
        if self.credentials is not None:
            entry["credentials"] = self.credentials
        return entry


@dataclass
class Config:
    path: Path
    current: str | None = None
    contexts: dict[str, Context] = field(default_factory=dict)

    def context(self, name: str | None = None) -> Context | None:
        """The context `name` (default: the current one); `ConfigError` if `name` is unknown."""
        wanted = name or self.current
        if wanted is None:
            return None
        if wanted not in self.contexts:
            known = ", ".join(sorted(self.contexts)) or "none yet: run `po login`"
            raise ConfigError(f"no context {wanted!r} in {self.path} (contexts: {known})")
        return self.contexts[wanted]


def config_path() -> Path:
    """Where the configuration lives (the file need not exist)."""
    explicit = os.environ.get("PO_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "po" / "config.yaml"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "po" / "config.yaml"


def load(path: Path | None = None) -> Config:
    """The configuration at `path` (default: `config_path()`); empty when there is none."""
    import yaml

    path = path or config_path()
    try:
        with path.open(encoding="utf-8") as stream:
            raw: Any = yaml.safe_load(stream)
    except FileNotFoundError:
        return Config(path)
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    if raw is None:
        return Config(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("contexts", {}), dict):
        raise ConfigError(f"{path}: not a po configuration (no contexts mapping)")
    contexts = {}
    for name, entry in (raw.get("contexts") or {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("api"), str):
            raise ConfigError(f"{path}: context {name!r} has no api")
        credentials = entry.get("credentials")
        contexts[str(name)] = Context(
            name=str(name),
            api=entry["api"],
            token=entry.get("token"),
            credentials={str(k): str(v) for k, v in credentials.items()}
            if isinstance(credentials, dict)
            else None,
        )
    current = raw.get("current-context")
    return Config(path, str(current) if current else None, contexts)


def save(config: Config) -> None:
    """Write `config` atomically, readable by its owner only (0600)."""
    import yaml

    data: dict[str, Any] = {
        "current-context": config.current,
        "contexts": {name: context.to_yaml() for name, context in config.contexts.items()},
    }
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    config.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = config.path.with_name(f".{config.path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o600)  # O_CREAT's mode is only used for a file it creates
        os.replace(temporary, config.path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def context_name_for(api: str) -> str:
    """A context's default name: the API's host (and port, when it is not the scheme's)."""
    from urllib.parse import urlsplit

    parts = urlsplit(api)
    return parts.netloc or api
