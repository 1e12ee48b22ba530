"""Page sessions, who is signed in, CSRF and the page language.

Interface for page features::

    visitor: Visitor = Depends(get_visitor)            # anyone, signed in or not
    visitor: Visitor = require_staff("centre", "admin")  # sign-in redirect, 403 page by role
    visitor: Visitor = require_applicant()             # an applicant's own session
    visitor.ensure_household(household_id, region_code)  # the API's own region rule (403 page)

Every POST under ``/app/`` is checked against the session's CSRF token by :func:`check_csrf`
(``api.web.mount`` puts it on the pages' routers), so a form only needs
``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">`` (macro ``csrf()``).

The session cookie ``qonys_session`` holds a random value whose SHA-256 is the
``web_sessions`` row; sign-out revokes the row. Language: ``?lang=`` switches and is
remembered (on the user, on an applicant's session, or in the ``qonys_lang`` cookie when
nobody is signed in); otherwise the remembered one, then ``Accept-Language``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.auth.service import Principal
from api.core.deps import SessionDep
from api.core.i18n import pick_lang
from api.core.problems import ProblemException
from api.models.web import WebSessionRecord, WebUserRecord
from api.web.security import digest, new_secret, same_secret
from matching.text import LANGS, Lang, Text, msg

T = TypeVar("T")
SESSION_COOKIE = "qonys_session"
LANG_COOKIE = "qonys_lang"
CSRF_COOKIE = "qonys_csrf"
STAFF_SESSION = dt.timedelta(hours=12)
APPLICANT_SESSION = dt.timedelta(days=7)
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class SignInRequired(Exception):
    """Nobody (or the wrong kind of visitor) is signed in: the handler redirects to sign-in."""

    def __init__(self, next_path: str, applicant: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.applicant = applicant


class PageForbidden(Exception):
    """Signed in but not allowed: the handler renders the 403 page with ``detail``, no data."""

    def __init__(self, detail: Text | str | None = None) -> None:
        super().__init__(detail.en if isinstance(detail, Text) else detail)
        self.detail = detail


@dataclass(frozen=True)
class Visitor:
    """Who is looking at a page; ``role`` is None for an anonymous visitor."""

    session_id: int | None
    role: str | None
    username: str | None
    user_id: int | None
    region_code: str | None
    household_id: int | None
    csrf_token: str
    lang: Lang

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    @property
    def principal(self) -> Principal:
        """The same principal an API token would give, so the API's checks apply unchanged."""
        name = self.username or f"applicant {self.household_id}"
        return Principal(
            0, name, self.role or "", self.region_code, self.household_id, user_id=self.user_id
        )

    def ensure_region(self, *region_codes: str | None) -> None:
        _as_page(lambda: self.principal.ensure_region(*region_codes))

    def ensure_household(self, household_id: int, *region_codes: str | None) -> None:
        _as_page(lambda: self.principal.ensure_household(household_id, *region_codes))


class PageNotFound(Exception):
    """What a page shows does not exist (the API answered 404): the handler renders the 404 page."""


def as_page(call: Callable[[], T]) -> T:
    """Run a feature's service call for a page: its 403 is the refusal page (no data, the
    API's own words), its 404 the not-found page; anything else passes through."""
    try:
        return call()
    except ProblemException as exc:
        if exc.status == 403:
            raise PageForbidden(exc.detail) from None
        if exc.status == 404:
            raise PageNotFound() from None
        raise


def _as_page(check: Any) -> None:
    try:
        check()
    except ProblemException as exc:
        raise PageForbidden(exc.detail) from None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back naive (they were stored as UTC).
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _requested_lang(request: Request) -> Lang | None:
    query = request.query_params.get("lang")
    if query and query.lower() in LANGS:
        return query.lower()  # type: ignore[return-value]
    return None


def _load(db: Session, request: Request) -> tuple[WebSessionRecord, WebUserRecord | None] | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    row = db.scalars(
        select(WebSessionRecord).where(WebSessionRecord.token_hash == digest(cookie))
    ).first()
    if row is None or row.revoked_at is not None or aware(row.expires_at) <= now():
        return None
    user = None
    if row.user_id is not None:
        user = db.get(WebUserRecord, row.user_id)
        if user is None or not user.active:
            return None
    return row, user


