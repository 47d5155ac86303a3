"""The nine municipal models of the sources (docs/domain.md §7) run on the service as
configuration: each scenario is loaded through the service layer at a tenth-and-a-half of a
year, a round runs through HTTP, and the rules that define that municipality are asserted
on the result. Every test also checks every proposal against the round's own downloaded
problem with the solver's reference eligibility check, and the round constraints (quota,
exception quota, area cap)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

import matching
from app.agreements.models import Agreement
from app.core.db import local_date
from app.households.models import Household
from app.scenarios.loader import (
    Loaded,
    ScenarioError,
    available,
    load_into,
    read_scenario,
    scaled,
)
from app.scenarios.schema import Scenario
from app.tenancies.models import Tenancy, TenancyEvent
from tests.conftest import Api, AuthedClient
from tests.timetravel import time_passes
from tests.worlds.jobs import run_jobs

SCALE = 0.15
NINE = [
    "goteborg",
    "helsingborg",
    "jonkoping",
    "karlstad",
    "norrkoping",
    "nynashamn",
    "sodertalje",
    "uppsala",
    "vasteras",
]


@dataclass
class Run:
    """A loaded scenario after one round: the round, its problem and handy indexes."""

    api: Api
    scenario: Scenario
    loaded: Loaded
    coordinator: AuthedClient
    round: dict[str, Any]
    problem: matching.Problem

    @property
    def proposals(self) -> list[dict[str, Any]]:
        return list(self.round["proposals"])

    def household(self, household_id: str) -> matching.Household:
        return self.problem.household(household_id)

    def vacancy(self, vacancy_id: str) -> matching.Vacancy:
        return self.problem.vacancy(vacancy_id)

    def landlord_key(self, landlord_id: str) -> str:
        return next(k for k, v in self.loaded.landlords.items() if v == landlord_id)

    def unmatched(self) -> dict[str, dict[str, Any]]:
        return {u["household"]: u for u in self.round["unmatched"]}

    def households_db(self) -> dict[str, Household]:
        with self.api.app.state.sessionmaker() as session:
            rows = session.scalars(
                select(Household).where(Household.municipality_code == self.loaded.municipality)
            ).all()
            session.expunge_all()
            return {h.id: h for h in rows}


def run_scenario(api: Api, name: str, *, scale: float = SCALE) -> Run:
    scenario = read_scenario(name)
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=scale)
    coordinator = api.client("coordinator", municipality=scenario.municipality)
    started = coordinator.post("/v1/rounds", json={"year": loaded.year, "time_limit_s": 60})
    assert started.status_code == 202, started.text
    run_jobs(api)
    response = coordinator.get(f"/v1/rounds/{started.json()['id']}")
    assert response.status_code == 200, response.text
    round_ = response.json()
    assert round_["status"] == "succeeded", round_["error"]
    document = coordinator.get(f"/v1/rounds/{round_['id']}/problem")
    assert document.status_code == 200, document.text
    run = Run(
        api=api,
        scenario=scenario,
        loaded=loaded,
        coordinator=coordinator,
        round=round_,
        problem=matching.Problem.from_json(document.json()),
    )
    assert_round_rules_hold(run)
    return run


def assert_round_rules_hold(run: Run) -> None:
    """Every proposal is an eligible pair of the problem the round solved (the solver's
    reference check), with the same contract form and exception flag; per landlord at most
    its remaining quota and exception quota; per area at most its cap."""
    problem = run.problem
    per_landlord: Counter[str] = Counter()
    exceptions: Counter[str] = Counter()
    per_area: Counter[str] = Counter()
    for p in run.proposals:
        household, vacancy = run.household(p["household"]), run.vacancy(p["vacancy"])
        check = matching.check_pair(problem, household, vacancy)
        assert check.eligible, check.reason
        assert p["contract_form"] == check.contract_form
        assert p["exception"] == check.exception
        per_landlord[vacancy.landlord] += int(vacancy.quota_apartment)
        exceptions[vacancy.landlord] += p["exception"]
        per_area[vacancy.area] += 1
    for landlord in problem.landlords:
        assert per_landlord[landlord.id] <= landlord.quota
        assert exceptions[landlord.id] <= landlord.exception_quota
    for area in problem.areas:
        assert area.cap is None or per_area[area.id] <= area.cap
    assert run.proposals, "a round of a municipal model proposes something"


def contract(run: Run, proposal: dict[str, Any]) -> dict[str, Any]:
    """Release a proposal, let its landlord and then social services accept: the tenancy."""
    api = run.api
    assert run.coordinator.post(f"/v1/proposals/{proposal['id']}/release").status_code == 200
    landlord = api.client("landlord", landlord=run.vacancy(proposal["vacancy"]).landlord)
    assert landlord.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    social = api.client("social_services", municipality=run.loaded.municipality)
    accepted = social.post(f"/v1/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    tenancies = run.coordinator.get("/v1/tenancies").json()["items"]
    tenancy: dict[str, Any] = next(t for t in tenancies if t["proposal"] == proposal["id"])
    return tenancy


def months_later(start: date, months: int) -> date:
    from app.core.months import add_months

    return add_months(start, months)


# --------------------------------------------------------------------------- the files


def test_all_nine_models_are_shipped_and_validate() -> None:
    """docs/domain.md §7 lists nine municipal models; each is a scenario file that validates."""
    assert available() == NINE
    for name in NINE:
        scenario = read_scenario(name)
        assert scenario.name == name
        assert all(landlord.source for landlord in scenario.landlords)


def test_unknown_fields_and_invalid_agreements_are_refused() -> None:
    """A scenario is validated like the API: unknown fields and out-of-range values fail."""
    raw = json.loads(json.dumps(read_scenario("vasteras").model_dump(mode="json")))
    Scenario.model_validate(raw)
    with pytest.raises(ValidationError):
        Scenario.model_validate({**raw, "surprise": 1})
    broken = json.loads(json.dumps(raw))
    broken["landlords"][0]["agreement"]["quota"] = -1
    with pytest.raises(ValidationError):
        Scenario.model_validate(broken)
    broken = json.loads(json.dumps(raw))
    broken["households"][0]["need"]["case_ref"] = "X-1"
    with pytest.raises(ValidationError):
        Scenario.model_validate(broken)
    broken = json.loads(json.dumps(raw))
    broken["households"][0]["need"]["adults"] = 0
    with pytest.raises(ValidationError):
        Scenario.model_validate(broken)
    broken = json.loads(json.dumps(raw))
    broken["intermediaries"][0]["mandates"].append("atlantis_bostader")
    with pytest.raises(ValidationError, match="no landlord with an agreement"):
        Scenario.model_validate(broken)
    with pytest.raises(ScenarioError):
        read_scenario("atlantis")


def test_scale_keeps_every_given_figure_at_least_one() -> None:
    assert scaled(400, 0.15) == 60
    assert scaled(1, 0.15) == 1
    assert scaled(0, 0.15) == 0


def test_loading_sizes_the_world_to_the_sources(api: Api) -> None:
    """Göteborg at full size: ~400 apartments from four public companies and 14 from twelve
    private landlords a year (Bostad för alla, Göteborg)."""
    scenario = read_scenario("goteborg")
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=1.0)
    assert loaded.vacancies == 414
    coordinator = api.client("coordinator", municipality="1480")
    agreements = coordinator.get("/v1/agreements?municipality=1480&limit=200").json()["items"]
    kinds = {
        landlord["id"]: landlord["kind"]
        for landlord in api.admin.get("/v1/landlords?limit=200").json()["items"]
    }
    by_kind = Counter[str]()
    for agreement in agreements:
        by_kind[kinds[agreement["landlord"]]] += agreement["quota"]
        assert agreement["accepts_income_support"]
        assert agreement["trial_period_months"] == 18
    assert by_kind == {"public": 400, "private": 14}


@pytest.mark.parametrize("name", NINE)
def test_every_model_loads_at_full_size_through_the_services(api: Api, name: str) -> None:
    """What `SCENARIO=name make run` loads: a whole year, every figure as the file gives it."""
    scenario = read_scenario(name)
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=1.0)
    assert loaded.households == sum(h.per_year for h in scenario.households)
    assert loaded.vacancies == sum(
        lo.vacancies.per_year for lo in scenario.landlords if lo.vacancies
    )
    coordinator = api.client("coordinator", municipality=scenario.municipality)
    listed = coordinator.get(f"/v1/agreements?municipality={scenario.municipality}&limit=200")
    quotas = {a["landlord"]: (a["quota"], a["exception_quota"]) for a in listed.json()["items"]}
    assert quotas == {
        loaded.landlords[lo.key]: (lo.agreement.quota, lo.agreement.exception_quota)
        for lo in scenario.landlords
        if lo.agreement is not None
    }


def test_a_scenario_is_loaded_once(api: Api) -> None:
    scenario = read_scenario("uppsala")
    with api.app.state.sessionmaker.begin() as session:
        load_into(session, api.app.state.settings, scenario, scale=0.05)
    from app.core.errors import Conflict

    with pytest.raises(Conflict), api.app.state.sessionmaker.begin() as session:
        load_into(session, api.app.state.settings, scenario, scale=0.05)


# --------------------------------------------------------------------------- the nine


def test_goteborg_counts_income_support_and_transfers_after_18_months(api: Api) -> None:
    """Göteborg: income support and housing allowance count as income at every landlord of
    the agreement, private ones too; a municipal contract is transferred after 18 months
    ("Efter en prövningsperiod (vanligen 18 månader) övergår lägenhetskontraktet till
    hyresgästen"), not before."""
    run = run_scenario(api, "goteborg")
    private = {lo.id for lo in run.problem.landlords if lo.kind == "private"}
    at_private = [p for p in run.proposals if run.vacancy(p["vacancy"]).landlord in private]
    assert at_private
    for p in at_private:
        household, vacancy = run.household(p["household"]), run.vacancy(p["vacancy"])
        own_income = household.income.salary + household.income.other
        assert (
            own_income
            < vacancy.rent
            <= household.income.income_support + (household.income.housing_allowance)
        )
        assert not p["exception"]
    tenancy = contract(run, at_private[0])
    start = date.fromisoformat(tenancy["start_date"])
    assert tenancy["trial_period_end"] == months_later(start, 18).isoformat()
    transfer = (f"/v1/tenancies/{tenancy['id']}/step", {"to": "own_lease"})
    assert run.coordinator.post(transfer[0], json=transfer[1]).status_code == 409
    time_passes(run.api, tenancy["id"], 18)
    # 'Fastighetsägaren kan enligt avtalet inte motsätta sig överlåtelsen': no consent step.
    landlord = run.api.client("landlord", landlord=run.vacancy(at_private[0]["vacancy"]).landlord)
    assert landlord.post(f"/v1/tenancies/{tenancy['id']}/consent", json={}).status_code == 409
    transferred = run.coordinator.post(transfer[0], json=transfer[1])
    assert transferred.status_code == 200, transferred.text
    assert transferred.json()["status"] == "transferred"


def test_jonkoping_never_places_in_a_vulnerable_area(api: Api) -> None:
    """Jönköping: no new social contracts in the vulnerable areas ('undantaget utsatta
    områden'), though landlords have vacancies there; placements spread by area caps."""
    run = run_scenario(api, "jonkoping")
    excluded = {a.id for a in run.problem.areas if a.excluded}
    assert excluded == {"RASLATT", "OXNEHAGA"}
    assert any(v.area in excluded for v in run.problem.vacancies)
    assert all(run.vacancy(p["vacancy"]).area not in excluded for p in run.proposals)
    assert all(a.cap is not None for a in run.problem.areas if not a.excluded)


def test_jonkoping_matches_only_assessed_cases(api: Api) -> None:
    """Jönköping: 'Innan någon får en lägenhet genom socialtjänsten görs en kartläggning' —
    the cases not assessed yet wait with `not_assessed`, and every proposal is for an
    assessed one; the tenancy will carry the home visits ('måste ta emot hembesök')."""
    run = run_scenario(api, "jonkoping")
    waiting = {h for h, u in run.unmatched().items() if u["reason"] == "not_assessed"}
    assert waiting, "some cases are not assessed yet"
    with api.app.state.sessionmaker() as session:
        assessed = {
            h.id: h.assessment
            for h in session.scalars(select(Household).where(Household.municipality_code == "0680"))
        }
    assert all(assessed[h] is None for h in waiting)
    assert run.proposals
    for proposal in run.proposals:
        assessment = assessed[proposal["household"]]
        assert assessment is not None
        assert "home_visits" in assessment["support"]


def test_jonkoping_area_receives_no_more_than_its_yearly_cap_over_two_rounds(api: Api) -> None:
    """Jönköping: the apartments are 'geografiskt spridda' over the year, not only within
    one round — an area's `period_cap` counts the year's tenancies and live proposals, so
    the second round gets only what the first left. Centrum is tightened to 2 a round and
    3 a year (at a tenth of a year the scenario's 45 never binds), its landlord posts
    more flats there and the quotas are raised, so that only the area's caps bind."""
    scenario = read_scenario("jonkoping")
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=SCALE)
        for agreement in session.scalars(
            select(Agreement).where(Agreement.municipality_code == loaded.municipality)
        ):
            agreement.quota = 100
    code = loaded.municipality
    coordinator = api.client("coordinator", municipality=code)
    areas = coordinator.get(f"/v1/municipalities/{code}/areas").json()["items"]
    assert all(a["period_cap"] for a in areas if not a["excluded"])
    tightened = coordinator.put(
        f"/v1/municipalities/{code}/areas/CENTRUM",
        json={"name": "Centrum", "cap": 2, "period_cap": 3},
    )
    assert tightened.status_code in (200, 201), tightened.text
    vatterhem = api.client("landlord", landlord=loaded.landlords["vatterhem"])
    for i in range(4):
        posted = vatterhem.put(
            f"/v1/vacancies/EXTRA-{i}",
            json={
                "municipality": code,
                "area": "CENTRUM",
                "rooms": 1 + i % 2,
                "rent": 4000,
                "contract_forms": ["municipal_contract"],
            },
        )
        assert posted.status_code == 201, posted.text
    rounds = []
    for _ in range(2):
        started = coordinator.post("/v1/rounds", json={"year": loaded.year, "time_limit_s": 60})
        assert started.status_code == 202, started.text
        run_jobs(api)
        done = coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
        assert done["status"] == "succeeded", done["error"]
        rounds.append(done)
    problems = [
        matching.Problem.from_json(coordinator.get(f"/v1/rounds/{r['id']}/problem").json())
        for r in rounds
    ]
    in_centrum = [len([p for p in r["proposals"] if p["area"] == "CENTRUM"]) for r in rounds]
    assert problems[0].area("CENTRUM").cap == 2
    assert in_centrum[0] == 2, "the first round fills its per-round cap"
    assert problems[1].area("CENTRUM").cap == 1, "the second gets what the year has left"
    assert any(v.area == "CENTRUM" for v in problems[1].vacancies), "flats were left there"
    assert in_centrum[0] + in_centrum[1] <= 3


