"""Allocation runs over HTTP: start (a job), follow, read placements, compare, commit.

The work is in :mod:`api.allocation.runs`, which the planner pages call too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from api.allocation import runs
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
from api.core.lookups import reference_of
from api.core.pagination import PagingDep, pagination
from api.core.params import DB_INT_MAX, DB_INT_MIN
from api.core.problems import problem_responses
from api.core.schemas import Page

router = APIRouter(prefix="/allocation-runs", tags=["allocation"])

PLANNERS = require_roles("admin", "planner")


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
    run_id = runs.start_run(
        session,
        reference_of(request),
        body,
        by=principal.name,
        scenario_root=request.app.state.settings.scenario_root,
        actor=principal,
    )
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
    items, total = runs.list_runs(session, year=year, offset=paging.offset, limit=paging.limit)
    return Page[RunListItem](items=items, pagination=pagination(total, paging.page, paging.limit))


@router.get("/{run_id}", response_model=RunOut, responses=problem_responses(401, 403, 404))
def get_run(
    session: SessionDep,
    lang: LangDep,
    run_id: Annotated[str, Path(max_length=32)],
    principal: Principal = PLANNERS,
) -> RunOut:
    """Status, progress and phase of a run; its summary when done, the error when it failed."""
    return runs.run_out(session, run_id, lang)


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
    items, total = runs.placements_page(
        session,
        reference_of(request),
        run_id,
        lang,
        placed=placed,
        offset=paging.offset,
        limit=paging.limit,
    )
    return Page[PlacementOut](items=items, pagination=pagination(total, paging.page, paging.limit))


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
    run = runs.finished_run(session, run_id)
    return Response(
        content=run.snapshot or b"",
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="allocation-run-{run_id}.zip"'},
    )


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
    return runs.compare_runs(session, run_a, run_b)


@router.post(
    "/{run_id}/cancel",
    response_model=RunOut,
    responses=problem_responses(401, 403, 404, 409),
)
def cancel(
    session: SessionDep,
    lang: LangDep,
    run_id: Annotated[str, Path(max_length=32)],
    principal: Principal = PLANNERS,
) -> RunOut:
    """Cancel a run: a queued one at once, a running one at its next checkpoint (at the
    latest when its solver returns, within the time limit); it stores no placements and
    reserves nothing. 409 once the run has ended."""
    runs.cancel_run(session, run_id, actor=principal)
    return runs.run_out(session, run_id, lang)


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
    return runs.commit(
        session,
        run_id,
        household_ids=body.household_ids if body else None,
        by=principal.name,
        actor=principal,
    )
