"""`podops`: the server-side command line — serve, migrate, run workers, sweep."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

import click
import uvicorn
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from podops import migrate
from podops.auth.scopes import parse_scopes
from podops.auth.users import UserError, create_user, deactivate_user, find_user, list_users
from podops.db import Database, DatabaseUnavailableError
from podops.logs import configure_logging
from podops.settings import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from podops.models import User

logger = logging.getLogger("podops.cli")

WORKER_STOP_SECONDS = 30


def load_settings(*, secret: bool = True) -> Settings:
    """Settings from the environment, with a usable secret (unless the command signs and
    checks no tokens), or a clean exit saying what to set."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    configure_logging(settings.log_level, settings.log_format)
    if settings.embedded_broker:
        logging.getLogger("kombu.connection").addFilter(_without_hostname_warning)
    return with_secret(settings) if secret else settings


def _without_hostname_warning(record: logging.LogRecord) -> bool:
    # kombu warns that the broker URL names no host; the embedded broker (local files) has
    # none to name, so on every start the warning was only noise.
    return not record.getMessage().startswith("No hostname was supplied")


def with_secret(settings: Settings) -> Settings:
    """`settings` able to sign and check tokens (in development this may write the secret
    and the installation's identity into the data directory), or a clean exit."""
    try:
        return settings.with_secret()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@click.group()
@click.version_option(package_name="podops")
def main() -> None:
    """podops: podcast production and RSS build service."""


