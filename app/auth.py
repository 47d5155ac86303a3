"""Who is calling: bearer token → Principal (role and organisation), and role checks.

Function-level authorization denies by default: every router declares the roles it admits
with `require(...)`; `tests/test_architecture.py` fails on an operation that does not.
Object-level authorization lives in the repositories (`get_for(principal, …)`).
"""

from __future__ import annotations

import enum
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Protocol

import jwt
from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.routing import APIRoute
from fastapi.security import OAuth2
from sqlalchemy import ColumnElement, and_, bindparam, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.config import Settings
from app.core.db import SessionDep, local_today
from app.core.errors import Forbidden, NotFound, Unauthorized, UnprocessableEntity
from app.core.params import refuse_undeclared_query
from app.credentials.models import Credential
from app.households.models import Household
from app.identity.tokens import IssuerKeys, PersonToken, unverified_issuer, verify_person_token
from app.intermediaries.models import Mandate, live_on

TOKEN_AUDIENCE = "en-vag-in"
TOKEN_URL = "/v1/auth/token"


class Role(enum.StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    social_services = "social_services"
    landlord = "landlord"
    intermediary = "intermediary"


LANDLORD_SIDE = frozenset({Role.landlord, Role.intermediary})
"""The roles that act on a landlord's side of the agreement: the landlord itself, and an
intermediary within the mandates landlords gave it (Västerås: Bostad Västerås "tecknar avtal
och tar in lägenheter i enlighet med respektive fastighetsägares kvot")."""


@dataclass(frozen=True, slots=True)
class ActsFor:
    """One landlord the caller may act for, and where: `municipality` None is everywhere
    (a landlord acting for itself), a code is one mandate's municipality."""

    landlord_id: str
    municipality: str | None = None


class CredentialLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def municipality_code(self) -> str | None: ...
    @property
    def landlord_id(self) -> str | None: ...
    @property
    def intermediary_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Person:
    """A person signed in through their organisation's identity provider: the provider's
    `sub` (stable, opaque) and the display name it gave, carried into the audit trail."""

    subject: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: one credential, one role, at most one organisation. An
    intermediary also carries the mandates live at authentication (`mandates`), loaded once
    per request, so every scope function answers from the principal alone."""

    credential_id: str
    role: Role
    municipality: str | None = None
    landlord_id: str | None = None
    intermediary_id: str | None = None
    mandates: tuple[ActsFor, ...] = ()
    person: Person | None = None
    """Who signed in, when a person did (OpenID Connect); None for a system's credential.
    `credential_id` is then the person's stable caller id (docs/identity.md)."""

    @property
    def organisation(self) -> str | None:
        return self.municipality or self.landlord_id or self.intermediary_id

    @property
    def landlord_side(self) -> bool:
        """Whether the caller acts as a landlord (itself, or an intermediary for one)."""
        return self.role in LANDLORD_SIDE

    @property
    def acts_for(self) -> tuple[ActsFor, ...]:
        """The landlords the caller may act for: a landlord itself everywhere, an
        intermediary its live mandates, anyone else nobody."""
        if self.role is Role.landlord and self.landlord_id is not None:
            return (ActsFor(self.landlord_id),)
        if self.role is Role.intermediary:
            return self.mandates
        return ()

    def may_act_for(self, landlord_id: str, municipality: str | None = None) -> bool:
        """Whether the caller may act for this landlord (in this municipality, if named)."""
        return any(
            grant.landlord_id == landlord_id
            and (grant.municipality is None or municipality in (None, grant.municipality))
            for grant in self.acts_for
        )

    def landlords(self, municipality: str | None = None) -> list[str]:
        """The landlords the caller may act for (in this municipality, if named), sorted."""
        return sorted(
            {
                grant.landlord_id
                for grant in self.acts_for
                if municipality is None or grant.municipality in (None, municipality)
            }
        )

    @classmethod
    def of(cls, credential: CredentialLike, mandates: tuple[ActsFor, ...] = ()) -> Principal:
        """The caller a credential (an ORM row or a plain result row) stands for; an
        intermediary's live mandates are passed in (`load_principal` reads them)."""
        return cls(
            credential_id=credential.id,
            role=Role(credential.role),
            municipality=credential.municipality_code,
            landlord_id=credential.landlord_id,
            intermediary_id=credential.intermediary_id,
            mandates=mandates,
        )


def acting_for(
    principal: Principal, landlord: str | None, municipality: str | None = None
) -> str | None:
    """The landlord an intermediary names (`?landlord=`), checked once for every operation
    that takes it: None when none is named; `422` when anyone but an intermediary names one
    (a landlord's own credential says who it is); `404` when the intermediary does not act
    for that landlord (in that municipality), as for any object out of reach."""
    if landlord is None:
        return None
    if principal.role is not Role.intermediary:
        raise UnprocessableEntity("landlord: only an intermediary names the landlord it acts for")
    if not principal.may_act_for(landlord, municipality):
        raise NotFound("No such landlord.")
    return landlord


def landlord_scope(
    principal: Principal,
    landlord_column: InstrumentedAttribute[str],
    municipality_column: InstrumentedAttribute[str],
) -> ColumnElement[bool]:
    """The one rule for what the landlord side may reach, as a WHERE clause: rows of a
    landlord the caller acts for, in a municipality where it may act for it. A landlord's
    own rows everywhere; an intermediary's mandated (landlord, municipality) pairs only; for
    anyone else (or an intermediary without a live mandate) nothing. Every repository's
    scope function uses this for the landlord side, so the rule is written once."""
    clauses = [
        landlord_column == grant.landlord_id
        if grant.municipality is None
        else and_(landlord_column == grant.landlord_id, municipality_column == grant.municipality)
        for grant in principal.acts_for
    ]
    return or_(*clauses) if clauses else false()


MUNICIPAL_SIDE = frozenset({Role.coordinator, Role.social_services})
"""The roles that act for a municipality: its housing coordinator and its social services."""

COORDINATOR = frozenset({Role.coordinator})
"""The municipal side of a table only the coordinator works with (rounds, tenancies,
agreements, mandates, pins): social services reach none of its rows."""


def municipality_of(principal: Principal, roles: frozenset[Role] = MUNICIPAL_SIDE) -> str | None:
    """The municipality whose rows the caller may reach on the municipal side: its own, when
    it holds one of `roles`; None for anyone else (a landlord, an admin, another role)."""
    if principal.role in roles and principal.municipality is not None:
        return principal.municipality
    return None


def municipal_scope(
    principal: Principal,
    municipality_column: InstrumentedAttribute[str],
    roles: frozenset[Role] = MUNICIPAL_SIDE,
) -> ColumnElement[bool]:
    """The one rule for what the municipal side may reach, as a WHERE clause: rows of the
    caller's own municipality, for the `roles` that work with the table; for anyone else
    nothing. Every repository's scope function uses this for the municipal side, as
    `landlord_scope` for the landlord side, so another municipality's row is simply not
    found (404, its existence not revealed)."""
    own = municipality_of(principal, roles)
    return false() if own is None else municipality_column == own


def case_scope(
    principal: Principal,
    municipality_column: InstrumentedAttribute[str],
    household_column: InstrumentedAttribute[str],
) -> ColumnElement[bool]:
    """The one rule for rows about a household case, as a WHERE clause: `municipal_scope`,
    and for social services also the cases their municipality referred to another of a
    network (app/referrals) — they keep their role for such a case: they answer its
    proposals and follow it (Södertälje: Kompotten). `household_column` is the row's
    household id (the household's own id for the households table)."""
    own = municipality_of(principal)
    if own is None:
        return false()
    if principal.role is not Role.social_services:
        return municipality_column == own
    referred = select(Household.id).where(Household.referred_by == own).correlate(None)
    return or_(municipality_column == own, household_column.in_(referred))


def own_municipality(
    principal: Principal, named: str | None = None, roles: frozenset[Role] = MUNICIPAL_SIDE
) -> str:
    """The municipality a municipal caller works in, checked once for every operation that
    names one (a path or `?municipality=`): its own when it names none or its own; `404`
    when it names another, or is not one of `roles` of any municipality — as for any
    object out of reach."""
    own = municipality_of(principal, roles)
    if own is None or named not in (None, own):
        raise NotFound("No such municipality.")
    return own


def sees_protected_identity(principal: Principal) -> bool:
    """Whether the caller may see what a protected-identity case holds and where it may
    end up (its record, its candidates, its offers): the coordinator only
    (docs/domain.md §6). Social services know such a case exists and see its restricted
    form; changing it or reading its candidates is refused (403)."""
    return principal.role is Role.coordinator


oauth2_scheme = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL)),
    scheme_name="OAuth2ClientCredentials",
    description="OAuth2 client credentials: exchange `client_id` and `client_secret` "
    f"at `{TOKEN_URL}` for a short-lived bearer token.",
    auto_error=False,
)


