"""Allocation runs over HTTP: start (a job), follow, read placements, compare, commit."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import func, select

from api.allocation.commit import CommitRefused, commit_run
from api.allocation.requests import NOT_VALID, validate_request
from api.allocation.schemas import (
    CommitIn,
    CommitOut,
    PlacementOut,
    RunAccepted,
    RunIn,
    RunListItem,
    RunOut,
)
from api.auth.service import Principal, require_roles
from api.core.deps import LangDep, SessionDep
from api.core.jobs import enqueue
from api.core.lookups import reference_of
from api.core.pagination import PagingDep, pagination
from api.core.params import DB_INT_MAX, DB_INT_MIN
from api.core.problems import ProblemException, problem_responses
from api.core.schemas import Page
from api.models import AllocationRunRecord, HouseholdRecord, JobRecord, PlacementRecord
from matching.text import Text

router = APIRouter(prefix="/allocation-runs", tags=["allocation"])

PLANNERS = require_roles("admin", "planner")

RUN_NOT_FOUND = Text(
    kk="«{id}» бөлу нұсқасы табылмады.",
    ru="Вариант распределения «{id}» не найден.",
    en="Allocation run '{id}' was not found.",
)
NOT_READY = Text(
    kk="«{id}» бөлу нұсқасы әлі аяқталмаған.",
    ru="Вариант распределения «{id}» ещё не завершён.",
    en="Allocation run '{id}' has not finished yet.",
)


def _run(session: SessionDep, run_id: str) -> tuple[AllocationRunRecord, JobRecord]:
    row = session.execute(
        select(AllocationRunRecord, JobRecord)
        .join(JobRecord, JobRecord.id == AllocationRunRecord.job_id)
        .where(AllocationRunRecord.id == run_id)
    ).first()
    if row is None:
        raise ProblemException(404, RUN_NOT_FOUND.format(id=run_id), type_="/problems/unknown-run")
    return row[0], row[1]


def _finished(session: SessionDep, run_id: str) -> AllocationRunRecord:
    run, job = _run(session, run_id)
    if job.status != "succeeded" or run.summary is None:
        raise ProblemException(409, NOT_READY.format(id=run_id), type_="/problems/run-not-finished")
    return run


@router.post(
    "",
    status_code=202,
    response_model=RunAccepted,
    responses=problem_responses(401, 403, 422),
)
def start_run(
    request: Request,
    response: Response,
    session: SessionDep,
    body: RunIn,
    principal: Principal = PLANNERS,
) -> RunAccepted:
    """Validate a batch request and queue it; poll ``Location`` for progress and result."""
    data = body.model_dump()
    errors = validate_request(session, reference_of(request), data)
    if errors:
        raise ProblemException(
            422, NOT_VALID.format(n=len(errors)), type_="/problems/invalid-run", errors=errors
        )
    run_id = uuid.uuid4().hex
    job = enqueue(session, "allocation", {"run_id": run_id}, created_by=principal.name)
    session.add(
        AllocationRunRecord(
            id=run_id,
            job_id=job.id,
            name=body.name,
            year=body.year,
            scenario=data,
            created_by=principal.name,
        )
    )
    session.commit()
    response.headers["Location"] = f"/allocation-runs/{run_id}"
    return RunAccepted(id=run_id, status="queued")


@router.get("", response_model=Page[RunListItem], responses=problem_responses(401, 403, 422))
def list_runs(
    session: SessionDep,
    paging: PagingDep,
    year: Annotated[
        int | None,
        Query(description="Only runs of this quota year.", ge=DB_INT_MIN, le=DB_INT_MAX),
    ] = None,
    principal: Principal = PLANNERS,
) -> Page[RunListItem]:
    """Runs, newest first, with their status and headline figures."""
    cond = [] if year is None else [AllocationRunRecord.year == year]
    total = int(
        session.scalar(select(func.count()).select_from(AllocationRunRecord).where(*cond)) or 0
    )
    rows = session.execute(
        select(AllocationRunRecord, JobRecord.status)
        .join(JobRecord, JobRecord.id == AllocationRunRecord.job_id)
        .where(*cond)
        .order_by(AllocationRunRecord.created_at.desc(), AllocationRunRecord.id)
        .offset(paging.offset)
        .limit(paging.limit)
    ).all()
    pages = pagination(total, paging.page, paging.limit)
    items = [
        RunListItem(
            id=run.id,
            name=run.name,
            year=run.year,
            status=status,
            created_by=run.created_by,
            created_at=run.created_at,
            committed_at=run.committed_at,
            objective=(run.summary or {}).get("objective") if status == "succeeded" else None,
            households_placed=(run.summary or {}).get("households_placed")
            if status == "succeeded"
            else None,
        )
        for run, status in rows
    ]
    return Page[RunListItem](items=items, pagination=pages)


@router.get("/{run_id}", response_model=RunOut, responses=problem_responses(401, 403, 404))
def get_run(
    session: SessionDep,
    lang: LangDep,
    run_id: Annotated[str, Path(max_length=32)],
    principal: Principal = PLANNERS,
) -> RunOut:
    """Status, progress and phase of a run; its summary when done, the error when it failed."""
    run, job = _run(session, run_id)
    error = None
    if job.error:
        detail = job.error.get("detail") or {}
        error = {
            "status": job.error.get("status", 500),
            "detail": detail.get(lang) if isinstance(detail, dict) else detail,
            "errors": job.error.get("errors") or [],
        }
    return RunOut(
        id=run.id,
        name=run.name,
        year=run.year,
        status=job.status,
        progress=job.progress,
        phase=job.phase,
        message=job.message,
        created_at=run.created_at,
        committed_at=run.committed_at,
        request=run.scenario or {},
        summary=run.summary if job.status == "succeeded" else None,
        error=error,
    )


@router.get(
    "/{run_id}/placements",
    response_model=Page[PlacementOut],
    responses=problem_responses(401, 403, 404, 409),
)
def list_placements(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    lang: LangDep,
    run_id: Annotated[str, Path(max_length=32)],
    placed: Annotated[
        bool | None, Query(description="Only placed (true) or unplaced (false).")
    ] = None,
    principal: Principal = PLANNERS,
) -> Page[PlacementOut]:
    """Who goes where (or why not), by household id; names and reasons in the asked language."""
    _finished(session, run_id)
    cond = [PlacementRecord.run_id == run_id]
    if placed is not None:
        cond.append(PlacementRecord.placed.is_(placed))
    total = int(session.scalar(select(func.count()).select_from(PlacementRecord).where(*cond)) or 0)
    rows = session.execute(
        select(PlacementRecord, HouseholdRecord.external_id)
        .join(HouseholdRecord, HouseholdRecord.id == PlacementRecord.household_id)
        .where(*cond)
        .order_by(PlacementRecord.household_id)
        .offset(paging.offset)
        .limit(paging.limit)
    ).all()
    pages = pagination(total, paging.page, paging.limit)
    reference = reference_of(request)
    items = []
    for p, external_id in rows:
        name = None
        if p.locality_id:
            loc = reference.locality(p.locality_id)
            name = {"kk": loc.name_kk, "ru": loc.name_ru, "en": loc.name_en}[lang]
        items.append(
            PlacementOut(
                household_id=p.household_id,
                external_id=external_id,
                placed=p.placed,
                locality_id=p.locality_id,
                locality_name=name,
                region_code=p.region_code,
                home_id=p.home_id,
                vacancy_id=p.vacancy_id,
                second_vacancy_id=p.second_vacancy_id,
                score=p.score,
                persons=p.persons,
                reason_code=p.reason_code,
                reason=(p.reason or {}).get(lang) if p.reason else None,
                breakdown=[{**c, "reason": (c.get("reason") or {}).get(lang)} for c in p.breakdown]
                if p.breakdown
                else None,
            )
        )
    return Page[PlacementOut](items=items, pagination=pages)


@router.get(
    "/{run_id}/snapshot",
    responses={
        200: {"content": {"application/zip": {}}, "description": "Parquet tables and the request."},
        **problem_responses(401, 403, 404, 409),
    },
)
def get_snapshot(
    session: SessionDep,
    run_id: Annotated[str, Path(max_length=32)],
    principal: Principal = PLANNERS,
) -> Response:
    """The batch as it was solved (Parquet tables in a zip) with the request, for audit."""
    run = _finished(session, run_id)
    return Response(
        content=run.snapshot or b"",
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="allocation-run-{run_id}.zip"'},
    )


MAX_MOVES = 1000


@router.get(
    "/{run_a}/compare/{run_b}",
    responses=problem_responses(401, 403, 404, 409),
)
def compare_runs(
    session: SessionDep,
    run_a: Annotated[str, Path(max_length=32)],
    run_b: Annotated[str, Path(max_length=32)],
    principal: Principal = PLANNERS,
) -> dict[str, Any]:
    """Two runs side by side: objective, placed, fill per quota and locality, fairness cost,
    and who moves elsewhere (at most 1,000 moves listed; ``moves_total`` counts all)."""
    a, b = _finished(session, run_a), _finished(session, run_b)
    sa, sb = a.summary or {}, b.summary or {}

    def placed(run_id: str) -> dict[int, str | None]:
        rows = session.execute(
            select(PlacementRecord.household_id, PlacementRecord.locality_id).where(
                PlacementRecord.run_id == run_id
            )
        )
        return {int(h): loc for h, loc in rows}

    pa, pb = placed(run_a), placed(run_b)
    moves = [
        {"household_id": h, "locality_a": pa.get(h), "locality_b": pb.get(h)}
        for h in sorted(set(pa) | set(pb))
        if pa.get(h) != pb.get(h)
    ]
    fill: dict[tuple[str, str], dict[str, Any]] = {}
    for side, summ in (("a", sa), ("b", sb)):
        for row in summ.get("fill") or []:
            entry = fill.setdefault(
                (row["kind"], row["key"]), {"kind": row["kind"], "key": row["key"]}
            )
            entry[f"capacity_{side}"] = row["capacity"]
            entry[f"used_{side}"] = row["used"]
    keys = (
        "objective",
        "best_bound",
        "gap",
        "households_placed",
        "persons_placed",
        "fairness_cost",
    )
    return {
        "a": {"id": run_a, "name": a.name, **{k: sa.get(k) for k in keys}},
        "b": {"id": run_b, "name": b.name, **{k: sb.get(k) for k in keys}},
        "objective_delta": (sb.get("objective") or 0) - (sa.get("objective") or 0),
        "fill": sorted(fill.values(), key=lambda r: (r["kind"], r["key"])),
        "moves_total": len(moves),
        "moves": moves[:MAX_MOVES],
    }


@router.post(
    "/{run_id}/commit",
    response_model=CommitOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def commit(
    session: SessionDep,
    run_id: Annotated[str, Path(max_length=32)],
    body: CommitIn | None = None,
    principal: Principal = PLANNERS,
) -> CommitOut:
    """Turn the run's placements into decisions and reserve their capacities, all or nothing;
    409 lists every resource that would be overbooked."""
    try:
        result = commit_run(
            session,
            run_id,
            household_ids=body.household_ids if body else None,
            by=principal.name,
        )
    except CommitRefused as exc:
        raise ProblemException(
            exc.status, exc.text, type_="/problems/commit-refused", errors=exc.errors
        ) from exc
    return CommitOut(
        run_id=result.run_id,
        households=result.households,
        persons=result.persons,
        committed_at=result.committed_at,
    )
