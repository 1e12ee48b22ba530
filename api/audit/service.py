"""The audit log's one entry point, :func:`record`, used by every feature's write path.

A feature calls ``audit.record(session, actor, action, entity, entity_id, before=…,
after=…)`` *before* it commits: the row is added to the same session, so the write and its
audit row commit together (a rolled-back write leaves no row; no write commits without one).

``before``/``after`` are the entity's values (a dict or a pydantic model); when both are given
only the fields that changed are kept. They may hold a person's data (an IIN, a name): the
table is readable by admins and planners only, who may read those households anyway, and
keeping the values is what lets a wrong correction be found and undone. Logs are a different
matter: nothing here logs the values, and structured logs carry ids only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import insert
from sqlalchemy.orm import Session

from api.models.audit import AuditRecord

# Timestamps the database maintains: they change on every write and say nothing new.
IGNORED_FIELDS = frozenset({"created_at", "updated_at"})
Values = Mapping[str, Any] | BaseModel | None


class Actor(Protocol):
    """Who writes: an API token's principal, a page user's principal, or a taxonomy author."""

    @property
    def role(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class StoredActor:
    """An actor carried through a job's parameters (the job runs after the request ended)."""

    role: str
    name: str
    token_id: int | None = None
    user_id: int | None = None


def actor_snapshot(actor: Actor | None) -> dict[str, Any] | None:
    """The actor as JSON for a job's parameters (None: the system)."""
    if actor is None:
        return None
    return {
        "role": actor.role,
        "name": actor.name,
        "token_id": getattr(actor, "token_id", None),
        "user_id": getattr(actor, "user_id", None),
    }


def actor_from(snapshot: Mapping[str, Any] | None) -> StoredActor | None:
    """The actor stored by :func:`actor_snapshot`."""
    if not snapshot:
        return None
    return StoredActor(
        role=str(snapshot.get("role") or ""),
        name=str(snapshot.get("name") or ""),
        token_id=snapshot.get("token_id"),
        user_id=snapshot.get("user_id"),
    )


def request_id() -> str | None:
    """The id the request-id middleware bound for this request (None outside a request)."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return None if value is None else str(value)


def actor_columns(actor: Actor | None) -> dict[str, Any]:
    """The actor columns of a row; ``None`` is the system (the CLI, a job, the seed)."""
    if actor is None:
        return {
            "actor_kind": "system",
            "actor_token_id": None,
            "actor_user_id": None,
            "actor_name": None,
            "actor_role": None,
        }
    token_id = getattr(actor, "token_id", None) or None  # pages' principals carry token 0
    user_id = getattr(actor, "user_id", None)
    if token_id is not None:
        kind = "token"
    elif user_id is not None:
        kind = "user"
    else:
        kind = "applicant" if actor.role == "applicant" else "user"
    return {
        "actor_kind": kind,
        "actor_token_id": token_id,
        "actor_user_id": user_id,
        "actor_name": (actor.name or "")[:120] or None,
        "actor_role": actor.role or None,
    }


def jsonable(values: Values) -> dict[str, Any] | None:
    """Values as JSON-ready data (dates as ISO strings), database timestamps left out."""
    if values is None:
        return None
    data = values.model_dump() if isinstance(values, BaseModel) else dict(values)
    out = to_jsonable_python({k: v for k, v in data.items() if k not in IGNORED_FIELDS})
    assert isinstance(out, dict)
    return out


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose values differ (a field present on one side only counts)."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: Values = None,
    after: Values = None,
    region_code: str | None = None,
) -> AuditRecord:
    """Append one audit row to ``session`` (committed with the caller's write)."""
    old, new = jsonable(before), jsonable(after)
    if old is not None and new is not None:
        old, new = changed(old, new)
    row = AuditRecord(
        at=dt.datetime.now(dt.UTC),
        request_id=request_id(),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id)[:64],
        region_code=region_code,
        before=old,
        after=new,
        **actor_columns(actor),
    )
    session.add(row)
    return row


def record_many(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    changes: Iterable[tuple[object, Values, Values]],
    *,
    region_code: str | None = None,
) -> int:
    """Append one row per ``(entity_id, before, after)`` in bulk statements (for imports);
    the same rows :func:`record` would write. Returns how many."""
    base = {
        "at": dt.datetime.now(dt.UTC),
        "request_id": request_id(),
        "action": action,
        "entity": entity,
        "region_code": region_code,
        **actor_columns(actor),
    }
    rows = []
    for entity_id, before, after in changes:
        old, new = jsonable(before), jsonable(after)
        if old is not None and new is not None:
            old, new = changed(old, new)
        rows.append({**base, "entity_id": str(entity_id)[:64], "before": old, "after": new})
    for start in range(0, len(rows), 1000):
        # render_nulls: else the ORM splits the rows by which of their values are None.
        session.execute(
            insert(AuditRecord).execution_options(render_nulls=True), rows[start : start + 1000]
        )
    return len(rows)


# What other features use of this one (they import nothing else from it).
__all__ = ["Actor", "record", "record_many", "request_id"]
