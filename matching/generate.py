"""Realistic synthetic rounds for tests and benchmarks.

Figures come from the source documents (docs/domain.md): public housing companies own about half
the stock, count income support and housing allowance as income and have a few exception
places (Göteborg, Helsingborg 3:5); private landlords ask gross income ≥ 3 × rent, no payment
remarks and sometimes permanent employment (Balder, Nynäshamn); about 4 of 30 areas are
excluded as vulnerable (Jönköping, Västerås); about 60 % of households are single persons and
30–40 % have payment remarks; target groups follow the municipalities' priorities.

`generate(households=N, vacancies=M, seed=S, profile=NAME)` is deterministic in its arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from matching.eligibility import check_pair
from matching.problem import (
    GUARANTEE_KINDS,
    LIFTABLE_REQUIREMENTS,
    Area,
    Household,
    Income,
    Landlord,
    Problem,
    Vacancy,
)


@dataclass(frozen=True)
class Profile:
    """The knobs of a synthetic municipality."""

    municipality: str
    areas: int
    excluded_areas: int
    public_landlords: int
    private_landlords: int
    #: Σ quota as a share of min(households, vacancies).
    quota_share: float
    #: Area caps as a multiple of an even spread of Σ quota over the open areas (None: none).
    cap_slack: float | None
    #: Exception places of a public landlord as a share of its quota.
    exception_share: float
    newly_arrived_share: float
    #: newly_arrived_min as a share of the newly arrived households.
    newly_min_share: float
    rent_level: float
    #: When set: each landlord's quota is this share of its vacancies in the round …
    quota_of_vacancies: float | None = None
    #: … public landlords get this many exception places, private ones 0 … `private_max` …
    exception_public: int | None = None
    exception_private_max: int = 0
    #: … and every `cap_every`-th area is capped at ⌊vacancies / areas / cap_every⌋.
    cap_every: int | None = None


PROFILES: dict[str, Profile] = {
    # Västerås / Jönköping-like: one big public company, a handful of private landlords.
    "mid_size": Profile("1980", 30, 4, 2, 6, 0.6, 1.6, 0.06, 0.10, 0.2, 1.0),
    # Göteborg-like: four public companies, many private landlords, more areas, higher rents.
    "large_city": Profile("1480", 60, 8, 4, 16, 0.5, 1.4, 0.05, 0.12, 0.2, 1.15),
    # Everything binds at once: tight quotas, tight caps, scarce exception places.
    "tight": Profile("0580", 30, 4, 2, 6, 0.35, 1.05, 0.03, 0.15, 0.3, 1.0),
    # The national bench (issue 16): binding exception quotas (public 5, private 0–2), quotas
    # at 40 % of each landlord's vacancies, a cap on every third area.
    "national": Profile(
        "0180",
        30,
        4,
        2,
        6,
        0.6,
        None,
        0.0,
        0.10,
        0.2,
        1.0,
        quota_of_vacancies=0.4,
        exception_public=5,
        exception_private_max=2,
        cap_every=3,
    ),
}

FORMS_PUBLIC = ("municipal_contract", "support_agreement", "training_apartment", "housing_first")
FORMS_PRIVATE = ("municipal_contract", "first_hand_with_guarantee", "short_term")

MUNICIPALITY_TENANT_FORMS = ("municipal_contract", "training_apartment")
"""The forms in which the municipality holds the lease (docs/lease-holders.md): the letting
rules apply only through the others."""

TARGET_WEIGHTS = {
    "violence_exposed": 3000,
    "protected_identity": 1500,
    "family_with_children": 2000,
    "young_adult": 800,
    "elderly": 800,
    "psychiatric_disability": 900,
    "substance_recovery": 500,
    "released_from_prison": 400,
    "newly_arrived": 700,
    "housing_first": 1200,
    "economic_only": 100,
}


def _landlords(
    rng: np.random.Generator, prof: Profile, total_quota: int, area_ids: list[str]
) -> tuple[list[Landlord], npt.NDArray[np.float64]]:
    n_pub, n_priv = prof.public_landlords, prof.private_landlords
    # Public companies own about half the stock; shares within each kind are uneven.
    pub_share = rng.dirichlet(np.full(n_pub, 3.0)) * 0.5
    priv_share = rng.dirichlet(np.full(n_priv, 1.5)) * 0.5
    shares = np.r_[pub_share, priv_share]
    quotas = np.maximum(1, np.round(shares * total_quota)).astype(int)
    landlords = []
    for i in range(n_pub + n_priv):
        public = i < n_pub
        lid = f"L{i + 1:02d}"
        excluded = (
            tuple(sorted(rng.choice(area_ids, size=2, replace=False).tolist()))
            if rng.random() < 0.3
            else ()
        )
        if public:
            landlords.append(
                Landlord(
                    id=lid,
                    kind="public",
                    quota=int(quotas[i]),
                    exception_quota=max(1, round(prof.exception_share * quotas[i])),
                    excluded_areas=excluded,
                    income_multiple=float(rng.choice([2.5, 3.0])),
                    accepts_income_support=bool(rng.random() < 0.8),
                    accepts_housing_allowance=True,
                    requires_permanent_employment=False,
                    accepts_payment_remarks=bool(rng.random() < 0.5),
                    accepts_municipal_guarantee=True,
                    requires_home_insurance=bool(rng.random() < 0.3),
                    contract_forms=FORMS_PUBLIC,
                )
            )
        else:
            forms: tuple[str, ...] = (
                FORMS_PRIVATE if rng.random() < 0.7 else ("municipal_contract",)
            )
            landlords.append(
                Landlord(
                    id=lid,
                    kind="private",
                    quota=int(quotas[i]),
                    exception_quota=int(rng.random() < 0.2) * max(1, round(0.03 * quotas[i])),
                    excluded_areas=excluded,
                    income_multiple=3.0,
                    accepts_income_support=bool(rng.random() < 0.2),
                    accepts_housing_allowance=bool(rng.random() < 0.5),
                    requires_permanent_employment=bool(rng.random() < 0.4),
                    accepts_payment_remarks=False,
                    accepts_municipal_guarantee=bool(rng.random() < 0.8),
                    requires_home_insurance=bool(rng.random() < 0.5),
                    contract_forms=forms,
                )
            )
    return landlords, shares


def _national_rules(
    rng: np.random.Generator,
    prof: Profile,
    landlords: list[Landlord],
    areas: list[Area],
    vacancies: list[Vacancy],
) -> tuple[list[Landlord], list[Area]]:
    """Quotas from each landlord's vacancies, fixed exception quotas, every n-th area capped."""
    owned = {lo.id: 0 for lo in landlords}
    for v in vacancies:
        owned[v.landlord] += 1
    share = prof.quota_of_vacancies or 0.0
    out = []
    for lo in landlords:
        if lo.kind == "public":
            exception_quota = prof.exception_public or 0
        else:
            exception_quota = int(rng.integers(0, prof.exception_private_max + 1))
        out.append(
            replace(
                lo,
                quota=math.floor(share * owned[lo.id]),
                exception_quota=exception_quota,
            )
        )
    every = prof.cap_every or 0
    cap = len(vacancies) // len(areas) // every if every else 0
    capped = [
        replace(a, cap=cap) if every and i % every == every - 1 and not a.excluded else a
        for i, a in enumerate(areas)
    ]
    return out, capped


