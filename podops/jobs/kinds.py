"""Every kind of background job, as the typed parameters it carries.

A job kind is one model here: its `kind` (the operation's kind, shown to clients) and its
`task` (the Celery task name a worker registers) are class attributes, its fields are the
parameters. Starting a job takes an instance (`Jobs.start(BuildJob(...))`); the worker reads
the stored parameters back through the same model (`load_params`), once, before the work
starts. Nothing else names a kind or a task by string.

Adding a job kind: a model here, the service function that does the work, one task adapter
in `workers/tasks.py`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "IMPORT_FIELDS",
    "JOB_KINDS",
    "AggregateDownloadsJob",
    "BadParamsError",
    "BuildJob",
    "DeliverWebhookJob",
    "DirectUploadJob",
    "ExternalFacts",
    "ImportAssetJob",
    "ImportFeedJob",
    "ImportField",
    "JobParams",
    "JsonObject",
    "NotifyJob",
    "PingJob",
    "ReferenceLink",
    "ValidateJob",
    "load_params",
]


# What a job gives back (its operation's `result`) and a failure's `details`: a JSON object,
# stored as it is and shown to clients.
JsonObject = dict[str, Any]


class JobParams(BaseModel):
    """The parameters of one kind of job; subclasses set `kind` and `task`."""

    # Stored as JSON in the operation row and read back by the worker: unknown keys are a bug.
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str]
    task: ClassVar[str]

    def to_stored(self) -> JsonObject:
        """The parameters as the operation row keeps them."""
        return self.model_dump(mode="json", exclude_none=True)


class PingJob(JobParams):
    """An echo that proves the path API → broker → worker → database (`POST /_t/ping`)."""

    kind: ClassVar[str] = "ping"
    task: ClassVar[str] = "podops.ping"

    message: str = ""
    # Lets tests interrupt a running operation.
    delay: float = Field(default=0, ge=0)


class BuildJob(JobParams):
    """Build a production's feed and publish it."""

    kind: ClassVar[str] = "build"
    task: ClassVar[str] = "podops.build_feed"
    # Whether a successful build is published; a validation stops before.
    publishes: ClassVar[bool] = True

    production: str = Field(description="the production's GUID")
    # Lets the build drop a published episode or change its enclosure URL.
    force: bool = False


class ValidateJob(BuildJob):
    """A build that checks everything and publishes nothing (`?validate=true`)."""

    kind: ClassVar[str] = "validate"
    publishes: ClassVar[bool] = False


# The document fields whose `rel: import` reference an asset import fills.
ImportField = Literal["image", "enclosure"]
IMPORT_FIELDS: tuple[ImportField, ...] = ("image", "enclosure")


class ExternalFacts(BaseModel):
    """What is known of a URL's media without fetching it (an imported feed's enclosure
    says its type and length, its item the duration): kept in the `rel: external`
    reference an import falls back to, so the build need not ask the URL's server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str | None = None
    length: int | None = None
    duration: float | None = None


class ReferenceLink(BaseModel):
    """The document reference (`rel: import`) an asset import was started for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resource: str
    field: ImportField
    fallback: ExternalFacts | None = None


class ImportAssetJob(JobParams):
    """Download a media file into a production; with `link`, point that reference at it."""

    kind: ClassVar[str] = "import_asset"
    task: ClassVar[str] = "podops.import_asset"

    production: str
    url: str
    role: Literal["media", "artwork"] = "media"
    name: str | None = None
    link: ReferenceLink | None = None
    # The feed import that started it: its `import.finished` waits for this import to end.
    feed_import: str | None = None


class DirectUploadJob(JobParams):
    """Make the asset of media a client put in the store itself (`POST /a/v1/direct-upload`):
    the staged object read back, checked and probed as an upload through the API is."""

    kind: ClassVar[str] = "direct_upload"
    task: ClassVar[str] = "podops.direct_upload"

    production: str
    upload: str = Field(description="the staged upload's id (its storage key is made of it)")
    size: int
    sha256: str | None = None
    role: Literal["media", "artwork"] = "media"
    name: str | None = None
    filename: str | None = None
    content_type: str | None = None


class ImportFeedJob(JobParams):
    """Move a podcast into a production (created if new) from its feed, fetched or given."""

    kind: ClassVar[str] = "import_feed"
    task: ClassVar[str] = "podops.import_feed"

    name: str
    owner: str
    # Whose lock (`podcast:locked`) the feed may carry and still move.
    owner_email: str
    import_media: bool = False
    url: str | None = None
    xml: str | None = None


class NotifyJob(JobParams):
    """Tell the feed's WebSub hubs and podping that a build changed it."""

    kind: ClassVar[str] = "notify"
    task: ClassVar[str] = "podops.notify"

    production: str
    feed_url: str
    # podping's medium: the show's `podcast:medium`.
    medium: str = "podcast"


class DeliverWebhookJob(JobParams):
    """Send one recorded webhook message to its subscription's endpoint, signed."""

    kind: ClassVar[str] = "deliver_webhook"
    task: ClassVar[str] = "podops.deliver_webhook"

    delivery: str = Field(description="the delivery's (the message's) id")


class AggregateDownloadsJob(JobParams):
    """Count the downloads logged since the last run (`podops.analytics.aggregate`); the
    beat starts one every `PODOPS_ANALYTICS_INTERVAL` seconds, unless one is under way."""

    kind: ClassVar[str] = "aggregate_downloads"
    task: ClassVar[str] = "podops.aggregate_downloads"


JOB_KINDS: dict[str, type[JobParams]] = {
    model.kind: model
    for model in (
        PingJob,
        BuildJob,
        ValidateJob,
        ImportAssetJob,
        ImportFeedJob,
        NotifyJob,
        DeliverWebhookJob,
        DirectUploadJob,
        AggregateDownloadsJob,
    )
}


class BadParamsError(ValueError):
    """A stored operation's parameters do not fit its kind (a kind unknown to this version,
    or a row written by an incompatible one)."""


def load_params(kind: str, stored: JsonObject) -> JobParams:
    """The typed parameters of an operation of `kind`, as they were stored."""
    model = JOB_KINDS.get(kind)
    if model is None:
        raise BadParamsError(f"no job kind {kind!r}")
    try:
        return model.model_validate(stored)
    except ValidationError as error:
        raise BadParamsError(f"{kind} parameters: {error.errors(include_url=False)}") from error
