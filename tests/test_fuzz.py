"""Fuzzing (issue 18): no input makes a 5xx. Seeded and bounded, so CI stays quick and a
failure reproduces.

- hypothesis on the parsers every request goes through: bodies (JSON, YAML), integers in
  queries and headers, byte ranges, list cursors. Each returns or raises the 400 of the API,
  nothing else.
- schemathesis against the app's own OpenAPI document (`/api-spec/v1`), in-process over ASGI
  with an admin token: no response of any operation is a 5xx.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from starlette.applications import Starlette

from podops.api import create_app
from podops.api.bodies import _parse_json, _parse_yaml, check_data
from podops.api.delivery import byte_range
from podops.auth import ALL_SCOPES
from podops.errors import BadRequestError
from podops.services.resources import decode_cursor
from podops.settings import Settings
from podops.untrusted import ascii_int
from tests.support.auth import token_for

FUZZ = settings(max_examples=300, derandomize=True, deadline=None)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(alphabet="0123456789²¹³\u0661\u0662+-. eE", max_size=30),
    st.just("9" * 5000),
)


@FUZZ
@given(st.one_of(st.binary(max_size=300), NUMBERS.map(str.encode), st.text().map(str.encode)))
def test_json_bodies_parse_or_are_400(raw: bytes) -> None:
    with contextlib.suppress(BadRequestError):
        check_data(_parse_json(raw))


YAML_SCALARS = st.sampled_from(
    ["2024-13-45", "!!float abc", "!!timestamp 2024-99-99", "!!int x", "9" * 5000, ".nan", "~"]
)


@FUZZ
@given(st.one_of(st.binary(max_size=300), YAML_SCALARS.map(lambda value: f"a: {value}".encode())))
def test_yaml_bodies_parse_or_are_400(raw: bytes) -> None:
    with contextlib.suppress(BadRequestError):
        check_data(_parse_yaml(raw))


@FUZZ
@given(NUMBERS, st.integers(min_value=1, max_value=20))
def test_query_integers_are_ascii_and_bounded(text: str, digits: int) -> None:
    value = ascii_int(text, max_digits=digits)
    assert value is None or 0 <= value < 10**digits


@FUZZ
@given(
    st.one_of(
        st.none(),
        st.text(max_size=40),
        st.builds(lambda a, b: f"bytes={a}-{b}", NUMBERS | st.just(""), NUMBERS | st.just("")),
    ),
    st.integers(min_value=0, max_value=2**40),
)
def test_byte_ranges_are_within_the_object_or_ignored(header: str | None, size: int) -> None:
    wanted = byte_range(header, size)
    if isinstance(wanted, tuple):
        first, last = wanted
        assert 0 <= first <= last < size


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=200).map(lambda raw: raw.hex())))
def test_cursors_decode_or_are_400(text: str) -> None:
    with contextlib.suppress(BadRequestError):
        decode_cursor(text)


@pytest.fixture
def fuzzed_app(settings: Settings) -> Iterator[tuple[Starlette, str]]:
    app = create_app(settings)
    token = token_for(
        app.state.context, "fuzz@example.com", " ".join(sorted(ALL_SCOPES)), admin=True
    )
    try:
        yield app, token
    finally:
        app.state.context.close()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")  # schemathesis' own deprecations are not ours to fix
def test_no_operation_answers_a_5xx(fuzzed_app: tuple[Starlette, str]) -> None:
    app, token = fuzzed_app
    schema = schemathesis.openapi.from_asgi("/api-spec/v1", app)
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy()

        @settings(
            max_examples=10,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(strategy)
        def check(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()
    assert calls > 100  # the run reached the operations
    assert failures == []
