"""Households: validate a body, load with members, store members, shape the response."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request
from sqlalchemy import delete, insert
from sqlalchemy import update as update_
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.auth.service import Principal
from api.core.lookups import reference_of
from api.core.pagination import Paging, Scoped, region_scoped_page
from api.core.problems import ProblemException
from api.core.records import commit_created, duplicate_problem, id_of_external
from api.core.schemas import Page
from api.core.validation import FieldError
from api.households.mappers import (
    HouseholdValues,
    household_to_domain,
    name_key,
    validate_household,
)
from api.households.repository import household_with_members, page_households
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
)
from api.models import HouseholdMemberRecord, HouseholdRecord
from matching.text import Text

UNKNOWN_HOUSEHOLD = Text(
    kk="№{id} отбасы табылмады.", ru="Семья №{id} не найдена.", en="Household {id} was not found."
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


def household_out(record: HouseholdRecord) -> HouseholdOut:
    return HouseholdOut(
        id=record.id,
        external_id=record.external_id,
        applicant_iin=record.applicant_iin,
        applicant_name=record.applicant_name,
        phone=record.phone,
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


def household_summary(row: tuple[HouseholdRecord, int]) -> HouseholdSummary:
    """A list row: the household and its number of members."""
    r, persons = row
    return HouseholdSummary(
        id=r.id,
        external_id=r.external_id,
        applicant_iin=r.applicant_iin,
        applicant_name=r.applicant_name,
        phone=r.phone,
        category=r.category,
        origin_region_code=r.origin_region_code,
        origin_settlement=r.origin_settlement,
        application_date=r.application_date,
        documents_complete=r.documents_complete,
        status=r.status,
        persons=persons,
        updated_at=r.updated_at,
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


def list_households(
    request: Request,
    session: Session,
    principal: Scoped,
    paging: Paging,
    *,
    region: str | None = None,
    status: str | None = None,
    iin: str | None = None,
    q: str | None = None,
) -> Page[HouseholdSummary]:
    """One page of households the principal may see (a centre: its own region only)."""
    return region_scoped_page(
        request,
        principal,
        region,
        paging,
        partial(page_households, session, status=status, iin=iin, q=q),
        HouseholdSummary,
        household_summary,
    )


def validate(request: Request, body: dict[str, Any]) -> HouseholdValues:
    try:
        return validate_household(body, reference_of(request))
    except FieldError as exc:
        raise exc.as_problem() from None


def load(session: Session, household_id: int) -> HouseholdRecord:
    record = household_with_members(session, household_id)
    if record is None:
        raise ProblemException(
            404, UNKNOWN_HOUSEHOLD.format(id=household_id), type_="/problems/unknown-household"
        )
    return record


def store_members(session: Session, household_id: int, members: list[dict[str, Any]]) -> None:
    session.execute(
        delete(HouseholdMemberRecord).where(HouseholdMemberRecord.household_id == household_id)
    )
    if members:
        session.execute(
            insert(HouseholdMemberRecord), [{**m, "household_id": household_id} for m in members]
        )


def create(
    request: Request, session: Session, principal: Principal, body: HouseholdIn
) -> HouseholdOut:
    """Register a household with its members (the API's POST and the centre's form)."""
    values = validate(request, body.model_dump())
    principal.ensure_region(values.household["origin_region_code"])
    existing = id_of_external(session, HouseholdRecord, body.external_id)
    if existing is not None:
        raise duplicate_problem(body.external_id, existing)
    record = HouseholdRecord(**values.household)
    session.add(record)
    session.flush()
    store_members(session, record.id, values.members)
    created = household_out(load(session, record.id))
    audit.record(
        session, principal, "create", "household", created.id, after=created,
        region_code=created.origin_region_code,
    )  # fmt: skip
    commit_created(session, HouseholdRecord, body.external_id)
    return created


def update(
    request: Request,
    session: Session,
    principal: Principal,
    household_id: int,
    body: HouseholdPatch,
) -> HouseholdOut:
    """Correct a household; ``members``, when sent, replaces the member list."""
    record = load(session, household_id)
    principal.ensure_region(record.origin_region_code)
    before = household_out(record)
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
        update_(HouseholdRecord)
        .where(HouseholdRecord.id == household_id)
        .values(**values.household)
    )
    if patch.get("members") is not None:
        store_members(session, household_id, values.members)
    session.expire_all()
    after = household_out(load(session, household_id))
    audit.record(
        session, principal, "update", "household", household_id, before=before, after=after,
        region_code=after.origin_region_code,
    )  # fmt: skip
    session.commit()
    session.expunge_all()
    return household_out(load(session, household_id))


# What other features use of this one (they import nothing else from it).
__all__ = [
    "HouseholdValues",
    "create",
    "household_input",
    "household_out",
    "household_summary",
    "household_to_domain",
    "household_with_members",
    "list_households",
    "load",
    "name_key",
    "store_members",
    "update",
    "validate",
    "validate_household",
]
