"""The committed OpenAPI document is the contract: it must match the app and document
security, errors and examples for every operation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from app.errors import PROBLEM_MEDIA_TYPE

DOCUMENT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
PUBLIC = {"/healthz", "/readyz", "/metrics", "/v1/auth/token"}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_committed_document_matches_the_app(app: FastAPI) -> None:
    committed = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert committed == app.openapi(), "run `make openapi` and commit openapi/openapi.json"


def test_every_protected_operation_declares_its_security(app: FastAPI) -> None:
    missing = [
        f"{method} {path}"
        for path, method, op in _operations(app.openapi())
        if path not in PUBLIC and not op.get("security")
    ]
    assert missing == []


def test_every_error_response_is_documented_as_problem_json_with_an_example(
    app: FastAPI,
) -> None:
    wrong = []
    for path, method, op in _operations(app.openapi()):
        if path not in PUBLIC and "401" not in op["responses"]:
            wrong.append(f"{method} {path}: 401 undocumented")
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            content = response.get("content", {})
            if set(content) != {PROBLEM_MEDIA_TYPE} or "example" not in content[PROBLEM_MEDIA_TYPE]:
                wrong.append(f"{method} {path} {status}")
    assert wrong == []


def test_every_request_body_has_an_example(app: FastAPI) -> None:
    schema = app.openapi()
    components = schema["components"]["schemas"]
    missing = []
    for path, method, op in _operations(schema):
        body = op.get("requestBody", {}).get("content", {})
        for media in body.values():
            ref = media["schema"].get("$ref", "")
            target = components.get(ref.rsplit("/", 1)[-1], media["schema"])
            if "examples" not in target and "example" not in media:
                missing.append(f"{method} {path}")
    assert missing == []


def test_every_link_names_an_operation_and_a_parameter_it_has(app: FastAPI) -> None:
    """Links name operations by their generated operationId: a renamed handler must not
    leave a link pointing nowhere."""
    schema = app.openapi()
    by_id = {op["operationId"]: op for _, _, op in _operations(schema)}
    dangling = []
    for path, method, op in _operations(schema):
        for code, response in op.get("responses", {}).items():
            for name, link in response.get("links", {}).items():
                target = by_id.get(link["operationId"])
                params = {p["name"] for p in (target or {}).get("parameters", [])}
                if target is None or not set(link["parameters"]) <= params:
                    dangling.append(f"{method} {path} {code} {name}")
    assert dangling == []
    assert any("links" in r for _, _, op in _operations(schema) for r in op["responses"].values())