def _lease_holders(
    seed: int, landlords: list[Landlord], households: list[Household]
) -> tuple[list[Landlord], list[Household]]:
    """Who holds the lease, and guarantees by kind (docs/lease-holders.md), so a generated
    round takes the solver's form-by-form path: private landlords that accept a guarantee
    name the kinds and what each lifts (a rent guarantee lifts only the payment remarks —
    Karlstad's three months of rent do not make an income), a few refuse households on
    income support as the municipality's subtenants (Västerås), a few take only some target
    groups through a sublet (Göteborg); a household's guarantee is a rent guarantee or a
    municipal surety. Drawn from a stream of their own, so everything else a seed gave
    before stays as it was."""
    rng = np.random.default_rng([seed, 23])
    out_landlords = []
    for lo in landlords:
        lifts: tuple[tuple[str, tuple[str, ...]], ...] = ()
        if lo.accepts_municipal_guarantee:
            lifts = (("municipal_surety", LIFTABLE_REQUIREMENTS),)
            if lo.kind == "public" or rng.random() < 0.5:
                lifts = (*lifts, ("rent_guarantee", ("payment_remarks",)))
        out_landlords.append(
            replace(
                lo,
                guarantee_lifts=lifts,
                placement_refuses_income_support=lo.kind == "private" and rng.random() < 0.3,
                target_groups=(
                    ("violence_exposed", "family_with_children", "economic_only")
                    if lo.kind == "private" and rng.random() < 0.2
                    else ()
                ),
            )
        )
    out_households = [
        replace(h, guarantee=str(rng.choice(GUARANTEE_KINDS))) if h.municipal_guarantee else h
        for h in households
    ]
    return out_landlords, out_households


