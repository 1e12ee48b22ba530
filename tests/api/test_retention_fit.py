"""The retention model fitted from the database: features stored at commit, outcomes recorded,
fit, versions, activation into the match score, refusals, roles and audit, on both databases.

A generated programme is loaded as live rows and allocated by a real run; its placements are
committed over HTTP. The outcomes are the outcome simulator's draws for the committed
placements' stored features, imported as a centre's file. Decisions are moved 400 days back
(the run happened a year ago) so that a household that did not return is observed for 12
months; a few are left recent (censored), a few lose their features (committed before they
were stored) and a few outcomes belong to unplaced households: each reason is counted.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.allocation.batch import build_batch
from api.app import create_app, job_worker
from api.auth.service import issue_token
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT, Settings
from api.matches.frames import load_households
from api.models import AllocationRunRecord, DecisionRecord, HouseholdRecord, PlacementRecord
from api.models.audit import AuditRecord
from api.models.retention import RetentionModelRecord
from api.reference.service import seed_reference
from matching.outcomes.calibrate import calibrate
from matching.outcomes.effects import load_effects
from matching.outcomes.retention import MIN_OUTCOMES, RetentionModel
from matching.outcomes.simulate import household_draws, simulate
from matching.programme.geography import load_reference
from matching.programme.support import load_support_parameters
from matching.ranking import parse_option_id
from matching.scoring.components import OUTCOME_FEATURES
from matching.scoring.features import HouseholdFrame
from matching.scoring.scorer import OPTION_COLUMNS
from matching.scoring.weights import COMPONENTS
from tests.api.test_allocation_api import insert_programme
from tests.api.test_households_api import headers
from tests.api.test_reference_api import assert_problem
from tests.audit.helpers import last_id, rows_since
from tests.databases import fresh_database
from tests.outcomes.test_outcomes_api import placed_household

pytestmark = pytest.mark.db

DATA_DIR = REPO_ROOT / "data"
YEAR = 2025
HOUSEHOLDS = 1100  # a run places about a third of them: enough for 300 usable outcomes
WEIGHT = 0.3
CENSORED, WITHOUT_FEATURES, NOT_PLACED = 20, 4, 6
VERSIONS = ("enbek_2017_2021", "strong_regions_2022", "quota_2025", "quota_2026")


@dataclass
class World:
    url: str
    weights: Path
    tokens: dict[str, str]
    expected: dict[int, dict[str, Any]] = field(default_factory=dict)  # per committed household
    usable: int = 0

    def __post_init__(self) -> None:
        self.engine = make_engine(self.url, pool_size=4)
        self.sessions = make_sessionmaker(self.engine)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def client(self) -> TestClient:
        settings = Settings(
            database_url=self.url,
            environment="test",
            data_dir=DATA_DIR,
            retention_weights_file=self.weights,
        )
        return TestClient(create_app(settings), raise_server_exceptions=False)


def qonys(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QONYS_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("qonys: error:"), result.stderr
    return lines[0]


def expected_features(session: Session, run_id: str) -> dict[int, dict[str, Any]]:
    """What the scorer computes for the run's placed options, from a batch built again from
    the same live rows before the commit (the catalogue still holds them)."""
    run = session.get(AllocationRunRecord, run_id)
    assert run is not None
    request = {**run.scenario, "year": run.year}
    batch = build_batch(
        session, load_reference(DATA_DIR), request, support=load_support_parameters(DATA_DIR)
    )
    placed = list(
        session.scalars(
            select(PlacementRecord).where(
                PlacementRecord.run_id == run_id, PlacementRecord.placed.is_(True)
            )
        )
    )
    options = pl.DataFrame(
        {
            "household_id": [str(p.household_id) for p in placed],
            "locality_id": [p.locality_id for p in placed],
            "home_id": [str(p.home_id) for p in placed],
            "vacancy_id": [str(p.vacancy_id) for p in placed],
            "second_vacancy_id": [
                None if p.second_vacancy_id is None else str(p.second_vacancy_id) for p in placed
            ],
        },
        schema=dict.fromkeys(OPTION_COLUMNS, pl.Utf8),
    )
    assert batch.index.households is not None
    ev = batch.index.scorer.evaluate_frame(batch.index.households, options)
    return {
        p.household_id: {
            "score": float(ev.total[i]),
            "run_score": p.score,
            "region_code": p.region_code,
            "features": {k: float(ev.features[k][i]) for k in OUTCOME_FEATURES},
            "breakdown": p.breakdown,
        }
        for i, p in enumerate(placed)
    }


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp(f"retfit-{backend}")
    weights = tmp / "retention_weights.toml"
    weights.write_text(
        "[retention_weight]\n" + "".join(f"{v} = {WEIGHT}\n" for v in VERSIONS), encoding="utf-8"
    )
    with fresh_database(backend, tmp) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
            from matching.synthetic.programme import generate_programme

            insert_programme(session, generate_programme(HOUSEHOLDS, seed=5, year=YEAR))
            tokens = {
                role: issue_token(session, name=f"{role} one", role=role)
                for role in ("admin", "planner")
            }
        engine.dispose()
        w = World(url, weights, tokens)
        _commit_a_run(w)
        _record_outcomes(w)
        yield w
        w.engine.dispose()


def _commit_a_run(w: World) -> None:
    worker = job_worker(w.sessions, load_reference(DATA_DIR), load_support_parameters(DATA_DIR))
    with w.client() as client:
        body = {"name": "a year ago", "year": YEAR, "time_limit": 5, "deterministic": True}
        started = client.post("/allocation-runs", json=body, headers=w.auth("planner"))
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        while worker.run_once():
            pass
        assert (
            client.get(f"/allocation-runs/{run_id}", headers=w.auth("planner")).json()["status"]
            == "succeeded"
        )
        with w.sessions() as session:
            w.expected = expected_features(session, run_id)
        done = client.post(f"/allocation-runs/{run_id}/commit", json={}, headers=w.auth("planner"))
        assert done.status_code == 200, done.text
        assert done.json()["households"] == len(w.expected) >= MIN_OUTCOMES + 30


def _record_outcomes(w: World) -> None:
    """Simulated outcomes of the committed placements, imported as a file (see the module)."""
    with w.sessions() as session:
        decisions = list(session.scalars(select(DecisionRecord).order_by(DecisionRecord.id)))
        ids = [d.household_id for d in decisions]
        censored = set(ids[:CENSORED])
        stripped = set(ids[CENSORED : CENSORED + WITHOUT_FEATURES])
        a_year_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        session.execute(
            update(DecisionRecord)
            .where(DecisionRecord.household_id.not_in(censored))
            .values(decided_at=a_year_ago)
        )
        # Committed before features were stored with placements (a run older than 0011).
        session.execute(
            update(DecisionRecord)
            .where(DecisionRecord.household_id.in_(stripped))
            .values(outcome_features=None)
        )
        unplaced = list(
            session.scalars(
                select(HouseholdRecord.external_id)
                .where(HouseholdRecord.status == "registered")
                .order_by(HouseholdRecord.id)
                .limit(NOT_PLACED)
            )
        )
        pairs = session.execute(select(HouseholdRecord.id, HouseholdRecord.external_id)).all()
        external = {int(h): str(e) for h, e in pairs}
        session.commit()
    placed = pl.DataFrame(
        {
            **{f"f_{k}": [w.expected[h]["features"][k] for h in ids] for k in OUTCOME_FEATURES},
            "region_code": [w.expected[h]["region_code"] for h in ids],
            "youth": [False] * len(decisions),
            "women": [False] * len(decisions),
        }
    )
    effects = load_effects()
    base = calibrate(placed, effects)
    # More returns than the programme's 8 %: a few hundred outcomes then hold enough of both.
    intercepts = replace(base, ret={k: v + 1.5 for k, v in base.ret.items()})
    out = simulate(placed, effects, intercepts, household_draws(7, placed.height))
    rows = []
    for hid, o in zip(ids, out.iter_rows(named=True), strict=True):
        returned = bool(o["returned_12m"]) and hid not in censored
        moved = a_year_ago.date() if hid not in censored else dt.date.today()
        rows.append(
            {
                "household_external_id": external[hid],
                "employed_3m": int(o["employed_3m"]),
                "employed_6m": int(o["employed_6m"]),
                "employed_12m": int(o["employed_12m"]),
                "still_resident": not returned,
                "returned": returned,
                "returned_on": (moved + dt.timedelta(days=28 * int(o["return_month"])))
                if returned
                else None,
                "return_reason": "job" if returned else None,
            }
        )
    rows += [
        {"household_external_id": e, "employed_3m": 0, "still_resident": True} for e in unplaced
    ]
    csv = io.BytesIO()
    pl.DataFrame(rows).write_csv(csv)
    with w.client() as client:
        answer = client.post(
            "/outcomes/imports",
            files={"file": ("outcomes.csv", csv.getvalue(), "text/csv")},
            headers=w.auth("planner"),
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == 0, answer.json()["errors"][:3]
    assert answer.json()["inserted"] == len(rows)
    w.usable = len(ids) - CENSORED - WITHOUT_FEATURES


def test_every_committed_placement_keeps_the_features_the_scorer_computed(world: World) -> None:
    with world.sessions() as session:
        decisions = {d.household_id: d for d in session.scalars(select(DecisionRecord))}
    assert set(decisions) == set(world.expected)
    compared = 0
    for hid, want in world.expected.items():
        d = decisions[hid]
        # The same evaluation that scored the run's option: its score is the run's score.
        assert want["score"] == pytest.approx(want["run_score"], abs=1e-12)
        assert d.region_code == want["region_code"] and d.region_code is not None
        if d.outcome_features is None:  # the few the fixture stripped afterwards
            continue
        assert set(d.outcome_features) == set(OUTCOME_FEATURES)
        for k in OUTCOME_FEATURES:
            assert d.outcome_features[k] == pytest.approx(want["features"][k], abs=1e-12), k
        # And they are the component values the planner read in the run's breakdown.
        for c in want["breakdown"] or []:
            if c["component"] in OUTCOME_FEATURES:
                assert round(d.outcome_features[c["component"]], 4) == c["value"]
        compared += 1
    assert compared == len(world.expected) - WITHOUT_FEATURES


@pytest.fixture(scope="module")
def fitted(world: World) -> dict[str, Any]:
    with world.client() as client:
        answer = client.post("/retention-models", headers=world.auth("admin"))
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"/retention-models/{answer.json()['version']}"
    return dict(answer.json())


def test_the_fit_uses_every_usable_outcome_and_reports_the_rest(
    world: World, fitted: dict[str, Any]
) -> None:
    assert fitted["outcomes"] == world.usable >= MIN_OUTCOMES
    assert fitted["left_out"] == {
        "not_placed": NOT_PLACED,
        "without_features": WITHOUT_FEATURES,
        "censored": CENSORED,
    }
    assert 10 <= fitted["returns"] <= fitted["outcomes"] - 10
    metrics = fitted["metrics"]
    assert 0.0 <= metrics["auc"] <= 1.0 and 0.0 <= metrics["brier"] <= 1.0
    assert 0.0 <= metrics["ece"] <= 1.0 and metrics["held_out"] == math.ceil(world.usable * 0.25)
    assert fitted["active"] is False
    assert (
        fitted["trained_from"] == fitted["trained_to"] == dt.datetime.now(dt.UTC).date().isoformat()
    )
    with world.client() as client:
        listed = client.get("/retention-models", headers=world.auth("planner")).json()
        assert [m["version"] for m in listed["items"]] == [fitted["version"]]
        detail = client.get(f"/retention-models/{fitted['version']}", headers=world.auth("planner"))
        assert detail.status_code == 200
        assert set(OUTCOME_FEATURES) <= set(detail.json()["coefficients"])
        # The same outcomes give the same version: answered as stored, nothing added.
        again = client.post("/retention-models", headers=world.auth("admin"))
        assert again.status_code == 200 and again.json()["version"] == fitted["version"]
        assert_problem(client.get("/retention-models/no-such", headers=world.auth("admin")), 404)
    with world.sessions() as session:
        assert len(list(session.scalars(select(RetentionModelRecord)))) == 1
        rows = list(
            session.scalars(
                select(AuditRecord)
                .where(AuditRecord.entity == "retention_model")
                .order_by(AuditRecord.id)
            )
        )
    fits = [r for r in rows if r.action == "fit"]
    assert [r.after["new"] for r in fits[:2]] == [True, False]
    assert fits[0].entity_id == fitted["version"] and fits[0].actor_role == "admin"
    assert fits[0].after["outcomes"] == world.usable


def _option_values(
    world: World, client: TestClient, household_id: int, option_id: str
) -> dict[str, Any]:
    """The app's own index evaluating one option of a household: values, weights, total."""
    app = client.app
    with world.sessions() as session:
        index = app.state.matching.index(session)  # type: ignore[attr-defined]
        frames = load_households(session, ids=[household_id])
    hf = HouseholdFrame.from_frames(
        frames.households, frames.members, frames.experience, space=index.space
    )
    _, option = parse_option_id(option_id)
    vacancies = index.catalogue.vacancies
    locality = vacancies["locality_id"][index.catalogue.v_row[option.vacancy_id]]
    frame = pl.DataFrame(
        {
            "household_id": [str(household_id)],
            "locality_id": [locality],
            "home_id": [option.home_id],
            "vacancy_id": [option.vacancy_id],
            "second_vacancy_id": [option.second_vacancy_id],
        },
        schema=dict.fromkeys(OPTION_COLUMNS, pl.Utf8),
    )
    ev = index.scorer.evaluate_frame(hf, frame)
    region = index.catalogue.localities.filter(pl.col("locality_id") == locality)["region_code"]
    return {
        "values": {c: float(ev.values[c][0]) for c in COMPONENTS},
        "weights": {c: float(ev.weights[c][0]) for c in COMPONENTS},
        "features": {k: ev.features[k] for k in OUTCOME_FEATURES},
        "region": region.to_numpy().astype(object),
        "total": float(ev.total[0]),
    }


def test_activating_the_model_adds_the_retention_component_to_the_match_score(
    world: World, fitted: dict[str, Any]
) -> None:
    version = fitted["version"]
    admin = world.auth("admin")
    with world.sessions() as session:
        household = session.scalar(
            select(HouseholdRecord.id)
            .where(HouseholdRecord.status == "registered")
            .order_by(HouseholdRecord.id)
        )
        model = RetentionModel.from_dict(session.get(RetentionModelRecord, version).model)  # type: ignore[union-attr]
    assert household is not None
    mark = _audit_mark(world)
    with world.client() as client:
        url = f"/households/{household}/matches?top=100&explain=0"
        before = {
            o["option_id"]: o["score"] for o in client.get(url, headers=admin).json()["options"]
        }
        assert before, "the household has options"
        off = {o: _option_values(world, client, household, o) for o in list(before)[:3]}
        activated = client.post(f"/retention-models/{version}/activate", headers=admin)
        assert activated.status_code == 200, activated.text
        assert activated.json()["active"] is True
        after = {
            o["option_id"]: o["score"] for o in client.get(url, headers=admin).json()["options"]
        }
        on = {o: _option_values(world, client, household, o) for o in off}
        deactivated = client.post(f"/retention-models/{version}/deactivate", headers=admin)
        assert deactivated.status_code == 200 and deactivated.json()["active"] is False
        back = {
            o["option_id"]: o["score"] for o in client.get(url, headers=admin).json()["options"]
        }
    assert back == before  # off again: the scores are what they were
    changed = 0
    for option_id, was in off.items():
        now = on[option_id]
        assert was["weights"]["retention"] == 0.0 and now["weights"]["retention"] == WEIGHT
        predicted = model.predict_retention(now["features"], now["region"])[0]
        assert now["values"]["retention"] == pytest.approx(predicted, abs=1e-12)
        # Every other component is unchanged; the score moved by the retention term alone.
        for c in COMPONENTS[:-1]:
            assert now["values"][c] == pytest.approx(was["values"][c], abs=1e-12)
        assert was["total"] == pytest.approx(before[option_id], abs=1e-6)
        if option_id in after:
            assert now["total"] == pytest.approx(after[option_id], abs=1e-6)
        w = [was["weights"][c] for c in COMPONENTS[:-1]]
        v = [was["values"][c] for c in COMPONENTS[:-1]]
        if was["total"] > 0:
            critical = was["total"] / (np.dot(w, v) / sum(w))
            mean = (np.dot(w, v) + WEIGHT * predicted) / (sum(w) + WEIGHT)
            assert now["total"] == pytest.approx(min(mean * critical, 1.0), abs=1e-9)
        changed += now["total"] != was["total"]
    assert changed > 0
    rows = [r for r in _audit_since(world, mark) if r.entity == "retention_model"]
    assert [(r.action, r.before, r.after) for r in rows] == [
        ("activate", {"active_version": None}, {"active_version": version}),
        ("deactivate", {"active_version": version}, {"active_version": None}),
    ]
    assert all(r.actor_role == "admin" and r.entity_id == version for r in rows)


def _audit_mark(world: World) -> int:
    with world.sessions() as session:
        return last_id(session)


def _audit_since(world: World, mark: int) -> list[AuditRecord]:
    with world.sessions() as session:
        return rows_since(session, mark)


def test_the_command_line_fits_lists_and_activates(
    world: World, fitted: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from api.cli import app
    from api.core.settings import get_settings

    monkeypatch.setenv("QONYS_DATABASE_URL", world.url)
    get_settings.cache_clear()

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, ["retention", *args])

    try:
        version = fitted["version"]
        fit = run("fit")
        assert fit.exit_code == 0, fit.output
        assert version in fit.stdout and "stored before" in fit.stdout
        assert f"{world.usable} outcomes" in fit.stdout and "AUC" in fit.stdout
        unknown = run("activate", "no-such-version")
        assert unknown.exit_code == 1 and unknown.stdout == ""
        assert unknown.stderr.count("\n") == 1 and "no-such-version" in unknown.stderr
        assert run("activate", version, "--lang", "ru").stdout.startswith("модель закрепления")
        listed = run("list")
        assert listed.exit_code == 0 and listed.stdout.startswith(f"* retention model {version}")
        assert run("deactivate").exit_code == 0
    finally:
        get_settings.cache_clear()
    with world.sessions() as session:
        assert session.scalar(select(RetentionModelRecord.active)) is False


# ---- on the shared, rolled-back database: too few outcomes, roles -----------------------


def test_too_few_usable_outcomes_is_a_422_in_three_languages(
    client: TestClient, session: Session
) -> None:
    hid = placed_household(session)  # a hand-written run: its decision holds no features
    planner = headers(session, "planner")
    body = {"employed_3m": 0, "still_resident": True}
    assert client.put(f"/outcomes/{hid}", json=body, headers=planner).status_code == 200
    admin = headers(session, "admin")
    mark = last_id(session)
    details = {}
    for lang in ("kk", "ru", "en"):
        problem = assert_problem(client.post(f"/retention-models?lang={lang}", headers=admin), 422)
        details[lang] = problem["detail"]
        assert str(MIN_OUTCOMES) in problem["detail"]
    assert "there are 0 (1 more recorded but left out" in details["en"]
    assert "0 not placed by a committed run, 1 without stored features, 0 not yet" in details["en"]
    assert len(set(details.values())) == 3
    assert rows_since(session, mark) == []
    assert session.scalars(select(RetentionModelRecord)).first() is None


def test_the_command_line_refuses_with_one_line(database_url: str) -> None:
    line = one_error_line(qonys("retention", "fit", url=database_url))
    assert f"at least {MIN_OUTCOMES} usable outcomes; there are 0" in line
    kk = one_error_line(qonys("retention", "fit", "--lang", "kk", url=database_url))
    assert str(MIN_OUTCOMES) in kk and "Тұрақтану" in kk


def test_only_admins_fit_and_activate_and_planners_read(
    client: TestClient, session: Session
) -> None:
    hid = placed_household(session)
    mark = last_id(session)
    for who in (
        headers(session, "centre", region_code="55"),
        headers(session, "applicant", household_id=hid),
        headers(session, "planner"),
    ):
        assert_problem(client.post("/retention-models", headers=who), 403)
        assert_problem(client.post("/retention-models/v1/activate", headers=who), 403)
        assert_problem(client.post("/retention-models/v1/deactivate", headers=who), 403)
    for who in (
        headers(session, "centre", region_code="55"),
        headers(session, "applicant", household_id=hid),
    ):
        assert_problem(client.get("/retention-models", headers=who), 403)
        assert_problem(client.get("/retention-models/v1", headers=who), 403)
    listed = client.get("/retention-models", headers=headers(session, "planner"))
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert_problem(
        client.post("/retention-models/v1/activate", headers=headers(session, "admin")), 404
    )
    assert [r for r in rows_since(session, mark) if r.entity == "retention_model"] == []
