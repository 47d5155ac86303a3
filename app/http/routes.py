"""The app's path templates, read off its OpenAPI document, the one complete list of its
operations: which methods a path serves (the `Allow` of a 405) and which template a
concrete path belongs to (the label of its metrics).

A concrete path is matched before a templated one, as OpenAPI reads paths:
`/v1/tenancies/import` is its own resource, not a tenancy whose id is "import"."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import compile_path

PathTable = list[tuple[str, re.Pattern[str], frozenset[str]]]


def _table(app: FastAPI) -> PathTable:
    """Each documented path, its pattern and its methods, built once per app state."""
    state = app.state
    if not hasattr(state, "path_methods"):
        state.path_methods = [
            (path, compile_path(path)[0], frozenset(method.upper() for method in operations))
            for path, operations in app.openapi()["paths"].items()
        ]
    table: PathTable = state.path_methods
    return table


def _matching(app: FastAPI, path: str) -> list[tuple[str, frozenset[str]]]:
    table = _table(app)
    concrete = [(template, methods) for template, _, methods in table if template == path]
    return concrete or [
        (template, methods) for template, regex, methods in table if regex.match(path)
    ]


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method any operation serves on this path. Starlette's own `Allow` names only
    the first route that matched, and we declare one route per method."""
    return sorted(set().union(*(methods for _, methods in _matching(app, path))))


def route_template(app: FastAPI, path: str) -> str | None:
    """The documented template a concrete path belongs to, or None (no operation)."""
    found = _matching(app, path)
    return found[0][0] if found else None


class MetricsMiddleware(PrometheusInstrumentatorMiddleware):
    """The instrumentator's middleware, labelling each request with its route template from
    the table above. The library finds the template by matching the request against every
    route, and with FastAPI's included routers that walk visits each route's context in
    Python: about a sixth of a request's time in the API fuzz's profile.
    `label_metrics_by_documented_paths` puts this class in the library's place."""

    def _get_handler(self, request: Request) -> tuple[str, bool]:
        template = route_template(request.app, request.url.path)
        if template is None:  # a page outside the API (docs, dashboard) or no route at all
            return super()._get_handler(request)
        return template, True


def label_metrics_by_documented_paths(app: FastAPI) -> None:
    """Swap the instrumentator's middleware (added by `Instrumentator.instrument`) for
    `MetricsMiddleware`, with the same settings, before the app builds its stack."""
    entries: list[Any] = list(app.user_middleware)
    app.user_middleware = [
        Middleware(MetricsMiddleware, *entry.args, **entry.kwargs)
        if entry.cls is PrometheusInstrumentatorMiddleware
        else entry
        for entry in entries
    ]
