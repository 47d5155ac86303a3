"""Counts over the agreement year (issue 13, correction 5): a live proposal counts toward
its own agreement year — its round's — never toward another year's quotas, area caps or
settlement figure; an area's cap per year is what remains of it after the year's
placements."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.agreements.models import Agreement
from app.agreements.quota import placements_of_year
from app.core.db import utcnow
from app.policies.service import current_policy
from app.rounds.translate import RoundInputs, area_cap, build_problem
from app.scenarios.loader import load_into, read_scenario
from app.settlement.models import SettlementFigure
from app.settlement.service import settlement_status
from tests.conftest import Api
from tests.worlds.jobs import POSTGRES, run_jobs


def test_an_area_cap_per_year_leaves_what_the_year_has_not_used() -> None:
    """Jönköping's 'geografiskt spridda': the round's cap is the lower of the per-round cap
    and what remains of the yearly one; an area without caps has none."""
    assert area_cap(None, None, 7) is None
    assert area_cap(4, None, 7) == 4
    assert area_cap(None, 6, 4) == 2
    assert area_cap(4, 6, 1) == 4
    assert area_cap(4, 6, 9) == 0


def run_round(api: Api, code: str, year: int) -> None:
    coordinator = api.client("coordinator", municipality=code)
    started = coordinator.post("/v1/rounds", json={"year": year, "time_limit_s": 30})
    assert started.status_code == 202, started.text
    if POSTGRES:
        run_jobs(api)
    done = coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
    assert done["status"] == "succeeded", done["error"]
    assert done["proposals"]


def test_a_live_proposal_counts_toward_its_own_agreement_year_only(api: Api) -> None:
    """Helsingborg's proposals of last year's round, still live, take nothing from this year's
    quota or settlement figure: they count toward last year, where their tenancies will."""
    scenario = read_scenario("helsingborg")
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=0.1, year=2025)
    code = loaded.municipality
    run_round(api, code, 2025)
    with api.app.state.sessionmaker.begin() as session:
        for old in session.scalars(select(Agreement).where(Agreement.municipality_code == code)):
            fields = {
                c.name: getattr(old, c.name)
                for c in Agreement.__table__.columns
                if c.name not in ("id", "year", "version", "created_at", "updated_at")
            }
            session.add(Agreement(**fields, year=2026))
        for year in (2025, 2026):
            session.add(SettlementFigure(municipality_code=code, year=year, figure=50))
    with api.app.state.sessionmaker() as session:
        last_year = placements_of_year(session, code, 2025, utcnow())
        assert last_year
        assert placements_of_year(session, code, 2026, utcnow()) == []
        agreements = {
            a.landlord_id: a.quota
            for a in session.scalars(
                select(Agreement).where(Agreement.municipality_code == code, Agreement.year == 2026)
            )
        }
        inputs = RoundInputs(
            municipality=code,
            year=2026,
            policy=current_policy(session, code),
            newly_arrived_min=0,
            time_limit_s=10,
            now=utcnow(),
        )
        problem = build_problem(session, inputs)
        assert {lo.id: lo.quota for lo in problem.landlords} == agreements
        before = build_problem(session, replace(inputs, year=2025))
        for landlord in before.landlords:
            taken = sum(1 for p in last_year if p.landlord_id == landlord.id)
            assert landlord.quota == max(agreements[landlord.id] - taken, 0)
        this_year = settlement_status(session, code, 2026)
        assert this_year is not None
        assert (this_year.in_proposals, this_year.remaining) == (0, 50)
        last = settlement_status(session, code, 2025)
        assert last is not None
        assert last.in_proposals > 0
        assert last.remaining == 50 - last.in_proposals
