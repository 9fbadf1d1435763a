"""`GET /docs`: the human-readable reference, rendered from the OpenAPI document (issue 16)."""

from __future__ import annotations

import lxml.html
from starlette.testclient import TestClient

from podops.api.reference import render_reference


def test_docs_shows_every_operation_of_the_openapi_document(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = lxml.html.fromstring(response.text)
    spec = client.get("/api-spec/v1").json()
    sections = {
        " ".join(section.xpath("string(.//h3)").split())
        for section in page.xpath("//section[@class='op']")
    }
    for path, methods in spec["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in sections
    # Every schema link leads somewhere on the page; nothing is loaded from elsewhere.
    targets = {element.get("id") for element in page.xpath("//*[@id]")}
    links = [href[1:] for href in page.xpath("//a/@href") if href.startswith("#")]
    assert links
    assert set(links) <= targets
    assert page.xpath("//script | //link | //img | //iframe") == []


def test_docs_names_each_routes_scope(client: TestClient) -> None:
    page = lxml.html.fromstring(client.get("/docs").text)

    def section(heading: str) -> str:
        found = page.xpath("//section[h3[normalize-space(.)=$heading]]", heading=heading)
        assert len(found) == 1, heading
        return str(found[0].text_content())

    assert "(scope production:write)" in section("DELETE /a/v1/production/{prod}")
    assert "(public: no token)" in section("GET /_a/jwks")
    assert "(any valid token)" in section("GET /_a/tokens")


def test_values_from_the_document_are_escaped() -> None:
    hostile = {
        "info": {"title": "<script>alert(1)</script>", "version": "1"},
        "paths": {
            "/x/<b>": {
                "get": {
                    "summary": '"><img src=x onerror=alert(1)>',
                    "responses": {"200": {"description": "<i>ok</i>"}},
                }
            }
        },
        "components": {"schemas": {"A<b>": {"description": "<u>", "properties": {}}}},
    }
    page = render_reference(hostile)
    assert "<script>" not in page
    assert "<img" not in page
    assert "<i>ok" not in page
    assert "&lt;script&gt;" in page


RESOURCE = "/a/v1/resource/{prod}/{kind}/{id}"


def test_docs_names_the_headers_an_answer_carries(client: TestClient) -> None:
    page = lxml.html.fromstring(client.get("/docs").text)
    section = "post-" + "".join(c if c.isalnum() else "-" for c in RESOURCE).strip("-")
    [created] = page.xpath(f"//section[@id='{section}']//tr[td='201']")
    text = " ".join(created.xpath("string(.)").split())
    assert "header Warning: Only when a build would find something" in text
    assert "header Location:" in text
