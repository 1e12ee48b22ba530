"""What a ranked answer shows of its vacancies, homes and localities, read once per index build.

The ranked-matches and localities answers used to read the displayed columns of their 20–40
vacancies and homes with two queries per request. The index is rebuilt whenever vacancies,
homes or employers change (``api.matches.service.catalogue_fingerprint``), so the same columns
are read here once, next to the index, as rows aligned with the index's catalogue rows. A row
missing here (a vacancy opened between the two reads) is read from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import EmployerRecord, HomeRecord, VacancyRecord
from matching.programme.geography import ReferenceData
from matching.ranking import MatchIndex
from matching.text import Lang

VACANCY_COLUMNS = (
    VacancyRecord.id,
    VacancyRecord.external_id,
    VacancyRecord.title,
    EmployerRecord.name,
    VacancyRecord.wage_tenge,
    VacancyRecord.permanent,
    VacancyRecord.employer_housing,
)
HOME_COLUMNS = (
    HomeRecord.id,
    HomeRecord.external_id,
    HomeRecord.kind,
    HomeRecord.rooms,
    HomeRecord.capacity_persons,
    HomeRecord.rent_tenge,
    HomeRecord.price_tenge,
    HomeRecord.condition,
)


def vacancy_data(row: Any) -> dict[str, Any]:
    """A vacancy row as the response's plain data (the shape of ``VacancyRef``)."""
    id_, external_id, title, employer, wage, permanent, employer_housing = row
    return {
        "id": id_,
        "external_id": external_id,
        "title": title,
        "employer": employer,
        "wage_tenge": int(wage),
        "permanent": bool(permanent),
        "employer_housing": bool(employer_housing),
    }


def home_data(row: Any) -> dict[str, Any]:
    """A home row as the response's plain data (the shape of ``HomeRef``)."""
    id_, external_id, kind, rooms, capacity, rent, price, condition = row
    return {
        "id": id_,
        "external_id": external_id,
        "kind": kind,
        "rooms": rooms,
        "capacity_persons": capacity,
        "rent_tenge": rent,
        "price_tenge": price,
        "condition": condition,
    }


def locality_data(reference: ReferenceData, locality_id: str, lang: Lang) -> dict[str, Any]:
    """A locality as the response's plain data (the shape of ``LocalityRef``)."""
    loc = reference.locality(locality_id)
    return {
        "id": loc.id,
        "name": loc.name(lang),
        "region_code": loc.region_code,
        "region": reference.region(loc.region_code).name(lang),
        "settlement_type": loc.settlement_type,
    }


def vacancy_rows(session: Session, ids: Iterable[int] | None = None) -> list[Any]:
    stmt = select(*VACANCY_COLUMNS).join(
        EmployerRecord, EmployerRecord.id == VacancyRecord.employer_id
    )
    if ids is not None:
        stmt = stmt.where(VacancyRecord.id.in_(list(ids)))
    else:
        stmt = stmt.where(
            VacancyRecord.status == "open", VacancyRecord.posts > VacancyRecord.posts_reserved
        )
    return list(session.execute(stmt))


def home_rows(session: Session, ids: Iterable[int] | None = None) -> list[Any]:
    stmt = select(*HOME_COLUMNS)
    if ids is not None:
        stmt = stmt.where(HomeRecord.id.in_(list(ids)))
    else:
        stmt = stmt.where(HomeRecord.status == "open", HomeRecord.units > HomeRecord.units_reserved)
    return list(session.execute(stmt))


def _aligned(rows: list[Any], row_of: dict[str, int], n: int) -> list[tuple[Any, ...] | None]:
    out: list[tuple[Any, ...] | None] = [None] * n
    for r in rows:
        at = row_of.get(str(r[0]))
        if at is not None:
            out[at] = tuple(r)
    return out


@dataclass
class CatalogueDisplay:
    """Displayed columns of the index's vacancies and homes, by catalogue row."""

    reference: ReferenceData
    vacancies: list[tuple[Any, ...] | None]
    homes: list[tuple[Any, ...] | None]
    # Locality references by (id, language): the reference data do not change in a process.
    _localities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, session: Session, index: MatchIndex, reference: ReferenceData
    ) -> CatalogueDisplay:
        cat = index.catalogue
        return cls(
            reference,
            _aligned(vacancy_rows(session), cat.v_row, len(index.vacancy_ids)),
            _aligned(home_rows(session), cat.h_row, len(index.home_ids)),
        )

    def vacancies_at(
        self, session: Session, index: MatchIndex, rows: Iterable[int]
    ) -> dict[int, dict[str, Any]]:
        """The vacancies at catalogue ``rows`` as plain data, keyed by row."""
        return _at(session, rows, self.vacancies, index.vacancy_ids, vacancy_rows, vacancy_data)

    def homes_at(
        self, session: Session, index: MatchIndex, rows: Iterable[int]
    ) -> dict[int, dict[str, Any]]:
        """The homes at catalogue ``rows`` as plain data, keyed by row."""
        return _at(session, rows, self.homes, index.home_ids, home_rows, home_data)

    def locality_at(self, locality_id: str, lang: Lang) -> dict[str, Any]:
        """A locality as plain data (the same object every time: the answers only read it)."""
        key = (locality_id, lang)
        known = self._localities.get(key)
        if known is None:
            known = self._localities[key] = locality_data(self.reference, locality_id, lang)
        return known


def _at(
    session: Session,
    rows: Iterable[int],
    table: list[tuple[Any, ...] | None],
    ids: Any,
    read: Callable[[Session, Iterable[int]], list[Any]],
    data: Callable[[Any], dict[str, Any]],
) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    missing: dict[int, int] = {}
    for r in rows:
        known = table[r]
        if known is None:
            missing[int(ids[r])] = r
        else:
            out[r] = data(known)
    if missing:
        for row in read(session, list(missing)):
            out[missing[int(row[0])]] = data(row)
    return out