def test_karlstad_waits_for_six_drug_free_months_but_not_for_housing_first(api: Api) -> None:
    """Karlstad: 'För att någon ska få ett socialt eller bostadssocialt kontrakt krävs minst
    sex månaders drogfrihet' — per contract form: households asking only for a social
    contract with fewer months are reported, not matched; 'Bostad först' asks no drug-free
    months, so a Housing First household with 0 months is proposed a Housing First vacancy
    (and never the municipal contract it asked for too). Proposals are answered within the
    agreement's `answer_hours` (72), not the municipality's 48-hour response promise."""
    run = run_scenario(api, "karlstad")
    households = run.households_db()
    early = {
        h.id
        for h in households.values()
        if (h.drug_free_months or 99) < 6 and "housing_first" not in h.contract_forms
    }
    assert early
    proposed = {p["household"]: p for p in run.proposals}
    assert not early & set(proposed)
    assert not early & {h.id for h in run.problem.households}
    unmatched = run.unmatched()
    for household in early:
        assert unmatched[household]["reason"] == "policy: fewer than 6 drug-free months"
    housing_first = {
        h.id
        for h in households.values()
        if h.drug_free_months == 0 and "housing_first" in h.contract_forms
    }
    assert housing_first
    for household in housing_first:
        # In the round's problem with Housing First only: the one declaration, read by all.
        assert run.household(household).contract_forms == ("housing_first",)
    housed = housing_first & set(proposed)
    assert housed
    assert all(proposed[h]["contract_form"] == "housing_first" for h in housed)
    guaranteed = [p for p in run.proposals if p["contract_form"] == "first_hand_with_guarantee"]
    assert guaranteed
    assert all(run.household(p["household"]).municipal_guarantee for p in guaranteed)
    proposal = run.proposals[0]
    released = run.coordinator.post(f"/v1/proposals/{proposal['id']}/release").json()
    hours = (
        datetime.fromisoformat(released["deadline_at"])
        - datetime.fromisoformat(released["released_at"])
    ).total_seconds() / 3600
    assert round(hours) == 72


