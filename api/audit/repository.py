"""Queries of the audit log: one filtered select, read a page or in batches for the export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.core.records import page_of
from api.models.audit import AuditRecord


@dataclass(frozen=True)
class AuditFilter:
    entity: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    actor_role: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def select(self) -> Select[AuditRecord]:
        stmt = select(AuditRecord)
        equal = {
            AuditRecord.entity: self.entity,
            AuditRecord.entity_id: self.entity_id,
            AuditRecord.actor_name: self.actor,
            AuditRecord.actor_role: self.actor_role,
            AuditRecord.action: self.action,
        }
        for column, value in equal.items():
            if value is not None:
                stmt = stmt.where(column == value)
        if self.since is not None:
            stmt = stmt.where(AuditRecord.at >= self.since)
        if self.until is not None:
            stmt = stmt.where(AuditRecord.at < self.until)
        return stmt


ORDER = (AuditRecord.id.desc(),)


def page_audit(
    session: Session, where: AuditFilter, *, offset: int, limit: int
) -> tuple[int, list[AuditRecord]]:
    """Newest first: the total and one page."""
    return page_of(session, where.select(), ORDER, offset, limit)


def iter_audit(session: Session, where: AuditFilter, batch: int = 1000) -> Iterator[AuditRecord]:
    """Every matching row, oldest first, read ``batch`` rows at a time (keyset by id)."""
    last = 0
    while True:
        rows = list(
            session.scalars(
                where.select().where(AuditRecord.id > last).order_by(AuditRecord.id).limit(batch)
            )
        )
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].id
