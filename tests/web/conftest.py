"""Fast page tests without a browser: TestClient on http://127.0.0.1 over the shared DB.

The base URL is local so the cookies are not ``Secure`` (httpx would not send them back over
http). ``staff_user`` makes a user inside the test's rolled-back transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.models.web import WebUserRecord
from api.web.users import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def staff_user(session: Session) -> Callable[..., WebUserRecord]:
    def make(username: str, role: str, region: str | None = None) -> WebUserRecord:
        user = create_user(session, username, PASSWORD, role=role, region_code=region)
        session.commit()
        return user

    return make


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/app/signin").text)
    response = client.post(
        "/app/signin",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
