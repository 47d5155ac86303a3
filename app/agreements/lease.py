"""What an agreement says that follows who holds the lease (docs/domain.md §3, §5): which
guarantee kinds it accepts and which letting rules each lifts, and its quota stated as a
share. The round's problem (app/rounds/translate.py) and the quota view read them here."""

from __future__ import annotations

from typing import Any

from app.vocabulary import GuaranteeKind, LiftableRequirement


def accepted_guarantees(agreement: Any) -> tuple[GuaranteeKind, ...]:
    """The guarantee kinds the agreement accepts: those it lists, or — an agreement that
    lists none — every kind where it accepts a municipal guarantee at all."""
    listed = agreement.accepted_guarantees
    if listed is not None:
        return tuple(GuaranteeKind(kind) for kind in listed)
    return tuple(GuaranteeKind) if agreement.accepts_municipal_guarantee else ()


def guarantee_lifts(agreement: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per accepted kind, the letting rules it lifts (a kind the agreement gives no list for
    lifts all of them). Whether income support counts is never among them: Västerås' private
    landlords take no household living on income support, surety or not."""
    stated: dict[str, Any] = agreement.guarantee_lifts or {}
    return tuple(
        (
            kind.value,
            tuple(
                LiftableRequirement(r).value
                for r in stated.get(kind.value, list(LiftableRequirement))
            ),
        )
        for kind in accepted_guarantees(agreement)
    )


def quota_from_share(share: dict[str, Any] | None) -> int | None:
    """The count a quota stated as a share comes to: `percent` of the reported `base`,
    rounded to the nearest flat (Karlstad: about ten per cent of the available flats); None
    for a quota stated as a number."""
    if not share:
        return None
    return int(float(share["percent"]) * int(share["base"]) / 100 + 0.5)
