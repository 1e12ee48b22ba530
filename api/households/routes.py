"""Households and their members: register, read, correct; scoped by role and region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.pagination import PagingDep
from api.core.params import IdPath
from api.core.problems import problem_responses
from api.core.schemas import Page
from api.households.schemas import (
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    HouseholdSummary,
)
from api.households.service import create, household_out, list_households, load, update

router = APIRouter(prefix="/households", tags=["households"])

READERS = require_roles("admin", "planner", "centre", "applicant")
LISTERS = require_roles("admin", "planner", "centre")
EDITORS = require_roles("admin", "centre")


@router.post(
    "",
    response_model=HouseholdOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
)
def create_household(
    request: Request, session: SessionDep, body: HouseholdIn, principal: Principal = EDITORS
) -> HouseholdOut:
    """Register a household with all its members (validated against the IIN and the domain)."""
    return create(request, session, principal, body)


@router.get(
    "", response_model=Page[HouseholdSummary], responses=problem_responses(401, 403, 404, 409, 422)
)
def read_households(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    region: Annotated[
        str | None, Query(description="Origin region: code, ISO code or name.", max_length=120)
    ] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
    iin: Annotated[str | None, Query(description="Applicant's IIN.", max_length=12)] = None,
    q: Annotated[
        str | None,
        Query(description="Search: IIN or its start, phone, part of the name.", max_length=100),
    ] = None,
    principal: Principal = LISTERS,
) -> Page[HouseholdSummary]:
    """Households, newest application first; centre staff see their own region only."""
    return list_households(
        request, session, principal, paging, region=region, status=status_, iin=iin, q=q
    )


@router.get(
    "/{household_id}", response_model=HouseholdOut, responses=problem_responses(401, 403, 404)
)
async def read_household(
    session: SessionDep, household_id: IdPath, principal: Principal = READERS
) -> HouseholdOut:
    """One household with its members."""
    if principal.role == "applicant":
        # Checked before the lookup so that applicants cannot probe which ids exist.
        principal.ensure_household(household_id)
    # async, the work in one worker thread: a sync route sends its response's validation
    # to a worker thread too.
    return await run_in_threadpool(_read, session, household_id, principal)


def _read(session: Session, household_id: int, principal: Principal) -> HouseholdOut:
    record = load(session, household_id)
    principal.ensure_household(record.id, record.origin_region_code)
    return household_out(record)


@router.patch(
    "/{household_id}",
    response_model=HouseholdOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def update_household(
    request: Request,
    session: SessionDep,
    body: HouseholdPatch,
    household_id: IdPath,
    principal: Principal = EDITORS,
) -> HouseholdOut:
    """Correct a household; ``members``, when sent, replaces the member list."""
    return update(request, session, principal, household_id, body)
