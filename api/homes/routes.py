"""Homes offered in destination localities (rental, employer flats, built for migrants …)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import update

from api.audit import service as audit
from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.pagination import PagingDep, region_scoped_page
from api.core.params import IdPath
from api.core.problems import problem_responses
from api.core.records import commit_created, duplicate_problem, id_of_external
from api.core.schemas import Page
from api.core.validation import FieldError
from api.homes.repository import page_homes
from api.homes.schemas import HomeIn, HomeOut, HomePatch
from api.homes.service import home_values, load
from api.models import EmployerRecord, HomeRecord
from matching.domain import HOME_KINDS
from matching.text import Text

router = APIRouter(prefix="/homes", tags=["homes"])

STAFF = require_roles("admin", "planner", "centre")


@router.post(
    "",
    response_model=HomeOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
)
def create_home(
    request: Request, session: SessionDep, body: HomeIn, principal: Principal = STAFF
) -> HomeOut:
    """Register a home in a destination locality."""
    values = home_values(request, session, body.model_dump())
    principal.ensure_region(values["region_code"])
    existing = id_of_external(session, HomeRecord, body.external_id)
    if existing is not None:
        raise duplicate_problem(body.external_id, existing)
    record = HomeRecord(**values)
    session.add(record)
    session.flush()
    audit.record(
        session, principal, "create", "home", record.id,
        after=HomeOut.model_validate(record), region_code=record.region_code,
    )  # fmt: skip
    commit_created(session, HomeRecord, body.external_id)
    session.refresh(record)
    return HomeOut.model_validate(record)


@router.get("", response_model=Page[HomeOut], responses=problem_responses(401, 403, 404, 409, 422))
def read_homes(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    region: Annotated[str | None, Query(max_length=120)] = None,
    kind: Annotated[str | None, Query(pattern="^(" + "|".join(HOME_KINDS) + ")$")] = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(open|closed)$")] = None,
    locality: Annotated[str | None, Query(max_length=64)] = None,
    principal: Principal = STAFF,
) -> Page[HomeOut]:
    """Homes by region, kind and status; centre staff see their own region only."""
    return region_scoped_page(
        request,
        principal,
        region,
        paging,
        partial(page_homes, session, kind=kind, status=status_, locality_id=locality),
        HomeOut,
    )


@router.get("/{home_id}", response_model=HomeOut, responses=problem_responses(401, 403, 404))
def read_home(session: SessionDep, home_id: IdPath, principal: Principal = STAFF) -> HomeOut:
    """One home."""
    record = load(session, home_id)
    principal.ensure_region(record.region_code)
    return HomeOut.model_validate(record)


@router.patch(
    "/{home_id}", response_model=HomeOut, responses=problem_responses(401, 403, 404, 409, 422)
)
def update_home(
    request: Request,
    session: SessionDep,
    body: HomePatch,
    home_id: IdPath,
    principal: Principal = STAFF,
) -> HomeOut:
    """Correct a home."""
    record = load(session, home_id)
    principal.ensure_region(record.region_code)
    before = HomeOut.model_validate(record)
    employer = session.get(EmployerRecord, record.employer_id) if record.employer_id else None
    current = {
        column: getattr(record, column)
        for column in HomeIn.model_fields
        if column != "employer_external_id"
    }
    current["employer_external_id"] = employer.external_id if employer else None
    # null clears only what may be empty; required fields keep their value.
    patch = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in ("rent_tenge", "price_tenge", "employer_external_id")
    }
    values = home_values(request, session, {**current, **patch})
    principal.ensure_region(values["region_code"])
    if values["external_id"] != record.external_id:
        existing = id_of_external(session, HomeRecord, values["external_id"])
        if existing is not None:
            raise duplicate_problem(values["external_id"], existing)
    if values["units"] < record.units_reserved:
        raise FieldError(
            ("units",),
            Text(
                kk=f"брондалғаннан ({record.units_reserved}) аз болмауы керек",
                ru=f"не меньше уже зарезервированных ({record.units_reserved})",
                en=f"cannot be below the units already reserved ({record.units_reserved})",
            ),
        ).as_problem()
    session.execute(update(HomeRecord).where(HomeRecord.id == home_id).values(**values))
    audit.record(
        session, principal, "update", "home", home_id, before=before,
        after=HomeOut.model_validate(load(session, home_id)), region_code=values["region_code"],
    )  # fmt: skip
    session.commit()
    session.expunge_all()
    return HomeOut.model_validate(load(session, home_id))
