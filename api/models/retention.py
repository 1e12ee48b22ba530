"""Fitted retention models: one row per version, at most one of them active."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base


class RetentionModelRecord(Base):
    """A version of the retention model fitted on recorded outcomes.

    ``model`` is :meth:`matching.outcomes.retention.RetentionModel.to_dict`; ``left_out``
    counts the recorded outcomes the fit could not use, by reason. The scorer uses the one
    ``active`` row (a partial unique index allows no second).
    """

    __tablename__ = "retention_models"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    trained_from: Mapped[dt.date] = mapped_column(Date)
    trained_to: Mapped[dt.date] = mapped_column(Date)
    outcomes: Mapped[int] = mapped_column(Integer)
    returns: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    left_out: Mapped[dict[str, int]] = mapped_column(JSON)
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        Index(
            "uq_retention_models_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )
