"""Committing runs: reservations, quotas, all-or-nothing, and two planners at the same moment.

Runs are written straight into the tables (a finished job, its placements) so each test
controls exactly which homes, posts, seats, beds and quotas two runs compete for. Runs that use
accommodation-centre beds also get the snapshot a solved run stores: the commit reads from it
which options the optimizer charged beds for.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from api.allocation.commit import CommitConflict, CommitRefused, commit_run
from api.allocation.snapshot import snapshot_bytes
from api.app import create_app
from api.auth.service import issue_token
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT, Settings
from api.core.validation import FieldError
from api.homes.mappers import validate_capacity
from api.matches.frames import load_catalogue
from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    EmployerRecord,
    HomeRecord,
    HouseholdRecord,
    JobRecord,
    LocalityCapacityRecord,
    PlacementRecord,
    QuotaRecord,
    VacancyRecord,
)
from api.reference.service import seed_reference
from matching.allocation import build_instance
from matching.programme.geography import load_reference
from tests.databases import fresh_database

DATA_DIR = REPO_ROOT / "data"
YEAR = 2025
REGION = "55"
LOCALITY = "55-sharbakty"
# Accommodation centres exist in regional centres only.
CENTRE = "55-pavlodar"


@dataclass
class Db:
    url: str
    engine: Engine
    token: str

    def session(self) -> Session:
        return make_sessionmaker(self.engine)()


@pytest.fixture(scope="module")
def db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"commit-{backend}")) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=8)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
            session.add(EmployerRecord(external_id="E1", name="Employer", region_code=REGION))
            token = issue_token(session, name="planner", role="planner")
        yield Db(url, engine, token)
        engine.dispose()


def _tag() -> str:
    return uuid.uuid4().hex[:10]


def household(session: Session, category: str = "resettler") -> int:
    rec = HouseholdRecord(
        external_id=f"H-{_tag()}",
        applicant_iin="900101300011",
        category=category,
        origin_region_code="71",
        origin_settlement="village",
        application_date=dt.date(YEAR, 1, 10),
    )
    session.add(rec)
    session.flush()
    return rec.id


def home(session: Session, units: int = 1, locality: str = LOCALITY) -> int:
    rec = HomeRecord(
        external_id=f"D-{_tag()}",
        locality_id=locality,
        region_code=REGION,
        kind="rental",
        rooms=2,
        capacity_persons=4,
        units=units,
    )
    session.add(rec)
    session.flush()
    return rec.id


def vacancy(session: Session, posts: int = 1, locality: str = LOCALITY) -> int:
    employer = session.scalar(select(EmployerRecord.id).where(EmployerRecord.external_id == "E1"))
    assert employer is not None
    rec = VacancyRecord(
        external_id=f"V-{_tag()}",
        employer_id=employer,
        locality_id=locality,
        region_code=REGION,
        title="Тракторист",
        occupation="8341",
        isco="8341",
        wage_tenge=250000,
        posts=posts,
    )
    session.add(rec)
    session.flush()
    return rec.id


def run(
    session: Session,
    placements: list[dict[str, Any]],
    *,
    status: str = "succeeded",
    locality: str = LOCALITY,
) -> str:
    """A finished run placing each household on its (home, vacancy) in ``locality``."""
    job = JobRecord(id=uuid.uuid4().hex, kind="allocation", status=status, params={})
    run_id = uuid.uuid4().hex
    session.add(job)
    session.flush()
    session.add(AllocationRunRecord(id=run_id, job_id=job.id, year=YEAR, scenario={}, summary={}))
    session.flush()
    for p in placements:
        session.add(
            PlacementRecord(
                run_id=run_id,
                household_id=p["household"],
                placed=True,
                locality_id=locality,
                region_code=REGION,
                home_id=p["home"],
                vacancy_id=p["vacancy"],
                second_vacancy_id=p.get("second"),
                score=0.7,
                persons=p.get("persons", 3),
                children_0_5=p.get("kids", 0),
                children_6_17=p.get("pupils", 0),
            )
        )
    session.flush()
    return run_id


def state(
    session: Session, homes: list[int], vacancies: list[int], households: list[int]
) -> dict[str, Any]:
    session.expire_all()
    return {
        "units": dict(
            session.execute(
                select(HomeRecord.id, HomeRecord.units_reserved).where(HomeRecord.id.in_(homes))
            ).all()
        ),
        "posts": dict(
            session.execute(
                select(VacancyRecord.id, VacancyRecord.posts_reserved).where(
                    VacancyRecord.id.in_(vacancies)
                )
            ).all()
        ),
        "status": dict(
            session.execute(
                select(HouseholdRecord.id, HouseholdRecord.status).where(
                    HouseholdRecord.id.in_(households)
                )
            ).all()
        ),
        "decisions": int(
            session.scalar(
                select(func.count())
                .select_from(DecisionRecord)
                .where(DecisionRecord.household_id.in_(households))
            )
            or 0
        ),
    }


def commit_concurrently(db: Db, runs: list[str], *, by_planner: bool = False) -> dict[str, Any]:
    """Commit ``runs`` at the same moment, each from its own engine and thread; returns each
    run's outcome (the commit's result or its CommitConflict)."""
    barrier = threading.Barrier(len(runs))
    outcomes: dict[str, Any] = {}

    def commit_in_thread(run_id: str) -> None:
        engine = make_engine(db.url, pool_size=1)
        try:
            with make_sessionmaker(engine)() as s:
                barrier.wait()
                by = {"by": f"planner-{run_id[:4]}"} if by_planner else {}
                try:
                    outcomes[run_id] = commit_run(s, run_id, **by)
                except CommitConflict as exc:
                    outcomes[run_id] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=commit_in_thread, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_commit_reserves_and_a_competing_commit_writes_nothing(db: Db) -> None:
    with db.session() as s:
        h1, h2, h3 = household(s), household(s), household(s)
        d1, d2 = home(s), home(s)
        v1, v2 = vacancy(s), vacancy(s, posts=2)
        first = run(s, [{"household": h1, "home": d1, "vacancy": v1}])
        # Competes for d1 and v1; h3's own placement (d2, v2) would fit but must not be kept.
        second = run(
            s,
            [
                {"household": h2, "home": d1, "vacancy": v1},
                {"household": h3, "home": d2, "vacancy": v2},
            ],
        )
        s.commit()
    with db.session() as s:
        done = commit_run(s, first, by="planner")
    assert done.households == 1 and done.persons == 3
    with db.session() as s:
        after_first = state(s, [d1, d2], [v1, v2], [h1, h2, h3])
        with pytest.raises(CommitConflict) as caught:
            commit_run(s, second, by="planner")
    overbooked = {(e["loc"][0], e["loc"][1]) for e in caught.value.errors}
    assert overbooked == {("home", d1), ("vacancy", v1)}
    assert caught.value.status == 409
    with db.session() as s:
        assert state(s, [d1, d2], [v1, v2], [h1, h2, h3]) == after_first
        assert after_first["units"] == {d1: 1, d2: 0}
        assert after_first["posts"] == {v1: 1, v2: 0}
        assert after_first["status"] == {h1: "placed", h2: "registered", h3: "registered"}
        assert after_first["decisions"] == 1
        assert s.get(AllocationRunRecord, second).committed_at is None  # type: ignore[union-attr]


def test_quota_is_checked_against_every_committed_decision(db: Db) -> None:
    with db.session() as s:
        s.execute(
            update(QuotaRecord)
            .where(QuotaRecord.year == YEAR, QuotaRecord.region_code == REGION,
                   QuotaRecord.category == "kandas")
            .values(persons=5, families=None)
        )  # fmt: skip
        a, b = household(s, "kandas"), household(s, "kandas")
        runs = [
            run(s, [{"household": h, "home": home(s), "vacancy": vacancy(s), "persons": 3}])
            for h in (a, b)
        ]
        s.commit()
    with db.session() as s:
        commit_run(s, runs[0])
    with db.session() as s, pytest.raises(CommitConflict) as caught:
        commit_run(s, runs[1])
    assert [e["loc"] for e in caught.value.errors] == [["quota_persons", f"{REGION}/kandas"]]
    with db.session() as s:
        assert s.get(HouseholdRecord, b).status == "registered"  # type: ignore[union-attr]


def test_school_seats_are_reserved_and_never_overbooked(db: Db) -> None:
    with db.session() as s:
        s.merge(LocalityCapacityRecord(locality_id=LOCALITY, kindergarten_seats=50, school_seats=2))
        s.execute(
            update(LocalityCapacityRecord)
            .where(LocalityCapacityRecord.locality_id == LOCALITY)
            .values(school_seats=LocalityCapacityRecord.school_reserved + 2)
        )
        a, b = household(s), household(s)
        ra = run(s, [{"household": a, "home": home(s), "vacancy": vacancy(s), "pupils": 2}])
        rb = run(s, [{"household": b, "home": home(s), "vacancy": vacancy(s), "pupils": 1}])
        s.commit()
    with db.session() as s:
        commit_run(s, ra)
    with db.session() as s, pytest.raises(CommitConflict) as caught:
        commit_run(s, rb)
    assert [e["loc"] for e in caught.value.errors] == [["school", LOCALITY]]
    with db.session() as s:
        cap = s.get(LocalityCapacityRecord, LOCALITY)
        assert cap is not None and cap.school_reserved == cap.school_seats


def test_refusals_before_anything_is_written(db: Db) -> None:
    with db.session() as s:
        h = household(s)
        running = run(
            s, [{"household": h, "home": home(s), "vacancy": vacancy(s)}], status="running"
        )
        done = run(s, [{"household": h, "home": home(s), "vacancy": vacancy(s)}])
        s.commit()
    with db.session() as s, pytest.raises(CommitRefused) as not_done:
        commit_run(s, running)
    with db.session() as s, pytest.raises(CommitRefused) as unknown:
        commit_run(s, "no-such-run")
    with db.session() as s, pytest.raises(CommitRefused) as outsider:
        commit_run(s, done, household_ids=[h, 10**9])
    assert (not_done.value.status, unknown.value.status, outsider.value.status) == (409, 404, 422)
    assert [e["loc"] for e in outsider.value.errors] == [["body", "household_ids"]]
    with db.session() as s:
        assert s.get(HouseholdRecord, h).status == "registered"  # type: ignore[union-attr]


@pytest.mark.parametrize("round_", range(4))
def test_two_planners_committing_at_once_never_overbook(db: Db, round_: int) -> None:
    """Two threads, each with its own connection, commit runs that compete for one home unit,
    one post and the last school seat; exactly one wins and the tables stay within capacity."""
    with db.session() as s:
        s.merge(LocalityCapacityRecord(locality_id=LOCALITY, kindergarten_seats=50, school_seats=2))
        cap = s.get(LocalityCapacityRecord, LOCALITY)
        assert cap is not None
        cap.school_seats = cap.school_reserved + 1
        shared_home, shared_post = home(s), vacancy(s)
        people = [household(s), household(s)]
        runs = [
            run(s, [{"household": h, "home": shared_home, "vacancy": shared_post, "pupils": 1}])
            for h in people
        ]
        s.commit()
    outcomes = commit_concurrently(db, runs, by_planner=True)
    wins = [r for r in runs if not isinstance(outcomes.get(r), CommitConflict)]
    losses = [r for r in runs if isinstance(outcomes.get(r), CommitConflict)]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    lost = outcomes[losses[0]]
    assert {e["loc"][0] for e in lost.errors} == {"home", "vacancy", "school"}
    with db.session() as s:
        st = state(s, [shared_home], [shared_post], people)
        assert st["units"] == {shared_home: 1} and st["posts"] == {shared_post: 1}
        assert st["decisions"] == 1
        assert sorted(st["status"].values()) == ["placed", "registered"]
        cap = s.get(LocalityCapacityRecord, LOCALITY)
        assert cap is not None and cap.school_reserved == cap.school_seats
        assert (
            s.scalar(
                select(func.count())
                .select_from(HomeRecord)
                .where(HomeRecord.units_reserved > HomeRecord.units)
            )
            == 0
        )


def test_commit_over_http_answers_409_with_every_overbooked_resource(db: Db) -> None:
    with db.session() as s:
        a, b = household(s), household(s)
        d, v = home(s), vacancy(s)
        ra = run(s, [{"household": a, "home": d, "vacancy": v}])
        rb = run(s, [{"household": b, "home": d, "vacancy": v}])
        s.commit()
    settings = Settings(database_url=db.url, environment="test", data_dir=DATA_DIR)
    headers = {"Authorization": f"Bearer {db.token}"}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        ok = client.post(f"/allocation-runs/{ra}/commit", json={}, headers=headers)
        clash = client.post(f"/allocation-runs/{rb}/commit", headers=headers)
        anonymous = client.post(f"/allocation-runs/{rb}/commit")
    assert ok.status_code == 200 and ok.json()["households"] == 1
    assert clash.status_code == 409
    assert clash.headers["content-type"].startswith("application/problem+json")
    assert {tuple(e["loc"]) for e in clash.json()["errors"]} == {("home", d), ("vacancy", v)}
    assert anonymous.status_code == 401


@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_commits_never_overrun_a_quota(db: Db, round_: int) -> None:
    """The runs share no home, post or seat, only a quota with room for one of them: the
    quota rows are locked before committed persons are counted, so one commit waits for the
    other and then sees its decision."""
    with db.session() as s:
        used = s.execute(
            select(func.coalesce(func.sum(DecisionRecord.persons), 0))
            .join(HouseholdRecord, HouseholdRecord.id == DecisionRecord.household_id)
            .where(HouseholdRecord.category == "kandas")
        ).scalar_one()
        s.execute(
            update(QuotaRecord)
            .where(QuotaRecord.year == YEAR, QuotaRecord.region_code == REGION,
                   QuotaRecord.category == "kandas")
            .values(persons=int(used) + 4, families=None)
        )  # fmt: skip
        people = [household(s, "kandas"), household(s, "kandas")]
        runs = [
            run(s, [{"household": h, "home": home(s), "vacancy": vacancy(s), "persons": 3}])
            for h in people
        ]
        s.commit()
    outcomes = commit_concurrently(db, runs)
    conflicts = [o for o in outcomes.values() if isinstance(o, CommitConflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1, outcomes
    assert [e["loc"] for e in conflicts[0].errors] == [["quota_persons", f"{REGION}/kandas"]]
    with db.session() as s:
        committed = s.execute(
            select(func.coalesce(func.sum(DecisionRecord.persons), 0))
            .join(HouseholdRecord, HouseholdRecord.id == DecisionRecord.household_id)
            .where(HouseholdRecord.category == "kandas")
        ).scalar_one()
        assert committed == int(used) + 3


# ---------------------------------------------------------------------------- centre beds


def beds_snapshot(placements: list[dict[str, Any]]) -> bytes:
    """The snapshot of a run that solved exactly ``placements``: each placed option starts in
    the accommodation centre when ``centre`` is true, and every household also had an
    unchosen option that would have used the centre (it must not be charged)."""
    rows: list[dict[str, Any]] = []
    for p in placements:
        base = {
            "household_id": str(p["household"]),
            "locality_id": CENTRE,
            "region_code": REGION,
            "vacancy_id": str(p["vacancy"]),
            "second_vacancy_id": None,
            "persons": p.get("persons", 3),
            "children_0_5": p.get("kids", 0),
            "children_6_17": p.get("pupils", 0),
        }
        rows.append(
            {**base, "option_id": f"{p['household']}|chosen", "home_id": str(p["home"]),
             "score": 0.7, "uses_centre": bool(p.get("centre", False))}
        )  # fmt: skip
        rows.append(
            {**base, "option_id": f"{p['household']}|other", "home_id": f"{p['home']}-other",
             "score": 0.5, "uses_centre": True}
        )  # fmt: skip
    instance = build_instance(
        pl.DataFrame({"household_id": [str(p["household"]) for p in placements]}),
        pl.DataFrame(rows),
        localities=pl.DataFrame(
            {
                "locality_id": [CENTRE],
                "region_code": [REGION],
                "settlement_type": ["urban"],
                "centre_beds": [1000],
            }
        ),  # fmt: skip
    )
    return snapshot_bytes(instance, {"year": YEAR})


def beds_run(session: Session, placements: list[dict[str, Any]]) -> str:
    run_id = run(session, placements, locality=CENTRE)
    record = session.get(AllocationRunRecord, run_id)
    assert record is not None
    record.snapshot = beds_snapshot(placements)
    session.flush()
    return run_id


def beds_left(session: Session, left: int) -> int:
    """Give the test locality exactly ``left`` free centre beds; the beds already reserved."""
    cap = session.get(LocalityCapacityRecord, CENTRE)
    if cap is None:
        cap = LocalityCapacityRecord(locality_id=CENTRE, kindergarten_seats=50, school_seats=50)
        session.add(cap)
        session.flush()
    cap.accommodation_beds = cap.accommodation_beds_reserved + left
    session.flush()
    return cap.accommodation_beds_reserved


def reserved_beds(session: Session) -> int:
    session.expire_all()
    cap = session.get(LocalityCapacityRecord, CENTRE)
    assert cap is not None
    return cap.accommodation_beds_reserved


def test_commit_reserves_the_centre_beds_the_optimizer_charged(db: Db) -> None:
    """A bed per person of a placement that starts in the centre, none for the others; a run
    that needs more beds than are left is rolled back with the beds in its problem list."""
    with db.session() as s:
        before = beds_left(s, 6)
        a, b, c = household(s), household(s), household(s)
        first = beds_run(
            s,
            [
                {"household": a, "home": home(s, locality=CENTRE), "vacancy": vacancy(s, locality=CENTRE), "persons": 4,
                 "centre": True},
                # Chosen option stays out of the centre (its unchosen alternative would not).
                {"household": b, "home": home(s, locality=CENTRE), "vacancy": vacancy(s, locality=CENTRE), "persons": 5},
            ],
        )  # fmt: skip
        second = beds_run(
            s,
            [{"household": c, "home": home(s, locality=CENTRE), "vacancy": vacancy(s, locality=CENTRE), "persons": 3,
              "centre": True}],
        )  # fmt: skip
        s.commit()
    with db.session() as s:
        commit_run(s, first)
    with db.session() as s:
        assert reserved_beds(s) == before + 4
    settings = Settings(database_url=db.url, environment="test", data_dir=DATA_DIR)
    headers = {"Authorization": f"Bearer {db.token}"}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        answers = {
            lang: client.post(
                f"/allocation-runs/{second}/commit", headers={**headers, "Accept-Language": lang}
            )
            for lang in ("kk", "ru", "en")
        }
        shown = client.get(f"/localities/{CENTRE}/capacity", headers=headers)
    assert shown.status_code == 200
    assert shown.json()["accommodation_beds_reserved"] == before + 4
    # The row's message is in the asked language too (it was English-only before issue 15).
    endings = {"kk": "3 қажет, 2 қалды", "ru": "нужно 3, осталось 2", "en": "3 needed, 2 left"}
    for lang, answer in answers.items():
        assert answer.status_code == 409
        assert [e["loc"] for e in answer.json()["errors"]] == [["centre_beds", CENTRE]]
        assert answer.json()["errors"][0]["msg"].endswith(endings[lang])
    details = {lang: answer.json()["detail"] for lang, answer in answers.items()}
    assert details["kk"] == "Бекіту кері қайтарылды: 1 ресурс жетпейді, ештеңе сақталмады."
    assert details["ru"].startswith("Утверждение отменено")
    assert details["en"].startswith("The commit was rolled back: 1 resource")
    with db.session() as s:
        assert reserved_beds(s) == before + 4
        assert s.get(HouseholdRecord, c).status == "registered"  # type: ignore[union-attr]
    # A capacity may not be set below the beds already reserved.
    with pytest.raises(FieldError) as below:
        validate_capacity(
            CENTRE,
            {"kindergarten_seats": 50, "school_seats": 50, "accommodation_beds": before + 3},
            load_reference(DATA_DIR),
            reserved={"accommodation_beds_reserved": before + 4},
        )
    assert below.value.path == ("accommodation_beds",)


def test_a_run_without_a_snapshot_or_centre_stays_reserves_no_beds(db: Db) -> None:
    with db.session() as s:
        before = beds_left(s, 0)
        a, b = household(s), household(s)
        plain = run(
            s,
            [
                {
                    "household": a,
                    "home": home(s, locality=CENTRE),
                    "vacancy": vacancy(s, locality=CENTRE),
                }
            ],
            locality=CENTRE,
        )
        outside = beds_run(
            s,
            [
                {
                    "household": b,
                    "home": home(s, locality=CENTRE),
                    "vacancy": vacancy(s, locality=CENTRE),
                }
            ],
        )
        s.commit()
    with db.session() as s:
        commit_run(s, plain)
    with db.session() as s:
        commit_run(s, outside)
    with db.session() as s:
        assert reserved_beds(s) == before


def test_a_new_run_sees_only_the_beds_left_after_commits(db: Db) -> None:
    with db.session() as s:
        beds_left(s, 7)
        h = household(s)
        committed = beds_run(
            s,
            [{"household": h, "home": home(s, locality=CENTRE), "vacancy": vacancy(s, locality=CENTRE), "persons": 5,
              "centre": True}],
        )  # fmt: skip
        s.commit()
    with db.session() as s:
        commit_run(s, committed)
    with db.session() as s:
        catalogue = load_catalogue(s, load_reference(DATA_DIR), region_codes=[REGION])
        cap = s.get(LocalityCapacityRecord, CENTRE)
        assert cap is not None and cap.accommodation_beds_reserved >= 5
    caps = catalogue.locality_caps.filter(pl.col("locality_id") == CENTRE)
    assert caps["centre_beds"].to_list() == [2]
    locality = catalogue.localities.filter(pl.col("locality_id") == CENTRE)
    assert locality["accommodation_beds"].to_list() == [2]
    # The optimizer's bed row for the locality is what is left, not the recorded total.
    instance = build_instance(
        pl.DataFrame({"household_id": ["x"]}),
        pl.DataFrame(
            {"household_id": ["x"], "option_id": ["x|1"], "locality_id": [CENTRE],
             "region_code": [REGION], "home_id": ["1"], "vacancy_id": ["1"],
             "second_vacancy_id": [None], "score": [0.5], "persons": [3], "children_0_5": [0],
             "children_6_17": [0], "uses_centre": [True]},
            schema_overrides={"second_vacancy_id": pl.Utf8},
        ),
        localities=caps.with_columns(region_code=pl.lit(REGION)),
    )  # fmt: skip
    bed_rows = instance.resources.filter(pl.col("kind") == "centre_beds")
    assert bed_rows.select("key", "capacity").rows() == [(CENTRE, 2)]


@pytest.mark.parametrize("round_", range(4))
def test_two_concurrent_commits_never_overbook_centre_beds(db: Db, round_: int) -> None:
    """The runs share no home, post or seat, only the last three centre beds: exactly one
    commit wins, the other lists the beds and writes nothing."""
    with db.session() as s:
        before = beds_left(s, 3)
        people = [household(s), household(s)]
        runs = [
            beds_run(
                s,
                [
                    {
                        "household": h,
                        "home": home(s, locality=CENTRE),
                        "vacancy": vacancy(s, locality=CENTRE),
                        "persons": 3,
                        "centre": True,
                    }
                ],
            )  # fmt: skip
            for h in people
        ]
        s.commit()
    outcomes = commit_concurrently(db, runs)
    conflicts = [o for o in outcomes.values() if isinstance(o, CommitConflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1, outcomes
    assert [e["loc"] for e in conflicts[0].errors] == [["centre_beds", CENTRE]]
    with db.session() as s:
        assert reserved_beds(s) == before + 3
        st = state(s, [], [], people)
        assert st["decisions"] == 1
        assert sorted(st["status"].values()) == ["placed", "registered"]
