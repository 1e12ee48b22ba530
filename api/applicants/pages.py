"""The applicant's pages: the access link, consent, suggestions, accept or decline.

``/app/link/{token}`` shows the link's state and a button; only the button's POST spends the
link and opens a session (the token leaves the address at once), so a messenger's preview
fetch does not use it up; ``/app/consent`` asks for consent once; ``/app/me`` lists the suggestions;
``/app/me/localities/{id}`` shows one and takes the decision.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from starlette.responses import Response

from api.applicants import service as rules
from api.applicants.suggestions import Suggestion, suggestions_for
from api.core.deps import SessionDep
from api.matches.service import match_service
from api.models import HouseholdRecord
from api.models.applicants import DECLINE_REASONS
from api.web.forms import FormState
from api.web.session import Visitor, get_visitor, require_applicant, start_session
from api.web.signin import redirect
from api.web.templates import register_templates, render, translate

router = APIRouter(prefix="/app", include_in_schema=False)
register_templates("applicants", Path(__file__).with_name("templates"))

LINK_STATUS = {"unknown": 404, "used": 410, "revoked": 410, "expired": 410}


def _link_failed(request: Request, state: str) -> Response:
    return render(request, "applicants/link_failed.html", {"state": state}, LINK_STATUS[state])


@router.get("/link/{token}")
def link_page(
    request: Request,
    db: SessionDep,
    token: Annotated[str, PathParam(max_length=200)],
) -> Response:
    try:
        rules.check_link(db, token)
    except rules.LinkUnusable as exc:
        response = _link_failed(request, exc.state)
    else:
        response = render(request, "applicants/link_open.html", {"action": request.url.path})
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/link/{token}")
def open_link(
    request: Request,
    db: SessionDep,
    token: Annotated[str, PathParam(max_length=200)],
) -> Response:
    visitor = get_visitor(request, db)
    try:
        household_id = rules.exchange_link(db, token)
    except rules.LinkUnusable as exc:
        db.rollback()
        response = _link_failed(request, exc.state)
    else:
        # A 303 to a clean address: the token is neither in the history nor in a Referer.
        response = redirect(request, "/app/me")
        start_session(db, request, response, household_id=household_id, lang=visitor.lang)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/consent")
def consent_page(request: Request, visitor: Visitor = require_applicant()) -> Response:
    return render(request, "applicants/consent.html", {"form": FormState()})


@router.post("/consent")
def give_consent(
    request: Request,
    db: SessionDep,
    visitor: Visitor = require_applicant(),
    agree: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    assert visitor.household_id is not None
    if agree != "yes":
        form = FormState()
        form.add("agree", translate(visitor.lang, "applicant.consent.must_agree"))
        return render(request, "applicants/consent.html", {"form": form}, status=422)
    rules.give_consent(db, visitor.household_id, visitor.lang, actor=visitor.principal)
    db.commit()
    return redirect(request, "/app/me")


def _consented(request: Request, db: SessionDep, visitor: Visitor) -> Response | None:
    assert visitor.household_id is not None
    if rules.has_consent(db, visitor.household_id):
        return None
    return redirect(request, "/app/consent")


def _members(record: HouseholdRecord) -> list[tuple[str, int]]:
    counts = Counter(m.relation for m in record.members)
    order = ("applicant", "spouse", "child", "parent", "sibling", "other")
    return [(relation, counts[relation]) for relation in order if counts[relation]]


def _with_decisions(db: SessionDep, household_id: int, items: list[Suggestion]) -> None:
    latest = rules.current_decisions(db, household_id)
    for item in items:
        item.decision = latest.get(item.locality_id)


@router.get("/me")
def my_suggestions(
    request: Request, db: SessionDep, visitor: Visitor = require_applicant()
) -> Response:
    gate = _consented(request, db, visitor)
    if gate is not None:
        return gate
    assert visitor.household_id is not None
    record, items = suggestions_for(
        request, db, visitor.principal, visitor.household_id, visitor.lang
    )
    _with_decisions(db, visitor.household_id, items)
    return render(
        request,
        "applicants/me.html",
        {
            "household": record,
            "members": _members(record),
            "suggestions": items,
            "origin_region": match_service(request)
            .reference.region(record.origin_region_code)
            .name(visitor.lang),
        },
    )


def _one(request: Request, db: SessionDep, visitor: Visitor, locality_id: str) -> Suggestion | None:
    assert visitor.household_id is not None
    _, items = suggestions_for(request, db, visitor.principal, visitor.household_id, visitor.lang)
    _with_decisions(db, visitor.household_id, items)
    return next((item for item in items if item.locality_id == locality_id), None)


def _detail(
    request: Request, item: Suggestion, form: FormState, status: int = 200, saved: bool = False
) -> Response:
    return render(
        request,
        "applicants/suggestion.html",
        {"s": item, "form": form, "reasons": DECLINE_REASONS, "saved": saved},
        status=status,
    )


@router.get("/me/localities/{locality_id}")
def suggestion_page(
    request: Request,
    db: SessionDep,
    locality_id: Annotated[str, PathParam(max_length=64)],
    saved: bool = False,
    visitor: Visitor = require_applicant(),
) -> Response:
    gate = _consented(request, db, visitor)
    if gate is not None:
        return gate
    item = _one(request, db, visitor, locality_id)
    if item is None:
        return render(request, "error.html", {"status": 404, "detail": None}, status=404)
    return _detail(request, item, FormState(), saved=saved)


@router.post("/me/localities/{locality_id}/decision")
def decide(
    request: Request,
    db: SessionDep,
    locality_id: Annotated[str, PathParam(max_length=64)],
    visitor: Visitor = require_applicant(),
    decision: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    gate = _consented(request, db, visitor)
    if gate is not None:
        return gate
    assert visitor.household_id is not None
    _, items = suggestions_for(request, db, visitor.principal, visitor.household_id, visitor.lang)
    try:
        rules.record_decision(
            db,
            visitor.household_id,
            locality_id,
            decision,
            reason or None,
            allowed_localities=[item.locality_id for item in items],
            actor=visitor.principal,
        )
    except rules.InvalidDecision as exc:
        db.rollback()
        item = next((i for i in items if i.locality_id == locality_id), None)
        if item is None:
            return render(request, "error.html", {"status": 404, "detail": None}, status=404)
        _with_decisions(db, visitor.household_id, [item])
        form = FormState({"decision": decision, "reason": reason})
        form.add(exc.field, translate(visitor.lang, f"applicant.decision.invalid_{exc.field}"))
        return _detail(request, item, form, status=422)
    db.commit()
    return redirect(request, f"/app/me/localities/{locality_id}?saved=1")