def generate(
    *, households: int, vacancies: int, seed: int = 0, profile: str = "mid_size"
) -> Problem:
    """A realistic round of `households` needs and `vacancies` vacancies."""
    prof = PROFILES[profile]
    rng = np.random.default_rng(seed)
    area_ids = [f"A{i + 1:02d}" for i in range(prof.areas)]
    excluded = set(rng.choice(area_ids, size=prof.excluded_areas, replace=False).tolist())
    total_quota = max(1, round(prof.quota_share * max(1, min(households, vacancies))))
    open_areas = prof.areas - prof.excluded_areas
    areas = []
    for aid in area_ids:
        cap = None
        if prof.cap_slack is not None and aid not in excluded and rng.random() < 0.7:
            even = total_quota / max(1, open_areas)
            cap = max(1, math.floor(even * prof.cap_slack * rng.uniform(0.6, 1.4)))
        areas.append(Area(id=aid, excluded=aid in excluded, cap=cap))
    landlords, shares = _landlords(rng, prof, total_quota, area_ids)

    # Vacancies: owned in proportion to the stock shares.
    owner = rng.choice(len(landlords), size=vacancies, p=shares / shares.sum())
    area_pop = rng.dirichlet(np.full(prof.areas, 2.0))
    vac_list = []
    for i in range(vacancies):
        lo = landlords[int(owner[i])]
        rooms = int(rng.choice([1, 2, 3, 4, 5], p=[0.3, 0.35, 0.22, 0.1, 0.03]))
        rent = (3800 + 1700 * rooms) * prof.rent_level * rng.uniform(0.8, 1.25)
        if lo.kind == "private":
            rent *= 1.12
        offered = [f for f in lo.contract_forms if rng.random() < 0.6] or [lo.contract_forms[0]]
        ground = bool(rng.random() < 0.2)
        vac_list.append(
            Vacancy(
                id=f"V{i + 1:05d}",
                landlord=lo.id,
                area=str(rng.choice(area_ids, p=area_pop)),
                rooms=rooms,
                rent=float(round(rent / 10) * 10),
                elevator=bool(rng.random() < 0.55),
                ground_floor=ground,
                wheelchair=bool(rng.random() < 0.08),
                contract_forms=tuple(offered),
            )
        )

    hh_list = []
    for i in range(households):
        single = rng.random() < 0.6
        adults = 1 if single or rng.random() < 0.5 else 2
        children = 0 if single else int(rng.choice([0, 1, 2, 3, 4], p=[0.2, 0.3, 0.3, 0.15, 0.05]))
        persons = adults + children
        groups: list[str] = []
        if children:
            groups.append("family_with_children")
        for group, p in (
            ("violence_exposed", 0.08),
            ("newly_arrived", prof.newly_arrived_share),
            ("substance_recovery", 0.12),
            ("psychiatric_disability", 0.1),
            ("young_adult", 0.12),
            ("elderly", 0.06),
            ("released_from_prison", 0.04),
            ("housing_first", 0.05),
        ):
            if rng.random() < p:
                groups.append(group)
        if rng.random() < 0.02 and "violence_exposed" in groups:
            groups.append("protected_identity")
        if not groups:
            groups.append("economic_only")
        employment = str(rng.choice(["permanent", "temporary", "none"], p=[0.15, 0.2, 0.65]))
        salary = {"permanent": 24000, "temporary": 15000, "none": 0}[employment] * rng.uniform(
            0.7, 1.3
        )
        support = (
            0.0 if employment == "permanent" else rng.uniform(4000, 9000) * (1 + 0.4 * children)
        )
        allowance = rng.uniform(0, 2500) * (1 + 0.5 * children) if rng.random() < 0.5 else 0.0
        other = rng.uniform(0, 9000) if rng.random() < 0.2 else 0.0
        rooms_min = max(1, math.ceil(persons / 2))
        recovery = "substance_recovery" in groups
        forms = ["municipal_contract"]
        if children:
            forms.append("support_agreement")
        if recovery:
            forms.insert(0, "training_apartment")
        if "housing_first" in groups:
            forms.append("housing_first")
        if rng.random() < 0.3:
            forms.append("first_hand_with_guarantee")
        if employment == "none" and rng.random() < 0.2:
            forms.append("short_term")
        n_avoid = int(rng.choice([0, 1, 2], p=[0.8, 0.12, 0.08]))
        if "violence_exposed" in groups:
            n_avoid += 2
        avoid = sorted(rng.choice(area_ids, size=n_avoid, replace=False).tolist())
        preferred = sorted(
            a for a in rng.choice(area_ids, size=2, replace=False).tolist() if a not in avoid
        )
        weight = sum(TARGET_WEIGHTS[g] for g in groups) + int(rng.integers(1, 1000))
        income_total = salary + support + allowance + other
        max_rent = (3800 + 1700 * (rooms_min + 0.8)) * prof.rent_level * rng.uniform(0.9, 1.4)
        max_rent = min(max_rent, max(5000.0, 0.6 * income_total + 3000))
        hh_list.append(
            Household(
                id=f"H{i + 1:05d}",
                weight=weight,
                adults=adults,
                children=children,
                target_groups=tuple(dict.fromkeys(groups)),
                income=Income(
                    salary=float(round(salary)),
                    income_support=float(round(support)),
                    housing_allowance=float(round(allowance)),
                    other=float(round(other)),
                ),
                employment=employment,
                payment_remarks=bool(rng.random() < 0.35),
                municipal_guarantee=bool(rng.random() < 0.3),
                home_insurance=bool(rng.random() < 0.6),
                drug_free_months=int(rng.integers(0, 24)) if recovery else None,
                rooms_min=rooms_min,
                rooms_max=rooms_min + 1,
                max_rent=float(round(max_rent / 10) * 10),
                needs_elevator=bool(rng.random() < 0.06),
                needs_ground_floor=bool(rng.random() < 0.02),
                needs_wheelchair=bool(rng.random() < 0.015),
                avoid_areas=tuple(avoid),
                preferred_areas=tuple(preferred),
                contract_forms=tuple(dict.fromkeys(forms)),
                newly_arrived="newly_arrived" in groups,
            )
        )

    if prof.quota_of_vacancies is not None:
        landlords, areas = _national_rules(rng, prof, landlords, areas, vac_list)
    landlords, hh_list = _lease_holders(seed, landlords, hh_list)
    newly = sum(h.newly_arrived for h in hh_list)
    draft = Problem(
        municipality=prof.municipality,
        areas=tuple(areas),
        landlords=tuple(landlords),
        vacancies=tuple(vac_list),
        households=tuple(hh_list),
        newly_arrived_min=0,
        time_limit_s=60.0,
        municipality_tenant_forms=MUNICIPALITY_TENANT_FORMS,
    )
    # A few coordinator decisions: declined pairs and pins (eligible, non-conflicting).
    forbidden: list[tuple[str, str]] = []
    pinned: list[tuple[str, str]] = []
    if households and vacancies:
        for _ in range(max(0, households // 50)):
            forbidden.append(
                (
                    hh_list[int(rng.integers(households))].id,
                    vac_list[int(rng.integers(vacancies))].id,
                )
            )
        used_h: set[str] = set()
        used_v: set[str] = set()
        for _ in range(min(3, households // 100) * 40):
            if len(pinned) >= min(3, households // 100):
                break
            h = hh_list[int(rng.integers(households))]
            v = vac_list[int(rng.integers(vacancies))]
            if h.id in used_h or v.id in used_v:
                continue
            check = check_pair(draft, h, v, forbidden=frozenset(forbidden))
            if check.eligible and not check.exception:
                pinned.append((h.id, v.id))
                used_h.add(h.id)
                used_v.add(v.id)
    return Problem(
        municipality=prof.municipality,
        areas=tuple(areas),
        landlords=tuple(landlords),
        vacancies=tuple(vac_list),
        households=tuple(hh_list),
        forbidden=tuple(dict.fromkeys(forbidden)),
        pinned=tuple(pinned),
        newly_arrived_min=math.floor(prof.newly_min_share * newly),
        time_limit_s=60.0,
        municipality_tenant_forms=MUNICIPALITY_TENANT_FORMS,
    )
