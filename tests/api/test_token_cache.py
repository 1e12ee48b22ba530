"""Valid bearer tokens remembered for a few seconds: what revocation and expiry then mean."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from api.auth.service import issue_token, now
from api.auth.token_cache import TokenCache
from api.models import ApiTokenRecord
from tests.api.test_reference_api import assert_problem
from tests.api.test_tokens import FakeClock, bearer


def token_reads(session: Session) -> list[str]:
    """The token lookups the app sends through the test's connection, as they happen."""
    seen: list[str] = []

    def one(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM api_tokens" in statement:
            seen.append(statement)

    event.listen(session.connection(), "before_cursor_execute", one)
    return seen


def remembering(app: FastAPI, seconds: float = 5.0) -> FakeClock:
    clock = FakeClock()
    app.state.token_cache = TokenCache(seconds, clock=clock)
    return clock


def token_id(session: Session, name: str) -> int:
    return int(session.scalars(select(ApiTokenRecord.id).where(ApiTokenRecord.name == name)).one())


def test_a_valid_token_is_read_once_within_the_window(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    clock = remembering(app)
    auth = bearer(issue_token(session, name="planner", role="planner"))
    reads = token_reads(session)
    for _ in range(3):
        assert client.get("/households", headers=auth).status_code == 200
    assert len(reads) == 1
    clock.now += 5.0
    assert client.get("/households", headers=auth).status_code == 200
    assert len(reads) == 2


def test_a_token_revoked_elsewhere_works_here_until_the_window_ends(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    clock = remembering(app)
    auth = bearer(issue_token(session, name="planner", role="planner"))
    assert client.get("/households", headers=auth).status_code == 200
    # Another process revokes it: only the row changes.
    session.execute(
        update(ApiTokenRecord)
        .where(ApiTokenRecord.id == token_id(session, "planner"))
        .values(revoked_at=now())
    )
    session.flush()
    clock.now += 4.9
    assert client.get("/households", headers=auth).status_code == 200
    clock.now += 0.1
    assert_problem(client.get("/households", headers=auth), 401)


def test_a_token_revoked_through_this_process_stops_at_once(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    remembering(app)
    admin = bearer(issue_token(session, name="admin", role="admin"))
    auth = bearer(issue_token(session, name="planner", role="planner"))
    assert client.get("/households", headers=auth).status_code == 200
    assert (
        client.delete(f"/tokens/{token_id(session, 'planner')}", headers=admin).status_code == 204
    )
    assert_problem(client.get("/households", headers=auth), 401)


def test_expiry_is_exact_and_failures_are_not_remembered(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    remembering(app, seconds=3600.0)
    auth = bearer(issue_token(session, name="planner", role="planner"))
    assert client.get("/households", headers=auth).status_code == 200
    # The remembered expiry passes (the row is moved back; the cache keeps what it read).
    cache = app.state.token_cache
    entry = next(iter(cache._entries.values()))
    cache._entries = {
        k: type(entry)(entry.principal, now() - dt.timedelta(seconds=1), entry.until)
        for k in cache._entries
    }
    session.execute(update(ApiTokenRecord).values(expires_at=now() - dt.timedelta(seconds=1)))
    session.flush()
    body = assert_problem(client.get("/households", headers=auth), 401)
    assert body["type"] == "/problems/token-expired"
    assert not cache._entries
    unknown = bearer("qn_not-a-token")
    reads = token_reads(session)
    for _ in range(2):
        assert_problem(client.get("/households", headers=unknown), 401)
    assert len(reads) == 2


def test_zero_seconds_remembers_nothing(app: FastAPI, client: TestClient, session: Session) -> None:
    remembering(app, seconds=0.0)
    auth = bearer(issue_token(session, name="planner", role="planner"))
    reads = token_reads(session)
    for _ in range(2):
        assert client.get("/households", headers=auth).status_code == 200
    assert len(reads) == 2
