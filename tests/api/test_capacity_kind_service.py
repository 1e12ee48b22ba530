"""A capacity kind registered in this test alone flows through the service: build → solve →
reasons → commit (refused when it would overbook, then reserved) → the next batch's supply.

The toy kind is "clinic places": one place per person in a locality's clinic. Its supply and
its reservation live in a real table this test creates in the test database
(``test_clinic_places``, dropped afterwards), mapped under the reservation's name ``clinics``
in :data:`api.allocation.reservations.RESERVATION_TABLES` — the one entry a new kind adds in
the service besides its ``register`` call. A throw-away table rather than an existing capacity
column, so that nothing shipped can satisfy the assertions by accident: every number checked
below is read from or written to that table by the service's generic code, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import polars as pl
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update

from api.allocation.batch import build_batch
from api.allocation.requests import validate_request
from api.allocation.reservations import RESERVATION_TABLES
from api.auth.service import issue_token
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.models import AllocationRunRecord, DecisionRecord, HomeRecord, HouseholdRecord
from api.reference.service import seed_reference
from matching.allocation.capacity_kinds import (
    CapacityKind,
    Reservation,
    Supply,
    Use,
    kinds,
    register,
    unregister,
)
from matching.programme.geography import load_reference
from matching.synthetic.programme import generate_programme
from matching.text import Text
from tests.api.test_allocation_api import DATA_DIR, YEAR, World, finish, insert_programme, start
from tests.databases import fresh_database

CLINIC = "clinic_places"
PLACES = 3  # per locality: tight enough that clinics keep some households out
SHORTAGE = Text(
    kk="{label}: емханада орын жоқ",
    ru="{label}: в поликлинике нет мест",
    en="{label}: no clinic places left",
)
TOY = MetaData()
CLINICS = Table(
    "test_clinic_places",
    TOY,
    Column("locality_id", String(64), primary_key=True),
    Column("region_code", String(2)),
    Column("places", Integer, nullable=False),
    Column("places_reserved", Integer, nullable=False, default=0),
)


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"kind-{backend}")) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        TOY.create_all(engine)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
            insert_programme(session, generate_programme(60, seed=11, year=YEAR))
            planner = issue_token(session, name="planner", role="planner")
            centre = issue_token(session, name="centre", role="centre", region_code="55")
            session.execute(
                insert(CLINICS),
                [
                    {"locality_id": loc.id, "region_code": loc.region_code, "places": PLACES}
                    for loc in load_reference(DATA_DIR).all_localities
                ],
            )
        w = World(url, planner, centre)
        yield w
        w.engine.dispose()
        TOY.drop_all(engine)
        engine.dispose()


@pytest.fixture
def clinic(monkeypatch: pytest.MonkeyPatch) -> Iterator[CapacityKind]:
    """The toy kind, registered for one test and unregistered afterwards."""
    monkeypatch.setitem(RESERVATION_TABLES, "clinics", CLINICS)
    kind = register(
        CapacityKind(
            CLINIC,
            Supply("clinics", pl.col("locality_id"), ("places",)),
            (Use(pl.col("locality_id"), pl.col("persons")),),
            shortage=SHORTAGE,
            reservation=Reservation(
                "clinics", ("locality_id",), "places", "places_reserved", ("locality_id",),
                "persons",
            ),  # fmt: skip
            # Named before a home or a post when it blocks too (homes are scarce here).
            precedence=2,
        )
    )
    yield kind
    unregister(CLINIC)


def clinic_rows(world: World) -> dict[str, tuple[int, int]]:
    with world.sessions() as s:
        rows = s.execute(select(CLINICS.c.locality_id, CLINICS.c.places, CLINICS.c.places_reserved))
        return {loc: (places, reserved) for loc, places, reserved in rows}


def test_a_toy_kind_flows_through_build_solve_reasons_and_commit(
    world: World, clinic: CapacityKind
) -> None:
    reference = load_reference(DATA_DIR)
    with world.sessions() as s:
        # The registry is read when a request is checked: the toy kind may be overridden.
        ok = {"year": YEAR, "capacities": [{"kind": CLINIC, "key": "x", "capacity": 1}]}
        assert validate_request(s, reference, ok) == []
    with world.client() as client:
        run_id = start(client, world, {"year": YEAR, "time_limit": 10, "deterministic": True})
        summary = finish(client, world, run_id)["summary"]
        placements = client.get(
            f"/allocation-runs/{run_id}/placements",
            params={"limit": 100, "lang": "ru"},
            headers=world.planner,
        ).json()["items"]
    placed = [p for p in placements if p["placed"]]
    assert placed and len(placements) == summary["households"] <= 100
    # Solve: no locality takes more persons than its clinic has places.
    persons = Counter[str]()
    for p in placed:
        persons[p["locality_id"]] += p["persons"]
    assert persons and max(persons.values()) <= PLACES
    # The stored summary keeps the toy kind's fill, as for every kind with in_summary.
    fill = [row for row in summary["fill"] if row["kind"] == CLINIC]
    assert fill and all(row["used"] <= row["capacity"] == PLACES for row in fill)
    # Reasons: households kept out by a full clinic say so, in the asked language.
    blocked = [p for p in placements if p["reason_code"] == CLINIC]
    assert blocked, Counter(p["reason_code"] for p in placements)
    assert all(p["reason"].endswith(": в поликлинике нет мест") for p in blocked)

    # Commit refused: one locality's clinic has a place less than the run needs.
    tight, need = persons.most_common(1)[0]
    before = clinic_rows(world)
    with world.sessions() as s:
        s.execute(update(CLINICS).where(CLINICS.c.locality_id == tight).values(places=need - 1))
        s.commit()
        homes_reserved = s.scalar(select(func.sum(HomeRecord.units_reserved)))
    with world.client() as client:
        refused = client.post(
            f"/allocation-runs/{run_id}/commit", headers={**world.planner, "Accept-Language": "en"}
        )
    assert refused.status_code == 409, refused.text
    assert [e["loc"] for e in refused.json()["errors"]] == [[CLINIC, tight]]
    assert refused.json()["errors"][0]["msg"] == f"{CLINIC} {tight}: {need} needed, {need - 1} left"
    with world.sessions() as s:
        assert s.scalar(select(func.sum(HomeRecord.units_reserved))) == homes_reserved
        assert s.scalar(select(func.count()).select_from(DecisionRecord)) == 0
        assert s.get(AllocationRunRecord, run_id).committed_at is None  # type: ignore[union-attr]
        statuses = set(s.scalars(select(HouseholdRecord.status)))
        assert statuses <= {"registered", "admitted"}
    assert {k: r for k, (_, r) in clinic_rows(world).items()} == {
        k: r for k, (_, r) in before.items()
    }

    # With the place back the same commit goes through and reserves one place per person.
    with world.sessions() as s:
        s.execute(update(CLINICS).where(CLINICS.c.locality_id == tight).values(places=PLACES))
        s.commit()
    with world.client() as client:
        done = client.post(f"/allocation-runs/{run_id}/commit", headers=world.planner)
    assert done.status_code == 200, done.text
    after = clinic_rows(world)
    assert {k: r for k, (_, r) in after.items() if r} == dict(persons)

    # The next batch's supply is what is left: places - reserved, read from the toy table.
    with world.sessions() as s:
        batch = build_batch(s, reference, {"year": YEAR, "options_per_household": 3})
    rows = batch.instance.resources.filter(pl.col("kind") == CLINIC)
    left = dict(zip(rows["key"].to_list(), rows["capacity"].to_list(), strict=True))
    assert left[tight] == PLACES - persons[tight]
    assert all(left[k] == PLACES - persons.get(k, 0) for k in left)


def test_the_toy_kind_is_gone_after_its_test(world: World) -> None:
    assert CLINIC not in [k.code for k in kinds()]
    assert "clinics" not in RESERVATION_TABLES
    with world.sessions() as s:
        bad = {"year": YEAR, "capacities": [{"kind": CLINIC, "key": "x", "capacity": 1}]}
        errors = validate_request(s, load_reference(DATA_DIR), bad)
    assert [e["loc"] for e in errors] == [["body", "capacities", 0, "kind"]]
