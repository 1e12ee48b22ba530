"""Ranked matches with reasons, as answers: options and localities for a household, households
for a vacancy. The API routes and the centre pages call these same functions, so a page shows
exactly what the API answers (and refuses what it refuses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from api.core.problems import ProblemException
from api.households.service import household_to_domain
from api.matches.schemas import (
    CandidateOut,
    CandidatesOut,
    Gate,
    HomeRef,
    LocalityRef,
    MatchesOut,
    OptionOut,
    Reason,
    VacancyRef,
)
from api.models import EmployerRecord, HomeRecord, HouseholdRecord, VacancyRecord
from matching.domain import DomainValidationError
from matching.programme.geography import ReferenceData
from matching.ranking import MatchIndex, RankedOptions
from matching.scoring.features import HouseholdFrame
from matching.scoring.scorer import ScoreResult, explain
from matching.text import Lang, Text

if TYPE_CHECKING:
    from api.auth.service import Principal
    from api.matches.service import MatchService

NOT_FOUND = Text(
    kk="№{id} {what} табылмады.", ru="{what} №{id} не найдено.", en="{what} {id} was not found."
)
WHAT = {
    "household": Text(kk="отбасы", ru="Семья", en="Household"),
    "vacancy": Text(kk="бос орын", ru="Вакансия", en="Vacancy"),
}
UNUSABLE = Text(
    kk="Отбасы деректері толық емес, сәйкестендіру мүмкін емес: {reason}",
    ru="Данные семьи неполны, подбор невозможен: {reason}",
    en="The household's data are incomplete, it cannot be matched: {reason}",
)


def _not_found(what: str, id_: int) -> ProblemException:
    w = WHAT[what]
    text = Text(
        kk=NOT_FOUND.kk.format(id=id_, what=w.kk),
        ru=NOT_FOUND.ru.format(id=id_, what=w.ru),
        en=NOT_FOUND.en.format(id=id_, what=w.en),
    )
    return ProblemException(404, text, type_=f"/problems/unknown-{what}")


def _household_with_members(session: Session, household_id: int) -> HouseholdRecord | None:
    """The household and its members in one round trip (a join, not a second select)."""
    return (
        session.scalars(
            select(HouseholdRecord)
            .where(HouseholdRecord.id == household_id)
            .options(joinedload(HouseholdRecord.members))
        )
        .unique()
        .first()
    )


def _load_household(session: Session, principal: Principal, household_id: int) -> HouseholdRecord:
    record = _household_with_members(session, household_id)
    if record is None:
        raise _not_found("household", household_id)
    principal.ensure_household(household_id, record.origin_region_code)
    return record


def _locality_ref(reference: ReferenceData, locality_id: str, lang: Lang) -> LocalityRef:
    loc = reference.locality(locality_id)
    return LocalityRef(
        id=loc.id,
        name=loc.name(lang),
        region_code=loc.region_code,
        region=reference.region(loc.region_code).name(lang),
        settlement_type=loc.settlement_type,
    )


def _vacancy_refs(session: Session, ids: set[int]) -> dict[int, VacancyRef]:
    if not ids:
        return {}
    # Only the displayed columns (no ORM objects): this runs on every ranked-matches request.
    rows = session.execute(
        select(
            VacancyRecord.id,
            VacancyRecord.external_id,
            VacancyRecord.title,
            EmployerRecord.name,
            VacancyRecord.wage_tenge,
            VacancyRecord.permanent,
            VacancyRecord.employer_housing,
        )
        .join(EmployerRecord, EmployerRecord.id == VacancyRecord.employer_id)
        .where(VacancyRecord.id.in_(ids))
    )
    return {
        id_: VacancyRef.model_construct(
            id=id_,
            external_id=external_id,
            title=title,
            employer=employer,
            wage_tenge=int(wage),
            permanent=bool(permanent),
            employer_housing=bool(employer_housing),
        )
        for id_, external_id, title, employer, wage, permanent, employer_housing in rows
    }


def _home_refs(session: Session, ids: set[int]) -> dict[int, HomeRef]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            HomeRecord.id,
            HomeRecord.external_id,
            HomeRecord.kind,
            HomeRecord.rooms,
            HomeRecord.capacity_persons,
            HomeRecord.rent_tenge,
            HomeRecord.price_tenge,
            HomeRecord.condition,
        ).where(HomeRecord.id.in_(ids))
    )
    return {
        h.id: HomeRef.model_construct(
            id=h.id,
            external_id=h.external_id,
            kind=h.kind,
            rooms=h.rooms,
            capacity_persons=h.capacity_persons,
            rent_tenge=h.rent_tenge,
            price_tenge=h.price_tenge,
            condition=h.condition,
        )
        for h in rows
    }


def explain_rows(
    index: MatchIndex, households: HouseholdFrame, frame: pl.DataFrame
) -> list[ScoreResult]:
    """Breakdowns of many options in one vectorized evaluation (not one evaluation each)."""
    if frame.height == 0:
        return []
    options = frame.select(
        [
            pl.col(c).cast(pl.Utf8)
            for c in ("household_id", "locality_id", "home_id", "vacancy_id", "second_vacancy_id")
        ]
    )
    evaluation = index.scorer.evaluate_frame(households, options)
    return [explain(evaluation, i) for i in range(frame.height)]


def _reasons(result: ScoreResult, lang: Lang) -> tuple[list[Reason], list[Gate]]:
    # model_construct: the values come from the scorer (components already clipped to
    # [0, 1]); the response model still validates the whole answer once.
    return (
        [
            Reason.model_construct(
                name=c.name,
                value=round(c.value, 4),
                weight=round(c.weight, 4),
                reason=c.reason.get(lang),
            )
            for c in result.components
        ],
        [
            Gate.model_construct(name=g.name, passed=g.passed, reason=g.reason.get(lang))
            for g in result.gates
        ],
    )


def _options_out(
    session: Session,
    reference: ReferenceData,
    ranked: RankedOptions,
    lang: Lang,
) -> list[OptionOut]:
    rows = list(ranked.frame.iter_rows(named=True))
    explained = ranked.explained
    vac_ids = {int(r["vacancy_id"]) for r in rows} | {
        int(r["second_vacancy_id"]) for r in rows if r["second_vacancy_id"]
    }
    vacancies = _vacancy_refs(session, vac_ids)
    homes = _home_refs(session, {int(r["home_id"]) for r in rows})
    localities = {
        lid: _locality_ref(reference, lid, lang) for lid in {r["locality_id"] for r in rows}
    }
    out = []
    for rank, r in enumerate(rows, start=1):
        components = gates = None
        if rank <= len(explained):
            components, gates = _reasons(explained[rank - 1], lang)
        out.append(
            OptionOut(
                rank=rank,
                option_id=r["option_id"],
                score=round(float(r["score"]), 6),
                locality=localities[r["locality_id"]],
                home=homes[int(r["home_id"])],
                vacancy=vacancies[int(r["vacancy_id"])],
                second_vacancy=vacancies.get(int(r["second_vacancy_id"]))
                if r["second_vacancy_id"]
                else None,
                support_tenge=int(r["support_tenge"])
                if r.get("support_tenge") is not None
                else None,
                components=components,
                gates=gates,
            )
        )
    return out


def _domain_household(record: HouseholdRecord) -> Any:
    try:
        return household_to_domain(record)
    except DomainValidationError as exc:
        raise ProblemException(
            422, UNUSABLE.format(reason=exc.text.en), type_="/problems/unusable-household"
        ) from exc


@dataclass(frozen=True)
class RankedAnswer:
    """One household's ranked options with what built them (the applicant pages use it all)."""

    record: HouseholdRecord
    household: Any
    index: MatchIndex
    ranked: RankedOptions
    options: list[OptionOut]


