"""`make run` for a person: the real URL, credentials kept in a file only its owner reads,
and a start that fails on a busy port changes nothing."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from tests.live import SQLITE_ONLY, live_server, serve_command, serve_env, token

ROOT = Path(__file__).resolve().parent.parent
pytestmark = SQLITE_ONLY


def test_the_server_prints_its_real_url_and_keeps_the_credentials_for_its_owner(
    tmp_path: Path,
) -> None:
    with live_server(tmp_path) as server:
        assert f"Swagger UI: http://127.0.0.1:{server.port}/docs" in server.printed()
        assert stat.S_IMODE(server.credentials_file.stat().st_mode) == 0o600
        roles = [c["role"] for c in server.credentials()]
        assert roles.count("landlord") == 2
        assert {"admin", "coordinator", "social_services"} <= set(roles)
        for credential in server.credentials():
            assert token(server, credential).status_code == 200


def test_a_start_on_a_busy_port_changes_nothing(tmp_path: Path) -> None:
    """Before: the second start revoked the running server's demo credentials, then
    failed to bind. Now it fails before touching the database or the credentials file."""
    with live_server(tmp_path) as server:
        before = server.credentials_file.read_bytes()
        second = subprocess.run(
            serve_command(server.port, server.credentials_file),
            cwd=tmp_path,
            env=serve_env(tmp_path),
            capture_output=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert b"cannot listen on 127.0.0.1" in second.stderr
        assert server.credentials_file.read_bytes() == before
        for credential in server.credentials():
            assert token(server, credential).status_code == 200


def test_make_run_takes_host_and_port_and_installs_no_dev_tools() -> None:
    planned = subprocess.run(
        ["make", "-n", "-B", "run", "PORT=8001", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "serve --host 0.0.0.0 --port 8001 --demo" in planned
    assert "pip install -q -c constraints.txt -e ." in planned
    assert "[dev]" not in planned
