"""Homes: a body checked into columns (employer looked up), one home loaded or a 404."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from api.core.lookups import reference_of
from api.core.problems import ProblemException
from api.core.records import id_of_external
from api.core.validation import FieldError
from api.homes.mappers import validate_capacity, validate_home
from api.models import EmployerRecord, HomeRecord
from matching.text import Text

UNKNOWN_HOME = Text(
    kk="№{id} тұрғын үй табылмады.", ru="Жильё №{id} не найдено.", en="Home {id} was not found."
)


UNKNOWN_EMPLOYER = Text(
    kk="«{id}» жұмыс берушісі тіркелмеген.",
    ru="Работодатель «{id}» не зарегистрирован.",
    en="Employer '{id}' is not registered.",
)


def home_values(request: Request, session: Session, data: dict[str, Any]) -> dict[str, Any]:
    employer_id = None
    if data.get("employer_external_id"):
        employer_id = id_of_external(session, EmployerRecord, str(data["employer_external_id"]))
        if employer_id is None:
            raise FieldError(
                ("employer_external_id",),
                UNKNOWN_EMPLOYER.format(id=data["employer_external_id"]),
            ).as_problem()
    try:
        return validate_home(data, reference_of(request), employer_id=employer_id)
    except FieldError as exc:
        raise exc.as_problem() from None


def load(session: Session, home_id: int) -> HomeRecord:
    record = session.get(HomeRecord, home_id)
    if record is None:
        raise ProblemException(404, UNKNOWN_HOME.format(id=home_id), type_="/problems/unknown-home")
    return record


# What other features use of this one (they import nothing else from it).
__all__ = ["home_values", "load", "validate_capacity", "validate_home"]
