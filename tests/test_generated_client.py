"""A client generated from the committed OpenAPI document installs and does the day's
work: token → vacancy → household → round → release → both accepts → tenancy, against a
live server. An integrator gets exactly this with `openapi-python-client generate`."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

from tests.live import SQLITE_ONLY, live_server

ROOT = Path(__file__).resolve().parent.parent
pytestmark = SQLITE_ONLY
BIN = Path(sys.executable).parent

DRIVER = '''
"""Drives the API with the installed client only (no httpx by hand)."""
import json
import sys
import time

from en_vag_in_client import AuthenticatedClient, Client
from en_vag_in_client.api.areas import list_areas
from en_vag_in_client.api.auth_and_credentials import create_token
from en_vag_in_client.api.households import create_household
from en_vag_in_client.api.proposals import accept_proposal, create_pin, list_proposals
from en_vag_in_client.api.proposals import release_proposal
from en_vag_in_client.api.rounds import get_round, start_round
from en_vag_in_client.api.tenancies import list_tenancies
from en_vag_in_client.api.vacancies import put_vacancy
from en_vag_in_client.models import (
    HouseholdCreate,
    PairBody,
    RoundCreate,
    TokenRequest,
    VacancyUpsert,
)

url, credentials = sys.argv[1], json.loads(sys.argv[2])
anonymous = Client(base_url=url)


def login(role, landlord=None):
    pair = next(
        c for c in credentials
        if c["role"] == role and (landlord is None or c.get("landlord") == landlord)
    )
    answer = create_token.sync_detailed(
        client=anonymous,
        body=TokenRequest(
            grant_type="client_credentials",
            client_id=pair["client_id"],
            client_secret=pair["client_secret"],
        ),
    )
    assert answer.status_code == 200, answer.content
    assert answer.headers["cache-control"] == "no-store"
    return AuthenticatedClient(base_url=url, token=answer.parsed.access_token)


landlord = login("landlord", "Demobostäder (allmännyttan)")
social = login("social_services")
coordinator = login("coordinator")

areas = list_areas.sync(code="1980", client=landlord).items
area = next(a.id for a in areas if not a.excluded)
vacancy = put_vacancy.sync_detailed(
    "CLIENT-1",
    client=landlord,
    body=VacancyUpsert.from_dict(
        {
            "municipality": "1980",
            "area": area,
            "rooms": 3,
            "rent": 4500,
            "contract_forms": ["municipal_contract", "support_agreement"],
        }
    ),
)
assert vacancy.status_code == 201, vacancy.content
assert vacancy.headers["etag"] and vacancy.headers["ratelimit"]

household = create_household.sync_detailed(
    client=social,
    x_purpose="generated client test",
    body=HouseholdCreate.from_dict(
        {
            "case_ref": "CLIENT-001",
            "adults": 1,
            "children": 2,
            "target_groups": ["family_with_children"],
            "income": {"income_support": 9500, "housing_allowance": 2500},
            "employment": "none",
            "contract_forms": ["municipal_contract", "support_agreement"],
        }
    ),
)
assert household.status_code == 201, household.content
assert household.headers["location"] == f"/v1/households/{household.parsed.id}"

pin = create_pin.sync_detailed(
    client=coordinator,
    body=PairBody(household=household.parsed.id, vacancy=vacancy.parsed.id),
)
assert pin.status_code == 201, pin.content

started = start_round.sync_detailed(client=coordinator, body=RoundCreate(time_limit_s=20))
assert started.status_code == 202, started.content
round_id = started.parsed.id
for _ in range(300):
    round_ = get_round.sync(round_id, client=coordinator, x_purpose="generated client test")
    if round_.status.value in ("succeeded", "failed"):
        break
    time.sleep(0.2)
assert round_.status.value == "succeeded", round_.to_dict()

proposals = list_proposals.sync(
    client=coordinator, round_=round_id, x_purpose="generated client test"
).items
ours = next(p for p in proposals if p.household == household.parsed.id)
assert ours.vacancy == vacancy.parsed.id and ours.external_ref == "CLIENT-1"

for client, step in ((coordinator, release_proposal), (landlord, accept_proposal),
                     (social, accept_proposal)):
    answer = step.sync_detailed(ours.id, client=client, x_purpose="generated client test")
    assert answer.status_code == 200, answer.content

tenancies = list_tenancies.sync(client=coordinator).items
tenancy = next(t for t in tenancies if t.vacancy == vacancy.parsed.id)
print(json.dumps({"tenancy": tenancy.id, "status": tenancy.status.value}))
'''


def _throwaway_venv(directory: Path) -> Path:
    """A venv of its own that sees the project's installed packages (httpx, attrs, the
    build backend) through a `.pth` file, so installing the client downloads nothing."""
    venv.create(directory, with_pip=False, symlinks=True)
    python = directory / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "project-packages.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    return python


def test_a_generated_python_client_installs_and_drives_a_proposal_to_a_tenancy(
    tmp_path: Path,
) -> None:
    generated = tmp_path / "generated"
    generated.mkdir()
    shutil.copy(ROOT / "openapi" / "openapi.json", generated / "openapi.json")
    result = subprocess.run(
        [
            BIN / "openapi-python-client",
            "generate",
            "--path",
            "openapi.json",
            "--config",
            ROOT / "openapi" / "client-config.yaml",
            "--fail-on-warning",
        ],
        cwd=generated,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    python = _throwaway_venv(tmp_path / "venv")
    installed = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--no-deps",
            "--no-build-isolation",
            generated / "en-vag-in-client",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    with live_server(tmp_path / "server") as server:
        run = subprocess.run(
            [python, driver, server.url, json.dumps(server.credentials())],
            cwd=tmp_path,  # the client comes from the venv, not from the generated sources
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout.splitlines()[-1])["status"] == "active"
