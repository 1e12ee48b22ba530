"""Employment-centre pages for vacancies: the region's list (paged) and one vacancy's candidates.

The list and the candidates come from the vacancies and matches services with the visitor's
principal, so a centre sees its own region's vacancies only, as with its API token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.core.deps import SessionDep
from api.core.lookups import reference_of
from api.core.pagination import PageQuery, Paging
from api.core.params import IdPath
from api.core.problems import ProblemException
from api.matches.service import match_service, vacancy_candidates
from api.vacancies.schemas import VacancyOut
from api.vacancies.service import list_vacancies, load
from api.web.session import PageNotFound, Visitor, as_page, require_staff
from api.web.templates import register_nav, register_templates, render

register_templates("vacancies", Path(__file__).with_name("templates") / "vacancies")
register_nav("centre.nav.vacancies", "/app/centre/vacancies", roles=("centre", "admin"), order=11)
router = APIRouter(prefix="/app/centre/vacancies", include_in_schema=False)

CLERKS = ("centre", "admin")
PER_PAGE = 20


@router.get("")
def vacancies(
    request: Request,
    session: SessionDep,
    page: PageQuery = 1,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    try:
        listed = list_vacancies(request, session, visitor.principal, Paging(page, PER_PAGE))
    except ProblemException as exc:
        if exc.status == 422:  # a page past the end
            raise PageNotFound() from None
        raise
    reference = reference_of(request)
    context = {
        "listed": listed,
        "locality_name": lambda lid: reference.locality(lid).name(visitor.lang),
        "region_name": lambda code: reference.region(code).name(visitor.lang),
    }
    return render(request, "vacancies/list.html", context)


@router.get("/{vacancy_id}")
def vacancy_page(
    request: Request,
    session: SessionDep,
    vacancy_id: IdPath,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    record = as_page(lambda: load(session, vacancy_id))
    visitor.ensure_region(record.region_code)
    vacancy = VacancyOut.model_validate(record)
    svc = match_service(request)
    found = as_page(
        lambda: vacancy_candidates(
            svc, session, visitor.principal, vacancy_id, visitor.lang, top=10, explain=10
        )
    )
    reference = reference_of(request)
    context = {
        "vacancy": vacancy,
        "candidates": found.candidates,
        "locality_name": lambda lid: reference.locality(lid).name(visitor.lang),
        "region_name": lambda code: reference.region(code).name(visitor.lang),
        "can_open": lambda code: visitor.principal.can_read_region(code),
    }
    return render(request, "vacancies/vacancy.html", context)
