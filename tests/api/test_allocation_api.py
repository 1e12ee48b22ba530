"""Allocation runs over HTTP on both databases: start, follow, read, compare, validate, roles.

Jobs run in other connections than the test's, so these tests use their own committed
database (a generated programme loaded into it) instead of the rolled-back ``session``.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from api.allocation.snapshot import load_snapshot
from api.app import create_app, job_worker
from api.auth.service import issue_token
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT, Settings
from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    MoverNetworkRecord,
    QuotaRecord,
    VacancyRecord,
)
from api.reference.service import seed_reference
from matching.allocation import AllocationConfig, allocate
from matching.domain import LICENCES
from matching.programme.geography import load_reference
from matching.programme.support import load_support_parameters
from matching.synthetic.programme import Programme, generate_programme
from tests.databases import fresh_database

DATA_DIR = REPO_ROOT / "data"
YEAR = 2025


def insert_programme(session: Session, programme: Programme) -> None:
    """Load a generated programme's households, employers, vacancies and homes as live rows."""
    reference = load_reference(DATA_DIR)
    region = {loc.id: loc.region_code for loc in reference.all_localities}
    today = dt.date.today()
    employer_ids: dict[str, int] = {}
    for e in programme.employers.iter_rows(named=True):
        rec = EmployerRecord(
            external_id=e["employer_id"],
            name=e["name"],
            region_code=region[e["locality_id"]],
            locality_id=e["locality_id"],
            sector=e["sector"],
        )
        session.add(rec)
        session.flush()
        employer_ids[e["employer_id"]] = rec.id
    session.execute(
        insert(VacancyRecord),
        [
            {
                "external_id": v["vacancy_id"],
                "employer_id": employer_ids[v["employer_id"]],
                "locality_id": v["locality_id"],
                "region_code": region[v["locality_id"]],
                "title": f"occupation {v['occupation']}",
                "occupation": v["occupation"],
                "isco": v["occupation"][:4],
                "sector": v["sector"],
                "required_education": v["required_education"],
                "required_licences": [
                    lic for i, lic in enumerate(LICENCES) if v["required_licence_mask"] >> i & 1
                ],
                "wage_tenge": int(v["wage_tenge"]),
                "permanent": v["permanent"],
                "posts": v["posts"],
                "employer_housing": v["employer_housing"],
                "qualified": v["qualified"],
            }
            for v in programme.vacancies.iter_rows(named=True)
        ],
    )
    session.execute(
        insert(HomeRecord),
        [
            {
                "external_id": h["home_id"],
                "locality_id": h["locality_id"],
                "region_code": region[h["locality_id"]],
                "kind": h["kind"],
                "rooms": h["rooms"],
                "capacity_persons": h["capacity"],
                "rent_tenge": int(h["rent_tenge"]),
                "price_tenge": int(h["price_tenge"]),
                "condition": h["condition"],
                "heating": h["heating"],
                "piped_water": h["piped_water"],
                "accessible": h["accessible"],
                "employer_id": employer_ids.get(h["employer_id"] or ""),
                "units": 1,
            }
            for h in programme.homes.iter_rows(named=True)
        ],
    )
    session.execute(
        insert(MoverNetworkRecord),
        [
            {"origin_region_code": r["origin_region"], "locality_id": r["locality_id"],
             "movers": r["movers"], "source": "generated"}
            for r in programme.network.iter_rows(named=True)
            if r["locality_id"] in region
        ],
    )  # fmt: skip
    experience: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for x in programme.experience.iter_rows(named=True):
        experience.setdefault((x["household_id"], x["member_no"]), []).append(
            {"occupation": x["occupation"], "years": x["years"], "documented": x["documented"]}
        )
    members: dict[str, list[dict[str, Any]]] = {}
    for m in programme.members.iter_rows(named=True):
        members.setdefault(m["household_id"], []).append(m)
    for h in programme.households.iter_rows(named=True):
        hh = HouseholdRecord(
            external_id=h["household_id"],
            applicant_iin=h["iin"],
            category=h["category"],
            origin_region_code=h["origin_region"],
            origin_settlement=h["origin_settlement"],
            origin_heating=h["origin_heating"],
            origin_wage_tenge=int(h["origin_wage_tenge"]),
            years_in_origin=h["years_in_origin"],
            citizen=h["citizen"],
            application_date=h["application_date"],
            documents_complete=h["documents_complete"],
            debt_tenge=int(h["debt_tenge"]),
            preferences={
                "regions": h["pref_regions"],
                "settlement_types": h["pref_settlement_types"],
                "tenure": h["pref_tenure"],
                "wants_land": h["wants_land"],
                "business_intent": h["business_intent"],
            },
        )
        session.add(hh)
        session.flush()
        for m in members.get(h["household_id"], []):
            session.add(
                HouseholdMemberRecord(
                    household_id=hh.id,
                    position=m["member_no"],
                    relation=m["relation"],
                    birth_date=dt.date(today.year - m["age"], 1, 1),
                    sex=m["sex"],
                    marital_status=m["marital_status"],
                    education=m["education"],
                    employment_status=m["employment_status"],
                    experience=experience.get((h["household_id"], m["member_no"]), []),
                    licences=[lic for i, lic in enumerate(LICENCES) if m["licence_mask"] >> i & 1],
                    health={
                        "clinic": m["needs_clinic"],
                        "hospital": m["needs_hospital"],
                        "accessible_home": m["needs_accessible"],
                    },
                )
            )
    session.flush()


