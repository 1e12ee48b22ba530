"""Ranked matches with reasons: options and localities for a household, households for a vacancy.

The answers are built in :mod:`api.matches.answers`, which the centre pages call too. The
two per-household routes are async and hand the whole answer to one worker thread: a sync
route also sends its response's validation to a worker thread, a second round trip.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth.service import Principal, require_roles
from api.core.deps import LangDep, SessionDep
from api.core.params import IdPath
from api.core.problems import problem_responses
from api.matches import answers
from api.matches.schemas import CandidatesOut, MatchesOut
from api.matches.service import match_service

router = APIRouter(tags=["matching"])

READERS = require_roles("admin", "planner", "centre", "applicant")
STAFF = require_roles("admin", "planner", "centre")


ExplainQuery = Annotated[
    int,
    Query(
        ge=0, le=50, description="Explain this many of the best results (components and reasons)."
    ),
]


@router.get(
    "/households/{household_id}/matches",
    response_model=MatchesOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def household_matches(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    household_id: IdPath,
    principal: Principal = READERS,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
    explain: ExplainQuery = 20,
) -> MatchesOut:
    """The best options (vacancy + home + locality) for a household, with reasons."""
    found = await run_in_threadpool(
        answers.matches_answer,
        match_service(request), session, principal, household_id, lang, top=top, explain=explain,
    )  # fmt: skip
    return answers.answer_body(found, household_id)  # type: ignore[return-value]


@router.get(
    "/households/{household_id}/localities",
    response_model=MatchesOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def household_localities(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    household_id: IdPath,
    principal: Principal = READERS,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
    explain: ExplainQuery = 10,
) -> MatchesOut:
    """The best locality for the household (its best option there) with the support in tenge."""
    found = await run_in_threadpool(
        answers.locality_answer,
        match_service(request), session, principal, household_id, lang, top=top, explain=explain,
    )  # fmt: skip
    return answers.answer_body(found, household_id)  # type: ignore[return-value]


@router.get(
    "/vacancies/{vacancy_id}/candidates",
    response_model=CandidatesOut,
    responses=problem_responses(401, 403, 404),
)
def vacancy_candidates(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    vacancy_id: IdPath,
    principal: Principal = STAFF,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
    explain: ExplainQuery = 0,
) -> CandidatesOut:
    """The households that fit a vacancy best, each with its best home in that locality."""
    return answers.vacancy_candidates(
        match_service(request), session, principal, vacancy_id, lang, top=top, explain=explain
    )