def _ranked_answer(
    svc: MatchService,
    session: Session,
    principal: Principal,
    household_id: int,
    lang: Lang,
    rank: Callable[[MatchIndex, Any], RankedOptions],
) -> RankedAnswer:
    record = _load_household(session, principal, household_id)
    household = _domain_household(record)
    index = svc.index(session)
    # Ranking and the breakdowns of the best options come from one evaluation.
    ranked = rank(index, household)
    options = _options_out(session, svc.reference, ranked, lang)
    return RankedAnswer(record, household, index, ranked, options)


def household_matches(
    svc: MatchService,
    session: Session,
    principal: Principal,
    household_id: int,
    lang: Lang,
    *,
    top: int = 20,
    explain: int = 20,
) -> MatchesOut:
    """The best options (vacancy + home + locality) for a household, with reasons."""
    found = _ranked_answer(
        svc,
        session,
        principal,
        household_id,
        lang,
        lambda index, household: index.ranked_matches(household, top=top, explain=explain),
    )
    return MatchesOut(household_id=household_id, options=found.options)


def household_localities(
    svc: MatchService,
    session: Session,
    principal: Principal,
    household_id: int,
    lang: Lang,
    *,
    top: int = 10,
    explain: int = 10,
) -> MatchesOut:
    """The best locality for the household (its best option there) with the support in tenge."""
    found = locality_answer(svc, session, principal, household_id, lang, top=top, explain=explain)
    return MatchesOut(household_id=household_id, options=found.options)


