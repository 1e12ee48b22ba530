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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base

EDUCATION = ("none", "secondary", "vocational", "higher")
# Vocabularies are matching.domain's, so rows map one-to-one onto domain objects.
HOME_KINDS = ("accommodation_bed", "rental", "employer_flat", "built_for_migrants", "for_sale")


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
    # Centre clerks find a household by the applicant's name or phone; ``name_key`` is the
    # name case-folded in Python, because SQLite's lower() leaves Cyrillic and Kazakh as is.
    applicant_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    name_key: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    phone: Mapped[str | None] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(12))
    # Households register at the employment centre of their origin region; centre staff
    # see the households of their own region only.
    origin_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    origin_settlement: Mapped[str] = mapped_column(String(20))
    origin_heating: Mapped[str] = mapped_column(String(10), default="gas")
    origin_wage_tenge: Mapped[int] = mapped_column(Integer, default=0)
    years_in_origin: Mapped[float] = mapped_column(default=0.0)
    citizen: Mapped[bool] = mapped_column(Boolean, default=True)
    application_date: Mapped[dt.date] = mapped_column(Date)
    documents_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    debt_tenge: Mapped[int] = mapped_column(Integer, default=0)
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
        CheckConstraint("debt_tenge >= 0", name="debt_nonnegative"),
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
    employment_status: Mapped[str] = mapped_column(String(16), default="jobseeker")
    # [{"occupation": "Q2330.01", "years": 4.0, "documented": true, "title": "учитель"}]
    experience: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    licences: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [["kk", "native"], ["ru", "fluent"]]
    languages: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # {"clinic": false, "hospital": false, "accessible_home": false}
    health: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)

    household: Mapped[HouseholdRecord] = relationship(back_populates="members", lazy="raise")

    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        CheckConstraint(
            "relation IN ('applicant', 'spouse', 'child', 'parent', 'sibling', 'other')",
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
    # Normalized from the title through the taxonomy when the importer gives no code.
    occupation: Mapped[str] = mapped_column(String(40))
    isco: Mapped[str] = mapped_column(String(4), index=True)
    occupation_score: Mapped[float | None] = mapped_column()
    sector: Mapped[str] = mapped_column(String(40), default="other")
    required_education: Mapped[str] = mapped_column(String(12), default="secondary")
    required_licences: Mapped[list[str]] = mapped_column(JSON, default=list)
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
    kind: Mapped[str] = mapped_column(String(20))
    rooms: Mapped[int] = mapped_column(Integer)
    capacity_persons: Mapped[int] = mapped_column(Integer)
    rent_tenge: Mapped[int | None] = mapped_column(Integer)
    price_tenge: Mapped[int | None] = mapped_column(Integer)
    condition: Mapped[int] = mapped_column(Integer, default=3)
    heating: Mapped[str] = mapped_column(String(10), default="central")
    piped_water: Mapped[bool] = mapped_column(Boolean, default=True)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    units: Mapped[int] = mapped_column(Integer, default=1)
    units_reserved: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(8), default="open")

    __table_args__ = (
        CheckConstraint(
            "kind IN ('accommodation_bed', 'rental', 'employer_flat', 'built_for_migrants', 'for_sale')",
            name="kind",
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
    accommodation_beds: Mapped[int] = mapped_column(Integer, default=0)
    kindergarten_reserved: Mapped[int] = mapped_column(Integer, default=0)
    school_reserved: Mapped[int] = mapped_column(Integer, default=0)
    land_plots_reserved: Mapped[int] = mapped_column(Integer, default=0)
    # Accommodation-centre beds held by committed decisions (persons who start their move in
    # the centre); the server default fills rows that existed before the column.
    accommodation_beds_reserved: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        CheckConstraint(
            "kindergarten_reserved <= kindergarten_seats AND school_reserved <= school_seats "
            "AND land_plots_reserved <= land_plots "
            "AND accommodation_beds_reserved >= 0 "
            "AND accommodation_beds_reserved <= accommodation_beds",
            name="reserved_within",
        ),
    )
