"""Clerks' corrections of normalized titles, reviewed by an admin (approved ones become aliases)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base

CORRECTION_STATUSES = ("pending", "approved", "rejected")
CORRECTION_KINDS = ("occupation", "skill")
CORRECTION_LANGS = ("kk", "kk_latn", "ru", "en")


class TaxonomyCorrectionRecord(Base):
    """One title a clerk mapped onto a code the normalizer did not answer.

    Who proposed it is an API token (``created_token_id``) or a signed-in staff user
    (``created_user_id``), with the role and name they had then (kept if the token or user
    goes away); the reviewer likewise. ``text_key`` is the normalizer's comparison key of
    ``text``: one pending proposal per (kind, key, code).
    """

    __tablename__ = "taxonomy_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(300))
    text_key: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(60))
    # What the normalizer answered for the text when the correction was made (None: it abstained).
    answered_code: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    created_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    created_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_users.id", ondelete="SET NULL")
    )
    created_role: Mapped[str] = mapped_column(String(16))
    created_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reviewed_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    reviewed_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_users.id", ondelete="SET NULL")
    )
    reviewed_name: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("kind IN ('occupation', 'skill')", name="kind"),
        CheckConstraint("source IN ('api', 'page')", name="source"),
        CheckConstraint(
            "(status = 'pending') = (reviewed_at IS NULL)", name="reviewed_when_decided"
        ),
        Index("ix_taxonomy_corrections_status_id", "status", "id"),
        Index("ix_taxonomy_corrections_kind_text_key", "kind", "text_key"),
    )
