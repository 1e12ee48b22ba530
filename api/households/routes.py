"""Households and their members: register, read, correct; scoped by role and region."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep, SettingsDep
from api.core.lookups import reference_of, region_or_problem
from api.core.problems import ProblemException, problem_responses
from api.core.schemas import Page
from api.households.mappers import FieldError, HouseholdValues, validate_household
from api.households.repository import household_with_members, id_of_external, page_households
from api.households.schemas import (
    ExperienceIn,
    HealthIn,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    HouseholdSummary,
    LanguageIn,
    MemberOut,
    PreferencesIn,
    pagination,
)
from api.models import HouseholdMemberRecord, HouseholdRecord
from matching.text import Text

router = APIRouter(prefix="/households", tags=["households"])

READERS = require_roles("admin", "planner", "centre", "applicant")
LISTERS = require_roles("admin", "planner", "centre")
EDITORS = require_roles("admin", "centre")

UNKNOWN_HOUSEHOLD = Text(
    kk="№{id} отбасы табылмады.", ru="Семья №{id} не найдена.", en="Household {id} was not found."
)
DUPLICATE = Text(
    kk="«{external_id}» сыртқы идентификаторы бар жазба бұрыннан бар (№{id}).",
    ru="Запись с внешним идентификатором «{external_id}» уже есть (№{id}).",
    en="A record with external id '{external_id}' already exists (id {id}).",
)


def duplicate_problem(external_id: str, existing_id: int) -> ProblemException:
    return ProblemException(
        409,
        DUPLICATE.format(external_id=external_id, id=existing_id),
        type_="/problems/duplicate-external-id",
        errors=[{"loc": ["body", "external_id"], "msg": "already exists", "type": "duplicate"}],
    )


def member_out(m: HouseholdMemberRecord) -> MemberOut:
    return MemberOut(
        id=m.id,
        position=m.position,
        iin=m.iin,
        relation=m.relation,
        birth_date=m.birth_date,
        sex=m.sex,
        marital_status=m.marital_status,
        education=m.education,
        employment_status=m.employment_status,
        experience=[ExperienceIn.model_validate(e) for e in m.experience or []],
        skills=list(m.skills or []),
        licences=list(m.licences or []),
        # Stored as [lang, level] pairs (the domain's shape); shown as objects.
        languages=[LanguageIn(lang=lang, level=level) for lang, level in m.languages or []],
        health=HealthIn.model_validate(m.health or {}),
    )


def commit_created(session: Session, model: Any, external_id: str) -> None:
    """Commit; a concurrent insert of the same external id becomes the 409 problem too."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = id_of_external(session, model, external_id)
        if existing is not None:
            raise duplicate_problem(external_id, existing) from None
        raise


