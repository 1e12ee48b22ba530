"""Planner pages without a browser: roles, CSRF, validation at the field, the 409 in words.

Runs are written straight into the tables (as tests/api/test_commit.py does), so each test
controls exactly which post another commit has taken since the run was made.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    EmployerRecord,
    HouseholdRecord,
    VacancyRecord,
)
from api.models.web import WebUserRecord
from matching.text import msg
from tests.api.test_commit import REGION, home, household, run, vacancy
from tests.web.conftest import csrf_of, sign_in

pytestmark = pytest.mark.db

Staff = Callable[..., WebUserRecord]


def _runs(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AllocationRunRecord)) or 0)


@pytest.fixture
def planner(web: TestClient, staff_user: Staff) -> TestClient:
    staff_user("plan", "planner")
    sign_in(web, "plan")
    return web


def _error_of(html: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="f-{name}-error">([^<]*)</p>', html)
    assert found, f"no error shown at the field {name}"
    return found.group(1)


def test_a_centre_user_gets_the_403_page_and_no_run(
    web: TestClient, staff_user: Staff, session: Session
) -> None:
    staff_user("clerk", "centre", "61")
    sign_in(web, "clerk")
    for path in ("/app/planner/?lang=en", "/app/planner/compare?lang=en"):
        response = web.get(path)
        assert response.status_code == 403
        assert msg("pages.error.role", role="centre").en in html.unescape(response.text)
        assert msg("planner.start.title").en not in response.text


def test_starting_a_run_without_the_csrf_token_is_refused(
    planner: TestClient, session: Session
) -> None:
    before = _runs(session)
    response = planner.post("/app/planner/runs?lang=en", data={"year": "2025", "time_limit": "5"})
    assert response.status_code == 403
    assert msg("pages.error.csrf").en in response.text
    assert _runs(session) == before


def test_bad_input_is_shown_at_each_field_and_queues_nothing(
    planner: TestClient, session: Session
) -> None:
    token = csrf_of(planner.get("/app/planner/?lang=ru").text)
    before = _runs(session)
    response = planner.post(
        "/app/planner/runs",
        data={"csrf_token": token, "year": "", "time_limit": "abc", "options_per_household": "7"},
    )
    assert response.status_code == 422
    assert _error_of(response.text, "year") == msg("pages.field.missing").ru
    assert _error_of(response.text, "time_limit") == msg("planner.field.float_parsing").ru
    assert 'value="7"' in response.text  # the input is kept
    # The API's own range checks, worded from the catalogue, next to their fields.
    response = planner.post(
        "/app/planner/runs",
        data={
            "csrf_token": token,
            "year": "2025",
            "time_limit": "0",
            "options_per_household": "99",
        },
    )
    assert response.status_code == 422
    assert _error_of(response.text, "time_limit") == msg("planner.field.range").ru
    assert _error_of(response.text, "options_per_household") == msg("planner.field.range").ru
    assert _runs(session) == before


def test_a_scenario_folder_outside_the_root_is_refused_at_its_field(
    planner: TestClient, session: Session
) -> None:
    token = csrf_of(planner.get("/app/planner/?lang=en").text)
    before = _runs(session)
    for folder in ("/etc", "../../api", "no-such-folder"):
        response = planner.post(
            "/app/planner/runs",
            data={
                "csrf_token": token,
                "year": "2025",
                "source": "scenario",
                "scenario_dir": folder,
            },
        )
        assert response.status_code == 422, folder
        assert _error_of(response.text, "scenario_dir") == msg("planner.field.scenario_dir").en
    response = planner.post(
        "/app/planner/runs",
        data={"csrf_token": token, "year": "2025", "source": "scenario", "scenario_dir": ""},
    )
    assert _error_of(response.text, "scenario_dir") == msg("planner.start.need_scenario").en
    assert _runs(session) == before


def test_a_good_form_queues_a_run_and_its_page_follows_progress(
    planner: TestClient, session: Session
) -> None:
    token = csrf_of(planner.get("/app/planner/?lang=en").text)
    before = _runs(session)
    response = planner.post(
        "/app/planner/runs",
        data={
            "csrf_token": token,
            "name": "north only",
            "year": "2025",
            "time_limit": "5",
            "region_codes": ["55", "59"],
            "deterministic": "on",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    run_id = response.headers["location"].rsplit("/", 1)[1]
    assert _runs(session) == before + 1
    stored = session.get(AllocationRunRecord, run_id)
    assert stored is not None
    assert stored.scenario["region_codes"] == ["55", "59"] and stored.scenario["time_limit"] == 5
    page = planner.get(f"/app/planner/runs/{run_id}?lang=en")
    assert page.status_code == 200
    assert msg("planner.progress.queued").en in page.text
    assert '<meta http-equiv="refresh"' in page.text  # without JavaScript the page refreshes
    progress = planner.get(f"/app/planner/runs/{run_id}/progress").json()
    assert progress["status"] == "queued" and progress["done"] is False


def _world(session: Session) -> tuple[int, int, int]:
    if not session.scalar(select(EmployerRecord.id).where(EmployerRecord.external_id == "E1")):
        session.add(EmployerRecord(external_id="E1", name="Employer", region_code=REGION))
        session.flush()
    return household(session), home(session), vacancy(session)


def test_the_409_is_shown_in_words_with_what_changed_and_nothing_is_saved(
    planner: TestClient, session: Session
) -> None:
    hid, home_id, vacancy_id = _world(session)
    run_id = run(session, [{"household": hid, "home": home_id, "vacancy": vacancy_id}])
    session.commit()
    # Since the run was made another commit took the vacancy's only post.
    session.execute(
        update(VacancyRecord).where(VacancyRecord.id == vacancy_id).values(posts_reserved=1)
    )
    session.commit()
    page = planner.get(f"/app/planner/runs/{run_id}/commit?lang=en")
    token = csrf_of(page.text)
    response = planner.post(f"/app/planner/runs/{run_id}/commit", data={"csrf_token": token})
    assert response.status_code == 409
    assert msg("planner.commit.conflict").en in response.text
    # The problem's own words (the commit service's), naming the post and what is left.
    page = html.unescape(response.text)
    row = msg("allocation_service.overbooked.row").format(
        kind="vacancy", key=vacancy_id, needed=1, left=0
    )
    assert row.en in page
    assert msg("allocation_service.commit.overbooked", n=1).en in page
    assert 'id="confirm-commit"' not in response.text  # a retry would meet the same 409
    session.expire_all()
    assert session.get(HouseholdRecord, hid).status == "registered"  # type: ignore[union-attr]
    assert not session.scalar(select(DecisionRecord.id).where(DecisionRecord.household_id == hid))
    # In Kazakh too: the same facts, the page's language.
    planner.get("/app/planner/?lang=kk")
    response = planner.post(f"/app/planner/runs/{run_id}/commit", data={"csrf_token": token})
    assert msg("allocation_service.commit.overbooked", n=1).kk in html.unescape(response.text)
    assert row.kk in html.unescape(response.text)


def test_a_commit_confirmed_shows_the_run_as_committed(
    planner: TestClient, session: Session
) -> None:
    hid, home_id, vacancy_id = _world(session)
    run_id = run(session, [{"household": hid, "home": home_id, "vacancy": vacancy_id}])
    session.commit()
    token = csrf_of(planner.get(f"/app/planner/runs/{run_id}/commit?lang=en").text)
    assert planner.post(f"/app/planner/runs/{run_id}/commit", data={}).status_code == 403
    response = planner.post(
        f"/app/planner/runs/{run_id}/commit", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    page = planner.get(response.headers["location"])
    assert 'id="run-committed"' in page.text
    session.expire_all()
    assert session.get(HouseholdRecord, hid).status == "placed"  # type: ignore[union-attr]


def test_an_unknown_run_is_a_page_with_the_apis_words(planner: TestClient) -> None:
    response = planner.get("/app/planner/runs/nosuchrun?lang=en")
    assert response.status_code == 404
    assert "Allocation run 'nosuchrun' was not found." in html.unescape(response.text)


def test_the_start_form_counts_the_applicants_declines_in_effect(
    planner: TestClient, session: Session
) -> None:
    import datetime as dt

    from api.models.applicants import ApplicantDecisionRecord
    from tests.api.test_commit import LOCALITY

    def count() -> str:
        found = re.search(
            r'<p class="note" id="declines">([^<]*)</p>', planner.get("/app/planner/?lang=en").text
        )
        assert found
        return html.unescape(found.group(1))

    before = count()
    hid = household(session)
    at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    session.add(
        ApplicantDecisionRecord(
            household_id=hid, locality_id=LOCALITY, decision="decline", decided_at=at
        )
    )
    session.commit()
    n = int(re.search(r"\((\d+)", before).group(1))  # type: ignore[union-attr]
    assert count() == msg("planner.start.refusals", n=n + 1).en
    # A later accept lifts the decline, as in the batch.
    session.add(
        ApplicantDecisionRecord(
            household_id=hid,
            locality_id=LOCALITY,
            decision="accept",
            decided_at=at + dt.timedelta(days=1),
        )
    )
    session.commit()
    assert count() == before


def test_a_queued_run_is_cancelled_from_its_page(planner: TestClient, session: Session) -> None:
    token = csrf_of(planner.get("/app/planner/?lang=en").text)
    response = planner.post(
        "/app/planner/runs",
        data={"csrf_token": token, "name": "to cancel", "year": "2025", "time_limit": "5"},
        follow_redirects=False,
    )
    run_id = response.headers["location"].rsplit("/", 1)[1]
    page = planner.get(f"/app/planner/runs/{run_id}?lang=ru").text
    assert msg("planner.cancel.button").ru in page
    forged = planner.post(f"/app/planner/runs/{run_id}/cancel", data={})
    assert forged.status_code == 403  # no CSRF token: nothing cancelled
    assert planner.get(f"/app/planner/runs/{run_id}/progress").json()["status"] == "queued"
    done = planner.post(
        f"/app/planner/runs/{run_id}/cancel", data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    page = planner.get(f"/app/planner/runs/{run_id}?lang=kk").text
    assert msg("planner.cancel.title").kk in page and msg("planner.status.cancelled").kk in page
    assert msg("planner.cancel.button").kk not in page
    progress = planner.get(f"/app/planner/runs/{run_id}/progress").json()
    assert progress["status"] == "cancelled" and progress["done"] is True
