"""Queries of retention models and of the committed placements' stored outcome features."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.core.records import page_of
from api.models import DecisionRecord
from api.models.retention import RetentionModelRecord


def decision_features(session: Session) -> list[tuple[int, str | None, dict[str, Any] | None]]:
    """Every committed placement's household id, region and stored outcome features."""
    stmt = select(
        DecisionRecord.household_id, DecisionRecord.region_code, DecisionRecord.outcome_features
    ).order_by(DecisionRecord.household_id)
    return [(int(h), r, f) for h, r, f in session.execute(stmt)]


def model_of(session: Session, version: str) -> RetentionModelRecord | None:
    return session.get(RetentionModelRecord, version)


def active_record(session: Session) -> RetentionModelRecord | None:
    return session.scalars(
        select(RetentionModelRecord).where(RetentionModelRecord.active.is_(True))
    ).first()


def active_version(session: Session) -> str | None:
    """The active version's name only (cheap: the match index's fingerprint asks often)."""
    return session.scalar(
        select(RetentionModelRecord.version).where(RetentionModelRecord.active.is_(True))
    )


def page_models(
    session: Session, *, offset: int, limit: int
) -> tuple[int, list[RetentionModelRecord]]:
    """Versions, newest first."""
    return page_of(
        session,
        select(RetentionModelRecord),
        [RetentionModelRecord.created_at.desc(), RetentionModelRecord.version.desc()],
        offset,
        limit,
    )


def all_models(session: Session) -> list[RetentionModelRecord]:
    return list(
        session.scalars(
            select(RetentionModelRecord).order_by(
                RetentionModelRecord.created_at.desc(), RetentionModelRecord.version.desc()
            )
        )
    )


def set_active(session: Session, version: str | None) -> None:
    """Make ``version`` the only active one (None: none). The old one is cleared first, so
    the partial unique index never sees two; a concurrent activation fails on it."""
    session.execute(
        update(RetentionModelRecord)
        .where(RetentionModelRecord.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session="fetch")
    )
    if version is not None:
        session.execute(
            update(RetentionModelRecord)
            .where(RetentionModelRecord.version == version)
            .values(active=True)
            .execution_options(synchronize_session="fetch")
        )
    session.flush()