def issue_token(settings: Settings, credential_id: str) -> tuple[str, int]:
    """A signed, short-lived token naming only the credential; role and organisation are
    read from the database on each request so that revocation takes effect at once."""
    now = int(time.time())
    ttl = settings.token_ttl_seconds
    claims = {
        "sub": credential_id,
        "aud": TOKEN_AUDIENCE,
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_urlsafe(8),
    }
    return jwt.encode(claims, settings.signing_key, algorithm="HS256"), ttl


def read_token(settings: Settings, token: str) -> str:
    """The credential id in a valid token; any defect is the same 401 (no oracle)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.signing_key,
            algorithms=["HS256"],
            audience=TOKEN_AUDIENCE,
            options={"require": ["sub", "exp", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized("The bearer token is invalid or expired.") from exc
    subject = claims["sub"]
    if not isinstance(subject, str):
        raise Unauthorized("The bearer token is invalid or expired.")
    return subject


VERIFIED_SUBJECT = "verified_credential_id"
"""`request.state` key under which the rate-limit middleware leaves the subject of the
bearer token it already verified, so the token is decoded once per request."""

BUDGET_SPENT = "envagin.budget_spent"
"""ASGI scope key set on the dashboard's in-process calls to the API: the panel request
that makes them has already spent one request of the caller's budget, so the rate limiter
lets them pass. A scope key, not a header, so that no client can set it."""


_LIVE_CREDENTIAL = select(
    Credential.id,
    Credential.role,
    Credential.municipality_code,
    Credential.landlord_id,
    Credential.intermediary_id,
).where(Credential.id == bindparam("credential_id"), Credential.revoked_at.is_(None))
"""Built once: every authenticated request runs it, and building the statement and its
cache key anew took about 40 % of the read (0.45 → 0.26 ms with session and savepoint,
measured on SQLite)."""


def load_principal(session: Session, credential_id: str) -> Principal | None:
    """The caller behind a live credential, or None when it is unknown or revoked. Read
    from the tables directly (two small queries, the second for an intermediary only): the
    repositories above build on the principal, so it cannot build on them."""
    row = session.execute(_LIVE_CREDENTIAL, {"credential_id": credential_id}).first()
    if row is None:
        return None
    if row.role == Role.intermediary.value and row.intermediary_id is not None:
        return Principal.of(row, live_grants(session, row.intermediary_id, local_today()))
    return Principal.of(row)


def person_principal(token: PersonToken) -> Principal:
    """The caller a verified person's token stands for: its issuer's organisation, the
    role its claim maps to, and the person."""
    return Principal(
        credential_id=token.caller_id,
        role=Role(token.role),
        municipality=token.municipality,
        landlord_id=token.landlord_id,
        person=Person(token.subject, token.name),
    )


def issuer_keys(request: Request) -> IssuerKeys:
    """The process's cache of the trusted issuers' keys (made with the app)."""
    keys: IssuerKeys = request.app.state.issuer_keys
    return keys


def live_grants(session: Session, intermediary_id: str, day: date) -> tuple[ActsFor, ...]:
    """The (landlord, municipality) pairs an intermediary may act for on `day`: read once
    per request at authentication, so ending a mandate takes effect at once."""
    rows = session.execute(
        select(Mandate.landlord_id, Mandate.municipality_code)
        .where(Mandate.intermediary_id == intermediary_id, live_on(day))
        .distinct()
        .order_by(Mandate.landlord_id, Mandate.municipality_code)
    )
    return tuple(ActsFor(landlord, municipality) for landlord, municipality in rows)


def token_subject(request: Request, token: str) -> str:
    """The credential id in a valid bearer token (else 401), verified once per request: the
    rate-limit middleware leaves its result for this very token in the request's state."""
    verified = request.scope.get("state", {}).get(VERIFIED_SUBJECT)
    if verified is not None and verified[0] == token:
        return str(verified[1])
    return read_token(request.app.state.settings, token)


