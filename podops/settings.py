"""Settings, read once from the environment.

Every variable podops reads is declared here, once: each field of `Settings` names its
variable, its default as written in env.example, how its value is read and what it means.
`VARIABLES` lists those declarations in field order; `deploy/env.example` and the README's
configuration table are generated from it, and a test keeps the three in step.

The embedded defaults need no server at all: everything lives under the data directory
(`PODOPS_DATA_DIR`, `./var`) — a SQLite database, local-file storage and a Celery broker on
local files. Production points `PODOPS_DATABASE_URL`, `PODOPS_BROKER_URL` and
`PODOPS_STORAGE_URL` at PostgreSQL, Redis and S3.
"""

from __future__ import annotations

import os
import secrets
import textwrap
import uuid
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from podops.storage.backends import storage_url_problem

Environment = Literal["development", "production"]

# Secrets that people paste from examples; refused outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "please-change-me", "xxx", "todo"}
)
MIN_SECRET_BYTES = 32

T = TypeVar("T")
S = TypeVar("S", bound=str)


class SettingsError(ValueError):
    """A variable has a value podops cannot use; the message says which and what to set."""


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, its default as written in env.example, its meaning,
    and `parse`, which turns its stripped value into the setting or raises `SettingsError`."""

    name: str
    default: str
    meaning: str
    parse: Callable[[str, str], object]


_VARIABLE = "podops.settings.variable"  # the key of a field's `Variable` in its metadata


def _setting(name: str, default: str, parse: Callable[[str, str], T], meaning: str) -> T:
    """Declare a `Settings` field read from the variable `name`.

    Typed as the value it declares, so mypy checks `parse` against the field's annotation; at
    runtime it is a `dataclasses.field` without a default: `from_env` supplies every value.
    """
    return cast(T, field(metadata={_VARIABLE: Variable(name, default, meaning, parse)}))


# Parsers: (variable name, stripped value) -> setting. The name is for the error message.


def _invalid(name: str, raw: str, problem: str) -> SettingsError:
    return SettingsError(f"{name}={raw!r}: {problem}")


def _text(name: str, raw: str) -> str:
    return raw


def _integer(*, minimum: int, maximum: int | None = None) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise _invalid(name, raw, "must be a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise _invalid(name, raw, f"must be at least {minimum}{upper}")
        return value

    return parse


def _boolean(name: str, raw: str) -> bool:
    raw = raw.lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off", ""):
        return False
    raise _invalid(name, raw, "use true or false")


def _choice(*allowed: S, upper: bool = False) -> Callable[[str, str], S]:
    """One of `allowed`, compared in lower case (upper case with `upper`)."""

    def parse(name: str, raw: str) -> S:
        value = raw.upper() if upper else raw.lower()
        for option in allowed:
            if option == value:
                return option
        raise _invalid(name, raw, f"use one of {', '.join(allowed)}")

    return parse


def _directory(name: str, raw: str) -> Path:
    return Path(raw).expanduser().resolve()


def _items(name: str, raw: str) -> tuple[str, ...]:
    """A comma-separated list; blanks around and between items are dropped."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _web_urls(name: str, raw: str) -> tuple[str, ...]:
    """A comma-separated list of http(s) URLs."""
    urls = _items(name, raw)
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            raise _invalid(name, raw, f"{url!r} is not an http(s) URL")
    return urls


def _web_url(name: str, raw: str) -> str:
    """One http(s) URL, or empty."""
    if raw and not raw.lower().startswith(("http://", "https://")):
        raise _invalid(name, raw, "must be an http(s) URL")
    return raw


def _files(name: str, raw: str) -> tuple[Path, ...]:
    return tuple(Path(item).expanduser() for item in _items(name, raw))


def _optional_directory(name: str, raw: str) -> Path | None:
    """A directory, or None (a default that depends on other settings) when empty."""
    return _directory(name, raw) if raw else None


def _broker_url(name: str, raw: str) -> str:
    return raw or "filesystem://"


def _storage_url(name: str, raw: str) -> str:
    """The URL as given; empty (storage in the data directory) is resolved by `from_env`."""
    if raw and (problem := storage_url_problem(raw)):
        raise _invalid(name, raw, problem)
    return raw


def _without_trailing_slash(name: str, raw: str) -> str:
    return raw.rstrip("/")


