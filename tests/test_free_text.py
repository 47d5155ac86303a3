"""No personal identity number and no invisible control in any free-text field (issue 29).

The guard lives on the text types (`app/core/types.py`), so it is proven here over the
OpenAPI document rather than over a list of fields: a field added tomorrow with a plain `str`
fails the walk.

Choice: the walk validates each operation's request body against the operation's own
pydantic body field (`route.body_field`), the very validation FastAPI runs before the
handler, and not through HTTP. Building a world in which every operation's example would
be accepted (a round with proposals, a household with a tenancy, a mandate …) for the 30
operations with a JSON body would make this a second copy of the other test files, and
each of the ~190 probes a full request; the body field refuses or accepts exactly as the API
does (each probe is checked to be refused at its own field, after the example with an
ordinary value there is checked to be accepted). Path parameters are walked the same way
through the route's dependant. The HTTP tests below show the 422 problem the client gets for
the three fields the issue found open (a vacancy's address, a decline's comment, a
webhook's description), a vacancy's reference in its path and the `X-Purpose` header.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, TypeAdapter

from app.core.types import contains_identity_number
from tests.conftest import Api
from tests.test_architecture import api_routes
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, vacancy_body

PROBLEM = "application/problem+json"

IDENTITY_NUMBERS = [
    "19121212-1212",
    "121212-1212",
    "1212121212",
    "191212121212",
    "121212+1212",
    "Hushållet 121212-1212 har skulder",
]
"""One Luhn-valid personnummer (12 December 1912) in the six spellings the probe used."""
CONTROLS = ["\u202e", "\u200b", "\u2028", "\ufeff"]
"""Right-to-left override, zero-width space, line separator, byte-order mark."""
PROBES = IDENTITY_NUMBERS + [f"Bäckby{control}gatan 12" for control in CONTROLS]

ORDINARY = ["Ordinary text", "ref-1"]
"""Values a field that takes words accepts; the walk calls a string field free text when
its pattern (if any) admits one of them."""

DECLARED_EXCEPTIONS: frozenset[tuple[str, str, str]] = frozenset(
    {("POST", "/v1/prevention/signals", "tenant.personal_identity_number")}
)
"""(method, path, field) where an identity number is the point of the field: the tenant of
an eviction-prevention signal (issue 25), a type of its own used there only
(tests/test_prevention.py proves it is the one field with that format)."""


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _string_fields(
    schema: dict[str, Any], components: dict[str, Any], path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every string reachable in a body schema (through objects, arrays, unions), with its
    path: an array's items are at index 0."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []):
            yield from _string_fields(member, components, path)
    if schema.get("type") == "object":
        for name, member in schema.get("properties", {}).items():
            yield from _string_fields(member, components, (*path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield from _string_fields(extra, components, (*path, "key"))
    elif schema.get("type") == "array":
        yield from _string_fields(schema.get("items", {}), components, (*path, 0))
    elif schema.get("type") == "string":
        yield path, schema


def _ordinary_value(schema: dict[str, Any]) -> str | None:
    """A plain value the field takes if it is free text; None for codes and formats (enums,
    dates, uuids, kommunkoder, org numbers, URLs), whose shape already refuses words."""
    if "enum" in schema or "const" in schema or "format" in schema:
        return None
    pattern = schema.get("pattern")
    for value in ORDINARY:
        if pattern is None or re.fullmatch(pattern, value):
            return value
    return None


def _with(body: Any, path: tuple[str | int, ...], value: str) -> Any:
    """The body with the field at `path` set to `value`, creating what the example left out."""
    body = copy.deepcopy(body)
    node = body
    for step, following in itertools.pairwise(path):
        if isinstance(step, int):
            if not node:
                node.append([] if isinstance(following, int) else {})
            node = node[0]
        else:
            if node.get(step) is None:
                node[step] = [] if isinstance(following, int) else {}
            node = node[step]
    last = path[-1]
    if isinstance(last, int):
        node[:] = [value]
    else:
        node[last] = value
    return body


FreeTextField = tuple[str, str, tuple[str | int, ...], str, Any, Any]


def _free_text_fields(app: FastAPI) -> list[FreeTextField]:
    """(method, path, field, an ordinary value, example, body field) for every free-text
    field of every JSON request body in the OpenAPI document."""
    document = app.openapi()
    components = document["components"]["schemas"]
    routes = {
        (method.lower(), route.path_format): route
        for route in api_routes(app.routes)
        for method in route.methods or ()
    }
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            body_schema = _resolve(media["schema"], components)
            example = media.get("example", (body_schema.get("examples") or [None])[0])
            body_field = routes[(method, path)].body_field
            assert body_field is not None, f"{method} {path}"
            for field, schema in _string_fields(body_schema, components):
                ordinary = _ordinary_value(schema)
                if ordinary is None:
                    continue
                if (method.upper(), path, ".".join(map(str, field))) in DECLARED_EXCEPTIONS:
                    continue
                found.append((method.upper(), path, field, ordinary, example, body_field))
    return found


def _errors(body_field: Any, body: Any) -> list[dict[str, Any]]:
    _, errors = body_field.validate(body, {}, loc=("body",))
    return list(errors or [])


def test_every_free_text_field_refuses_identity_numbers_and_invisible_controls(
    app: FastAPI,
) -> None:
    """For each free-text field of each request body, the operation's example with an
    ordinary value there is accepted, and with each probe there it is refused at that field
    without echoing the number."""
    fields = _free_text_fields(app)
    # The fields the issue found open are among those walked: the walk sees them.
    walked = {(method, path, ".".join(map(str, field))) for method, path, field, *_ in fields}
    assert {
        ("PUT", "/v1/vacancies/{external_ref}", "address"),
        ("POST", "/v1/proposals/{proposal_id}/decline", "comment"),
        ("POST", "/v1/webhooks", "description"),
        ("POST", "/v1/households", "case_ref"),
    } <= walked
    open_fields = []
    for method, path, field, ordinary, example, body_field in fields:
        name = f"{method} {path} {'.'.join(map(str, field))}"
        accepted = _errors(body_field, _with(example, field, ordinary))
        assert accepted == [], f"{name}: the example is not accepted: {accepted}"
        for probe in PROBES:
            errors = _errors(body_field, _with(example, field, probe))
            at_field = [e for e in errors if tuple(e["loc"][1:]) == field]
            if not at_field:
                open_fields.append(f"{name} takes {probe!r}")
                continue
            for error in at_field:
                assert "121212" not in str(error.get("msg", "")), name
    assert open_fields == []


def _path_params(dependant: Any) -> Iterator[Any]:
    yield from dependant.path_params
    for dependency in dependant.dependencies:
        yield from _path_params(dependency)


def test_every_free_text_path_parameter_refuses_identity_numbers(app: FastAPI) -> None:
    """A reference chosen by the caller in the path (a vacancy's `external_ref`, an area's
    id) is stored and sent on like a body field: the same walk over the path parameters."""
    document = app.openapi()
    routes = {
        (method.lower(), route.path_format): route
        for route in api_routes(app.routes)
        for method in route.methods or ()
    }
    walked, open_parameters = set(), []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            fields = {field.name: field for field in _path_params(routes[(method, path)].dependant)}
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path" or _ordinary_value(parameter["schema"]) is None:
                    continue
                walked.add(parameter["name"])
                field = fields[parameter["name"]]
                for probe in PROBES:
                    _, errors = field.validate(probe, {}, loc=("path", field.name))
                    if not errors:
                        open_parameters.append(f"{method.upper()} {path} takes {probe!r}")
    assert {"external_ref", "area_id"} <= walked
    assert open_parameters == []


def test_the_walk_fails_on_a_string_field_without_the_guard() -> None:
    """A plain `str` field is what the walk must catch: it takes every probe."""

    class Unguarded(BaseModel):
        model_config = ConfigDict(extra="forbid")
        note: str

    schema = TypeAdapter(Unguarded).json_schema()
    fields = list(_string_fields(schema, {}))
    assert [(field, _ordinary_value(s)) for field, s in fields] == [(("note",), "Ordinary text")]
    for probe in PROBES:
        Unguarded(note=probe)  # accepted: the walk would list it as open


@pytest.mark.parametrize("text", IDENTITY_NUMBERS)
def test_the_six_spellings_are_identity_numbers(text: str) -> None:
    assert contains_identity_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "Bäckbygatan 12, 723 48 Västerås",
        "Ring 070-123 45 67",
        "VAS-2026-0142",
        "Lägenhet 1201, våning 3",
        "121212-1213",  # the check digit is wrong
        "121312-1212",  # no 13th month
    ],
)
def test_ordinary_text_with_digits_is_not_an_identity_number(text: str) -> None:
    assert not contains_identity_number(text)


# --- The answer a client gets --------------------------------------------------------------


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def _assert_refused(response: Any, field: str, probe: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert [error["field"] for error in response.json()["errors"]] == [field]
    for number in ("121212", "1212-1212", "1212+1212"):
        if number in probe:
            assert number not in response.text


@pytest.mark.parametrize("probe", PROBES)
def test_a_vacancy_address_with_an_identity_number_or_control_is_422(
    world: World, probe: str
) -> None:
    response = world.mimer_client.put("/v1/vacancies/LGH-1", json=vacancy_body(address=probe))
    _assert_refused(response, "address", probe)


def test_a_vacancy_reference_with_an_identity_number_is_422(world: World) -> None:
    response = world.mimer_client.put("/v1/vacancies/19121212-1212", json=vacancy_body())
    _assert_refused(response, "path.external_ref", "19121212-1212")


@pytest.mark.parametrize("probe", PROBES)
def test_a_decline_comment_with_an_identity_number_or_control_is_422(
    world: World, probe: str
) -> None:
    _, _, proposal = world.pair()
    response = world.mimer_client.post(
        f"/v1/proposals/{proposal}/decline", json={"reason": "other", "comment": probe}
    )
    _assert_refused(response, "comment", probe)
    assert world.proposal_status(proposal) == "released"


@pytest.mark.parametrize("probe", PROBES)
def test_a_webhook_description_with_an_identity_number_or_control_is_422(
    world: World, probe: str
) -> None:
    response = world.mimer_client.post(
        "/v1/webhooks",
        json={
            "url": "https://example.se/hook",
            "events": ["proposal.released"],
            "description": probe,
        },
    )
    _assert_refused(response, "description", probe)


def test_a_purpose_header_with_an_identity_number_is_422(world: World) -> None:
    """`X-Purpose` is free text kept in the audit log: the same guard."""
    household = world.household()
    for probe in IDENTITY_NUMBERS:
        response = world.social.get(
            f"/v1/households/{household}",
            headers={"X-Purpose": probe.encode("utf-8")},
        )
        assert response.status_code == 422, probe
        assert "X-Purpose" in response.json()["detail"]
        assert probe not in response.text
    ordinary = world.social.get(f"/v1/households/{household}", headers={"X-Purpose": "uppfoljning"})
    assert ordinary.status_code == 200, ordinary.text
