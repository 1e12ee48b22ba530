"""Employers taking part in the programme."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import update

from api.audit import service as audit
from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.lookups import reference_of
from api.core.pagination import PagingDep, region_scoped_page
from api.core.params import IdPath
from api.core.problems import ProblemException, problem_responses
from api.core.records import commit_created, duplicate_problem, id_of_external
from api.core.schemas import Page
from api.core.validation import FieldError
from api.models import EmployerRecord
from api.vacancies.mappers import validate_employer
from api.vacancies.repository import page_employers
from api.vacancies.schemas import EmployerIn, EmployerOut, EmployerPatch
from matching.text import Text

router = APIRouter(prefix="/employers", tags=["employers"])

STAFF = require_roles("admin", "planner", "centre")

UNKNOWN_EMPLOYER = Text(
    kk="№{id} жұмыс беруші табылмады.",
    ru="Работодатель №{id} не найден.",
    en="Employer {id} was not found.",
)


def _validated(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return validate_employer(body, reference_of(request))
    except FieldError as exc:
        raise exc.as_problem() from None


def _load(session: SessionDep, employer_id: int) -> EmployerRecord:
    record = session.get(EmployerRecord, employer_id)
    if record is None:
        raise ProblemException(
            404, UNKNOWN_EMPLOYER.format(id=employer_id), type_="/problems/unknown-employer"
        )
    return record


@router.post(
    "",
    response_model=EmployerOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
)
def create_employer(
    request: Request, session: SessionDep, body: EmployerIn, principal: Principal = STAFF
) -> EmployerOut:
    """Register an employer (region from its locality, or given by code or name)."""
    values = _validated(request, body.model_dump())
    principal.ensure_region(values["region_code"])
    existing = id_of_external(session, EmployerRecord, body.external_id)
    if existing is not None:
        raise duplicate_problem(body.external_id, existing)
    record = EmployerRecord(**values)
    session.add(record)
    session.flush()
    audit.record(
        session, principal, "create", "employer", record.id,
        after=EmployerOut.model_validate(record), region_code=record.region_code,
    )  # fmt: skip
    commit_created(session, EmployerRecord, body.external_id)
    session.refresh(record)
    return EmployerOut.model_validate(record)


@router.get("", response_model=Page[EmployerOut], responses=problem_responses(401, 403, 404, 409))
def read_employers(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    region: Annotated[str | None, Query(max_length=120)] = None,
    principal: Principal = STAFF,
) -> Page[EmployerOut]:
    """Employers, filtered by region; centre staff see their own region only."""
    return region_scoped_page(
        request, principal, region, paging, partial(page_employers, session), EmployerOut
    )


@router.get(
    "/{employer_id}", response_model=EmployerOut, responses=problem_responses(401, 403, 404)
)
def read_employer(
    session: SessionDep, employer_id: IdPath, principal: Principal = STAFF
) -> EmployerOut:
    """One employer."""
    record = _load(session, employer_id)
    principal.ensure_region(record.region_code)
    return EmployerOut.model_validate(record)


@router.patch(
    "/{employer_id}",
    response_model=EmployerOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def update_employer(
    request: Request,
    session: SessionDep,
    body: EmployerPatch,
    employer_id: IdPath,
    principal: Principal = STAFF,
) -> EmployerOut:
    """Correct an employer."""
    record = _load(session, employer_id)
    principal.ensure_region(record.region_code)
    before = EmployerOut.model_validate(record)
    current = {
        "external_id": record.external_id,
        "name": record.name,
        "bin": record.bin,
        "region": None if record.locality_id else record.region_code,
        "locality_id": record.locality_id,
        "sector": record.sector,
    }
    # null clears only what may be empty; required fields keep their value.
    patch = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in ("bin", "region", "locality_id", "sector")
    }
    if "locality_id" in patch and "region" not in patch:
        current["region"] = None if patch["locality_id"] else record.region_code
    values = _validated(request, {**current, **patch})
    principal.ensure_region(values["region_code"])
    if values["external_id"] != record.external_id:
        existing = id_of_external(session, EmployerRecord, values["external_id"])
        if existing is not None:
            raise duplicate_problem(values["external_id"], existing)
    session.execute(update(EmployerRecord).where(EmployerRecord.id == employer_id).values(**values))
    audit.record(
        session, principal, "update", "employer", employer_id, before=before,
        after=EmployerOut.model_validate(_load(session, employer_id)),
        region_code=values["region_code"],
    )  # fmt: skip
    session.commit()
    session.expunge_all()
    return EmployerOut.model_validate(_load(session, employer_id))
