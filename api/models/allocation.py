"""Quotas, allocation runs with their placements, and committed placement decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base


class QuotaRecord(Base):
    """A regional quota for a year and category, in persons and optionally in families."""

    __tablename__ = "quotas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    category: Mapped[str] = mapped_column(String(12))
    persons: Mapped[int] = mapped_column(Integer)
    families: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (
        UniqueConstraint("year", "region_code", "category"),
        CheckConstraint("category IN ('resettler', 'kandas')", name="category"),
        CheckConstraint("persons >= 0 AND (families IS NULL OR families >= 0)", name="nonnegative"),
    )


class AllocationRunRecord(Base):
    __tablename__ = "allocation_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int] = mapped_column(Integer)
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Parquet tables of the batch as it was solved (households, options, resources), zipped:
    # enough to re-run and audit the run later, whatever changed in the live tables since.
    snapshot: Mapped[bytes | None] = mapped_column(LargeBinary)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    committed_by: Mapped[str | None] = mapped_column(String(120))


class PlacementRecord(Base):
    """One household's proposed option in a run (or its reason for staying unplaced)."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("allocation_runs.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    placed: Mapped[bool] = mapped_column()
    locality_id: Mapped[str | None] = mapped_column(ForeignKey("localities.id"))
    region_code: Mapped[str | None] = mapped_column(String(2))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"))
    second_vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"))
    score: Mapped[float | None] = mapped_column(Float)
    persons: Mapped[int] = mapped_column(Integer)
    children_0_5: Mapped[int] = mapped_column(Integer, default=0)
    children_6_17: Mapped[int] = mapped_column(Integer, default=0)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[dict[str, str] | None] = mapped_column(JSON)
    breakdown: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # The option's outcome features as the run scored it (OUTCOME_FEATURES of
    # matching.scoring.components): copied to the decision when the run is committed.
    outcome_features: Mapped[dict[str, float] | None] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("run_id", "household_id"),
        Index("ix_placements_run_id_placed", "run_id", "placed"),
    )


class DecisionRecord(Base):
    """A committed placement: capacities are reserved for it."""

    __tablename__ = "placement_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), unique=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("allocation_runs.id"))
    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"))
    second_vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"))
    persons: Mapped[int] = mapped_column(Integer)
    children_0_5: Mapped[int] = mapped_column(Integer, default=0)
    children_6_17: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float)
    # What the retention model learns from, kept as scored: the catalogue the scorer reads
    # later has dropped the filled vacancy and the placed household (NULL: committed from a
    # run made before features were stored).
    region_code: Mapped[str | None] = mapped_column(String(2))
    outcome_features: Mapped[dict[str, float] | None] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class MoverNetworkRecord(Base):
    """Earlier movers from an origin region living in a locality (the household's network)."""

    __tablename__ = "mover_network"

    origin_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"), primary_key=True)
    movers: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (CheckConstraint("movers >= 0", name="movers_nonnegative"),)
