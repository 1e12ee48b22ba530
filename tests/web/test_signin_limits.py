"""Failed page sign-ins: limited per address and per username, reset when the window passes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.core.ratelimit import FailureLimiter
from api.models.web import WebUserRecord
from tests.api.test_tokens import FakeClock
from tests.web.conftest import PASSWORD, csrf_of


def _attempt(client: TestClient, username: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/app/signin").text)
    return client.post(
        "/app/signin",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_signin_is_refused_after_failures_then_allowed_again(
    app: FastAPI, web: TestClient, staff_user: Callable[..., WebUserRecord]
) -> None:
    staff_user("aigerim", "planner")
    clock = FakeClock()
    app.state.failures = FailureLimiter(3, 900, clock=clock)
    for _ in range(3):
        assert _attempt(web, "aigerim", "wrong password").status_code == 401
    # The right password too: a guesser who hit the limit learns nothing more.
    refused = _attempt(web, "aigerim", PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 900
    clock.now += 901
    assert _attempt(web, "aigerim", PASSWORD).status_code == 303


def test_signin_limit_per_username_holds_across_addresses(
    app: FastAPI, staff_user: Callable[..., WebUserRecord]
) -> None:
    staff_user("aigerim", "planner")
    staff_user("bolat", "planner")
    app.state.failures = FailureLimiter(2, 900, clock=FakeClock())
    for n in range(2):
        with TestClient(app, base_url="http://127.0.0.1", client=(f"10.0.0.{n}", 1)) as c:
            assert _attempt(c, "aigerim", "wrong password").status_code == 401
    with TestClient(app, base_url="http://127.0.0.1", client=("10.0.0.9", 1)) as fresh:
        page = _attempt(fresh, "aigerim", PASSWORD)
        assert page.status_code == 429
        assert "Try again in" in page.text or "Повторите через" in page.text
        # Another user from a clean address signs in as usual.
        assert _attempt(fresh, "bolat", PASSWORD).status_code == 303
