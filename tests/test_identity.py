"""People sign in as themselves: tokens of an OpenID Connect issuer trusted for one
municipality act within it only, in the role their group claim maps to, and the audit
trail names the person (who, what, when, why — docs/domain.md §6; Jönköping's and the
other municipalities' social services read these records, "samtliga dessa jourer
samarbetar med socialtjänsten"). These tests use issuers registered with inline keys the
test holds; tests/test_identity_provider.py runs the same path against a real provider."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from app.core.db import local_year
from tests.conftest import Api
from tests.people import AUDIENCE, InlineIssuer, bearer, person_client
from tests.worlds.jonkoping import jonkoping_world
from tests.worlds.protected import protected_household

YEAR = local_year()

HOUSEHOLD = {"case_ref": "JKPG-PERSON-1", "adults": 1, "contract_forms": ["housing_first"]}


@pytest.fixture
def jonkoping(api: Api) -> InlineIssuer:
    api.municipality("0680")
    issuer = InlineIssuer("https://login.jonkoping.example/realms/staff")
    issuer.register(api, municipality="0680")
    return issuer


@pytest.fixture
def vasteras(api: Api) -> InlineIssuer:
    api.municipality("1980")
    issuer = InlineIssuer("https://idp.vasteras.example/v2.0", kid="vas-1")
    issuer.register(api, municipality="1980")
    return issuer


def _household(api: Api, municipality: str) -> dict[str, Any]:
    social = api.client("social_services", municipality=municipality)
    response = social.post("/v1/households", json=HOUSEHOLD)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_person_lists_their_municipalitys_households_and_the_audit_names_them(
    api: Api, jonkoping: InlineIssuer
) -> None:
    household = _household(api, "0680")
    anna = person_client(api, jonkoping, "coordinator", subject="u-anna", name="Anna Lind")
    listed = anna.get("/v1/households", headers={"X-Purpose": "Matchning"})
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [household["id"]]

    trail = anna.get("/v1/audit", params={"household": household["id"]}).json()["items"]
    listing = [event for event in trail if event["action"] == "list"]
    assert [event["person"] for event in listing] == [{"subject": "u-anna", "name": "Anna Lind"}]
    assert listing[0]["role"] == "coordinator"
    assert listing[0]["organisation"] == "0680"
    assert listing[0]["credential"].startswith("person_")

    mine = anna.get("/v1/audit", params={"household": household["id"], "person": "u-anna"})
    assert [event["action"] for event in mine.json()["items"]] == ["list"]
    nobody = anna.get("/v1/audit", params={"household": household["id"], "person": "u-bo"})
    assert nobody.json()["items"] == []


def test_a_social_secretary_signed_in_writes_a_household_as_themselves(
    api: Api, jonkoping: InlineIssuer
) -> None:
    bo = person_client(api, jonkoping, "social_services", subject="u-bo", name="Bo Ek")
    created = bo.post("/v1/households", json=HOUSEHOLD)
    assert created.status_code == 201, created.text
    coordinator = person_client(api, jonkoping, "coordinator", subject="u-anna", name="Anna")
    trail = coordinator.get("/v1/audit", params={"household": created.json()["id"]})
    assert [(e["action"], e["role"], e["person"]) for e in trail.json()["items"]] == [
        ("create", "social_services", {"subject": "u-bo", "name": "Bo Ek"})
    ]


def test_a_persons_retry_with_the_same_idempotency_key_is_answered_once(
    api: Api, jonkoping: InlineIssuer
) -> None:
    bo = person_client(api, jonkoping, "social_services", subject="u-bo", name="Bo Ek")
    headers = {"Idempotency-Key": "jkpg-person-retry-1"}
    first = bo.post("/v1/households", json=HOUSEHOLD, headers=headers)
    again = bo.post("/v1/households", json=HOUSEHOLD, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    # Another person of the same issuer has keys of their own.
    siv = person_client(api, jonkoping, "social_services", subject="u-siv", name="Siv")
    other = siv.post(
        "/v1/households", json={**HOUSEHOLD, "case_ref": "JKPG-PERSON-2"}, headers=headers
    )
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_a_token_of_one_municipalitys_issuer_never_reaches_another_municipality(
    api: Api, jonkoping: InlineIssuer, vasteras: InlineIssuer
) -> None:
    theirs = _household(api, "1980")
    anna = person_client(api, jonkoping, "coordinator", subject="u-anna", name="Anna Lind")
    assert anna.get(f"/v1/households/{theirs['id']}").status_code == 404
    assert anna.get("/v1/households").json()["items"] == []
    assert anna.get("/v1/audit", params={"household": theirs["id"]}).status_code == 404
    # The same subject at Västerås's issuer is another person, reaching Västerås only.
    other = person_client(api, vasteras, "coordinator", subject="u-anna", name="Anna Berg")
    assert other.get(f"/v1/households/{theirs['id']}").status_code == 200


def _refused(api: Api, token: str) -> None:
    response = bearer(api, token).get("/v1/households")
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_an_expired_token_is_refused(api: Api, jonkoping: InlineIssuer) -> None:
    past = int(time.time()) - 3600
    _refused(api, jonkoping.mint("u-anna", "Anna", iat=past - 300, nbf=past - 300, exp=past))


def test_a_token_not_yet_valid_is_refused(api: Api, jonkoping: InlineIssuer) -> None:
    _refused(api, jonkoping.mint("u-anna", "Anna", nbf=int(time.time()) + 3600))


def test_a_token_for_another_audience_is_refused(api: Api, jonkoping: InlineIssuer) -> None:
    _refused(api, jonkoping.mint("u-anna", "Anna", aud="another-service"))
    assert AUDIENCE != "another-service"


def test_a_token_signed_by_an_unknown_key_is_refused(api: Api, jonkoping: InlineIssuer) -> None:
    impostor = InlineIssuer(jonkoping.issuer, kid=jonkoping.kid)  # same iss and kid, new key
    _refused(api, impostor.mint("u-anna", "Anna"))
    stranger = InlineIssuer(jonkoping.issuer, kid="not-registered")
    _refused(api, stranger.mint("u-anna", "Anna"))


def test_an_unsigned_token_is_refused(api: Api, jonkoping: InlineIssuer) -> None:
    _refused(api, jonkoping.mint_unsigned("u-anna", "Anna"))


def test_a_token_signed_hs256_with_the_issuers_public_key_is_refused(
    api: Api, jonkoping: InlineIssuer
) -> None:
    _refused(api, jonkoping.mint_hs256_with_public_key("u-anna", "Anna"))


def test_a_token_of_an_issuer_nobody_trusts_is_refused(api: Api) -> None:
    api.municipality("0680")
    _refused(api, InlineIssuer("https://elsewhere.example").mint("u-anna", "Anna"))


def test_a_removed_issuer_is_refused_at_once(api: Api, jonkoping: InlineIssuer) -> None:
    anna = person_client(api, jonkoping, "coordinator", subject="u-anna", name="Anna")
    assert anna.get("/v1/households").status_code == 200
    issuers = api.admin.get("/v1/identity-providers").json()["items"]
    assert api.admin.delete(f"/v1/identity-providers/{issuers[0]['id']}").status_code == 204
    assert anna.get("/v1/households").status_code == 401


def test_a_person_whose_groups_map_to_no_role_is_forbidden(
    api: Api, jonkoping: InlineIssuer
) -> None:
    token = jonkoping.mint("u-cleo", "Cleo", groups=["alla-anstallda"])
    assert bearer(api, token).get("/v1/households").status_code == 403


def test_a_person_in_both_groups_is_forbidden_for_the_ambiguity(
    api: Api, jonkoping: InlineIssuer
) -> None:
    token = jonkoping.mint("u-dan", "Dan", groups=["envagin-coordinators", "envagin-socialtjanst"])
    assert bearer(api, token).get("/v1/households").status_code == 403


def test_a_municipal_person_has_no_admin_powers(api: Api, jonkoping: InlineIssuer) -> None:
    anna = person_client(api, jonkoping, "coordinator", subject="u-anna", name="Anna")
    assert anna.get("/v1/identity-providers").status_code == 403
    assert anna.get("/v1/credentials").status_code == 403


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"issuer": "http://idp.example.org"}, 422),  # plain HTTP off loopback
        ({"jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}, 422),  # a shared secret
        ({"jwks": {"keys": [{"kty": "RSA", "kid": "broken"}]}}, 422),  # no modulus
        ({"jwks": {"keys": "not a list"}}, 422),
        ({"role_map": {"g": "landlord"}}, 422),  # a landlord's role for a municipality
        ({"role_map": {"g": "admin"}}, 422),
        ({"algorithms": ["HS256"]}, 422),
        ({"algorithms": ["none"]}, 422),
        ({"municipality": None}, 422),  # no organisation
        ({"municipality": "1980"}, 422),  # not registered in the service
        ({"surprise": 1}, 422),
    ],
)
def test_registering_an_issuer_refuses_what_would_weaken_verification(
    api: Api, change: dict[str, Any], expected: int
) -> None:
    api.municipality("0680")
    issuer = InlineIssuer("https://login.jonkoping.example/realms/staff")
    body: dict[str, Any] = {
        "issuer": issuer.issuer,
        "municipality": "0680",
        "audience": AUDIENCE,
        "jwks": {"keys": [issuer.public_jwk()]},
        "role_claim": "groups",
        "role_map": {"g": "coordinator"},
    }
    body.update(change)
    response = api.admin.post("/v1/identity-providers", json=body)
    assert response.status_code == expected, response.text
    assert api.admin.get("/v1/identity-providers").json()["items"] == []


def test_a_private_key_given_inline_is_refused(api: Api) -> None:
    api.municipality("0680")
    issuer = InlineIssuer("https://login.jonkoping.example/realms/staff")
    private = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer.key))
    response = api.admin.post(
        "/v1/identity-providers",
        json={
            "issuer": issuer.issuer,
            "municipality": "0680",
            "audience": AUDIENCE,
            "jwks": {"keys": [private]},
            "role_map": {"g": "coordinator"},
        },
    )
    assert response.status_code == 422, response.text


def test_one_issuer_is_trusted_for_one_organisation(api: Api, jonkoping: InlineIssuer) -> None:
    api.municipality("1980")
    body = {
        "issuer": jonkoping.issuer,
        "municipality": "1980",
        "audience": AUDIENCE,
        "jwks": {"keys": [jonkoping.public_jwk()]},
        "role_map": {"g": "coordinator"},
    }
    assert api.admin.post("/v1/identity-providers", json=body).status_code == 409


def test_only_an_admin_registers_issuers(api: Api) -> None:
    api.municipality("0680")
    coordinator = api.client("coordinator", municipality="0680")
    issuer = InlineIssuer("https://login.jonkoping.example/realms/staff")
    response = coordinator.post(
        "/v1/identity-providers",
        json={
            "issuer": issuer.issuer,
            "municipality": "0680",
            "audience": AUDIENCE,
            "jwks": {"keys": [issuer.public_jwk()]},
            "role_map": {"g": "coordinator"},
        },
    )
    assert response.status_code == 403


DOCUMENT = json.loads(
    (Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text("utf-8")
)
VOLATILE = {"/v1/audit"}
"""Every read of a household adds to its trail, so the two callers' answers differ by the
reads themselves; the trail is compared by status only."""


def test_people_see_exactly_what_the_credential_of_their_role_sees(api: Api) -> None:
    """The read walk for a person signed in as Jönköping's coordinator or social secretary:
    every GET of the document, with the ids of Jönköping's world (a round run, a protected-
    identity case: Jönköping puts "kvinnofridsärenden" first), answers a person exactly as
    it answers the organisation's credential of the same role — the same objects, the same
    restricted views (docs/domain.md §6: a protected case is the coordinator's alone)."""
    world = jonkoping_world(api)
    world.standard()
    protected = protected_household(world)
    round_id = world.run()["id"]
    issuer = InlineIssuer("https://login.jonkoping.example/realms/staff")
    issuer.register(api, municipality=world.CODE)
    values = {
        "code": world.CODE,
        "municipality": world.CODE,
        "household_id": protected,
        "household": protected,
        "round_id": round_id,
        "other_id": round_id,
        "first": round_id,
        "second": round_id,
        "year": str(YEAR),
        "landlord_id": world.vatterhem,
    }
    pairs = {
        "coordinator": (world.coordinator, "u-samordnare"),
        "social_services": (world.social, "u-socialsekreterare"),
    }
    compared = 0
    for role, (credential, subject) in pairs.items():
        person = person_client(api, issuer, role, subject=subject, name=subject)
        for path, item in DOCUMENT["paths"].items():
            if "get" not in item or path in {"/metrics", "/healthz", "/readyz"}:
                continue
            names = re.findall(r"{(\w+)}", path)
            required = [
                p["name"]
                for p in item["get"].get("parameters", [])
                if p.get("required") and p["in"] == "query"
            ]
            if any(name not in values for name in [*names, *required]):
                continue
            url = path.format(**{name: values[name] for name in names})
            params = {name: values[name] for name in required}
            theirs = credential.get(url, params=params)
            mine = person.get(url, params=params)
            assert mine.status_code == theirs.status_code, f"{role}: GET {path}"
            if path not in VOLATILE and theirs.headers["content-type"] == "application/json":
                assert mine.json() == theirs.json(), f"{role}: GET {path}"
            compared += 1
    assert compared > 40
    # The protected case's candidates are the coordinator's alone, for people as well.
    social = person_client(api, issuer, "social_services", subject="u-ss", name="Siv")
    assert social.get(f"/v1/households/{protected}/candidates").status_code == 403


def test_a_landlords_person_is_named_beside_the_vacancy_they_posted_and_in_its_event(
    api: Api,
) -> None:
    """A landlord may trust its own identity provider too: the person who posts a flat is
    named in `changed_by`, where the credential alone was named before (Jönköping: the
    landlords hand over flats under the agreement's quota)."""
    api.municipality("0680")
    coordinator = api.client("coordinator", municipality="0680")
    assert coordinator.put("/v1/municipalities/0680/areas/A01", json={"name": "A"}).is_success
    landlord = api.landlord("Vätterhem", "556036-0793", "public")
    agreement = coordinator.put(
        f"/v1/agreements/0680/{landlord}/{YEAR}",
        json={"quota": 5, "contract_forms": ["municipal_contract"]},
    )
    assert agreement.status_code == 201, agreement.text
    issuer = InlineIssuer("https://sso.vatterhem.example")
    registered = api.admin.post(
        "/v1/identity-providers",
        json={
            "issuer": issuer.issuer,
            "landlord": landlord,
            "audience": AUDIENCE,
            "jwks": {"keys": [issuer.public_jwk()]},
            "role_claim": "groups",
            "role_map": {"uthyrning": "landlord"},
        },
    )
    assert registered.status_code == 201, registered.text
    token = issuer.mint("u-eva", "Eva Uthyrare", groups=["uthyrning"])
    eva = bearer(api, token)
    posted = eva.put(
        "/v1/vacancies/VH-1",
        json={
            "municipality": "0680",
            "area": "A01",
            "rooms": 2,
            "rent": 6000,
            "contract_forms": ["municipal_contract"],
        },
    )
    assert posted.status_code == 201, posted.text
    eva_named = {"subject": "u-eva", "name": "Eva Uthyrare"}
    assert posted.json()["changed_by"]["person"] == eva_named
    assert posted.json()["changed_by"]["organisation"] == landlord
    events = coordinator.get("/v1/events").json()["items"]
    posted_events = [e for e in events if e["type"].startswith("vacancy.")]
    assert posted_events, events
    assert posted_events[0]["data"]["changed_by"]["person"] == eva_named
