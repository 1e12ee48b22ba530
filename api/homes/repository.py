"""Queries over homes and locality capacities."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.records import page_of
from api.models import HomeRecord, LocalityCapacityRecord


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
    return page_of(session, stmt, (HomeRecord.id,), offset, limit)


def capacity_of(session: Session, locality_id: str) -> LocalityCapacityRecord | None:
    return session.get(LocalityCapacityRecord, locality_id)
