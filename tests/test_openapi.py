"""The committed OpenAPI document is the contract: it must match the app and document
security, errors and examples for every operation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from app.core.errors import PROBLEM_MEDIA_TYPE

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


def _routes_by_operation(app: FastAPI) -> dict[tuple[str, str], set[str]]:
    from tests.test_architecture import _roles, api_routes

    return {
        (route.path, method.lower()): _roles(route.dependant)
        for route in api_routes(app.routes)
        if route.include_in_schema
        for method in route.methods or ()
    }


def test_every_operation_id_is_short_snake_case_unique_and_not_fastapi_s_default(
    app: FastAPI,
) -> None:
    """Generated clients name their functions after the operation ids (`put_vacancy`), so
    they are chosen names, not FastAPI's `put_vacancy_v1_vacancies__external_ref__put`."""
    import re

    ids = [op["operationId"] for _, _, op in _operations(app.openapi())]
    assert len(ids) == len(set(ids))
    wrong = [
        operation_id
        for operation_id in ids
        if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", operation_id)
        or len(operation_id) > 30
        or re.search(r"_v1_|_(get|put|post|patch|delete)$", operation_id)
    ]
    assert wrong == []
    assert {"put_vacancy", "create_household", "start_round", "create_token"} <= set(ids)


def test_request_bodies_have_names_a_person_chose(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    assert [name for name in schemas if name.startswith("Body_")] == []
    token = app.openapi()["paths"]["/v1/auth/token"]["post"]["requestBody"]
    form = token["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form == {"$ref": "#/components/schemas/TokenRequest"}


def test_tags_follow_the_coordinator_s_day_and_each_says_what_it_holds(app: FastAPI) -> None:
    schema = app.openapi()
    declared = [tag["name"] for tag in schema["tags"]]
    used = {tag for _, _, op in _operations(schema) for tag in op.get("tags", [])}
    assert used <= set(declared), "add the new tag to app/http/docs.py TAGS"
    assert declared[:5] == ["proposals", "rounds", "households", "vacancies", "tenancies"]
    assert declared[-2:] == ["operations", "auth and credentials"]
    assert all(tag.get("description") and "\n" not in tag["description"] for tag in schema["tags"])


def test_every_operation_begins_with_the_roles_its_route_admits(app: FastAPI) -> None:
    """Written once, by the route's `require(...)`: the description's first line cannot
    drift from who is really let in."""
    roles_of = _routes_by_operation(app)
    words = {
        "coordinator": "coordinator (own municipality)",
        "social_services": "social services (own municipality)",
        "landlord": "landlord (own organisation)",
        "intermediary": "intermediary (the landlords that mandated it, where they did)",
        "admin": "admin",
    }
    wrong = []
    for path, method, op in _operations(app.openapi()):
        first_line = op.get("description", "").split("\n", 1)[0]
        roles = roles_of[(path, method)]
        expected = [words[role] for role in words if role in roles]
        if roles and first_line != "Roles: " + ", ".join(expected) + ".":
            wrong.append(f"{method} {path}: {first_line!r}")
        if not roles and not first_line.startswith("Roles: anyone"):
            wrong.append(f"{method} {path}: {first_line!r}")
    assert wrong == []
    vacancy = app.openapi()["paths"]["/v1/vacancies"]["get"]["description"]
    assert vacancy.startswith(
        "Roles: coordinator (own municipality), landlord (own organisation), intermediary "
        "(the landlords that mandated it, where they did)."
    )


def test_the_headers_the_service_sets_are_documented(app: FastAPI) -> None:
    schema = app.openapi()
    paths = schema["paths"]
    assert set(schema["components"]["headers"]) >= {
        "ETag",
        "Location",
        "Retry-After",
        "RateLimit",
        "RateLimit-Policy",
    }

    def headers(path: str, method: str, status: str) -> set[str]:
        return set(paths[path][method]["responses"][status].get("headers", {}))

    assert {"ETag"} <= headers("/v1/vacancies/{external_ref}", "put", "201")
    assert {"ETag"} <= headers("/v1/vacancies/{external_ref}", "put", "200")
    assert {"ETag", "Location", "Idempotent-Replayed"} <= headers("/v1/households", "post", "201")
    assert {"Location", "Idempotent-Replayed"} <= headers("/v1/rounds", "post", "202")
    assert "Cache-Control" in headers("/v1/auth/token", "post", "200")
    missing = []
    for path, method, op in _operations(schema):
        for status, response in op["responses"].items():
            documented = set(response.get("headers", {}))
            # Not on probes, nor on a 413 (the body cap answers before the rate limiter).
            limited = path not in {"/healthz", "/readyz", "/metrics"} and status != "413"
            if limited and not {"RateLimit", "RateLimit-Policy"} <= documented:
                missing.append(f"{method} {path} {status}: RateLimit")
            if status in {"429", "503"} and "Retry-After" not in documented:
                missing.append(f"{method} {path} {status}: Retry-After")
    assert missing == []


def test_every_documented_422_has_the_one_shape_with_errors(app: FastAPI) -> None:
    schema = app.openapi()
    problem = schema["components"]["schemas"]["Problem"]
    assert "errors" in problem["properties"]
    wrong = [
        f"{method} {path}"
        for path, method, op in _operations(schema)
        if "422" in op["responses"]
        and "errors" not in op["responses"]["422"]["content"][PROBLEM_MEDIA_TYPE]["example"]
    ]
    assert wrong == []
