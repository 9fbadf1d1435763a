"""A feed import as its producer sees it: with the media imports it started.

A feed import with `import_media` makes the show and episodes, starts an asset import for
each image and enclosure, and ends; the media arrive later, each on its own operation. The
feed import is not done for its producer until they have, and a media import that failed
is a problem of the feed import, naming the episode. So the operation is shown composed
with its media imports, whenever it is read (no task waits on another, and nothing races
to write the feed import's row):

- while one is Busy, the feed import reads Busy, its progress `{"stage": "media", "done",
  "total", "unit": "operations"}`, and its result as far as it has come;
- once all have ended, it reads Success, its result's `media` counts them
  (`{"imported", "failed"}`), and each failed one is in `problems`: the item's GUID, the
  episode's title, the media import's code and message (which says the episode now links
  to the media's old URL, `rel: external`, so the show still builds) and its `operation`.

`import.finished` says the same, once: when the feed import and every media import it started
have ended. Each of those endings calls `announce_feed_import` after its outcome is committed;
the last to see everything ended sends the event, and `operations.announced_at`, set by a
conditional UPDATE, makes it once even when two media imports end at the same moment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from podops import operations
from podops.jobs import ImportAssetJob, ImportFeedJob
from podops.models import Operation, OperationStatus, Resource
from podops.runtime import Runtime
from podops.webhooks import events as webhook_events

__all__ = ["announce_feed_import", "with_media_imports"]


def announce_feed_import(runtime: Runtime, operation_id: str) -> bool:
    """Send `import.finished` for the feed import that the operation `operation_id` (the feed
    import itself, or one of its media imports) is part of, if its whole work has ended and
    nobody sent it yet; whether this call sent it."""
    with runtime.database.session() as session:
        ended = session.get(Operation, operation_id)
        if ended is None:
            return False
        if ended.kind == ImportAssetJob.kind:
            parent = (ended.params or {}).get("feed_import")
            feed = session.get(Operation, parent) if isinstance(parent, str) else None
        else:
            feed = ended
        if feed is None or feed.kind != ImportFeedJob.kind or feed.announced_at is not None:
            return False
        if feed.status != OperationStatus.SUCCESS:
            return False  # still importing the feed itself; a failed import announces nothing
        view = operations.to_json(feed)
        with_media_imports(session, feed, view)
        if view["status"] != OperationStatus.SUCCESS:
            return False  # a media import is still Busy: its ending will call again
        claimed = session.execute(
            update(Operation)
            .where(Operation.id == feed.id, Operation.announced_at.is_(None))
            .values(announced_at=operations.now())
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return False  # another ending claimed it first
        feed_id, source = feed.id, (feed.params or {}).get("url")
    webhook_events.import_finished(runtime, feed_id, source, view["result"])
    return True


def with_media_imports(session: Session, operation: Operation, view: dict[str, Any]) -> None:
    """Compose `view` (the operation's JSON) with the media imports of a finished feed
    import, in place; any other operation is left as it is."""
    result = operation.result or {}
    ids = result.get("media_imports") or []
    if operation.kind != ImportFeedJob.kind or operation.status != OperationStatus.SUCCESS:
        return
    if not ids:
        return
    media = session.scalars(select(Operation).where(Operation.id.in_(ids))).all()
    busy = [item for item in media if item.status == OperationStatus.BUSY]
    failed = [item for item in media if item.status == OperationStatus.FAILED]
    if busy:
        view.update(
            status=OperationStatus.BUSY,
            finished=None,
            progress={
                "stage": "media",
                "done": len(ids) - len(busy),
                "total": len(ids),
                "unit": "operations",
            },
        )
        return
    documents = _documents(session, failed)
    view["result"] = {
        **result,
        "media": {"imported": len(media) - len(failed), "failed": len(failed)},
        "problems": [*result.get("problems", []), *(_problem(item, documents) for item in failed)],
    }


def _documents(session: Session, failed: list[Operation]) -> dict[str, Resource]:
    """The documents the failed imports were for, by resource GUID."""
    guids = {_link(item).get("resource") for item in failed} - {None}
    if not guids:
        return {}
    found = session.scalars(select(Resource).where(Resource.guid.in_(guids)))
    return {resource.guid: resource for resource in found}


def _link(operation: Operation) -> dict[str, Any]:
    link: dict[str, Any] = (operation.params or {}).get("link") or {}
    return link


def _problem(operation: Operation, documents: dict[str, Resource]) -> dict[str, Any]:
    link = _link(operation)
    error = operation.error or {}
    resource = documents.get(link.get("resource", ""))
    field = link.get("field", "media")
    guid: str | None = None
    if resource is None:
        what = f"the {field} of a document deleted since"
    elif resource.kind == "episode":
        description = resource.document.get("description") or {}
        guid = description.get("feed_guid") or resource.guid
        what = f'episode "{description.get("title")}" ({resource.name}): its {field}'
    else:
        what = f"the show's {field}"
    return {
        "index": None,
        "guid": guid,
        "code": error.get("code", "podops.import.media_failed"),
        "message": f"{what} could not be imported: {error.get('message', 'no reason given')}",
        "operation": operation.id,
    }