def get_visitor(request: Request, db: SessionDep) -> Visitor:
    """The visitor of this request (cached on ``request.state``); remembers ``?lang=``."""
    cached: Visitor | None = getattr(request.state, "visitor", None)
    if cached is not None:
        return cached
    wanted = _requested_lang(request)
    found = _load(db, request)
    header = request.headers.get("accept-language")
    if found is None:
        csrf = request.cookies.get(CSRF_COOKIE) or ""
        if not csrf:
            csrf = new_secret()
            request.state.set_cookies = {**_pending(request), CSRF_COOKIE: csrf}
        remembered = request.cookies.get(LANG_COOKIE)
        if wanted is not None and wanted != remembered:
            request.state.set_cookies = {**_pending(request), LANG_COOKIE: wanted}
        lang = wanted or pick_lang(remembered, header)
        visitor = Visitor(None, None, None, None, None, None, csrf, lang)
    else:
        row, user = found
        stored = user.preferred_lang if user is not None else row.lang
        if wanted is not None and wanted != stored:
            if user is not None:
                user.preferred_lang = wanted
            else:
                row.lang = wanted
            db.commit()
        lang = wanted or pick_lang(stored, header)
        if user is not None:
            visitor = Visitor(
                row.id,
                user.role,
                user.username,
                user.id,
                user.region_code,
                None,
                row.csrf_secret,
                lang,
            )
        else:
            visitor = Visitor(
                row.id, "applicant", None, None, None, row.household_id, row.csrf_secret, lang
            )
    request.state.visitor = visitor
    return visitor


def anonymous_visitor(request: Request) -> Visitor:
    """A visitor from the cookies alone (error pages rendered before any dependency ran)."""
    remembered = _requested_lang(request) or request.cookies.get(LANG_COOKIE)
    lang = pick_lang(remembered, request.headers.get("accept-language"))
    return Visitor(None, None, None, None, None, None, request.cookies.get(CSRF_COOKIE, ""), lang)


def _pending(request: Request) -> dict[str, str]:
    return dict(getattr(request.state, "set_cookies", {}))


def apply_cookies(request: Request, response: Response) -> Response:
    """Set the cookies this request decided on (language, anonymous CSRF); used by render."""
    for name, value in _pending(request).items():
        response.set_cookie(
            name,
            value,
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
            secure=secure_cookies(request),
            path="/app",
        )
    return response


def secure_cookies(request: Request) -> bool:
    # Browsers keep Secure cookies only over https; a local http run must still sign in.
    return request.url.hostname not in _LOCAL_HOSTS


def start_session(
    db: Session,
    request: Request,
    response: Response,
    *,
    user: WebUserRecord | None = None,
    household_id: int | None = None,
    lang: Lang | None = None,
) -> None:
    """Open a session for a user or an applicant's household; commits; sets the cookie."""
    secret = new_secret()
    ttl = STAFF_SESSION if user is not None else APPLICANT_SESSION
    started = now()
    db.add(
        WebSessionRecord(
            token_hash=digest(secret),
            user_id=user.id if user is not None else None,
            household_id=household_id,
            csrf_secret=new_secret(),
            lang=lang,
            created_at=started,
            expires_at=started + ttl,
        )
    )
    _revoke_current(db, request)
    db.commit()
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )


def _revoke_current(db: Session, request: Request) -> None:
    # A new sign-in replaces the old session: a planted cookie cannot be carried over.
    found = _load(db, request)
    if found is not None:
        found[0].revoked_at = now()


def end_session(db: Session, request: Request, response: Response) -> None:
    """Revoke the current session row (it stops working at once) and drop the cookie."""
    _revoke_current(db, request)
    db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


def require_staff(*roles: str) -> Any:
    """Dependency: a signed-in staff user with one of ``roles`` (all staff roles if none)."""
    allowed = roles or ("admin", "planner", "centre")

    def _check(request: Request, visitor: Visitor = Depends(get_visitor)) -> Visitor:
        if visitor.role is None:
            raise SignInRequired(_here(request))
        if visitor.role not in allowed:
            raise PageForbidden(msg("pages.error.role", role=visitor.role))
        return visitor

    return Depends(_check)


def require_applicant() -> Any:
    """Dependency: an applicant signed in through their access link."""

    def _check(request: Request, visitor: Visitor = Depends(get_visitor)) -> Visitor:
        if visitor.role is None:
            raise SignInRequired(_here(request), applicant=True)
        if visitor.role != "applicant":
            raise PageForbidden(msg("pages.error.applicant_only"))
        return visitor

    return Depends(_check)


def _here(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


async def check_csrf(request: Request, visitor: Visitor = Depends(get_visitor)) -> None:
    """Refuse a POST whose ``csrf_token`` field is not this session's token (403 page)."""
    if request.method != "POST":
        return
    form = await request.form()  # Starlette caches it: the route's Form fields still parse
    sent = form.get("csrf_token")
    if not same_secret(sent if isinstance(sent, str) else None, visitor.csrf_token):
        raise PageForbidden(msg("pages.error.csrf"))
