# Two commands do everything: `make run` and `make test`. Both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what running needs; `make install` (and every target that tests or
# checks) adds the dev tools. Each stamp is renewed when the dependencies change.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-run run worker test test-fast lint typecheck test-sqlite test-postgresql openapi bench clean

install: $(STAMP)

install-run: $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: install-run
	$(if $(SCENARIO),DATABASE_URL=$${DATABASE_URL:-sqlite:///./var/scenario-$(SCENARIO).db} )$(BIN)/python -m app serve --host $(HOST) --port $(PORT) $(if $(SCENARIO),--scenario $(SCENARIO),--demo)

# On PostgreSQL, round jobs run in worker processes beside the API (docs/rounds.md).
worker: install-run
	$(BIN)/python -m app worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy app matching tests benchmarks migrations

# Tiers (docs/testing.md): unit (no database), api (the app on the suite's database),
# system (real processes) and fuzz. The whole suite on SQLite, then every test that uses a
# database again on a throwaway PostgreSQL server that the tests start on loopback
# (tests/pg.py); tests without one run once. worksteal: an idle worker takes queued tests
# from a busy one, so the long fuzz and system tests do not pile up on one worker.
PYTEST := $(BIN)/pytest -n 2 --dist worksteal --durations=20
# Compiled modules are kept (in __pycache__, ignored by git) even where the environment
# asks Python not to write them: otherwise every test worker, and every server or CLI a
# test starts, compiles the app again and pytest rewrites every test module's asserts
# again (half of a worker's collection time).
unexport PYTHONDONTWRITEBYTECODE

test-sqlite: install
	TEST_DATABASE=sqlite $(PYTEST)

test-postgresql: install
	TEST_DATABASE=postgresql $(PYTEST) -m database

# The edit-run loop: unit and api tiers on SQLite, no fuzz, no real processes.
test-fast: install
	TEST_DATABASE=sqlite $(PYTEST) -m "unit or api"

# Lint, types and both databases' passes at once: while one pass waits (on a browser, a
# subprocess, a server starting) or runs its last long tests on one worker, the other has
# work for the core (docs/testing.md has the times). Each step's output is printed whole
# when it ends; make names the step that failed. Both passes share one directory for the
# fuzz's drawn cases, so an operation's cases are drawn once per run (tests/fuzz_cases.py).
test: install
	cases=$$(mktemp -d) && trap 'rm -rf "$$cases"' EXIT && ENVAGIN_FUZZ_CASES="$$cases" \
	$(MAKE) --no-print-directory --output-sync=target -j4 lint typecheck test-sqlite test-postgresql

openapi: install-run
	$(BIN)/python -m app openapi openapi/openapi.json

bench: install
	$(BIN)/python -m matching bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
