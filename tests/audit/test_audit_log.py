"""The audit log over HTTP (roles, filters, pages, export), its append-only guarantee, the
page user as actor, allocation runs, and logs that never carry a person's IIN or name."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import structlog
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from api.models import EmployerRecord
from api.models.web import WebUserRecord
from tests.api.test_commit import home as commit_home
from tests.api.test_commit import household as commit_household
from tests.api.test_commit import run as finished_run
from tests.api.test_commit import vacancy as commit_vacancy
from tests.api.test_households_api import headers, household_body, iin_of
from tests.api.test_imports import post_file
from tests.api.test_reference_api import assert_problem
from tests.audit.helpers import audit_rows, last_id, rows_since
from tests.web.conftest import sign_in
from tests.web.test_centre_pages import _register

pytestmark = pytest.mark.db
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return headers(session, "admin")


class TestRoutes:
    @pytest.mark.parametrize("role", ["admin", "planner"])
    def test_admins_and_planners_read(
        self, role: str, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        created = client.post("/households", json=household_body(), headers=admin).json()
        answer = client.get(
            f"/audit?entity=household&entity_id={created['id']}", headers=headers(session, role)
        )
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        assert [(i["action"], i["entity"]) for i in items] == [("create", "household")]
        assert items[0]["actor_name"] == "test admin"

    @pytest.mark.parametrize(
        ("role", "scope"), [("centre", {"region_code": "61"}), ("applicant", None)]
    )
    def test_centres_and_applicants_are_refused(
        self, role: str, scope: dict[str, object] | None, client: TestClient,
        admin: dict[str, str], session: Session,
    ) -> None:  # fmt: skip
        if scope is None:
            created = client.post("/households", json=household_body(), headers=admin).json()
            scope = {"household_id": created["id"]}
        auth = headers(session, role, **scope)
        for path in ("/audit", "/audit/export"):
            assert_problem(client.get(path, headers=auth), 403)

    def test_filters_pages_and_export(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        ids = []
        for i in range(3):
            body = household_body(f"HH-F{i}")
            for k, m in enumerate(body["members"]):
                if m.get("iin"):
                    m["iin"] = iin_of(dt.date.fromisoformat(m["birth_date"]), m["sex"], 50 * i + k)
            ids.append(client.post("/households", json=body, headers=admin).json()["id"])
        client.patch(f"/households/{ids[0]}", json={"debt_tenge": 10}, headers=admin)
        query = "/audit?entity=household&actor=test%20admin&limit=2"
        first = client.get(query, headers=admin).json()
        assert first["pagination"]["total_count"] == 4 and len(first["items"]) == 2
        assert first["items"][0]["action"] == "update"  # newest first
        second = client.get(query + "&page=2", headers=admin).json()
        seen = [i["id"] for i in first["items"] + second["items"]]
        assert len(set(seen)) == 4
        assert_problem(client.get(query + "&page=3", headers=admin), 422)
        updates = client.get("/audit?action=update&entity=household", headers=admin).json()
        assert [i["entity_id"] for i in updates["items"]] == [str(ids[0])]
        assert client.get("/audit?actor=nobody", headers=admin).json()["items"] == []
        at = first["items"][0]["at"]
        later = client.get(f"/audit?entity=household&since={at}", headers=admin).json()
        assert [i["action"] for i in later["items"]] == ["update"]
        earlier = client.get("/audit?entity=household", params={"until": at}, headers=admin).json()
        assert {i["action"] for i in earlier["items"]} == {"create"}

        export = client.get("/audit/export?entity=household", headers=admin)
        assert export.status_code == 200
        assert export.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert [r["action"] for r in rows] == ["create", "create", "create", "update"]
        assert json.loads(rows[3]["after"]) == {"debt_tenge": 10}
        assert rows[0]["before"] == "null"


def test_the_code_has_no_update_or_delete_path_for_audit_rows() -> None:
    forbidden = re.compile(
        r"(update|delete)\(\s*AuditRecord|session\.delete\([^)]*audit|"
        r"(UPDATE|DELETE FROM)\s+\"?audit_log",
    )
    offenders = []
    for path in (REPO / "api").rglob("*.py"):
        if "migrations" in path.parts:
            continue  # the migration creates the triggers that refuse both
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if forbidden.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == []
    # The pattern can fail: it recognises what it forbids.
    assert forbidden.search("session.execute(update(AuditRecord).values(x=1))")
    assert forbidden.search("DELETE FROM audit_log WHERE id = 1")


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_to_change_or_remove_audit_rows(
    statement: str, client: TestClient, admin: dict[str, str], session: Session
) -> None:
    assert client.post("/households", json=household_body(), headers=admin).status_code == 201
    session.commit()
    before = [(r.id, r.action) for r in audit_rows(session)]
    assert before
    with pytest.raises(DatabaseError, match="append-only"):
        with session.begin_nested():
            session.execute(text(statement))
    assert [(r.id, r.action) for r in audit_rows(session)] == before


def test_a_page_user_is_the_actor_of_what_the_form_writes(
    web: TestClient, staff_user: Callable[..., WebUserRecord], session: Session
) -> None:
    user = staff_user("clerk61", "centre", "61")
    sign_in(web, "clerk61")
    household_id = _register(web)
    rows = audit_rows(session, "household", entity_id=str(household_id))
    assert len(rows) == 1
    row = rows[0]
    assert (row.actor_kind, row.actor_user_id, row.actor_token_id) == ("user", user.id, None)
    assert (row.actor_name, row.actor_role) == ("clerk61", "centre") and row.request_id


def test_allocation_run_start_and_commit(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    household = client.post("/households", json=household_body(), headers=admin).json()
    planner = headers(session, "planner")
    body = {
        "year": 2025,
        "locks": [{"household_id": household["id"], "locality_id": "59-petropavl"}],
        "bans": [{"household_id": household["id"], "locality_id": "39-kostanay"}],
    }
    mark = last_id(session)
    started = client.post("/allocation-runs", json=body, headers=planner)
    assert started.status_code == 202, started.text
    (row,) = rows_since(session, mark)
    assert (row.action, row.entity, row.entity_id) == (
        "start",
        "allocation_run",
        started.json()["id"],
    )
    assert row.after["locks"] == body["locks"] and row.after["bans"] == body["bans"]
    assert row.actor_role == "planner"

    session.add(EmployerRecord(external_id="E1", name="Employer", region_code="55"))
    h = commit_household(session)
    run_id = finished_run(
        session,
        [{"household": h, "home": commit_home(session), "vacancy": commit_vacancy(session)}],
    )
    session.commit()
    mark = last_id(session)
    done = client.post(f"/allocation-runs/{run_id}/commit", headers=planner)
    assert done.status_code == 200, done.text
    (row,) = rows_since(session, mark)
    assert (row.action, row.entity_id) == ("commit", run_id)
    assert row.after == {"household_ids": None, "households": 1, "persons": 3}
    mark = last_id(session)
    again = client.post(f"/allocation-runs/{run_id}/commit", headers=planner)
    assert again.status_code == 409
    assert rows_since(session, mark) == []


def test_logs_never_carry_an_iin_or_a_name(
    client: TestClient, web: TestClient, staff_user: Callable[..., WebUserRecord],
    admin: dict[str, str], session: Session, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    body = household_body(applicant_name="Жанар Сейтқалиқызы")
    iin = body["members"][0]["iin"]
    clerk_iin = iin_of(dt.date(1990, 1, 1), "M", serial=33)
    import_iin = iin_of(dt.date(1990, 1, 1), "M", serial=44)
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        assert client.post("/households", json=body, headers=admin).status_code == 201
        assert client.get(f"/households?q={iin}", headers=admin).status_code == 200
        assert client.get(f"/households?iin={iin}", headers=admin).status_code == 200
        rows = (
            "external_id,origin_region,origin_settlement,application_date,relation,birth_date,"
            f"sex,iin\nHH-LOG,61,village,2025-03-01,applicant,1990-01-01,M,{import_iin}\n"
        )
        # The import runs as a job: its worker's logs are scanned too.
        imported = post_file(client, "households", "households.csv", rows.encode(), admin)
        assert imported["status"] == "succeeded" and imported["report"]["inserted"] == 1
        staff_user("clerk61", "centre", "61")
        sign_in(web, "clerk61")
        _register(web, **{"external_id": "C61-LOG", "members.0.iin": clerk_iin})
    assert any(e.get("event") == "request" for e in events)  # the capture did see the logs
    # The test client's own request lines (httpx) are the caller's, not the service's.
    service_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    logged = " ".join(map(str, events)) + "".join(capfd.readouterr())
    logged += " ".join(f"{r.name} {r.getMessage()} {r.args}" for r in service_records)
    for secret in (iin, import_iin, clerk_iin, "Жанар", "Сейтқалиқызы", "Ахметов"):
        assert secret not in logged
    # And the audit rows, which may hold them, did record the writes.
    assert {r.entity_id for r in audit_rows(session, "household", action="create")}
