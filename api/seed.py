"""Load the reference tables from data/ into the database (idempotent: run it as often as you like)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.models import (
    Base,
    DistrictRecord,
    LocalityRecord,
    ProgrammeRoleRecord,
    ProgrammeVersionRecord,
    RegionAliasRecord,
    RegionRecord,
)

TRUE = {"true", "1", "yes", "y", "t"}


class SeedError(ValueError):
    """A reference file is missing or malformed."""


@dataclass(frozen=True)
class SeedReport:
    regions: int
    aliases: int
    programme_versions: int
    programme_roles: int
    districts: int
    localities: int


def _read(path: Path) -> list[dict[str, str | None]]:
    if not path.exists():
        raise SeedError(f"reference file missing: {path}")
    frame = pl.read_csv(path, infer_schema=False, missing_utf8_is_empty_string=False)
    return [
        {k: (v.strip() if isinstance(v, str) else v) or None for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE


def _int(value: str | None) -> int | None:
    return None if value in (None, "") else int(float(value))


def _float(value: str | None) -> float | None:
    return None if value in (None, "") else float(value)


def _date(value: str | None) -> dt.date | None:
    return None if not value else dt.date.fromisoformat(value)


def _columns(model: type[Base]) -> set[str]:
    return {c.key for c in model.__table__.columns}  # type: ignore[attr-defined]


def _row(model: type[Base], raw: dict[str, Any], **converted: Any) -> dict[str, Any]:
    keep = _columns(model)
    out = {k: v for k, v in raw.items() if k in keep}
    out.update(converted)
    for key in ("source", "claim", "estimated_fields"):
        if key in keep and out.get(key) is None:
            out[key] = ""
    return out


def seed_reference(session: Session, data_dir: Path) -> SeedReport:
    """Upsert regions, districts and localities; replace aliases and programme roles."""
    regions = _read(data_dir / "regions.csv")
    for raw in regions:
        session.merge(
            RegionRecord(
                **_row(
                    RegionRecord,
                    raw,
                    valid_from=_date(raw.get("valid_from")),
                    valid_to=_date(raw.get("valid_to")),
                    population=_int(raw.get("population")),
                    population_is_estimate=_bool(raw.get("population_is_estimate")),
                )
            )
        )
    session.flush()

    session.execute(delete(RegionAliasRecord))
    aliases = _read(data_dir / "region_aliases.csv")
    for raw in aliases:
        session.add(
            RegionAliasRecord(
                alias=raw["alias"],
                region_code=raw["region_code"],
                lang=raw.get("lang"),
                ambiguous="ambiguous" in (raw.get("note") or "").lower(),
                source=raw.get("source") or "",
            )
        )

    versions = _read(data_dir / "programme_versions.csv")
    for raw in versions:
        session.merge(
            ProgrammeVersionRecord(
                **_row(
                    ProgrammeVersionRecord,
                    raw,
                    code=raw.get("programme_version") or raw.get("code"),
                    year_from=_int(raw.get("year_from")),
                    year_to=_int(raw.get("year_to")),
                    is_default=_bool(raw.get("is_default")),
                )
            )
        )
    session.flush()
    session.execute(delete(ProgrammeRoleRecord))
    roles = _read(data_dir / "programme_roles.csv")
    for raw in roles:
        session.add(
            ProgrammeRoleRecord(
                **_row(
                    ProgrammeRoleRecord,
                    raw,
                    year_from=_int(raw.get("year_from")),
                    year_to=_int(raw.get("year_to")),
                    is_default=_bool(raw.get("is_default")),
                )
            )
        )

    districts = _read(data_dir / "districts.csv")
    for raw in districts:
        session.merge(DistrictRecord(**_row(DistrictRecord, raw)))
    session.flush()

    localities = _read(data_dir / "localities.csv")
    for raw in localities:
        session.merge(
            LocalityRecord(
                **_row(
                    LocalityRecord,
                    raw,
                    is_urban=_bool(raw.get("is_urban")),
                    population=_int(raw.get("population")),
                    population_is_estimate=_bool(raw.get("population_is_estimate")),
                    school=_bool(raw.get("school")),
                    kindergarten=_bool(raw.get("kindergarten")),
                    clinic=_bool(raw.get("clinic")),
                    hospital_km=_float(raw.get("hospital_km")) or 0.0,
                    piped_water=_bool(raw.get("piped_water")),
                    bus_link=_bool(raw.get("bus_link")),
                    lat=_float(raw.get("lat")),
                    lon=_float(raw.get("lon")),
                    synthetic=_bool(raw.get("synthetic")),
                )
            )
        )
    session.flush()
    return SeedReport(
        regions=len(regions),
        aliases=len(aliases),
        programme_versions=len(versions),
        programme_roles=len(roles),
        districts=len(districts),
        localities=len(localities),
    )