class World:
    def __init__(self, url: str, planner: str, centre: str) -> None:
        self.url = url
        self.planner = {"Authorization": f"Bearer {planner}"}
        self.centre = {"Authorization": f"Bearer {centre}"}
        self.engine = make_engine(url, pool_size=4)
        self.sessions = make_sessionmaker(self.engine)
        self.worker = job_worker(
            self.sessions, load_reference(DATA_DIR), load_support_parameters(DATA_DIR)
        )

    def client(self, *, in_process: bool = False) -> TestClient:
        settings = Settings(
            database_url=self.url,
            environment="test",
            data_dir=DATA_DIR,
            run_jobs_in_process=in_process,
        )
        return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"alloc-{backend}")) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
            insert_programme(session, generate_programme(150, seed=5, year=YEAR))
            planner = issue_token(session, name="planner one", role="planner")
            centre = issue_token(session, name="centre 55", role="centre", region_code="55")
        engine.dispose()
        w = World(url, planner, centre)
        yield w
        w.engine.dispose()


def start(client: TestClient, world: World, body: dict[str, Any]) -> str:
    answer = client.post("/allocation-runs", json=body, headers=world.planner)
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["id"]
    assert answer.headers["location"] == f"/allocation-runs/{run_id}"
    assert answer.json()["status"] == "queued"
    return str(run_id)


def finish(client: TestClient, world: World, run_id: str) -> dict[str, Any]:
    """Run queued jobs until this run's is done (jobs queued in the same second may come in
    either order)."""
    body = client.get(f"/allocation-runs/{run_id}", headers=world.planner).json()
    while body["status"] in ("queued", "running"):
        assert world.worker.run_once()
        body = client.get(f"/allocation-runs/{run_id}", headers=world.planner).json()
    assert body["status"] == "succeeded", body
    return dict(body)


