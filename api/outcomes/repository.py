"""Queries of outcomes: a household's facts (size, regions, placement), pages, the frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.core.records import page_of
from api.models import DecisionRecord, HouseholdMemberRecord, HouseholdRecord, LocalityRecord
from api.models.outcomes import OutcomeRecord


@dataclass(frozen=True)
class HouseholdFacts:
    """What the rules of an outcome need to know about its household."""

    household_id: int
    external_id: str
    origin_region_code: str
    members: int
    locality_id: str | None  # the committed placement's locality
    placed_region_code: str | None
    placed_at: dt.datetime | None

    @property
    def placed_on(self) -> dt.date | None:
        return None if self.placed_at is None else self.placed_at.date()


def _facts() -> Select[Any]:
    members = (
        select(func.count(HouseholdMemberRecord.id))
        .where(HouseholdMemberRecord.household_id == HouseholdRecord.id)
        .correlate(HouseholdRecord)
        .scalar_subquery()
    )
    return (
        select(
            HouseholdRecord.id,
            HouseholdRecord.external_id,
            HouseholdRecord.origin_region_code,
            members,
            DecisionRecord.locality_id,
            LocalityRecord.region_code,
            DecisionRecord.decided_at,
        )
        .outerjoin(DecisionRecord, DecisionRecord.household_id == HouseholdRecord.id)
        .outerjoin(LocalityRecord, LocalityRecord.id == DecisionRecord.locality_id)
    )


def facts_of(session: Session, household_id: int) -> HouseholdFacts | None:
    row = session.execute(_facts().where(HouseholdRecord.id == household_id)).first()
    return None if row is None else HouseholdFacts(*row)


def facts_by_external(session: Session, external_ids: Iterable[str]) -> dict[str, HouseholdFacts]:
    """The facts of the households with these external ids (in chunks of 900 ids)."""
    ids = sorted(set(external_ids))
    out: dict[str, HouseholdFacts] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for row in session.execute(_facts().where(HouseholdRecord.external_id.in_(chunk))):
            out[str(row[1])] = HouseholdFacts(*row)
    return out


def outcome_of(session: Session, household_id: int) -> OutcomeRecord | None:
    return session.scalars(
        select(OutcomeRecord).where(OutcomeRecord.household_id == household_id)
    ).first()


def outcomes_of(session: Session, household_ids: Iterable[int]) -> dict[int, OutcomeRecord]:
    ids = sorted(set(household_ids))
    out: dict[int, OutcomeRecord] = {}
    for start in range(0, len(ids), 900):
        stmt = select(OutcomeRecord).where(OutcomeRecord.household_id.in_(ids[start : start + 900]))
        out.update({r.household_id: r for r in session.scalars(stmt)})
    return out


def page_outcomes(
    session: Session,
    *,
    region_code: str | None,
    returned: bool | None,
    offset: int,
    limit: int,
) -> tuple[int, list[OutcomeRecord]]:
    """Outcomes of households from ``region_code`` or placed in it, newest first."""
    stmt = select(OutcomeRecord)
    if region_code is not None:
        placed_in = select(LocalityRecord.id).where(LocalityRecord.region_code == region_code)
        stmt = stmt.join(HouseholdRecord, HouseholdRecord.id == OutcomeRecord.household_id).where(
            (HouseholdRecord.origin_region_code == region_code)
            | OutcomeRecord.locality_id.in_(placed_in)
        )
    if returned is not None:
        stmt = stmt.where(OutcomeRecord.returned.is_(returned))
    return page_of(
        session, stmt, [OutcomeRecord.recorded_at.desc(), OutcomeRecord.id.desc()], offset, limit
    )


def frame_rows(session: Session) -> list[tuple[Any, ...]]:
    """Every outcome with its household's size and committed placement (one query)."""
    members = (
        select(HouseholdMemberRecord.household_id, func.count().label("n"))
        .group_by(HouseholdMemberRecord.household_id)
        .subquery()
    )
    stmt = (
        select(
            OutcomeRecord.household_id,
            func.coalesce(members.c.n, 0),
            func.coalesce(DecisionRecord.locality_id, OutcomeRecord.locality_id),
            DecisionRecord.decided_at,
            OutcomeRecord.recorded_at,
            OutcomeRecord.employed_3m,
            OutcomeRecord.employed_6m,
            OutcomeRecord.employed_12m,
            OutcomeRecord.still_resident,
            OutcomeRecord.returned,
            OutcomeRecord.returned_on,
            OutcomeRecord.return_reason,
        )
        .outerjoin(members, members.c.household_id == OutcomeRecord.household_id)
        .outerjoin(DecisionRecord, DecisionRecord.household_id == OutcomeRecord.household_id)
        .order_by(OutcomeRecord.household_id)
    )
    return [tuple(r) for r in session.execute(stmt)]
