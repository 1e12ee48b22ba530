"""Load the reference tables into the database (idempotent: run it as often as you like).

The files in data/ are parsed and validated by ``matching.programme.geography.load_reference``; this
module only writes what it returns.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.models import (
    Base,
    DistrictRecord,
    LocalityRecord,
    ProgrammeRoleRecord,
    ProgrammeVersionRecord,
    QuotaRecord,
    RegionRecord,
)
from matching.programme.geography import ReferenceData, load_reference


class SeedError(ValueError):
    """A reference file is missing or malformed."""


@dataclass(frozen=True)
class SeedReport:
    regions: int
    programme_versions: int
    programme_roles: int
    districts: int
    localities: int
    quotas: int


def _fields(model: type[Base], obj: Any, **overrides: Any) -> dict[str, Any]:
    columns = {c.key for c in model.__table__.columns}  # type: ignore[attr-defined]
    values = {k: v for k, v in dataclasses.asdict(obj).items() if k in columns}
    values.update(overrides)
    return values


def load_checked_reference(data_dir: Path) -> ReferenceData:
    try:
        return load_reference(data_dir)
    except (OSError, ValueError, KeyError) as exc:
        raise SeedError(f"reference data in {data_dir} is unusable: {exc}") from exc


def seed_reference(session: Session, data_dir: Path) -> SeedReport:
    """Upsert regions, programme versions, districts and localities; replace programme roles."""
    ref = load_checked_reference(data_dir)
    for region in ref.regions:
        session.merge(
            RegionRecord(**_fields(RegionRecord, region, iso_legacy=region.iso_legacy or None))
        )
    for version in ref.versions:
        session.merge(
            ProgrammeVersionRecord(
                **_fields(ProgrammeVersionRecord, version, code=version.programme_version)
            )
        )
    session.flush()
    session.execute(delete(ProgrammeRoleRecord))
    for role in ref.roles:
        session.add(ProgrammeRoleRecord(**_fields(ProgrammeRoleRecord, role)))
    for district in ref.districts:
        session.merge(DistrictRecord(**_fields(DistrictRecord, district)))
    session.flush()
    for loc in ref.all_localities:
        session.merge(
            LocalityRecord(
                **_fields(
                    LocalityRecord, loc, estimated_fields=";".join(sorted(loc.estimated_fields))
                )
            )
        )
    session.flush()
    quotas = seed_quotas(session, data_dir / "quotas.csv", ref)
    return SeedReport(
        regions=len(ref.regions),
        programme_versions=len(ref.versions),
        programme_roles=len(ref.roles),
        districts=len(ref.districts),
        localities=len(ref.all_localities),
        quotas=quotas,
    )


def seed_quotas(session: Session, path: Path, ref: ReferenceData) -> int:
    """Upsert the published regional quotas (persons; families where published)."""
    if not path.exists():
        raise SeedError(f"reference file missing: {path}")
    frame = pl.read_csv(path, schema_overrides={"region_code": pl.Utf8})
    existing = {
        (q.year, q.region_code, q.category): q for q in session.scalars(select(QuotaRecord))
    }
    for row in frame.iter_rows(named=True):
        code = ref.region(str(row["region_code"])).code
        key = (int(row["year"]), code, str(row["category"]))
        record = existing.get(key) or QuotaRecord(year=key[0], region_code=code, category=key[2])
        record.persons = int(row["persons"])
        record.families = None if row["families"] is None else int(row["families"])
        record.source = str(row["source"] or "")
        session.add(record)
    session.flush()
    return frame.height
