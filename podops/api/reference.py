"""`GET /docs`: the API reference for people, rendered from the OpenAPI document.

One self-contained HTML page, made once at import from the same document `/api-spec/v1`
serves, so the two cannot differ: no script, no CDN, no vendored renderer (a podops behind a
firewall, or read offline, shows the same page). Every value from the document is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafafa}
header{background:#1d2330;color:#fff;padding:1.2em 2em}header a{color:#9cc3ff}
main{max-width:70em;margin:0 auto;padding:1em 2em}nav ul{columns:2}
h2{border-bottom:2px solid #dde;padding-bottom:.2em;margin-top:2em}
section.op{background:#fff;border:1px solid #dde;border-radius:6px;margin:1em 0;padding:.6em 1em}
.m{display:inline-block;min-width:4.5em;text-align:center;font-weight:700;border-radius:4px;
padding:0 .4em;color:#fff;margin-right:.6em}
.get{background:#2f7bd9}.post{background:#2e9e5b}.put{background:#c98a12}
.patch{background:#8a5cd0}.delete{background:#c8372d}
code,pre{font:13px ui-monospace,monospace}pre{background:#f3f4f8;padding:.6em;overflow:auto}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #dde;padding:.2em .6em;
text-align:left;vertical-align:top}.scope{color:#555}.req{color:#c8372d}
"""


def render_reference(openapi: dict[str, Any]) -> str:
    """The whole page for `openapi` (an OpenAPI 3.1 document as `build_openapi` makes it)."""
    info = openapi.get("info", {})
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, methods in sorted(openapi.get("paths", {}).items()):
        for method in METHOD_ORDER:
            if method in methods:
                operation = methods[method]
                tag = (operation.get("tags") or ["podops"])[0]
                by_tag.setdefault(tag, []).append((method, path, operation))
    schemas = openapi.get("components", {}).get("schemas", {})
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        f"<title>{escape(info.get('title', 'API'))} API reference</title>",
        f"<style>{STYLE}</style></head><body><header>",
        f"<h1>{escape(info.get('title', 'API'))} {escape(str(info.get('version', '')))}</h1>",
        f"<p>{escape(info.get('description', ''))} The machine-readable document: ",
        '<a href="/api-spec/v1">/api-spec/v1</a>. Send <code>Authorization: Bearer '
        "&lt;token&gt;</code>; each operation names the scope it needs.</p></header><main>",
        "<nav><h2>Operations</h2><ul>",
    ]
    for _tag, operations in sorted(by_tag.items()):
        for method, path, operation in operations:
            parts.append(
                f'<li><a href="#{_anchor(method, path)}"><span class="m {method}">'
                f"{method.upper()}</span> <code>{escape(path)}</code></a> "
                f"{escape(operation.get('summary', ''))}</li>"
            )
    parts.append("</ul></nav>")
    for tag, operations in sorted(by_tag.items()):
        parts.append(f"<h2>{escape(tag)}</h2>")
        parts += [_operation(method, path, operation) for method, path, operation in operations]
    parts.append("<h2>Schemas</h2>")
    for name, schema in sorted(schemas.items()):
        parts.append(_schema(name, schema))
    parts.append("</main></body></html>")
    return "".join(parts)


def _anchor(method: str, path: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in path).strip("-")
    return f"{method}-{slug}"


def _operation(method: str, path: str, operation: dict[str, Any]) -> str:
    security = operation.get("security")
    if security is None:
        access = "public: no token"
    else:
        scopes = security[0].get("bearer", [])
        access = f"scope {scopes[0]}" if scopes else "any valid token"
    parts = [
        f'<section class=op id="{_anchor(method, path)}"><h3><span class="m {method}">'
        f"{method.upper()}</span> <code>{escape(path)}</code></h3>",
        f"<p>{escape(operation.get('summary', ''))} <span class=scope>({escape(access)})</span>"
        "</p>",
    ]
    parameters = operation.get("parameters", [])
    if parameters:
        parts.append("<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>")
        for parameter in parameters:
            required = " <span class=req>required</span>" if parameter.get("required") else ""
            parts.append(
                f"<tr><td><code>{escape(parameter['name'])}</code>{required}</td>"
                f"<td>{escape(parameter['in'])}</td>"
                f"<td>{_type(parameter.get('schema', {}))}</td>"
                f"<td>{escape(parameter.get('description', ''))}</td></tr>"
            )
        parts.append("</table>")
    body = operation.get("requestBody")
    if body:
        content: dict[str, dict[str, Any]] = body.get("content", {})
        media = ", ".join(escape(media_type) for media_type in content)
        first: dict[str, Any] = next(iter(content.values()), {})
        schema = first.get("schema", {})
        parts.append(f"<p>Body ({media}): {_type(schema)}</p>")
    responses = operation.get("responses", {})
    parts.append("<table><tr><th>status</th><th>answer</th></tr>")
    for status, response in responses.items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        shown = _type(schema) if schema else ""
        headers = "".join(
            f"<br>header <code>{escape(name)}</code>: {escape(header.get('description', ''))}"
            for name, header in response.get("headers", {}).items()
        )
        parts.append(
            f"<tr><td>{escape(status)}</td><td>{escape(response.get('description', ''))} "
            f"{shown}{headers}</td></tr>"
        )
    parts.append("</table></section>")
    return "".join(parts)


def _type(schema: dict[str, Any]) -> str:
    """A short reading of a schema: a link for a reference, else its type and limits."""
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}"><code>{escape(name)}</code></a>'
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return " | ".join(_type(option) for option in schema[union])
    kind = schema.get("type", "")
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    limits = {
        key: schema[key]
        for key in ("enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "default")
        if key in schema
    }
    extra = f" <code>{escape(json.dumps(limits, ensure_ascii=False))}</code>" if limits else ""
    return f"<code>{escape(str(kind) or 'any')}</code>{extra}"


def _schema(name: str, schema: dict[str, Any]) -> str:
    parts = [f'<section class=op id="schema-{escape(name)}"><h3>{escape(name)}</h3>']
    if schema.get("description"):
        parts.append(f"<p>{escape(str(schema['description']))}</p>")
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    if properties:
        parts.append("<table><tr><th>field</th><th>schema</th><th></th></tr>")
        for field, spec in properties.items():
            mark = " <span class=req>required</span>" if field in required else ""
            parts.append(
                f"<tr><td><code>{escape(field)}</code>{mark}</td><td>{_type(spec)}</td>"
                f"<td>{escape(str(spec.get('description', '')))}</td></tr>"
            )
        parts.append("</table>")
    elif any(key in schema for key in ("anyOf", "oneOf", "type")):
        parts.append(f"<p>{_type(schema)}</p>")
    parts.append("</section>")
    return "".join(parts)


def reference_endpoint(openapi: dict[str, Any]) -> Callable[[Request], Awaitable[Response]]:
    """The `/docs` endpoint for `openapi`: the page is rendered once, here."""
    page = render_reference(openapi).encode()

    async def api_reference(_request: Request) -> Response:
        return HTMLResponse(
            page,
            headers={
                "Cache-Control": "public, max-age=300",
                # The page runs no script and loads nothing from elsewhere.
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return api_reference