def household_out(record: HouseholdRecord) -> HouseholdOut:
    return HouseholdOut(
        id=record.id,
        external_id=record.external_id,
        applicant_iin=record.applicant_iin,
        category=record.category,
        origin_region_code=record.origin_region_code,
        origin_settlement=record.origin_settlement,
        origin_heating=record.origin_heating,
        origin_wage_tenge=record.origin_wage_tenge,
        years_in_origin=record.years_in_origin,
        citizen=record.citizen,
        application_date=record.application_date,
        documents_complete=record.documents_complete,
        debt_tenge=record.debt_tenge,
        preferences=PreferencesIn.model_validate(record.preferences or {}),
        status=record.status,
        members=[member_out(m) for m in record.members],
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def household_input(record: HouseholdRecord) -> dict[str, Any]:
    """A stored household as the input body that would recreate it (the base of a PATCH)."""
    out = household_out(record).model_dump()
    members = [{k: v for k, v in m.items() if k not in ("id", "position")} for m in out["members"]]
    return {
        **{k: v for k, v in out.items() if k in HouseholdIn.model_fields},
        "origin_region": record.origin_region_code,
        "members": members,
    }


def _validate(request: Request, body: dict[str, Any]) -> HouseholdValues:
    try:
        return validate_household(body, reference_of(request))
    except FieldError as exc:
        raise exc.as_problem() from None


def _load(session: SessionDep, household_id: int) -> HouseholdRecord:
    record = household_with_members(session, household_id)
    if record is None:
        raise ProblemException(
            404, UNKNOWN_HOUSEHOLD.format(id=household_id), type_="/problems/unknown-household"
        )
    return record


def _store_members(session: SessionDep, household_id: int, members: list[dict[str, Any]]) -> None:
    session.execute(
        delete(HouseholdMemberRecord).where(HouseholdMemberRecord.household_id == household_id)
    )
    if members:
        session.execute(
            insert(HouseholdMemberRecord), [{**m, "household_id": household_id} for m in members]
        )


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
    values = _validate(request, body.model_dump())
    principal.ensure_region(values.household["origin_region_code"])
    existing = id_of_external(session, HouseholdRecord, body.external_id)
    if existing is not None:
        raise duplicate_problem(body.external_id, existing)
    record = HouseholdRecord(**values.household)
    session.add(record)
    session.flush()
    _store_members(session, record.id, values.members)
    new_id = record.id
    commit_created(session, HouseholdRecord, body.external_id)
    return household_out(_load(session, new_id))


@router.get(
    "", response_model=Page[HouseholdSummary], responses=problem_responses(401, 403, 404, 409, 422)
)
def read_households(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    region: Annotated[
        str | None, Query(description="Origin region: code, ISO code or name.", max_length=120)
    ] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
    iin: Annotated[str | None, Query(description="Applicant's IIN.", max_length=12)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    principal: Principal = LISTERS,
) -> Page[HouseholdSummary]:
    """Households, newest application first; centre staff see their own region only."""
    code = None
    if region is not None:
        code = region_or_problem(reference_of(request), region, loc=["query", "region"]).code
    code = principal.list_scope(code)
    limit = min(limit, settings.page_size_max)
    total, rows = page_households(
        session, region_code=code, status=status_, iin=iin, offset=(page - 1) * limit, limit=limit
    )
    paging = pagination(total, page, limit)
    return Page[HouseholdSummary](
        items=[
            HouseholdSummary(
                id=r.id,
                external_id=r.external_id,
                applicant_iin=r.applicant_iin,
                category=r.category,
                origin_region_code=r.origin_region_code,
                origin_settlement=r.origin_settlement,
                application_date=r.application_date,
                documents_complete=r.documents_complete,
                status=r.status,
                persons=persons,
                updated_at=r.updated_at,
            )
            for r, persons in rows
        ],
        pagination=paging,
    )


@router.get(
    "/{household_id}", response_model=HouseholdOut, responses=problem_responses(401, 403, 404)
)
def read_household(
    session: SessionDep, household_id: Annotated[int, Path()], principal: Principal = READERS
) -> HouseholdOut:
    """One household with its members."""
    if principal.role == "applicant":
        # Checked before the lookup so that applicants cannot probe which ids exist.
        principal.ensure_household(household_id)
    record = _load(session, household_id)
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
    household_id: Annotated[int, Path()],
    principal: Principal = EDITORS,
) -> HouseholdOut:
    """Correct a household; ``members``, when sent, replaces the member list."""
    record = _load(session, household_id)
    principal.ensure_region(record.origin_region_code)
    patch = body.model_dump(exclude_unset=True)
    # A null in the patch leaves the field as it is: no household field can be emptied.
    merged = {**household_input(record), **{k: v for k, v in patch.items() if v is not None}}
    values = _validate(request, HouseholdIn.model_validate(merged).model_dump())
    principal.ensure_region(values.household["origin_region_code"])
    if values.household["external_id"] != record.external_id:
        existing = id_of_external(session, HouseholdRecord, values.household["external_id"])
        if existing is not None:
            raise duplicate_problem(values.household["external_id"], existing)
    session.execute(
        update(HouseholdRecord).where(HouseholdRecord.id == household_id).values(**values.household)
    )
    if patch.get("members") is not None:
        _store_members(session, household_id, values.members)
    session.commit()
    session.expunge_all()
    return household_out(_load(session, household_id))
