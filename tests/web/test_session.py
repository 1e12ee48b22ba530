"""Sessions, sign-in, role and region checks, CSRF and language, without a browser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.models.web import WebSessionRecord, WebUserRecord
from api.web.security import digest, hash_password, verify_password
from api.web.session import Visitor, check_csrf, require_staff
from api.web.templates import render
from matching.text import msg
from tests.web.conftest import PASSWORD, csrf_of, sign_in

pytestmark = pytest.mark.db

probe = APIRouter(prefix="/app/probe")


@probe.get("/household/{household_id}")
def _household_page(
    request: Request,
    household_id: Annotated[int, Path()],
    region: str,
    visitor: Visitor = require_staff("centre", "planner", "admin"),
) -> Response:
    visitor.ensure_household(household_id, region)
    return render(request, "error.html", {"status": 404, "detail": "household shown"})


@probe.post("/echo")
def _echo(request: Request, visitor: Visitor = require_staff()) -> Response:
    return render(request, "error.html", {"status": 404, "detail": "posted"})


@pytest.fixture
def probed(app: FastAPI) -> FastAPI:
    # A stand-in page, so the dependencies are tested before any real page uses them.
    app.include_router(probe, dependencies=[Depends(check_csrf)])
    app.router.routes.insert(0, app.router.routes.pop())  # ahead of the /app/ catch-all
    return app


def test_passwords_are_salted_scrypt_and_verify() -> None:
    first, second = hash_password("secret-one!"), hash_password("secret-one!")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("secret-one!", first)
    assert not verify_password("secret-two!", first)
    assert not verify_password("secret-one!", "garbage")


def test_sign_in_stores_only_a_digest_and_sets_a_strict_cookie(
    web: TestClient, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    user = staff_user("clerk", "centre", "61")
    token = csrf_of(web.get("/app/signin").text)
    response = web.post(
        "/app/signin",
        data={"username": "clerk", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/app/centre/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    value = web.cookies["qonys_session"]
    rows = session.scalars(select(WebSessionRecord).where(WebSessionRecord.user_id == user.id))
    assert [row.token_hash for row in rows] == [digest(value)]


def test_cookies_are_secure_off_localhost(
    app: FastAPI, staff_user: Callable[..., WebUserRecord]
) -> None:
    staff_user("clerk", "centre", "61")
    with TestClient(app, base_url="https://qonys.example.kz") as client:
        token = csrf_of(client.get("/app/signin").text)
        response = client.post(
            "/app/signin",
            data={"username": "clerk", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
    assert "Secure" in response.headers["set-cookie"]


def test_an_expired_session_sends_back_to_sign_in(
    web: TestClient, probed: FastAPI, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    staff_user("boss", "admin")
    sign_in(web, "boss")
    assert web.get("/app/probe/household/1?region=61").status_code == 200
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    session.execute(update(WebSessionRecord).values(expires_at=past))
    session.commit()
    response = web.get("/app/probe/household/1?region=61", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/app/signin?next=/app/probe/household/1%3Fregion%3D61"


def test_a_deactivated_user_is_signed_out(
    web: TestClient, probed: FastAPI, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    user = staff_user("boss", "admin")
    sign_in(web, "boss")
    # Requests expunge the identity map: change the row by statement, as another process would.
    session.execute(update(WebUserRecord).where(WebUserRecord.id == user.id).values(active=False))
    session.commit()
    assert web.get("/app/probe/household/1?region=61", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("role", "region", "household_region", "allowed"),
    [
        ("centre", "61", "61", True),
        ("centre", "61", "11", False),
        ("planner", None, "11", True),
        ("admin", None, "11", True),
    ],
)
def test_the_region_rule_is_the_apis(
    web: TestClient,
    probed: FastAPI,
    staff_user: Callable[..., WebUserRecord],
    role: str,
    region: str | None,
    household_region: str,
    allowed: bool,
) -> None:
    staff_user("someone", role, region)
    sign_in(web, "someone")
    response = web.get(f"/app/probe/household/7?region={household_region}&lang=en")
    if allowed:
        assert response.status_code == 200 and "household shown" in response.text
    else:
        assert response.status_code == 403
        # The API's own words for the refusal, and nothing of the household.
        assert "Your token gives access to region 61 only." in response.text
        assert "household shown" not in response.text


def test_a_post_without_or_with_another_sessions_csrf_token_is_refused(
    web: TestClient, probed: FastAPI, staff_user: Callable[..., WebUserRecord], app: FastAPI
) -> None:
    staff_user("boss", "admin")
    staff_user("other", "planner")
    with TestClient(app, base_url="http://127.0.0.1") as second:
        sign_in(second, "other")
        foreign = csrf_of(second.get("/app/signin").text)
    sign_in(web, "boss")
    mine = csrf_of(web.get("/app/signin").text)
    assert web.post("/app/probe/echo?lang=en", data={}).status_code == 403
    refused = web.post("/app/probe/echo?lang=en", data={"csrf_token": foreign})
    assert refused.status_code == 403 and msg("pages.error.csrf").en in refused.text
    accepted = web.post("/app/probe/echo", data={"csrf_token": mine})
    assert accepted.status_code == 200 and "posted" in accepted.text


def test_sign_out_revokes_the_row(
    web: TestClient, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    staff_user("boss", "admin")
    sign_in(web, "boss")
    token = csrf_of(web.get("/app/signin").text)
    web.post("/app/signout", data={"csrf_token": token}, follow_redirects=False)
    row = session.scalars(select(WebSessionRecord)).one()
    assert row.revoked_at is not None


def test_a_role_outside_the_page_gets_the_403_page(
    web: TestClient, probed: FastAPI, staff_user: Callable[..., WebUserRecord]
) -> None:
    @probe.get("/planners-only")
    def _only(request: Request, visitor: Visitor = require_staff("planner")) -> Response:
        return render(request, "error.html", {"status": 404, "detail": "secret"})

    probed.include_router(probe)
    probed.router.routes.insert(0, probed.router.routes.pop())
    staff_user("clerk", "centre", "61")
    sign_in(web, "clerk")
    response = web.get("/app/probe/planners-only?lang=ru")
    assert response.status_code == 403
    assert msg("pages.error.role", role="centre").ru in response.text
    assert "secret" not in response.text


def test_next_is_never_an_open_redirect(
    web: TestClient, staff_user: Callable[..., WebUserRecord]
) -> None:
    staff_user("boss", "admin")
    token = csrf_of(web.get("/app/signin").text)
    for target, expected in (("//evil.example/", "/app/planner/"), ("/app/me", "/app/me")):
        response = web.post(
            "/app/signin",
            data={"username": "boss", "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == expected
        token = csrf_of(web.get("/app/signin").text)


def test_home_redirects_by_role_and_anonymous_to_sign_in(
    web: TestClient, staff_user: Callable[..., WebUserRecord]
) -> None:
    assert web.get("/app/", follow_redirects=False).headers["location"] == "/app/signin"
    staff_user("plan", "planner")
    sign_in(web, "plan")
    assert web.get("/app/", follow_redirects=False).headers["location"] == "/app/planner/"


def test_language_is_remembered_on_the_user(
    web: TestClient, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    user = staff_user("plan", "planner")
    sign_in(web, "plan")
    web.get("/app/signin?lang=kk")
    stored = session.scalar(select(WebUserRecord.preferred_lang).where(WebUserRecord.id == user.id))
    assert stored == "kk"
    page = web.get("/app/signin", headers={"Accept-Language": "en"})
    assert '<html lang="kk">' in page.text
