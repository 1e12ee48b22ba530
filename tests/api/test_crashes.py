"""Crashes mid-write: the real `qonys import`, `qonys worker` and `qonys serve` processes are
killed with SIGKILL inside an import's, an allocation run's and a commit's transaction,
restarted, and the database is read to prove nothing is half-written, no job stays
"running", and no reservation leaks. SIGTERM stops `qonys worker` and `qonys serve` with exit
code 0, handing a job that cannot finish in the grace period back to the queue.

The processes pause inside the transaction at a named point (``QONYS_PAUSE_AT``, see
:mod:`api.core.pause`): the kill lands provably in the middle of the write. Leases are short
(``QONYS_JOB_LEASE_SECONDS``) so a restart reclaims the dead worker's job at once.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.allocation.runs import quota_years, start_run
from api.allocation.schemas import RunIn
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT
from api.demo.service import DEMO_TOKENS, load_demo
from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    EmployerRecord,
    HomeRecord,
    HouseholdRecord,
    JobRecord,
    LocalityCapacityRecord,
    PlacementRecord,
    VacancyRecord,
)
from api.reference.service import seed_reference
from api.taxonomy.service import TaxonomyService
from matching.programme.geography import load_reference
from tests.databases import fresh_database

DATA = REPO_ROOT / "data"
ADMIN = {"Authorization": f"Bearer {DEMO_TOKENS['admin']}"}
WAIT = 120.0  # seconds any one step may take on a loaded machine before the test gives up


@dataclass
class World:
    url: str
    engine: Engine
    tmp: Path

    def session(self) -> Session:
        return make_sessionmaker(self.engine)()

    def env(self, **extra: str) -> dict[str, str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("QONYS_") or k == "QONYS_TEST_POSTGRES_URL"
        }
        return {
            **base,
            "QONYS_DATABASE_URL": self.url,
            "QONYS_ENVIRONMENT": "development",
            "QONYS_RUN_JOBS_IN_PROCESS": "false",
            "QONYS_JOB_LEASE_SECONDS": "1.5",
            "QONYS_JOB_HEARTBEAT_SECONDS": "0.3",
            "QONYS_LOG_LEVEL": "WARNING",
            **extra,
        }

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{args[0]}-{time.monotonic_ns()}.log", "wb")
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            cwd=REPO_ROOT,
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def paused(self, point: str) -> tuple[dict[str, str], Path]:
        marker = self.tmp / f"paused-{point}-{time.monotonic_ns()}"
        return {"QONYS_PAUSE_AT": point, "QONYS_PAUSE_FILE": str(marker)}, marker


@pytest.fixture(scope="module")
def world(
    backend: str, tmp_path_factory: pytest.TempPathFactory, taxonomy_service: TaxonomyService
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp(f"crash-{backend}")
    with fresh_database(backend, tmp) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA)
            load_demo(session, load_reference(DATA), taxonomy_service.taxonomy, households=120)
        yield World(url, engine, tmp)
        engine.dispose()


def wait_until(condition: Any, what: str, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process ended (code {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(WAIT)


def job_of(w: World, job_id: str) -> JobRecord:
    with w.session() as session:
        found = session.get(JobRecord, job_id)
        assert found is not None
        return found


def lease_ran_out(w: World, job_id: str) -> bool:
    job = job_of(w, job_id)
    at = job.lease_expires_at
    return at is None or at.replace(tzinfo=at.tzinfo or dt.UTC) < dt.datetime.now(dt.UTC)


def count(w: World, model: Any, *cond: Any) -> int:
    with w.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*cond)) or 0)


def reserved_matches_decisions(w: World) -> tuple[int, int, int, int]:
    """Every reserved counter equals what the decisions take: nothing leaked, nothing lost."""
    with w.session() as session:
        posts = session.scalar(select(func.coalesce(func.sum(VacancyRecord.posts_reserved), 0)))
        units = session.scalar(select(func.coalesce(func.sum(HomeRecord.units_reserved), 0)))
        school = session.scalar(
            select(func.coalesce(func.sum(LocalityCapacityRecord.school_reserved), 0))
        )
        decided = session.execute(
            select(
                func.count(DecisionRecord.id),
                func.count(DecisionRecord.second_vacancy_id),
                func.coalesce(func.sum(DecisionRecord.children_6_17), 0),
            )
        ).one()
    assert units == decided[0], "home units reserved = one per decision"
    assert posts == decided[0] + decided[1], "posts reserved = first and second jobs decided"
    assert school == decided[2], "school seats reserved = school-age children decided"
    return int(posts), int(units), int(school), int(decided[0])


def employers_file(w: World, n: int) -> Path:
    path = w.tmp / "employers.csv"
    frame = pl.DataFrame(
        {
            "external_id": [f"CRASH-{i}" for i in range(n)],
            "name": [f"Crash test employer {i}" for i in range(n)],
            "region": ["59"] * n,
        }
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def new_run(w: World) -> tuple[str, str]:
    with w.session() as session:
        year = min(quota_years(session))  # the demo's vacancies and homes are for its first year
        run_id = start_run(
            session, load_reference(DATA), RunIn(year=year, time_limit=5), by="crash test"
        )
        run = session.get(AllocationRunRecord, run_id)
        assert run is not None
        return run_id, run.job_id


def test_import_killed_mid_write_leaves_nothing_and_is_rerun(world: World) -> None:
    w, rows = world, 200
    path = employers_file(w, rows)
    mine = EmployerRecord.external_id.like("CRASH-%")
    env, marker = w.paused("import.written")
    proc = w.start("import", "employers", str(path), **env)
    wait_until(marker.exists, "the import's rows to be written", proc)
    with w.session() as session:
        job_id = session.scalars(
            select(JobRecord.id).where(JobRecord.kind == "import", JobRecord.status == "running")
        ).one()
    kill(proc)
    assert count(w, EmployerRecord, mine) == 0, "the killed import's transaction is gone whole"
    assert job_of(w, job_id).status == "running"

    wait_until(lambda: lease_ran_out(w, job_id), "the dead worker's lease to run out")
    again = w.start("import", "employers", str(path))
    assert again.wait(WAIT) == 0
    assert count(w, EmployerRecord, mine) == rows
    requeued = job_of(w, job_id)
    assert (requeued.status, requeued.attempts) == ("queued", 1), "reclaimed for a second try"

    worker = w.start("worker", "--poll", "0.1")
    wait_until(lambda: job_of(w, job_id).status == "succeeded", "the worker to rerun it", worker)
    result = job_of(w, job_id).result or {}
    assert (result["unchanged"], result["inserted"]) == (rows, 0), "the rerun adds nothing"
    assert count(w, EmployerRecord, mine) == rows
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(WAIT) == 0


def test_allocation_run_killed_mid_store_is_rerun_whole(world: World) -> None:
    w = world
    run_id, job_id = new_run(w)
    env, marker = w.paused("allocation.stored")
    worker = w.start("worker", "--poll", "0.1", **env)
    wait_until(marker.exists, "the run's placements to be written", worker)
    kill(worker)
    assert count(w, PlacementRecord, PlacementRecord.run_id == run_id) == 0
    assert job_of(w, job_id).status == "running"
    assert reserved_matches_decisions(w)[3] == 0

    wait_until(lambda: lease_ran_out(w, job_id), "the dead worker's lease to run out")
    worker = w.start("worker", "--poll", "0.1")
    wait_until(lambda: job_of(w, job_id).status == "succeeded", "the rerun to finish", worker)
    assert job_of(w, job_id).attempts == 2
    with w.session() as session:
        households = session.scalars(
            select(PlacementRecord.household_id).where(PlacementRecord.run_id == run_id)
        ).all()
    assert households and len(households) == len(set(households)), "each household once"
    reserved_matches_decisions(w)  # a run reserves nothing: only a commit does
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(WAIT) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(w: World, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = w.start("serve", "--port", str(port), **env)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, "the server to answer", proc)
    return proc, base


def in_process_worker(w: World) -> Any:
    from api.app import job_worker
    from matching.programme.support import load_support_parameters

    sessions = make_sessionmaker(w.engine)
    return job_worker(sessions, load_reference(DATA), load_support_parameters(DATA))


def finished_run(w: World) -> str:
    """A run solved by a worker in this process (the processes under test are elsewhere)."""
    run_id, job_id = new_run(w)
    while in_process_worker(w).run_once():
        pass
    assert job_of(w, job_id).status == "succeeded"
    return run_id


def test_sigterm_hands_the_running_job_back_and_exits_0(backend: str, world: World) -> None:
    w = world
    run_id, job_id = new_run(w)
    env, marker = w.paused("allocation.stored")
    server, _ = serve(
        w, QONYS_RUN_JOBS_IN_PROCESS="true", QONYS_SHUTDOWN_GRACE_SECONDS="0.5", **env
    )
    wait_until(marker.exists, "the run's placements to be written", server)
    server.send_signal(signal.SIGTERM)
    assert server.wait(WAIT) == 0
    handed = job_of(w, job_id)
    assert count(w, PlacementRecord, PlacementRecord.run_id == run_id) == 0
    if backend == "postgresql":
        assert (handed.status, handed.worker, handed.attempts) == ("queued", None, 0)
    else:
        # SQLite has one writer, and the abandoned handler held it: the hand-back could not
        # be written, so the job keeps its lease until it runs out and is reclaimed.
        assert handed.status == "running"
    # Another worker takes it (at once when handed back; once its lease ran out on SQLite).
    wait_until(lambda: lease_ran_out(w, job_id), "the job's lease to be released or run out")
    assert in_process_worker(w).run_once()
    assert job_of(w, job_id).status == "succeeded"


def test_commit_killed_mid_transaction_reserves_nothing(world: World) -> None:
    w = world
    run_id = finished_run(w)
    placed = count(w, PlacementRecord, PlacementRecord.run_id == run_id, PlacementRecord.placed)
    assert placed > 0
    env, marker = w.paused("commit.reserved")
    server, base = serve(w, **env)
    threading.Thread(
        target=lambda: _post_quietly(f"{base}/allocation-runs/{run_id}/commit"), daemon=True
    ).start()
    wait_until(marker.exists, "the commit to reserve everything", server)
    kill(server)
    assert count(w, DecisionRecord) == 0
    assert count(w, HouseholdRecord, HouseholdRecord.status == "placed") == 0
    assert reserved_matches_decisions(w) == (0, 0, 0, 0), "no reservation leaked"
    with w.session() as session:
        assert session.get(AllocationRunRecord, run_id).committed_at is None  # type: ignore[union-attr]

    server, base = serve(w)
    answer = httpx.post(f"{base}/allocation-runs/{run_id}/commit", headers=ADMIN, timeout=WAIT)
    assert answer.status_code == 200, answer.text
    assert answer.json()["households"] == placed == count(w, DecisionRecord)
    assert reserved_matches_decisions(w)[1] == placed
    server.send_signal(signal.SIGTERM)
    assert server.wait(WAIT) == 0


def _post_quietly(url: str) -> None:
    try:
        httpx.post(url, headers=ADMIN, timeout=WAIT)
    except httpx.HTTPError:
        pass  # the server is killed while this request waits
