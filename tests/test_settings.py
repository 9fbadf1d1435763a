"""Settings: read once from the environment; production refuses a weak secret."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from podops.settings import VARIABLES, Settings, SettingsError, render_env_example
from tests.support.processes import REPO, process_env

STRONG = "Zx8-" + "q1w2e3r4t5y6u7i8o9p0" * 2


def test_embedded_defaults_live_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'podops.sqlite3'}"
    assert settings.broker_url == "filesystem://"
    assert settings.embedded_broker
    assert settings.storage_url == (tmp_path / "storage").as_uri()
    assert settings.base_url == "http://127.0.0.1:8000"


def test_production_urls_are_taken_as_given(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "PODOPS_DATA_DIR": str(tmp_path),
            "PODOPS_DATABASE_URL": "postgresql+psycopg://u@db/podops",
            "PODOPS_BROKER_URL": "redis://cache:6379/0",
            "PODOPS_STORAGE_URL": "s3://bucket/prefix",
            "PODOPS_S3_PATH_STYLE": "true",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@db/podops"
    assert not settings.embedded_broker
    assert settings.storage_url == "s3://bucket/prefix"
    assert settings.s3_path_style is True


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("", "is not set"),
        ("changeme", "is a placeholder"),
        ("x" * 40, "is a placeholder"),
        ("Zx8-q1w2e3r4", "is shorter than 32 bytes"),
    ],
)
def test_production_refuses_a_weak_secret(tmp_path: Path, secret: str, problem: str) -> None:
    settings = Settings.from_env(
        {"PODOPS_ENV": "production", "PODOPS_DATA_DIR": str(tmp_path), "PODOPS_JWT_SECRET": secret}
    )
    with pytest.raises(SettingsError, match=re.escape(f"PODOPS_JWT_SECRET {problem}")) as info:
        settings.with_secret()
    assert "Set it to at least 32 random bytes" in str(info.value)


def test_production_accepts_a_strong_secret(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "PODOPS_ENV": "production",
            "PODOPS_DATA_DIR": str(tmp_path),
            "PODOPS_JWT_SECRET": STRONG,
            "PODOPS_BASE_URL": "https://podops.example/",
        }
    ).with_secret()
    assert settings.jwt_secret == STRONG
    assert settings.token_issuer == "https://podops.example"


def test_production_refuses_to_issue_tokens_without_its_base_url(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PODOPS_ENV": "production", "PODOPS_DATA_DIR": str(tmp_path), "PODOPS_JWT_SECRET": STRONG}
    )
    # Its processes share no data directory in which to keep an identity of their own.
    with pytest.raises(SettingsError, match="PODOPS_BASE_URL is not set"):
        settings.with_secret()
    assert list(tmp_path.iterdir()) == []


def test_the_issuer_is_the_installation_not_its_port(tmp_path: Path) -> None:
    def issuer(**env: str) -> str:
        given = {"PODOPS_DATA_DIR": str(tmp_path), **env}
        return Settings.from_env(given).with_secret().token_issuer

    first = issuer(PODOPS_PORT="8000")
    assert first.startswith("urn:uuid:")
    assert issuer(PODOPS_PORT="9001") == first
    assert issuer(PORT="5000", PODOPS_HOST="0.0.0.0") == first
    assert (tmp_path / "installation-id").read_text() == first
    assert issuer(PODOPS_BASE_URL="https://podops.example") == "https://podops.example"
    assert issuer(PODOPS_TOKEN_ISSUER="urn:x", PODOPS_BASE_URL="https://a.example") == "urn:x"
    other = tmp_path / "elsewhere"
    assert issuer(PODOPS_DATA_DIR=str(other)) != first  # another installation


def test_port_set_by_the_platform_wins(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PODOPS_DATA_DIR": str(tmp_path), "PODOPS_PORT": "8000", "PORT": "9001"}
    )
    assert settings.port == 9001
    assert settings.base_url == "http://127.0.0.1:9001"
    with pytest.raises(SettingsError, match="PORT='x'"):
        Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path), "PORT": "x"})


def test_development_makes_a_secret_once_and_keeps_it(tmp_path: Path) -> None:
    first = Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path)}).with_secret().jwt_secret
    second = Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path)}).with_secret().jwt_secret
    assert len(first) >= 32
    assert first == second
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PODOPS_ENV", "staging", "use one of development, production"),
        ("PODOPS_PORT", "eighty", "must be a whole number"),
        ("PODOPS_PORT", "70000", "at most 65535"),
        ("PODOPS_S3_PATH_STYLE", "maybe", "use true or false"),
        ("PODOPS_STORAGE_URL", "ftp://host/x", "use s3://bucket"),
        ("PODOPS_TASK_QUEUE", " ", "PODOPS_TASK_QUEUE is empty"),
        ("PODOPS_MAX_BODY_BYTES", "10", "must be at least 1024"),
        ("PODOPS_MAX_UPLOADS_PER_USER", "0", "must be at least 1"),
        ("PODOPS_BODY_MIN_RATE", "fast", "must be a whole number"),
        ("PODOPS_BUILD_CACHE_MB", "-1", "must be at least 0"),
        ("PODOPS_BUILD_CACHE_MB", "64MB", "must be a whole number"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)) as info:
        Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path), name: value})
    assert name in str(info.value)


def test_every_variable_is_documented_once_in_env_example_and_readme() -> None:
    env_example = (REPO / "deploy" / "env.example").read_text()
    readme = (REPO / "README.md").read_text()
    declared = [variable.name for variable in VARIABLES]
    assert len(declared) == len(set(declared))
    in_example = re.findall(r"^(PODOPS_[A-Z0-9_]+)=", env_example, flags=re.MULTILINE)
    assert sorted(in_example) == sorted(declared)
    assert env_example == render_env_example()  # regenerate: podops config example
    in_readme = re.findall(r"^\| `(PODOPS_[A-Z0-9_]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(in_readme) == sorted(declared)


def test_each_setting_is_read_from_the_variable_named_after_it() -> None:
    # `tests.support.processes.process_env` and the docs rely on PODOPS_<ATTRIBUTE>.
    assert [variable.name for variable in VARIABLES] == [
        "PODOPS_" + declared.name.upper() for declared in fields(Settings)
    ]


def test_every_variable_is_read_into_its_setting_and_written_back(tmp_path: Path) -> None:
    # A value unlike the default for every variable: a new setting must add one here.
    given = {
        "PODOPS_ENV": "production",
        "PODOPS_DATA_DIR": str(tmp_path),
        "PODOPS_DATABASE_URL": "postgresql+psycopg://u@db/podops",
        "PODOPS_BROKER_URL": "redis://cache:6379/0",
        "PODOPS_STORAGE_URL": "s3://bucket/prefix",
        "PODOPS_S3_REGION": "eu-west-1",
        "PODOPS_S3_ENDPOINT_URL": "http://minio:9000",
        "PODOPS_S3_PATH_STYLE": "true",
        "PODOPS_PUBLIC_BASE_URL": "https://cdn.example",
        "PODOPS_BASE_URL": "https://podops.example",
        "PODOPS_HOST": "0.0.0.0",
        "PODOPS_PORT": "9000",
        "PODOPS_SHUTDOWN_TIMEOUT": "5",
        "PODOPS_JWT_SECRET": STRONG,
        "PODOPS_TOKEN_ISSUER": "urn:podops:test",
        "PODOPS_JWT_KEYS": f"{tmp_path / 'a.pem'},{tmp_path / 'b.pem'}",
        "PODOPS_TOKEN_TTL": "600",
        "PODOPS_TOKEN_MAX_TTL": "3600",
        "PODOPS_RATE_LIMIT": "0",
        "PODOPS_MAX_BODY_BYTES": "2048",
        "PODOPS_MAX_UPLOADS_PER_USER": "2",
        "PODOPS_BODY_GRACE_SECONDS": "5",
        "PODOPS_BODY_MIN_RATE": "4096",
        "PODOPS_MAX_UPLOAD_BYTES": "4096",
        "PODOPS_FETCH_ALLOW": "media.internal,10.0.0.0/8",
        "PODOPS_FETCH_TIMEOUT": "60",
        "PODOPS_BUILD_CACHE_MB": "3",
        "PODOPS_TASK_QUEUE": "podops-test",
        "PODOPS_TASK_TIME_LIMIT": "120",
        "PODOPS_QUEUE_TIMEOUT": "30",
        "PODOPS_OPERATION_MAX_ATTEMPTS": "5",
        "PODOPS_SWEEP_INTERVAL": "5",
        "PODOPS_OPERATION_RETENTION_DAYS": "7",
        "PODOPS_WORKER_CONCURRENCY": "4",
        "PODOPS_LOG_LEVEL": "DEBUG",
        "PODOPS_LOG_FORMAT": "text",
        "PODOPS_WEBSUB_HUBS": "https://hub.example/,https://hub2.example/",
        "PODOPS_PODPING_URL": "https://podping.example/",
        "PODOPS_PODPING_TOKEN": "secret-token",
        "PODOPS_MEDIA_SIGNING_SECRET": "M" + STRONG,
        "PODOPS_SUBSCRIBER_RATE_LIMIT": "30",
        "PODOPS_SUBSCRIBER_MAX_IPS": "5",
        "PODOPS_ANALYTICS_INTERVAL": "60",
        "PODOPS_ANALYTICS_RAW_DAYS": "30",
        "PODOPS_METRICS_DIR": str(tmp_path / "prometheus"),
        "PODOPS_METRICS_TOKEN": "scrape-" + "m" * 40,
        "PODOPS_WORKER_METRICS_PORT": "9100",
        "PODOPS_TRACES_ENDPOINT": "http://collector:4318/v1/traces",
    }
    assert sorted(given) == sorted(variable.name for variable in VARIABLES)
    settings = Settings.from_env(given)
    default = Settings.from_env({})
    unread = [
        variable.name
        for variable, declared in zip(VARIABLES, fields(Settings), strict=True)
        if getattr(settings, declared.name) == getattr(default, declared.name)
    ]
    assert unread == []
    assert Settings.from_env(process_env(settings)) == settings


def test_a_worker_sizes_its_item_cache_by_the_setting(tmp_path: Path) -> None:
    from podops.publish.pipeline import item_cache

    settings = Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path), "PODOPS_BUILD_CACHE_MB": "3"})
    cache = item_cache(settings.build_cache_mb)
    assert cache.max_bytes == 3 * 1024 * 1024
    assert item_cache(settings.build_cache_mb) is cache  # one cache, kept between builds
    default = Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path)})
    assert item_cache(default.build_cache_mb).max_bytes == 64 * 1024 * 1024
