"""Bad input is a 422 (or 413), never a 500 and never a state change: checked on every
POST the app has, so the endpoints other areas add are covered too."""
from __future__ import annotations

from typing import Any

WRONG = {"string": 12345, "integer": "abc", "number": "abc", "boolean": "maybe", "array": "x", "object": 5}


def _schema(ep) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    from pydantic import TypeAdapter
    schema = TypeAdapter(ep.route.body_field.field_info.annotation).json_schema()
    return schema, schema.get("$defs", {})


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    return node


def _unbounded(node: dict[str, Any], defs: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Strings without maxLength (or enum/const/format) and arrays without maxItems."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen = seen | {name}
    node = _resolve(node, defs)
    out: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(node.get(key, [])):
            out += _unbounded(sub, defs, where, seen)
    t = node.get("type")
    if t == "string" and not ({"maxLength", "enum", "const", "format"} & node.keys()):
        out.append(where + " (str without max_length)")
    if t == "array":
        if "maxItems" not in node:
            out.append(where + " (list without max_length)")
        if "items" in node:
            out += _unbounded(node["items"], defs, where + "[*]", seen)
    if t == "object" or "properties" in node:
        for k, v in node.get("properties", {}).items():
            out += _unbounded(v, defs, f"{where}.{k}", seen)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            out += _unbounded(extra, defs, where + ".*", seen)
    return out


def _bodies(api_endpoints):  # type: ignore[no-untyped-def]
    return [e for e in api_endpoints if e.method in ("POST", "PUT", "PATCH") and e.has_body]


def test_every_request_field_is_bounded(api_endpoints):
    """A field without a bound is how an oversized value becomes a 500 or a bloated row."""
    problems = []
    for ep in _bodies(api_endpoints):
        schema, defs = _schema(ep)
        problems += [f"{ep.method} {ep.path}: {w}" for w in _unbounded(schema, defs, "body", set())]
    assert not problems, "unbounded request fields:\n" + "\n".join(problems)


def _headers_for(ep, role_token):  # type: ignore[no-untyped-def]
    if ep.public or not ep.roles:
        return {}
    return role_token(sorted(ep.roles)[0])


def _last_seq(app) -> int:  # type: ignore[no-untyped-def]
    from hall_server.services import events
    with app.state.ctx.db.read() as s:
        return events.last_seq(s)


def test_wrong_types_oversized_fields_and_malformed_json_are_422_on_every_post(client, app, api_endpoints, role_token):
    before = _last_seq(app)
    failures = []
    for ep in _bodies(api_endpoints):
        schema, defs = _schema(ep)
        props = _resolve(schema, defs).get("properties", {})
        wrong = {k: WRONG.get(_resolve(v, defs).get("type", "string"), [1, 2]) for k, v in props.items()}
        huge = {}
        for k, v in props.items():
            v = _resolve(v, defs)
            if v.get("type") == "string" and "maxLength" in v:
                huge[k] = "长" * (v["maxLength"] + 1)
            elif v.get("type") == "array" and "maxItems" in v:
                huge[k] = ["A"] * (v["maxItems"] + 1)
        h = _headers_for(ep, role_token)
        cases: list[tuple[str, dict[str, Any]]] = [
            ("wrong types", {"json": wrong}),
            ("not an object", {"json": ["x"]}),
            ("malformed JSON", {"content": b'{"a": ', "headers": {"content-type": "application/json"}}),
            ("unknown field", {"json": {"__nope__": 1}}),
        ]
        if huge:
            cases.append(("oversized fields", {"json": huge}))
        for what, kw in cases:
            headers = {**h, **kw.pop("headers", {})}
            r = client.request(ep.method, ep.url(), headers=headers, **kw)
            if r.status_code != 422 or r.json()["error"]["code"] != "invalid_input":
                failures.append(f"{ep.method} {ep.path} {what}: {r.status_code} {r.text[:120]}")
    assert not failures, "\n".join(failures)
    assert _last_seq(app) == before, "bad input changed state"


def test_a_body_over_the_limit_is_413_with_or_without_content_length(client, kiosk):
    big = b'{"category": "' + b"A" * 1_100_000 + b'"}'
    r = client.post("/api/v1/tickets", content=big, headers={**kiosk, "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"

    def chunks():  # type: ignore[no-untyped-def]
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]
    r = client.post("/api/v1/tickets", content=chunks(), headers={**kiosk, "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_unknown_paths_and_methods_answer_in_the_error_shape(client, kiosk):
    r = client.get("/api/v1/nope", headers=kiosk)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.delete("/api/v1/tickets", headers=kiosk)
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
