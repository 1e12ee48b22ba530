"""The audit log over HTTP: filtered pages and a CSV export, for admins and planners only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from api.audit.repository import AuditFilter, iter_audit, page_audit
from api.audit.schemas import AuditOut
from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.pagination import PagingDep, paged
from api.core.problems import problem_responses
from api.core.schemas import Page

router = APIRouter(prefix="/audit", tags=["audit"])

AUDITORS = require_roles("admin", "planner")
Name = Annotated[str | None, Query(max_length=120, pattern=r"^[^\x00]*$")]
CSV_COLUMNS = list(AuditOut.model_fields)


def audit_filter(
    entity: Annotated[str | None, Query(max_length=40, description="household, vacancy, …")] = None,
    entity_id: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    actor: Annotated[Name, Query(description="Token or user name, exactly.")] = None,
    role: Annotated[str | None, Query(pattern="^(admin|planner|centre|applicant)$")] = None,
    action: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]*$")] = None,
    since: Annotated[dt.datetime | None, Query(description="From this moment (inclusive).")] = None,
    until: Annotated[dt.datetime | None, Query(description="Before this moment.")] = None,
) -> AuditFilter:
    return AuditFilter(entity, entity_id, actor, role, action, _utc(since), _utc(until))


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    # Rows are stored in UTC; a moment without an offset is read as UTC too.
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


FilterDep = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("", response_model=Page[AuditOut], responses=problem_responses(401, 403, 422))
def read_audit(
    session: SessionDep, paging: PagingDep, where: FilterDep, principal: Principal = AUDITORS
) -> Page[AuditOut]:
    """Audit rows, newest first, filtered by entity, entity id, actor, role, action and time."""
    total, rows = page_audit(session, where, offset=paging.offset, limit=paging.limit)
    return paged(AuditOut, total, rows, paging, AuditOut.model_validate)


def csv_lines(session: Session, where: AuditFilter) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(iter_audit(session, where), start=1):
        out = AuditOut.model_validate(row).model_dump(mode="json")
        writer.writerow(
            json.dumps(out[c], ensure_ascii=False) if c in ("before", "after") else out[c]
            for c in CSV_COLUMNS
        )
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(401, 403, 422)},
)
def export_audit(
    session: SessionDep, where: FilterDep, principal: Principal = AUDITORS
) -> StreamingResponse:
    """Every matching row as CSV, oldest first (``before``/``after`` as JSON text)."""
    return StreamingResponse(
        csv_lines(session, where),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