def _queue_name(name: str, raw: str) -> str:
    if not raw:
        raise SettingsError(f"{name} is empty: name the Celery queue, e.g. podops")
    return raw


def _traces_endpoint(
    variable: Variable, raw: str, source: Mapping[str, str]
) -> tuple[Variable, str]:
    """PODOPS_TRACES_ENDPOINT, else the endpoint OpenTelemetry's own variables name (its
    specification: the signal's endpoint as given, the general one with `/v1/traces`), and
    no endpoint at all when OpenTelemetry is switched off by its variables."""
    if source.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return variable, ""
    if source.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return variable, ""
    if raw:
        return variable, raw
    signal = source.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if signal:
        return replace(variable, name="OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), signal
    general = source.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    if general:
        name = "OTEL_EXPORTER_OTLP_ENDPOINT"
        return replace(variable, name=name), general.rstrip("/") + "/v1/traces"
    return variable, ""


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one podops process. Build it with `Settings.from_env()`."""

    env: Environment = _setting(  # noqa: RUF009 (a field declaration, see _setting)
        "PODOPS_ENV",
        "development",
        _choice("development", "production"),
        "`development` or `production`. Production refuses a missing, placeholder or short secret.",
    )
    data_dir: Path = _setting(  # noqa: RUF009
        "PODOPS_DATA_DIR",
        "./var",
        _directory,
        "Directory for the embedded defaults: SQLite database, local storage, local broker.",
    )
    database_url: str = _setting(
        "PODOPS_DATABASE_URL",
        "",
        _text,
        "SQLAlchemy URL. Empty: SQLite in the data directory. Production: "
        "`postgresql+psycopg://user:pass@host/db`.",
    )
    broker_url: str = _setting(
        "PODOPS_BROKER_URL",
        "",
        _broker_url,
        "Celery broker. Empty: files in the data directory, no server. Production: "
        "`redis://host:6379/0`.",
    )
    storage_url: str = _setting(
        "PODOPS_STORAGE_URL",
        "",
        _storage_url,
        "Where media and feeds are stored. Empty: files in the data directory. "
        "Production: `s3://bucket/optional/prefix`.",
    )
    s3_region: str = _setting(
        "PODOPS_S3_REGION", "", _text, "S3 region (empty: boto3's own resolution)."
    )
    s3_endpoint_url: str = _setting(
        "PODOPS_S3_ENDPOINT_URL",
        "",
        _text,
        "S3-compatible endpoint (MinIO, R2, GCS interoperability). Empty: AWS.",
    )
    s3_path_style: bool = _setting(
        "PODOPS_S3_PATH_STYLE",
        "false",
        _boolean,
        "`true` for path-style bucket addressing (MinIO and most self-hosted stores).",
    )
    public_base_url: str = _setting(
        "PODOPS_PUBLIC_BASE_URL",
        "",
        _without_trailing_slash,
        "Public URL of the bucket or its CDN; empty: presigned URLs (S3) or podops itself.",
    )
    base_url: str = _setting(
        "PODOPS_BASE_URL",
        "",
        _text,  # `from_env` fills in host and port when empty, then drops a trailing slash
        "Public URL of this service, used in links it hands out and as the issuer of its "
        "tokens. Empty: `http://PODOPS_HOST:PODOPS_PORT`; production requires it.",
    )
    host: str = _setting("PODOPS_HOST", "127.0.0.1", _text, "Interface `podops serve` listens on.")
    port: int = _setting(
        "PODOPS_PORT",
        "8000",
        _integer(minimum=1, maximum=65535),
        "Port `podops serve` and `podops web` listen on. `PORT`, which Heroku-style platforms "
        "and honcho set, wins over it.",
    )
    shutdown_timeout: int = _setting(
        "PODOPS_SHUTDOWN_TIMEOUT",
        "20",
        _integer(minimum=1),
        "Seconds the API gives requests in flight to finish after SIGTERM before it closes "
        "them. Keep it below the platform's own limit (30 on Kubernetes and Heroku).",
    )
    jwt_secret: str = _setting(
        "PODOPS_JWT_SECRET",
        "",
        _text,
        "Secret that signs access tokens, at least 32 random bytes. Development: made "
        "and kept in the data directory when empty. Production: required.",
    )
    jwt_keys: tuple[Path, ...] = _setting(
        "PODOPS_JWT_KEYS",
        "",
        _files,
        "Comma-separated PEM private key files (RSA, EC P-256 or Ed25519) that sign tokens "
        "instead of the secret: the first signs, the others still verify until removed. "
        "Public keys at `/_a/jwks`.",
    )
    token_issuer: str = _setting(
        "PODOPS_TOKEN_ISSUER",
        "",
        _text,
        "Issuer (`iss`) of the tokens this installation signs and accepts. Empty: "
        "`PODOPS_BASE_URL` when set, else an identity made on first start and kept in the "
        "data directory (`installation-id`), so the port never matters.",
    )
    token_ttl: int = _setting(
        "PODOPS_TOKEN_TTL",
        "28800",
        _integer(minimum=60),
        "Seconds an access token lives unless its creator asks otherwise (8 hours).",
    )
    token_max_ttl: int = _setting(
        "PODOPS_TOKEN_MAX_TTL",
        "2592000",
        _integer(minimum=60),
        "Longest lifetime a token may be given, in seconds (30 days).",
    )
    rate_limit: int = _setting(
        "PODOPS_RATE_LIMIT",
        "60",
        _integer(minimum=0),
        "Requests a minute each token subject may make (0: no limit). Counted in Redis "
        "when the broker is Redis, else in each process.",
    )
    max_body_bytes: int = _setting(
        "PODOPS_MAX_BODY_BYTES",
        "1048576",
        _integer(minimum=1024),
        "Largest request body accepted by the JSON API (413 above it).",
    )
    max_uploads_per_user: int = _setting(
        "PODOPS_MAX_UPLOADS_PER_USER",
        "4",
        _integer(minimum=1),
        "Uploads one user may have in progress at once (429 beyond). Counted in Redis when "
        "the broker is Redis, else in each process.",
    )
    body_grace_seconds: int = _setting(
        "PODOPS_BODY_GRACE_SECONDS",
        "30",
        _integer(minimum=1),
        "Seconds any request body may take before PODOPS_BODY_MIN_RATE applies.",
    )
    body_min_rate: int = _setting(
        "PODOPS_BODY_MIN_RATE",
        "1024",
        _integer(minimum=1),
        "Slowest average rate, in bytes a second, at which a request body (an upload too) "
        "may arrive after the grace period; slower ones are closed with 408. The default "
        "lets a phone on an 8 kbit/s link finish.",
    )
    max_upload_bytes: int = _setting(
        "PODOPS_MAX_UPLOAD_BYTES",
        "4294967296",
        _integer(minimum=1024),
        "Largest media upload, in bytes (4 GiB); refused with 413 while streaming.",
    )
    fetch_allow: tuple[str, ...] = _setting(
        "PODOPS_FETCH_ALLOW",
        "",
        _items,
        "Comma-separated hosts or ranges imports may fetch from although private "
        "(`media.internal`, `10.0.0.0/8`, `127.0.0.1:8080`); cloud metadata stays refused.",
    )
    fetch_timeout: int = _setting(
        "PODOPS_FETCH_TIMEOUT",
        "3600",
        _integer(minimum=1),
        "Seconds one import download may take in all (connect: 10, between bytes: 30).",
    )
    build_cache_mb: int = _setting(
        "PODOPS_BUILD_CACHE_MB",
        "64",
        _integer(minimum=0),
        "Rendered feed items each worker keeps between builds, in MB (0: none), so a rebuild "
        "redoes only changed episodes. About 3 KB an episode: size it for the largest show.",
    )
    task_queue: str = _setting(
        "PODOPS_TASK_QUEUE", "podops", _queue_name, "Name of the Celery queue tasks are sent to."
    )
    task_time_limit: int = _setting(
        "PODOPS_TASK_TIME_LIMIT",
        "1800",
        _integer(minimum=1),
        "Seconds a background task may run before it is killed and its operation retried.",
    )
    queue_timeout: int = _setting(
        "PODOPS_QUEUE_TIMEOUT",
        "600",
        _integer(minimum=1),
        "Seconds an operation may wait unstarted in the queue before it is sent again.",
    )
    operation_max_attempts: int = _setting(
        "PODOPS_OPERATION_MAX_ATTEMPTS",
        "3",
        _integer(minimum=1),
        "Times an operation is sent before the sweeper marks it Failed.",
    )
    sweep_interval: int = _setting(
        "PODOPS_SWEEP_INTERVAL",
        "60",
        _integer(minimum=1),
        "Seconds between two sweeps for operations stuck in Busy.",
    )
    operation_retention_days: int = _setting(
        "PODOPS_OPERATION_RETENTION_DAYS",
        "30",
        _integer(minimum=1),
        "Days a finished (Success or Failed) operation is kept for clients to poll; then the "
        "sweeper deletes it. Busy operations are never deleted.",
    )
    worker_concurrency: int = _setting(
        "PODOPS_WORKER_CONCURRENCY",
        "2",
        _integer(minimum=1),
        "Worker processes `podops serve` starts.",
    )
    log_level: str = _setting(
        "PODOPS_LOG_LEVEL",
        "INFO",
        _choice("DEBUG", "INFO", "WARNING", "ERROR", upper=True),
        "Log level: DEBUG, INFO, WARNING, ERROR.",
    )
    log_format: Literal["json", "text"] = _setting(
        "PODOPS_LOG_FORMAT",
        "json",
        _choice("json", "text"),
        "`json` (one object a line) or `text`.",
    )
    websub_hubs: tuple[str, ...] = _setting(
        "PODOPS_WEBSUB_HUBS",
        "",
        _web_urls,
        'Comma-separated WebSub hubs: every feed names them (`atom:link rel="hub"`) and every '
        "build that changes a feed tells them (`hub.mode=publish`), e.g. "
        "`https://pubsubhubbub.appspot.com/`.",
    )
    podping_url: str = _setting(
        "PODOPS_PODPING_URL",
        "",
        _web_url,
        "A podping-compatible endpoint told of every changed feed (`?url=…&reason=update"
        "&medium=podcast`), e.g. `https://podping.cloud/`; off when empty.",
    )
    podping_token: str = _setting(
        "PODOPS_PODPING_TOKEN",
        "",
        _text,
        "The `Authorization` header value the podping endpoint expects.",
    )
    media_signing_secret: str = _setting(
        "PODOPS_MEDIA_SIGNING_SECRET",
        "",
        _text,
        "Secret that signs the media URLs of private feeds, at least 32 random bytes. Empty: "
        "derived from the JWT secret (set it when tokens are signed with keys). Changing it "
        "cuts every subscriber's media URLs until their feed is read again.",
    )
    subscriber_rate_limit: int = _setting(
        "PODOPS_SUBSCRIBER_RATE_LIMIT",
        "120",
        _integer(minimum=0),
        "Feed and media requests a minute each private-feed subscriber may make (0: no "
        "limit); 429 above it.",
    )
    subscriber_max_ips: int = _setting(
        "PODOPS_SUBSCRIBER_MAX_IPS",
        "0",
        _integer(minimum=0),
        "Distinct IP addresses a private-feed subscriber may use in a day before further "
        "addresses get 429 (0: counted, not capped). A shared feed URL shows up as many.",
    )
    analytics_interval: int = _setting(
        "PODOPS_ANALYTICS_INTERVAL",
        "300",
        _integer(minimum=10),
        "Seconds between two runs of the download counting (the beat starts them); a "
        "download shows in the statistics within about twice this.",
    )
    analytics_raw_days: int = _setting(
        "PODOPS_ANALYTICS_RAW_DAYS",
        "7",
        _integer(minimum=0),
        "Days the raw media events (hashed listener, app, byte range; never an address) are "
        "kept after they are counted, for audits; then deleted.",
    )
    metrics_dir: Path | None = _setting(  # noqa: RUF009
        "PODOPS_METRICS_DIR",
        "",
        _optional_directory,
        "Directory where every podops process on this host writes its Prometheus samples, "
        "for `/metrics` to add up. Empty: `metrics` in the data directory. Empty it when the "
        "installation starts (Kubernetes: an emptyDir).",
    )
    metrics_token: str = _setting(
        "PODOPS_METRICS_TOKEN",
        "",
        _text,
        "Bearer token Prometheus must send to read `/metrics`. Empty: `/metrics` answers "
        "anyone who reaches it (keep it off the public ingress).",
    )
    worker_metrics_port: int = _setting(
        "PODOPS_WORKER_METRICS_PORT",
        "0",
        _integer(minimum=0, maximum=65535),
        "Port on PODOPS_HOST where `podops worker` answers `GET /metrics` (the samples of its "
        "metrics directory, with PODOPS_METRICS_TOKEN). 0: none, for a worker whose host a web "
        "process already reports (the same metrics directory).",
    )

    traces_endpoint: str = _setting(
        "PODOPS_TRACES_ENDPOINT",
        "",
        _web_url,
        "OTLP/HTTP endpoint spans are sent to (a span per request and per job, one trace from "
        "a request to the jobs it starts), e.g. `http://collector:4318/v1/traces`. Empty: "
        "OpenTelemetry's own `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else "
        "`OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`; tracing is off when none is set, or "
        "with `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. The other `OTEL_*` "
        "variables (service name, headers, sampler, batching) apply as OpenTelemetry says.",
    )

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
        values: dict[str, Any] = {}
        for declared in fields(cls):
            variable = _variable_of(declared)
            raw = source.get(variable.name, variable.default).strip()
            if variable.name == "PODOPS_PORT" and source.get("PORT", "").strip():
                # The platform tells the process where to listen; it knows best.
                variable, raw = replace(variable, name="PORT"), source["PORT"].strip()
            if variable.name == "PODOPS_TRACES_ENDPOINT":
                variable, raw = _traces_endpoint(variable, raw, source)
            values[declared.name] = variable.parse(variable.name, raw)
        read = cls(**values)
        # Empty means the embedded default; these depend on other settings. An empty issuer
        # with an empty base URL stays empty here: `with_secret` reads it from the data
        # directory, which `from_env` never touches.
        settings = replace(
            read,
            database_url=read.database_url or f"sqlite:///{read.data_dir / 'podops.sqlite3'}",
            storage_url=read.storage_url or (read.data_dir / "storage").as_uri(),
            base_url=(read.base_url or f"http://{read.host}:{read.port}").rstrip("/"),
            token_issuer=read.token_issuer or read.base_url.rstrip("/"),
            metrics_dir=read.metrics_dir or read.data_dir / "metrics",
        )
        if settings.token_ttl > settings.token_max_ttl:
            raise SettingsError(
                f"PODOPS_TOKEN_TTL={settings.token_ttl} is longer than "
                f"PODOPS_TOKEN_MAX_TTL={settings.token_max_ttl}"
            )
        return settings

    def with_secret(self) -> Settings:
        """Return settings that can sign and check tokens — a usable JWT secret and an
        issuer — or raise `SettingsError`.

        Production must be given a real secret. Development makes one on first start and keeps
        it in the data directory, so tokens survive a restart. With PEM keys (`PODOPS_JWT_KEYS`)
        no secret is needed: the keys sign instead. The issuer is `PODOPS_TOKEN_ISSUER` or
        `PODOPS_BASE_URL`; without either, development makes an identity of the installation
        and keeps it in the data directory, while production, whose processes share no data
        directory, refuses.
        """
        signing = self if self.jwt_keys and not self.jwt_secret else self._with_usable_secret()
        return replace(signing, token_issuer=self.token_issuer or self._installation_issuer())

    def _installation_issuer(self) -> str:
        if self.env == "production":
            raise SettingsError(
                "PODOPS_BASE_URL is not set: production issues its tokens in the name of the "
                "URL clients use, e.g. PODOPS_BASE_URL=https://podops.example.com "
                "(or set PODOPS_TOKEN_ISSUER)"
            )
        return _kept_in_data_dir(self.data_dir, "installation-id", _new_installation_id)

    def _with_usable_secret(self) -> Settings:
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


def _variable_of(declared: Field[Any]) -> Variable:
    variable = declared.metadata.get(_VARIABLE)
    if not isinstance(variable, Variable):  # fails at import: every field names its variable
        raise TypeError(f"Settings.{declared.name} is not declared with _setting(...)")
    return variable


VARIABLES: tuple[Variable, ...] = tuple(_variable_of(declared) for declared in fields(Settings))


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
    return _kept_in_data_dir(data_dir, "jwt-secret", lambda: secrets.token_urlsafe(48))


def _new_installation_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _kept_in_data_dir(data_dir: Path, name: str, make: Callable[[], str]) -> str:
    """The value kept in `data_dir/name`, made by `make` and kept there on first use."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = make()
    # O_EXCL: two processes starting at once keep the same value, the loser rereads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
