"""`GET /v1/households/{id}/candidates`: the open vacancies one household is eligible for
now, ranked by the solver's fit, judged by the solver's own rules, reserving nothing.

Västerås (Mimer, public, counts income support and excludes Bäckby; a private landlord that
does not count income support; a third whose year's quota is used up), Jönköping (excluded
vulnerable area) and Göteborg (income support counted as income)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

import matching
from app.core.db import local_year
from app.core.queue import ensure_queue_schema
from app.jobs.worker import announce_due
from app.policies.service import DEFAULT_POLICY
from app.proposals.models import Proposal
from app.rounds.translate import RoundInputs, build_problem
from app.vacancies.models import Vacancy
from matching.eligibility import RULES, failure_counts
from matching.model import fit_points_of_pair
from tests.conftest import Api, AuthedClient
from tests.unchanged import rows_but_audit
from tests.worlds.jobs import POSTGRES, run_jobs
from tests.worlds.jonkoping import Jonkoping

PROBLEM = "application/problem+json"
YEAR = local_year()  # the service takes default years in Swedish time
OWN_LEASE = "support_agreement"
"""The form these worlds let on: one in which the household holds the lease, so the
landlords' letting rules apply to it (through a municipal contract they would not)."""


class Municipality:
    """A municipality with areas, landlords with agreements, vacancies and households, all
    made through HTTP."""

    def __init__(self, api: Api, code: str, areas: dict[str, bool]) -> None:
        self.api = api
        self.code = api.municipality(code)
        self.coordinator = api.client("coordinator", municipality=code)
        self.social = api.client("social_services", municipality=code)
        for area, excluded in areas.items():
            response = self.coordinator.put(
                f"/v1/municipalities/{code}/areas/{area}", json={"name": area, "excluded": excluded}
            )
            assert response.status_code == 201, response.text
        self.landlord_clients: dict[str, AuthedClient] = {}
        self.vacancies: dict[str, str] = {}

    def landlord(self, name: str, org_number: str, kind: str, **agreement: Any) -> str:
        landlord_id = self.api.landlord(name, org_number, kind)
        body = {"quota": 10, "contract_forms": [OWN_LEASE], **agreement}
        response = self.coordinator.put(
            f"/v1/agreements/{self.code}/{landlord_id}/{YEAR}", json=body
        )
        assert response.status_code == 201, response.text
        self.landlord_clients[landlord_id] = self.api.client("landlord", landlord=landlord_id)
        return landlord_id

    def vacancy(self, landlord: str, ref: str, **fields: Any) -> str:
        body: dict[str, Any] = {
            "municipality": self.code,
            "area": "CENTRUM",
            "rooms": 1,
            "rent": 4000,
            "contract_forms": [OWN_LEASE],
            **fields,
        }
        response = self.landlord_clients[landlord].put(f"/v1/vacancies/{ref}", json=body)
        assert response.status_code == 201, response.text
        self.vacancies[ref] = str(response.json()["id"])
        return self.vacancies[ref]

    def household(self, case_ref: str, **fields: Any) -> str:
        body: dict[str, Any] = {
            "case_ref": case_ref,
            "adults": 1,
            "contract_forms": [OWN_LEASE],
            **fields,
        }
        response = self.social.post("/v1/households", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def candidates(self, household: str, client: AuthedClient | None = None, **params: Any) -> Any:
        response = (client or self.social).get(
            f"/v1/households/{household}/candidates", params=params
        )
        assert response.status_code == 200, response.text
        return response.json()

    def refs(self, body: dict[str, Any]) -> list[str]:
        return [item["external_ref"] for item in body["items"]]


class Vasteras(Municipality):
    """Västerås: Mimer counts income support and gives nothing in Bäckby (its agreement
    excludes it); Willhem (private) requires income ≥ 3 × rent without income support;
    Klövern's year's quota is already 0. The household on income support (12 000 SEK: max
    rent 4 800, rooms 1–2) prefers Skultuna."""

    def __init__(self, api: Api) -> None:
        super().__init__(api, "1980", {"CENTRUM": False, "SKULTUNA": False, "BACKBY": False})
        self.mimer = self.landlord(
            "Mimer",
            "556036-0793",
            "public",
            income_multiple=3,
            excluded_areas=["BACKBY"],
            contract_forms=[OWN_LEASE, "training_apartment"],
        )
        self.willhem = self.landlord(
            "Willhem", "556703-7485", "private", income_multiple=3, accepts_income_support=False
        )
        self.klovern = self.landlord("Klövern", "556074-7569", "private", quota=0)
        self.vacancy(self.mimer, "M-CENTRUM-1", rooms=1, rent=4000)
        self.vacancy(self.mimer, "M-CENTRUM-2", rooms=2, rent=4000)
        self.vacancy(self.mimer, "M-SKULTUNA", area="SKULTUNA", rooms=2, rent=4000)
        self.vacancy(self.mimer, "M-BACKBY", area="BACKBY", rooms=1, rent=3000)
        self.vacancy(self.mimer, "M-DEAR", rooms=1, rent=6000)
        self.vacancy(self.mimer, "M-LARGE", rooms=4, rent=4000)
        self.vacancy(
            self.mimer, "M-TRAINING", rooms=1, rent=3500, contract_forms=["training_apartment"]
        )
        self.vacancy(self.willhem, "W-CENTRUM", rooms=1, rent=3000)
        self.vacancy(self.klovern, "K-CENTRUM", rooms=1, rent=3000)
        # Not open: withdrawn by the landlord.
        self.vacancy(self.mimer, "M-GONE", rooms=1, rent=3000)
        gone = self.landlord_clients[self.mimer].delete("/v1/vacancies/M-GONE")
        assert gone.status_code in (200, 204), gone.text
        self.household_id = self.household(
            "VAS-1", income={"income_support": 12000}, preferred_areas=["SKULTUNA"]
        )


@pytest.fixture
def vasteras(api: Api) -> Vasteras:
    return Vasteras(api)


def test_candidates_are_ranked_by_the_solvers_fit(vasteras: Vasteras) -> None:
    """Preferred Skultuna first (+100 despite its spare room), then by spare rooms and rent
    burden; Klövern's vacancy is eligible but its quota is used up, so it comes last."""
    body = vasteras.candidates(vasteras.household_id)
    assert body["household"] == vasteras.household_id
    assert body["year"] == YEAR
    assert body["in_live_proposal"] is False
    assert vasteras.refs(body) == ["M-SKULTUNA", "M-CENTRUM-1", "M-CENTRUM-2", "K-CENTRUM"]
    fits = [item["fit"] for item in body["items"]]
    # 100 − 10 × 1 spare room − round(10 × 4000 / 4800); −round(10 × 4000 / 4800); …
    assert fits == [82, -8, -18, -6]
    skultuna = body["items"][0]
    assert skultuna == {
        "vacancy": vasteras.vacancies["M-SKULTUNA"],
        "external_ref": "M-SKULTUNA",
        "landlord": vasteras.mimer,
        "landlord_name": "Mimer",
        "landlord_kind": "public",
        "area": "SKULTUNA",
        "area_name": "SKULTUNA",
        "rooms": 2,
        "rent": 4000,
        "contract_form": OWN_LEASE,
        "exception": False,
        "fit": 82,
        "preferred_area": True,
        "spare_rooms": 1,
        "quota_exhausted": False,
    }
    assert [item["quota_exhausted"] for item in body["items"]] == [False, False, False, True]


def test_failed_counts_name_each_rule_and_add_up(vasteras: Vasteras) -> None:
    """Bäckby is excluded by Mimer's agreement (Västerås), the dear and the large flat fail
    rent and rooms, a training apartment is not among the household's forms, and Willhem does
    not count income support (Västerås: only Mimer does) and has no exception places."""
    body = vasteras.candidates(vasteras.household_id)
    assert body["open_vacancies"] == 9  # the withdrawn one is not open
    assert body["eligible"] == 4
    assert body["failed"] == {
        "rooms": 1,
        "area": 1,
        "contract_form": 1,
        "rent": 1,
        "economy": 1,
    }
    assert list(body["failed"]) == [rule for rule in RULES if rule in body["failed"]]
    assert sum(body["failed"].values()) == body["open_vacancies"] - body["eligible"]


def test_an_exception_place_is_flagged(vasteras: Vasteras) -> None:
    """Once Willhem grants exception places (Helsingborg 3:5), the household that fails its
    income requirement becomes eligible there, on an exception place."""
    response = vasteras.coordinator.put(
        f"/v1/agreements/1980/{vasteras.willhem}/{YEAR}",
        json={
            "quota": 10,
            "exception_quota": 2,
            "income_multiple": 3,
            "accepts_income_support": False,
            "contract_forms": [OWN_LEASE],
        },
    )
    assert response.status_code == 200, response.text
    body = vasteras.candidates(vasteras.household_id)
    assert "economy" not in body["failed"]
    willhem = next(i for i in body["items"] if i["external_ref"] == "W-CENTRUM")
    assert willhem["exception"] is True
    assert willhem["landlord_kind"] == "private"
    assert {i["exception"] for i in body["items"] if i["external_ref"] != "W-CENTRUM"} == {False}
    # Ranked by fit among the placeable: −round(10 × 3000 / 4800) = −6 beats −8.
    assert vasteras.refs(body)[:3] == ["M-SKULTUNA", "W-CENTRUM", "M-CENTRUM-1"]


def test_a_training_apartment_is_never_for_a_family(vasteras: Vasteras) -> None:
    """Västerås: training apartments (träningslägenhet) for single people six months
    drug-free, never for families with children."""
    single = vasteras.household(
        "VAS-SINGLE",
        income={"income_support": 12000},
        drug_free_months=8,
        contract_forms=["training_apartment"],
    )
    family = vasteras.household(
        "VAS-FAMILY",
        children=1,
        rooms_min=1,
        income={"income_support": 12000},
        drug_free_months=8,
        contract_forms=["training_apartment"],
    )
    single_body = vasteras.candidates(single)
    assert vasteras.refs(single_body) == ["M-TRAINING"]
    assert single_body["items"][0]["contract_form"] == "training_apartment"
    family_body = vasteras.candidates(family)
    assert family_body["items"] == []
    assert family_body["eligible"] == 0
    assert family_body["failed"]["contract_form"] >= 1


def test_a_declined_pair_is_not_a_candidate(vasteras: Vasteras) -> None:
    """A pair forbidden by the coordinator (or by a decline) fails the `declined` rule."""
    response = vasteras.coordinator.post(
        "/v1/forbidden-pairs",
        json={"household": vasteras.household_id, "vacancy": vasteras.vacancies["M-SKULTUNA"]},
    )
    assert response.status_code == 201, response.text
    body = vasteras.candidates(vasteras.household_id)
    assert "M-SKULTUNA" not in vasteras.refs(body)
    assert body["failed"]["declined"] == 1
    assert sum(body["failed"].values()) == body["open_vacancies"] - body["eligible"]


def test_the_answer_is_what_the_solvers_rules_say_for_every_vacancy(vasteras: Vasteras) -> None:
    """Every vacancy of the round's own problem, judged by `matching.check_pair` and screened
    by the vectorised `failure_counts` the solver uses, gives exactly the API's answer."""
    vasteras.coordinator.post(
        "/v1/forbidden-pairs",
        json={"household": vasteras.household_id, "vacancy": vasteras.vacancies["M-CENTRUM-2"]},
    )
    body = vasteras.candidates(vasteras.household_id, limit=200)
    with vasteras.api.app.state.sessionmaker() as session:
        problem = build_problem(
            session,
            RoundInputs(
                municipality="1980",
                year=YEAR,
                policy=DEFAULT_POLICY,
                newly_arrived_min=0,
                time_limit_s=1,
                now=datetime.now(UTC),
            ),
        )
    household = problem.household(vasteras.household_id)
    expected: dict[str, matching.PairCheck] = {
        v.id: matching.check_pair(problem, household, v) for v in problem.vacancies
    }
    assert body["open_vacancies"] == len(problem.vacancies)
    eligible = {vid: check for vid, check in expected.items() if check.eligible}
    assert {item["vacancy"] for item in body["items"]} == set(eligible)
    for item in body["items"]:
        check = eligible[item["vacancy"]]
        assert item["contract_form"] == check.contract_form
        assert item["exception"] == check.exception
        assert item["fit"] == fit_points_of_pair(problem, household.id, item["vacancy"])
    reasons = [check.reason for check in expected.values() if check.reason]
    assert body["failed"] == {rule: reasons.count(rule) for rule in RULES if rule in reasons}
    row = problem.index_of("household", household.id)
    counts = failure_counts(problem, [row])[0]
    assert body["failed"] == {rule: int(counts[k]) for k, rule in enumerate(RULES) if counts[k]}


def test_limit_cuts_the_ranked_list_not_the_counts(vasteras: Vasteras) -> None:
    body = vasteras.candidates(vasteras.household_id, limit=1)
    assert vasteras.refs(body) == ["M-SKULTUNA"]
    assert body["eligible"] == 4
    for limit in (0, 201, "x"):
        response = vasteras.social.get(
            f"/v1/households/{vasteras.household_id}/candidates", params={"limit": limit}
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
    response = vasteras.social.get(
        f"/v1/households/{vasteras.household_id}/candidates", params={"year": 1999}
    )
    assert response.status_code == 422


def test_another_years_agreements_give_no_candidates(vasteras: Vasteras) -> None:
    """Only landlords with an agreement for the year are in force."""
    body = vasteras.candidates(vasteras.household_id, year=YEAR + 1)
    assert body["year"] == YEAR + 1
    assert body == {**body, "open_vacancies": 0, "eligible": 0, "failed": {}, "items": []}


def test_asking_reserves_nothing(vasteras: Vasteras) -> None:
    """Candidates are computed, not held: vacancies stay open, no proposal is made."""
    first = vasteras.candidates(vasteras.household_id)
    second = vasteras.candidates(vasteras.household_id)
    assert first == second
    with vasteras.api.app.state.sessionmaker() as session:
        assert session.scalars(select(Proposal.id)).all() == []
        statuses = set(session.scalars(select(Vacancy.status).where(Vacancy.status != "withdrawn")))
    assert statuses == {"open"}


def test_after_a_round_the_proposed_vacancy_and_household_are_taken(
    api: Api, vasteras: Vasteras
) -> None:
    """A vacancy in a live proposal is no longer open; the household in one is flagged (the
    next round leaves it out)."""
    if POSTGRES:
        ensure_queue_schema(api.app.state.settings.database_url)
    started = vasteras.coordinator.post("/v1/rounds", json={})
    assert started.status_code == 202, started.text
    run_jobs(api)
    result = vasteras.coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
    assert result["status"] == "succeeded", result
    [proposal] = result["proposals"]
    assert proposal["household"] == vasteras.household_id
    body = vasteras.candidates(vasteras.household_id)
    assert body["in_live_proposal"] is True
    assert body["open_vacancies"] == 8
    assert proposal["vacancy"] not in {item["vacancy"] for item in body["items"]}


def test_an_excluded_area_fails_the_area_rule(api: Api) -> None:
    """Jönköping: no more social contracts in vulnerable areas (Råslätt excluded)."""
    jonkoping = Municipality(api, "0680", {"CENTRUM": False, "RASLATT": True})
    vatterhem = jonkoping.landlord("Vätterhem", "556036-0793", "public")
    jonkoping.vacancy(vatterhem, "VH-1", rent=5000)
    jonkoping.vacancy(vatterhem, "VH-2", area="RASLATT", rent=5000)
    household = jonkoping.household("JKP-1", income={"salary": 20000})
    body = jonkoping.candidates(household)
    assert jonkoping.refs(body) == ["VH-1"]
    assert body["failed"] == {"area": 1}


@pytest.mark.parametrize(("accepts", "eligible"), [(True, True), (False, False)])
def test_income_support_counts_only_where_the_agreement_says_so(
    api: Api, accepts: bool, eligible: bool
) -> None:
    """Göteborg: income support and housing allowance count as income; a landlord whose
    agreement does not accept them (Västerås: only Mimer does) fails the household on
    economy."""
    goteborg = Municipality(api, "1480", {"CENTRUM": False})
    landlord = goteborg.landlord(
        "Bostadsbolaget",
        "556036-0793",
        "public",
        income_multiple=3,
        accepts_income_support=accepts,
        accepts_housing_allowance=accepts,
    )
    goteborg.vacancy(landlord, "BB-1", rent=4000)
    household = goteborg.household(
        "GBG-1", income={"income_support": 9000, "housing_allowance": 3000}
    )
    body = goteborg.candidates(household)
    assert body["eligible"] == int(eligible)
    assert body["failed"] == ({} if eligible else {"economy": 1})


def test_coordinators_and_social_services_of_the_municipality_only(
    api: Api, vasteras: Vasteras
) -> None:
    path = f"/v1/households/{vasteras.household_id}/candidates"
    assert vasteras.coordinator.get(path).status_code == 200
    api.municipality("0680")
    for role in ("coordinator", "social_services"):
        other = api.client(role, municipality="0680")
        response = other.get(path)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == PROBLEM
    for client in (api.client("landlord", landlord=vasteras.mimer), api.admin):
        response = client.get(path)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == PROBLEM
    assert api.anonymous.get(path).status_code == 401
    unknown = vasteras.social.get("/v1/households/00000000-0000-4000-8000-000000000000/candidates")
    assert unknown.status_code == 404
    assert vasteras.social.get("/v1/households/not-an-id/candidates").status_code == 422


def test_a_protected_identity_case_is_for_the_coordinator(vasteras: Vasteras) -> None:
    """docs/domain.md §6: which vacancies fit, and which lie in a preferred area, hint where the
    household may live; social services get 403 (they know the case exists), the
    coordinator the full answer."""
    protected = vasteras.household(
        "VAS-PROT", income={"income_support": 12000}, target_groups=["protected_identity"]
    )
    response = vasteras.social.get(f"/v1/households/{protected}/candidates")
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    body = vasteras.candidates(protected, client=vasteras.coordinator)
    assert body["eligible"] == 4


def test_a_closed_case_has_no_candidates(vasteras: Vasteras) -> None:
    closed = vasteras.social.post(
        f"/v1/households/{vasteras.household_id}/close", json={"reason": "moved"}
    )
    assert closed.status_code == 200, closed.text
    response = vasteras.social.get(f"/v1/households/{vasteras.household_id}/candidates")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM


def test_the_read_is_audited(vasteras: Vasteras) -> None:
    """Every read of a household record is in its audit log (docs/domain.md §6), with the
    caller's purpose; a refused request leaves none."""
    vasteras.social.get(
        f"/v1/households/{vasteras.household_id}/candidates",
        headers={"X-Purpose": "Inför matchningsmöte".encode()},
    )
    vasteras.social.get(f"/v1/households/{vasteras.household_id}/candidates", params={"limit": 0})
    trail = vasteras.coordinator.get(
        "/v1/audit", params={"household": vasteras.household_id}
    ).json()["items"]
    assert [event["action"] for event in trail] == ["create", "read"]
    assert trail[1]["purpose"] == "Inför matchningsmöte"
    assert trail[1]["role"] == "social_services"


def test_karlstad_guarantee_terms_shape_the_candidates_as_they_shape_the_round(
    api: Api,
) -> None:
    """Karlstad: 'Garantin omfattar klienter som får försörjningsstöd och som inte har
    skulder som uppgår till mer än 10 000 kronor' — the candidates view of a guaranteed
    household on income support with 25 000 SEK debts offers the guarantee vacancy under
    no policy terms and never under Karlstad's, exactly as the round's problem (the
    household's `contract_forms`) does."""
    karlstad = Municipality(api, "1780", {"CENTRUM": False})
    forms = ["first_hand_with_guarantee", "municipal_contract"]
    kbab = karlstad.landlord("KBAB", "556036-0793", "public", contract_forms=forms)
    karlstad.vacancy(kbab, "KB-G", rent=4000, contract_forms=["first_hand_with_guarantee"])
    karlstad.vacancy(kbab, "KB-M", rent=4000, contract_forms=["municipal_contract"])
    household = karlstad.household(
        "KST-1",
        income={"income_support": 8000},
        debts=25_000,
        municipal_guarantee=True,
        max_rent=5000,
        contract_forms=forms,
    )
    assert sorted(karlstad.refs(karlstad.candidates(household))) == ["KB-G", "KB-M"]
    terms = {"guarantee_terms": [{"income": "income_support", "max_debts": 10000}]}
    policy = karlstad.coordinator.put("/v1/municipalities/1780/policy", json=terms)
    assert policy.status_code == 201, policy.text
    body = karlstad.candidates(household)
    assert karlstad.refs(body) == ["KB-M"]
    assert body["failed"] == {"contract_form": 1}
    with api.app.state.sessionmaker() as session:
        from app.policies.service import current_policy

        inputs = RoundInputs(
            municipality="1780",
            year=YEAR,
            policy=current_policy(session, "1780"),
            newly_arrived_min=0,
            time_limit_s=10,
            now=datetime.now(UTC),
        )
        problem = build_problem(session, inputs)
    assert problem.household(household).contract_forms == ("municipal_contract",)


def test_an_overdue_proposal_reads_as_expired_and_asking_writes_nothing(
    vasteras: Vasteras,
) -> None:
    """A proposal past its deadline frees its vacancy and household and forbids its pair
    as soon as it is overdue, as the sweep (or a round) will write it: the answer before the
    sweep is the answer after it, and asking writes nothing but the audit trail."""
    vacancy = vasteras.vacancies["M-SKULTUNA"]
    with vasteras.api.app.state.sessionmaker.begin() as session:
        session.add(
            Proposal(
                municipality_code="1980",
                landlord_id=vasteras.mimer,
                vacancy_id=vacancy,
                household_id=vasteras.household_id,
                contract_form="municipal_contract",
                status="released",
                released_at=datetime.now(UTC) - timedelta(days=4),
                deadline_at=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
        session.execute(update(Vacancy).where(Vacancy.id == vacancy).values(status="proposed"))
    before = rows_but_audit(vasteras.api.app.state.engine)
    body = vasteras.candidates(vasteras.household_id, limit=200)
    assert rows_but_audit(vasteras.api.app.state.engine) == before
    assert body["in_live_proposal"] is False
    assert "M-SKULTUNA" not in vasteras.refs(body)
    assert body["failed"]["declined"] == 1  # the expiry forbids the pair
    announce_due(vasteras.api.app.state.sessionmaker)
    with vasteras.api.app.state.sessionmaker() as session:
        assert session.scalar(select(Vacancy.status).where(Vacancy.id == vacancy)) == "open"
    assert vasteras.candidates(vasteras.household_id, limit=200) == body


REFUSALS = [
    pytest.param({"requires_assessment": True}, {}, "not_assessed", id="not_assessed"),
    pytest.param(
        {"economic_only_requires_children": True},
        {"target_groups": ["economic_only"]},
        "policy: economic-only case without children at risk",
        id="economic_only",
    ),
    pytest.param(
        {"min_drug_free_months": 6},
        {"drug_free_months": 2},
        "policy: fewer than 6 drug-free months",
        id="drug_free_months",
    ),
    pytest.param(
        {},
        {"contract_forms": ["first_hand_with_guarantee"]},
        "policy: no rent guarantee granted",
        id="rent_guarantee",
    ),
    pytest.param(
        {"guarantee_terms": [{"income": "income_support", "max_debts": 10000}]},
        {"contract_forms": ["first_hand_with_guarantee"], "municipal_guarantee": True},
        "policy: rent guarantee terms not met",
        id="guarantee_terms",
    ),
    pytest.param(
        {"surety_required_for": ["municipal_contract"]},
        {},
        "policy: municipal_contract needs the municipal surety",
        id="surety",
    ),
    pytest.param(
        {"only_without_own_income": ["municipal_contract"]},
        {},
        "policy: municipal_contract is for households without an own income",
        id="own_income",
    ),
]


@pytest.mark.parametrize(("policy", "fields", "reason"), REFUSALS)
def test_a_household_the_policy_refuses_has_no_candidates_as_the_round_leaves_it_unmatched(
    api: Api, policy: dict[str, Any], fields: dict[str, Any], reason: str
) -> None:
    """Every refusal of the policy (`needs_refusal`) is read alike by the round, which
    reports the household unmatched with the policy's reason, and by the candidates view,
    which then lists nothing; where the refusal is the municipality's own setting, both
    offer the vacancy without it."""
    if POSTGRES:
        ensure_queue_schema(api.app.state.settings.database_url)
    town = Jonkoping(api)
    forms = ["municipal_contract", "first_hand_with_guarantee"]
    town.agreement(town.vatterhem, quota=10, contract_forms=forms)
    town.vacancy(town.vatterhem, "VH-1", rooms=1, rent=6000, contract_forms=forms)
    household = town.household("JKP-1", income={"salary": 26000}, employment="permanent", **fields)

    def candidates() -> Any:
        response = town.social.get(f"/v1/households/{household}/candidates")
        assert response.status_code == 200, response.text
        return response.json()

    if policy:
        assert [item["external_ref"] for item in candidates()["items"]] == ["VH-1"]
    response = town.coordinator.put(f"/v1/municipalities/{town.CODE}/policy", json=policy)
    assert response.status_code in (200, 201), response.text
    [unmatched] = town.run()["unmatched"]
    assert (unmatched["household"], unmatched["reason"]) == (household, reason)
    refused = candidates()
    assert (refused["eligible"], refused["items"]) == (unmatched["eligible_vacancies"], [])
    assert sum(refused["failed"].values()) == refused["open_vacancies"] - refused["eligible"]
