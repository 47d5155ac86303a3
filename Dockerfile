# syntax=docker/dockerfile:1
# Two stages: the builder resolves and installs the pinned dependencies into a virtualenv;
# the runtime image gets only that virtualenv and the code it runs (no compilers, no pip
# cache, no tests). Build: docker build -t en-vag-in .
# Run:   docker run -p 8000:8000 -e ENVAGIN_SIGNING_KEY=... -e DATABASE_URL=... en-vag-in

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, so that a code-only change reuses this layer's resolution.
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY matching ./matching
RUN pip install --upgrade pip \
 && pip install -c constraints.txt .

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVAGIN_ENVIRONMENT=production
# production refuses the built-in development signing key: the container will not start
# until ENVAGIN_SIGNING_KEY is set to a secret of at least 32 characters.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home --home-dir /srv/app \
      --shell /usr/sbin/nologin app
WORKDIR /srv/app
COPY --from=builder /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
# app/ beside alembic.ini and migrations/: `python -m app` runs from here, and
# app/core/migrate.py finds alembic.ini and migrations/ next to the package.
COPY app ./app
# The nine municipal models (SCENARIO=name), found beside the package like migrations/.
COPY scenarios ./scenarios
# The default DATABASE_URL is a SQLite file under ./var; only that directory is writable.
RUN mkdir var && chown app:app var
USER app
EXPOSE 8000
# No curl in the slim image: the standard library's urllib does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# The same image runs a worker: `python -m app worker`. The HEALTHCHECK above probes the
# API, and an image has one HEALTHCHECK for every command, so a worker container replaces
# it with the worker's own probe (compose and Kubernetes examples: docs/operations.md):
#   docker run ... --health-cmd "python -m app worker --check" en-vag-in python -m app worker
# `serve` migrates the database to the newest schema first, then starts uvicorn.
CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000"]
