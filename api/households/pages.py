"""Employment-centre pages for households: find, register, edit, and see one with its matches.

Every page calls the households and matches services, the same functions the API routes
call, with the visitor's principal: a centre clerk sees and edits exactly what their API token
would (their own region), and the API's refusals become the 403 page.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from api.applicants.service import applicant_overview
from api.core.deps import SessionDep
from api.core.lookups import reference_of
from api.core.pagination import Paging
from api.core.params import IdPath
from api.core.problems import ProblemException
from api.households import form as hf
from api.households.schemas import HouseholdIn, HouseholdOut, HouseholdPatch
from api.households.service import create, household_out, list_households, load, update
from api.matches.service import (
    MatchesOut,
    household_localities,
    household_matches,
    match_service,
)
from api.taxonomy.service import Author, TaxonomyService, label_of, learn_from_pick
from api.web.forms import FormState, field_name
from api.web.session import Visitor, as_page, require_staff
from api.web.signin import redirect
from api.web.templates import register_nav, register_templates, render, translate
from matching import domain
from matching.programme.geography import UnknownLocalityError
from matching.text import Text

register_templates("households", Path(__file__).with_name("templates") / "households")
register_nav("centre.nav.households", "/app/centre/", roles=("centre", "admin"), order=10)
router = APIRouter(prefix="/app/centre", include_in_schema=False)

CLERKS = ("centre", "admin")
SearchQuery = Annotated[str | None, Query(max_length=100)]


def vocabularies(request: Request) -> dict[str, Any]:
    """The choices a household form offers (the domain's own vocabularies)."""
    reference = reference_of(request)
    version = reference.default_programme_version(dt.date.today().year).programme_version
    return {
        "v": domain,
        "licences": domain.LICENCES,
        "health_needs": hf.HEALTH_NEEDS,
        "spoken": hf.SPOKEN,
        "origin_regions": reference.regions_with_role(version, "origin"),
        "destination_regions": reference.regions_with_role(version, "destination"),
        "region_name": lambda code: reference.region(code).name(_lang(request)),
    }


def _lang(request: Request) -> Any:
    return request.state.visitor.lang


def _taxonomy(request: Request) -> TaxonomyService:
    svc: TaxonomyService = request.app.state.taxonomy
    return svc


@router.get("/")
def home(
    request: Request,
    session: SessionDep,
    q: SearchQuery = None,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    principal = visitor.principal
    found = None
    if q and q.strip():
        found = list_households(request, session, principal, Paging(1, 50), q=q.strip())
    recent = list_households(request, session, principal, Paging(1, 10))
    region = visitor.region_code
    context = {"q": q or "", "found": found, "recent": recent, **vocabularies(request)}
    context["region"] = region
    return render(request, "households/home.html", context)


def _form_page(
    request: Request, state: FormState, household: HouseholdOut | None, status: int = 200
) -> Response:
    slots = max(1, hf.member_count(state))
    if state.values.get("action") == "add_member":
        slots += 1
    context = {"form": state, "household": household, "slots": slots, "hf": hf}
    return render(request, "households/form.html", {**context, **vocabularies(request)}, status)


@router.get("/households/new")
def new_household(request: Request, visitor: Visitor = require_staff(*CLERKS)) -> Response:
    region = visitor.region_code or ""
    case = f"{region or 'KZ'}-{dt.date.today():%Y%m%d}-{secrets.token_hex(2).upper()}"
    state = FormState(hf.new_values(region, dt.date.today(), case))
    return _form_page(request, state, None)


def _submitted(request: Request, form: Any, visitor: Visitor) -> FormState:
    state = FormState.of(form)
    state.values = hf.compact(state.values)
    if visitor.region_code:
        # A clerk registers for their own centre; a forged region meets the API's own check.
        state.values.setdefault("origin_region", visitor.region_code)
    return state


def _save(
    request: Request,
    session: Any,
    state: FormState,
    visitor: Visitor,
    save: Callable[[dict[str, Any]], HouseholdOut],
) -> HouseholdOut | None:
    """Validate like the API and save; on any error the state holds the messages.

    Once saved, each autocomplete pick the normalizer answers differently for the typed
    title is recorded as a correction for an admin to review.
    """
    svc = _taxonomy(request)
    svc.refresh(session)
    picks: list[hf.Pick] = []
    body = hf.to_body(state, svc, visitor.lang, picks)
    if state.errors:
        return None
    try:
        saved = as_page(lambda: save(body))
        _learn(session, svc, visitor, picks)
        return saved
    except ValidationError as exc:
        state.add_validation(exc, visitor.lang)
    except ProblemException as exc:
        state.add_problem(exc, visitor.lang)
        if len(exc.errors or []) == 1 and isinstance(exc.detail, Text):
            # One field at fault: the API's translated detail is the message for it.
            only = (exc.errors or [])[0]
            state.errors[field_name(only.get("loc", ()))] = exc.detail.get(visitor.lang)
    return None


def _learn(session: Any, svc: TaxonomyService, visitor: Visitor, picks: list[hf.Pick]) -> None:
    author = Author(visitor.role or "", visitor.username or "", user_id=visitor.user_id)
    for pick in picks:
        learn_from_pick(
            session, svc, author, typed=pick.typed, kind=pick.kind, code=pick.code,
            ui_lang=visitor.lang,
        )  # fmt: skip
    if picks:
        session.commit()


async def _submit(
    request: Request,
    session: Any,
    visitor: Visitor,
    household: HouseholdOut | None,
    save: Callable[[dict[str, Any]], HouseholdOut],
) -> Response:
    """A posted form: another member row, or a save (then the household page or the errors)."""
    state = _submitted(request, await request.form(), visitor)
    if state.values.get("action") == "add_member":
        return _form_page(request, state, household)
    saved = _save(request, session, state, visitor, save)
    if saved is None:
        hf.place_errors(state, hf.shown_fields(state, max(1, hf.member_count(state))))
        return _form_page(request, state, household, status=422)
    return redirect(request, f"/app/centre/households/{saved.id}?saved=1")


@router.post("/households/new")
async def create_household(
    request: Request, session: SessionDep, visitor: Visitor = require_staff(*CLERKS)
) -> Response:
    return await _submit(
        request,
        session,
        visitor,
        None,
        lambda body: create(request, session, visitor.principal, HouseholdIn.model_validate(body)),
    )


def _readable(request: Request, session: Any, visitor: Visitor, household_id: int) -> HouseholdOut:
    record = as_page(lambda: load(session, household_id))
    # The API's read rule (a centre: its own region) before anything is shown.
    visitor.ensure_household(record.id, record.origin_region_code)
    return household_out(record)


@router.get("/households/{household_id}")
def household_page(
    request: Request,
    session: SessionDep,
    household_id: IdPath,
    saved: int = 0,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    household = _readable(request, session, visitor, household_id)
    matches, problem = _ranked(request, session, visitor, household_id, household_matches)
    messages = [{"kind": "ok", "text": _t(visitor, "centre.form.saved")}] if saved else []
    context = {"household": household, "matches": matches, "problem": problem}
    context |= {"messages": messages, "labels": _labels(request, household, visitor)}
    context |= _applicant_context(request, session, household_id, visitor)
    return render(request, "households/household.html", {**context, **vocabularies(request)})


def _applicant_context(
    request: Request, session: Any, household_id: int, visitor: Visitor
) -> dict[str, Any]:
    """The applicant block: sign-in links and decisions, localities named in the page's language."""
    reference = request.app.state.reference

    def locality_name(locality_id: str) -> str:
        try:
            return str(reference.locality(locality_id).name(visitor.lang))
        except UnknownLocalityError:  # a locality gone from the reference data keeps its id
            return locality_id

    return {"applicant": applicant_overview(session, household_id), "locality_name": locality_name}


def _ranked(
    request: Request,
    session: Any,
    visitor: Visitor,
    household_id: int,
    answer: Callable[..., MatchesOut],
) -> tuple[MatchesOut | None, str | None]:
    """The five best options with reasons, or the API's words for why there can be none."""
    svc = match_service(request)
    try:
        found = answer(
            svc, session, visitor.principal, household_id, visitor.lang, top=5, explain=5
        )
    except ProblemException as exc:
        if exc.status != 422:  # incomplete data: said on the page; anything else is an error
            raise
        detail = exc.detail
        return None, detail.get(visitor.lang) if isinstance(detail, Text) else detail
    return found, None


def _labels(request: Request, household: HouseholdOut, visitor: Visitor) -> dict[str, str]:
    """Titles of the occupation and skill codes the household's members carry."""
    svc = _taxonomy(request)
    codes = {e.occupation for m in household.members for e in m.experience}
    codes |= {s for m in household.members for s in m.skills}
    return {c: label_of(svc, c, visitor.lang) or c for c in codes}


@router.get("/households/{household_id}/localities")
def localities_page(
    request: Request,
    session: SessionDep,
    household_id: IdPath,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    household = _readable(request, session, visitor, household_id)
    found, problem = _ranked(request, session, visitor, household_id, household_localities)
    context = {"household": household, "matches": found, "problem": problem}
    return render(request, "households/localities.html", {**context, **vocabularies(request)})


@router.get("/households/{household_id}/edit")
def edit_household(
    request: Request,
    session: SessionDep,
    household_id: IdPath,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    household = _readable(request, session, visitor, household_id)
    state = FormState(hf.from_household(household, _taxonomy(request), visitor.lang))
    return _form_page(request, state, household)


@router.post("/households/{household_id}/edit")
async def save_household(
    request: Request,
    session: SessionDep,
    household_id: IdPath,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    household = _readable(request, session, visitor, household_id)
    return await _submit(
        request,
        session,
        visitor,
        household,
        lambda body: update(
            request, session, visitor.principal, household_id, HouseholdPatch.model_validate(body)
        ),
    )


def _t(visitor: Visitor, key: str) -> str:
    return translate(visitor.lang, key)