def test_karlstad_rent_guarantee_never_goes_to_debts_above_10000(api: Api) -> None:
    """Karlstad: 'Garantin omfattar klienter som får försörjningsstöd och som inte har
    skulder som uppgår till mer än 10 000 kronor' — a household on income support whose
    debts exceed the limit is never proposed a `first_hand_with_guarantee` lease, though
    its guarantee flag is set and guarantee vacancies are free: the round's problem gives it
    only its municipal contract, and the guaranteed leases go to households within the
    terms."""
    run = run_scenario(api, "karlstad")
    households = run.households_db()
    indebted = {
        h.id
        for h in households.values()
        if h.debts > 10_000 and "first_hand_with_guarantee" in h.contract_forms
    }
    assert indebted
    for household in indebted:
        assert run.household(household).contract_forms == ("municipal_contract",)
    guaranteed = [p for p in run.proposals if p["contract_form"] == "first_hand_with_guarantee"]
    assert guaranteed
    for p in guaranteed:
        tenant = households[p["household"]]
        assert tenant.municipal_guarantee
        assert tenant.debts <= 10_000
    assert indebted & {p["household"] for p in run.proposals}, "housed by municipal contract"
    for p in run.proposals:
        if p["household"] in indebted:
            assert p["contract_form"] == "municipal_contract"


