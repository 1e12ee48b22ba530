"""Households, employers, vacancies, homes and locality capacities (the programme's live data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base

EDUCATION = ("none", "secondary", "vocational", "higher")
HOME_TYPES = ("accommodation_bed", "rental", "employer_flat", "migrant_house", "sale_house")


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class EmployerRecord(Timestamps, Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    bin: Mapped[str | None] = mapped_column(String(12))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    locality_id: Mapped[str | None] = mapped_column(ForeignKey("localities.id"))
    sector: Mapped[str | None] = mapped_column(String(40))


class HouseholdRecord(Timestamps, Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    applicant_iin: Mapped[str] = mapped_column(String(12), index=True)
    category: Mapped[str] = mapped_column(String(12))
    origin_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    origin_settlement_type: Mapped[str] = mapped_column(String(20))
    origin_heating: Mapped[str | None] = mapped_column(String(10))
    origin_wage_tenge: Mapped[int | None] = mapped_column(Integer)
    residence_years_in_origin: Mapped[float] = mapped_column(default=0.0)
    # The employment centre that registered the household; centre staff see their region only.
    registered_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    application_date: Mapped[dt.date] = mapped_column(Date)
    documents_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    debts_tenge: Mapped[int] = mapped_column(Integer, default=0)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="registered", index=True)

    members: Mapped[list[HouseholdMemberRecord]] = relationship(
        back_populates="household",
        cascade="all, delete-orphan",
        order_by="HouseholdMemberRecord.position",
        lazy="raise",
    )

    __table_args__ = (
        CheckConstraint("category IN ('resettler', 'kandas')", name="category"),
        CheckConstraint(
            "status IN ('registered', 'admitted', 'placed', 'moved', 'withdrawn', 'returned')",
            name="status",
        ),
        CheckConstraint("debts_tenge >= 0", name="debts_nonnegative"),
    )


class HouseholdMemberRecord(Base):
    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    iin: Mapped[str | None] = mapped_column(String(12))
    relation: Mapped[str] = mapped_column(String(12))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    marital_status: Mapped[str] = mapped_column(String(12), default="single")
    education: Mapped[str] = mapped_column(String(12), default="none")
    employment_status: Mapped[str] = mapped_column(String(16), default="unemployed")
    citizen: Mapped[bool] = mapped_column(Boolean, default=True)
    occupations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    needs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    household: Mapped[HouseholdRecord] = relationship(back_populates="members", lazy="raise")

    __table_args__ = (
        CheckConstraint("sex IN ('m', 'f')", name="sex"),
        CheckConstraint(
            "relation IN ('applicant', 'spouse', 'child', 'parent', 'sibling', 'grandchild', 'other')",
            name="relation",
        ),
        CheckConstraint(
            "education IN ('none', 'secondary', 'vocational', 'higher')", name="education"
        ),
    )


class VacancyRecord(Timestamps, Base):
    __tablename__ = "vacancies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    occupation_code: Mapped[str | None] = mapped_column(String(40))
    isco: Mapped[str | None] = mapped_column(String(4), index=True)
    required_education: Mapped[str] = mapped_column(String(12), default="none")
    required_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_experience_years: Mapped[float] = mapped_column(default=0.0)
    wage_tenge: Mapped[int] = mapped_column(Integer)
    permanent: Mapped[bool] = mapped_column(Boolean, default=True)
    posts: Mapped[int] = mapped_column(Integer, default=1)
    posts_reserved: Mapped[int] = mapped_column(Integer, default=0)
    employer_housing: Mapped[bool] = mapped_column(Boolean, default=False)
    qualified: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)

    __table_args__ = (
        CheckConstraint("posts >= 1", name="posts_positive"),
        CheckConstraint(
            "posts_reserved >= 0 AND posts_reserved <= posts", name="posts_reserved_within"
        ),
        CheckConstraint("wage_tenge >= 0", name="wage_nonnegative"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )


class HomeRecord(Timestamps, Base):
    __tablename__ = "homes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    rooms: Mapped[int] = mapped_column(Integer)
    capacity_persons: Mapped[int] = mapped_column(Integer)
    rent_tenge: Mapped[int | None] = mapped_column(Integer)
    price_tenge: Mapped[int | None] = mapped_column(Integer)
    condition: Mapped[int] = mapped_column(Integer, default=3)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    units: Mapped[int] = mapped_column(Integer, default=1)
    units_reserved: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(8), default="open")

    __table_args__ = (
        CheckConstraint(
            "type IN ('accommodation_bed', 'rental', 'employer_flat', 'migrant_house', 'sale_house')",
            name="type",
        ),
        CheckConstraint("condition BETWEEN 1 AND 5", name="condition_grade"),
        CheckConstraint("rooms >= 0 AND capacity_persons >= 1", name="size_positive"),
        CheckConstraint(
            "units >= 1 AND units_reserved >= 0 AND units_reserved <= units", name="units_within"
        ),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )


class LocalityCapacityRecord(Base):
    __tablename__ = "locality_capacities"

    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"), primary_key=True)
    kindergarten_seats: Mapped[int] = mapped_column(Integer, default=0)
    school_seats: Mapped[int] = mapped_column(Integer, default=0)
    land_plots: Mapped[int] = mapped_column(Integer, default=0)
    kindergarten_reserved: Mapped[int] = mapped_column(Integer, default=0)
    school_reserved: Mapped[int] = mapped_column(Integer, default=0)
    land_plots_reserved: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        CheckConstraint(
            "kindergarten_reserved <= kindergarten_seats AND school_reserved <= school_seats "
            "AND land_plots_reserved <= land_plots",
            name="reserved_within",
        ),
    )
