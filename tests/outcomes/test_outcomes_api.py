"""Recorded outcomes over HTTP and by import: roles, validation, audit rows, the frame."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.allocation.commit import commit_run
from api.models import EmployerRecord
from api.outcomes.service import FRAME_SCHEMA, outcomes_frame
from matching.text import msg
from tests.api.test_commit import home as commit_home
from tests.api.test_commit import household as commit_household
from tests.api.test_commit import run as finished_run
from tests.api.test_commit import vacancy as commit_vacancy
from tests.api.test_households_api import headers, household_body
from tests.api.test_reference_api import assert_problem
from tests.audit.helpers import audit_rows, last_id, rows_since

pytestmark = pytest.mark.db

GOOD = {"employed_3m": 1, "employed_6m": 2, "still_resident": True}


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return headers(session, "admin")


@pytest.fixture
def household(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    """A household of three from region 61, not placed."""
    created = client.post("/households", json=household_body(), headers=admin)
    assert created.status_code == 201, created.text
    return dict(created.json())


def placed_household(session: Session) -> int:
    """A household from region 71 committed to 55-sharbakty (region 55) on a run."""
    session.add(EmployerRecord(external_id="E1", name="Employer", region_code="55"))
    h = commit_household(session)
    run_id = finished_run(
        session,
        [{"household": h, "home": commit_home(session), "vacancy": commit_vacancy(session)}],
    )
    commit_run(session, run_id, by="planner")
    return h


class TestWrite:
    def test_put_then_put_again_is_audited_with_old_and_new_values(
        self, client: TestClient, session: Session, household: dict[str, Any]
    ) -> None:
        centre = headers(session, "centre", region_code="61")
        hid = household["id"]
        mark = last_id(session)
        first = client.put(f"/outcomes/{hid}", json=GOOD, headers=centre)
        assert first.status_code == 200, first.text
        out = first.json()
        assert out["employed_6m"] == 2 and out["returned"] is False
        assert out["recorded_by"] == "test centre" and out["locality_id"] is None
        second = client.put(
            f"/outcomes/{hid}",
            json={**GOOD, "employed_6m": 1, "employed_12m": 1},
            headers=centre,
        )
        assert second.status_code == 200, second.text
        rows = rows_since(session, mark)
        assert [(r.action, r.entity, r.entity_id) for r in rows] == [
            ("create", "outcome", str(hid)),
            ("update", "outcome", str(hid)),
        ]
        assert rows[0].before is None and rows[0].after["employed_6m"] == 2
        assert rows[1].before == {"employed_6m": 2, "employed_12m": None}
        assert rows[1].after == {"employed_6m": 1, "employed_12m": 1}
        assert rows[1].actor_role == "centre"
        assert client.get(f"/outcomes/{hid}", headers=centre).json()["employed_12m"] == 1

    def test_patch_records_a_return_and_undoing_it_clears_date_and_reason(
        self, client: TestClient, session: Session, household: dict[str, Any]
    ) -> None:
        planner = headers(session, "planner")
        hid = household["id"]
        assert_problem(client.patch(f"/outcomes/{hid}", json={}, headers=planner), 404)
        assert client.put(f"/outcomes/{hid}", json=GOOD, headers=planner).status_code == 200
        back = {
            "returned": True,
            "returned_on": "2026-01-15",
            "return_reason": "climate",
            "still_resident": False,
            "note": "winter",
        }
        patched = client.patch(f"/outcomes/{hid}", json=back, headers=planner)
        assert patched.status_code == 200, patched.text
        assert patched.json()["return_reason"] == "climate"
        assert patched.json()["employed_6m"] == 2  # untouched fields are kept
        undone = client.patch(f"/outcomes/{hid}", json={"returned": False}, headers=planner)
        assert undone.status_code == 200, undone.text
        assert undone.json()["returned_on"] is None and undone.json()["return_reason"] is None
        rows = audit_rows(session, "outcome", entity_id=str(hid))
        assert [r.action for r in rows] == ["create", "update", "update"]
        assert rows[1].before["return_reason"] is None and rows[1].after["returned"] is True
        assert rows[2].after == {"returned": False, "returned_on": None, "return_reason": None}


class TestValidation:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"employed_3m": 4}, "employed_3m"),  # three members
            ({"returned": True, "returned_on": "2026-01-01"}, "return_reason"),
            ({"returned": True, "return_reason": "job"}, "returned_on"),
            ({"return_reason": "job"}, "return_reason"),
            ({"returned_on": "2026-01-01"}, "returned_on"),
            (
                {
                    "returned": True,
                    "returned_on": "2026-01-01",
                    "return_reason": "job",
                    "still_resident": True,
                },
                "still_resident",
            ),  # fmt: skip
            (
                {"returned": True, "returned_on": "2999-01-01", "return_reason": "job"},
                "returned_on",
            ),
            (
                {"returned": True, "returned_on": "2026-01-01", "return_reason": "weather"},
                "return_reason",
            ),
            ({"employed_6m": -1}, "employed_6m"),
            ({"surprise": 1}, "surprise"),
        ],
    )
    def test_each_rule_names_its_field_and_writes_nothing(
        self, body: dict[str, Any], field: str, client: TestClient, session: Session,
        household: dict[str, Any],
    ) -> None:  # fmt: skip
        centre = headers(session, "centre", region_code="61")
        mark = last_id(session)
        answer = client.put(f"/outcomes/{household['id']}?lang=kk", json=body, headers=centre)
        problem = assert_problem(answer, 422)
        assert any(e["loc"][-1] == field for e in problem["errors"]), problem
        assert rows_since(session, mark) == []

    def test_messages_in_three_languages(
        self, client: TestClient, session: Session, household: dict[str, Any]
    ) -> None:
        planner = headers(session, "planner")
        details = {}
        for lang in ("kk", "ru", "en"):
            answer = client.put(
                f"/outcomes/{household['id']}?lang={lang}",
                json={"employed_3m": 9},
                headers=planner,
            )
            details[lang] = assert_problem(answer, 422)["errors"][0]["msg"]
        assert details["en"] == "cannot exceed the household's 3 member(s)"
        assert "3" in details["kk"] and "3" in details["ru"]
        assert len(set(details.values())) == 3


class TestRoles:
    def test_who_may_read_and_write(
        self, client: TestClient, session: Session, household: dict[str, Any]
    ) -> None:
        hid = household["id"]
        other_centre = headers(session, "centre", region_code="71")
        applicant = headers(session, "applicant", household_id=hid)
        admin = headers(session, "admin")
        mark = last_id(session)
        assert_problem(client.put(f"/outcomes/{hid}", json=GOOD, headers=other_centre), 403)
        assert_problem(client.put(f"/outcomes/{hid}", json=GOOD, headers=applicant), 403)
        assert_problem(client.put(f"/outcomes/{hid}", json=GOOD, headers=admin), 403)
        assert_problem(client.get(f"/outcomes/{hid}", headers=applicant), 403)
        assert rows_since(session, mark) == []
        planner = headers(session, "planner")
        assert client.put(f"/outcomes/{hid}", json=GOOD, headers=planner).status_code == 200
        assert client.get(f"/outcomes/{hid}", headers=admin).status_code == 200
        assert_problem(client.get(f"/outcomes/{hid}", headers=other_centre), 403)
        listed = client.get("/outcomes", headers=admin).json()
        assert [i["household_id"] for i in listed["items"]] == [hid]
        assert client.get("/outcomes", headers=other_centre).json()["items"] == []
        assert_problem(client.get("/outcomes?region=61", headers=other_centre), 403)

    def test_the_receiving_centre_writes_for_a_placed_household(
        self, client: TestClient, session: Session
    ) -> None:
        hid = placed_household(session)
        receiving = headers(session, "centre", region_code="55")
        sending = headers(session, "centre", region_code="71")
        third = headers(session, "centre", region_code="61")
        body = {"employed_3m": 0, "returned": True, "return_reason": "housing"}
        early = client.put(
            f"/outcomes/{hid}", json={**body, "returned_on": "2000-01-01"}, headers=receiving
        )
        assert_problem(early, 422)  # before the move
        today = dt.date.today().isoformat()
        put = client.put(f"/outcomes/{hid}", json={**body, "returned_on": today}, headers=receiving)
        assert put.status_code == 200, put.text
        assert put.json()["locality_id"] == "55-sharbakty" and put.json()["placed_at"]
        assert client.get(f"/outcomes/{hid}", headers=sending).status_code == 200
        assert_problem(client.get(f"/outcomes/{hid}", headers=third), 403)
        assert client.get("/outcomes", headers=receiving).json()["items"][0]["household_id"] == hid


def csv_upload(client: TestClient, auth: dict[str, str], text: str) -> Any:
    return client.post(
        "/outcomes/imports",
        files={"file": ("outcomes.csv", text.encode("utf-8"), "text/csv")},
        headers=auth,
    )


class TestImport:
    def test_good_rows_kept_bad_rows_reported_and_a_second_import_changes_nothing(
        self, client: TestClient, session: Session, household: dict[str, Any]
    ) -> None:
        centre = headers(session, "centre", region_code="61")
        text = (
            "household_external_id,employed_3m,employed_6m,still_resident,returned,"
            "returned_on,return_reason\n"
            "HH-1,1,2,да,нет,,\n"
            "HH-404,1,1,yes,no,,\n"
            "HH-1,1,1,yes,no,,\n"
            ",1,1,perhaps,no,,\n"
        )
        mark = last_id(session)
        answer = csv_upload(client, centre, text)
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert (report["rows"], report["inserted"], report["rejected"]) == (4, 1, 3)
        reasons = {(e["row"], e["field"]) for e in report["errors"]}
        assert reasons == {
            (2, "household_external_id"),
            (3, "household_external_id"),
            (4, "still_resident"),
        }
        assert client.get(f"/outcomes/{household['id']}", headers=centre).json()["employed_6m"] == 2
        rows = rows_since(session, mark)
        assert [(r.action, r.entity) for r in rows] == [
            ("create", "outcome"),
            ("import", "outcomes"),
        ]
        assert rows[0].after["still_resident"] is True
        assert rows[1].after["inserted"] == 1 and rows[1].after["rejected"] == 3
        again = csv_upload(
            client, centre, text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n"
        )
        assert again.json()["unchanged"] == 1 and again.json()["inserted"] == 0

    def test_a_bad_rule_and_another_region_are_row_errors(
        self, client: TestClient, session: Session, household: dict[str, Any]
    ) -> None:
        text = "household_external_id,returned,returned_on\nHH-1,yes,2026-01-01\n"
        report = csv_upload(client, headers(session, "planner"), text).json()
        assert report["rejected"] == 1 and report["errors"][0]["field"] == "return_reason"
        other = csv_upload(
            client, headers(session, "centre", region_code="71"), "household_external_id\nHH-1\n"
        )
        assert other.json()["errors"][0]["message"] == msg("outcomes.other_region", region="71").ru
        assert_problem(csv_upload(client, headers(session, "admin"), text), 403)
        missing = csv_upload(client, headers(session, "planner"), "employed_3m\n1\n")
        assert assert_problem(missing, 422)["errors"][0]["loc"][-1] == "household_external_id"


def test_the_frame_for_the_retention_model(
    client: TestClient, session: Session, household: dict[str, Any]
) -> None:
    planner = headers(session, "planner")
    assert client.put(f"/outcomes/{household['id']}", json=GOOD, headers=planner).status_code == 200
    placed = placed_household(session)
    back = {"returned": True, "returned_on": dt.date.today().isoformat(), "return_reason": "job"}
    assert client.put(f"/outcomes/{placed}", json=back, headers=planner).status_code == 200
    frame = outcomes_frame(session)
    assert frame.columns == [
        "household_id", "members", "locality_id", "placed_at", "recorded_at", "employed_3m",
        "employed_6m", "employed_12m", "still_resident", "returned_12m", "return_reason",
    ]  # fmt: skip
    assert frame.schema["placed_at"] == FRAME_SCHEMA["placed_at"]
    rows = {r["household_id"]: r for r in frame.iter_rows(named=True)}
    unplaced, moved = rows[household["id"]], rows[placed]
    assert (unplaced["members"], unplaced["employed_6m"], unplaced["still_resident"]) == (
        3,
        2,
        True,
    )
    assert unplaced["placed_at"] is None and unplaced["returned_12m"] is None  # censored
    assert moved["locality_id"] == "55-sharbakty" and moved["placed_at"] is not None
    assert moved["returned_12m"] is True and moved["return_reason"] == "job"
    assert frame.filter(pl.col("returned_12m").is_null()).height == 1
