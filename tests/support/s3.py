"""moto's standalone S3 server, for the storage contract suite and the S3 delivery tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import httpx
import pytest

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

S3_REGION = "us-east-1"


def s3_environment(endpoint: str, bucket: str, prefix: str) -> dict[str, str]:
    """The settings' variables of a podops that keeps its objects under `prefix` in `bucket`
    on the moto server at `endpoint`: `make_settings(tmp_path, **s3_environment(…))`."""
    return {
        "PODOPS_STORAGE_URL": f"s3://{bucket}/{prefix}",
        "PODOPS_S3_ENDPOINT_URL": endpoint,
        "PODOPS_S3_PATH_STYLE": "true",
        "PODOPS_S3_REGION": S3_REGION,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a moto S3 server running in its own process for the whole session."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-p", str(port), "-H", "127.0.0.1"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(endpoint, process, log_path)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"moto server exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            httpx.get(url, timeout=1)  # any HTTP answer will do
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return
    pytest.fail(f"moto server did not answer at {url} within 30 s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def s3_client(moto_endpoint: str) -> Iterator[S3Client]:
    """A raw boto3 client on the moto server, to set up and to look behind the backend."""
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=S3_REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def s3_bucket(s3_client: S3Client) -> str:
    name = f"podops-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


def use_dummy_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give boto3's standard chain fake credentials, and nothing of the developer's own."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in (
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
    ):
        monkeypatch.delenv(name, raising=False)


def empty_bucket(client: S3Client, bucket: str) -> None:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects: list[ObjectIdentifierTypeDef] = [
            {"Key": item["Key"]} for item in page.get("Contents", [])
        ]
        if objects:
            client.delete_objects(Bucket=bucket, Delete={"Objects": objects})
    for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
