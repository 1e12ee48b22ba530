"""Recorded outcomes of a household after placement: employment, residence, return."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base

RETURN_REASONS = ("housing", "job", "climate", "family", "other")


class OutcomeRecord(Base):
    """One household's follow-up, as its centre records it (one row per household).

    ``employed_3m``/``employed_6m``/``employed_12m``: how many members of the household were
    in work 3, 6 and 12 months after the move (NULL: not checked yet). ``locality_id`` is
    where the household was placed when the outcome was written (NULL: not placed).
    """

    __tablename__ = "household_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), unique=True
    )
    locality_id: Mapped[str | None] = mapped_column(ForeignKey("localities.id"))
    employed_3m: Mapped[int | None] = mapped_column(Integer)
    employed_6m: Mapped[int | None] = mapped_column(Integer)
    employed_12m: Mapped[int | None] = mapped_column(Integer)
    still_resident: Mapped[bool | None] = mapped_column(Boolean)
    returned: Mapped[bool] = mapped_column(Boolean, default=False)
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        CheckConstraint(
            "return_reason IS NULL OR return_reason IN "
            "('housing', 'job', 'climate', 'family', 'other')",
            name="return_reason",
        ),
    )
