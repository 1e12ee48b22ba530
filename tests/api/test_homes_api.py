"""Homes and locality capacities over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.models import HomeRecord, LocalityCapacityRecord
from tests.api.test_households_api import headers
from tests.api.test_reference_api import assert_problem


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return headers(session, "admin")


def home(external_id: str = "D1", **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "locality_id": "59-petropavl",
        "kind": "rental",
        "rooms": 2,
        "capacity_persons": 4,
        "rent_tenge": 80000,
        **extra,
    }


def test_create_read_patch_list(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post("/homes", json=home(), headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["region_code"] == "59" and body["units_reserved"] == 0
    assert client.get(f"/homes/{body['id']}", headers=admin).json()["rent_tenge"] == 80000
    patched = client.patch(
        f"/homes/{body['id']}", json={"condition": 5, "accessible": True}, headers=admin
    )
    assert patched.json()["condition"] == 5 and patched.json()["accessible"] is True
    client.post(
        "/homes",
        json=home("D2", kind="for_sale", rent_tenge=None, price_tenge=9_000_000),
        headers=admin,
    )
    kinds = {
        h["external_id"]: h["kind"]
        for h in client.get("/homes?region=59", headers=admin).json()["items"]
    }
    assert kinds == {"D1": "rental", "D2": "for_sale"}
    sale = client.get("/homes?kind=for_sale", headers=admin).json()["items"]
    assert [h["external_id"] for h in sale] == ["D2"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "yurt"}, "kind"),
        ({"condition": 6}, "condition"),
        ({"capacity_persons": 0}, "capacity_persons"),
        ({"rent_tenge": -100}, "rent_tenge"),
        ({"heating": "nuclear"}, "heating"),
        ({"locality_id": "nowhere"}, "locality_id"),
        ({"employer_external_id": "E404"}, "employer_external_id"),
        ({"units": 0}, "units"),
    ],
)
def test_each_rule_names_its_field(
    extra: dict[str, Any], field: str, client: TestClient, admin: dict[str, str], session: Session
) -> None:
    body = assert_problem(client.post("/homes", json=home(**extra), headers=admin), 422)
    assert [e["loc"] for e in body["errors"]] == [["body", field]]
    assert session.scalar(select(func.count()).select_from(HomeRecord)) == 0


class TestCapacity:
    def test_put_then_get(self, client: TestClient, admin: dict[str, str]) -> None:
        assert_problem(client.get("/localities/59-petropavl/capacity", headers=admin), 404)
        body = {"kindergarten_seats": 40, "school_seats": 120, "accommodation_beds": 30}
        put = client.put("/localities/59-petropavl/capacity", json=body, headers=admin)
        assert put.status_code == 200, put.text
        got = client.get("/localities/59-petropavl/capacity", headers=admin).json()
        assert (got["school_seats"], got["accommodation_beds"], got["school_reserved"]) == (
            120,
            30,
            0,
        )
        again = client.put(
            "/localities/59-petropavl/capacity", json={**body, "school_seats": 90}, headers=admin
        )
        assert again.json()["school_seats"] == 90

    def test_unknown_locality_is_404(self, client: TestClient, admin: dict[str, str]) -> None:
        assert_problem(client.put("/localities/atlantis/capacity", json={}, headers=admin), 404)

    def test_negative_seats(self, client: TestClient, admin: dict[str, str]) -> None:
        body = assert_problem(
            client.put(
                "/localities/59-petropavl/capacity", json={"school_seats": -1}, headers=admin
            ),
            422,
        )
        assert body["errors"][0]["loc"] == ["body", "school_seats"]

    def test_accommodation_only_in_regional_centres(
        self, client: TestClient, admin: dict[str, str]
    ) -> None:
        body = assert_problem(
            client.put(
                "/localities/59-smirnovo/capacity", json={"accommodation_beds": 5}, headers=admin
            ),
            422,
        )
        assert body["errors"][0]["loc"] == ["body", "accommodation_beds"]

    def test_centre_beds_cannot_drop_below_reserved(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        # Beds held by committed decisions stay held: setting fewer is a 422, nothing changes.
        client.put(
            "/localities/59-petropavl/capacity", json={"accommodation_beds": 20}, headers=admin
        )
        session.execute(
            update(LocalityCapacityRecord)
            .where(LocalityCapacityRecord.locality_id == "59-petropavl")
            .values(accommodation_beds_reserved=12)
        )
        session.flush()
        body = assert_problem(
            client.put(
                "/localities/59-petropavl/capacity", json={"accommodation_beds": 10}, headers=admin
            ),
            422,
        )
        assert body["errors"][0]["loc"] == ["body", "accommodation_beds"]
        shown = client.get("/localities/59-petropavl/capacity", headers=admin).json()
        assert shown["accommodation_beds"] == 20
        assert shown["accommodation_beds_reserved"] == 12

    def test_seats_cannot_drop_below_reserved(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        client.put("/localities/59-petropavl/capacity", json={"school_seats": 50}, headers=admin)
        session.execute(
            update(LocalityCapacityRecord)
            .where(LocalityCapacityRecord.locality_id == "59-petropavl")
            .values(school_reserved=40)
        )
        session.flush()
        body = assert_problem(
            client.put(
                "/localities/59-petropavl/capacity", json={"school_seats": 30}, headers=admin
            ),
            422,
        )
        assert body["errors"][0]["loc"] == ["body", "school_seats"]
        assert (
            client.get("/localities/59-petropavl/capacity", headers=admin).json()["school_seats"]
            == 50
        )
