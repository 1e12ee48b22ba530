"""Queries over the reference tables (regions, localities, programme roles)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from api.models import (
    LocalityRecord,
    ProgrammeRoleRecord,
    ProgrammeVersionRecord,
    RegionAliasRecord,
    RegionRecord,
)

_SPACES = re.compile(r"\s+")


def fold_name(text: str) -> str:
    """Case-, space- and ё-insensitive form used to compare region names and aliases."""
    return _SPACES.sub(" ", text.replace("ё", "е").replace("Ё", "Е").strip()).casefold()


@dataclass(frozen=True)
class RegionLookup:
    region: RegionRecord | None
    candidates: list[RegionRecord]


def find_region(session: Session, key: str) -> RegionLookup:
    """Resolve a code (59, KZ-59, 590000000, KZ-SEV), a name in any language or an alias.

    Ambiguous names (e.g. "Almaty": the region or the city) come back with every candidate and
    no choice made.
    """
    key = key.strip()
    upper = key.upper()
    by_code = session.scalars(
        select(RegionRecord).where(
            (RegionRecord.code == key)
            | (RegionRecord.iso == upper)
            | (RegionRecord.kato == key)
            | (RegionRecord.iso_legacy == upper)
        )
    ).first()
    if by_code is not None:
        return RegionLookup(by_code, [by_code])
    folded = fold_name(key)
    codes: set[str] = set()
    for region in session.scalars(select(RegionRecord)):
        names = (region.name_kk, region.name_kk_latn, region.name_ru, region.name_en)
        if folded in {fold_name(n) for n in names}:
            codes.add(region.code)
    for alias in session.scalars(select(RegionAliasRecord)):
        if fold_name(alias.alias) == folded:
            codes.add(alias.region_code)
    if not codes:
        return RegionLookup(None, [])
    found = list(
        session.scalars(
            select(RegionRecord).where(RegionRecord.code.in_(codes)).order_by(RegionRecord.code)
        )
    )
    return RegionLookup(found[0] if len(found) == 1 else None, found)


def list_regions(
    session: Session, *, programme_version: str | None = None, role: str | None = None
) -> list[RegionRecord]:
    stmt: Select[tuple[RegionRecord]] = select(RegionRecord).order_by(RegionRecord.code)
    if role is not None or programme_version is not None:
        version = programme_version or default_programme_version(session)
        sub = select(ProgrammeRoleRecord.region_code).where(
            ProgrammeRoleRecord.programme_version == version
        )
        if role is not None:
            sub = sub.where(ProgrammeRoleRecord.role == role)
        if programme_version is None:
            sub = sub.where(ProgrammeRoleRecord.is_default.is_(True))
        stmt = stmt.where(RegionRecord.code.in_(sub))
    return list(session.scalars(stmt))


def default_programme_version(session: Session) -> str | None:
    return session.scalars(
        select(ProgrammeVersionRecord.code)
        .order_by(ProgrammeVersionRecord.is_default.desc(), ProgrammeVersionRecord.year_from.desc())
        .limit(1)
    ).first()


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
