"""resources.html of an episode: its notes alone (the summary is the item's description)

Until now an episode's stored HTML was its summary and notes joined, published twice over as
`<description>` and `<content:encoded>`. The item now carries the summary as its description
and the notes as `content:encoded`, so the stored HTML is recomputed from the notes alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from feeds import markdown_to_html

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BATCH = 500

resources = sa.table(
    "resources",
    sa.column("guid", sa.String),
    sa.column("kind", sa.String),
    sa.column("document", sa.JSON),
    sa.column("html", sa.Text),
)


def _notes(document: Any) -> str:
    if isinstance(document, str):  # some drivers hand JSON back as text
        document = json.loads(document)
    return str((document.get("description") or {}).get("notes") or "")


def upgrade() -> None:
    connection = op.get_bind()
    last = ""
    while True:  # in batches by GUID: a large catalogue is never held whole
        rows = connection.execute(
            sa.select(resources.c.guid, resources.c.document)
            .where(resources.c.kind == "episode", resources.c.guid > last)
            .order_by(resources.c.guid)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for guid, document in rows:
            notes = _notes(document)
            connection.execute(
                resources.update()
                .where(resources.c.guid == guid)
                .values(html=markdown_to_html(notes) if notes else None)
            )
        last = rows[-1][0]


def downgrade() -> None:
    # The joined HTML is not needed by the previous version: it converts Markdown itself
    # when no HTML is stored.
    connection = op.get_bind()
    connection.execute(resources.update().where(resources.c.kind == "episode").values(html=None))