def all_placements(
    client: TestClient, world: World, run_id: str, **query: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = client.get(
            f"/allocation-runs/{run_id}/placements",
            params={"page": page, "limit": 100, **query},
            headers=world.planner,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        if len(items) >= body["pagination"]["total_count"]:
            return items
        page += 1


def test_a_run_is_a_job_whose_result_respects_every_capacity(world: World) -> None:
    with world.client() as client:
        run_id = start(client, world, {"name": "base", "year": YEAR, "time_limit": 20})
        queued = client.get(f"/allocation-runs/{run_id}", headers=world.planner).json()
        assert queued["status"] == "queued" and queued["summary"] is None
        done = finish(client, world, run_id)
        summary = done["summary"]
        assert done["progress"] == 1.0
        for key in ("status", "objective", "best_bound", "gap", "wall_seconds",
                    "households_placed", "households_unplaced", "greedy_objective",
                    "status_quo_objective"):  # fmt: skip
            assert key in summary
        assert summary["status"] in ("optimal", "feasible")
        assert summary["objective"] <= summary["best_bound"]
        assert summary["greedy_objective"] <= summary["objective"]
        placements = all_placements(client, world, run_id)
        placed = [p for p in placements if p["placed"]]
        assert len(placed) == summary["households_placed"] > 0
        assert len(placements) - len(placed) == summary["households_unplaced"]
        assert all(p["reason_code"] and p["reason"] for p in placements if not p["placed"])
        assert all(p["breakdown"] and p["locality_name"] for p in placed)

    with world.sessions() as session:
        homes = dict(session.execute(select(HomeRecord.id, HomeRecord.units)).all())
        posts = dict(session.execute(select(VacancyRecord.id, VacancyRecord.posts)).all())
        quota = {
            (r, c): (p, f)
            for r, c, p, f in session.execute(
                select(QuotaRecord.region_code, QuotaRecord.category, QuotaRecord.persons,
                       QuotaRecord.families).where(QuotaRecord.year == YEAR)
            ).all()
        }  # fmt: skip
        category = dict(session.execute(select(HouseholdRecord.id, HouseholdRecord.category)).all())
    home_use = Counter(p["home_id"] for p in placed)
    post_use = Counter(p["vacancy_id"] for p in placed) + Counter(
        p["second_vacancy_id"] for p in placed if p["second_vacancy_id"] is not None
    )
    assert all(n <= homes[h] for h, n in home_use.items())
    assert all(n <= posts[v] for v, n in post_use.items())
    persons: Counter[tuple[str, str]] = Counter()
    families: Counter[tuple[str, str]] = Counter()
    for p in placed:
        group = (p["region_code"], category[p["household_id"]])
        persons[group] += p["persons"]
        families[group] += 1
    for group, n in persons.items():
        if group in quota:
            cap_persons, cap_families = quota[group]
            assert n <= cap_persons
            assert cap_families is None or families[group] <= cap_families


def test_placements_speak_the_asked_language_and_the_snapshot_reproduces_the_run(
    world: World,
) -> None:
    with world.client() as client:
        run_id = start(client, world, {"year": YEAR, "time_limit": 20, "deterministic": True})
        summary = finish(client, world, run_id)["summary"]
        ru = all_placements(client, world, run_id, placed=False, lang="ru")
        en = all_placements(client, world, run_id, placed=False, lang="en")
        assert ru and all(not p["placed"] for p in ru)
        assert any(ch in "абвгдеёжзийклмнопрстуфхцчшщыэюя" for ch in ru[0]["reason"].lower())
        assert ru[0]["reason"] != en[0]["reason"]
        snap = client.get(f"/allocation-runs/{run_id}/snapshot", headers=world.planner)
        assert snap.status_code == 200 and snap.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(snap.content)).namelist())
    assert {"households.parquet", "options.parquet", "resources.parquet", "request.json"} <= names
    instance, request = load_snapshot(snap.content)
    assert request["year"] == YEAR
    again = allocate(instance, AllocationConfig(time_limit=20, deterministic=True))
    assert again.objective == summary["objective"]
    assert instance.n_households == summary["households"]


def test_what_if_runs_compare_side_by_side(world: World) -> None:
    tight = [
        {"region_code": r, "category": c, "persons": 6, "families": 2}
        for r in ("10", "11", "35", "39", "55", "59", "62", "63")
        for c in ("resettler", "kandas")
    ]
    with world.client() as client:
        a = start(client, world, {"name": "published", "year": YEAR, "time_limit": 20})
        b = start(client, world, {"name": "tight", "year": YEAR, "time_limit": 20, "quotas": tight})
        sa = finish(client, world, a)["summary"]
        sb = finish(client, world, b)["summary"]
        answer = client.get(f"/allocation-runs/{a}/compare/{b}", headers=world.planner)
        assert answer.status_code == 200, answer.text
        cmp = answer.json()
        pa = {p["household_id"]: p["locality_id"] for p in all_placements(client, world, a)}
        pb = {p["household_id"]: p["locality_id"] for p in all_placements(client, world, b)}
    assert cmp["a"]["objective"] == sa["objective"] and cmp["b"]["objective"] == sb["objective"]
    assert cmp["objective_delta"] == sb["objective"] - sa["objective"]
    # Tighter quotas can only cost objective.
    assert sb["objective"] <= sa["objective"]
    expected = {h for h in pa.keys() | pb.keys() if pa.get(h) != pb.get(h)}
    assert {m["household_id"] for m in cmp["moves"]} == expected
    assert cmp["moves_total"] == len(expected)
    quota_rows = [r for r in cmp["fill"] if r["kind"] == "quota_persons"]
    assert quota_rows and all(r.get("used_b", 0) <= r.get("capacity_b", 6) for r in quota_rows)


