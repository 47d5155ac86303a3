"""A module's world built once per test worker instead of once per test.

Most API tests of a module start from the same world (Västerås with its landlords and
agreements, Jönköping with its round queue, …), built through HTTP in a few dozen requests.
`built_once(World)` gives a module two fixtures in place of `world(api) -> World(api)`:

- `built_world` (module scope) builds the world inside a transaction on the worker's app
  that is rolled back when the module's tests on this worker are done
  (`tests/transaction.py`'s `rolled_back`);
- `world` (function scope) hands it to a test whose `app` is a savepoint on that
  transaction, rolled back at the test's end: every test starts from the world as built,
  and nothing a test writes reaches the next.

A test marked `commits` cannot use it (its writes must be seen by other connections, which
the module's open transaction would keep waiting): `tests/conftest.py`'s `app` refuses.
What a world keeps in Python (ids by reference, a counter of case references) is handed to
each test as it was built (`as_built`): a test's additions end with it, like its rows.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from anyio.from_thread import BlockingPortal
from fastapi import FastAPI

from tests.conftest import Api
from tests.transaction import rolled_back

W = TypeVar("W")


def built_once(build: Callable[[Api], W], name: str = "world") -> tuple[Any, Any]:
    """The module's `built_world` fixture and the `<name>` fixture its tests ask for, for
    the world `build` makes (one such world per module)."""

    @pytest.fixture(scope="module", name="built_world")
    def built(shared_app: FastAPI, portal: BlockingPortal) -> Iterator[W]:
        with rolled_back(shared_app):
            yield build(Api(shared_app, portal))

    @pytest.fixture(name=name)
    def world(app: FastAPI, built_world: W) -> W:
        # A module-scoped fixture is set up before the test's `app`, which then opens the
        # test's savepoint on the module's transaction.
        return as_built(built_world)

    return built, world


def as_built(world: W) -> W:
    """The world as it was built, for one test: a shallow copy whose dicts, lists and sets
    are copies too, so what a test adds to them (a vacancy's id by its reference) or counts
    on (the next case reference) starts where the build left it, as the database does."""
    fresh = copy.copy(world)
    for attribute, value in getattr(fresh, "__dict__", {}).items():
        if isinstance(value, dict | list | set):
            setattr(fresh, attribute, copy.copy(value))
    return fresh
