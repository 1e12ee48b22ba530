"""Staff sign-in and sign-out, and ``GET /app/`` sending each visitor to their home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from api.auth.service import client_address
from api.core.deps import SessionDep
from api.core.ratelimit import FailureLimiter
from api.models.web import WebUserRecord
from api.web.forms import FormState
from api.web.security import hash_password, verify_password
from api.web.session import Visitor, apply_cookies, end_session, get_visitor, start_session
from api.web.templates import render

router = APIRouter(prefix="/app", include_in_schema=False)

HOME_BY_ROLE = {
    "applicant": "/app/me",
    "centre": "/app/centre/",
    "planner": "/app/planner/",
    "admin": "/app/planner/",
}
# Checked against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = hash_password("qonys-no-such-user")


def redirect(request: Request, url: str) -> Response:
    """A 303 See Other (the browser GETs ``url``) carrying this request's pending cookies."""
    return apply_cookies(request, RedirectResponse(url, status_code=303))


def safe_next(target: str | None) -> str | None:
    # Only paths of the pages themselves: never an open redirect to another site.
    if target and target.startswith("/app/") and not target.startswith("//"):
        return target
    return None


@router.get("/")
def home(request: Request, visitor: Annotated[Visitor, Depends(get_visitor)]) -> Response:
    if visitor.role is None:
        return redirect(request, "/app/signin")
    return redirect(request, HOME_BY_ROLE[visitor.role])


@router.get("/signin")
def signin_page(
    request: Request, visitor: Annotated[Visitor, Depends(get_visitor)], next: str | None = None
) -> Response:
    form = FormState({"next": safe_next(next) or ""})
    return render(request, "signin.html", {"form": form})


@router.post("/signin")
def signin(
    request: Request,
    db: SessionDep,
    visitor: Annotated[Visitor, Depends(get_visitor)],
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    form = FormState({"username": username, "next": safe_next(next) or ""})
    if not username.strip():
        form.add("username", _t(visitor, "pages.signin.need_username"))
    if not password:
        form.add("password", _t(visitor, "pages.signin.need_password"))
    if form.errors:
        return render(request, "signin.html", {"form": form}, status=422)
    # Per address and per username, checked before the password: a blocked guesser learns
    # nothing, and a spread-out guesser is still slowed on each name it tries.
    keys = (
        ("signin-address", client_address(request)),
        ("signin-user", username.strip().casefold()),
    )
    limiter: FailureLimiter = request.app.state.failures
    wait = limiter.retry_after(*keys)
    if wait is not None:
        form.summary = _t(visitor, "pages.signin.too_many", seconds=wait)
        response = render(request, "signin.html", {"form": form}, status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = db.scalars(
        select(WebUserRecord).where(WebUserRecord.username == username.strip())
    ).first()
    valid = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not valid or not user.active:
        limiter.fail(*keys)
        form.summary = _t(visitor, "pages.signin.failed")
        return render(request, "signin.html", {"form": form}, status=401)
    response = redirect(request, safe_next(next) or HOME_BY_ROLE[user.role])
    start_session(db, request, response, user=user)
    if user.preferred_lang is None:
        # The language chosen before signing in becomes the user's.
        user.preferred_lang = visitor.lang
        db.commit()
    return response


@router.post("/signout")
def signout(request: Request, db: SessionDep) -> Response:
    response = redirect(request, "/app/signin")
    end_session(db, request, response)
    return response


def _t(visitor: Visitor, key: str, **values: object) -> str:
    from api.web.templates import translate

    return translate(visitor.lang, key, **values)
