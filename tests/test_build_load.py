"""How a build reads a production from the database: episodes in bytewise name order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from podops import migrate
from podops.auth import Principal
from podops.auth.tokens import Claims
from podops.auth.users import create_user
from podops.db import Database
from podops.models import Production, Resource
from podops.publish.load import load_production
from podops.resources import ProductionCreate, parse_resource
from podops.services import productions, resources
from tests.conftest import make_settings
from tests.support.documents import episode, show

# Python orders these by code point ("-" is 45, "_" is 95); a locale may not.
NAMES = ["ep-b-second", "ep_a_first"]
# A database whose default collation (ICU's English) orders "_" before "-".
ICU_ENGLISH = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"


@pytest.fixture
def english_database(postgres_databases: Callable[..., str]) -> Iterator[Database]:
    database = Database(postgres_databases(ICU_ENGLISH))
    migrate.upgrade(database)
    try:
        yield database
    finally:
        database.dispose()


@pytest.mark.postgres
def test_episodes_are_mapped_in_code_point_order_of_their_names_whatever_the_locale(
    english_database: Database, tmp_path: Path
) -> None:
    assert sorted(NAMES) == NAMES  # the order Python gives, and the build must keep
    with english_database.session() as session:
        user = create_user(session, "host@example.com")
        claims = Claims(
            iss="", aud="", sub=user.id, iat=0, exp=2**40, jti="x", scope=frozenset(), prod=None
        )
        production = productions.create_production(
            session, Principal(claims), ProductionCreate(name="locale-show", title="T")
        )
        resources.create_resource(
            session, production, parse_resource(show("locale-show")), path_name="locale-show"
        )
        for name in reversed(NAMES):
            resources.create_resource(
                session, production, parse_resource(episode(name)), path_name=name
            )
        production_guid = production.guid

    with english_database.session() as session:
        by_locale = session.scalars(
            select(Resource.name).where(Resource.kind == "episode").order_by(Resource.name)
        ).all()
        assert by_locale == list(reversed(NAMES))  # the premise: this locale orders otherwise
        production = session.get(Production, production_guid)
        assert production is not None
        mapped = load_production(session, production, base_url=make_settings(tmp_path).base_url)

    assert [item.title for item in mapped.episodes] == [f"Episode {name}" for name in NAMES]
