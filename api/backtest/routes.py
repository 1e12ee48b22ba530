"""Back-tests over HTTP: a planner queues one (a job) and follows it to its report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.auth.service import Principal, require_roles
from api.backtest import service
from api.backtest.schemas import BacktestAccepted, BacktestIn, BacktestOut
from api.core.deps import LangDep, SessionDep
from api.core.problems import problem_responses

router = APIRouter(prefix="/backtests", tags=["backtest"])

PLANNERS = require_roles("admin", "planner")


@router.post(
    "", status_code=202, response_model=BacktestAccepted, responses=problem_responses(401, 403, 422)
)
def start_backtest(
    response: Response, session: SessionDep, body: BacktestIn, principal: Principal = PLANNERS
) -> BacktestAccepted:
    """Queue a back-test of the placement policies on generated cohorts; poll ``Location``."""
    job_id = service.start_backtest(session, body.model_dump(), by=principal.name)
    response.headers["Location"] = f"/backtests/{job_id}"
    return BacktestAccepted(id=job_id, status="queued")


@router.get("/{job_id}", response_model=BacktestOut, responses=problem_responses(401, 403, 404))
def get_backtest(
    session: SessionDep,
    lang: LangDep,
    job_id: Annotated[str, Path(max_length=32)],
    principal: Principal = PLANNERS,
) -> BacktestOut:
    """Status and progress of a back-test; its headline and report when done."""
    return BacktestOut(**service.backtest_out(session, job_id, lang))
