"""Back-tests over HTTP on both databases: roles, validation, a job to its report, a refusal.

The job runs in other connections than the test's, so these tests use their own committed
database (as the allocation-run tests do).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app, job_worker
from api.auth.service import issue_token
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT, Settings
from api.reference.service import seed_reference
from matching.outcomes.retention import RetentionModel
from matching.programme.geography import load_reference
from matching.programme.support import load_support_parameters
from tests.databases import fresh_database

DATA_DIR = REPO_ROOT / "data"


class World:
    def __init__(self, url: str, models: Path, tokens: dict[str, str]) -> None:
        self.url = url
        self.models = models
        self.headers = {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
        self.engine = make_engine(url, pool_size=4)
        self.settings = Settings(
            database_url=url, environment="test", data_dir=DATA_DIR, models_dir=models,
            run_jobs_in_process=False,
        )  # fmt: skip
        self.worker = job_worker(
            make_sessionmaker(self.engine), load_reference(DATA_DIR),
            load_support_parameters(DATA_DIR), settings=self.settings,
        )  # fmt: skip

    def client(self) -> TestClient:
        return TestClient(create_app(self.settings), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"backtest-{backend}")) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
            tokens = {
                "planner": issue_token(session, name="planner", role="planner"),
                "centre": issue_token(session, name="centre 55", role="centre", region_code="55"),
            }
        engine.dispose()
        w = World(url, tmp_path_factory.mktemp(f"models-{backend}"), tokens)
        yield w
        w.engine.dispose()


def run(client: TestClient, world: World, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/backtests", json=body, headers=world.headers["planner"])
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    assert answer.headers["location"] == f"/backtests/{job_id}"
    state = client.get(f"/backtests/{job_id}?lang=en", headers=world.headers["planner"]).json()
    while state["status"] in ("queued", "running"):
        assert world.worker.run_once()
        state = client.get(f"/backtests/{job_id}?lang=en", headers=world.headers["planner"]).json()
    return dict(state)


def test_only_planners_start_and_read_back_tests_and_requests_are_checked(world: World) -> None:
    with world.client() as client:
        body = {"seeds": 2, "households": 100}
        assert client.post("/backtests", json=body).status_code == 401
        assert client.post("/backtests", json=body, headers=world.headers["centre"]).status_code == 403
        bad = client.post("/backtests", json={"seeds": 1, "households": 100}, headers=world.headers["planner"])
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        big = client.post(
            "/backtests", json={"seeds": 41, "households": 100}, headers=world.headers["planner"]
        )
        assert big.status_code == 422 and "40" in big.json()["detail"]
        ru = client.get("/backtests/nope?lang=ru", headers=world.headers["planner"])
        assert ru.status_code == 404 and "обратного" in ru.json()["detail"]
        assert client.get("/backtests/nope", headers=world.headers["centre"]).status_code == 403


def test_a_back_test_with_too_little_history_fails_with_the_reason(world: World) -> None:
    with world.client() as client:
        state = run(client, world, {"seeds": 2, "households": 50, "training_seeds": 2, "time_limit": 1})
        assert state["status"] == "failed"
        assert state["error"]["status"] == 422 and "at least 300" in state["error"]["detail"]
        kk = client.get(f"/backtests/{state['id']}?lang=kk", headers=world.headers["planner"]).json()
        assert "300" in kk["error"]["detail"] and kk["error"]["detail"] != state["error"]["detail"]


def test_a_back_test_job_writes_its_report_and_keeps_its_model(world: World) -> None:
    with world.client() as client:
        state = run(
            client, world, {"seeds": 2, "households": 300, "training_seeds": 3, "time_limit": 1}
        )
        assert state["status"] == "succeeded", state["error"]
        result = state["result"]
        assert {r["policy"] for r in result["versus_status_quo"]} >= {"greedy", "optimizer"}
        assert all(r["low"] <= r["mean"] <= r["high"] for r in result["versus_status_quo"])
        assert "## Sensitivity" in state["report_markdown"]
        assert "What is simulated and what is observed" in state["report_markdown"]
        model = RetentionModel.from_json(Path(result["model_file"]).read_text(encoding="utf-8"))
        assert model.version == result["retention_model"]
        assert Path(result["model_file"]).parent == world.models / "retention"
        assert (Path(result["report"]).parent / "sensitivity.png").is_file()