def test_karlstad_answers_a_landlords_incident_within_48_hours(api: Api) -> None:
    """Karlstad: 'Socialtjänsten garanterar dessutom hyresvärden uttryckning inom 48 timmar
    plus åtgärd om det skulle uppstå problem' — a landlord's incident on a tenancy gets a
    response deadline 48 hours away (`response_hours`), is on the coordinator's
    `response_overdue` worklist once the deadline passed, and leaves it with the response."""
    run = run_scenario(api, "karlstad")
    tenancy = contract(run, run.proposals[0])
    landlord = api.client("landlord", landlord=run.vacancy(run.proposals[0]["vacancy"]).landlord)
    reported = landlord.post(
        f"/v1/tenancies/{tenancy['id']}/incidents", json={"reason": "disturbance"}
    )
    assert reported.status_code == 201, reported.text
    [incident] = [e for e in reported.json()["events"] if e["kind"] == "incident"]
    due = datetime.fromisoformat(incident["response_due_at"])
    assert round((due - datetime.fromisoformat(incident["recorded_at"])).total_seconds()) == (
        48 * 3600
    )
    assert reported.json()["response_due_at"] == incident["response_due_at"]
    worklist = "/v1/tenancies?response_overdue=true"
    assert tenancy["id"] not in {t["id"] for t in run.coordinator.get(worklist).json()["items"]}
    response_deadline_passes(api, tenancy["id"], hours=49)
    overdue = run.coordinator.get(worklist).json()["items"]
    assert tenancy["id"] in {t["id"] for t in overdue}
    response = f"/v1/tenancies/{tenancy['id']}/reports/{incident['report_id']}/response"
    answered = run.coordinator.post(response, json={"action": "visited"})
    assert answered.status_code == 201, answered.text
    assert answered.json()["response_due_at"] is None
    [shown] = [e for e in answered.json()["events"] if e["kind"] == "incident"]
    assert shown["answered_at"] is not None
    assert tenancy["id"] not in {t["id"] for t in run.coordinator.get(worklist).json()["items"]}
    assert run.coordinator.post(response, json={"action": "visited"}).status_code == 409


def test_karlstad_transfers_only_when_the_parties_agree(api: Api) -> None:
    """Karlstad: 'Kommunen har sedan möjlighet att överlåta förstahandskontraktet på den
    boende om parterna är överens' — after the year's trial the transfer waits for the
    landlord's consent, recorded by the landlord; then it is taken."""
    run = run_scenario(api, "karlstad")
    proposal = next(p for p in run.proposals if p["contract_form"] == "municipal_contract")
    tenancy = contract(run, proposal)
    path = f"/v1/tenancies/{tenancy['id']}"
    time_passes(api, tenancy["id"], 12)
    to_own = {"to": "own_lease"}
    waiting = run.coordinator.post(f"{path}/step", json=to_own)
    assert waiting.status_code == 409
    assert "consent" in waiting.json()["detail"]
    landlord = api.client("landlord", landlord=run.vacancy(proposal["vacancy"]).landlord)
    consented = landlord.post(f"{path}/consent", json={})
    assert consented.status_code == 200, consented.text
    assert [e["kind"] for e in consented.json()["events"]] == ["consent"]
    assert run.coordinator.post(f"{path}/consent", json={}).status_code == 403
    transferred = run.coordinator.post(f"{path}/step", json=to_own)
    assert transferred.status_code == 200, transferred.text
    assert transferred.json()["status"] == "transferred"


def response_deadline_passes(api: Api, tenancy_id: str, *, hours: int) -> None:
    """Move the tenancy's open report deadlines `hours` into the past (no waiting)."""
    with api.app.state.sessionmaker.begin() as session:
        tenancy = session.get(Tenancy, tenancy_id)
        assert tenancy is not None
        assert tenancy.response_due_at is not None
        tenancy.response_due_at -= timedelta(hours=hours)
        events = select(TenancyEvent).where(TenancyEvent.tenancy_id == tenancy_id)
        for event in session.scalars(events):
            if event.response_due_at is not None:
                event.response_due_at -= timedelta(hours=hours)


def test_norrkoping_splits_placements_by_market_share(api: Api) -> None:
    """Norrköping: private landlords ~65 %, Hyresbostäder ~30 % of placements, 'i stort
    motsvarar marknadsandelen' — the quotas carry the split into every round."""
    run = run_scenario(api, "norrkoping", scale=0.2)  # quotas 6 public, 13 private
    kinds = {lo.id: lo.kind for lo in run.problem.landlords}
    split = Counter(kinds[run.vacancy(p["vacancy"]).landlord] for p in run.proposals)
    total = split["public"] + split["private"]
    assert 0.6 <= split["private"] / total <= 0.75
    assert 0.25 <= split["public"] / total <= 0.4
    # 'För personer som saknar inkomst tecknas tremånaderskontrakt ... kommunal borgen'.
    short = [p for p in run.proposals if p["contract_form"] == "short_term"]
    assert short
    for p in short:
        household = run.household(p["household"])
        assert household.municipal_guarantee
        assert household.income.salary + household.income.other == 0
    short_term_renews_or_ends_after_three_months(run, contract(run, short[0]))


def short_term_renews_or_ends_after_three_months(run: Run, tenancy: dict[str, Any]) -> None:
    """Norrköping's 'tremånaderskontrakt': the tenancy shows its three-month term; it can
    neither end by its term nor lapse before the three months are out, is renewed by
    another three months (a `renewal` event), and then ends at its term's end."""
    path = f"/v1/tenancies/{tenancy['id']}"
    coordinator = run.coordinator
    start = date.fromisoformat(tenancy["start_date"])
    assert tenancy["contract_form"] == "short_term"
    assert (tenancy["term_months"], tenancy["renewable"]) == (3, True)
    assert tenancy["term_end"] == months_later(start, 3).isoformat()
    by_term = {"reason": "term_ended"}
    early = coordinator.post(f"{path}/end", json=by_term)
    assert early.status_code == 409, early.text
    time_passes(run.api, tenancy["id"], 3)
    renewed = coordinator.post(f"{path}/renew", json={})
    assert renewed.status_code == 200, renewed.text
    start = months_later(start, -3)
    assert renewed.json()["term_end"] == months_later(start, 6).isoformat()
    assert [e["kind"] for e in renewed.json()["events"]] == ["renewal"]
    assert coordinator.post(f"{path}/end", json=by_term).status_code == 409
    time_passes(run.api, tenancy["id"], 3)
    ended = coordinator.post(f"{path}/end", json=by_term)
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"
    assert ended.json()["ended_on"] == ended.json()["term_end"]
    assert coordinator.post(f"{path}/renew", json={}).status_code == 409


