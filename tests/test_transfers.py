"""From a municipal contract to a lease of one's own (issue 24; docs/tenancies.md), through
HTTP: running contracts registered as tenancies, the landlord's coded answer to a transfer,
the earliest and the latest month of the trial and the lock-in watch, the short contract's
step to an own lease, after-care, endings, the 3:5 look-back and the establishment period.

Each tenancy here began months ago: it is registered as an existing contract (`POST
/v1/tenancies`, item 7), so time has passed without moving any date by hand. Sources:
Bostad för alla (SABO m.fl., 2014) per municipality, and Helsingborg's action plan (2018).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.core.db import STOCKHOLM, local_today, local_year
from app.core.months import add_months
from app.households.models import Household
from app.jobs.worker import announce_due
from app.tenancies import staircase, terms
from app.vocabulary import EventKind, RemarkEffect
from tests.conftest import Api, AuthedClient

YEAR = local_year()
PROBLEM = "application/problem+json"


def months_ago(months: int) -> str:
    return add_months(local_today(), -months).isoformat()


class Town:
    """One municipality with one landlord whose agreement covers every year a registered
    contract may have begun in (a contract counts toward the year it began)."""

    def __init__(
        self,
        api: Api,
        code: str,
        *,
        landlord: tuple[str, str] = ("Hyresbostäder", "556036-0793"),
        **agreement: Any,
    ) -> None:
        self.api = api
        self.code = api.municipality(code)
        self.coordinator = api.client("coordinator", municipality=code)
        self.social = api.client("social_services", municipality=code)
        self.landlord = api.landlord(landlord[0], landlord[1], "public")
        self.landlord_client = api.client("landlord", landlord=self.landlord)
        self.agreement(self.landlord, **agreement)
        self._cases = 0

    def agreement(self, landlord: str, **fields: Any) -> None:
        body = {"quota": 10, "contract_forms": ["municipal_contract"], **fields}
        for year in range(YEAR - 3, YEAR + 1):
            response = self.coordinator.put(
                f"/v1/agreements/{self.code}/{landlord}/{year}", json=body
            )
            assert response.status_code in (200, 201), response.text

    def household(self, **fields: Any) -> str:
        self._cases += 1
        body: dict[str, Any] = {
            "case_ref": f"CASE-{self._cases:04d}",
            "adults": 1,
            "target_groups": ["economic_only"],
            "income": {"income_support": 7000},
            "max_rent": 5200,
            "contract_forms": ["municipal_contract"],
            **fields,
        }
        response = self.social.post("/v1/households", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def register(
        self,
        started_on: str,
        *,
        form: str = "municipal_contract",
        landlord: str | None = None,
        household: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A running contract registered as a tenancy; its view."""
        body = self.registration(
            started_on, form=form, landlord=landlord, household=household, **extra
        )
        response = self.coordinator.post("/v1/tenancies", json=body)
        assert response.status_code == 201, response.text
        view: dict[str, Any] = response.json()
        return view

    def registration(
        self,
        started_on: str,
        *,
        form: str = "municipal_contract",
        landlord: str | None = None,
        household: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        return {
            "household": household or self.household(),
            "landlord": landlord or self.landlord,
            "external_ref": f"LGH-{self._cases:04d}",
            "contract_form": form,
            "started_on": started_on,
            **extra,
        }

    def step(self, tenancy: str, to: str = "own_lease", **extra: Any) -> Any:
        return self.coordinator.post(f"/v1/tenancies/{tenancy}/step", json={"to": to, **extra})

    def answer(self, tenancy: str, **body: Any) -> Any:
        return self.landlord_client.post(f"/v1/tenancies/{tenancy}/consent", json=body)

    def tenancy(self, tenancy: str, client: AuthedClient | None = None) -> dict[str, Any]:
        response = (client or self.coordinator).get(f"/v1/tenancies/{tenancy}")
        assert response.status_code == 200, response.text
        view: dict[str, Any] = response.json()
        return view


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def event_types(client: AuthedClient, subject: str) -> list[str]:
    items = client.get("/v1/events", params={"limit": 200}).json()["items"]
    return [e["type"] for e in items if e["subject"]["id"] == subject]


# --------------------------------------------------------------------------- item 7


def test_running_contracts_are_registered_and_count_toward_the_year_they_began(
    api: Api,
) -> None:
    """Södertälje has "ungefär 400 kommunkontrakt", Västerås "60 träningslägenheter och 240
    pågående boendestödsavtal" when they start using the service: each is registered, counts
    toward the quota of the year it began, and is a tenancy like any other."""
    town = Town(api, "0181", trial_period_months=24)
    started = months_ago(14)
    view = town.register(started)
    assert view["registered"] is True
    assert view["proposal"] is None
    assert view["vacancy"] is None
    assert view["external_ref"].startswith("LGH-")
    assert view["agreement_year"] == int(started[:4])
    assert view["trial_period_end"] == add_months(local_today(), 10).isoformat()
    case = town.coordinator.get(f"/v1/households/{view['household']}").json()
    assert (case["status"], case["close_reason"]) == ("closed", "housed")
    quota = town.coordinator.get("/v1/quota", params={"year": started[:4]}).json()
    assert quota["rows"][0]["delivered"] == 1

    # The landlord sees its own tenancy, without the household.
    mine = town.tenancy(view["id"], town.landlord_client)
    assert mine["view"] == "landlord"
    assert "household" not in mine
    assert "case_ref" not in mine

    # The household lives there already: a second registration is refused.
    again = town.registration(started, household=view["household"])
    problem(town.coordinator.post("/v1/tenancies", json=again), 409)


def test_a_batch_of_running_contracts_is_answered_per_row(api: Api) -> None:
    """Uppsala's "cirka 1 000 bostadssociala kontrakt" come as a list: each row stands or
    fails on its own, and a failed row changes nothing."""
    town = Town(api, "0380", trial_period_months=24)
    other = Town(api, "0180", landlord=("Stockholmshem", "556703-7485"))
    rows = [
        town.registration(months_ago(30)),
        town.registration(months_ago(2), household=other.household()),
        town.registration(add_months(local_today(), 1).isoformat()),
        {**town.registration(months_ago(3)), "personal_identity_number": "x"},
        town.registration(
            months_ago(40),
            form="training_apartment",
            step="support_agreement",
            step_on=months_ago(28),
        ),
    ]
    response = town.coordinator.post("/v1/tenancies/import", json={"tenancies": rows})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == [201, 404, 422, 422, 201]
    assert (body["created"], body["failed"]) == (2, 3)
    listed = town.coordinator.get("/v1/tenancies").json()["items"]
    assert {t["id"] for t in listed} == {
        body["results"][0]["tenancy"],
        body["results"][4]["tenancy"],
    }
    stepped = town.tenancy(body["results"][4]["tenancy"])
    assert stepped["contract_form"] == "support_agreement"
    assert stepped["form_since"] == months_ago(28)
    assert stepped["next_step"] == "own_lease"
    # Only the coordinator registers.
    problem(town.social.post("/v1/tenancies", json=town.registration(months_ago(1))), 403)


# --------------------------------------------------------------------------- consent


def test_jonkoping_transfer_waits_for_the_landlords_consent(api: Api) -> None:
    """Jönköping: social services only "rekommenderar … fastighetsägaren att lämna över
    förstahandskontraktet till den boende", and "Fastighetsägarna är dock ofta skeptiska":
    consent is needed by default; a refusal is a coded answer and blocks the transfer."""
    town = Town(api, "0680", trial_period_months=12)
    agreement = town.coordinator.get(f"/v1/agreements/0680/{town.landlord}/{YEAR}").json()
    assert agreement["transfer_needs_landlord_consent"] is True
    before = datetime.now().astimezone()
    registered = town.register(months_ago(13))
    tenancy = registered["id"]
    # Like a proposal's answer: due `answer_hours` (72 by default) after the transfer became
    # possible — here the registration of a contract past its trial — shown to both sides.
    due = datetime.fromisoformat(registered["transfer_answer_due_at"])
    assert before + timedelta(hours=71) < due < before + timedelta(hours=73)
    assert (
        town.tenancy(tenancy, town.landlord_client)["transfer_answer_due_at"]
        == (registered["transfer_answer_due_at"])
    )
    refused = problem(town.step(tenancy), 409)
    assert "consent" in refused["detail"]

    problem(town.answer(tenancy, consent=False), 422)  # a refusal names its reason
    no = town.answer(tenancy, consent=False, reason="disturbance")
    assert no.status_code == 200, no.text
    assert no.json()["transfer_answer"] == "disturbance"
    problem(town.step(tenancy), 409)
    assert "tenancy.transfer_refused" in event_types(town.coordinator, tenancy)

    yes = town.answer(tenancy, consent=True, reason="agreed")
    assert yes.status_code == 200, yes.text
    assert yes.json()["transfer_answer"] == "agreed"
    assert yes.json()["transfer_answer_due_at"] is None
    done = town.step(tenancy)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "transferred"
    assert "tenancy.transfer_consented" in event_types(town.landlord_client, tenancy)


def test_goteborg_transfers_without_consent_unless_the_trial_had_problems(api: Api) -> None:
    """Göteborg: "Efter en prövningsperiod (vanligen 18 månader) övergår lägenhetskontraktet
    till hyresgästen"; "Fastighetsägaren kan enligt avtalet inte motsätta sig överlåtelsen om
    det inte varit några problem under provotiden"."""
    town = Town(
        api,
        "1480",
        landlord=("Bostadsbolaget", "556036-0793"),
        trial_period_months=18,
        transfer_needs_landlord_consent=False,
        remark_effect="none",
    )
    early = town.register(months_ago(17))["id"]
    problem(town.step(early), 409)  # the 18 months have not passed
    clean = town.register(months_ago(19))["id"]
    assert town.tenancy(clean)["transfer_answer_due_at"] is None  # no consent awaited
    refused = problem(town.answer(clean, consent=False, reason="other"), 409)
    assert "problem recorded in the trial" in refused["detail"]
    problem(town.answer(clean, consent=True), 409)  # nothing to consent to
    moved = town.step(clean)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "transferred"

    troubled = town.register(months_ago(19))["id"]
    remark = town.landlord_client.post(
        f"/v1/tenancies/{troubled}/remarks", json={"reason": "disturbance"}
    )
    assert remark.status_code == 201, remark.text
    no = town.answer(troubled, consent=False, reason="remarks_during_trial")
    assert no.status_code == 200, no.text
    blocked = problem(town.step(troubled), 409)
    assert "refused" in blocked["detail"]
    seen = town.tenancy(troubled)
    assert seen["transfer_answer"] == "remarks_during_trial"
    assert [e["kind"] for e in seen["events"]] == ["remark", "refusal"]


# --------------------------------------------------------------------------- lock-in


def test_norrkoping_transfers_after_a_year_and_watches_the_two_year_limit(api: Api) -> None:
    """Norrköping: municipal contracts are "träningsboende i upp till två år", and "det
    vanliga är att hyreskontraktet normaliserar efter ett till två år": the earliest month
    is 12, the latest 24 — a contract past it is on the lock-in watch (Nynäshamn: "en viss
    inlåsningsseffekt"), in the worklist, the event feed and the statistics."""
    town = Town(api, "0581", trial_period_months=12, transfer_latest_months=24)
    year_old = town.register(months_ago(12))["id"]
    assert town.answer(year_old, consent=True).status_code == 200
    moved = town.step(year_old)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "transferred"

    young = town.register(months_ago(20))["id"]
    locked = town.register(months_ago(25))
    assert locked["transfer_latest_on"] == months_ago(1)
    assert locked["transfer_overdue"] is True
    assert town.tenancy(young)["transfer_overdue"] is False
    worklist = town.coordinator.get("/v1/tenancies", params={"transfer_overdue": "true"})
    assert [t["id"] for t in worklist.json()["items"]] == [locked["id"]]

    announce_due(api.app.state.sessionmaker)
    announce_due(api.app.state.sessionmaker)  # once, however often it sweeps
    assert event_types(town.coordinator, locked["id"]).count("tenancy.transfer_overdue") == 1
    assert event_types(town.landlord_client, locked["id"]).count("tenancy.transfer_overdue") == 1
    assert "tenancy.transfer_overdue" not in event_types(town.coordinator, young)

    stats = town.coordinator.get("/v1/statistics", params={"year": YEAR}).json()
    assert stats["staircase"]["transfer_overdue"]["parts"] == {town.landlord: "<5"}

    # A recorded reason takes it off the watch; the landlord is not told the reason.
    delayed = town.coordinator.post(
        f"/v1/tenancies/{locked['id']}/transfer-delay", json={"reason": "household_not_ready"}
    )
    assert delayed.status_code == 200, delayed.text
    assert delayed.json()["transfer_delay"] == "household_not_ready"
    worklist = town.coordinator.get("/v1/tenancies", params={"transfer_overdue": "true"})
    assert worklist.json()["items"] == []
    seen = town.tenancy(locked["id"], town.landlord_client)
    assert "transfer_delay" not in seen
    assert "delay" not in {e["kind"] for e in seen["events"]}


def test_norrkoping_short_contract_steps_to_an_own_lease(api: Api) -> None:
    """Norrköping: "tremånaderskontrakt utan besittningsskydd", used "för att slippa de
    kommunala kontrakten" — renewed term by term, and then the household's own lease."""
    town = Town(
        api,
        "0581",
        contract_forms=["municipal_contract", "short_term"],
        trial_period_months=12,
        transfer_latest_months=24,
    )
    short = town.register(months_ago(13), form="short_term")
    assert (short["term_months"], short["renewable"]) == (3, True)
    assert short["next_step"] == "own_lease"
    assert town.answer(short["id"], consent=True).status_code == 200
    own = town.step(short["id"])
    assert own.status_code == 200, own.text
    assert own.json()["status"] == "transferred"


# --------------------------------------------------------------------------- after-care


def test_karlstad_after_care_keeps_the_response_promise_for_twelve_months(api: Api) -> None:
    """Karlstad: "Under påföljande tolv månaders period bistår kommunen bostadsföretaget med
    råd, stöd, delgivningar och annat som rör boendet och besittningsskyddet avtals bort under
    en treårsperiod"; "uttryckning inom 48 timmar": a report six months after the transfer
    gets its 48-hour deadline, thirteen months after it is refused."""
    town = Town(
        api,
        "1780",
        landlord=("Karlstads Bostads AB", "556036-0793"),
        trial_period_months=12,
        aftercare_months=12,
        tenure_waiver_months=36,
        response_hours=48,
    )
    recent = town.register(months_ago(18))["id"]
    assert town.answer(recent, consent=True).status_code == 200
    moved = town.step(recent, effective_on=months_ago(6))
    assert moved.status_code == 200, moved.text
    assert moved.json()["aftercare_until"] == add_months(local_today(), 6).isoformat()
    assert moved.json()["tenure_waived_until"] == add_months(local_today(), 30).isoformat()
    before = datetime.now().astimezone()
    reported = town.landlord_client.post(
        f"/v1/tenancies/{recent}/incidents", json={"reason": "disturbance"}
    )
    assert reported.status_code == 201, reported.text
    [incident] = [e for e in reported.json()["events"] if e["kind"] == "incident"]
    due = datetime.fromisoformat(incident["response_due_at"])
    assert before + timedelta(hours=47) < due < before + timedelta(hours=49)
    assert town.tenancy(recent)["response_due_at"] == incident["response_due_at"]
    remark = town.landlord_client.post(
        f"/v1/tenancies/{recent}/remarks", json={"reason": "late_payment"}
    )
    assert remark.status_code == 201, remark.text

    old = town.register(months_ago(25))["id"]
    assert town.answer(old, consent=True).status_code == 200
    assert town.step(old, effective_on=months_ago(13)).status_code == 200
    late = problem(
        town.landlord_client.post(f"/v1/tenancies/{old}/incidents", json={"reason": "damage"}),
        409,
    )
    assert "after-care ended" in late["detail"]


# --------------------------------------------------------------------------- endings


def test_vasteras_24_hour_end_is_the_municipalitys_for_a_serious_cause(api: Api) -> None:
    """Västerås: "Kommunen står för kontraktet och vid allvarliga problem kan den boende vräkas
    inom 24 timmar" — the municipality ending its subtenant's contract; the landlord ending
    the municipality's lease follows the ordinary notice."""
    terms = {"training_apartment": {"notice_days": 90, "serious_cause_notice_days": 1}}
    town = Town(
        api,
        "1980",
        landlord=("Mimer", "556036-0793"),
        contract_forms=["training_apartment", "support_agreement", "first_hand_with_guarantee"],
        trial_period_months=12,
        tenancy_terms=terms,
    )
    by_landlord = town.register(months_ago(2), form="training_apartment")["id"]
    end = f"/v1/tenancies/{by_landlord}/end"
    problem(
        town.landlord_client.post(
            end, json={"reason": "terminated_by_landlord", "serious_cause": "serious_damage"}
        ),
        422,
    )
    ended = town.landlord_client.post(end, json={"reason": "terminated_by_landlord"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_on"] == (local_today() + timedelta(days=90)).isoformat()

    by_municipality = town.register(months_ago(2), form="training_apartment")["id"]
    cut = town.coordinator.post(
        f"/v1/tenancies/{by_municipality}/end",
        json={"reason": "terminated_by_municipality", "serious_cause": "violence_or_threats"},
    )
    assert cut.status_code == 200, cut.text
    assert cut.json()["ended_on"] == (local_today() + timedelta(days=1)).isoformat()
    assert cut.json()["events"][-1]["serious_cause"] == "violence_or_threats"

    own_lease = town.register(months_ago(2), form="first_hand_with_guarantee")["id"]
    problem(
        town.coordinator.post(
            f"/v1/tenancies/{own_lease}/end",
            json={"reason": "terminated_by_municipality", "serious_cause": "serious_damage"},
        ),
        422,
    )


# --------------------------------------------------------------------------- Helsingborg


def test_helsingborg_any_report_in_the_look_back_blocks_the_exception_place(api: Api) -> None:
    """Helsingborg 3:5: "Inga störningar eller annan problematik föreligger" — a damage
    report, answered or not, keeps the tenant from Helsingborgshem's exception places; a
    vouched-for tenant without reports gets one. The place is an own lease ("utflytt": they
    are to be "slussas ut" to a lease of their own), so the flat is offered as Housing First
    and the households move on in that form."""
    town = Town(
        api,
        "1283",
        landlord=("Helsingborgs stad, fastighetsförvaltningen", "212000-1132"),
        trial_period_months=12,
    )
    area = town.coordinator.put("/v1/municipalities/1283/areas/CENTRUM", json={"name": "Centrum"})
    assert area.status_code == 201, area.text
    helsingborgshem = api.landlord("Helsingborgshem", "559909-0015", "public")
    town.agreement(
        helsingborgshem,
        exception_quota=5,
        income_multiple=3,
        accepts_income_support=False,
        accepts_payment_remarks=False,
        contract_forms=["municipal_contract", "housing_first"],
        exception_conditions={"no_remarks_months": 12, "requires_vouching": True},
    )
    flat = api.client("landlord", landlord=helsingborgshem).put(
        "/v1/vacancies/HH-1",
        json={
            "municipality": "1283",
            "area": "CENTRUM",
            "rooms": 1,
            "rent": 4700,
            "contract_forms": ["housing_first"],
        },
    )
    assert flat.status_code == 201, flat.text
    damaged = town.register(months_ago(20))
    clean = town.register(months_ago(20))
    report = town.landlord_client.post(
        f"/v1/tenancies/{damaged['id']}/incidents", json={"reason": "damage"}
    )
    assert report.status_code == 201, report.text
    [incident] = [e for e in report.json()["events"] if e["kind"] == "incident"]
    answered = town.coordinator.post(
        f"/v1/tenancies/{damaged['id']}/reports/{incident['report_id']}/response",
        json={"action": "measure_taken"},
    )
    assert answered.status_code == 201, answered.text
    for tenancy in (damaged, clean):
        vouched = town.coordinator.post(
            f"/v1/tenancies/{tenancy['id']}/vouching", json={"statement": "well_functioning_tenant"}
        )
        assert vouched.status_code == 200, vouched.text
        posted = town.coordinator.post(
            f"/v1/households/{tenancy['household']}/move-on",
            json={"contract_forms": ["housing_first"]},
        )
        assert posted.status_code == 200, posted.text
    blocked = town.coordinator.get(f"/v1/households/{damaged['household']}/candidates").json()
    assert blocked["items"] == []
    assert blocked["failed"] == {"exception_qualification": 1}
    open_to = town.coordinator.get(f"/v1/households/{clean['household']}/candidates").json()
    assert [(c["vacancy"], c["exception"]) for c in open_to["items"]] == [(flat.json()["id"], True)]


def test_helsingborg_cohort_reaches_the_end_of_its_establishment_period(api: Api) -> None:
    """Helsingborg 3:9: "anvisade individer med uppehållstillstånd … För dessa individer
    börjar den tvååriga etableringstiden löpa ut": five households settled 22 months ago
    appear on the worklist and get move-on needs in one request, answered per household."""
    town = Town(
        api,
        "1283",
        landlord=("Helsingborgs stad, fastighetsförvaltningen", "212000-1132"),
        trial_period_months=12,
    )
    settled = months_ago(22)
    cohort = [
        town.register(
            settled, household=town.household(target_groups=["newly_arrived"], settled_on=settled)
        )
        for _ in range(5)
    ]
    later = town.household(target_groups=["newly_arrived"], settled_on=months_ago(10))
    past = town.household(target_groups=["newly_arrived"], settled_on=months_ago(25))
    homeless = town.household(target_groups=["newly_arrived"], settled_on=settled)

    ending = town.coordinator.get("/v1/households", params={"establishment_ending": "true"})
    assert ending.status_code == 200, ending.text
    listed = {h["id"]: h for h in ending.json()["items"]}
    assert set(listed) == {t["household"] for t in cohort} | {homeless}
    assert later not in listed
    assert past not in listed
    assert {h["establishment_ends_on"] for h in listed.values()} == {
        add_months(local_today(), 2).isoformat()
    }
    assert cohort[0]["establishment_ends_on"] == add_months(local_today(), 2).isoformat()
    # The coordinators are told once per tenancy; the landlord never (that its tenant is
    # newly arrived is the municipality's to know).
    announce_due(api.app.state.sessionmaker)
    announce_due(api.app.state.sessionmaker)
    for tenancy in cohort:
        told = event_types(town.coordinator, tenancy["id"])
        assert told.count("tenancy.establishment_ending") == 1
        assert "tenancy.establishment_ending" not in event_types(
            town.landlord_client, tenancy["id"]
        )
        assert "establishment_ends_on" not in town.tenancy(tenancy["id"], town.landlord_client)

    posted = town.coordinator.post(
        "/v1/households/move-on",
        json={"households": [t["household"] for t in cohort] + [homeless]},
    )
    assert posted.status_code == 200, posted.text
    body = posted.json()
    assert (body["posted"], body["failed"]) == (5, 1)
    assert [r["status"] for r in body["results"]] == [200] * 5 + [409]
    for tenancy in cohort:
        assert town.tenancy(tenancy["id"])["move_on_since"] is not None

    # The settlement day is the household's: an erased case keeps none.
    closed = town.social.post(f"/v1/households/{later}/close", json={"reason": "moved"})
    assert closed.status_code == 200, closed.text
    erased = town.coordinator.post(f"/v1/households/{later}/erase")
    assert erased.status_code in (200, 204), erased.text
    with api.app.state.sessionmaker() as session:
        row = session.get(Household, later)
        assert row is not None
        assert row.settled_on is None


@pytest.mark.parametrize("reason", ["landlord_refused"])
def test_the_landlords_refusal_is_not_the_coordinators_to_record(api: Api, reason: str) -> None:
    town = Town(api, "0581", trial_period_months=12, transfer_latest_months=24)
    tenancy = town.register(months_ago(25))["id"]
    problem(
        town.coordinator.post(f"/v1/tenancies/{tenancy}/transfer-delay", json={"reason": reason}),
        422,
    )


# --------------------------------------------------------------------------- the rules


def test_a_remark_restarts_extends_or_leaves_the_trial_as_the_agreement_says() -> None:
    """`remark_effect`: Västerås restarts ("efter ett år … förutsatt att det inte har varit
    några störningar"); an agreement may extend by N months, or leave the trial alone."""
    end = add_months(local_today(), 3)
    on = local_today()
    rule = staircase.trial_end_after_remark
    assert rule(
        trial_period_end=end,
        remark_on=on,
        effect=RemarkEffect.restart,
        trial_months=12,
        extend_months=None,
    ) == add_months(on, 12)
    assert rule(
        trial_period_end=end,
        remark_on=on,
        effect=RemarkEffect.extend,
        trial_months=12,
        extend_months=6,
    ) == add_months(end, 6)
    assert rule(
        trial_period_end=None,
        remark_on=on,
        effect=RemarkEffect.extend,
        trial_months=None,
        extend_months=6,
    ) == add_months(on, 6)
    assert (
        rule(
            trial_period_end=end,
            remark_on=on,
            effect=RemarkEffect.none,
            trial_months=12,
            extend_months=None,
        )
        == end
    )


def test_a_waived_consent_lets_the_landlord_refuse_only_after_a_problem_in_the_form() -> None:
    """Göteborg: the landlord "kan … inte motsätta sig överlåtelsen om det inte varit några
    problem under provotiden" — a remark or an incident since the last step."""
    remark = staircase.Happened(EventKind.remark, local_today(), "late_payment")
    stepped = staircase.Happened(EventKind.step, local_today())
    refuse = staircase.answer_refusal
    assert refuse(consent=False, needs_consent=False, events=[]) is not None
    assert refuse(consent=False, needs_consent=False, events=[remark]) is None
    assert refuse(consent=False, needs_consent=False, events=[remark, stepped]) is not None
    assert refuse(consent=False, needs_consent=True, events=[]) is None
    assert refuse(consent=True, needs_consent=False, events=[]) is not None
    refusal = staircase.Happened(EventKind.refusal, local_today(), "damage")
    consent = staircase.Happened(EventKind.consent, local_today(), "agreed")
    assert staircase.transfer_answer([refusal, consent]) == consent
    assert staircase.transfer_answer([refusal, stepped]) is None
    assert staircase.transfer_refusal(needs_consent=True, answer=None) is not None
    assert staircase.transfer_refusal(needs_consent=False, answer=None) is None
    assert staircase.transfer_refusal(needs_consent=False, answer=refusal) is not None
    assert staircase.transfer_refusal(needs_consent=True, answer=consent) is None


def test_the_landlords_answer_is_due_answer_hours_after_the_transfer_became_possible() -> None:
    trial_end = date(2027, 3, 1)
    midnight = datetime(2027, 3, 1, tzinfo=STOCKHOLM)
    created = datetime(2026, 3, 1, 9, tzinfo=UTC)
    due = staircase.answer_due_at
    assert due(
        needs_consent=True,
        answer=None,
        possible_on=trial_end,
        asked_at=created,
        answer_hours=72,
    ) == midnight + timedelta(hours=72)
    late = datetime(2027, 5, 1, 9, tzinfo=UTC)
    assert due(
        needs_consent=True, answer=None, possible_on=trial_end, asked_at=late, answer_hours=48
    ) == late + timedelta(hours=48)
    answered = staircase.Happened(EventKind.consent, trial_end, "agreed")
    assert (
        due(
            needs_consent=True,
            answer=answered,
            possible_on=trial_end,
            asked_at=created,
            answer_hours=72,
        )
        is None
    )
    assert (
        due(
            needs_consent=False,
            answer=None,
            possible_on=trial_end,
            asked_at=created,
            answer_hours=72,
        )
        is None
    )


def test_a_registration_names_a_past_start_and_a_real_step() -> None:
    rule = staircase.registration_refusal
    past, future = add_months(local_today(), -30), add_months(local_today(), 1)
    assert (
        rule(
            form="municipal_contract", started_on=past, step=None, step_on=None, today=local_today()
        )
        is None
    )
    assert (
        rule(
            form="municipal_contract",
            started_on=future,
            step=None,
            step_on=None,
            today=local_today(),
        )
        is not None
    )
    assert (
        rule(
            form="training_apartment",
            started_on=past,
            step="support_agreement",
            step_on=add_months(local_today(), -18),
            today=local_today(),
        )
        is None
    )
    assert (
        rule(
            form="training_apartment",
            started_on=past,
            step="support_agreement",
            step_on=None,
            today=local_today(),
        )
        is not None
    )
    assert (
        rule(
            form="municipal_contract",
            started_on=past,
            step="support_agreement",
            step_on=add_months(local_today(), -18),
            today=local_today(),
        )
        is not None
    )
    assert (
        rule(
            form="training_apartment",
            started_on=past,
            step="support_agreement",
            step_on=add_months(local_today(), -31),
            today=local_today(),
        )
        is not None
    )


def test_only_the_municipality_ends_its_subtenants_contract_for_a_serious_cause() -> None:
    """Västerås: "Kommunen står för kontraktet och vid allvarliga problem kan den boende
    vräkas inom 24 timmar"."""
    rule = terms.serious_cause_refusal
    assert (
        rule(reason="terminated_by_municipality", form="training_apartment", serious=True) is None
    )
    assert rule(reason="terminated_by_landlord", form="training_apartment", serious=True)
    assert rule(reason="terminated_by_municipality", form="support_agreement", serious=True)
    assert rule(reason="terminated_by_landlord", form="training_apartment", serious=False) is None
    assert terms.ends_on(
        reason="terminated_by_municipality",
        on=local_today(),
        notice_days=90,
        term_end=None,
        serious_notice_days=1,
        serious=True,
    ) == local_today() + timedelta(days=1)
    assert terms.ends_on(
        reason="terminated_by_landlord",
        on=local_today(),
        notice_days=90,
        term_end=None,
        serious_notice_days=1,
    ) == local_today() + timedelta(days=90)
