"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.core.problems import problem_response, problem_responses
from api.core.schemas import HealthStatus
from matching.text import Text

router = APIRouter(tags=["health"])


def database_state(request: Request) -> str:
    """``ok`` when the database answers ``SELECT 1``, ``unavailable`` otherwise."""
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return "unavailable"
    return "ok"


@router.get("/healthz", response_model=HealthStatus)
def healthz(request: Request) -> HealthStatus:
    """The process is alive; says whether the database answers and which backend it is."""
    return HealthStatus(
        status="ok",
        database=database_state(request),
        backend=request.app.state.engine.dialect.name,
    )


@router.get("/readyz", response_model=HealthStatus, responses=problem_responses(503))
def readyz(request: Request) -> HealthStatus | JSONResponse:
    """The database answers; 503 otherwise."""
    if database_state(request) != "ok":
        return problem_response(
            request,
            503,
            Text(
                kk="Дерекқор жауап бермейді.",
                ru="База данных не отвечает.",
                en="The database does not answer.",
            ),
        )
    return HealthStatus(
        status="ready", database="ok", backend=request.app.state.engine.dialect.name
    )