def locality_answer(
    svc: MatchService,
    session: Session,
    principal: Principal,
    household_id: int,
    lang: Lang,
    *,
    top: int = 10,
    explain: int = 10,
) -> RankedAnswer:
    """:func:`household_localities` keeping the household, the index and the explanations."""
    return _ranked_answer(
        svc,
        session,
        principal,
        household_id,
        lang,
        lambda index, household: index.ranked_localities(
            household, top=top, explain=explain, support=svc.support
        ),
    )


def vacancy_candidates(
    svc: MatchService,
    session: Session,
    principal: Principal,
    vacancy_id: int,
    lang: Lang,
    *,
    top: int = 20,
    explain: int = 0,
) -> CandidatesOut:
    """The households that fit a vacancy best, each with its best home in that locality."""
    vacancy = session.get(VacancyRecord, vacancy_id)
    if vacancy is None:
        raise _not_found("vacancy", vacancy_id)
    principal.ensure_region(vacancy.region_code)
    index = svc.index_with_households(session)
    if str(vacancy_id) not in index.catalogue.v_row:
        # Closed or fully reserved: nobody can be offered it.
        return CandidatesOut(vacancy_id=vacancy_id, candidates=[])
    frame = index.candidates_for_vacancy(str(vacancy_id), top=top)
    rows = list(frame.iter_rows(named=True))
    hh_ids = {int(r["household_id"]) for r in rows}
    households = (
        {
            h.id: h
            for h in session.scalars(select(HouseholdRecord).where(HouseholdRecord.id.in_(hh_ids)))
        }
        if hh_ids
        else {}
    )
    homes = _home_refs(session, {int(r["home_id"]) for r in rows})
    assert index.households is not None
    explained = explain_rows(index, index.households, frame.head(explain)) if explain else []
    out = []
    for rank, r in enumerate(rows, start=1):
        hh = households[int(r["household_id"])]
        components = None
        if rank <= len(explained):
            components, _ = _reasons(explained[rank - 1], lang)
        out.append(
            CandidateOut(
                rank=rank,
                household_id=hh.id,
                external_id=hh.external_id,
                origin_region_code=hh.origin_region_code,
                persons=int(r["persons"]),
                option_id=r["option_id"],
                score=round(float(r["score"]), 6),
                locality=_locality_ref(svc.reference, r["locality_id"], lang),
                home=homes[int(r["home_id"])],
                components=components,
            )
        )
    return CandidatesOut(vacancy_id=vacancy_id, candidates=out)
