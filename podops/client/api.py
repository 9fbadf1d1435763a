"""A small Python client for the podops API, used by `po` and usable from scripts.

Credentials: a bearer token (`PO_TOKEN`), or a service-account credential file
(`PO_CREDENTIALS`) that is exchanged for a short-lived token on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from podops.client.credentials import GRANT_TYPE, read_credentials, sign_assertion


class ApiError(Exception):
    """The API answered with an error (or could not be reached)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}" if status else message)
        self.status = status
        self.code = code
        self.message = message


class Client:
    def __init__(
        self,
        api: str,
        *,
        token: str | None = None,
        credentials: Path | None = None,
        timeout: float = 30,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api = api.rstrip("/")
        self._token = token
        self._credentials = credentials
        self._http = httpx.Client(base_url=self.api, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        token = self._bearer()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise ApiError(
                0, "podops.client.unreachable", f"cannot reach {self.api}: {error}"
            ) from None
        return _body(response)

    def _bearer(self) -> str | None:
        if self._token is None and self._credentials is not None:
            self._token = self.exchange(self._credentials)
        return self._token

    def exchange(self, path: Path) -> str:
        """Trade a service account's credential file for a short-lived access token."""
        try:
            assertion = sign_assertion(read_credentials(path))
        except (OSError, ValueError, TypeError) as error:
            raise ApiError(
                0, "podops.client.bad_credentials", f"cannot use credentials {path}: {error}"
            ) from None
        try:
            response = self._http.post(
                "/_a/token/exchange", data={"grant_type": GRANT_TYPE, "assertion": assertion}
            )
        except httpx.HTTPError as error:
            raise ApiError(
                0, "podops.client.unreachable", f"cannot reach {self.api}: {error}"
            ) from None
        return str(_body(response)["access_token"])


def _body(response: httpx.Response) -> Any:
    if response.status_code == 204:
        return None
    is_json = response.headers.get("content-type", "").startswith("application/json")
    body = response.json() if is_json else {"message": response.text}
    if response.is_error:
        raise ApiError(
            response.status_code, str(body.get("code", "")), str(body.get("message", ""))
        )
    return body
