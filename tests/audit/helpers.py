"""Reading the audit log in tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models.audit import AuditRecord


def audit_rows(session: Session, entity: str | None = None, **where: Any) -> list[AuditRecord]:
    """Audit rows (oldest first) of ``entity``, optionally with columns equal to ``where``."""
    session.expire_all()
    stmt = select(AuditRecord).order_by(AuditRecord.id)
    if entity is not None:
        stmt = stmt.where(AuditRecord.entity == entity)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditRecord, column) == value)
    return list(session.scalars(stmt))


def last_id(session: Session) -> int:
    rows = audit_rows(session)
    return rows[-1].id if rows else 0


def rows_since(session: Session, after_id: int) -> list[AuditRecord]:
    return [r for r in audit_rows(session) if r.id > after_id]
