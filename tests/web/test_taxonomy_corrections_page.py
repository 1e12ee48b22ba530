"""The admin's review page of corrections, and corrections recorded by the household form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models.taxonomy import TaxonomyCorrectionRecord
from api.models.web import WebUserRecord
from api.taxonomy.corrections import Author, record
from api.taxonomy.service import TaxonomyService
from matching.text import msg
from tests.web.conftest import csrf_of, sign_in
from tests.web.test_centre_pages import _form

pytestmark = pytest.mark.db

SOMMELIER, WAITER = "сомелье", "Q5131.01"


@pytest.fixture
def svc(app: FastAPI, taxonomy_service: TaxonomyService) -> TaxonomyService:
    own = taxonomy_service.fresh()
    app.state.taxonomy = own
    return own


def _pending(session: Session, svc: TaxonomyService, text: str = SOMMELIER) -> int:
    row, _ = record(
        session, svc, Author("centre", "clerk61"), text=text, kind="occupation", lang="ru",
        code=WAITER, source="api",
    )  # fmt: skip
    session.commit()
    return row.id


def _rows(session: Session) -> list[TaxonomyCorrectionRecord]:
    session.expire_all()
    return list(session.scalars(select(TaxonomyCorrectionRecord).order_by(TaxonomyCorrectionRecord.id)))


@pytest.fixture
def admin(web: TestClient, staff_user: Callable[..., WebUserRecord]) -> TestClient:
    staff_user("admin1", "admin")
    sign_in(web, "admin1")
    return web


def test_admin_approves_from_the_page_and_the_answer_changes(
    admin: TestClient, session: Session, svc: TaxonomyService
) -> None:
    correction = _pending(session, svc)
    for lang in ("kk", "ru", "en"):
        page = admin.get(f"/app/taxonomy/corrections?lang={lang}")
        assert page.status_code == 200
        text = unescape(page.text)
        assert msg("taxonomy.corrections.title").get(lang) in text
        assert f"«{SOMMELIER}»" in text and WAITER in text
        assert msg("taxonomy.corrections.abstained").get(lang) in text
        assert "taxonomy.corrections." not in text and "{" not in page.text.split("<main")[1]
    assert svc.normalizer.normalize(SOMMELIER).unknown
    csrf = csrf_of(page.text)
    done = admin.post(
        f"/app/taxonomy/corrections/{correction}/approve",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:1000]
    shown = admin.get(done.headers["location"] + "&lang=en")
    assert msg("taxonomy.corrections.approved", text=SOMMELIER, code=WAITER).en in unescape(
        shown.text
    )
    assert msg("taxonomy.corrections.none").en in unescape(shown.text)
    best = svc.normalizer.normalize(SOMMELIER).best
    assert best is not None and best.code == WAITER
    [row] = _rows(session)
    assert row.status == "approved" and row.reviewed_user_id is not None
    assert row.reviewed_name == "admin1" and row.reviewed_at is not None
    # Twice: the page says it was already reviewed (409), nothing changes.
    again = admin.post(
        f"/app/taxonomy/corrections/{correction}/approve", data={"csrf_token": csrf}
    )
    assert again.status_code == 409 and str(correction) in again.text
    export = admin.get("/app/taxonomy/corrections/export.csv")
    assert export.text.splitlines() == ["code,alias,lang,kind", f"{WAITER},{SOMMELIER},ru,variant"]


def test_reject_and_csrf(admin: TestClient, session: Session, svc: TaxonomyService) -> None:
    correction = _pending(session, svc)
    forged = admin.post(
        f"/app/taxonomy/corrections/{correction}/approve", data={"csrf_token": "forged"}
    )
    assert forged.status_code == 403 and _rows(session)[0].status == "pending"
    csrf = csrf_of(admin.get("/app/taxonomy/corrections").text)
    done = admin.post(
        f"/app/taxonomy/corrections/{correction}/reject",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _rows(session)[0].status == "rejected"
    assert svc.normalizer.normalize(SOMMELIER).unknown
    missing = admin.post("/app/taxonomy/corrections/999999/approve", data={"csrf_token": csrf})
    assert missing.status_code == 404


@pytest.mark.parametrize("role", ["centre", "planner"])
def test_only_admins_review(
    role: str,
    web: TestClient,
    staff_user: Callable[..., WebUserRecord],
    session: Session,
    svc: TaxonomyService,
) -> None:
    correction = _pending(session, svc)
    staff_user(f"{role}-user", role, "61" if role == "centre" else None)
    sign_in(web, f"{role}-user")
    assert web.get("/app/taxonomy/corrections").status_code == 403
    assert web.get("/app/taxonomy/corrections/export.csv").status_code == 403
    csrf = csrf_of(web.get("/app/centre/households/new" if role == "centre" else "/app/").text)
    response = web.post(
        f"/app/taxonomy/corrections/{correction}/approve", data={"csrf_token": csrf}
    )
    assert response.status_code == 403 and _rows(session)[0].status == "pending"


@pytest.fixture
def clerk(web: TestClient, staff_user: Callable[..., WebUserRecord]) -> TestClient:
    staff_user("clerk61", "centre", "61")
    sign_in(web, "clerk61")
    return web


def _save(clerk: TestClient, external_id: str, **rows: str) -> None:
    csrf = csrf_of(clerk.get("/app/centre/households/new").text)
    data = _form(csrf, external_id=external_id, **{"members.0.experience.0.title": ""})
    data.update(rows)
    response = clerk.post("/app/centre/households/new", data=data, follow_redirects=False)
    assert response.status_code == 303, unescape(response.text)[:3000]


def test_a_pick_the_normalizer_would_not_make_is_recorded_on_save(
    clerk: TestClient, session: Session, svc: TaxonomyService
) -> None:
    label = svc.taxonomy.label(WAITER, "ru")
    exp = "members.0.experience."
    _save(clerk, "C61-LEARN-1", **{
        # Typed "сомелье" (the normalizer abstains), picked the waiter from the suggestions.
        f"{exp}0.title": label, f"{exp}0.code": WAITER, f"{exp}0.picked": label,
        f"{exp}0.typed": SOMMELIER, f"{exp}0.years": "2",
        # Typed the start of a title and picked what word starts found: nothing to learn.
        f"{exp}1.title": label, f"{exp}1.code": WAITER, f"{exp}1.picked": label,
        f"{exp}1.typed": "официа",
        # Typed a misspelling the normalizer already answers with the picked code.
        f"{exp}2.title": "электрогазосварщик", f"{exp}2.code": "Q7212.01",
        f"{exp}2.picked": "электрогазосварщик", f"{exp}2.typed": "электрогазосваршик",
        # A skill picked for a title the skill normalizer does not answer with it.
        "members.0.skills.0.title": "Microsoft Excel", "members.0.skills.0.code": "it.excel",
        "members.0.skills.0.picked": "Microsoft Excel", "members.0.skills.0.typed": "таблицы эксел",
    })  # fmt: skip
    rows = _rows(session)
    learnt = {(r.kind, r.text, r.code) for r in rows}
    assert ("occupation", SOMMELIER, WAITER) in learnt
    assert ("skill", "таблицы эксел", "it.excel") in learnt
    assert all(r.text not in ("официа", "электрогазосваршик") for r in rows), learnt
    mine = next(r for r in rows if r.text == SOMMELIER)
    assert mine.source == "page" and mine.status == "pending" and mine.answered_code is None
    assert mine.created_role == "centre" and mine.created_name == "clerk61"
    assert mine.created_user_id is not None and mine.created_token_id is None
    assert mine.lang == "ru" and mine.created_at.date() <= dt.date.today()
    # Saving the same pick again does not queue it twice.
    _save(clerk, "C61-LEARN-2", **{
        f"{exp}0.title": label, f"{exp}0.code": WAITER, f"{exp}0.picked": label,
        f"{exp}0.typed": "Сомелье",
    })  # fmt: skip
    assert len([r for r in _rows(session) if r.code == WAITER]) == 1
    # Pending corrections change nothing.
    svc.refresh(session, force=True)
    assert svc.normalizer.normalize(SOMMELIER).unknown


def test_the_autocomplete_offers_the_normalizers_suggestions_when_it_abstains(
    clerk: TestClient, svc: TaxonomyService
) -> None:
    result = svc.normalizer.normalize("смотритель маяка")
    assert result.unknown and result.suggestions
    items = clerk.get("/app/taxonomy/suggest", params={"q": "смотритель маяка"}).json()["items"]
    codes = [i["code"] for i in items]
    assert codes and all(s.code in codes for s in result.suggestions)