def test_nynashamn_helps_economic_only_cases_only_with_children(api: Api) -> None:
    """Nynäshamn: 'De som enbart har ekonomiska problem och inte har barn får alltså avslag'
    (policy, reported) — for them "måste det vara en barnfamilj, där barnen annars riskerar
    att fara illa" (`children_at_risk`); home insurance everywhere; Balder's own letting rules
    do not apply to the municipality's subtenants."""
    run = run_scenario(api, "nynashamn")
    households = run.households_db()
    refused = {
        h.id
        for h in households.values()
        if set(h.target_groups) == {"economic_only"} and h.children == 0
    }
    assert refused
    assert not refused & {p["household"] for p in run.proposals}
    unmatched = run.unmatched()
    for household in refused:
        assert (
            unmatched[household]["reason"] == "policy: economic-only case without children at risk"
        )
    families = {
        h.id
        for h in households.values()
        if "economic_only" in h.target_groups and h.children and h.children_at_risk
    }
    assert families & {p["household"] for p in run.proposals}
    # 'enbart ekonomiska problem': a childless case exposed to violence has more than an
    # economic problem, so the rule does not refuse it — it is matched.
    violence = {
        h.id
        for h in households.values()
        if {"economic_only", "violence_exposed"} <= set(h.target_groups) and h.children == 0
    }
    assert violence
    assert violence <= {h.id for h in run.problem.households}
    assert violence & {p["household"] for p in run.proposals}
    assert all(run.household(p["household"]).home_insurance for p in run.proposals)
    uninsured = [h for h in run.problem.households if not h.home_insurance]
    assert uninsured
    assert all(unmatched[h.id]["failed"].get("insurance") for h in uninsured)
    balder = run.loaded.landlords["balder"]
    at_balder = [p for p in run.proposals if run.vacancy(p["vacancy"]).landlord == balder]
    assert at_balder
    # "kommunen tecknar förstahandskontrakt … som sedan hyrs ut i andra hand": at Balder the
    # municipality holds the lease, so Balder's own letting rules (permanent employment,
    # 3 × rent) do not decide who lives there.
    assert {p["contract_form"] for p in at_balder} == {"municipal_contract"}
    assert "municipal_contract" in run.problem.municipality_tenant_forms
    # 'i regel med en månads hyrestid och en veckas uppsägningstid': shown on the tenancy,
    # and a termination ends it a week after.
    tenancy = contract(run, at_balder[0])
    assert (tenancy["term_months"], tenancy["notice_days"]) == (1, 7)
    start = date.fromisoformat(tenancy["start_date"])
    assert tenancy["term_end"] == months_later(start, 1).isoformat()
    landlord = api.client("landlord", landlord=balder)
    ended = landlord.post(
        f"/v1/tenancies/{tenancy['id']}/end", json={"reason": "terminated_by_landlord"}
    )
    assert ended.status_code == 200, ended.text
    # The notice runs from the day it was given in Swedish time, as the service reads it.
    recorded = local_date(datetime.fromisoformat(ended.json()["events"][-1]["recorded_at"]))
    assert ended.json()["ended_on"] == (recorded + timedelta(days=7)).isoformat()


def test_sodertalje_weighs_no_outreach_group_as_such(api: Api) -> None:
    """Södertälje: 'Barnfamiljer, unga under 25 år och äldre över 65 år samt de fall där
    misstanke om psykisk ohälsa finns, prioriteras' is the priority of its 'uppsökande
    verksamhet när det gäller hyresskulder, försenade hyror och störningar', not of
    allocating flats: its policy gives young adults, the elderly and psychiatric disability
    no weight of their own; a municipal contract is transferable after two years; Graflunds
    has no formal agreement (its flats come on request: the next test)."""
    run = run_scenario(api, "sodertalje")
    policy = run.coordinator.get(f"/v1/municipalities/{run.loaded.municipality}/policy").json()
    for group in ("young_adult", "elderly", "psychiatric_disability"):
        assert policy["target_group_weights"][group] == 0, group
    graflunds = run.loaded.landlords["graflunds"]
    agreements = run.coordinator.get(
        f"/v1/agreements?municipality={run.loaded.municipality}&limit=200"
    ).json()["items"]
    assert graflunds not in {a["landlord"] for a in agreements}
    tenancy = contract(run, next(p for p in run.proposals if p["landlord"] != graflunds))
    start = date.fromisoformat(tenancy["start_date"])
    assert tenancy["trial_period_end"] == months_later(start, 24).isoformat()


def test_sodertalje_takes_graflunds_flats_on_request_outside_every_quota(api: Api) -> None:
    """Södertälje: Graflunds has "inget formellt avtal … Socialtjänsten kan vid förfrågan få
    tillgång till lägenheter i beståndet och står då som förstahandshyresgäst": with no
    agreement, its flats come on request, as municipal contracts only; the round gives it no
    quota and no exception places, its flat is proposed and let, and the quota view shows a
    landlord letting on request — no quota, nothing counted toward one."""
    run = run_scenario(api, "sodertalje")
    graflunds = run.loaded.landlords["graflunds"]
    landlord = run.problem.landlord(graflunds)
    assert (landlord.quota, landlord.exception_quota) == (0, 0)
    assert landlord.contract_forms == ("municipal_contract",)
    flats = [v for v in run.problem.vacancies if v.landlord == graflunds]
    assert flats
    assert not any(v.quota_apartment for v in flats)
    proposal = next(p for p in run.proposals if run.vacancy(p["vacancy"]).landlord == graflunds)
    assert proposal["contract_form"] == "municipal_contract"
    tenancy = contract(run, proposal)
    assert tenancy["landlord"] == graflunds
    quota = run.coordinator.get("/v1/quota", params={"year": run.loaded.year}).json()
    rows = {row["landlord"]: row for row in quota["rows"]}
    assert rows[graflunds]["on_request"] is True
    assert (rows[graflunds]["quota"], rows[graflunds]["delivered"]) == (None, 0)
    assert all(not row["on_request"] for key, row in rows.items() if key != graflunds)


