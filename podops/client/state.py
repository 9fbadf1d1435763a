"""What every `po` command shares: the API and credentials in effect, the output format, and
turning API errors into messages that say what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from podops.client.api import ApiError, Client
from podops.client.config import Config, ConfigError, Context, load
from podops.client.output import Output

DEFAULT_API = "http://127.0.0.1:8000"

# Operation error codes whose fix is a setting of the server's.
OPERATION_HINTS = {
    "podops.fetch.blocked_address": (
        "the server refuses to fetch from private addresses; its operator can allow this "
        "host (or range) with PODOPS_FETCH_ALLOW"
    ),
}


@dataclass
class State:
    """The group's options, and the client they make (built on first use)."""

    api: str | None = None
    token: str | None = None
    credentials: Path | None = None
    context_name: str | None = None
    output: Output = field(default_factory=Output)
    _config: Config | None = None
    _client: Client | None = None

    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load()
            except ConfigError as error:
                raise click.ClickException(str(error)) from None
        return self._config

    def context(self) -> Context | None:
        """The context in effect: `--context` / PO_CONTEXT, else the current one."""
        try:
            return self.config().context(self.context_name)
        except ConfigError as error:
            raise click.ClickException(str(error)) from None

    def api_url(self) -> str:
        context = self.context()
        return (self.api or (context.api if context else None) or DEFAULT_API).rstrip("/")

    def client(self, *, authenticated: bool = True) -> Client:
        """The client for the API in effect; without credentials a command that needs them
        stops here, saying how to provide them."""
        if self._client is not None:
            return self._client
        api, context = self.api_url(), self.context()
        token, credentials = self.token, self.credentials
        stored: dict[str, str] | Path | None = credentials
        # A context's secrets go to its own API only.
        if token is None and credentials is None and context and context.api.rstrip("/") == api:
            token, stored = context.token, context.credentials
        if authenticated and token is None and stored is None:
            raise click.ClickException(missing_token_message(api, context))
        self._client = Client(api, token=token, credentials=stored, on_retry=_tell_retry)
        click.get_current_context().call_on_close(self._client.close)
        return self._client


def missing_token_message(api: str, context: Context | None) -> str:
    lines = [
        f"no token for {api}: set PO_TOKEN (or --token), PO_CREDENTIALS for a service "
        "account, or run `po login` to keep one in a context"
    ]
    if context is not None and context.api.rstrip("/") != api:
        lines.append(
            f"(context {context.name!r} is for {context.api}; its token is not sent elsewhere)"
        )
    return "\n".join(lines)


def _tell_retry(status: int, seconds: float) -> None:
    reason = "rate limited" if status == 429 else "service unavailable"
    click.echo(f"… {reason} ({status}); retrying in {seconds:.1f} s", err=True)


def error_message(error: ApiError, source: str | None = None) -> str:
    """The error, every field the server named, and a hint where one helps."""
    lines = [f"{source}: {error}" if source else str(error)]
    extra = [item for item in error.errors if item["message"] != error.message]
    if len(error.errors) > 1 or extra:
        lines.extend(f"  {item['field']}: {item['message']}" for item in error.errors)
    hint = error.hint or hint_for(error.status, error.code)
    if hint:
        lines.append(f"hint: {hint}")
    return "\n".join(lines)


def hint_for(status: int, code: str) -> str | None:
    if status == 401:
        return "the token is missing, expired or revoked: run `po login`, or set PO_TOKEN"
    if status == 403:
        return "`po whoami` shows the scopes of the token in use"
    if status == 429:
        return "still rate limited after retrying; the server's limit is PODOPS_RATE_LIMIT"
    if code == "podops.client.unreachable":
        return "is the server running? Point po at it with PO_API or `po login --api URL`"
    return OPERATION_HINTS.get(code)


def fail(error: ApiError, source: str | None = None) -> click.ClickException:
    return click.ClickException(error_message(error, source))


def call(state: State, method: str, path: str, **kwargs: Any) -> Any:
    """One API request; an error the API answers stops the command with its message."""
    try:
        return state.client().request(method, path, **kwargs)
    except ApiError as error:
        raise fail(error) from None


def operation_error(operation: dict[str, Any]) -> str:
    """The message for a Failed operation, with a hint where its code has one."""
    error = operation.get("error") or {}
    code, message = str(error.get("code", "")), str(error.get("message", ""))
    line = f"{operation.get('kind', 'operation')} {operation.get('id')} failed: {code}: {message}"
    hint = OPERATION_HINTS.get(code)
    return f"{line}\nhint: {hint}" if hint else line


pass_state = click.make_pass_decorator(State)


def set_format(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(State).output.format = value


def set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(State).output.quiet = True


def output_options(command: Any) -> Any:
    """`-o/--output` and `-q/--quiet` on a command (they may also come before it)."""
    from podops.client.output import FORMATS

    command = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=set_quiet,
        help="Print only names or ids.",
    )(command)
    return click.option(
        "-o",
        "--output",
        type=click.Choice(FORMATS),
        expose_value=False,
        callback=set_format,
        help="table (default), json or yaml.",
    )(command)
