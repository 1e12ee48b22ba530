"""Queries over households and their members."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from api.core.records import page_of
from api.households.mappers import name_key, phone_digits
from api.models import HouseholdMemberRecord, HouseholdRecord


def household_with_members(session: Session, household_id: int) -> HouseholdRecord | None:
    # One round trip (a join), not a second select for the members.
    return (
        session.scalars(
            select(HouseholdRecord)
            .where(HouseholdRecord.id == household_id)
            .options(joinedload(HouseholdRecord.members))
        )
        .unique()
        .first()
    )


def page_households(
    session: Session,
    *,
    region_code: str | None,
    status: str | None,
    iin: str | None,
    offset: int,
    limit: int,
    q: str | None = None,
) -> tuple[int, list[tuple[HouseholdRecord, int]]]:
    """Households (newest application first) with their number of members."""
    stmt = select(HouseholdRecord)
    if q is not None and q.strip():
        stmt = stmt.where(search_condition(q))
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


def search_condition(q: str) -> ColumnElement[bool]:
    """What a clerk typed: an IIN (or its start), a phone (or part), a name (or part), an id.

    Digits search IINs and phones; letters search the case-folded name; the external id
    matches exactly. Any of them is a hit.
    """
    text = q.strip()
    digits = phone_digits(text)
    key = name_key(text)
    found: list[ColumnElement[bool]] = [HouseholdRecord.external_id == text]
    if any(ch.isalpha() for ch in key):
        found.append(HouseholdRecord.name_key.contains(key, autoescape=True))
    if digits and len(digits) >= 4 and not any(ch.isalpha() for ch in text):
        found.append(HouseholdRecord.applicant_iin.startswith(digits, autoescape=True))
        # A phone typed as 8 701… or 701… is stored as +7701…: search without the prefix.
        tail = digits[1:] if len(digits) == 11 and digits[0] in "78" else digits
        found.append(HouseholdRecord.phone.contains(tail, autoescape=True))
        if len(digits) == 12:
            members = select(HouseholdMemberRecord.household_id).where(
                HouseholdMemberRecord.iin == digits
            )
            found.append(HouseholdRecord.id.in_(members))
    return or_(false(), *found)
