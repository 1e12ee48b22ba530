"""Vacancies: a body checked into columns (employer looked up, occupation resolved), one vacancy loaded or a 404."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from api.core.lookups import reference_of
from api.core.pagination import Paging, Scoped, region_scoped_page
from api.core.problems import ProblemException
from api.core.records import id_of_external
from api.core.schemas import Page
from api.core.validation import FieldError
from api.models import EmployerRecord, VacancyRecord
from api.taxonomy.service import occupation_error_text, occupation_resolver
from api.vacancies.mappers import validate_employer, validate_vacancy
from api.vacancies.repository import page_vacancies
from api.vacancies.schemas import VacancyOut
from matching.text import Text

UNKNOWN_VACANCY = Text(
    kk="№{id} бос орын табылмады.",
    ru="Вакансия №{id} не найдена.",
    en="Vacancy {id} was not found.",
)


UNKNOWN_EMPLOYER = Text(
    kk="«{id}» жұмыс берушісі тіркелмеген.",
    ru="Работодатель «{id}» не зарегистрирован.",
    en="Employer '{id}' is not registered.",
)


def field_problem(path: str, text: Text) -> ProblemException:
    return FieldError((path,), text).as_problem()


def vacancy_values(request: Request, session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """Validated columns of a vacancy body: employer looked up, occupation resolved."""
    employer_id = id_of_external(session, EmployerRecord, str(data["employer_external_id"]))
    if employer_id is None:
        raise field_problem(
            "employer_external_id", UNKNOWN_EMPLOYER.format(id=data["employer_external_id"])
        )
    resolved = occupation_resolver(request.app.state).resolve_one(
        data.get("occupation"), str(data["title"])
    )
    if resolved["error"] is not None:
        field = "occupation" if data.get("occupation") else "title"
        raise field_problem(
            field, occupation_error_text(resolved["error"], data.get("occupation"), data["title"])
        )
    try:
        return validate_vacancy(
            data,
            reference_of(request),
            employer_id=employer_id,
            occupation=resolved["occupation"],
            isco=resolved["isco"],
            occupation_score=resolved["occupation_score"],
        )
    except FieldError as exc:
        raise exc.as_problem() from None


def load(session: Session, vacancy_id: int) -> VacancyRecord:
    record = session.get(VacancyRecord, vacancy_id)
    if record is None:
        raise ProblemException(
            404, UNKNOWN_VACANCY.format(id=vacancy_id), type_="/problems/unknown-vacancy"
        )
    return record


def list_vacancies(
    request: Request,
    session: Session,
    principal: Scoped,
    paging: Paging,
    *,
    region: str | None = None,
    isco: str | None = None,
    status: str | None = None,
    locality: str | None = None,
) -> Page[VacancyOut]:
    """One page of the vacancies the principal may see (a centre: its own region only)."""
    fetch = partial(page_vacancies, session, isco=isco, status=status, locality_id=locality)
    return region_scoped_page(request, principal, region, paging, fetch, VacancyOut)


# What other features use of this one (they import nothing else from it).
__all__ = [
    "field_problem",
    "list_vacancies",
    "load",
    "vacancy_values",
    "validate_employer",
    "validate_vacancy",
]
