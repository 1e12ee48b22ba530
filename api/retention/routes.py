"""Retention models over HTTP: fit from recorded outcomes, list, read, activate (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.pagination import PagingDep, paged
from api.core.problems import problem_responses
from api.core.schemas import Page
from api.matches.service import match_service
from api.retention import service
from api.retention.schemas import RetentionModelDetail, RetentionModelOut

router = APIRouter(prefix="/retention-models", tags=["retention"])

ADMINS = require_roles("admin")
READERS = require_roles("admin", "planner")
VersionPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.\-]+$", description="Version.")
]
SAME_VERSION: dict[int | str, dict[str, Any]] = {
    200: {"model": RetentionModelOut, "description": "The outcomes gave a version already stored."}
}


@router.post(
    "",
    status_code=201,
    response_model=RetentionModelOut,
    responses={**SAME_VERSION, **problem_responses(401, 403, 422)},
)
def fit_model(
    response: Response, session: SessionDep, principal: Principal = ADMINS
) -> RetentionModelOut:
    """Fit a version on the recorded outcomes (stored inactive; audited). 422 with the reason
    when fewer than 300 outcomes are usable or the fit is impossible."""
    record, created = service.fit(session, principal)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/retention-models/{record.version}"
    return service.model_out(record)


@router.get("", response_model=Page[RetentionModelOut], responses=problem_responses(401, 403, 422))
def list_models(
    session: SessionDep, paging: PagingDep, principal: Principal = READERS
) -> Page[RetentionModelOut]:
    """Fitted versions, newest first, with their metrics and which one is active."""
    total, rows = service.list_models(session, offset=paging.offset, limit=paging.limit)
    return paged(RetentionModelOut, total, rows, paging, service.model_out)


@router.get(
    "/{version}",
    response_model=RetentionModelDetail,
    responses=problem_responses(401, 403, 404, 422),
)
def read_model(
    session: SessionDep, version: VersionPath, principal: Principal = READERS
) -> RetentionModelDetail:
    """One version with its coefficients and held-out calibration curve."""
    return service.model_detail(service.find(session, version))


@router.post(
    "/{version}/activate",
    response_model=RetentionModelOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def activate_model(
    request: Request, session: SessionDep, version: VersionPath, principal: Principal = ADMINS
) -> RetentionModelOut:
    """Make this version the scorer's (audited); it counts where the programme version's
    retention weight is above 0. The match index is rebuilt."""
    service.activate(session, principal, version)
    match_service(request).invalidate()
    return service.model_out(service.find(session, version))


@router.post(
    "/{version}/deactivate",
    response_model=RetentionModelOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def deactivate_model(
    request: Request, session: SessionDep, version: VersionPath, principal: Principal = ADMINS
) -> RetentionModelOut:
    """Switch this version off if it is active (audited): the retention component is off."""
    service.deactivate(session, principal, version)
    match_service(request).invalidate()
    return service.model_out(service.find(session, version))
