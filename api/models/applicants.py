"""Tables of the applicant feature: access links, consents, accept/decline decisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base

DECISIONS = ("accept", "decline")
# Reasons an applicant may give for a decline; their words are catalogue keys
# ``applicant.reason.<code>``.
DECLINE_REASONS = ("job", "home", "climate", "far_from_family", "services", "other")


class AccessLinkRecord(Base):
    __tablename__ = "applicant_access_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    issued_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ConsentRecord(Base):
    __tablename__ = "applicant_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    # The version of the consent text shown; a new text version asks again.
    text_version: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(2))
    given_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("household_id", "text_version"),)


class ApplicantDecisionRecord(Base):
    __tablename__ = "applicant_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"))
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("decision IN ('accept', 'decline')", name="decision"),
        CheckConstraint(
            "reason IS NULL OR reason IN "
            "('job', 'home', 'climate', 'far_from_family', 'services', 'other')",
            name="reason",
        ),
    )
