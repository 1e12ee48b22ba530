"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.core.problems import problem_response, problem_responses
from api.core.schemas import HealthStatus
from matching.text import Text

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthStatus)
def healthz() -> HealthStatus:
    """The process is alive."""
    return HealthStatus(status="ok")


@router.get("/readyz", response_model=HealthStatus, responses=problem_responses(503))
def readyz(request: Request) -> HealthStatus | JSONResponse:
    """The database answers; 503 otherwise."""
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return problem_response(
            request,
            503,
            Text(
                kk="Дерекқор жауап бермейді.",
                ru="База данных не отвечает.",
                en="The database does not answer.",
            ),
        )
    return HealthStatus(status="ready", database="ok")
