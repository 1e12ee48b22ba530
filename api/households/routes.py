"""Households and their members: register, read, correct; scoped by role and region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import update

from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.pagination import PagingDep
from api.core.params import IdPath
from api.core.problems import problem_responses
from api.core.records import commit_created, duplicate_problem, id_of_external
from api.core.schemas import Page
from api.households.schemas import (
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    HouseholdSummary,
)
from api.households.service import (
    household_input,
    household_out,
    list_households,
    load,
    store_members,
    validate,
)
from api.models import HouseholdRecord

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
    values = validate(request, body.model_dump())
    principal.ensure_region(values.household["origin_region_code"])
    existing = id_of_external(session, HouseholdRecord, body.external_id)
    if existing is not None:
        raise duplicate_problem(body.external_id, existing)
    record = HouseholdRecord(**values.household)
    session.add(record)
    session.flush()
    store_members(session, record.id, values.members)
    new_id = record.id
    commit_created(session, HouseholdRecord, body.external_id)
    return household_out(load(session, new_id))


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
def read_household(
    session: SessionDep, household_id: IdPath, principal: Principal = READERS
) -> HouseholdOut:
    """One household with its members."""
    if principal.role == "applicant":
        # Checked before the lookup so that applicants cannot probe which ids exist.
        principal.ensure_household(household_id)
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
    record = load(session, household_id)
    principal.ensure_region(record.origin_region_code)
    patch = body.model_dump(exclude_unset=True)
    # A null in the patch leaves the field as it is: no household field can be emptied.
    merged = {**household_input(record), **{k: v for k, v in patch.items() if v is not None}}
    values = validate(request, HouseholdIn.model_validate(merged).model_dump())
    principal.ensure_region(values.household["origin_region_code"])
    if values.household["external_id"] != record.external_id:
        existing = id_of_external(session, HouseholdRecord, values.household["external_id"])
        if existing is not None:
            raise duplicate_problem(values.household["external_id"], existing)
    session.execute(
        update(HouseholdRecord).where(HouseholdRecord.id == household_id).values(**values.household)
    )
    if patch.get("members") is not None:
        store_members(session, household_id, values.members)
    session.commit()
    session.expunge_all()
    return household_out(load(session, household_id))
