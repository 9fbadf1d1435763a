"""Webhooks of a production, under `/a/v1/production/{prod}/webhooks`.

Create (the secret is answered once), list, get, delete, send a `webhook.test` event, and
read the delivery log. An endpoint URL is vetted when it is created as a fetch's is (no
private addresses unless `PODOPS_FETCH_ALLOW` lets one through), and again at every delivery.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import documented
from podops.api.operations import OperationOut, accepted
from podops.api.pagination import LIMIT, query_limit
from podops.api.routing import path_for
from podops.auth import Principal, Scope
from podops.errors import BadRequestError, UnavailableError
from podops.fetch import FetchError
from podops.fetch.post import check_url
from podops.models import WebhookSubscription
from podops.services import productions, webhooks
from podops.webhooks.deliver import webhook_policy
from podops.webhooks.events import TEST_EVENT, EventName, message, production_data, start_delivery


class WebhookCreate(BaseModel):
    """An endpoint to send a production's events to, signed after Standard Webhooks."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=10, max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$")
    events: list[EventName] = Field(min_length=1, max_length=16)
    active: bool = True


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    created: int


class WebhookCreated(WebhookOut):
    secret: str = Field(description="whsec_…: verifies the signatures; shown this once")


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class AttemptOut(BaseModel):
    at: int
    status_code: int | None
    error: str | None


class DeliveryOut(BaseModel):
    id: str = Field(description="the message id, sent as webhook-id")
    event: str
    status: str = Field(description="pending, delivered or failed")
    created: int
    updated: int
    attempts: list[AttemptOut]
    payload: dict[str, Any]


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]


@documented(
    "Add a webhook to a production; the answer carries its signing secret, once",
    body=WebhookCreate,
    responses={201: WebhookCreated, 404: None, 409: None},
    tag="webhooks",
)
@requires(Scope.PRODUCTION_WRITE)
async def create_webhook(request: Request) -> Response:
    body = await read_json(request, WebhookCreate)
    context, principal = context_of(request), principal_of(request)
    production = await in_session(
        request, productions.get_production, principal, request.path_params["prod"]
    )
    try:
        await run_in_threadpool(check_url, body.url, webhook_policy(context.settings))
    except FetchError as error:
        reason = error.code.rsplit(".", 1)[-1]
        raise BadRequestError(
            f"url: {error.message}", code=f"podops.webhook.{reason}", field="url"
        ) from None

    def create(session: Session) -> dict[str, Any]:
        owned = productions.get_production(session, principal, production.guid)
        subscription = webhooks.create_subscription(
            session, owned, url=body.url, events=body.events, active=body.active
        )
        return webhooks.subscription_to_json(subscription, with_secret=True)

    created = await in_session(request, create)
    location = path_for(request, "get_webhook", prod=production.name, id=created["id"])
    return JSONResponse(
        created, status_code=201, headers={"Location": location, "Cache-Control": "no-store"}
    )


@documented("A production's webhooks", responses={200: WebhookList, 404: None}, tag="webhooks")
@requires(Scope.PRODUCTION_READ)
async def list_webhooks(request: Request) -> Response:
    principal = principal_of(request)

    def listed(session: Session) -> list[dict[str, Any]]:
        production = productions.get_production(session, principal, request.path_params["prod"])
        return [
            webhooks.subscription_to_json(row)
            for row in webhooks.list_subscriptions(session, production)
        ]

    return JSONResponse({"webhooks": await in_session(request, listed)})


@documented("One webhook", responses={200: WebhookOut, 404: None}, tag="webhooks")
@requires(Scope.PRODUCTION_READ)
async def get_webhook(request: Request) -> Response:
    principal = principal_of(request)

    def found(session: Session) -> dict[str, Any]:
        return webhooks.subscription_to_json(_subscription(session, request, principal))

    return JSONResponse(await in_session(request, found))


@documented(
    "Delete a webhook, and its delivery log", responses={204: None, 404: None}, tag="webhooks"
)
@requires(Scope.PRODUCTION_WRITE)
async def delete_webhook(request: Request) -> Response:
    principal = principal_of(request)

    def delete(session: Session) -> None:
        session.delete(_subscription(session, request, principal))

    await in_session(request, delete)
    return Response(status_code=204)


@documented(
    "Send the webhook a `webhook.test` event (202 with the delivery's operation)",
    responses={202: OperationOut, 404: None},
    tag="webhooks",
)
@requires(Scope.PRODUCTION_WRITE)
async def test_webhook(request: Request) -> Response:
    context, principal = context_of(request), principal_of(request)

    def record(session: Session) -> tuple[str, str]:
        production = productions.get_production(session, principal, request.path_params["prod"])
        subscription = webhooks.get_subscription(session, production, request.path_params["id"])
        data = {
            "production": production_data(production.guid, production.name),
            "webhook": subscription.id,
        }
        [delivery] = webhooks.record_deliveries(
            session, production.guid, [(TEST_EVENT, message(TEST_EVENT, data))], to=subscription
        )
        return production.guid, delivery

    production, delivery = await in_session(request, record)
    operation = await run_in_threadpool(start_delivery, context, production, delivery)
    if operation is None:
        raise UnavailableError(
            "the task broker is unavailable; the test event was not sent",
            code="podops.broker.unavailable",
        )
    return accepted(request, operation)


@documented(
    "A webhook's deliveries, newest first, each with its attempts",
    responses={200: DeliveryList, 404: None},
    query=(LIMIT,),
    tag="webhooks",
)
@requires(Scope.PRODUCTION_READ)
async def list_deliveries(request: Request) -> Response:
    principal, limit = principal_of(request), query_limit(request)

    def listed(session: Session) -> list[dict[str, Any]]:
        subscription = _subscription(session, request, principal)
        return [
            webhooks.delivery_to_json(row)
            for row in webhooks.list_deliveries(session, subscription, limit=limit)
        ]

    return JSONResponse({"deliveries": await in_session(request, listed)})


def _subscription(session: Session, request: Request, principal: Principal) -> WebhookSubscription:
    production = productions.get_production(session, principal, request.path_params["prod"])
    return webhooks.get_subscription(session, production, request.path_params["id"])


# Under /a/v1.
routes = [
    Route("/production/{prod}/webhooks", create_webhook, methods=["POST"]),
    Route("/production/{prod}/webhooks", list_webhooks, methods=["GET"]),
    Route("/production/{prod}/webhooks/{id}", get_webhook, methods=["GET"]),
    Route("/production/{prod}/webhooks/{id}", delete_webhook, methods=["DELETE"]),
    Route("/production/{prod}/webhooks/{id}/test", test_webhook, methods=["POST"]),
    Route("/production/{prod}/webhooks/{id}/deliveries", list_deliveries, methods=["GET"]),
]
