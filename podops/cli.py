"""`podops`: the server-side command line — serve, migrate, run workers, sweep."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import uvicorn

from podops import migrate
from podops.auth.scopes import parse_scopes
from podops.auth.users import UserError, create_user, deactivate_user, find_user, list_users
from podops.db import Database, DatabaseUnavailableError
from podops.logs import configure_logging
from podops.settings import Settings, SettingsError

logger = logging.getLogger("podops.cli")

WORKER_STOP_SECONDS = 30


def load_settings(*, secret: bool = True) -> Settings:
    """Settings from the environment, with a usable secret (unless the command signs and
    checks no tokens), or a clean exit saying what to set."""
    try:
        settings = Settings.from_env()
        if secret:
            settings = settings.with_secret()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    configure_logging(settings.log_level, settings.log_format)
    return settings


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
    before (the Procfile's release step). Ctrl-C stops both.
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
@click.option("--port", type=int, help="Port to listen on [PODOPS_PORT].")
def web(host: str | None, port: int | None) -> None:
    """Run the API only (production: the Procfile's web process)."""
    settings = load_settings()
    _require_current_schema(settings)
    _run_until_signalled(_server(settings, host or settings.host, port or settings.port))


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--beat", is_flag=True, help="Also run the periodic sweeper in this process.")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this file once the worker takes tasks (a readiness signal).",
)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(beat: bool, ready_file: Path | None, celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker (production: the Procfile's worker process).

    Arguments after the options go to Celery's worker as they are.
    """
    from workers.app import create_celery_app

    settings = load_settings(secret=False)
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)
    app = create_celery_app(settings, ready_file=ready_file)
    app.worker_main(argv=[*_worker_argv(settings, beat), *celery_args])


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
    settings = load_settings()
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
    settings = load_settings()
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

    settings = load_settings()
    database = Database(settings.database_url)
    jobs = Jobs(settings, database)
    try:
        report = jobs.sweep()
    finally:
        jobs.close()
        database.dispose()
    click.echo(f"re-sent {len(report.resend)}, failed {len(report.failed)}")


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

    settings = load_settings()
    try:
        scopes = parse_scopes(" ".join(scope_text))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    with _database(settings) as database, database.session() as session:
        user = find_user(session, user_key)
        if user is None:
            raise click.ClickException(f"no user {user_key}")
        try:
            issued, claims = Authenticator(settings, database).issue(
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

    settings = load_settings()
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


@contextlib.contextmanager
def _database(settings: Settings | None = None) -> Iterator[Database]:
    database = Database((settings or load_settings()).database_url)
    try:
        yield database
    finally:
        database.dispose()


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
    database = Database(settings.database_url)
    try:
        current = migrate.current_revision(database)
    except Exception as error:
        raise click.ClickException(f"database unreachable: {error}") from None
    finally:
        database.dispose()
    head = migrate.head_revision(settings.database_url)
    if current != head:
        raise click.ClickException(
            f"database schema is at {current or '(empty)'}, this podops needs {head}: "
            "run `podops db upgrade`"
        )


def _server(settings: Settings, host: str, port: int) -> uvicorn.Server:
    from podops.api import create_app

    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_config=None,
        access_log=False,
        proxy_headers=True,
        server_header=False,
    )
    return uvicorn.Server(config)


def _run_until_signalled(server: uvicorn.Server) -> None:
    # uvicorn shuts down cleanly on SIGINT/SIGTERM, then raises the signal again for whoever
    # else handles it; for us Ctrl-C is the normal way to stop, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


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
    process = subprocess.Popen(command, env=env)
    logger.info("worker started", extra={"pid": process.pid})
    return process


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
