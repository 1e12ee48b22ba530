"""The audit log: one row per write that changed a person's data, a placement or an access.

Rows are only ever inserted (``api.audit.service.record``); nothing in the code updates or
deletes them, and on both databases a trigger refuses UPDATE and DELETE of the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base

ACTOR_KINDS = ("token", "user", "applicant", "system")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AuditRecord(Base):
    """Who (an API token, a staff user, an applicant's session, or the system), when, what
    (entity and id), the values before and after the write, and the request id.

    No foreign keys: a row must outlive the token, user or entity it names.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    request_id: Mapped[str | None] = mapped_column(String(128))
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_token_id: Mapped[int | None] = mapped_column(Integer)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(120))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(2))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor_name", "actor_name"),
    )
