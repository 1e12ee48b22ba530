"""Token expiry, listing and revocation by holder, and the limit on failed bearer tokens."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.service import issue_token
from api.core.ratelimit import FailureLimiter
from api.models import ApiTokenRecord
from tests.api.test_reference_api import assert_problem


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class FakeClock:
    """Seconds that move only when a test says so: windows are tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_expired_token_is_a_401_in_three_languages(client: TestClient, session: Session) -> None:
    secret = issue_token(session, name="old", role="planner", lifetime=dt.timedelta(seconds=-1))
    for lang, word in (("en", "expired"), ("ru", "истёк"), ("kk", "мерзімі")):
        body = assert_problem(client.get(f"/households?lang={lang}", headers=bearer(secret)), 401)
        assert body["type"] == "/problems/token-expired" and word in body["detail"]
    fresh = issue_token(session, name="new", role="planner", lifetime=dt.timedelta(days=1))
    assert client.get("/households", headers=bearer(fresh)).status_code == 200


def test_new_tokens_expire_after_the_configured_lifetime(
    client: TestClient, session: Session
) -> None:
    admin = bearer(issue_token(session, name="boss", role="admin"))
    made = client.post("/tokens", json={"name": "n", "role": "planner"}, headers=admin).json()
    lifetime = dt.datetime.fromisoformat(made["expires_at"]) - dt.datetime.fromisoformat(
        made["created_at"]
    )
    assert abs(lifetime - dt.timedelta(days=90)) < dt.timedelta(minutes=1)
    short = client.post(
        "/tokens", json={"name": "n", "role": "planner", "expires_in_days": 2}, headers=admin
    ).json()
    left = dt.datetime.fromisoformat(short["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=1, hours=23) < left <= dt.timedelta(days=2)
    assert_problem(
        client.post(
            "/tokens", json={"name": "n", "role": "planner", "expires_in_days": 0}, headers=admin
        ),
        422,
    )


def test_admin_lists_all_and_filters_others_list_their_own(
    client: TestClient, session: Session
) -> None:
    admin = bearer(issue_token(session, name="boss", role="admin"))
    mine = bearer(issue_token(session, name="aigerim", role="centre", region_code="61"))
    issue_token(session, name="aigerim", role="centre", region_code="61")
    issue_token(session, name="someone else", role="planner")
    everyone = {t["name"] for t in client.get("/tokens", headers=admin).json()}
    assert {"boss", "aigerim", "someone else"} <= everyone
    only = client.get("/tokens?name=aigerim", headers=admin).json()
    assert len(only) == 2 and {t["name"] for t in only} == {"aigerim"}
    assert {t["role"] for t in client.get("/tokens?role=planner", headers=admin).json()} == {
        "planner"
    }
    own = client.get("/tokens", headers=mine).json()
    assert len(own) == 2 and {t["name"] for t in own} == {"aigerim"}
    # A filter cannot widen what a non-admin sees.
    assert client.get("/tokens?name=someone%20else", headers=mine).json() == []


def test_holders_revoke_their_own_tokens_only(client: TestClient, session: Session) -> None:
    secret = issue_token(session, name="aigerim", role="planner")
    spare = issue_token(session, name="aigerim", role="planner")
    other = issue_token(session, name="other", role="planner")
    ids = {
        r.name + str(i): r.id
        for i, r in enumerate(
            session.scalars(select(ApiTokenRecord).order_by(ApiTokenRecord.id)).all()[-3:]
        )
    }
    spare_id, other_id = ids["aigerim1"], ids["other2"]
    assert_problem(client.delete(f"/tokens/{other_id}", headers=bearer(secret)), 404)
    assert client.get("/households", headers=bearer(other)).status_code == 200
    assert client.delete(f"/tokens/{spare_id}", headers=bearer(secret)).status_code == 204
    assert_problem(client.get("/households", headers=bearer(spare)), 401)
    listed = {t["id"]: t for t in client.get("/tokens", headers=bearer(secret)).json()}
    assert listed[spare_id]["revoked_at"] is not None
    active = client.get("/tokens?active=true", headers=bearer(secret)).json()
    assert spare_id not in {t["id"] for t in active}


def test_failed_bearer_tokens_are_limited_per_address_then_reset(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    clock = FakeClock()
    app.state.failures = FailureLimiter(3, 60, clock=clock)
    good = bearer(issue_token(session, name="ok", role="planner"))
    for n in range(3):
        assert_problem(client.get("/households", headers=bearer(f"guess-{n}-xxxxxxxx")), 401)
    blocked = assert_problem(client.get("/households", headers=bearer("guess-9")), 429)
    assert blocked["type"] == "/problems/too-many-failures"
    response = client.get("/households", headers=good)  # the address is blocked, whatever token
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 60
    clock.now += 61
    assert client.get("/households", headers=good).status_code == 200
    assert_problem(client.get("/households", headers=bearer("guess-10")), 401)


def test_failed_bearer_tokens_are_limited_per_token_prefix(
    app: FastAPI, client: TestClient
) -> None:
    app.state.failures = FailureLimiter(2, 60, clock=FakeClock())
    for n in range(2):
        assert_problem(client.get("/households", headers=bearer(f"qn_SAMEx-{n}")), 401)
    # From another address (its own count is clear) the same prefix is still refused...
    with TestClient(app, client=("10.9.9.9", 5000), raise_server_exceptions=False) as elsewhere:
        assert_problem(elsewhere.get("/households", headers=bearer("qn_SAMEx-other")), 429)
        # ...and another prefix is only wrong.
        assert_problem(elsewhere.get("/households", headers=bearer("qn_DIFFx-other")), 401)


def test_limiter_window_slides() -> None:
    clock = FakeClock()
    limiter = FailureLimiter(2, 10, clock=clock)
    limiter.fail(("k", "a"))
    clock.now += 6
    limiter.fail(("k", "a"))
    assert limiter.retry_after(("k", "a")) == 4  # the first failure leaves the window in 4 s
    clock.now += 4
    assert limiter.retry_after(("k", "a")) is None
    assert limiter.retry_after(("k", "b")) is None
