from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import VacancyStatus


class Vacancy(Base):
    """`external_ref` is the landlord's own reference: unique per landlord, so a repost
    updates the same row (docs/domain.md §3)."""

    __tablename__ = "vacancies"
    __table_args__ = (
        UniqueConstraint("landlord_id", "external_ref"),
        # The list's (updated_at, id) order within each scope (app/core/pagination.py).
        Index("ix_vacancies_landlord_id_updated_at_id", "landlord_id", "updated_at", "id"),
        Index(
            "ix_vacancies_municipality_code_updated_at_id",
            "municipality_code",
            "updated_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    landlord_id: Mapped[str] = mapped_column(ForeignKey("landlords.id"))
    external_ref: Mapped[str] = mapped_column(String(64))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    area: Mapped[str] = mapped_column(String(32))
    rooms: Mapped[int]
    rent: Mapped[int]
    elevator: Mapped[bool] = mapped_column(default=False)
    ground_floor: Mapped[bool] = mapped_column(default=False)
    wheelchair: Mapped[bool] = mapped_column(default=False)
    contract_forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(String(200), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(6), default=None)
    living_area: Mapped[int | None] = mapped_column(default=None)
    floor: Mapped[int | None] = mapped_column(default=None)
    available_from: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(12), default=VacancyStatus.open, index=True)
    quota_apartment: Mapped[bool] = mapped_column(default=True, server_default=true())
    """Handed over under the agreement's quota (every posted vacancy); False for a flat a
    move chain freed, until its landlord posts it again (Helsingborg 3:6)."""
    changed_by_credential: Mapped[str | None] = mapped_column(String(40), default=None)
    """Who last posted, changed or withdrew it on the landlord's side (a client_id)."""
    changed_by_intermediary: Mapped[str | None] = mapped_column(String(36), default=None)
    """The intermediary that did, under the landlord's mandate; none: the landlord itself.
    No foreign key: a record of who acted, like `created_by` elsewhere."""
    changed_by_person: Mapped[str | None] = mapped_column(String(255), default=None)
    """The person who signed in and did (their identity provider's `sub`), if one did."""
    changed_by_person_name: Mapped[str | None] = mapped_column(String(200), default=None)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
