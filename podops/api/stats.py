"""Download statistics of a production: `GET /a/v1/production/{prod}/stats`.

`from`/`to` (YYYY-MM-DD, UTC, both included; default the last 30 days), `by` (episode, day,
app or platform), and JSON or CSV (`format=csv`, or `Accept: text/csv`). The counting rules
are `podops.analytics.counting`'s.
"""

from __future__ import annotations

import time

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.analytics import stats
from podops.api.auth import principal_of, requires
from podops.api.context import in_connection, in_session
from podops.api.docs import QueryParameter, documented
from podops.auth import Scope
from podops.errors import BadRequestError
from podops.services import productions

CSV_TYPE = "text/csv; charset=utf-8"
_DATE = {"type": "string", "format": "date"}


class StatsRow(BaseModel):
    key: str = Field(description="the episode's name, the date, the app or the platform")
    downloads: int


class Stats(BaseModel):
    by: str
    from_: str = Field(alias="from")
    to: str
    total: int
    rows: list[StatsRow]


def _wants_csv(request: Request) -> bool:
    chosen = request.query_params.get("format")
    if chosen is None:
        return "text/csv" in request.headers.get("accept", "")
    if chosen not in ("json", "csv"):
        raise BadRequestError(
            "format must be json or csv", code="podops.stats.invalid_format", field="format"
        )
    return chosen == "csv"


@documented(
    "Downloads of the production's episodes (IAB 2.1 rules) per episode, day, app or "
    "platform, for a date range; JSON, or CSV with format=csv or Accept: text/csv",
    responses={200: Stats, 400: None, 404: None},
    query=(
        QueryParameter("from", _DATE, "first day (UTC), YYYY-MM-DD; default 29 days before to"),
        QueryParameter("to", _DATE, "last day (UTC), YYYY-MM-DD; default today"),
        QueryParameter(
            "by", {"type": "string", "enum": list(stats.GROUPINGS)}, "grouping (episode)"
        ),
        QueryParameter("format", {"type": "string", "enum": ["json", "csv"]}, "json or csv"),
    ),
    tag="analytics",
)
@requires(Scope.PRODUCTION_READ)
async def production_stats(request: Request) -> Response:
    query = request.query_params
    span = stats.day_range(query.get("from"), query.get("to"), now=time.time())
    by = stats.parse_grouping(query.get("by"))
    as_csv = _wants_csv(request)
    production = await in_session(
        request, productions.get_production, principal_of(request), request.path_params["prod"]
    )
    found = await in_connection(request, stats.downloads, production.guid, span, by)
    if as_csv:
        return Response(found.to_csv(), media_type=CSV_TYPE)
    return JSONResponse(found.to_json())


# Under /a/v1.
routes = [Route("/production/{prod}/stats", production_stats, methods=["GET"])]
