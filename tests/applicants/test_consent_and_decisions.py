"""Consent first; accept/decline stored with time, shown to staff, banned in the next batch."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.applicants.service import CONSENT_VERSION
from api.models.applicants import ApplicantDecisionRecord, ConsentRecord
from matching.text import msg
from tests.applicants.conftest import CENTRE_61, PLANNER, Demo, csrf_of

pytestmark = pytest.mark.db
Applicant = Callable[..., tuple[TestClient, int]]


def _localities(page: str) -> list[str]:
    return re.findall(r'href="/app/me/localities/([^"]+)"', page)


def test_nothing_is_shown_before_consent_and_consent_is_stored_once(
    demo: Demo, applicant: Applicant
) -> None:
    client, household_id = applicant(consent=False)
    for path in ("/app/me", "/app/me/localities/55-pavlodar"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/app/consent"
    page = client.get("/app/consent?lang=en")
    token = csrf_of(page.text)
    refused = client.post("/app/consent", data={"csrf_token": token})
    assert refused.status_code == 422
    assert msg("applicant.consent.must_agree").en in refused.text
    for _ in range(2):
        done = client.post(
            "/app/consent", data={"csrf_token": token, "agree": "yes"}, follow_redirects=False
        )
        assert done.headers["location"] == "/app/me"
    with demo.session() as session:
        rows = session.scalars(
            select(ConsentRecord).where(ConsentRecord.household_id == household_id)
        ).all()
    assert [(r.text_version, r.lang) for r in rows] == [(CONSENT_VERSION, "en")]
    assert client.get("/app/me").status_code == 200


def test_suggestions_are_three_to_five_ranked_places_with_their_facts(applicant: Applicant) -> None:
    client, _ = applicant()
    page = client.get("/app/me?lang=en")
    assert page.status_code == 200
    places = _localities(page.text)
    assert 3 <= len(places) <= 5 and len(set(places)) == len(places)
    detail = client.get(f"/app/me/localities/{places[0]}?lang=en").text
    for key in (
        "applicant.why.title",
        "applicant.job.employer",
        "applicant.home.condition_label",
        "applicant.services.kindergarten",
        "applicant.distance.region",
        "applicant.climate.heating",
        "applicant.support.total_household",
    ):
        assert msg(key).en in detail, key
    assert "₸" in detail


def test_decisions_are_kept_with_time_and_shown_to_staff(demo: Demo, applicant: Applicant) -> None:
    client, household_id = applicant(region="61")
    places = _localities(client.get("/app/me").text)
    token = csrf_of(client.get(f"/app/me/localities/{places[0]}").text)
    accepted = client.post(
        f"/app/me/localities/{places[0]}/decision",
        data={"csrf_token": token, "decision": "accept"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    client.post(
        f"/app/me/localities/{places[1]}/decision",
        data={"csrf_token": token, "decision": "decline", "reason": "far_from_family"},
    )
    shown = client.get(f"/app/me/localities/{places[1]}?saved=1&lang=en").text
    assert msg("applicant.decision.saved_decline").en in shown
    with demo.client() as api:
        for headers in (PLANNER, CENTRE_61):
            listed = api.get(f"/households/{household_id}/decisions?lang=ru", headers=headers)
            assert listed.status_code == 200
            got = [(d["locality_id"], d["decision"], d["reason"]) for d in listed.json()]
            assert got == [(places[1], "decline", "far_from_family"), (places[0], "accept", None)]
            assert listed.json()[0]["reason_text"] == msg("applicant.reason.far_from_family").ru
            assert (
                listed.json()[0]["decided_at"].endswith("Z")
                or "+00:00" in listed.json()[0]["decided_at"]
            )


def test_other_regions_centre_cannot_read_decisions(demo: Demo) -> None:
    household_id = demo.household(other_than="61")
    with demo.client() as api:
        assert (
            api.get(f"/households/{household_id}/decisions", headers=CENTRE_61).status_code == 403
        )
        assert api.get(f"/households/{household_id}/decisions", headers=PLANNER).status_code == 200


@pytest.mark.parametrize(
    ("data", "field_key"),
    [
        ({"decision": "maybe"}, "applicant.decision.invalid_decision"),
        ({"decision": "accept", "reason": "climate"}, "applicant.decision.invalid_reason"),
        ({"decision": "decline", "reason": "bored"}, "applicant.decision.invalid_reason"),
    ],
)
def test_bad_decisions_are_refused_and_store_nothing(
    demo: Demo, applicant: Applicant, data: dict[str, str], field_key: str
) -> None:
    client, household_id = applicant()
    places = _localities(client.get("/app/me").text)
    token = csrf_of(client.get(f"/app/me/localities/{places[0]}").text)
    refused = client.post(
        f"/app/me/localities/{places[0]}/decision?lang=en", data={"csrf_token": token, **data}
    )
    assert refused.status_code == 422 and msg(field_key).en in refused.text
    not_suggested = client.post(
        "/app/me/localities/no-such-place/decision",
        data={"csrf_token": token, "decision": "accept"},
    )
    assert not_suggested.status_code == 404
    with demo.session() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(ApplicantDecisionRecord)
            .where(ApplicantDecisionRecord.household_id == household_id)
        )
    assert stored == 0


def test_a_decision_without_the_csrf_token_is_refused(demo: Demo, applicant: Applicant) -> None:
    client, household_id = applicant()
    places = _localities(client.get("/app/me").text)
    refused = client.post(
        f"/app/me/localities/{places[0]}/decision?lang=en", data={"decision": "decline"}
    )
    assert refused.status_code == 403 and msg("pages.error.csrf").en in refused.text
    with demo.session() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(ApplicantDecisionRecord)
                .where(ApplicantDecisionRecord.household_id == household_id)
            )
            == 0
        )
