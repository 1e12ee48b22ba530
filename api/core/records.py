"""Queries every feature shares: rows by external id, one page of a select."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.problems import ProblemException
from api.models import EmployerRecord, HomeRecord, HouseholdRecord, VacancyRecord
from matching.text import Text

ExternalModel = (
    type[EmployerRecord] | type[HouseholdRecord] | type[VacancyRecord] | type[HomeRecord]
)
DUPLICATE = Text(
    kk="«{external_id}» сыртқы идентификаторы бар жазба бұрыннан бар (№{id}).",
    ru="Запись с внешним идентификатором «{external_id}» уже есть (№{id}).",
    en="A record with external id '{external_id}' already exists (id {id}).",
)


def page_of(
    session: Session, stmt: Select[Any], order: Iterable[Any], offset: int, limit: int
) -> tuple[int, list[Any]]:
    """The total count of ``stmt`` and one ordered page of its rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.order_by(*order).offset(offset).limit(limit))
    return int(total or 0), list(rows)


def id_of_external(session: Session, model: ExternalModel, external_id: str) -> int | None:
    """Database id of the row with ``external_id``, if any."""
    found = session.scalar(select(model.id).where(model.external_id == external_id))
    return None if found is None else int(found)


def ids_of_externals(session: Session, model: ExternalModel) -> dict[str, int]:
    """Every external id of a table with its database id (one query)."""
    return {str(e): int(i) for e, i in session.execute(select(model.external_id, model.id))}


def duplicate_problem(external_id: str, existing_id: int) -> ProblemException:
    return ProblemException(
        409,
        DUPLICATE.format(external_id=external_id, id=existing_id),
        type_="/problems/duplicate-external-id",
        errors=[{"loc": ["body", "external_id"], "msg": "already exists", "type": "duplicate"}],
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
