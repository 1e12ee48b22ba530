"""A fresh applicant link for the demo programme's first household (``serve --prepare``)."""

from __future__ import annotations

from sqlalchemy import select

from api.applicants.service import issue_link
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.demo.service import PREFIX
from api.models import HouseholdRecord


def demo_applicant_link(database_url: str) -> str | None:
    """Issue a link for the first demo household and return its path (None without demo)."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            first = session.scalar(
                select(HouseholdRecord.id)
                .where(HouseholdRecord.external_id.like(f"{PREFIX}%"))
                .order_by(HouseholdRecord.id)
            )
            if first is None:
                return None
            return issue_link(session, first, issued_by="qonys serve --prepare").path
    finally:
        engine.dispose()
