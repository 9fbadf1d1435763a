"""Sending a body to a URL under the same rules that guard a fetch: a webhook's POST.

    check_url(url, policy)                          vet now: scheme, host, every address
    post(url, content, content_type=..., headers=..., policy=...) -> int   the 2xx status

The URL is vetted as a fetch's is (no private addresses unless the policy allows them) and
the request goes to the very address vetted. Redirects are not followed: a receiver that
answers one has not taken the message, and following it would send the body somewhere its
sender never named. Any status but 2xx raises, as a fetch's would: 408, 429 and 5xx as
`RetryableStatusError` (transient), the rest as `StatusError`.
"""

from __future__ import annotations

from collections.abc import Mapping

from podops.fetch._deadline import Deadline
from podops.fetch._exchange import exchange, status_error
from podops.fetch._vet import parse_url, vet_url
from podops.fetch.errors import FetchError, StatusError
from podops.fetch.policy import FetchPolicy

__all__ = ["check_url", "post"]


def check_url(url: str, policy: FetchPolicy) -> None:
    """Raise the fetch error a request to `url` would meet before connecting (a scheme not
    allowed, a private address, a name that does not resolve); nothing when it may go."""
    try:
        vet_url(parse_url(url), policy, Deadline(policy.connect_timeout))
    except FetchError as error:
        error.url = error.url or url
        raise


def post(
    url: str,
    content: bytes,
    *,
    content_type: str,
    headers: Mapping[str, str],
    policy: FetchPolicy,
) -> int:
    """POST `content` to `url`, vetted now; the status when it is 2xx, else a `FetchError`."""
    deadline = Deadline(policy.total_timeout)
    try:
        target = vet_url(parse_url(url), policy, deadline)
        sent = [
            (b"Content-Type", content_type.encode("latin-1")),
            (b"Content-Length", str(len(content)).encode("ascii")),
            *((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()),
        ]
        with exchange("POST", target, policy, deadline, headers=sent, content=content) as answer:
            status = answer.status
            if 200 <= status <= 299:
                return status
            if 300 <= status <= 399:
                raise StatusError(f"answered {status}; redirects are not followed", status=status)
            raise status_error(status, answer.headers)
    except FetchError as error:
        error.url = error.url or url
        raise
