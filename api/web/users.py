"""Staff users of the pages: create them (CLI, demo seeding), ``qonys user create``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.service import record
from api.models.web import STAFF_ROLES, WebUserRecord
from api.web.security import hash_password

# Local-only demo users (never in production), printed at start-up like the demo tokens.
DEMO_USERS: dict[str, tuple[str, str | None, str]] = {
    "centre61": ("centre", "61", "demo-centre61-password"),
    "planner": ("planner", None, "demo-planner-password"),
    "admin": ("admin", None, "demo-admin-password"),
}


def create_user(
    session: Session, username: str, password: str, *, role: str, region_code: str | None = None
) -> WebUserRecord:
    """Add a staff user (flushes); refuses unknown roles and centres without a region."""
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(STAFF_ROLES)}")
    if role == "centre" and not region_code:
        raise ValueError("a centre user needs --region")
    if len(password) < 10:
        raise ValueError("the password needs at least 10 characters")
    if session.scalars(select(WebUserRecord).where(WebUserRecord.username == username)).first():
        raise ValueError(f"user {username!r} exists already")
    user = WebUserRecord(
        username=username,
        password_hash=hash_password(password),
        role=role,
        region_code=region_code if role == "centre" else None,
        active=True,
    )
    session.add(user)
    session.flush()
    # Who may sign in is access data: audited like tokens (never the password or its hash).
    record(
        session, None, "create", "web_user", user.id,
        after={"username": username, "role": role, "region_code": user.region_code, "active": True},
    )  # fmt: skip
    return user


def ensure_demo_users(session: Session) -> dict[str, str]:
    """Create the demo users that are missing; returns username → password."""
    existing = set(session.scalars(select(WebUserRecord.username)))
    for username, (role, region, password) in DEMO_USERS.items():
        if username not in existing:
            create_user(session, username, password, role=role, region_code=region)
    return {name: spec[2] for name, spec in DEMO_USERS.items()}