def test_bad_request_lists_every_problem(world: World) -> None:
    body = {
        "year": YEAR,
        "time_limit": 0,
        "options_per_household": 500,
        "region_codes": ["99"],
        "quotas": [{"region_code": "55", "category": "resettler", "persons": -5}],
        "locks": [{"household_id": 1, "locality_id": "55-no-such-place"}],
        "bans": [{"household_id": 987654, "locality_id": "55-no-such-place"}],
    }
    with world.client() as client:
        answer = client.post("/allocation-runs", json=body, headers=world.planner)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = answer.json()["errors"]
    locs = {tuple(e["loc"]) for e in errors}
    assert ("body", "time_limit") in locs
    assert ("body", "options_per_household") in locs
    assert ("body", "region_codes", 0) in locs
    assert ("body", "quotas", 0, "persons") in locs
    assert ("body", "locks", 0, "locality_id") in locs
    assert ("body", "bans", 0, "locality_id") in locs
    assert ("body", "bans", 0, "household_id") in locs
    assert len(errors) == 7


def test_only_planners_and_admins_run_allocations(world: World) -> None:
    with world.client() as client:
        anonymous = client.post("/allocation-runs", json={"year": YEAR})
        centre = client.post("/allocation-runs", json={"year": YEAR}, headers=world.centre)
        centre_get = client.get("/allocation-runs/x", headers=world.centre)
        missing = client.get("/allocation-runs/nope", headers=world.planner)
    assert anonymous.status_code == 401 and "www-authenticate" in anonymous.headers
    assert centre.status_code == 403 and centre_get.status_code == 403
    assert missing.status_code == 404
    for answer in (anonymous, centre, missing):
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_the_in_process_worker_runs_queued_runs(world: World) -> None:
    with world.client(in_process=True) as client:
        run_id = start(client, world, {"year": YEAR, "time_limit": 10})
        deadline = time.monotonic() + 120
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            body = client.get(f"/allocation-runs/{run_id}", headers=world.planner).json()
            if body["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.2)
    assert body["status"] == "succeeded", body
    assert body["summary"]["objective"] <= body["summary"]["best_bound"]


def test_scenario_overrides_reach_the_batch(world: World, tmp_path: Path) -> None:
    """A capacity override of zero on every quota leaves nobody placed."""
    with world.client() as client:
        run_id = start(
            client,
            world,
            {
                "year": YEAR,
                "time_limit": 10,
                "quotas": [
                    {"region_code": r, "category": c, "persons": 0, "families": 0}
                    for r in ("10", "11", "35", "39", "55", "59", "62", "63")
                    for c in ("resettler", "kandas")
                ],
            },
        )
        summary = finish(client, world, run_id)["summary"]
    assert summary["households_placed"] == 0
    assert pl.DataFrame(summary["fill"]).filter(pl.col("used") > 0).height == 0


def test_a_batch_without_households_fails_with_a_reason(world: World) -> None:
    with world.client() as client:
        run_id = start(client, world, {"year": YEAR, "household_ids": [1], "categories": []})
        with world.sessions() as session:
            session.execute(
                update(HouseholdRecord).where(HouseholdRecord.id == 1).values(status="withdrawn")
            )
            session.commit()
        try:
            assert world.worker.run_once()
            body = client.get(f"/allocation-runs/{run_id}?lang=en", headers=world.planner).json()
        finally:
            with world.sessions() as session:
                session.execute(
                    update(HouseholdRecord)
                    .where(HouseholdRecord.id == 1)
                    .values(status="registered")
                )
                session.commit()
        placements = client.get(f"/allocation-runs/{run_id}/placements", headers=world.planner)
    assert body["status"] == "failed" and body["summary"] is None
    assert body["error"]["status"] == 422
    assert body["error"]["detail"] == "No waiting household matches the filters."
    assert placements.status_code == 409


def test_runs_are_listed_and_unknown_body_fields_are_refused(world: World) -> None:
    with world.client() as client:
        first = start(client, world, {"name": "older", "year": YEAR, "time_limit": 5})
        second = start(client, world, {"name": "newer", "year": YEAR, "time_limit": 5})
        listed = client.get("/allocation-runs", params={"year": YEAR, "limit": 100},
                            headers=world.planner)  # fmt: skip
        typo = client.post("/allocation-runs", json={"year": YEAR, "quota": []},
                           headers=world.planner)  # fmt: skip
        while world.worker.run_once():
            pass
    assert listed.status_code == 200
    ids = [item["id"] for item in listed.json()["items"]]
    assert first in ids and second in ids
    assert listed.json()["pagination"]["total_count"] == len(ids)
    assert typo.status_code == 422
    assert ["body", "quota"] in [e["loc"] for e in typo.json()["errors"]]


def test_fairness_floors_have_a_measured_cost_shown_in_the_comparison(world: World) -> None:
    floor = [{"group": "kandas", "kind": "placement_rate", "threshold": 0.2}]
    with world.client() as client:
        free = start(client, world, {"name": "free", "year": YEAR, "time_limit": 20})
        fair = start(
            client, world, {"name": "fair", "year": YEAR, "time_limit": 20, "fairness": floor}
        )
        sf = finish(client, world, free)["summary"]
        sr = finish(client, world, fair)["summary"]
        cmp = client.get(f"/allocation-runs/{free}/compare/{fair}", headers=world.planner).json()
    assert sf["fairness_cost"] is None
    if sr["status"] == "infeasible":  # the floor cannot hold: the run says which rule
        assert sr["conflict"] and sr["conflict"]["members"]
        return
    assert sr["fairness_cost"] is not None and sr["fairness_cost"] >= 0
    assert cmp["b"]["fairness_cost"] == sr["fairness_cost"]
    # The cost is measured against the same batch solved without the floor.
    assert sr["objective"] + sr["fairness_cost"] <= sf["best_bound"]


def test_a_budget_caps_the_subsidies_of_the_placed(world: World) -> None:
    budget = 20_000_000
    with world.client() as client:
        run_id = start(
            client,
            world,
            {
                "year": YEAR,
                "time_limit": 20,
                "budgets": [{"region_code": "55", "budget_tenge": budget}],
            },
        )
        summary = finish(client, world, run_id)["summary"]
    rows = [r for r in summary["fill"] if r["kind"] == "budget"]
    assert len(rows) == 1 and rows[0]["key"] == "55"
    # Budget rows count thousands of tenge, rounded down; subsidies are rounded up.
    assert 0 < rows[0]["used"] <= rows[0]["capacity"] == budget // 1000


def test_a_run_over_a_scenario_folder_is_a_what_if_that_cannot_be_committed(
    world: World,
) -> None:
    with world.client() as client:
        outside = client.post(
            "/allocation-runs",
            json={"year": YEAR, "scenario_dir": "../../api"},
            headers=world.planner,
        )
        assert outside.status_code == 422
        assert [e["loc"] for e in outside.json()["errors"]] == [["body", "scenario_dir"]]
        run_id = start(client, world, {"name": "folder", "year": YEAR, "scenario_dir": "scenario"})
        done = finish(client, world, run_id)
        assert done["request"]["scenario_dir"].endswith("data/examples/scenario")
        summary = done["summary"]
        assert summary["scenario"] is True and summary["households"] == 120
        assert {g["group"] for g in summary["category_groups"]} <= {"resettler", "kandas"}
        assert client.get(
            f"/allocation-runs/{run_id}/placements", headers=world.planner
        ).json()["items"] == []
        refused = client.post(f"/allocation-runs/{run_id}/commit", headers=world.planner)
        assert refused.status_code == 409
        listed = client.get("/allocation-runs", headers=world.planner).json()["items"]
        row = next(r for r in listed if r["id"] == run_id)
        assert row["households"] == 120 and row["scenario_dir"] == done["request"]["scenario_dir"]


def test_a_live_run_reports_outcomes_by_group(world: World) -> None:
    with world.client() as client:
        run_id = start(client, world, {"name": "groups", "year": YEAR, "time_limit": 5})
        summary = finish(client, world, run_id)["summary"]
    groups = {g["group"]: g for g in summary["outcome_groups"]}
    assert groups["all"]["households"] == summary["households"]
    assert groups["all"]["placed"] == summary["households_placed"]
    assert set(groups) <= {"all", "women", "youth", "divorced_widowed", "village", "resettler",
                           "kandas"}  # fmt: skip
    for g in groups.values():
        assert 0 <= g["placed"] <= g["households"] <= groups["all"]["households"]
    # Every household is in exactly one category.
    cats = sum(groups[c]["households"] for c in ("resettler", "kandas") if c in groups)
    assert cats == groups["all"]["households"]
