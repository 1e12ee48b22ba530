"""Vacancies: the occupation comes from the client's code or from the title, normalized."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import update

from api.audit import service as audit
from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.pagination import PagingDep
from api.core.params import IdPath
from api.core.problems import problem_responses
from api.core.records import commit_created, duplicate_problem, id_of_external
from api.core.schemas import Page
from api.models import EmployerRecord, VacancyRecord
from api.vacancies.schemas import VacancyIn, VacancyOut, VacancyPatch
from api.vacancies.service import field_problem, list_vacancies, load, vacancy_values
from matching.text import Text

router = APIRouter(prefix="/vacancies", tags=["vacancies"])

STAFF = require_roles("admin", "planner", "centre")


@router.post(
    "",
    response_model=VacancyOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
)
def create_vacancy(
    request: Request, session: SessionDep, body: VacancyIn, principal: Principal = STAFF
) -> VacancyOut:
    """Register a vacancy; without ``occupation`` the title is normalized (score kept)."""
    values = vacancy_values(request, session, body.model_dump())
    principal.ensure_region(values["region_code"])
    existing = id_of_external(session, VacancyRecord, body.external_id)
    if existing is not None:
        raise duplicate_problem(body.external_id, existing)
    record = VacancyRecord(**values)
    session.add(record)
    session.flush()
    audit.record(
        session, principal, "create", "vacancy", record.id,
        after=VacancyOut.model_validate(record), region_code=record.region_code,
    )  # fmt: skip
    commit_created(session, VacancyRecord, body.external_id)
    session.refresh(record)
    return VacancyOut.model_validate(record)


@router.get(
    "", response_model=Page[VacancyOut], responses=problem_responses(401, 403, 404, 409, 422)
)
def read_vacancies(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    region: Annotated[str | None, Query(max_length=120)] = None,
    isco: Annotated[
        str | None, Query(pattern=r"^\d{1,4}$", description="ISCO-08 group (1–4 digits).")
    ] = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(open|closed)$")] = None,
    locality: Annotated[str | None, Query(max_length=64)] = None,
    principal: Principal = STAFF,
) -> Page[VacancyOut]:
    """Vacancies by region, ISCO group and status; centre staff see their own region only."""
    return list_vacancies(
        request,
        session,
        principal,
        paging,
        region=region,
        isco=isco,
        status=status_,
        locality=locality,
    )


@router.get("/{vacancy_id}", response_model=VacancyOut, responses=problem_responses(401, 403, 404))
def read_vacancy(
    session: SessionDep, vacancy_id: IdPath, principal: Principal = STAFF
) -> VacancyOut:
    """One vacancy."""
    record = load(session, vacancy_id)
    principal.ensure_region(record.region_code)
    return VacancyOut.model_validate(record)


@router.patch(
    "/{vacancy_id}", response_model=VacancyOut, responses=problem_responses(401, 403, 404, 409, 422)
)
def update_vacancy(
    request: Request,
    session: SessionDep,
    body: VacancyPatch,
    vacancy_id: IdPath,
    principal: Principal = STAFF,
) -> VacancyOut:
    """Correct a vacancy; a new title without a code is normalized again."""
    record = load(session, vacancy_id)
    principal.ensure_region(record.region_code)
    before = VacancyOut.model_validate(record)
    employer = session.get(EmployerRecord, record.employer_id)
    current = {
        column: getattr(record, column)
        for column in VacancyIn.model_fields
        if column not in ("employer_external_id",)
    }
    current["employer_external_id"] = employer.external_id if employer else ""
    # null clears only what may be empty (occupation: "derive it from the title again").
    patch = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k == "occupation"
    }
    if record.occupation_score is not None:
        # The stored code was normalized from the title: derive it again from the (new) title.
        current["occupation"] = None
    values = vacancy_values(request, session, {**current, **patch})
    principal.ensure_region(values["region_code"])
    if values["external_id"] != record.external_id:
        existing = id_of_external(session, VacancyRecord, values["external_id"])
        if existing is not None:
            raise duplicate_problem(values["external_id"], existing)
    if values["posts"] < record.posts_reserved:
        raise field_problem(
            "posts",
            Text(
                kk=f"брондалған орындардан ({record.posts_reserved}) аз болмауы керек",
                ru=f"не меньше уже зарезервированных мест ({record.posts_reserved})",
                en=f"cannot be below the posts already reserved ({record.posts_reserved})",
            ),
        )
    session.execute(update(VacancyRecord).where(VacancyRecord.id == vacancy_id).values(**values))
    audit.record(
        session, principal, "update", "vacancy", vacancy_id, before=before,
        after=VacancyOut.model_validate(load(session, vacancy_id)), region_code=values["region_code"],
    )  # fmt: skip
    session.commit()
    session.expunge_all()
    return VacancyOut.model_validate(load(session, vacancy_id))
