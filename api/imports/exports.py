"""Export of the programme tables in the import formats (a file exported imports unchanged)."""

from __future__ import annotations

import io
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.imports.columns import COLUMNS, join_list
from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _schema(kind: str) -> dict[str, Any]:
    types = {
        "str": pl.Utf8,
        "list": pl.Utf8,
        "int": pl.Int64,
        "float": pl.Float64,
        "bool": pl.Boolean,
        "date": pl.Date,
    }
    return {c.name: types[c.type] for c in COLUMNS[kind]}


def _pairs(items: list[Any], sep: str = "=") -> str | None:
    return ";".join(f"{a}{sep}{b}" for a, b in items) or None


def _household_rows(session: Session, region_code: str | None) -> list[dict[str, Any]]:
    stmt = select(HouseholdRecord).order_by(HouseholdRecord.id)
    if region_code is not None:
        stmt = stmt.where(HouseholdRecord.origin_region_code == region_code)
    households = {h.id: h for h in session.scalars(stmt)}
    members = session.scalars(
        select(HouseholdMemberRecord)
        .where(
            HouseholdMemberRecord.household_id.in_(
                select(stmt.with_only_columns(HouseholdRecord.id).subquery())
            )
        )
        .order_by(HouseholdMemberRecord.household_id, HouseholdMemberRecord.position)
    )
    rows = []
    for m in members:
        h = households[m.household_id]
        prefs = h.preferences or {}
        health = m.health or {}
        rows.append(
            {
                "external_id": h.external_id,
                "origin_region": h.origin_region_code,
                "origin_settlement": h.origin_settlement,
                "application_date": h.application_date,
                "category": h.category,
                "origin_heating": h.origin_heating,
                "origin_wage_tenge": h.origin_wage_tenge,
                "years_in_origin": h.years_in_origin,
                "citizen": h.citizen,
                "documents_complete": h.documents_complete,
                "debt_tenge": h.debt_tenge,
                "status": h.status,
                "pref_regions": join_list(prefs.get("regions")),
                "pref_settlement_types": join_list(prefs.get("settlement_types")),
                "pref_tenure": prefs.get("tenure"),
                "pref_wants_land": bool(prefs.get("wants_land", False)),
                "pref_business_intent": bool(prefs.get("business_intent", False)),
                "relation": m.relation,
                "birth_date": m.birth_date,
                "sex": m.sex,
                "iin": m.iin,
                "marital_status": m.marital_status,
                "education": m.education,
                "employment_status": m.employment_status,
                "experience": ";".join(
                    f"{e['occupation']}{'=' if e.get('documented', True) else '~'}{float(e.get('years', 0.0))}"
                    for e in m.experience or []
                )
                or None,
                "skills": join_list(m.skills),
                "licences": join_list(m.licences),
                "languages": _pairs(m.languages or []),
                "health_clinic": bool(health.get("clinic", False)),
                "health_hospital": bool(health.get("hospital", False)),
                "health_accessible_home": bool(health.get("accessible_home", False)),
            }
        )
    return rows


def export_frame(session: Session, kind: str, *, region_code: str | None = None) -> pl.DataFrame:
    """The stored ``kind`` as a frame with the import columns (optionally one region only)."""
    if kind == "households":
        return pl.DataFrame(_household_rows(session, region_code), schema=_schema(kind))
    employers = dict(session.execute(select(EmployerRecord.id, EmployerRecord.external_id)).all())
    rows: list[dict[str, Any]] = []
    if kind == "employers":
        stmt = select(EmployerRecord).order_by(EmployerRecord.id)
        if region_code is not None:
            stmt = stmt.where(EmployerRecord.region_code == region_code)
        rows = [
            {
                "external_id": r.external_id,
                "name": r.name,
                "bin": r.bin,
                "region": r.region_code,
                "locality_id": r.locality_id,
                "sector": r.sector,
            }
            for r in session.scalars(stmt)
        ]
    elif kind == "vacancies":
        stmt_v = select(VacancyRecord).order_by(VacancyRecord.id)
        if region_code is not None:
            stmt_v = stmt_v.where(VacancyRecord.region_code == region_code)
        rows = [
            {
                "external_id": r.external_id,
                "employer_external_id": employers.get(r.employer_id),
                "locality_id": r.locality_id,
                "title": r.title,
                # A code normalized from the title is left out: the title decides on import.
                "occupation": r.occupation if r.occupation_score is None else None,
                "wage_tenge": r.wage_tenge,
                "sector": r.sector,
                "required_education": r.required_education,
                "required_licences": join_list(r.required_licences),
                "required_skills": join_list(r.required_skills),
                "min_experience_years": r.min_experience_years,
                "permanent": r.permanent,
                "posts": r.posts,
                "employer_housing": r.employer_housing,
                "qualified": r.qualified,
                "status": r.status,
            }
            for r in session.scalars(stmt_v)
        ]
    elif kind == "homes":
        stmt_h = select(HomeRecord).order_by(HomeRecord.id)
        if region_code is not None:
            stmt_h = stmt_h.where(HomeRecord.region_code == region_code)
        columns = [c.name for c in COLUMNS["homes"] if c.name != "employer_external_id"]
        rows = [
            {
                **{c: getattr(r, c) for c in columns},
                "employer_external_id": employers.get(r.employer_id) if r.employer_id else None,
            }
            for r in session.scalars(stmt_h)
        ]
    elif kind == "capacities":
        columns = [c.name for c in COLUMNS["capacities"]]
        records = list(
            session.scalars(
                select(LocalityCapacityRecord).order_by(LocalityCapacityRecord.locality_id)
            )
        )
        if region_code is not None:
            from api.models import LocalityRecord

            in_region = set(
                session.scalars(
                    select(LocalityRecord.id).where(LocalityRecord.region_code == region_code)
                )
            )
            records = [r for r in records if r.locality_id in in_region]
        rows = [{c: getattr(r, c) for c in columns} for r in records]
    else:
        raise ValueError(f"unknown export kind {kind!r}")
    return pl.DataFrame(rows, schema=_schema(kind))


def to_bytes(frame: pl.DataFrame, fmt: str) -> bytes:
    """The frame as a CSV (UTF-8), Parquet or Excel file."""
    buffer = io.BytesIO()
    if fmt == "csv":
        frame.write_csv(buffer)
    elif fmt == "parquet":
        frame.write_parquet(buffer)
    elif fmt == "xlsx":
        frame.write_excel(buffer, autofit=False)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return buffer.getvalue()