AUTHENTICATED = "authenticated_caller"
"""`request.state` key under which `authenticate` leaves the caller it found for the
request's Authorization header: a creating POST with an `Idempotency-Key` authenticates the
caller before it claims the key (app/idempotency/route.py), and the operation's role check
then takes that caller instead of reading the credential a second time. Both reads belong to
one request, so a revocation still takes effect from the next request on."""


def presented(authorization: str | None) -> str:
    """The Authorization header a request presents; none (or an empty one) is 401."""
    if not authorization:
        raise Unauthorized()
    return authorization


async def refuse_early(request: Request) -> None:
    """The app-wide first dependency (app/main.py declares it), solved before any of the
    operation's own: what is refused before a session opens. A guarded operation called
    without credentials is 401 here (its session, the session's and the guard's thread
    hops never happen); an operation no role guard admits callers to (the token endpoint,
    health, metrics) has its undeclared query parameters refused here, a guarded one by its
    guard once the caller is admitted. Async because it does no I/O (docs/architecture.md,
    "Dependencies")."""
    authorization = request.headers.get("authorization")
    route = request.scope.get("route")
    if not authorization and isinstance(route, APIRoute) and allowed_roles(route):
        presented(authorization)
    refuse_undeclared_query(request, authorized=False)


def authenticate(request: Request, session: Session, authorization: str | None) -> Principal:
    """The request's caller: a valid token of a live credential, else 401."""
    authorization = presented(authorization)
    state = request.scope.setdefault("state", {})
    known = state.get(AUTHENTICATED)
    if known is not None and known[0] == authorization:
        return known[1]  # type: ignore[no-any-return]
    principal = _authenticate(request, session, authorization)
    state[AUTHENTICATED] = (authorization, principal)
    return principal


