"""Operations: request ids, JSON logs without ids from paths, Prometheus metrics by route
template, liveness and readiness.

Logs and metric labels must never carry a concrete id from a path: ids of households are
personal data in an audit sense, and per-id labels would make the metrics unbounded.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Api

UUID_LIKE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)


@pytest.fixture(autouse=True)
def _quiet_test_client() -> Iterator[None]:
    """The test client (httpx) logs every URL it calls at INFO; those lines are the client's,
    not the service's, and are kept out of the captured output the tests assert on."""
    client_logger = logging.getLogger("httpx")
    level = client_logger.level
    client_logger.setLevel(logging.WARNING)
    yield
    client_logger.setLevel(level)


@pytest.fixture
def fresh_metrics() -> None:
    """Unregister the HTTP metrics an earlier test's app registered in the process-wide
    registry, so that this test's app registers (and records into) its own.

    prometheus-fastapi-instrumentator creates its collectors in the global registry when an
    app's middleware stack is built (at the first request) and silently records nothing when
    they already exist: one app per process in production, but one app per test here.
    """
    for collector, names in list(REGISTRY._collector_to_names.items()):
        if any(name.startswith("http_") for name in names):
            REGISTRY.unregister(collector)


def _json_lines(text: str) -> list[dict[str, Any]]:
    """Every non-empty line parsed as JSON; a line that is not JSON fails the test."""
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:  # pragma: no cover - the failure message is the point
            pytest.fail(f"log line is not JSON: {line!r}")
    return parsed


def test_every_response_carries_a_generated_request_id(api: Api) -> None:
    first = api.anonymous.get("/healthz")
    second = api.anonymous.get("/v1/municipalities/1980")  # 401 problem, still an id
    assert second.status_code == 401
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    assert ids[0] != ids[1]


def test_a_valid_incoming_request_id_is_echoed(api: Api) -> None:
    incoming = "lb-7f3a9c2e-0001"
    response = api.anonymous.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["has spaces", "x" * 65, "semi;colon", "new\u00e9line"], ids=str.__len__
)
def test_an_unsafe_incoming_request_id_is_replaced(api: Api, incoming: str) -> None:
    """A client-chosen id lands in every log line, so only short alphanumerics are trusted."""
    response = api.anonymous.get("/healthz", headers={"X-Request-ID": incoming.encode()})
    assert response.headers["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_log_lines_are_json_with_the_request_id(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    api.municipality("1980")
    capsys.readouterr()
    response = api.admin.get("/v1/municipalities/1980", headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 200
    lines = _json_lines(capsys.readouterr().out)
    assert lines, "the request wrote no log line"
    assert all(line["request_id"] == "trace-42" for line in lines)
    assert all({"event", "level", "timestamp"} <= line.keys() for line in lines)


def test_request_log_names_the_route_template_never_the_concrete_path(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    capsys.readouterr()
    coordinator.put("/v1/municipalities/1980/areas/RASLATT", json={"name": "Råslätt"})
    missing = f"cid_{uuid.uuid4()}"
    api.admin.delete(f"/v1/credentials/{missing}")
    requests = [line for line in _json_lines(capsys.readouterr().out) if line["event"] == "request"]
    assert [(r["method"], r["route"]) for r in requests] == [
        ("PUT", "/v1/municipalities/{code}/areas/{area_id}"),
        ("DELETE", "/v1/credentials/{credential_id}"),
    ]
    for line in requests:
        values = " ".join(str(v) for k, v in line.items() if k not in ("timestamp", "request_id"))
        assert "1980" not in values
        assert "RASLATT" not in values
        assert not UUID_LIKE.search(values)
        assert {"status", "ms", "request_id"} <= line.keys()


def test_an_unmatched_path_is_logged_as_unmatched(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    path = f"/v1/no-such-thing/{uuid.uuid4()}"
    response = api.anonymous.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    [line] = [line for line in _json_lines(capsys.readouterr().out) if line["event"] == "request"]
    assert line["route"] == "unmatched"
    assert line["status"] == 404


def _label_values(metrics_text: str) -> list[tuple[str, str, str]]:
    """(sample, label, value) for every label of every sample in Prometheus text format."""
    return [
        (sample.name, label, value)
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        for label, value in sample.labels.items()
    ]


@pytest.mark.own_app
@pytest.mark.usefixtures("fresh_metrics")
def test_metrics_are_prometheus_text(api: Api) -> None:
    api.anonymous.get("/healthz")
    response = api.anonymous.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert "http_requests" in names
    assert "http_request_duration_seconds" in names


@pytest.mark.own_app
@pytest.mark.usefixtures("fresh_metrics")
def test_metric_labels_are_route_templates_never_ids(api: Api) -> None:
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    assert coordinator.get("/v1/municipalities/1980").status_code == 200
    coordinator.put("/v1/municipalities/1980/areas/RASLATT", json={"name": "Råslätt"})
    api.admin.delete(f"/v1/credentials/cid_{uuid.uuid4()}")
    api.anonymous.get(f"/v1/no-such-thing/{uuid.uuid4()}")

    labels = _label_values(api.anonymous.get("/metrics").text)
    handlers = {value for _, label, value in labels if label == "handler"}
    assert "/v1/municipalities/{code}" in handlers
    assert "/v1/municipalities/{code}/areas/{area_id}" in handlers
    assert "/v1/credentials/{credential_id}" in handlers
    for sample, label, value in labels:
        assert "1980" not in value, (sample, label, value)
        assert "RASLATT" not in value, (sample, label, value)
        assert not UUID_LIKE.search(value), (sample, label, value)


def test_healthz_answers_without_a_token(api: Api) -> None:
    response = api.anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_when_the_database_does(api: Api) -> None:
    response = api.anonymous.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
