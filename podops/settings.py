"""Settings, read once from the environment.

Every variable podops reads is declared here, once, with its default and its meaning
(`VARIABLES`). `deploy/env.example` and the README's configuration table list the same
variables; a test keeps the three in step.

The embedded defaults need no server at all: everything lives under the data directory
(`PODOPS_DATA_DIR`, `./var`) — a SQLite database, local-file storage and a Celery broker on
local files. Production points `PODOPS_DATABASE_URL`, `PODOPS_BROKER_URL` and
`PODOPS_STORAGE_URL` at PostgreSQL, Redis and S3.
"""

from __future__ import annotations

import os
import secrets
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar, cast

from podops.storage.backends import storage_url_problem

Environment = Literal["development", "production"]

# Secrets that people paste from examples; refused outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "please-change-me", "xxx", "todo"}
)
MIN_SECRET_BYTES = 32


class SettingsError(ValueError):
    """A variable has a value podops cannot use; the message says which and what to set."""


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, its default as written in env.example, its meaning."""

    name: str
    default: str
    meaning: str


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "PODOPS_ENV",
        "development",
        "`development` or `production`. Production refuses a missing, placeholder or short secret.",
    ),
    Variable(
        "PODOPS_DATA_DIR",
        "./var",
        "Directory for the embedded defaults: SQLite database, local storage, local broker.",
    ),
    Variable(
        "PODOPS_DATABASE_URL",
        "",
        "SQLAlchemy URL. Empty: SQLite in the data directory. Production: "
        "`postgresql+psycopg://user:pass@host/db`.",
    ),
    Variable(
        "PODOPS_BROKER_URL",
        "",
        "Celery broker. Empty: files in the data directory, no server. Production: "
        "`redis://host:6379/0`.",
    ),
    Variable(
        "PODOPS_STORAGE_URL",
        "",
        "Where media and feeds are stored. Empty: files in the data directory. "
        "Production: `s3://bucket/optional/prefix`.",
    ),
    Variable("PODOPS_S3_REGION", "", "S3 region (empty: boto3's own resolution)."),
    Variable(
        "PODOPS_S3_ENDPOINT_URL",
        "",
        "S3-compatible endpoint (MinIO, R2, GCS interoperability). Empty: AWS.",
    ),
    Variable(
        "PODOPS_S3_PATH_STYLE",
        "false",
        "`true` for path-style bucket addressing (MinIO and most self-hosted stores).",
    ),
    Variable(
        "PODOPS_PUBLIC_BASE_URL",
        "",
        "Public URL of the bucket or its CDN; empty: presigned URLs (S3) or podops itself.",
    ),
    Variable(
        "PODOPS_BASE_URL",
        "",
        "Public URL of this service, used in links it hands out. Empty: "
        "`http://PODOPS_HOST:PODOPS_PORT`.",
    ),
    Variable("PODOPS_HOST", "127.0.0.1", "Interface `podops serve` listens on."),
    Variable("PODOPS_PORT", "8000", "Port `podops serve` listens on."),
    Variable(
        "PODOPS_JWT_SECRET",
        "",
        "Secret that signs access tokens, at least 32 random bytes. Development: made "
        "and kept in the data directory when empty. Production: required.",
    ),
    Variable(
        "PODOPS_JWT_KEYS",
        "",
        "Comma-separated PEM private key files (RSA, EC P-256 or Ed25519) that sign tokens "
        "instead of the secret: the first signs, the others still verify until removed. "
        "Public keys at `/_a/jwks`.",
    ),
    Variable(
        "PODOPS_TOKEN_TTL",
        "28800",
        "Seconds an access token lives unless its creator asks otherwise (8 hours).",
    ),
    Variable(
        "PODOPS_TOKEN_MAX_TTL",
        "2592000",
        "Longest lifetime a token may be given, in seconds (30 days).",
    ),
    Variable(
        "PODOPS_RATE_LIMIT",
        "60",
        "Requests a minute each token subject may make (0: no limit). Counted in Redis "
        "when the broker is Redis, else in each process.",
    ),
    Variable(
        "PODOPS_MAX_BODY_BYTES",
        "1048576",
        "Largest request body accepted by the JSON API (413 above it).",
    ),
    Variable(
        "PODOPS_MAX_UPLOAD_BYTES",
        "4294967296",
        "Largest media upload, in bytes (4 GiB); refused with 413 while streaming.",
    ),
    Variable(
        "PODOPS_FETCH_ALLOW",
        "",
        "Comma-separated hosts or ranges imports may fetch from although private "
        "(`media.internal`, `10.0.0.0/8`, `127.0.0.1:8080`); cloud metadata stays refused.",
    ),
    Variable(
        "PODOPS_FETCH_TIMEOUT",
        "3600",
        "Seconds one import download may take in all (connect: 10, between bytes: 30).",
    ),
    Variable(
        "PODOPS_BUILD_CACHE_MB",
        "64",
        "Rendered feed items each worker keeps between builds, in MB (0: none), so a rebuild "
        "redoes only changed episodes. About 3 KB an episode: size it for the largest show.",
    ),
    Variable("PODOPS_TASK_QUEUE", "podops", "Name of the Celery queue tasks are sent to."),
    Variable(
        "PODOPS_TASK_TIME_LIMIT",
        "1800",
        "Seconds a background task may run before it is killed and its operation retried.",
    ),
    Variable(
        "PODOPS_QUEUE_TIMEOUT",
        "600",
        "Seconds an operation may wait unstarted in the queue before it is sent again.",
    ),
    Variable(
        "PODOPS_OPERATION_MAX_ATTEMPTS",
        "3",
        "Times an operation is sent before the sweeper marks it Failed.",
    ),
    Variable(
        "PODOPS_SWEEP_INTERVAL", "60", "Seconds between two sweeps for operations stuck in Busy."
    ),
    Variable("PODOPS_WORKER_CONCURRENCY", "2", "Worker processes `podops serve` starts."),
    Variable("PODOPS_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR."),
    Variable("PODOPS_LOG_FORMAT", "json", "`json` (one object a line) or `text`."),
)

_BY_NAME = {variable.name: variable for variable in VARIABLES}
T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one podops process. Build it with `Settings.from_env()`."""

    env: Environment
    data_dir: Path
    database_url: str
    broker_url: str
    storage_url: str
    s3_region: str
    s3_endpoint_url: str
    s3_path_style: bool
    public_base_url: str
    base_url: str
    host: str
    port: int
    jwt_secret: str
    jwt_keys: tuple[Path, ...]
    token_ttl: int
    token_max_ttl: int
    rate_limit: int
    max_body_bytes: int
    max_upload_bytes: int
    fetch_allow: tuple[str, ...]
    fetch_timeout: int
    build_cache_mb: int
    task_queue: str
    task_time_limit: int
    queue_timeout: int
    operation_max_attempts: int
    sweep_interval: int
    worker_concurrency: int
    log_level: str
    log_format: Literal["json", "text"]

    @property
    def embedded_broker(self) -> bool:
        """True when the broker is the server-less one on local files."""
        return self.broker_url.startswith("filesystem://")

    @property
    def upload_dir(self) -> Path:
        """Where uploads are received before they are stored (beside local storage)."""
        return self.data_dir / "uploads"

    @property
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every `PODOPS_*` variable once; raise `SettingsError` naming a bad one."""
        source = os.environ if environ is None else environ
        reader = _Reader(source)
        env = cast(Environment, reader.choice("PODOPS_ENV", ("development", "production")))
        data_dir = Path(reader.text("PODOPS_DATA_DIR")).expanduser().resolve()
        host = reader.text("PODOPS_HOST")
        port = reader.integer("PODOPS_PORT", minimum=1, maximum=65535)
        database_url = reader.text("PODOPS_DATABASE_URL") or (
            f"sqlite:///{data_dir / 'podops.sqlite3'}"
        )
        storage_url = reader.text("PODOPS_STORAGE_URL") or (data_dir / "storage").as_uri()
        if problem := storage_url_problem(storage_url):
            raise SettingsError(f"PODOPS_STORAGE_URL={storage_url!r}: {problem}")
        base_url = reader.text("PODOPS_BASE_URL") or f"http://{host}:{port}"
        settings = cls(
            env=env,
            data_dir=data_dir,
            database_url=database_url,
            broker_url=reader.text("PODOPS_BROKER_URL") or "filesystem://",
            storage_url=storage_url,
            s3_region=reader.text("PODOPS_S3_REGION"),
            s3_endpoint_url=reader.text("PODOPS_S3_ENDPOINT_URL"),
            s3_path_style=reader.boolean("PODOPS_S3_PATH_STYLE"),
            public_base_url=reader.text("PODOPS_PUBLIC_BASE_URL").rstrip("/"),
            base_url=base_url.rstrip("/"),
            host=host,
            port=port,
            jwt_secret=reader.text("PODOPS_JWT_SECRET"),
            jwt_keys=tuple(
                Path(part.strip()).expanduser()
                for part in reader.text("PODOPS_JWT_KEYS").split(",")
                if part.strip()
            ),
            token_ttl=reader.integer("PODOPS_TOKEN_TTL", minimum=60),
            token_max_ttl=reader.integer("PODOPS_TOKEN_MAX_TTL", minimum=60),
            rate_limit=reader.integer("PODOPS_RATE_LIMIT", minimum=0),
            max_body_bytes=reader.integer("PODOPS_MAX_BODY_BYTES", minimum=1024),
            max_upload_bytes=reader.integer("PODOPS_MAX_UPLOAD_BYTES", minimum=1024),
            fetch_allow=tuple(
                part.strip()
                for part in reader.text("PODOPS_FETCH_ALLOW").split(",")
                if part.strip()
            ),
            fetch_timeout=reader.integer("PODOPS_FETCH_TIMEOUT", minimum=1),
            build_cache_mb=reader.integer("PODOPS_BUILD_CACHE_MB", minimum=0),
            task_queue=reader.text("PODOPS_TASK_QUEUE"),
            task_time_limit=reader.integer("PODOPS_TASK_TIME_LIMIT", minimum=1),
            queue_timeout=reader.integer("PODOPS_QUEUE_TIMEOUT", minimum=1),
            operation_max_attempts=reader.integer("PODOPS_OPERATION_MAX_ATTEMPTS", minimum=1),
            sweep_interval=reader.integer("PODOPS_SWEEP_INTERVAL", minimum=1),
            worker_concurrency=reader.integer("PODOPS_WORKER_CONCURRENCY", minimum=1),
            log_level=reader.choice(
                "PODOPS_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), upper=True
            ),
            log_format=cast(
                Literal["json", "text"], reader.choice("PODOPS_LOG_FORMAT", ("json", "text"))
            ),
        )
        if settings.token_ttl > settings.token_max_ttl:
            raise SettingsError(
                f"PODOPS_TOKEN_TTL={settings.token_ttl} is longer than "
                f"PODOPS_TOKEN_MAX_TTL={settings.token_max_ttl}"
            )
        if not settings.task_queue:
            raise SettingsError("PODOPS_TASK_QUEUE is empty: name the Celery queue, e.g. podops")
        return settings

    def with_secret(self) -> Settings:
        """Return settings whose JWT secret is usable, or raise `SettingsError`.

        Production must be given a real secret. Development makes one on first start and keeps
        it in the data directory, so tokens survive a restart. With PEM keys (`PODOPS_JWT_KEYS`)
        no secret is needed: the keys sign instead.
        """
        if self.jwt_keys and not self.jwt_secret:
            return self
        secret = self.jwt_secret
        if self.env == "development" and not secret:
            secret = _development_secret(self.data_dir)
        problem = secret_problem(secret)
        if problem:
            raise SettingsError(
                f"PODOPS_JWT_SECRET {problem}. Set it to at least {MIN_SECRET_BYTES} random "
                "bytes, e.g. PODOPS_JWT_SECRET=$(python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return replace(self, jwt_secret=secret)


def render_env_example() -> str:
    """`deploy/env.example`: every variable with its meaning and default."""
    lines = [
        "# podops configuration. Every variable podops reads, with its default.",
        "# Set them in the environment (a systemd EnvironmentFile, your process manager, or",
        "# `set -a; . ./deploy/env.example; set +a`). Empty means the embedded default.",
        "# Generated by `podops config example`.",
        "",
    ]
    for variable in VARIABLES:
        lines += ["# " + line for line in textwrap.wrap(variable.meaning.replace("`", ""), 96)]
        lines += [f"{variable.name}={variable.default}", ""]
    return "\n".join(lines)


def render_markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        default = f"`{variable.default}`" if variable.default else "(empty)"
        rows.append(f"| `{variable.name}` | {default} | {variable.meaning} |")
    return "\n".join(rows) + "\n"


def secret_problem(secret: str) -> str:
    """Why `secret` cannot sign tokens, or '' when it can."""
    if not secret:
        return "is not set"
    if secret.strip().lower() in PLACEHOLDER_SECRETS or len(set(secret)) < 8:
        return "is a placeholder"
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    return ""


def _development_secret(data_dir: Path) -> str:
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once keep the same secret, the loser rereads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


class _Reader:
    """Reads declared variables only, so an undeclared name is a bug caught at once."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str) -> str:
        return self._environ.get(name, _BY_NAME[name].default).strip()

    def integer(self, name: str, *, minimum: int, maximum: int | None = None) -> int:
        raw = self.text(name)
        value = self._parse(name, raw, int, "a whole number")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise SettingsError(f"{name}={raw!r}: must be at least {minimum}{upper}")
        return value

    def boolean(self, name: str) -> bool:
        raw = self.text(name).lower()
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{name}={raw!r}: use true or false")

    def choice(self, name: str, allowed: tuple[str, ...], *, upper: bool = False) -> str:
        raw = self.text(name)
        value = raw.upper() if upper else raw.lower()
        if value not in allowed:
            raise SettingsError(f"{name}={raw!r}: use one of {', '.join(allowed)}")
        return value

    @staticmethod
    def _parse(name: str, raw: str, parse: Callable[[str], T], what: str) -> T:
        try:
            return parse(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r}: must be {what}") from None
