"""Centre pages without a browser: search scoping, form validation, the autocomplete endpoint."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import HouseholdMemberRecord, HouseholdRecord
from api.models.web import WebUserRecord
from matching.text import msg
from tests.web.conftest import csrf_of, sign_in

pytestmark = pytest.mark.db

APPLICANT_IIN = "900101300126"  # born 1990-01-01, male, valid check digit


def _form(csrf: str, **extra: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf,
        "external_id": "C61-TEST-1",
        "applicant_name": "Ахметов Ерлан",
        "phone": "8 701 234 56 78",
        "origin_region": "61",
        "origin_settlement": "village",
        "application_date": "2026-11-01",
        "citizen": "on",
        "members.0.relation": "applicant",
        "members.0.iin": APPLICANT_IIN,
        "members.0.birth_date": "1990-01-01",
        "members.0.sex": "M",
        "members.0.experience.0.title": "электрогазосваршик",
        "members.0.experience.0.years": "4",
        "members.0.experience.0.documented": "on",
        "action": "save",
    }
    data.update(extra)
    return data


def _count(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        int(session.scalar(select(func.count()).select_from(HouseholdRecord)) or 0),
        int(session.scalar(select(func.count()).select_from(HouseholdMemberRecord)) or 0),
    )


@pytest.fixture
def clerk(web: TestClient, staff_user: Callable[..., WebUserRecord]) -> TestClient:
    staff_user("clerk61", "centre", "61")
    sign_in(web, "clerk61")
    return web


def _results(html: str) -> str:
    """The search results only (the page also lists recent households)."""
    start = html.index('id="results"')
    return html[start : html.index("</div>", start)]


def _register(client: TestClient, **extra: str) -> int:
    csrf = csrf_of(client.get("/app/centre/households/new").text)
    response = client.post(
        "/app/centre/households/new", data=_form(csrf, **extra), follow_redirects=False
    )
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].split("/")[-1].split("?")[0])


def test_a_household_registered_by_form_is_stored_with_the_normalized_code(
    clerk: TestClient, session: Session
) -> None:
    household_id = _register(clerk)
    record = session.get(HouseholdRecord, household_id)
    assert record is not None and record.phone == "+77012345678"
    assert record.applicant_name == "Ахметов Ерлан" and record.origin_region_code == "61"
    member = session.scalars(
        select(HouseholdMemberRecord).where(HouseholdMemberRecord.household_id == household_id)
    ).one()
    # Typed without a pick (no JavaScript): the server normalized the misspelt title.
    assert member.experience[0]["occupation"] == "Q7212.01"
    page = clerk.get(f"/app/centre/households/{household_id}?lang=en")
    assert page.status_code == 200
    assert "Q7212.01" in page.text and "Ахметов Ерлан" in page.text
    assert msg("centre.applicant.title").en in page.text


def test_search_finds_by_iin_name_and_phone_only_in_the_clerks_region(
    clerk: TestClient, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    household_id = _register(clerk)
    link = f"/app/centre/households/{household_id}"
    for q in (
        APPLICANT_IIN,
        "ахметов",
        "АХМЕТОВ ерлан",
        "701 234",
        "+7 701 234 56 78",
        "C61-TEST-1",
    ):
        assert link in _results(clerk.get("/app/centre/", params={"q": q}).text), q
    assert link not in _results(clerk.get("/app/centre/", params={"q": "Петров"}).text)
    staff_user("clerk19", "centre", "19")
    sign_in(clerk, "clerk19")
    found = clerk.get("/app/centre/", params={"q": APPLICANT_IIN, "lang": "en"})
    assert found.status_code == 200 and link not in found.text
    assert msg("centre.home.nothing_found", q=APPLICANT_IIN).en in unescape(found.text)
    refused = clerk.get(link + "?lang=en")
    assert refused.status_code == 403
    assert "Ахметов" not in refused.text and APPLICANT_IIN not in refused.text
    assert clerk.get(link + "/edit").status_code == 403
    staff_user("boss", "admin")
    sign_in(clerk, "boss")
    assert link in _results(clerk.get("/app/centre/", params={"q": "ахмет"}).text)


@pytest.mark.parametrize(
    ("field", "value", "message_key", "lang"),
    [
        ("members.0.iin", "900101300127", None, "ru"),
        ("members.0.birth_date", "", "pages.field.missing", "kk"),
        ("applicant_name", "Я" * 201, "pages.field.string_too_long", "en"),
        ("phone", "12345", None, "en"),
    ],
)
def test_bad_input_is_marked_at_the_field_and_nothing_is_stored(
    clerk: TestClient, session: Session, field: str, value: str, message_key: str | None, lang: str
) -> None:
    before = _count(session)
    csrf = csrf_of(clerk.get(f"/app/centre/households/new?lang={lang}").text)
    response = clerk.post("/app/centre/households/new", data=_form(csrf, **{field: value}))
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    if message_key:
        assert msg(message_key).get(lang) in response.text  # type: ignore[arg-type]
    assert "Ахметов Ерлан" in response.text or field == "applicant_name"  # the input is kept
    assert _count(session) == before


def test_the_iin_checksum_message_is_the_apis_in_the_page_language(
    clerk: TestClient, session: Session
) -> None:
    from matching.iin import InvalidIINError, parse_iin

    with pytest.raises(InvalidIINError) as bad:
        parse_iin("900101300127")
    csrf = csrf_of(clerk.get("/app/centre/households/new?lang=kk").text)
    response = clerk.post(
        "/app/centre/households/new", data=_form(csrf, **{"members.0.iin": "900101300127"})
    )
    assert bad.value.text.kk in unescape(response.text)


def test_a_forged_region_is_refused_like_the_api_does(clerk: TestClient, session: Session) -> None:
    before = _count(session)
    csrf = csrf_of(clerk.get("/app/centre/households/new").text)
    response = clerk.post("/app/centre/households/new", data=_form(csrf, origin_region="19"))
    assert response.status_code == 403
    assert _count(session) == before


def test_without_the_csrf_token_nothing_is_stored(clerk: TestClient, session: Session) -> None:
    before = _count(session)
    response = clerk.post("/app/centre/households/new", data=_form("forged"))
    assert response.status_code == 403 and _count(session) == before


def test_editing_keeps_the_members_and_changes_the_phone(
    clerk: TestClient, session: Session
) -> None:
    household_id = _register(clerk)
    page = clerk.get(f"/app/centre/households/{household_id}/edit")
    assert 'value="Q7212.01"' in page.text  # the stored code travels with the form
    csrf = csrf_of(page.text)
    data = _form(csrf, phone="+7 777 000 11 22", external_id="C61-TEST-1")
    data["members.0.experience.0.code"] = "Q7212.01"
    data["members.0.experience.0.picked"] = "электрогазосваршик"
    response = clerk.post(
        f"/app/centre/households/{household_id}/edit", data=data, follow_redirects=False
    )
    assert response.status_code == 303, response.text[:2000]
    session.expire_all()
    record = session.get(HouseholdRecord, household_id)
    assert record is not None and record.phone == "+77770001122"
    assert _count(session)[1] >= 1


def test_the_autocomplete_endpoint_tolerates_typos_in_every_language(clerk: TestClient) -> None:
    ru = clerk.get("/app/taxonomy/suggest", params={"q": "электрогазосваршик"}).json()["items"]
    assert ru[0]["code"] == "Q7212.01" and ru[0]["isco"] == "7212"
    kk = clerk.get("/app/taxonomy/suggest", params={"q": "дәнекер", "lang": "kk"}).json()
    assert any(i["code"].startswith("Q7212") for i in kk["items"])
    en = clerk.get("/app/taxonomy/suggest", params={"q": "weldr", "lang": "en"}).json()
    assert en["items"], "a misspelt English title still finds something"
    skills = clerk.get("/app/taxonomy/suggest", params={"q": "excel", "kind": "skill"}).json()
    assert skills["items"][0]["code"] == "it.excel"
    assert clerk.get("/app/taxonomy/suggest", params={"q": "x"}).json() == {"items": []}
    assert clerk.get("/app/taxonomy/suggest", params={"q": "a" * 101}).status_code == 422


def test_the_autocomplete_endpoint_needs_a_signed_in_clerk(web: TestClient) -> None:
    response = web.get("/app/taxonomy/suggest?q=сварщ", follow_redirects=False)
    assert response.status_code == 303 and "/app/signin" in response.headers["location"]


def test_the_vacancy_list_of_a_sending_region_says_why_it_is_empty(clerk: TestClient) -> None:
    page = clerk.get("/app/centre/vacancies?lang=en")
    assert page.status_code == 200 and msg("centre.vacancies.none").en in unescape(page.text)
