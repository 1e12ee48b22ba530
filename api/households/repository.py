"""Queries over households and their members."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from api.core.records import page_of
from api.models import HouseholdMemberRecord, HouseholdRecord


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
    total, rows = page_of(
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