@main.command()
@click.option("--host", help="Interface to listen on [PODOPS_HOST].")
@click.option("--port", type=int, help="Port to listen on [PODOPS_PORT].")
@click.option("--no-worker", is_flag=True, help="Do not start a worker beside the API.")
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Run the API and a worker together (the embedded defaults need nothing else).

    With SQLite the schema is migrated first; on another database run `podops db upgrade`
    before (the Procfile's release step). Ctrl-C or SIGTERM stops both; the worker also
    stops if this process is killed outright.
    """
    settings = load_settings()
    _prepare_schema(settings)
    worker = None if no_worker else _start_worker(settings, beat=True)
    server = _server(settings, host or settings.host, port or settings.port)
    if worker is not None:
        threading.Thread(target=_watch_worker, args=(worker, server), daemon=True).start()
    try:
        _run_until_signalled(server)
    finally:
        if worker is not None:
            _stop_worker(worker)
    if worker is not None and worker.returncode not in (0, -signal.SIGTERM):
        raise SystemExit(1)


@main.command()
@click.option("--host", help="Interface to listen on [PODOPS_HOST].")
@click.option("--port", type=int, help="Port to listen on [PORT, else PODOPS_PORT].")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="WEB_CONCURRENCY",
    default=1,
    show_default=True,
    help="API processes sharing the port [WEB_CONCURRENCY].",
)
def web(host: str | None, port: int | None, workers: int) -> None:
    """Run the API only (production: the Procfile's web process).

    SIGTERM or Ctrl-C stops taking connections, lets requests in flight finish for up to
    PODOPS_SHUTDOWN_TIMEOUT seconds, then exits.
    """
    settings = load_settings(secret=False)
    _require_current_schema(settings)
    settings = with_secret(settings)
    host, port = host or settings.host, port or settings.port
    if workers == 1:
        _run_until_signalled(_server(settings, host, port))
        return
    # uvicorn starts each worker process afresh (multiprocessing's spawn): it imports
    # `web_app` by name, which reads the settings from the environment again. Put the
    # address as given here in that environment, so every process agrees with this one.
    os.environ.pop("PORT", None)
    os.environ.update(PODOPS_HOST=host, PODOPS_PORT=str(port))
    config = _config("podops.cli:web_app", settings, host, port, workers=workers)
    # The supervisor turns SIGINT/SIGTERM into SIGTERM for each worker, which shuts down
    # gracefully, and replaces a worker that dies.
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def web_app() -> Starlette:
    """The API app of one `podops web --workers N` process (uvicorn calls it by name)."""
    from podops.api import create_app

    return create_app(load_settings())


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--beat", is_flag=True, help="Also run the periodic sweeper in this process.")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this file once the worker takes tasks (a readiness signal).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(min=0, max=65535),
    help="Answer GET /metrics on this port of PODOPS_HOST (0: not at all) "
    "[PODOPS_WORKER_METRICS_PORT].",
)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(
    beat: bool, ready_file: Path | None, metrics_port: int | None, celery_args: tuple[str, ...]
) -> None:
    """Run a Celery worker (production: the Procfile's worker process).

    Arguments after the options go to Celery's worker as they are.
    """
    from podops.metrics_endpoint import MetricsEndpoint
    from workers.app import create_celery_app

    settings = load_settings(secret=False)
    if settings.env == "development":
        # Development machines and containers often run as root; in production the image
        # runs as a user of its own, and there the warning is worth seeing.
        warnings.filterwarnings(
            "ignore", message="You're running the worker with superuser privileges"
        )
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)
    app = create_celery_app(settings, ready_file=ready_file)
    port = settings.worker_metrics_port if metrics_port is None else metrics_port
    endpoint = None
    if port:
        # After create_celery_app, which points this process's samples at the directory.
        try:
            endpoint = MetricsEndpoint(settings.host, port, token=settings.metrics_token)
        except OSError as error:
            raise click.ClickException(
                f"cannot answer /metrics on {settings.host}:{port}: {error.strerror}"
            ) from None
        endpoint.start()
    try:
        app.worker_main(argv=[*_worker_argv(settings, beat), *celery_args])
    finally:
        if endpoint is not None:
            endpoint.stop()


@main.command()
def beat() -> None:
    """Run the periodic scheduler that sweeps stuck operations (one per deployment)."""
    from workers.app import create_celery_app

    settings = load_settings(secret=False)
    app = create_celery_app(settings)
    app.start(
        ["beat", "--schedule", str(_beat_schedule(settings)), "--loglevel", settings.log_level]
    )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    settings = load_settings(secret=False)
    database = Database(settings.database_url)
    try:
        database.check()
        migrate.upgrade(database, revision)
        click.echo(f"database at revision {migrate.current_revision(database)}")
    except DatabaseUnavailableError as error:
        raise click.ClickException(f"database unreachable: {error}") from None
    finally:
        database.dispose()


@db.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one known."""
    settings = load_settings(secret=False)
    _require_database_file(settings)
    database = Database(settings.database_url)
    try:
        current = migrate.current_revision(database)
    finally:
        database.dispose()
    click.echo(
        f"current: {current or '(empty)'}  head: {migrate.head_revision(settings.database_url)}"
    )


@main.group()
def ops() -> None:
    """Background operations."""


@ops.command("sweep")
def ops_sweep() -> None:
    """Re-send operations stuck in Busy now (the beat process does this periodically)."""
    from podops.jobs import Jobs

    with _database() as database:
        jobs = Jobs(load_settings(secret=False), database)
        try:
            report = jobs.sweep()
        finally:
            jobs.close()
    click.echo(f"re-sent {len(report.resend)}, failed {len(report.failed)}")


@main.group()
def analytics() -> None:
    """Download analytics."""


@analytics.command("count")
def analytics_count() -> None:
    """Count the downloads logged so far now, instead of waiting for the beat's next run."""
    from podops.analytics.aggregate import count_now

    settings = load_settings(secret=False)
    with _database(settings) as database:
        report = count_now(database, keep_raw_days=settings.analytics_raw_days)
    click.echo(
        f"counted {report.downloads} downloads in {report.events} events; pruned "
        f"{report.pruned_events} events, {report.pruned_listeners} listener days"
    )


@main.group()
def config() -> None:
    """Configuration."""


@config.command("example")
@click.option("--markdown", is_flag=True, help="The README's table instead.")
def config_example(markdown: bool) -> None:
    """Print every variable with its default and meaning (deploy/env.example)."""
    from podops.settings import render_env_example, render_markdown_table

    click.echo(render_markdown_table() if markdown else render_env_example(), nl=False)


@main.group()
def users() -> None:
    """Users: who owns productions and is given tokens."""


@users.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="May be granted api:admin.")
def users_create(email: str, admin: bool) -> None:
    """Create a user."""
    with _database() as database, database.session() as session:
        try:
            user = create_user(session, email, admin=admin)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"created {user.email} (id {user.id}{', admin' if admin else ''})")


@users.command("list")
def users_list() -> None:
    """List users."""
    with _database() as database, database.session() as session:
        for user in list_users(session):
            flags = ", ".join(
                flag
                for flag, on in (("admin", user.is_admin), ("deactivated", not user.active))
                if on
            )
            click.echo(f"{user.id}  {user.email}" + (f"  ({flags})" if flags else ""))


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Deactivate a user: every token of theirs stops working within seconds."""
    with _database() as database, database.session() as session:
        try:
            user = deactivate_user(session, email)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"deactivated {user.email}")


@main.group()
def token() -> None:
    """Access tokens."""


@token.command("create")
@click.option("--user", "user_key", required=True, help="Email address or id of the user.")
@click.option(
    "--scope",
    "scope_text",
    required=True,
    multiple=True,
    help="Scope to grant (repeat, or space-separated), e.g. production:read.",
)
@click.option("--production", help="Restrict the token to this production.")
@click.option("--expires", type=int, help="Lifetime in seconds [PODOPS_TOKEN_TTL].")
def token_create(
    user_key: str, scope_text: tuple[str, ...], production: str | None, expires: int | None
) -> None:
    """Issue a token (printed once, on standard output) — e.g. the first admin token."""
    from podops.auth.authenticator import Authenticator
    from podops.errors import ApiError

    settings = load_settings(secret=False)
    try:
        scopes = parse_scopes(" ".join(scope_text))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    with _database(settings) as database, database.session() as session:
        user = find_user(session, user_key)
        if user is None:
            raise click.ClickException(f"no user {user_key}")
        _check_production(session, user, production)
        try:
            issued, claims = Authenticator(with_secret(settings), database).issue(
                session, user, scopes=scopes, ttl=expires, production=production
            )
        except ApiError as error:
            raise click.ClickException(error.message) from None
    click.echo(issued)
    click.echo(
        f"jti {claims.jti}, expires {claims.exp}, scope {' '.join(sorted(scopes))}", err=True
    )


@main.group("serviceaccount")
def service_account() -> None:
    """Service accounts: credentials a machine exchanges for short-lived tokens."""


@service_account.command("create")
@click.option("--user", "user_key", required=True, help="The user it acts for.")
@click.option("--name", required=True, help="What it is for, e.g. 'CI of my-show'.")
@click.option("--scope", "scope_text", required=True, multiple=True)
@click.option("--production", help="Restrict its tokens to this production.")
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the credential file (mode 0600).",
)
def service_account_create(
    user_key: str, name: str, scope_text: tuple[str, ...], production: str | None, output: Path
) -> None:
    """Create a service account and write its credential file (the only copy of its key)."""
    import json

    from podops.auth.service_accounts import create_service_account

    settings = load_settings(secret=False)
    try:
        scopes = parse_scopes(" ".join(scope_text))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if output.exists():
        raise click.ClickException(f"{output} exists; choose another file")
    with _database(settings) as database, database.session() as session:
        user = find_user(session, user_key)
        if user is None:
            raise click.ClickException(f"no user {user_key}")
        _check_production(session, user, production)
        account, credentials = create_service_account(
            session,
            user,
            name=name,
            scopes=scopes,
            production=production,
            token_uri=settings.base_url + "/_a/token/exchange",
        )
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(credentials, handle, indent=2)
    click.echo(f"created {account.client_id}; credentials in {output}")


def _check_production(session: Session, user: User, production: str | None) -> None:
    """A token restricted to `production` is of use only if the user may reach it: refuse one
    that does not exist or is someone else's (an admin reaches every production)."""
    if production is None:
        return
    from sqlalchemy import select

    from podops.models import Production

    owner = session.scalar(select(Production.owner_id).where(Production.name == production))
    if owner is None or (owner != user.id and not user.is_admin):
        raise click.ClickException(
            f"no production {production} of {user.email}: create it first (po create)"
        )


@contextlib.contextmanager
def _database(settings: Settings | None = None) -> Iterator[Database]:
    """The database of `settings`, which must exist with the current schema; else a clean
    exit saying what to do (and no directory or file made on the way)."""
    settings = settings or load_settings(secret=False)
    _require_current_schema(settings)
    database = Database(settings.database_url)
    try:
        yield database
    finally:
        database.dispose()


def _require_database_file(settings: Settings) -> None:
    """Exit cleanly when the SQLite file is missing: opening it would make it, and its
    directory, wherever the command happened to run."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    if not Path(url.database).exists():
        raise click.ClickException(
            f"no database at {url.database}: run `podops db upgrade` (or `podops serve`) "
            "to make it, or point PODOPS_DATA_DIR or PODOPS_DATABASE_URL at an existing one"
        )


def _prepare_schema(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite"):
        database = Database(settings.database_url)
        try:
            migrate.upgrade(database)
        finally:
            database.dispose()
    else:
        _require_current_schema(settings)


def _require_current_schema(settings: Settings) -> None:
    _require_database_file(settings)
    database = Database(settings.database_url)
    # Reading the revision makes alembic log its dialect at INFO: not news on every command.
    alembic_log = logging.getLogger("alembic.runtime.migration")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        current = migrate.current_revision(database)
    except Exception as error:
        raise click.ClickException(f"database unreachable: {error}") from None
    finally:
        alembic_log.setLevel(level)
        database.dispose()
    head = migrate.head_revision(settings.database_url)
    if current != head:
        raise click.ClickException(
            f"database schema is at {current or '(empty)'}, this podops needs {head}: "
            "run `podops db upgrade`"
        )


def _config(
    app: Starlette | str, settings: Settings, host: str, port: int, *, workers: int = 1
) -> uvicorn.Config:
    """uvicorn's configuration: an app, or the name of a factory of one for several workers."""
    return uvicorn.Config(
        app,
        factory=isinstance(app, str),
        workers=workers,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_config=None,
        access_log=False,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )


def _server(settings: Settings, host: str, port: int) -> uvicorn.Server:
    from podops.api import create_app

    return uvicorn.Server(_config(create_app(settings), settings, host, port))


class _TerminatedError(Exception):
    """SIGTERM arrived: stop the way Ctrl-C stops."""


def _raise_terminated(signum: int, frame: FrameType | None) -> NoReturn:
    raise _TerminatedError


def _run_until_signalled(server: uvicorn.Server) -> None:
    """Run until SIGINT or SIGTERM, and return normally after uvicorn's graceful shutdown.

    uvicorn handles both signals itself, then raises the signal again for the handler that was
    there before it: with the default SIGTERM handler that kills the process on the spot, and
    `podops serve`'s `finally`, which stops its worker, would never run.
    """
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        server.run()
    except (KeyboardInterrupt, _TerminatedError):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def _worker_argv(settings: Settings, beat: bool) -> list[str]:
    argv = [
        "worker",
        "--queues",
        settings.task_queue,
        "--concurrency",
        str(settings.worker_concurrency),
        "--loglevel",
        settings.log_level,
        # Gossip, mingle and heartbeats need broadcast, which the embedded broker lacks,
        # and podops does not use them.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat:
        argv += ["--beat", "--schedule", str(_beat_schedule(settings))]
    return argv


def _beat_schedule(settings: Settings) -> Path:
    schedule = settings.data_dir / "celerybeat-schedule"
    schedule.parent.mkdir(parents=True, exist_ok=True)
    return schedule


def _start_worker(settings: Settings, *, beat: bool) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PODOPS_DATA_DIR=str(settings.data_dir))
    command = [sys.executable, "-m", "podops.cli", "worker", *(["--beat"] if beat else [])]
    die_with_us = _terminate_when_parent_dies(os.getpid()) if sys.platform == "linux" else None
    process = subprocess.Popen(command, env=env, preexec_fn=die_with_us)
    logger.info("worker started", extra={"pid": process.pid})
    return process


_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def _terminate_when_parent_dies(parent: int) -> Callable[[], None]:
    """For the worker child, between fork and exec: have Linux send it SIGTERM (a warm
    shutdown) when `podops serve` dies, even by SIGKILL, so no worker is ever orphaned."""

    def arrange() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


def _watch_worker(worker: subprocess.Popen[bytes], server: uvicorn.Server) -> None:
    """Stop the API when the worker dies on its own: half a service should not look whole."""
    code = worker.wait()
    if not server.should_exit:
        logger.error("worker exited, stopping", extra={"returncode": code})
        server.should_exit = True


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the task at hand
        try:
            worker.wait(WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    logger.info("worker stopped", extra={"returncode": worker.returncode})


if __name__ == "__main__":  # pragma: no cover
    main()
