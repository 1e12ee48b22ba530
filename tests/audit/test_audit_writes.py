"""Every instrumented write appends exactly one audit row; a refused write appends none."""

from __future__ import annotations

import io

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.models import ApiTokenRecord
from tests.api.test_homes_api import home
from tests.api.test_households_api import headers, household_body
from tests.api.test_imports import run_queued_jobs
from tests.api.test_vacancies_api import vacancy
from tests.audit.helpers import audit_rows, last_id, rows_since

pytestmark = pytest.mark.db


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return headers(session, "admin")


def token_id_of(session: Session, name: str) -> int:
    from sqlalchemy import select

    return int(session.scalars(select(ApiTokenRecord.id).where(ApiTokenRecord.name == name)).one())


class TestHouseholds:
    def test_create_is_one_row_with_who_when_what_and_the_request_id(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        mark = last_id(session)
        body = household_body()
        response = client.post(
            "/households", json=body, headers={**admin, "X-Request-ID": "req-audit-1"}
        )
        assert response.status_code == 201, response.text
        assert response.headers["x-request-id"] == "req-audit-1"
        rows = rows_since(session, mark)
        assert len(rows) == 1
        row = rows[0]
        assert (row.action, row.entity, row.entity_id) == (
            "create",
            "household",
            str(response.json()["id"]),
        )
        assert row.request_id == "req-audit-1"
        assert row.actor_kind == "token" and row.actor_role == "admin"
        assert row.actor_token_id == token_id_of(session, "test admin")
        assert row.before is None
        assert row.after is not None and row.after["external_id"] == "HH-1"
        assert row.after["applicant_iin"] == body["members"][0]["iin"]
        assert len(row.after["members"]) == 3 and row.region_code == "61"

    def test_update_keeps_only_the_changed_fields(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        created = client.post("/households", json=household_body(), headers=admin).json()
        mark = last_id(session)
        response = client.patch(
            f"/households/{created['id']}",
            json={"origin_settlement": "township", "debt_tenge": 5000},
            headers=admin,
        )
        assert response.status_code == 200, response.text
        rows = rows_since(session, mark)
        assert len(rows) == 1 and rows[0].action == "update"
        assert rows[0].before == {"origin_settlement": "village", "debt_tenge": 0}
        assert rows[0].after == {"origin_settlement": "township", "debt_tenge": 5000}
        assert rows[0].request_id  # generated when the client sends none

    @pytest.mark.parametrize("fault", ["invalid", "duplicate", "forbidden"])
    def test_a_refused_write_leaves_no_row(
        self, fault: str, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        assert client.post("/households", json=household_body(), headers=admin).status_code == 201
        auth = admin
        body = household_body("HH-2")
        expected = 422
        if fault == "invalid":
            body["members"][0]["iin"] = "123456789012"
        elif fault == "duplicate":
            body = household_body()
            expected = 409
        else:
            auth = headers(session, "centre", region_code="71")
            expected = 403
        mark = last_id(session)
        assert client.post("/households", json=body, headers=auth).status_code == expected
        assert rows_since(session, mark) == []


def test_vacancies_employers_homes_and_capacities(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    employer = {"external_id": "E1", "name": "Employer E1", "locality_id": "59-petropavl"}
    assert client.post("/employers", json=employer, headers=admin).status_code == 201
    (row,) = audit_rows(session, "employer")
    assert row.action == "create" and row.after["name"] == "Employer E1"

    created = client.post("/vacancies", json=vacancy(), headers=admin)
    assert created.status_code == 201, created.text
    vid = created.json()["id"]
    assert client.patch(f"/vacancies/{vid}", json={"posts": 4}, headers=admin).status_code == 200
    rows = audit_rows(session, "vacancy", entity_id=str(vid))
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].before == {"posts": 1} and rows[1].after == {"posts": 4}
    mark = last_id(session)
    assert client.patch(f"/vacancies/{vid}", json={"posts": -1}, headers=admin).status_code == 422
    assert rows_since(session, mark) == []

    made = client.post("/homes", json=home(), headers=admin)
    assert made.status_code == 201, made.text
    hid = made.json()["id"]
    assert client.patch(f"/homes/{hid}", json={"units": 3}, headers=admin).status_code == 200
    rows = audit_rows(session, "home", entity_id=str(hid))
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].after == {"units": 3}

    seats = {"kindergarten_seats": 10, "school_seats": 20, "land_plots": 2}
    for n in (10, 12):
        put = client.put(
            "/localities/59-petropavl/capacity",
            json={**seats, "kindergarten_seats": n},
            headers=admin,
        )
        assert put.status_code == 200, put.text
    rows = audit_rows(session, "capacity", entity_id="59-petropavl")
    assert len(rows) == 2 and rows[0].before is None
    assert rows[1].before == {"kindergarten_seats": 10}
    assert rows[1].after == {"kindergarten_seats": 12}


def test_tokens_are_audited_without_their_secret(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    mark = last_id(session)
    made = client.post("/tokens", json={"name": "ops planner", "role": "planner"}, headers=admin)
    assert made.status_code == 201, made.text
    token_id = made.json()["id"]
    assert client.delete(f"/tokens/{token_id}", headers=admin).status_code == 204
    rows = rows_since(session, mark)
    assert [(r.action, r.entity, r.entity_id) for r in rows] == [
        ("create", "token", str(token_id)),
        ("revoke", "token", str(token_id)),
    ]
    assert rows[0].after["role"] == "planner" and rows[0].actor_role == "admin"
    assert rows[1].before == {"revoked_at": None} and rows[1].after["revoked_at"]
    secret = made.json()["token"]
    assert all(secret not in str((r.before, r.after)) for r in rows)


def test_an_import_is_one_row_per_batch_with_its_counts(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    employers = pl.DataFrame(
        {
            "external_id": ["EI-1", "EI-2", "EI-3"],
            "name": ["One", "Two", ""],
            "locality_id": ["59-petropavl", "39-kostanay", "59-petropavl"],
        }
    )
    buffer = io.BytesIO()
    employers.write_csv(buffer)
    mark = last_id(session)
    # The request is answered at once (202); the worker writes the rows and the audit row
    # in one transaction, naming the uploader and the upload request's id.
    uploaded = client.post(
        "/imports/employers",
        files={"file": ("employers.csv", buffer.getvalue(), "text/csv")},
        headers={**admin, "X-Request-ID": "upload-employers-1"},
    )
    assert uploaded.status_code == 202, uploaded.text
    assert rows_since(session, mark) == []
    assert run_queued_jobs(client) == 1
    rows = rows_since(session, mark)
    assert len(rows) == 1
    assert (rows[0].action, rows[0].entity) == ("import", "employers")
    assert (rows[0].actor_kind, rows[0].actor_role) == ("token", "admin")
    assert rows[0].actor_token_id is not None
    assert rows[0].request_id == "upload-employers-1"
    assert rows[0].after == {
        "kind": "employers", "rows": 3, "inserted": 2, "updated": 0, "unchanged": 0,
        "rejected": 1,
    }  # fmt: skip


def test_access_links_and_taxonomy_corrections(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    household = client.post("/households", json=household_body(), headers=admin).json()
    centre = headers(session, "centre", region_code="61")
    link = client.post(f"/households/{household['id']}/access-links", headers=centre)
    assert link.status_code == 201, link.text
    gone = client.delete(
        f"/households/{household['id']}/access-links/{link.json()['id']}", headers=centre
    )
    assert gone.status_code == 204
    rows = audit_rows(session, "access_link")
    assert [r.action for r in rows] == ["create", "revoke"]
    assert rows[0].actor_role == "centre" and rows[0].after["household_id"] == household["id"]

    proposed = client.post(
        "/taxonomy/corrections",
        json={"kind": "occupation", "text": "сварщик труб", "code": "Q7212.01"},
        headers=centre,
    )
    assert proposed.status_code in (200, 201), proposed.text
    cid = proposed.json()["id"]
    reviewed = client.post(f"/taxonomy/corrections/{cid}/reject", headers=admin)
    assert reviewed.status_code == 200, reviewed.text
    rows = audit_rows(session, "taxonomy_correction", entity_id=str(cid))
    assert [r.action for r in rows] == ["propose", "review"]
    assert rows[1].before == {"status": "pending"} and rows[1].after == {"status": "rejected"}
    assert rows[1].actor_role == "admin"


def test_staff_user_creation_is_audited_without_the_password(session: Session) -> None:
    from api.web.users import create_user

    mark = last_id(session)
    user = create_user(session, "clerk-audit", "a-long-secret-1", role="centre", region_code="61")
    session.commit()
    rows = rows_since(session, mark)
    assert [(r.action, r.entity, r.entity_id) for r in rows] == [("create", "web_user", str(user.id))]
    assert rows[0].after == {"username": "clerk-audit", "role": "centre", "region_code": "61", "active": True}
    assert "a-long-secret-1" not in str(rows[0].after) and user.password_hash not in str(rows[0].after)
    mark = last_id(session)
    with pytest.raises(ValueError):
        create_user(session, "clerk-audit", "a-long-secret-2", role="centre", region_code="61")
    assert rows_since(session, mark) == []
