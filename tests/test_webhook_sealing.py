"""Webhook signing secrets are sealed at rest (app/core/sealing.py): a copy of the
database does not hand out the secrets that sign deliveries, and keys can be rotated.

Runs on SQLite and PostgreSQL (TEST_DATABASE=postgresql)."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError
from sqlalchemy import String, select, update
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.core.config import Settings
from app.core.db import session_factory
from app.core.sealing import Sealer, UnsealError
from app.events.models import WebhookDelivery, WebhookEndpoint
from app.flows.key_rotation import reseal_all
from tests.receiver import Receiver
from tests.webhooks import deliver, subscribe
from tests.worlds.jonkoping import Jonkoping, jonkoping_world
from tests.worlds.once import built_once

# Fixed test keys (32 bytes each, URL-safe base64), so that test ids are the same in
# every pytest-xdist worker; `new_key` is exercised by the command's test.
OLD = base64.urlsafe_b64encode(bytes(range(32))).decode()
NEW = base64.urlsafe_b64encode(bytes(range(32, 64))).decode()


built_world, world = built_once(jonkoping_world)


def stored_secret(world: Jonkoping, endpoint_id: str) -> str:
    with world.api.app.state.sessionmaker() as session:
        secret = session.scalar(
            select(WebhookEndpoint.secret).where(WebhookEndpoint.id == endpoint_id)
        )
    assert isinstance(secret, str)
    return secret


def factory_with(world: Jonkoping, keys: list[str]) -> sessionmaker[Session]:
    """A session factory on the same database whose settings hold other keys."""
    settings = world.api.app.state.settings.model_copy(
        update={"webhook_secret_keys": ",".join(keys)}
    )
    # The bind of the app's own factory: the test's connection when the test is rolled back.
    return session_factory(world.api.app.state.sessionmaker.kw["bind"], settings)


def test_the_database_keeps_the_secret_sealed_and_deliveries_verify_with_the_shown_one(
    world: Jonkoping, hook: Receiver
) -> None:
    endpoint = subscribe(world.coordinator, hook.url + "/coordinator", ["vacancy.posted"])
    stored = stored_secret(world, endpoint["id"])
    shown = endpoint["secret"]
    assert stored.startswith("a1.")
    assert shown not in stored
    assert shown.removeprefix("whsec_") not in stored
    column = WebhookEndpoint.__table__.c.secret.type
    assert isinstance(column, String)
    assert column.length is not None
    assert len(stored) <= column.length
    world.standard()  # posts vacancies: vacancy.posted to the coordinators
    assert deliver(world.api) > 0
    [first, *_] = hook.at("/coordinator")
    assert Webhook(shown).verify(first.body, first.headers)["type"] == "vacancy.posted"


def test_a_sealed_secret_opens_only_for_its_own_endpoint_and_intact() -> None:
    sealer = Sealer.of([OLD], signing_key="x" * 32)
    sealed = sealer.seal("endpoint-a", "whsec_c2VjcmV0")
    assert sealer.unseal("endpoint-a", sealed) == "whsec_c2VjcmV0"
    with pytest.raises(UnsealError):
        sealer.unseal("endpoint-b", sealed)  # copied onto another endpoint
    tampered = sealed[:-2] + ("AA" if not sealed.endswith("AA") else "BB")
    with pytest.raises(UnsealError):
        sealer.unseal("endpoint-a", tampered)
    with pytest.raises(UnsealError):
        Sealer.of([NEW], signing_key="x" * 32).unseal("endpoint-a", sealed)
    # A value written before secrets were sealed is read as it is.
    assert sealer.unseal("endpoint-a", "whsec_bGVnYWN5") == "whsec_bGVnYWN5"


def test_without_keys_the_key_derives_from_the_signing_key() -> None:
    one = Sealer.of([], signing_key="a" * 32)
    sealed = one.seal("e", "whsec_eA==")
    assert Sealer.of([], signing_key="a" * 32).unseal("e", sealed) == "whsec_eA=="
    with pytest.raises(UnsealError):
        Sealer.of([], signing_key="b" * 32).unseal("e", sealed)


@pytest.mark.parametrize("keys", ["not base64 !", "c2hvcnQ", f"{OLD},short"])
def test_a_malformed_key_is_refused_at_start(keys: str) -> None:
    with pytest.raises(ValidationError, match="webhook secret key"):
        Settings(webhook_secret_keys=keys)


def test_rotation_reseals_every_secret_with_the_new_key_and_legacy_ones_too(
    world: Jonkoping, hook: Receiver
) -> None:
    old_factory = factory_with(world, [OLD])
    world.api.app.state.sessionmaker = old_factory  # the app sealing with the old key
    sealed_old = subscribe(world.coordinator, hook.url + "/a", ["vacancy.posted"])
    legacy = subscribe(world.coordinator, hook.url + "/b", ["vacancy.posted"])
    with old_factory.begin() as session:  # as written before secrets were sealed
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == legacy["id"])
            .values(secret=legacy["secret"])
        )

    rotated = factory_with(world, [NEW, OLD])
    with rotated.begin() as session:
        assert reseal_all(session) == {"resealed": 2, "current": 0, "unreadable": 0}
    with rotated.begin() as session:
        assert reseal_all(session) == {"resealed": 0, "current": 2, "unreadable": 0}

    # The old key can go: the new one alone opens both, and deliveries verify.
    world.api.app.state.sessionmaker = factory_with(world, [NEW])
    world.standard()
    assert deliver(world.api) > 0
    for path, endpoint in (("/a", sealed_old), ("/b", legacy)):
        [first, *_] = hook.at(path)
        Webhook(endpoint["secret"]).verify(first.body, first.headers)


def test_a_secret_no_key_opens_fails_its_deliveries_without_sending(
    world: Jonkoping, hook: Receiver
) -> None:
    world.api.app.state.sessionmaker = factory_with(world, [OLD])
    subscribe(world.coordinator, hook.url + "/c", ["vacancy.posted"])
    world.standard()
    world.api.app.state.sessionmaker = factory_with(world, [NEW])  # the old key was lost
    with world.api.app.state.sessionmaker.begin() as session:
        assert reseal_all(session)["unreadable"] == 1
    assert deliver(world.api) > 0
    assert hook.at("/c") == []
    with world.api.app.state.sessionmaker() as session:
        errors = {
            attempt["error"]
            for attempts in session.scalars(select(WebhookDelivery.attempts))
            for attempt in attempts
        }
    assert any("cannot be unsealed" in (error or "") for error in errors), errors


def test_the_command_prints_a_key_the_settings_accept(capsys: pytest.CaptureFixture[str]) -> None:
    from app.__main__ import main

    main(["webhooks", "new-key"])
    printed = capsys.readouterr().out.strip()
    assert Settings(webhook_secret_keys=printed).webhook_keys == [printed]
