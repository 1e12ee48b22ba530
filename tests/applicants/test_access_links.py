"""Access links: issued by a centre for its own region, single use, expiring, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from api.models.applicants import AccessLinkRecord
from api.models.web import WebSessionRecord
from matching.text import msg
from tests.applicants.conftest import ADMIN, CENTRE_61, PLANNER, Demo

pytestmark = pytest.mark.db


def test_a_centre_issues_lists_and_revokes_links_of_its_region(demo: Demo) -> None:
    household_id = demo.household(region="61")
    with demo.client() as api:
        issued = api.post(f"/households/{household_id}/access-links", headers=CENTRE_61)
        assert issued.status_code == 201, issued.text
        body = issued.json()
        assert body["state"] == "active" and body["path"].startswith("/app/link/")
        assert body["url"].endswith(body["path"])
        listed = api.get(f"/households/{household_id}/access-links", headers=CENTRE_61).json()
        assert [link["id"] for link in listed] == [body["id"]]
        assert "path" not in listed[0]  # the secret is shown once only
        gone = api.delete(
            f"/households/{household_id}/access-links/{body['id']}", headers=CENTRE_61
        )
        assert gone.status_code == 204
        listed = api.get(f"/households/{household_id}/access-links", headers=CENTRE_61).json()
        assert listed[0]["state"] == "revoked"
        page = api.get(body["path"] + "?lang=en")
        assert page.status_code == 410 and msg("applicant.link.revoked").en in page.text
        assert "qonys_session" not in api.cookies


def test_another_regions_centre_and_planners_cannot_issue(demo: Demo) -> None:
    household_id = demo.household(other_than="61")
    with demo.client() as api:
        refused = api.post(f"/households/{household_id}/access-links?lang=en", headers=CENTRE_61)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Your token gives access to region 61 only."
        assert (
            api.post(f"/households/{household_id}/access-links", headers=PLANNER).status_code == 403
        )
        assert (
            api.get(f"/households/{household_id}/access-links", headers=CENTRE_61).status_code
            == 403
        )
        assert (
            api.post(f"/households/{household_id}/access-links", headers=ADMIN).status_code == 201
        )
        assert api.post("/households/99999999999/access-links", headers=ADMIN).status_code == 422
        assert api.post("/households/999999/access-links", headers=ADMIN).status_code == 404


def test_a_link_opens_one_session_and_leaves_the_address(demo: Demo) -> None:
    household_id = demo.household()
    path = demo.link(household_id)
    with demo.client() as preview:
        # A messenger fetching the address for a preview sees the button, and spends nothing.
        looked = preview.get(path + "?lang=ru")
        assert looked.status_code == 200 and msg("applicant.link.open_button").ru in looked.text
        assert looked.headers["referrer-policy"] == "no-referrer"
        assert "qonys_session" not in preview.cookies
    with demo.client() as browser:
        opened = demo.open_link(browser, path)
        assert opened.status_code == 303 and opened.headers["location"] == "/app/me"
        assert opened.headers["referrer-policy"] == "no-referrer"
        assert "qonys_session" in browser.cookies
    with demo.session() as session:
        rows = session.scalars(
            select(WebSessionRecord).where(WebSessionRecord.household_id == household_id)
        ).all()
        assert len(rows) == 1
    with demo.client() as second:
        again = second.get(path + "?lang=kk")
        assert again.status_code == 410
        pressed = second.post(path, data={"csrf_token": second.cookies.get("qonys_csrf", "")})
        assert pressed.status_code == 410 and "qonys_session" not in second.cookies
        assert msg("applicant.link.used").kk in again.text
        assert msg("applicant.link.ask_centre").kk in again.text
        assert "qonys_session" not in second.cookies


def test_an_expired_or_unknown_link_signs_nobody_in(demo: Demo) -> None:
    household_id = demo.household()
    path = demo.link(household_id)
    with demo.session() as session:
        session.execute(
            update(AccessLinkRecord)
            .where(AccessLinkRecord.household_id == household_id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        session.commit()
    with demo.client() as browser:
        expired = browser.get(path + "?lang=ru")
        assert expired.status_code == 410 and msg("applicant.link.expired").ru in expired.text
        unknown = browser.get("/app/link/not-a-real-token?lang=en")
        assert unknown.status_code == 404 and msg("applicant.link.unknown").en in unknown.text
        assert "qonys_session" not in browser.cookies


def test_an_applicant_session_opens_no_staff_page_and_no_other_household(demo: Demo) -> None:
    household_id = demo.household()
    with demo.client() as browser:
        demo.open_link(browser, demo.link(household_id))
        assert browser.get("/app/signin").status_code == 200
        # The API itself still wants a token: a page session is not an API credential.
        assert browser.get(f"/households/{household_id}").status_code == 401
