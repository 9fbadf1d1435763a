"""`POST /a/v1/production/{prod}/bulk`: many documents created or updated in one request.

The body is `{"documents": [...]}` (JSON or YAML), at most `MAX_DOCUMENTS` of them, counted
against the rate limit as one request per `DOCUMENTS_PER_REQUEST` documents. Either every
document is applied, in one transaction, or none is: a 400 lists every problem with its
document's index (`documents.3.description.title`). With `dry_run=true` nothing is kept and
the answer says what would change, field by field. Each written document's result lists what
a build would find in it (`warnings`), as a single write's `Warning` header does.
`podops.services.bulk` does the work.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import charge, principal_of, requires
from podops.api.bodies import MAX_REPORTED, read_data
from podops.api.context import context_of, in_session
from podops.api.docs import DOCUMENT_TYPES, QueryParameter, documented
from podops.auth import Scope
from podops.errors import BadRequestError, FieldProblem
from podops.imports.start import start_reference_imports
from podops.models import Production
from podops.names import is_guid, is_name
from podops.publish import preflight
from podops.resources import AnyDocument, ResourceDocument, parse_resource
from podops.services import bulk, productions

MAX_DOCUMENTS = 1000
# What a bulk request costs against the rate limit: one request per this many documents
# (started), the first paid by `requires` like any request. 1,000 documents cost 10.
DOCUMENTS_PER_REQUEST = 100
DRY_RUN = QueryParameter(
    "dry_run",
    {"type": "string", "enum": ["true", "false"], "default": "false"},
    "check and answer what would change; keep nothing",
)


class _DryRunRollbackError(Exception):
    """Carries a dry run's outcomes out of its transaction, which is rolled back."""

    def __init__(self, outcomes: list[bulk.Outcome], warnings: list[list[str]]) -> None:
        super().__init__("dry run")
        self.outcomes = outcomes
        self.warnings = warnings


class BulkRequest(BaseModel):
    """Documents of one production: each created if new, replaced if changed."""

    documents: list[ResourceDocument]


class FieldChange(BaseModel):
    field: str
    before: Any = None
    after: Any = None


class BulkResult(BaseModel):
    index: int
    kind: str
    name: str
    action: Literal["create", "update", "unchanged"]
    guid: str
    etag: str
    changes: list[FieldChange]
    # What a build would find in the document written, as a single write's `Warning` header
    # says it (none for a document left unchanged).
    warnings: list[str]


class BulkResponse(BaseModel):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    results: list[BulkResult]


@documented(
    f"Create or update up to {MAX_DOCUMENTS} documents of a production in one transaction "
    "(all or none); dry_run=true answers the changes and keeps nothing",
    body=BulkRequest,
    media_types=DOCUMENT_TYPES,
    responses={200: BulkResponse, 404: None, 409: None},
    query=(DRY_RUN,),
)
@requires(Scope.RESOURCE_WRITE)
async def bulk_apply(request: Request) -> Response:
    key: str = request.path_params["prod"]
    if not (is_name(key) or is_guid(key)):
        raise BadRequestError(
            "prod must be a production's name or GUID",
            code="podops.request.invalid_name",
            field="prod",
        )
    dry_run = request.query_params.get("dry_run", "false")
    if dry_run not in ("true", "false"):
        raise BadRequestError("dry_run must be true or false", field="dry_run")
    documents = _documents(await read_data(request, yaml_allowed=True))
    context = context_of(request)
    principal = principal_of(request)
    cost = -(-len(documents) // DOCUMENTS_PER_REQUEST)
    await charge(request, principal.user_id, cost - 1)

    def apply(session: Session) -> tuple[Production, list[bulk.Outcome], list[list[str]]]:
        production = productions.get_production(session, principal, key)
        base_url = context.settings.base_url
        outcomes = bulk.apply_documents(session, production, documents, base_url=base_url)
        warnings = _warnings(session, production, outcomes, base_url=base_url)
        if dry_run == "true":
            # in_session rolls back what it raises through
            raise _DryRunRollbackError(outcomes, warnings)
        return production, outcomes, warnings

    try:
        production, outcomes, warnings = await in_session(request, apply)
    except _DryRunRollbackError as done:
        outcomes, warnings = done.outcomes, done.warnings
    else:
        await run_in_threadpool(_start_imports, request, production, outcomes)
    counts = {action: 0 for action in ("create", "update", "unchanged")}
    for outcome in outcomes:
        counts[outcome.action] += 1
    return JSONResponse(
        {
            "dry_run": dry_run == "true",
            "created": counts["create"],
            "updated": counts["update"],
            "unchanged": counts["unchanged"],
            "results": [
                {
                    "index": outcome.index,
                    "kind": outcome.kind,
                    "name": outcome.name,
                    "action": outcome.action,
                    "guid": outcome.guid,
                    "etag": outcome.etag,
                    "changes": [
                        {"field": change.field, "before": change.before, "after": change.after}
                        for change in outcome.changes
                    ],
                    "warnings": texts,
                }
                for outcome, texts in zip(outcomes, warnings, strict=True)
            ],
        }
    )


def _documents(data: object) -> list[AnyDocument]:
    """The body's documents, each validated; 400 listing every problem of every document."""
    if not isinstance(data, dict) or set(data) != {"documents"}:
        raise BadRequestError(
            'the body is {"documents": [...]}, and nothing else', field="documents"
        )
    raw = data["documents"]
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_DOCUMENTS:
        raise BadRequestError(
            f"documents is a list of 1 to {MAX_DOCUMENTS} documents; send more in several requests",
            field="documents",
        )
    documents: list[AnyDocument] = []
    problems: list[FieldProblem] = []
    for index, item in enumerate(raw):
        try:
            documents.append(parse_resource(item))
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                path = ".".join(str(part) for part in (index, *detail["loc"]))
                problems.append({"field": f"documents.{path}", "message": detail["msg"]})
    if problems:
        more = len(problems) - 1
        first = problems[0]
        raise BadRequestError(
            f"{first['field']}: {first['message']}"
            + (f" (and {more} more: see errors)" if more else "")
            + "; nothing was applied",
            field=first["field"],
            errors=problems[:MAX_REPORTED],
        )
    return documents


def _warnings(
    session: Session, production: Production, outcomes: list[bulk.Outcome], *, base_url: str
) -> list[list[str]]:
    """Each outcome's build warnings: those of the documents written, none for the others."""
    written = [outcome.resource for outcome in outcomes if outcome.resource is not None]
    found = iter(preflight.findings_of_many(session, production, written, base_url=base_url))
    return [
        preflight.warning_texts(next(found)) if outcome.resource is not None else []
        for outcome in outcomes
    ]


def _start_imports(request: Request, production: Production, outcomes: list[bulk.Outcome]) -> None:
    """After the commit, the imports that written documents' `rel: import` references ask for."""
    context = context_of(request)
    owner = principal_of(request).user_id
    for outcome in outcomes:
        if outcome.action == "unchanged" or outcome.resource is None:
            continue
        document = outcome.resource.document
        if any(
            isinstance(document.get(field), dict) and document[field].get("rel") == "import"
            for field in ("image", "enclosure")
        ):
            start_reference_imports(context, production, document, outcome.guid, owner=owner)


# Under /a/v1.
routes = [Route("/production/{prod}/bulk", bulk_apply, methods=["POST"])]
