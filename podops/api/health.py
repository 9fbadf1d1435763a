"""`GET /` (version), `GET /healthz` (process up), `GET /readyz` (dependencies reachable)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops import __version__
from podops.api.context import context_of
from podops.api.docs import documented
from podops.api.responses import error_response


class VersionInfo(BaseModel):
    name: str
    version: str
    api: str


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


@documented("The service's name and version", responses={200: VersionInfo}, tag="service")
async def version(_request: Request) -> Response:
    return Response(_VERSION, media_type="application/json")


# Rendered once: it cannot change while the process runs.
_VERSION = JSONResponse({"name": "podops", "version": __version__, "api": "v1"}).body


@documented("The process is up", responses={200: Health}, tag="service")
async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@documented(
    "Database, broker and storage reachable (503 naming what is not)",
    responses={200: Readiness},
    tag="service",
)
async def readyz(request: Request) -> Response:
    """200 when database, broker and storage all answer; 503 naming each that does not."""
    context = context_of(request)
    checks: dict[str, Callable[[], None]] = {
        "database": context.database.check,
        "broker": context.jobs.check_broker,
        "storage": context.storage.check,
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await run_in_threadpool(check)
            results[name] = "ok"
        except Exception as error:
            results[name] = f"unavailable: {error}"
    failed = [name for name, result in results.items() if result != "ok"]
    if not failed:
        return JSONResponse({"status": "ready", "checks": results})
    return error_response(
        503,
        f"podops.{failed[0]}.unavailable",
        "not ready: " + ", ".join(f"{name} is unavailable" for name in failed),
        checks=results,
        headers={"Retry-After": "5"},
    )


routes = [
    Route("/", version, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
]
