"""Queries over the reference tables (regions, localities, programme roles)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.models import LocalityRecord, ProgrammeRoleRecord, RegionRecord


def regions_by_code(session: Session, codes: set[str] | None = None) -> list[RegionRecord]:
    """Regions in code order, all of them or only ``codes``."""
    stmt = select(RegionRecord).order_by(RegionRecord.code)
    if codes is not None:
        stmt = stmt.where(RegionRecord.code.in_(codes))
    return list(session.scalars(stmt))


def roles_of(session: Session, region_code: str) -> list[ProgrammeRoleRecord]:
    return list(
        session.scalars(
            select(ProgrammeRoleRecord)
            .where(ProgrammeRoleRecord.region_code == region_code)
            .order_by(ProgrammeRoleRecord.programme_version, ProgrammeRoleRecord.id)
        )
    )


def page_localities(
    session: Session,
    *,
    region_code: str | None,
    settlement_type: str | None,
    q: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[LocalityRecord]]:
    stmt = select(LocalityRecord)
    if region_code is not None:
        stmt = stmt.where(LocalityRecord.region_code == region_code)
    if settlement_type is not None:
        stmt = stmt.where(LocalityRecord.settlement_type == settlement_type)
    if q:
        # SQLite's lower() only folds ASCII, so compare the common capitalisations of the query
        # with the stored names as well as the lowered forms.
        text = q.strip()
        variants = {text, text.lower(), text.capitalize(), text.upper()}
        columns = (
            LocalityRecord.name_ru,
            LocalityRecord.name_kk,
            LocalityRecord.name_en,
            LocalityRecord.name_kk_latn,
        )
        stmt = stmt.where(or_(*(column.like(f"%{v}%") for column in columns for v in variants)))
    total = session.scalar(
        select(func.count()).select_from(stmt.with_only_columns(LocalityRecord.id).subquery())
    )
    rows = session.scalars(
        stmt.order_by(LocalityRecord.region_code, LocalityRecord.id).offset(offset).limit(limit)
    )
    return int(total or 0), list(rows)
