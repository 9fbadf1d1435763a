"""A small Python client for the podops API, used by `po` and usable from scripts.

Credentials: a bearer token, or a service account's credentials (its file's content) that are
exchanged for a short-lived token on first use.

Requests the server refused for now (429 rate limited, 503 a dependency down) are sent again
after the server's `Retry-After` (else an exponential backoff), with jitter so many clients do
not return in step. Every POST carries an `Idempotency-Key`, the same on each retry, so a
create that did happen is replayed by the server rather than made twice.

    ApiError          the API answered with an error, or could not be reached
"""

from __future__ import annotations

import random
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podops.client.credentials import GRANT_TYPE, read_credentials, sign_assertion

if TYPE_CHECKING:
    import httpx

RETRIED_STATUSES = frozenset({429, 503})
DEFAULT_RETRIES = 8
# No single wait is longer than this, whatever Retry-After says (a window is one minute).
MAX_WAIT_SECONDS = 120.0


class ApiError(Exception):
    """The API answered with an error (or could not be reached).

    `errors` lists every `{"field", "message"}` the server named (one for most errors).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}" if status else message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or []
        self.hint = hint


RetryNotice = Callable[[int, float], None]


class Client:
    """The podops API at `api`, as the caller given by `token` or service-account `credentials`.

    `on_retry(status, seconds)` is told before each wait; `sleep` is `time.sleep` but for tests.
    """

    def __init__(
        self,
        api: str,
        *,
        token: str | None = None,
        credentials: Path | dict[str, str] | None = None,
        timeout: float = 30,
        transport: httpx.BaseTransport | None = None,
        retries: int = DEFAULT_RETRIES,
        on_retry: RetryNotice | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        import httpx  # ~70 ms: paid by commands that talk to the API, not by `po --help`

        self.api = api.rstrip("/")
        self._token = token
        self._credentials = credentials
        self._retries = retries
        self._on_retry = on_retry
        self._sleep = sleep or time.sleep
        self._http = httpx.Client(base_url=self.api, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """The decoded JSON body (None for 204); `ApiError` for an error answer."""
        return _body(self.send(method, path, **kwargs))

    def write(self, method: str, path: str, **kwargs: Any) -> tuple[Any, list[str]]:
        """`request` for a document write: the body, and what the server warned of (a
        build would find it in the document: the `Warning` header's texts)."""
        response = self.send(method, path, **kwargs)
        return _body(response), warnings_of(response)

    def send(
        self, method: str, path: str, *, authenticated: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """The response, after retrying 429 and 503; `ApiError` when unreachable."""
        import httpx

        headers = dict(kwargs.pop("headers", {}))
        if method == "POST":
            headers.setdefault("Idempotency-Key", secrets.token_hex(16))
        token = self._bearer() if authenticated else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        content = kwargs.get("content")
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as error:
                raise ApiError(
                    0, "podops.client.unreachable", f"cannot reach {self.api}: {error}"
                ) from None
            if response.status_code not in RETRIED_STATUSES or attempt >= self._retries:
                return response
            rewind = getattr(content, "seek", None)
            if content is not None and not isinstance(content, bytes | str) and rewind is None:
                return response  # a one-shot stream cannot be sent again
            attempt += 1
            wait = retry_delay(response, attempt)
            if self._on_retry is not None:
                self._on_retry(response.status_code, wait)
            self._sleep(wait)
            if rewind is not None:
                rewind(0)

    def _bearer(self) -> str | None:
        if self._token is None and self._credentials is not None:
            self._token = self.exchange(self._credentials)
        return self._token

    def exchange(self, credentials: Path | dict[str, str]) -> str:
        """Trade a service account's credentials (or their file) for a short-lived token."""
        try:
            content = (
                read_credentials(credentials) if isinstance(credentials, Path) else credentials
            )
            assertion = sign_assertion(content)
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise ApiError(
                0,
                "podops.client.bad_credentials",
                f"cannot use credentials {credentials if isinstance(credentials, Path) else ''}"
                f": {error}",
            ) from None
        response = self.send(
            "POST",
            "/_a/token/exchange",
            data={"grant_type": GRANT_TYPE, "assertion": assertion},
            authenticated=False,
        )
        return str(_body(response)["access_token"])


def retry_delay(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait before retry `attempt` (1, 2, …): Retry-After when the server said,
    else 1, 2, 4 … seconds, each plus up to a tenth (at least 0.1 s) of jitter."""
    said = response.headers.get("retry-after", "")
    base = float(said) if said.isdigit() else float(min(2 ** (attempt - 1), 60))
    jitter = random.uniform(0, max(0.1, base / 10))  # noqa: S311 — spreading, not secrecy
    return min(base + jitter, MAX_WAIT_SECONDS)


# One warning-value of RFC 7234's `Warning` header: code, agent, quoted text.
_WARNING_VALUE = re.compile(r'\d{3} \S+ "((?:[^"\\]|\\.)*)"')
_QUOTED_PAIR = re.compile(r"\\(.)")


def warnings_of(response: httpx.Response) -> list[str]:
    """The texts of the response's `Warning` header, unquoted."""
    value = response.headers.get("warning", "")
    return [_QUOTED_PAIR.sub(r"\1", match.group(1)) for match in _WARNING_VALUE.finditer(value)]


def _body(response: httpx.Response) -> Any:
    if response.status_code == 204:
        return None
    is_json = response.headers.get("content-type", "").startswith("application/json")
    body = response.json() if is_json else {"message": response.text}
    if response.is_error:
        raise error_of(response.status_code, body)
    return body


def error_of(status: int, body: Any) -> ApiError:
    """The `ApiError` for an error body in the API's shape
    (`{"code", "message", "field"?, "errors"?: [{"field", "message"}]}`)."""
    if not isinstance(body, dict):
        body = {"message": str(body)}
    errors = [
        {"field": str(item.get("field", "")), "message": str(item.get("message", ""))}
        for item in body.get("errors") or []
        if isinstance(item, dict)
    ]
    if not errors and body.get("field"):
        errors = [{"field": str(body["field"]), "message": str(body.get("message", ""))}]
    return ApiError(status, str(body.get("code", "")), str(body.get("message", "")), errors=errors)
