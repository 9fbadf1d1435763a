"""What every route needs: the app's `Runtime` (settings, database, jobs, storage, auth), and
`in_session` (or `in_connection`, for reads without ORM objects) to run a unit of database
work without blocking the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from podops.runtime import Runtime

Params = ParamSpec("Params")
Result = TypeVar("Result")


def context_of(request: Request) -> Runtime:
    """The runtime the app was built with."""
    context: Runtime = request.app.state.context
    return context


async def in_session(
    request: Request,
    work: Callable[Concatenate[Session, Params], Result],
    /,
    *args: Params.args,
    **kwargs: Params.kwargs,
) -> Result:
    """`work(session, *args, **kwargs)` on the threadpool, in one transaction of the app's
    database: committed when it returns, rolled back when it raises (and the error raised
    here). ORM objects it returns stay readable: sessions do not expire them on commit."""
    database = context_of(request).database

    def run() -> Result:
        with database.session() as session:
            return work(session, *args, **kwargs)

    return await run_in_threadpool(run)


async def in_connection(
    request: Request,
    work: Callable[Concatenate[Connection, Params], Result],
    /,
    *args: Params.args,
    **kwargs: Params.kwargs,
) -> Result:
    """`work(connection, *args, **kwargs)` on the threadpool, on a plain connection of the
    app's database (no ORM session: cheaper for a read that returns stored values)."""
    database = context_of(request).database

    def run() -> Result:
        with database.reading() as connection:
            return work(connection, *args, **kwargs)

    return await run_in_threadpool(run)
