"""The README's tour runs: its shell blocks, taken from the README itself, are run against
a live demo server, so a change that breaks the tour breaks this test (issue 11)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import LiveServer, live_server

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# `LANDLORD=$(token cid_… …)   # the Demobostäder pair`: the pair a line asks for.
PAIR = re.compile(r"\$\(token cid_… …\)(\s*#\s*the (?P<who>.+?) pair)")


def tour_blocks() -> list[str]:
    """The shell blocks of the curl tour, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index("### With curl")
    end = text.index("### With Swagger UI", start)
    return [match.group(1) for match in BLOCK.finditer(text[start:end])]


def _pair_for(server: LiveServer, who: str) -> dict[str, Any]:
    if who in ("coordinator", "social_services", "admin"):
        return server.credential(who)
    return next(
        c
        for c in server.credentials()
        if c["role"] == "landlord" and str(c.get("landlord", "")).startswith(who)
    )


def runnable(block: str, server: LiveServer) -> str:
    """A block with the server's address and the demo credentials it names filled in."""
    block = block.replace("B=http://127.0.0.1:8000", f"B={server.url}")

    def fill(match: re.Match[str]) -> str:
        pair = _pair_for(server, match.group("who"))
        return f"$(token {pair['client_id']} {pair['client_secret']}){match.group(1)}"

    return PAIR.sub(fill, block)


def test_the_tour_has_its_steps() -> None:
    """The tour names every pair it uses, and goes on past the round to the tenancy."""
    blocks = tour_blocks()
    joined = "\n".join(blocks)
    assert len(PAIR.findall(joined)) == 3
    for step in ("/release", "/accept", "/step", "TENANCY="):
        assert step in joined, step


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour needs curl")
def test_the_readme_tour_runs_against_a_live_demo_server(tmp_path: Path) -> None:
    blocks = tour_blocks()
    with live_server(tmp_path) as server:
        script = ["set -euo pipefail"]
        for number, block in enumerate(blocks):
            # A newline first: curl's output need not end with one.
            script += [f"printf '\\n::block {number}::\\n'", runnable(block, server)]
        script.append('echo \'::state::\' "$PROPOSAL" "$TENANCY"')
        done = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        outputs = re.split(r"\n::block \d+::\n", done.stdout)[1:]
        assert len(outputs) == len(blocks)
        by_block = dict(zip(blocks, outputs, strict=True))

        def output_of(marker: str) -> str:
            return next(out for block, out in by_block.items() if marker in block)

        assert "HTTP/1.1 201" in output_of("/v1/vacancies/DB-2001")
        household = output_of('"case_ref": "VS-2026-0042"')
        assert "HTTP/1.1 201" in household
        assert '"max_rent":7400' in household
        assert '"external_ref":"DB-2001"' in output_of('curl "$B/v1/vacancies"')
        round_ = output_of("ROUND=$(")
        assert '"status":"succeeded"' in round_
        assert '"case_ref":"VS-2026-0042"' in round_
        answers = output_of("/release")
        assert answers.count("HTTP/1.1 200") == 3, answers
        step = output_of("/step")
        assert "HTTP/1.1 409" in step
        assert "trial_period_end" in step
        assert "HTTP/1.1 201" in output_of("/v1/webhooks")

        proposal, tenancy = done.stdout.rsplit("::state::", 1)[1].split()
        coordinator = httpx.post(
            f"{server.url}/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": server.credential("coordinator")["client_id"],
                "client_secret": server.credential("coordinator")["client_secret"],
            },
            timeout=10,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {coordinator}"}
        made = httpx.get(f"{server.url}/v1/proposals/{proposal}", headers=headers).json()
        assert (made["status"], made["tenancy"]) == ("contracted", tenancy)
        lease = httpx.get(f"{server.url}/v1/tenancies/{tenancy}", headers=headers).json()
        assert (lease["case_ref"], lease["external_ref"]) == ("VS-2026-0042", "DB-2001")
        assert (lease["status"], lease["next_step"]) == ("active", "own_lease")
