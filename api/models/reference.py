"""Reference geography and programme tables, loaded from data/ by ``qonys seed``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base

SETTLEMENT_TYPES = ("regional_centre", "city", "district_centre", "township", "village")
HEATING_TYPES = ("central", "gas", "stove")


class RegionRecord(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    kato: Mapped[str] = mapped_column(String(9), unique=True)
    iso: Mapped[str] = mapped_column(String(8), unique=True)
    iso_legacy: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))
    name_kk: Mapped[str] = mapped_column(String(120))
    name_kk_latn: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    centre_kk: Mapped[str | None] = mapped_column(String(120))
    centre_ru: Mapped[str | None] = mapped_column(String(120))
    centre_en: Mapped[str | None] = mapped_column(String(120))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    population: Mapped[int | None] = mapped_column(Integer)
    population_is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (CheckConstraint("kind IN ('region', 'city')", name="kind"),)


class ProgrammeVersionRecord(Base):
    __tablename__ = "programme_versions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    year_from: Mapped[int] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_version: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(500), default="")


class ProgrammeRoleRecord(Base):
    __tablename__ = "programme_roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_version: Mapped[str] = mapped_column(
        ForeignKey("programme_versions.code", ondelete="CASCADE"), index=True
    )
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(12))
    year_from: Mapped[int | None] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    claim: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (CheckConstraint("role IN ('origin', 'destination')", name="role"),)


class DistrictRecord(Base):
    __tablename__ = "districts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    name_kk: Mapped[str] = mapped_column(String(120))
    name_kk_latn: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    centre_locality_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500), default="")


class LocalityRecord(Base):
    __tablename__ = "localities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    district_id: Mapped[str | None] = mapped_column(ForeignKey("districts.id"), index=True)
    name_kk: Mapped[str] = mapped_column(String(120))
    name_kk_latn: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    settlement_type: Mapped[str] = mapped_column(String(20), index=True)
    is_urban: Mapped[bool] = mapped_column(Boolean)
    population: Mapped[int | None] = mapped_column(Integer)
    population_is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    school: Mapped[bool] = mapped_column(Boolean)
    kindergarten: Mapped[bool] = mapped_column(Boolean)
    clinic: Mapped[bool] = mapped_column(Boolean)
    hospital_km: Mapped[float] = mapped_column(Float)
    heating: Mapped[str] = mapped_column(String(10))
    piped_water: Mapped[bool] = mapped_column(Boolean)
    bus_link: Mapped[bool] = mapped_column(Boolean)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    estimated_fields: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (
        CheckConstraint(
            "settlement_type IN ('regional_centre', 'city', 'district_centre', 'township', 'village')",
            name="settlement_type",
        ),
        CheckConstraint("heating IN ('central', 'gas', 'stove')", name="heating"),
        CheckConstraint("hospital_km >= 0", name="hospital_km_nonnegative"),
    )
