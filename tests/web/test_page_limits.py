"""A 10 MB form post gets a clear page (not JSON) and stores nothing; the API keeps its 413 problem."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import HouseholdRecord
from api.models.web import WebUserRecord
from tests.web.conftest import csrf_of, sign_in
from tests.web.test_centre_pages import _form

pytestmark = pytest.mark.db

TEN_MB = 10 * 1024 * 1024


def _households(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(HouseholdRecord)) or 0)


def test_a_ten_megabyte_form_post_shows_a_page_in_the_visitors_language_and_stores_nothing(
    web: TestClient, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    staff_user("clerk61", "centre", "61")
    sign_in(web, "clerk61")
    csrf = csrf_of(web.get("/app/centre/households/new").text)
    before = _households(session)
    form = _form(csrf, applicant_name="А" * TEN_MB)
    response = web.post("/app/centre/households/new?lang=en", data=form)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Too much data was sent" in response.text and "Nothing was saved" in response.text
    assert _households(session) == before
    kk = web.post("/app/centre/households/new?lang=kk", data=form)
    assert kk.status_code == 413 and "Жіберілген деректер тым үлкен" in kk.text


def test_the_api_still_answers_a_problem(web: TestClient) -> None:
    response = web.post(
        "/taxonomy/normalize",
        content=b"{" + b" " * TEN_MB + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
