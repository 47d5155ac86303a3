"""A real server for the tests that need one (a browser, a generated client, `serve`
itself): `python -m app serve --demo` on a free loopback port and a SQLite file, as
`make run` starts it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

SQLITE_ONLY = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE", "sqlite") != "sqlite",
    reason="a live server on its own SQLite file: run once, in the SQLite suite",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(port: int, credentials_file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "app",
        "serve",
        "--demo",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--credentials-file",
        str(credentials_file),
    ]


def serve_env(directory: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'live.db'}",
        "ENVAGIN_ENVIRONMENT": "development",
        "ENVAGIN_LOG_LEVEL": "WARNING",
        # Cheap hashing: the server checks a secret per token request.
        "ENVAGIN_ARGON2_TIME_COST": "1",
        "ENVAGIN_ARGON2_MEMORY_COST": "64",
    }


@dataclass
class LiveServer:
    url: str
    port: int
    directory: Path
    credentials_file: Path
    output: Path
    process: subprocess.Popen[bytes]

    def credentials(self) -> list[dict[str, Any]]:
        document = json.loads(self.credentials_file.read_text(encoding="utf-8"))
        return list(document["credentials"])

    def credential(self, role: str, landlord: str | None = None) -> dict[str, Any]:
        """The demo pair of a role (for a landlord: the first, or the one named)."""
        return next(
            c
            for c in self.credentials()
            if c["role"] == role and (landlord is None or c.get("landlord") == landlord)
        )

    def printed(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


@contextmanager
def live_server(directory: Path, *, timeout: float = 90.0) -> Iterator[LiveServer]:
    """Start the demo server, wait until it answers, stop it afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    credentials_file = directory / "var" / "demo-credentials.json"
    output = directory / "server.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            serve_command(port, credentials_file),
            cwd=directory,
            env=serve_env(directory),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(
        f"http://127.0.0.1:{port}", port, directory, credentials_file, output, process
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {server.printed()}")
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer: {server.printed()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def token(server: LiveServer, credential: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credential["client_id"],
            "client_secret": credential["client_secret"],
        },
        timeout=10,
    )
