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
What a world keeps in Python beyond ids and clients (a counter of case references) carries
on from test to test; a world whose tests read such state back builds per test instead.
"""

from __future__ import annotations

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
        return built_world

    return built, world
