"""Ranked matches with reasons, as answers: options and localities for a household, households
for a vacancy. The API routes and the centre pages call these same functions, so a page shows
exactly what the API answers (and refuses what it refuses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.problems import ProblemException
from api.households.service import household_to_domain, household_with_members
from api.matches.display import home_data, home_rows, locality_data
from api.matches.schemas import (
    CandidateOut,
    CandidatesOut,
    MatchesOut,
    OptionOut,
)
from api.models import HouseholdRecord, VacancyRecord
from matching.domain import DomainValidationError
from matching.ranking import MatchIndex, RankedOptions
from matching.scoring.features import HouseholdFrame
from matching.scoring.scorer import ScoreResult, explain
from matching.text import Lang, Text

if TYPE_CHECKING:
    from api.auth.service import Principal
    from api.matches.service import BuiltIndex, MatchService

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


def _load_household(session: Session, principal: Principal, household_id: int) -> HouseholdRecord:
    record = household_with_members(session, household_id)
    if record is None:
        raise _not_found("household", household_id)
    principal.ensure_household(household_id, record.origin_region_code)
    return record


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


def _reasons(result: ScoreResult, lang: Lang) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Components and gates of one option as the response's plain data (``Reason``, ``Gate``)."""
    return (
        [
            {
                "name": c.name,
                "value": round(c.value, 4),
                "weight": round(c.weight, 4),
                "reason": c.reason.get(lang),
            }
            for c in result.components
        ],
        [{"name": g.name, "passed": g.passed, "reason": g.reason.get(lang)} for g in result.gates],
    )


def _options_data(
    session: Session,
    built: BuiltIndex,
    ranked: RankedOptions,
    lang: Lang,
) -> list[dict[str, Any]]:
    """The answer's options as plain data (the shape of ``OptionOut``), straight from the
    ranked index rows: no frame, no model objects. The response model validates them once
    (in Rust) on the way out, which costs less than building the models here."""
    index, display, rows = built.index, built.display, ranked.rows
    explained = ranked.explained
    vacancy_rows = rows.vacancy.tolist()
    second_rows = rows.second_vacancy.tolist()
    home_rows = rows.home.tolist()
    vacancies = display.vacancies_at(
        session, index, {*vacancy_rows, *(v for v in second_rows if v >= 0)}
    )
    homes = display.homes_at(session, index, set(home_rows))
    household_ids = rows.households.ids
    support = rows.support_tenge.tolist() if rows.support_tenge is not None else None
    out = []
    for i, (h, loc, home, v, v2, score) in enumerate(
        zip(
            rows.household.tolist(),
            rows.locality.tolist(),
            home_rows,
            vacancy_rows,
            second_rows,
            rows.score.tolist(),
            strict=True,
        )  # fmt: skip
    ):
        components = gates = None
        if i < len(explained):
            components, gates = _reasons(explained[i], lang)
        option_id = f"{household_ids[h]}|{index.vacancy_ids[v]}|{index.home_ids[home]}"
        out.append(
            {
                "rank": i + 1,
                "option_id": f"{option_id}|{index.vacancy_ids[v2]}" if v2 >= 0 else option_id,
                "score": round(score, 6),
                "locality": display.locality_at(index.locality_ids[loc], lang),
                "home": homes[home],
                "vacancy": vacancies[v],
                "second_vacancy": vacancies[v2] if v2 >= 0 else None,
                "support_tenge": support[i] if support is not None else None,
                "components": components,
                "gates": gates,
            }
        )
    return out


def _domain_household(record: HouseholdRecord) -> Any:
    try:
        return household_to_domain(record)
    except DomainValidationError as exc:
        raise ProblemException(
            422, UNUSABLE.format(reason=exc.text.en), type_="/problems/unusable-household"
        ) from exc


_OPTIONS = TypeAdapter(list[OptionOut])


@dataclass(frozen=True)
class RankedAnswer:
    """One household's ranked options with what built them (the applicant pages use it all).

    ``data`` are the options as plain data (what the API sends); ``options`` the same
    validated into models, built on first use (the pages read them).
    """

    record: HouseholdRecord
    household: Any
    index: MatchIndex
    ranked: RankedOptions
    data: list[dict[str, Any]]

    @cached_property
    def options(self) -> list[OptionOut]:
        return _OPTIONS.validate_python(self.data)


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
    built = svc.built(session)
    # Ranking and the breakdowns of the best options come from one evaluation.
    ranked = rank(built.index, household)
    data = _options_data(session, built, ranked, lang)
    return RankedAnswer(record, household, built.index, ranked, data)


def matches_answer(
    svc: MatchService,
    session: Session,
    principal: Principal,
    household_id: int,
    lang: Lang,
    *,
    top: int = 20,
    explain: int = 20,
) -> RankedAnswer:
    """The best options (vacancy + home + locality) for a household, with reasons."""
    return _ranked_answer(
        svc,
        session,
        principal,
        household_id,
        lang,
        lambda index, household: index.ranked_matches(household, top=top, explain=explain),
    )


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
    """The best locality for the household (its best option there) with the support in
    tenge, keeping the household, the index and the explanations."""
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
    """:func:`matches_answer` as a validated model (the pages)."""
    found = matches_answer(svc, session, principal, household_id, lang, top=top, explain=explain)
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
    """:func:`locality_answer` as a validated model (the pages)."""
    found = locality_answer(svc, session, principal, household_id, lang, top=top, explain=explain)
    return MatchesOut(household_id=household_id, options=found.options)


def answer_body(found: RankedAnswer, household_id: int) -> dict[str, Any]:
    """An answer as the routes send it: plain data that their ``MatchesOut`` response model
    validates and serializes."""
    return {"household_id": household_id, "options": found.data}


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
    homes = {int(r[0]): home_data(r) for r in home_rows(session, {int(r["home_id"]) for r in rows})}
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
                locality=locality_data(svc.reference, r["locality_id"], lang),
                home=homes[int(r["home_id"])],
                components=components,
            )
        )
    return CandidatesOut(vacancy_id=vacancy_id, candidates=out)
