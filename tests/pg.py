"""A throwaway PostgreSQL server on loopback for the test suite.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the
`postgres` system user on a directory that user owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


class Server:
    """A running throwaway server that fault tests can stop and start again in place."""

    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port
        self.data = base / "data"
        # Over the server's Unix socket in `base`: a round trip costs less than over loopback
        # TCP, and the suite makes a few per request. The server listens on loopback too.
        self.url = f"postgresql+psycopg://app@/postgres?host={base}&port={port}"

    def start(self) -> None:
        # A throwaway server: nothing it writes must survive the machine, so durability
        # is off (no fsync, no full-page images, commits not waited for, the least WAL);
        # no query is worth compiling (jit). Autovacuum stays: every rolled-back test
        # leaves dead rows behind, and without it scans would slow as the pass goes on.
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal "
            "-c max_wal_senders=0 -c jit=off -c max_connections=200"
        )
        subprocess.run(
            _as_server_user(
                [
                    _bin("pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.base / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)

    def stop(self, mode: str = "immediate") -> None:
        subprocess.run(
            _as_server_user([_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "stop"]),
            check=False,
            capture_output=True,
        )


@contextmanager
def postgres_instance() -> Iterator[Server]:
    """Start a server, yield it, stop and delete it."""
    base = Path(tempfile.mkdtemp(prefix="envagin-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres")
    server = Server(base, _free_port())
    subprocess.run(
        _as_server_user(
            [_bin("initdb"), "-D", str(server.data), "-A", "trust", "-U", "app", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server, yield the URL of its `app` superuser, stop and delete it."""
    with postgres_instance() as server:
        yield server.url
