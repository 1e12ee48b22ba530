"""Queries over the programme tables (households, employers, vacancies, homes, capacities)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)

R = TypeVar("R")
ExternalModel = (
    type[EmployerRecord] | type[HouseholdRecord] | type[VacancyRecord] | type[HomeRecord]
)


def _page(
    session: Session, stmt: Select[Any], order: Iterable[Any], offset: int, limit: int
) -> tuple[int, list[Any]]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.order_by(*order).offset(offset).limit(limit))
    return int(total or 0), list(rows)


def id_of_external(session: Session, model: ExternalModel, external_id: str) -> int | None:
    """Database id of the row with ``external_id``, if any."""
    found = session.scalar(select(model.id).where(model.external_id == external_id))
    return None if found is None else int(found)


def ids_of_externals(session: Session, model: ExternalModel) -> dict[str, int]:
    """Every external id of a table with its database id (one query)."""
    return {str(e): int(i) for e, i in session.execute(select(model.external_id, model.id))}


def household_with_members(session: Session, household_id: int) -> HouseholdRecord | None:
    return session.scalars(
        select(HouseholdRecord)
        .where(HouseholdRecord.id == household_id)
        .options(selectinload(HouseholdRecord.members))
    ).first()


def page_households(
    session: Session,
    *,
    region_code: str | None,
    status: str | None,
    iin: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[tuple[HouseholdRecord, int]]]:
    """Households (newest application first) with their number of members."""
    stmt = select(HouseholdRecord)
    if region_code is not None:
        stmt = stmt.where(HouseholdRecord.origin_region_code == region_code)
    if status is not None:
        stmt = stmt.where(HouseholdRecord.status == status)
    if iin is not None:
        stmt = stmt.where(HouseholdRecord.applicant_iin == iin)
    total, rows = _page(
        session,
        stmt,
        (HouseholdRecord.application_date.desc(), HouseholdRecord.id.desc()),
        offset,
        limit,
    )
    counts = dict(
        session.execute(
            select(HouseholdMemberRecord.household_id, func.count())
            .where(HouseholdMemberRecord.household_id.in_([r.id for r in rows]))
            .group_by(HouseholdMemberRecord.household_id)
        ).all()
    )
    return total, [(r, int(counts.get(r.id, 0))) for r in rows]


def page_employers(
    session: Session, *, region_code: str | None, offset: int, limit: int
) -> tuple[int, list[EmployerRecord]]:
    stmt = select(EmployerRecord)
    if region_code is not None:
        stmt = stmt.where(EmployerRecord.region_code == region_code)
    return _page(session, stmt, (EmployerRecord.id,), offset, limit)


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
    return _page(session, stmt, (VacancyRecord.id,), offset, limit)


def page_homes(
    session: Session,
    *,
    region_code: str | None,
    kind: str | None,
    status: str | None,
    locality_id: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[HomeRecord]]:
    stmt = select(HomeRecord)
    if region_code is not None:
        stmt = stmt.where(HomeRecord.region_code == region_code)
    if kind is not None:
        stmt = stmt.where(HomeRecord.kind == kind)
    if status is not None:
        stmt = stmt.where(HomeRecord.status == status)
    if locality_id is not None:
        stmt = stmt.where(HomeRecord.locality_id == locality_id)
    return _page(session, stmt, (HomeRecord.id,), offset, limit)


def capacity_of(session: Session, locality_id: str) -> LocalityCapacityRecord | None:
    return session.get(LocalityCapacityRecord, locality_id)