def _authenticate(request: Request, session: Session, authorization: str) -> Principal:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    token = token.strip()
    verified = request.scope.get("state", {}).get(VERIFIED_SUBJECT)
    if verified is None or verified[0] != token:  # not one of ours the middleware verified
        issuer = unverified_issuer(token)
        if issuer is not None:  # a person's token from an OpenID Connect issuer
            keys = issuer_keys(request)
            return person_principal(verify_person_token(session, keys, issuer, token))
    credential_id = token_subject(request, token)
    principal = load_principal(session, credential_id)
    if principal is None:
        raise Unauthorized("The credential behind this token is revoked.")
    return principal


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency admitting only the given roles (403 for any other authenticated role)."""

    allowed = frozenset(roles)

    # Authentication and the role check in one dependency: FastAPI runs each sync
    # dependency as its own thread-pool hop, and this one runs on every request.
    def dependency(
        request: Request,
        session: SessionDep,
        authorization: Annotated[str | None, Depends(oauth2_scheme)],
    ) -> Principal:
        principal = authenticate(request, session, authorization)
        if principal.role not in allowed:
            raise Forbidden(f"The role {principal.role.value} may not do this.")
        refuse_undeclared_query(request)
        return principal

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency


def allowed_roles(route: APIRoute) -> set[Role]:
    """The roles the route's `require(...)` dependencies admit (none: a public route)."""
    found: set[Role] = set()
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        found.update(getattr(dependency.call, "allowed_roles", ()))
        pending.extend(dependency.dependencies)
    return found