def test_jonkoping_takes_flats_from_a_company_without_an_agreement(api: Api) -> None:
    """Jönköping: "Bolag som bidrar utan avtal. Vissa bostadsföretag som saknar avtal med
    kommunen bidrar ändå med lägenheter" — the company posts on request, in the
    municipality's own name (municipal contracts), with no quota in the round."""
    scenario = read_scenario("jonkoping")
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=SCALE)
    company = loaded.landlords["without_agreement"]
    posted = api.client("landlord", landlord=company).get("/v1/vacancies").json()["items"]
    assert len(posted) == scaled(6, SCALE)
    assert all(v["contract_forms"] == ["municipal_contract"] for v in posted)
    assert all(v["quota_apartment"] is False for v in posted)


def test_karlstad_states_its_quota_as_a_share_of_the_turnover(api: Api) -> None:
    """Karlstad: "Riktlinjen är att cirka tio procent av de tillgängliga lägenheterna ska
    reserveras för bostadssociala kontrakt" — KBAB's quota is 10 % of its reported turnover;
    the loader scales the turnover, the service computes the count from it, and the quota
    view shows the share and its count beside the committed quota, never two figures that
    disagree."""
    scenario = read_scenario("karlstad")
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=SCALE)
    kbab = loaded.landlords["kbab"]
    coordinator = api.client("coordinator", municipality=loaded.municipality)
    agreement = coordinator.get(f"/v1/agreements/{loaded.municipality}/{kbab}/{loaded.year}")
    assert agreement.status_code == 200, agreement.text
    base = scaled(1500, SCALE)
    assert agreement.json()["quota_share"] == {"of": "turnover", "percent": 10.0, "base": base}
    assert agreement.json()["quota"] == round(base / 10 + 0.01)
    quota = coordinator.get("/v1/quota", params={"year": loaded.year}).json()
    rows = {row["landlord"]: row for row in quota["rows"]}
    assert rows[kbab]["quota_share"] == agreement.json()["quota_share"]
    assert rows[kbab]["quota_from_share"] == rows[kbab]["quota"] == agreement.json()["quota"]
    willhem = rows[loaded.landlords["willhem"]]
    assert (willhem["quota_share"], willhem["quota_from_share"]) == (None, None)


