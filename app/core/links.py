"""OpenAPI links: which operations take the id a creation answers with. They document the
workflow for client developers (Swagger UI shows them under the response) and let
schemathesis chain real calls in its stateful tests (tests/test_fuzz.py)."""

from __future__ import annotations

from typing import Any


def id_links(parameter: str, **operations: str) -> dict[str, Any]:
    """A response's `links`: each named operation (by operationId) takes the answer's `id`
    as its path `parameter`."""
    return {
        "links": {
            name: {
                "operationId": operation_id,
                "parameters": {parameter: "$response.body#/id"},
            }
            for name, operation_id in operations.items()
        }
    }
