"""The centre's applicant block: issue a link (shown once), it signs the applicant in, revoke it."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.applicants import service as rules
from api.models.applicants import AccessLinkRecord
from api.models.web import WebUserRecord
from tests.web.conftest import csrf_of, sign_in
from tests.web.test_centre_pages import _register

pytestmark = pytest.mark.db


@pytest.fixture
def clerk(web: TestClient, staff_user: Callable[..., WebUserRecord]) -> TestClient:
    staff_user("clerk61", "centre", "61")
    sign_in(web, "clerk61")
    return web


def _links(session: Session, household_id: int) -> int:
    session.expire_all()
    query = select(func.count()).select_from(AccessLinkRecord)
    return int(session.scalar(query.where(AccessLinkRecord.household_id == household_id)) or 0)


def test_a_clerk_issues_a_link_that_signs_the_applicant_in_once_and_can_revoke_the_next(
    clerk: TestClient, app: object, session: Session
) -> None:
    household_id = _register(clerk)
    page = clerk.get(f"/app/centre/households/{household_id}?lang=en").text
    assert "No link has been issued to this household yet." in page
    issued = clerk.post(
        f"/app/centre/households/{household_id}/access-links",
        data={"csrf_token": csrf_of(page)},
    )
    assert issued.status_code == 200
    url = unescape(re.search(r'id="link-url"[^>]*value="([^"]+)"', issued.text).group(1))
    assert "/app/link/" in url and _links(session, household_id) == 1
    # The secret is shown once: the household page lists the link without it.
    page = clerk.get(f"/app/centre/households/{household_id}?lang=en").text
    assert url.rsplit("/", 1)[1] not in page and ">active<" in page

    with TestClient(app, base_url="http://127.0.0.1") as phone:  # type: ignore[arg-type]
        path = url.replace("http://127.0.0.1", "")
        shown = phone.get(path)
        assert shown.status_code == 200 and "qonys_session" not in phone.cookies
        opened = phone.post(
            path, data={"csrf_token": csrf_of(shown.text)}, follow_redirects=False
        )
        assert opened.status_code == 303 and "qonys_session" in opened.cookies
    page = clerk.get(f"/app/centre/households/{household_id}?lang=en").text
    assert ">used<" in page

    clerk.post(
        f"/app/centre/households/{household_id}/access-links", data={"csrf_token": csrf_of(page)}
    )
    link_id = max(link.id for link in rules.links_of(session, household_id))
    page = clerk.get(f"/app/centre/households/{household_id}").text
    revoked = clerk.post(
        f"/app/centre/households/{household_id}/access-links/{link_id}/revoke",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    session.expire_all()
    assert rules.link_state(session.get(AccessLinkRecord, link_id)) == "revoked"


def test_a_clerk_of_another_region_can_neither_issue_nor_revoke(
    clerk: TestClient, web: TestClient, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    household_id = _register(clerk)
    clerk.post("/app/signout", data={"csrf_token": csrf_of(clerk.get("/app/centre/").text)})
    staff_user("clerk39", "centre", "39")
    sign_in(web, "clerk39")
    token = csrf_of(web.get("/app/centre/").text)
    refused = web.post(
        f"/app/centre/households/{household_id}/access-links", data={"csrf_token": token}
    )
    assert refused.status_code == 403 and "/app/link/" not in refused.text
    assert _links(session, household_id) == 0


def test_without_the_csrf_token_no_link_is_issued(clerk: TestClient, session: Session) -> None:
    household_id = _register(clerk)
    refused = clerk.post(f"/app/centre/households/{household_id}/access-links", data={})
    assert refused.status_code == 403 and _links(session, household_id) == 0
