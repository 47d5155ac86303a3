"""Who holds the lease (issue 23), through HTTP: the landlord's letting rules are the rules
for its own tenant, so they apply only through a contract form in which the household holds
the lease; where the municipality signs the first-hand lease and sublets, the agreement's own
conditions for social placements apply instead. Guarantees are told apart by kind, exception
places are leases of the household's own, and Nynäshamn's economic-only rule reads social
services' assessment that the children are at risk."""

from __future__ import annotations

import random
from typing import Any

import pytest

import matching
from app.core.db import local_year
from app.vocabulary import LEASE_HOLDERS, ContractForm, LeaseHolder
from tests.conftest import Api, AuthedClient
from tests.worlds.jobs import run_jobs

YEAR = local_year()


class World:
    """A municipality with areas, landlords with agreements, vacancies and households, all
    made through HTTP, and its rounds."""

    def __init__(self, api: Api, code: str) -> None:
        self.api = api
        self.code = api.municipality(code)
        self.coordinator = api.client("coordinator", municipality=code)
        self.social = api.client("social_services", municipality=code)
        response = self.coordinator.put(
            f"/v1/municipalities/{code}/areas/CENTRUM", json={"name": "Centrum"}
        )
        assert response.status_code == 201, response.text
        self.landlords: dict[str, AuthedClient] = {}

    def landlord(self, name: str, org_number: str, kind: str, **agreement: Any) -> str:
        landlord_id = self.api.landlord(name, org_number, kind)
        response = self.coordinator.put(
            f"/v1/agreements/{self.code}/{landlord_id}/{YEAR}", json=agreement
        )
        assert response.status_code == 201, response.text
        self.landlords[landlord_id] = self.api.client("landlord", landlord=landlord_id)
        return landlord_id

    def vacancy(self, landlord: str, ref: str, forms: list[str], rent: int = 4000) -> str:
        body = {
            "municipality": self.code,
            "area": "CENTRUM",
            "rooms": 1,
            "rent": rent,
            "contract_forms": forms,
        }
        response = self.landlords[landlord].put(f"/v1/vacancies/{ref}", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def household(self, case_ref: str, forms: list[str], **fields: Any) -> str:
        body = {"case_ref": case_ref, "adults": 1, "contract_forms": forms, **fields}
        response = self.social.post("/v1/households", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def candidates(self, household: str) -> dict[str, Any]:
        response = self.social.get(f"/v1/households/{household}/candidates")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def round(self) -> dict[str, Any]:
        started = self.coordinator.post("/v1/rounds", json={"year": YEAR, "time_limit_s": 30})
        assert started.status_code == 202, started.text
        run_jobs(self.api)
        response = self.coordinator.get(f"/v1/rounds/{started.json()['id']}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["status"] == "succeeded", body["error"]
        return body


INCOME_SUPPORT_ONLY: dict[str, Any] = {
    "income": {"income_support": 9000},
    "employment": "none",
    "max_rent": 5000,
}
"""A household living on income support alone: no job, no salary."""


def proposals_by_household(round_: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["household"]: p for p in round_["proposals"]}


def test_every_contract_form_declares_who_holds_the_lease() -> None:
    """Nynäshamn: "kommunen tecknar förstahandskontrakt på hyreslägenheter som sedan hyrs ut
    i andra hand"; Västerås' support agreement is "ett eget kontrakt med kommunal borgen";
    Norrköping's three-month contract is the client's, with municipal surety."""
    assert set(LEASE_HOLDERS) == set(ContractForm)
    assert {f for f, holder in LEASE_HOLDERS.items() if holder == LeaseHolder.municipality} == {
        ContractForm.municipal_contract,
        ContractForm.training_apartment,
    }


def test_nynashamn_income_support_household_gets_a_municipal_contract_at_balder(
    api: Api,
) -> None:
    """Nynäshamn: "Huvuddragen i det reella samarbetet är att kommunen tecknar
    förstahandskontrakt på hyreslägenheter som sedan hyrs ut i andra hand". Balder's "fast
    anställning och en bruttolön på minst tre gånger hyran" is asked of those who apply on
    their own: a household on income support with no job is the municipality's subtenant
    there, while Balder's own-lease rules still refuse it a lease of its own."""
    world = World(api, "0192")
    balder = world.landlord(
        "Balder Nynäshamn",
        "556525-6905",
        "private",
        quota=5,
        income_multiple=3,
        accepts_income_support=False,
        accepts_housing_allowance=False,
        requires_permanent_employment=True,
        accepts_payment_remarks=False,
        accepted_guarantees=[],
        contract_forms=["municipal_contract", "support_agreement"],
    )
    world.vacancy(balder, "B-1", ["municipal_contract", "support_agreement"])
    world.vacancy(balder, "B-2", ["support_agreement"])
    sublet = world.household(
        "NYN-1", ["support_agreement", "municipal_contract"], **INCOME_SUPPORT_ONLY
    )
    own = world.household("NYN-2", ["support_agreement"], **INCOME_SUPPORT_ONLY)

    # The candidates view names the form-specific reason: Balder's letting rules.
    refused = world.candidates(own)
    assert refused["items"] == []
    assert refused["failed"] == {"economy": 2}
    round_ = world.round()
    proposals = proposals_by_household(round_)
    assert sublet in proposals, round_["unmatched"]
    assert proposals[sublet]["contract_form"] == "municipal_contract"
    assert proposals[sublet]["exception"] is False
    assert own not in proposals


def test_vasteras_private_landlords_never_house_income_support_households(api: Api) -> None:
    """Västerås: "Det är bara Mimer som tar emot hushåll med försörjningsstöd". The support
    agreement's municipal surety lifts a private landlord's income multiple for a household
    with an income of its own, but whether income support counts stays the landlord's rule:
    no household living on income support alone is placed at a private landlord, in any
    form — a training apartment (the municipality's lease) included; at Mimer it is."""
    world = World(api, "1980")
    private = {
        "quota": 10,
        "income_multiple": 3,
        "accepts_income_support": False,
        "accepted_guarantees": ["municipal_surety"],
        "placement_refuses_income_support": True,
        "contract_forms": ["training_apartment", "support_agreement"],
    }
    willhem = world.landlord("Willhem", "556703-7485", "private", **private)
    mimer = world.landlord(
        "Mimer",
        "556036-0793",
        "public",
        quota=10,
        accepts_income_support=True,
        contract_forms=["training_apartment", "support_agreement"],
    )
    forms = ["training_apartment", "support_agreement"]
    for i in range(4):
        world.vacancy(willhem, f"W-{i}", forms, rent=3500)
    world.vacancy(mimer, "M-1", forms, rent=3500)
    surety = {"kind": "municipal_surety"}
    on_support = [
        world.household(
            f"VAS-{i}", forms, guarantee=surety, drug_free_months=12, **INCOME_SUPPORT_ONLY
        )
        for i in range(3)
    ]
    earner = world.household(
        "VAS-W",
        ["support_agreement"],
        guarantee=surety,
        income={"salary": 6000},
        employment="temporary",
        max_rent=5000,
    )
    # Before the round: every Willhem flat fails, through both forms; Mimer's does not.
    candidates = world.candidates(on_support[0])
    assert [c["landlord_kind"] for c in candidates["items"]] == ["public"]
    assert candidates["failed"] == {"economy": 4}

    round_ = world.round()
    proposals = proposals_by_household(round_)
    placed = [proposals[h] for h in on_support if h in proposals]
    assert len(placed) == 1
    assert world.coordinator.get(f"/v1/vacancies?municipality={world.code}").status_code == 200
    at_mimer = {v["id"] for v in world.landlords[mimer].get("/v1/vacancies").json()["items"]}
    assert {p["vacancy"] for p in placed} <= at_mimer
    # The surety lifts Willhem's income multiple for a household with a salary of its own.
    assert proposals[earner]["contract_form"] == "support_agreement"
    assert proposals[earner]["vacancy"] not in at_mimer


def test_helsingborg_exception_placement_is_an_own_lease_within_the_quota(api: Api) -> None:
    """Helsingborg 3:5: "tilldela lägenhet till fem hyresgäster som inte uppfyller
    Helsingborgshems ekonomiska grundkrav" — the measure is "utflytt", the goal that they
    "slussas ut" to a lease of their own. An exception placement is a form in which the
    household holds the lease, and it counts within the quota; a household asking only for a
    municipal contract needs no exception place (the municipality is the tenant)."""
    world = World(api, "1283")
    helsingborgshem = world.landlord(
        "Helsingborgshem",
        "556138-6532",
        "public",
        quota=2,
        exception_quota=5,
        income_multiple=3,
        accepts_income_support=False,
        accepts_payment_remarks=False,
        accepted_guarantees=["municipal_surety"],
        contract_forms=["municipal_contract", "first_hand_with_guarantee"],
    )
    world.vacancy(helsingborgshem, "HH-1", ["first_hand_with_guarantee"])
    world.vacancy(helsingborgshem, "HH-2", ["municipal_contract"])
    moving_out = world.household(
        "HBG-1",
        ["first_hand_with_guarantee"],
        guarantee={"kind": "rent_guarantee", "months_covered": 3},
        **INCOME_SUPPORT_ONLY,
    )
    sublet = world.household("HBG-2", ["municipal_contract"], **INCOME_SUPPORT_ONLY)

    round_ = world.round()
    proposals = proposals_by_household(round_)
    exception = proposals[moving_out]
    assert exception["exception"] is True
    assert LEASE_HOLDERS[ContractForm(exception["contract_form"])] == LeaseHolder.household
    assert proposals[sublet]["contract_form"] == "municipal_contract"
    assert proposals[sublet]["exception"] is False

    proposal = exception["id"]
    assert world.coordinator.post(f"/v1/proposals/{proposal}/release").status_code == 200
    landlord = world.landlords[helsingborgshem]
    assert landlord.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    accepted = world.social.post(f"/v1/proposals/{proposal}/accept")
    assert accepted.status_code == 200, accepted.text
    quota = world.coordinator.get("/v1/quota", params={"year": YEAR}).json()
    [row] = [r for r in quota["rows"] if r["landlord"] == helsingborgshem]
    assert (row["delivered"], row["exceptions_used"]) == (1, 1)


@pytest.mark.parametrize("at_risk", [False, True])
def test_nynashamn_economic_only_family_is_matched_only_with_children_at_risk(
    api: Api, at_risk: bool
) -> None:
    """Nynäshamn: for a case with only economic problems "måste det vara en barnfamilj, där
    barnen annars riskerar att fara illa" — social services' assessment that the children
    are at risk, not the presence of children, opens the door."""
    world = World(api, "0192")
    policy = world.coordinator.put(
        f"/v1/municipalities/{world.code}/policy", json={"economic_only_requires_children": True}
    )
    assert policy.status_code == 201, policy.text
    landlord = world.landlord(
        "Nynäshamnsbostäder",
        "556526-9502",
        "public",
        quota=5,
        contract_forms=["municipal_contract"],
    )
    world.vacancy(landlord, "NB-1", ["municipal_contract"])
    family = world.household(
        "NYN-F",
        ["municipal_contract"],
        children=1,
        target_groups=["economic_only", "family_with_children"],
        children_at_risk=at_risk,
        income={"salary": 15000},
        rooms_min=1,
    )
    read = world.social.get(f"/v1/households/{family}").json()
    assert read["children_at_risk"] is at_risk

    round_ = world.round()
    proposals = proposals_by_household(round_)
    if at_risk:
        assert family in proposals
    else:
        assert family not in proposals
        [unmatched] = [u for u in round_["unmatched"] if u["household"] == family]
        assert unmatched["reason"] == "policy: economic-only case without children at risk"


def test_the_old_boolean_guarantee_reads_as_a_municipal_surety(api: Api) -> None:
    """`municipal_guarantee` stays readable and writable: true records a municipal surety,
    a guarantee sent sets it, and the two may not contradict each other."""
    world = World(api, "1980")
    old = world.household("G-1", ["support_agreement"], municipal_guarantee=True)
    body = world.social.get(f"/v1/households/{old}").json()
    assert body["guarantee"]["kind"] == "municipal_surety"
    new = world.household(
        "G-2", ["support_agreement"], guarantee={"kind": "rent_guarantee", "months_covered": 3}
    )
    body = world.social.get(f"/v1/households/{new}").json()
    assert body["municipal_guarantee"] is True
    assert body["guarantee"]["months_covered"] == 3
    contradiction = world.social.post(
        "/v1/households",
        json={
            "case_ref": "G-3",
            "adults": 1,
            "contract_forms": ["support_agreement"],
            "municipal_guarantee": False,
            "guarantee": {"kind": "rent_guarantee"},
        },
    )
    assert contradiction.status_code == 422
    withdrawn = world.social.patch(f"/v1/households/{new}", json={"guarantee": None})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["municipal_guarantee"] is False


def test_default_weights_rank_violence_first_and_outreach_groups_as_no_group(api: Api) -> None:
    """Jönköping: "kvinnofrids- och barnärenden prioriteras" — a violence case ranks first.
    Södertälje's list (young adults, the elderly, suspected mental illness) is the priority of
    outreach on rent debts, not of allocation, and the newly arrived get no extra weight by
    default (Helsingborg: "nyanlända omfattas av samma regler som övriga invånare som saknar
    bostad"): with the default policy they weigh what a case with no target group weighs."""
    world = World(api, "0680")
    landlord = world.landlord(
        "Vätterhem", "556096-9254", "public", quota=1, contract_forms=["municipal_contract"]
    )
    world.vacancy(landlord, "VH-1", ["municipal_contract"])
    registered = "2026-01-05T09:00:00Z"
    groups = {
        "violence": ["violence_exposed"],
        "young": ["young_adult"],
        "elderly": ["elderly"],
        "psychiatric": ["psychiatric_disability"],
        "newly_arrived": ["newly_arrived"],
        "none": [],
    }
    ids = {
        key: world.household(
            f"JKP-{key}",
            ["municipal_contract"],
            target_groups=target,
            registered_at=registered,
            income={"salary": 20000},
        )
        for key, target in groups.items()
    }
    round_ = world.round()
    document = world.coordinator.get(f"/v1/rounds/{round_['id']}/problem").json()
    weight = {h["id"]: h["weight"] for h in document["households"]}
    assert [p["household"] for p in round_["proposals"]] == [ids["violence"]]
    assert weight[ids["violence"]] > weight[ids["none"]]
    for key in ("young", "elderly", "psychiatric", "newly_arrived"):
        assert weight[ids[key]] == weight[ids["none"]], key


def test_a_landlord_without_an_agreement_posts_on_request(api: Api) -> None:
    """Södertälje: Graflunds has "inget formellt avtal … Socialtjänsten kan vid förfrågan få
    tillgång till lägenheter i beståndet och står då som förstahandshyresgäst"; Jönköping:
    "Bolag som bidrar utan avtal … bidrar ändå med lägenheter". Where the municipality takes
    flats on request, such a landlord posts in the forms it names; its flat is proposed and
    let like any other, and no quota row counts it."""
    world = World(api, "0181")
    graflunds = api.landlord("Graflunds", "556479-5671", "private")
    client = api.client("landlord", landlord=graflunds)
    world.landlords[graflunds] = client
    body = {
        "municipality": world.code,
        "area": "CENTRUM",
        "rooms": 1,
        "rent": 4000,
        "contract_forms": ["municipal_contract"],
    }
    refused = client.put("/v1/vacancies/G-1", json=body)
    assert refused.status_code == 422, refused.text
    policy = world.coordinator.put(
        f"/v1/municipalities/{world.code}/policy",
        json={"vacancies_on_request": ["municipal_contract"]},
    )
    assert policy.status_code == 201, policy.text
    own_lease = client.put(
        "/v1/vacancies/G-2", json={**body, "contract_forms": ["support_agreement"]}
    )
    assert own_lease.status_code == 422, own_lease.text
    posted = client.put("/v1/vacancies/G-1", json=body)
    assert posted.status_code == 201, posted.text
    household = world.household("SOD-1", ["municipal_contract"], **INCOME_SUPPORT_ONLY)

    round_ = world.round()
    [proposal] = round_["proposals"]
    assert (proposal["household"], proposal["vacancy"]) == (household, posted.json()["id"])
    assert world.coordinator.post(f"/v1/proposals/{proposal['id']}/release").status_code == 200
    assert client.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    accepted = world.social.post(f"/v1/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert client.get("/v1/vacancies/G-1").json()["status"] == "let"
    quota = world.coordinator.get("/v1/quota", params={"year": YEAR}).json()
    # Listed beside the landlords with agreements because it let a flat, but counted toward
    # nothing: no quota, nothing delivered against one.
    rows = {row["landlord"]: row for row in quota["rows"]}
    assert rows[graflunds]["on_request"] is True
    assert (rows[graflunds]["quota"], rows[graflunds]["delivered"]) == (None, 0)
    assert rows[graflunds]["remaining"] is None
    assert quota["totals"]["all"]["delivered"] == 0
    assert quota["totals"]["all"]["quota"] == sum(
        row["quota"] for row in quota["rows"] if row["quota"] is not None
    )


def test_a_quota_stated_as_a_share_of_turnover_shows_its_count(api: Api) -> None:
    """Karlstad: "cirka tio procent av de tillgängliga lägenheterna" — a quota stated as 10 %
    of the landlord's reported turnover (vacancies let in the year) is computed by the
    service and shown as the committed count in the quota view; the agreement says what it
    rests on (Uppsalahem: "ägardirektiv")."""
    world = World(api, "1780")
    kbab = world.landlord(
        "Karlstads Bostads AB",
        "556036-0793",
        "public",
        basis="owner_directive",
        quota_share={"of": "turnover", "percent": 10, "base": 1240},
        contract_forms=["municipal_contract", "housing_first"],
    )
    agreement = world.coordinator.get(f"/v1/agreements/{world.code}/{kbab}/{YEAR}").json()
    assert agreement["basis"] == "owner_directive"
    assert agreement["quota_share"] == {"of": "turnover", "percent": 10.0, "base": 1240}
    quota = world.coordinator.get("/v1/quota", params={"year": YEAR}).json()
    [row] = [r for r in quota["rows"] if r["landlord"] == kbab]
    assert row["quota"] == 124
    # The share as stated, and the count it comes to, beside the committed count.
    assert row["quota_share"] == {"of": "turnover", "percent": 10.0, "base": 1240}
    assert row["quota_from_share"] == 124
    assert row["on_request"] is False
    others = [r for r in quota["rows"] if r["landlord"] != kbab]
    assert all(r["quota_share"] is None and r["quota_from_share"] is None for r in others)
    wrong = world.coordinator.put(
        f"/v1/agreements/{world.code}/{kbab}/{YEAR}",
        json={
            "quota": 100,
            "quota_share": {"of": "turnover", "percent": 10, "base": 1240},
            "contract_forms": ["municipal_contract"],
        },
    )
    assert wrong.status_code == 422, wrong.text


FORMS = ["municipal_contract", "training_apartment", "support_agreement", "housing_first"]
GROUPS = ["violence_exposed", "economic_only"]
INCOMES: list[dict[str, int]] = [
    {"income_support": 9000},
    {"salary": 9000},
    {"salary": 20000, "income_support": 2000},
]


@pytest.mark.parametrize("seed", [3, 11, 19, 23])
def test_the_round_and_the_candidates_view_agree_on_every_pair_of_a_generated_world(
    api: Api, seed: int
) -> None:
    """The round (the vectorised screen over the problem `build_problem` writes) and each
    household's candidates view (`check_pair` over `build_household_problem`) give every
    pair the same eligibility, exception flag and contract form, and the same failure
    counts — over random forms, lease holders, guarantee kinds and what each lifts, and
    placement conditions, made through HTTP."""
    rng = random.Random(seed)
    world = World(api, "1980")
    landlords = []
    for i, (name, org) in enumerate(
        [("Mimer", "556036-0793"), ("Willhem", "556703-7485"), ("Balder", "556525-6905")]
    ):
        kinds = rng.sample(["rent_guarantee", "municipal_surety"], rng.randint(0, 2))
        agreement = {
            "quota": 20,
            "exception_quota": rng.choice([0, 2, 2]),
            "income_multiple": rng.choice([0, 2, 3]),
            "accepts_income_support": rng.random() < 0.5,
            "requires_permanent_employment": rng.random() < 0.4,
            "accepts_payment_remarks": rng.random() < 0.5,
            "accepted_guarantees": kinds,
            "guarantee_lifts": {
                kind: rng.sample(
                    ["income_multiple", "permanent_employment", "payment_remarks"],
                    rng.randint(0, 3),
                )
                for kind in kinds
                if rng.random() < 0.7
            },
            "placement_refuses_income_support": rng.random() < 0.4,
            "accepted_target_groups": rng.sample(
                ["violence_exposed", "economic_only"], rng.randint(0, 1)
            ),
            "contract_forms": rng.sample(FORMS, rng.randint(2, 4)),
        }
        landlords.append(world.landlord(name, org, "public" if i == 0 else "private", **agreement))
    for j in range(12):
        landlord = rng.choice(landlords)
        world.vacancy(
            landlord, f"V-{j}", rng.sample(FORMS, rng.randint(1, 3)), rent=rng.choice([3000, 4500])
        )
    households = []
    for k in range(10):
        guarantee = rng.choice([None, {"kind": "rent_guarantee"}, {"kind": "municipal_surety"}])
        households.append(
            world.household(
                f"GEN-{k}",
                rng.sample(FORMS, rng.randint(2, 4)),
                target_groups=rng.sample(["violence_exposed", "economic_only"], rng.randint(0, 2)),
                income=rng.choice(
                    [
                        {"income_support": 9000},
                        {"salary": 9000},
                        {"salary": 20000, "income_support": 2000},
                    ]
                ),
                employment=rng.choice(["permanent", "temporary", "none"]),
                payment_remarks=rng.random() < 0.3,
                guarantee=guarantee,
                drug_free_months=rng.choice([None, 2, 12]),
                max_rent=5000,
            )
        )
    views = {h: world.candidates(h) for h in households}

    round_ = world.round()
    problem = matching.Problem.from_json(
        world.coordinator.get(f"/v1/rounds/{round_['id']}/problem").json()
    )
    assert problem.municipality_tenant_forms == ("municipal_contract", "training_apartment")
    pairs = matching.eligible_pairs(problem)
    assert pairs.failures is not None
    for hi, household in enumerate(problem.households):
        view = views[household.id]
        mine = pairs.household == hi
        eligible = {
            problem.vacancies[int(v)].id: bool(e)
            for v, e in zip(pairs.vacancy[mine], pairs.exception[mine], strict=True)
        }
        assert {c["vacancy"]: c["exception"] for c in view["items"]} == eligible
        for c in view["items"]:
            check = matching.check_pair(problem, household, problem.vacancy(c["vacancy"]))
            assert c["contract_form"] == check.contract_form
        failed = {
            rule: int(count)
            for rule, count in zip(matching.RULES, pairs.failures[hi], strict=True)
            if count
        }
        assert view["failed"] == failed, household.id