def test_uppsala_places_only_with_uppsalahem(api: Api) -> None:
    """Uppsala: Uppsalahem hands quota apartments under the owner directive; 'Formella avtal
    saknas med andra fastighetsägare' — Rikshem cannot post into the rounds at all."""
    run = run_scenario(api, "uppsala")
    uppsalahem = run.loaded.landlords["uppsalahem"]
    assert {run.vacancy(p["vacancy"]).landlord for p in run.proposals} == {uppsalahem}
    rikshem = run.api.client("landlord", landlord=run.loaded.landlords["rikshem"])
    refused = rikshem.put(
        "/v1/vacancies/RH-1",
        json={
            "municipality": "0380",
            "area": "CENTRUM",
            "rooms": 2,
            "rent": 6000,
            "contract_forms": ["municipal_contract"],
        },
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"


def test_vasteras_staircase_and_only_mimer_counts_income_support(api: Api) -> None:
    """Västerås: training apartments only after six drug-free months and never for families
    ('Barnfamiljer får boendestödsavtal direkt'); only Mimer accepts income support, and not
    in its designated areas; a household on income support alone never goes to a private
    landlord — the support agreement's municipal surety does not change that."""
    run = run_scenario(api, "vasteras")
    forms = Counter(p["contract_form"] for p in run.proposals)
    assert forms["training_apartment"]
    assert forms["support_agreement"]
    mimer = run.loaded.landlords["mimer"]
    for p in run.proposals:
        household, vacancy = run.household(p["household"]), run.vacancy(p["vacancy"])
        if p["contract_form"] == "training_apartment":
            assert household.children == 0
            assert (household.drug_free_months or 0) >= 6
        if vacancy.landlord == mimer:
            assert vacancy.area not in {"BACKBY", "RABY"}
        else:
            # "Det är bara Mimer som tar emot hushåll med försörjningsstöd": never at a
            # private landlord, surety or not, in any form.
            assert household.income.salary + household.income.other > 0
        # 'ett eget kontrakt med kommunal borgen': no support agreement without the surety.
        if p["contract_form"] == "support_agreement":
            assert household.municipal_guarantee
    families = [p for p in run.proposals if run.household(p["household"]).children > 0]
    assert families
    assert all(p["contract_form"] == "support_agreement" for p in families)
    not_yet = [h for h in run.problem.households if (h.drug_free_months or 99) < 6]
    unmatched = run.unmatched()
    assert not_yet
    assert all(unmatched[h.id]["failed"].get("contract_form") for h in not_yet)
    unsecured = [
        h
        for h in run.households_db().values()
        if h.contract_forms == ["support_agreement"] and not h.municipal_guarantee
    ]
    assert unsecured
    for h in unsecured:
        assert unmatched[h.id]["reason"] == "policy: support_agreement needs the municipal surety"
    training = [p for p in run.proposals if p["contract_form"] == "training_apartment"]
    climb_the_staircase(run, contract(run, training[0]))


def test_vasteras_bostad_vasteras_takes_in_every_landlords_apartments_under_its_mandates(
    api: Api,
) -> None:
    """Västerås: "Bostad Västerås AB sköter samarbetsavtalet" — it "tar in lägenheter i
    enlighet med respektive fastighetsägares kvot och också följer upp verksamheten". The
    scenario gives it every landlord's mandate; it posts their vacancies (each records that
    the intermediary acted) and follows their quotas; each landlord keeps its own access."""
    scenario = read_scenario("vasteras")
    with api.app.state.sessionmaker.begin() as session:
        loaded = load_into(session, api.app.state.settings, scenario, scale=SCALE)
    bostad = loaded.intermediaries["bostad_vasteras"]
    coordinator = api.client("coordinator", municipality="1980")
    mandates = coordinator.get("/v1/mandates", params={"live": "true"}).json()["items"]
    assert {m["landlord"] for m in mandates} == set(loaded.landlords.values())
    assert {m["intermediary_name"] for m in mandates} == {"Bostad Västerås"}
    intermediary = api.client("intermediary", intermediary=bostad)
    mimer = loaded.landlords["mimer"]
    posted = intermediary.get("/v1/vacancies", params={"landlord": mimer, "limit": 200}).json()[
        "items"
    ]
    assert len(posted) == scaled(180, SCALE)
    assert {v["changed_by"]["organisation"] for v in posted} == {bostad}
    own = api.client("landlord", landlord=mimer).get("/v1/vacancies", params={"limit": 200})
    assert {v["id"] for v in own.json()["items"]} == {v["id"] for v in posted}
    quota = intermediary.get("/v1/quota", params={"municipality": "1980", "year": loaded.year})
    assert quota.status_code == 200, quota.text
    assert {r["landlord"] for r in quota.json()["rows"]} == set(loaded.landlords.values())


def test_vasteras_round_with_an_unreachable_settlement_floor_succeeds_with_its_shortfall(
    api: Api,
) -> None:
    """Bosättningslagen (2016:38): the municipality's yearly figure (kommuntal), recorded
    by the coordinator, is the floor a Västerås round takes for newly arrived — what remains
    of it. A floor the flats cannot meet no longer fails the round: it houses as many newly
    arrived as it can and reports the shortfall, and the quota view shows the year's
    figure, the newly arrived housed so far and what remains."""
    run = run_scenario(api, "vasteras")
    code, year = run.loaded.municipality, run.loaded.year
    path = f"/v1/municipalities/{code}/settlement/{year}"
    assert run.coordinator.get(path).status_code == 404
    recorded = run.coordinator.put(path, json={"figure": 500})
    assert recorded.status_code == 201, recorded.text
    newly = {h.id for h in run.problem.households if h.newly_arrived}
    proposed = [p for p in run.proposals if p["household"] in newly]
    assert proposed, "the first round (no figure yet) housed some newly arrived"
    status = recorded.json()
    assert (status["figure"], status["housed"]) == (500, 0)
    assert status["in_proposals"] == len(proposed)
    assert status["remaining"] == 500 - len(proposed)
    tenancy = contract(run, proposed[0])
    assert tenancy["household"] == proposed[0]["household"]
    quota = run.coordinator.get(f"/v1/quota?municipality={code}&year={year}").json()
    assert quota["settlement"]["housed"] == 1
    assert quota["settlement"]["remaining"] == 500 - len(proposed)
    landlord = api.client("landlord", landlord=run.loaded.landlords["mimer"])
    assert landlord.get(f"/v1/quota?municipality={code}&year={year}").json()["settlement"] is None
    second = run.coordinator.post("/v1/rounds", json={"year": year, "time_limit_s": 60})
    assert second.status_code == 202, second.text
    run_jobs(api)
    done = run.coordinator.get(f"/v1/rounds/{second.json()['id']}").json()
    assert done["status"] == "succeeded", done["error"]
    assert done["newly_arrived_min"] == 500 - len(proposed)
    housed = len([p for p in done["proposals"] if p["household"] in newly])
    assert done["newly_arrived_shortfall"] == done["newly_arrived_min"] - housed > 0


def climb_the_staircase(run: Run, tenancy: dict[str, Any]) -> None:
    """Västerås' boendetrappa through HTTP: "Efter ett år kan träningslägenheten övergå i ett
    boendestödsavtal, förutsatt att det inte har varit några störningar" — refused before the
    year is out and while a remark's year runs; then the support agreement's own year; then
    the own lease, when "kommunens ansvar upphör" (the tenancy is `transferred`)."""
    path = f"/v1/tenancies/{tenancy['id']}"
    coordinator = run.coordinator
    landlord = run.api.client("landlord", landlord=run.vacancy(tenancy["vacancy"]).landlord)
    assert tenancy["contract_form"] == "training_apartment"
    assert tenancy["next_step"] == "support_agreement"
    # 'vid allvarliga problem kan den boende vräkas inom 24 timmar': a day's notice for the
    # municipality's serious cause; the lease's ordinary notice otherwise (issue 24).
    assert tenancy["notice_days"] == 90
    assert tenancy["serious_cause_notice_days"] == 1
    start = date.fromisoformat(tenancy["start_date"])
    assert tenancy["trial_period_end"] == months_later(start, 12).isoformat()
    to_support = {"to": "support_agreement"}
    assert coordinator.post(f"{path}/step", json=to_support).status_code == 409
    time_passes(run.api, tenancy["id"], 11)
    remark = landlord.post(f"{path}/remarks", json={"reason": "disturbance"})
    assert remark.status_code == 201, remark.text
    time_passes(run.api, tenancy["id"], 1)
    assert coordinator.post(f"{path}/step", json=to_support).status_code == 409
    time_passes(run.api, tenancy["id"], 11)
    stepped = coordinator.post(f"{path}/step", json=to_support)
    assert stepped.status_code == 200, stepped.text
    assert stepped.json()["contract_form"] == "support_agreement"
    assert stepped.json()["notice_days"] is None, "an own contract: the Tenancy Act's notice"
    assert coordinator.post(f"{path}/step", json={"to": "own_lease"}).status_code == 409
    time_passes(run.api, tenancy["id"], 12)
    own = coordinator.post(f"{path}/step", json={"to": "own_lease"})
    assert own.status_code == 200, own.text
    assert own.json()["status"] == "transferred"
    assert [e["kind"] for e in own.json()["events"]] == ["remark", "step", "step"]


def test_helsingborg_gives_its_exception_places_only_to_vouched_sitting_tenants(
    api: Api,
) -> None:
    """Helsingborg 3:5 and 3:6: Helsingborgshem's five exception places go to tenants of the
    city's housing (fastighetsförvaltningen) who "har skött sina nuvarande
    hyresbetalningar", with "Inga störningar", whom the city "går i god för" — so a first
    round gives none: the vouched-for profile fails Helsingborgshem's requirements, is
    housed on municipal contracts (the municipality's leases, where Helsingborgshem's
    requirements do not apply), some in the city's stock. Once some of them live there, are
    vouched for and posted to move on, the next round's exception places (at most five, all at
    Helsingborgshem) go to them alone, each a lease of their own ("utflytt": they move on
    asking for a guaranteed first-hand lease). Every second-hand form is a municipal
    contract (3:3)."""
    run = run_scenario(api, "helsingborg")
    helsingborgshem = run.loaded.landlords["helsingborgshem"]
    city = run.loaded.landlords["fastighetsforvaltningen"]
    assert run.problem.landlord(helsingborgshem).exception_qualification
    assert not any(h.exception_qualified for h in run.problem.households)
    assert not [p for p in run.proposals if p["exception"]]
    assert {p["contract_form"] for p in run.proposals} <= {
        "municipal_contract",
        "housing_first",
        "first_hand_with_guarantee",
    }
    vouched = {h.id for h in run.problem.households if "economic_only" in h.target_groups}
    assert len(vouched) > 5
    at_city = [
        p
        for p in run.proposals
        if p["household"] in vouched and run.vacancy(p["vacancy"]).landlord == city
    ]
    assert at_city

    social = api.client("social_services", municipality=run.loaded.municipality)
    moving: set[str] = set()
    for proposal in at_city[:3]:
        tenancy = contract(run, proposal)
        vouching = run.coordinator.post(
            f"/v1/tenancies/{tenancy['id']}/vouching", json={"statement": "well_functioning_tenant"}
        )
        assert vouching.status_code == 200, vouching.text
        # 3:5: "utflytt" — they move on to a lease of their own, with the rent guarantee.
        posted = social.post(
            f"/v1/households/{proposal['household']}/move-on",
            json={"contract_forms": ["first_hand_with_guarantee"]},
        )
        assert posted.status_code == 200, posted.text
        moving.add(proposal["household"])
    started = run.coordinator.post("/v1/rounds", json={"year": run.loaded.year, "time_limit_s": 60})
    assert started.status_code == 202, started.text
    run_jobs(api)
    second = run.coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
    assert second["status"] == "succeeded", second["error"]
    document = run.coordinator.get(f"/v1/rounds/{second['id']}/problem").json()
    again = Run(
        api=api,
        scenario=run.scenario,
        loaded=run.loaded,
        coordinator=run.coordinator,
        round=second,
        problem=matching.Problem.from_json(document),
    )
    assert_round_rules_hold(again)
    qualified = {h.id for h in again.problem.households if h.exception_qualified}
    assert qualified == moving
    exceptions = [p for p in again.proposals if p["exception"]]
    assert 1 <= len(exceptions) <= 5
    assert {again.vacancy(p["vacancy"]).landlord for p in exceptions} == {helsingborgshem}
    assert {p["household"] for p in exceptions} <= moving
    # "utflytt", "slussas ut": every exception place is a lease of the household's own.
    assert {p["contract_form"] for p in exceptions} <= {
        "housing_first",
        "first_hand_with_guarantee",
    }


def test_the_command_line_refuses_an_unknown_model_before_touching_a_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`python -m app scenario list` names the nine; `load` of an unknown name exits 2."""
    from app.__main__ import main

    main(["scenario", "list"])
    assert capsys.readouterr().out.split() == NINE
    with pytest.raises(SystemExit) as exited:
        main(["scenario", "load", "atlantis"])
    assert exited.value.code == 2
    assert "no scenario 'atlantis'" in capsys.readouterr().err


# --------------------------------------------------------------------------- the policy


def test_policy_refuses_economic_only_without_children_and_too_few_drug_free_months() -> None:
    """Which needs are accepted is the municipality's policy, not a landlord's rule:
    Nynäshamn refuses economic-only cases without children at risk; Karlstad asks six drug-free
    months before any social contract (null: not applicable). The defaults refuse nothing."""
    from dataclasses import replace

    from app.policies.service import DEFAULT_POLICY, needs_refusal

    def household(**fields: Any) -> Household:
        return Household(**{"target_groups": [], "children": 0, "drug_free_months": None, **fields})

    social = ["municipal_contract"]
    single = household(target_groups=["economic_only"])
    family = household(target_groups=["economic_only"], children=2, children_at_risk=True)
    early = household(
        target_groups=["substance_recovery"], drug_free_months=3, contract_forms=social
    )
    assert all(needs_refusal(DEFAULT_POLICY, h) is None for h in (single, family, early))
    nynashamn = replace(DEFAULT_POLICY, economic_only_requires_children=True)
    assert needs_refusal(nynashamn, single) == "policy: economic-only case without children at risk"
    assert needs_refusal(nynashamn, family) is None
    not_at_risk = household(target_groups=["economic_only"], children=2, children_at_risk=False)
    assert needs_refusal(nynashamn, not_at_risk) == (
        "policy: economic-only case without children at risk"
    )
    karlstad = replace(DEFAULT_POLICY, min_drug_free_months=6)
    assert needs_refusal(karlstad, early) == "policy: fewer than 6 drug-free months"
    assert needs_refusal(karlstad, household(drug_free_months=6, contract_forms=social)) is None
    assert needs_refusal(karlstad, household(contract_forms=social)) is None


def test_the_accepted_needs_are_part_of_the_versioned_policy(api: Api) -> None:
    """PUT stores them in a new version, GET returns them; junk is 422 as problem+json."""
    api.municipality("0192")
    coordinator = api.client("coordinator", municipality="0192")
    path = "/v1/municipalities/0192/policy"
    default = coordinator.get(path).json()
    assert default["economic_only_requires_children"] is False
    assert default["min_drug_free_months"] == 0
    stored = coordinator.put(
        path, json={"economic_only_requires_children": True, "min_drug_free_months": 6}
    )
    assert stored.status_code == 201, stored.text
    now = coordinator.get(path).json()
    assert now["version"] == 1
    assert now["economic_only_requires_children"] is True
    assert now["min_drug_free_months"] == 6
    for junk in ({"economic_only_requires_children": 1}, {"min_drug_free_months": 601}):
        refused = coordinator.put(path, json=junk)
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
