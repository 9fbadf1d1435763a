"""Subscribers of a production's private feed: `/a/v1/production/{prod}/subscribers…`.

A subscriber's feed URL holds their secret and is answered only when it is made (creation,
rotation); podops keeps its hash. Revoking and rotating reach the delivery path's key
versions before they answer, so old feed and media URLs stop at once.
"""

from __future__ import annotations

import time

from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import QueryParameter, documented
from podops.api.pagination import CURSOR, LIMIT, query_limit
from podops.api.routing import path_for
from podops.auth import Scope
from podops.errors import BadRequestError
from podops.models import Production
from podops.models import Subscriber as SubscriberRow
from podops.names import is_guid
from podops.private.grants import feed_token
from podops.resources.subscribers import DayActivity, Subscriber, SubscriberCreate
from podops.services import productions, subscribers
from podops.services.subscribers import REVOKED

ACTIVITY_DAYS = 7


class SubscriberList(BaseModel):
    subscribers: list[Subscriber]
    next_cursor: str | None


def _out(request: Request, row: SubscriberRow, *, secret: str | None = None) -> Subscriber:
    feed_url = None
    if secret is not None:
        token = feed_token(row.id, secret)
        feed_url = context_of(request).settings.base_url + path_for(
            request, "private_feed", token=token
        )
    return Subscriber(
        id=row.id,
        name=row.name,
        email=row.email,
        label=row.label,
        expires=row.expires_at,
        revoked=row.revoked_at,
        created=row.created_at,
        updated=row.updated_at,
        feed_url=feed_url,
    )


async def _production(request: Request) -> Production:
    return await in_session(
        request, productions.get_production, principal_of(request), request.path_params["prod"]
    )


def _subscriber_id(request: Request) -> str:
    subscriber_id: str = request.path_params["id"]
    if not is_guid(subscriber_id):
        raise BadRequestError("not a subscriber id", code="podops.subscriber.invalid", field="id")
    return subscriber_id


@documented(
    "Add a subscriber to the production's private feed; the answer holds their feed URL, "
    "shown this once",
    body=SubscriberCreate,
    responses={201: Subscriber, 404: None},
    tag="subscribers",
)
@requires(Scope.PRODUCTION_WRITE)
async def create_subscriber(request: Request) -> Response:
    body = await read_json(request, SubscriberCreate)
    production = await _production(request)
    now = int(time.time())

    def create(session: Session) -> tuple[SubscriberRow, str]:
        return subscribers.create_subscriber(session, production, body, now=now)

    row, secret = await in_session(request, create)
    location = path_for(request, "get_subscriber", prod=production.name, id=row.id)
    return JSONResponse(
        _out(request, row, secret=secret).model_dump(mode="json"),
        status_code=201,
        headers={"Location": location},
    )


@documented(
    "The production's subscribers, by id",
    responses={200: SubscriberList, 404: None},
    query=(LIMIT, QueryParameter("cursor", CURSOR.schema, "the id to continue after")),
    tag="subscribers",
)
@requires(Scope.PRODUCTION_READ)
async def list_subscribers(request: Request) -> Response:
    limit = query_limit(request)
    after = request.query_params.get("cursor")
    if after is not None and not is_guid(after):
        raise BadRequestError(
            "cursor is not one this service handed out",
            code="podops.request.invalid_cursor",
            field="cursor",
        )
    production = await _production(request)
    rows = await in_session(
        request, subscribers.list_subscribers, production, limit=limit + 1, after=after
    )
    page = rows[:limit]
    return JSONResponse(
        {
            "subscribers": [_out(request, row).model_dump(mode="json") for row in page],
            "next_cursor": page[-1].id if len(rows) > limit else None,
        }
    )


@documented(
    "One subscriber, with their requests and distinct addresses of the last 7 days",
    responses={200: Subscriber, 404: None},
    tag="subscribers",
)
@requires(Scope.PRODUCTION_READ)
async def get_subscriber(request: Request) -> Response:
    subscriber_id = _subscriber_id(request)
    production = await _production(request)
    row = await in_session(request, subscribers.get_subscriber, production, subscriber_id)
    days = await context_of(request).subscribers.activity(
        row.id, now=int(time.time()), days=ACTIVITY_DAYS
    )
    out = _out(request, row)
    out.activity = [
        DayActivity(day=d.day, requests=d.requests, addresses=d.addresses, refused=d.refused)
        for d in days
    ]
    return JSONResponse(out.model_dump(mode="json"))


@documented(
    "A new secret for a subscriber: their old feed and media URLs stop working; the answer "
    "holds the new feed URL, shown this once",
    responses={200: Subscriber, 404: None},
    tag="subscribers",
)
@requires(Scope.PRODUCTION_WRITE)
async def rotate_subscriber(request: Request) -> Response:
    subscriber_id = _subscriber_id(request)
    production = await _production(request)
    now = int(time.time())

    def rotate(session: Session) -> tuple[SubscriberRow, str]:
        return subscribers.rotate_secret(session, production, subscriber_id, now=now)

    row, secret = await in_session(request, rotate)
    await context_of(request).subscribers.set_version(row.id, row.key_version)
    return JSONResponse(_out(request, row, secret=secret).model_dump(mode="json"))


@documented(
    "Revoke a subscriber: their feed and media stop working at once (the record stays)",
    responses={204: None, 404: None},
    tag="subscribers",
)
@requires(Scope.PRODUCTION_WRITE)
async def revoke_subscriber(request: Request) -> Response:
    subscriber_id = _subscriber_id(request)
    production = await _production(request)
    now = int(time.time())
    row = await in_session(request, subscribers.revoke, production, subscriber_id, now=now)
    await context_of(request).subscribers.set_version(row.id, REVOKED)
    return Response(status_code=204)


# Under /a/v1.
routes = [
    Route("/production/{prod}/subscribers", list_subscribers, methods=["GET"]),
    Route("/production/{prod}/subscribers", create_subscriber, methods=["POST"]),
    Route("/production/{prod}/subscribers/{id}", get_subscriber, methods=["GET"]),
    Route("/production/{prod}/subscribers/{id}", revoke_subscriber, methods=["DELETE"]),
    Route("/production/{prod}/subscribers/{id}/rotate", rotate_subscriber, methods=["POST"]),
]
