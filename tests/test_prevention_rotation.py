"""Key rotation covers the tenant identities of eviction-prevention cases (issue 25).

The tenant's name and personal identity number are sealed by the webhook-secret sealer
(docs/prevention.md, "The tenant's identity"); `python -m app webhooks reseal` must reseal
them too, or dropping the old key would leave the cases unreadable. Source: 12 kap. 44 §
jordabalken — social services must be able to find the person the landlord's message
names, for as long as the case is kept."""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import session_factory
from app.flows.key_rotation import reseal_all
from app.prevention.models import PreventionCase
from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.prevention import World, aged

OLD = base64.urlsafe_b64encode(bytes(range(64, 96))).decode()
NEW = base64.urlsafe_b64encode(bytes(range(96, 128))).decode()


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def factory_with(api: Api, keys: list[str]) -> sessionmaker[Session]:
    """A session factory on the same database whose settings hold other keys."""
    settings = api.app.state.settings.model_copy(update={"webhook_secret_keys": ",".join(keys)})
    return session_factory(api.app.state.sessionmaker.kw["bind"], settings)


def stored(api: Api, case_id: str) -> str:
    with api.app.state.sessionmaker() as session:
        sealed = session.scalar(
            select(PreventionCase.tenant_sealed).where(PreventionCase.id == case_id)
        )
    assert isinstance(sealed, str)
    return sealed


def test_rotating_the_key_reseals_the_tenant_and_the_case_reads_under_the_new_key_alone(
    world: World,
) -> None:
    api = world.api
    api.app.state.sessionmaker = factory_with(api, [OLD])  # the service sealing with OLD
    number = aged(40)
    sent = world.signal(tenant={"name": "Testa Testsson", "personal_identity_number": number})
    before = stored(api, sent["id"])

    rotated = factory_with(api, [NEW, OLD])
    with rotated.begin() as session:
        assert reseal_all(session) == {"resealed": 1, "current": 0, "unreadable": 0}
    with rotated.begin() as session:
        assert reseal_all(session) == {"resealed": 0, "current": 1, "unreadable": 0}
    after = stored(api, sent["id"])
    assert after != before
    assert after.split(".")[1] != before.split(".")[1]  # named by another key

    api.app.state.sessionmaker = factory_with(api, [NEW])  # the old key dropped
    case = world.case(sent["id"])
    assert case["tenant"] == {"name": "Testa Testsson", "personal_identity_number": number}


def test_a_case_whose_key_was_dropped_answers_a_clear_problem_and_leaks_nothing(
    world: World,
) -> None:
    """Dropping the old key before resealing: the identity cannot be opened. Social services
    get a 503 problem naming the remedy — not a 500 —; the coordinator's view, which never
    unseals, still reads; a reseal counts the case as unreadable and leaves it as it is."""
    api = world.api
    api.app.state.sessionmaker = factory_with(api, [OLD])
    number = aged(40)
    sent = world.signal(tenant={"name": "Testa Testsson", "personal_identity_number": number})
    api.app.state.sessionmaker = factory_with(api, [NEW])  # OLD lost, no reseal ran
    response = world.social.get(f"/v1/prevention/cases/{sent['id']}")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "cannot be unsealed" in response.json()["detail"]
    assert "reseal" in response.json()["detail"]
    assert number not in response.text
    assert world.case(sent["id"], world.coordinator)["tenant"] == {
        "name": None,
        "personal_identity_number": None,
    }
    before = stored(api, sent["id"])
    with api.app.state.sessionmaker.begin() as session:
        assert reseal_all(session)["unreadable"] == 1
    assert stored(api, sent["id"]) == before
    # With the old key back (behind the new one) the reseal mends it.
    api.app.state.sessionmaker = factory_with(api, [NEW, OLD])
    with api.app.state.sessionmaker.begin() as session:
        assert reseal_all(session) == {"resealed": 1, "current": 0, "unreadable": 0}
    api.app.state.sessionmaker = factory_with(api, [NEW])
    assert world.case(sent["id"])["tenant"]["personal_identity_number"] == number
