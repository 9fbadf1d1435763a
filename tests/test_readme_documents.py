"""The README's show and episode documents are what a newcomer copies: they must be accepted
as written, and build a feed without errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from podops.models import Production
from podops.publish.load import load_production
from tests.support.auth import bearer, context_of, token_for

README = Path(__file__).resolve().parent.parent / "README.md"
PROD = "readme-show-01"


def readme_document(marker: str) -> str:
    """The YAML block that follows `<!-- marker -->` in the README."""
    found = re.search(rf"<!-- {marker} -->\n```yaml\n(.*?)```", README.read_text(), re.DOTALL)
    assert found is not None, f"the README has no {marker} block"
    return found.group(1)


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(
        token_for(context_of(client), "host@example.com", "production:write resource:write")
    )
    response = client.post("/a/v1/production", json={"name": PROD, "title": "R"}, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def test_the_readme_documents_are_accepted_as_written(
    client: TestClient, host: dict[str, str]
) -> None:
    for marker, kind, name in (
        ("README-SHOW", "show", "the-show-itself"),
        ("README-EPISODE", "episode", "episode-0001"),
    ):
        response = client.post(
            f"/a/v1/resource/{PROD}/{kind}/{name}",
            content=readme_document(marker).encode(),
            headers={**host, "Content-Type": "application/yaml"},
        )
        assert response.status_code == 201, response.text
    with context_of(client).database.session() as session:
        production = session.query(Production).filter_by(name=PROD).one()
        mapped = load_production(session, production, base_url="https://podops.example.com")
    assert mapped.show is not None
    assert mapped.problems == []
