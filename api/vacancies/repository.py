"""Queries over employers and vacancies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.records import page_of
from api.models import EmployerRecord, VacancyRecord


def page_employers(
    session: Session, *, region_code: str | None, offset: int, limit: int
) -> tuple[int, list[EmployerRecord]]:
    stmt = select(EmployerRecord)
    if region_code is not None:
        stmt = stmt.where(EmployerRecord.region_code == region_code)
    return page_of(session, stmt, (EmployerRecord.id,), offset, limit)


def page_vacancies(
    session: Session,
    *,
    region_code: str | None,
    isco: str | None,
    status: str | None,
    locality_id: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[VacancyRecord]]:
    stmt = select(VacancyRecord)
    if region_code is not None:
        stmt = stmt.where(VacancyRecord.region_code == region_code)
    if isco is not None:
        # A shorter code is an ISCO major, sub-major or minor group: match its unit groups.
        stmt = stmt.where(
            VacancyRecord.isco == isco if len(isco) == 4 else VacancyRecord.isco.startswith(isco)
        )
    if status is not None:
        stmt = stmt.where(VacancyRecord.status == status)
    if locality_id is not None:
        stmt = stmt.where(VacancyRecord.locality_id == locality_id)
    return page_of(session, stmt, (VacancyRecord.id,), offset, limit)
