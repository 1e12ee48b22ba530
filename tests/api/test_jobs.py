"""The job queue's leases, fencing, hand-back and cancellation, and import jobs' progress and
cancellation, on a database of their own per backend (the jobs commit, and run on threads)."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from api.app import job_worker
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.job_worker import JobWorker
from api.core.jobs import (
    JobContext,
    claim_next,
    enqueue,
    reclaim_expired,
    request_cancel,
    run_job,
)
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT
from api.imports.service import enqueue_import
from api.models import EmployerRecord, JobRecord
from api.reference.service import seed_reference
from tests.databases import fresh_database

FUTURE = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def sessions(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"jobs-{backend}")) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=4)
        factory = make_sessionmaker(engine)
        with session_scope(factory) as session:
            seed_reference(session, REPO_ROOT / "data")
        yield factory
        engine.dispose()


@pytest.fixture(autouse=True)
def empty_queue(sessions: sessionmaker[Session]) -> Iterator[None]:
    yield
    with session_scope(sessions) as session:
        session.execute(delete(EmployerRecord))
        session.execute(delete(JobRecord))  # import files go with their job (cascade)


def job(sessions: sessionmaker[Session], job_id: str) -> JobRecord:
    with sessions() as session:
        found = session.get(JobRecord, job_id)
        assert found is not None
        return found


def queue(sessions: sessionmaker[Session], kind: str = "echo", **kw: Any) -> str:
    with session_scope(sessions) as session:
        return enqueue(session, kind, {}, **kw).id


def echo(ctx: JobContext) -> dict[str, Any]:
    return {"ran": ctx.job_id}


def at_later() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + FUTURE


def test_expired_lease_is_requeued_then_failed_after_the_last_attempt(
    sessions: sessionmaker[Session],
) -> None:
    job_id = queue(sessions, max_attempts=2)
    first = claim_next(sessions, "w1", ("echo",), lease_seconds=30)
    assert first is not None and first.id == job_id and first.attempts == 1
    assert first.lease_expires_at is not None
    # Within its lease the job is left alone; past it (worker died) it is queued again.
    assert reclaim_expired(sessions) == 0
    assert reclaim_expired(sessions, at=at_later()) == 1
    requeued = job(sessions, job_id)
    assert (requeued.status, requeued.worker, requeued.attempts) == ("queued", None, 1)
    assert "attempt 2 of 2" in requeued.message
    second = claim_next(sessions, "w2", ("echo",), lease_seconds=30)
    assert second is not None and second.attempts == 2
    assert reclaim_expired(sessions, at=at_later()) == 1
    failed = job(sessions, job_id)
    assert failed.status == "failed" and failed.finished_at is not None
    assert failed.error is not None and set(failed.error["detail"]) == {"kk", "ru", "en"}
    assert "2 time(s)" in failed.error["detail"]["en"]


def test_a_worker_that_lost_its_lease_cannot_finish_the_job(
    sessions: sessionmaker[Session],
) -> None:
    job_id = queue(sessions)
    stale = claim_next(sessions, "old", ("echo",))
    assert stale is not None
    reclaim_expired(sessions, at=at_later())
    fresh = claim_next(sessions, "new", ("echo",))
    assert fresh is not None and fresh.id == job_id
    # The old worker wakes up and finishes: fenced, nothing of it is written.
    assert run_job(stale, sessions, {"echo": echo}, {}, worker="old") == "lost"
    assert (job(sessions, job_id).status, job(sessions, job_id).worker) == ("running", "new")
    assert run_job(fresh, sessions, {"echo": echo}, {}, worker="new") == "succeeded"
    assert job(sessions, job_id).result == {"ran": job_id}


def test_heartbeat_keeps_the_lease_of_a_long_handler(sessions: sessionmaker[Session]) -> None:
    from api.core.job_leases import Heartbeat

    job_id = queue(sessions)
    claimed = claim_next(sessions, "w", ("echo",), lease_seconds=5)
    assert claimed is not None and claimed.lease_expires_at is not None
    beat = Heartbeat(sessions, job_id, "w", interval=1, lease_seconds=600)
    assert beat.beat()
    extended = job(sessions, job_id).lease_expires_at
    assert extended is not None
    assert extended.replace(tzinfo=extended.tzinfo or dt.UTC) > claimed.lease_expires_at.replace(
        tzinfo=claimed.lease_expires_at.tzinfo or dt.UTC
    ) + dt.timedelta(seconds=300)
    reclaim_expired(sessions, at=at_later() + dt.timedelta(hours=1))
    assert not beat.beat(), "a reclaimed job's lease is not extended any more"


def test_shutdown_hands_the_running_job_back(sessions: sessionmaker[Session]) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(ctx: JobContext) -> dict[str, Any]:
        started.set()
        release.wait(30)
        return {"done": True}

    job_id = queue(sessions, "slow")
    worker = JobWorker(sessions, {"slow": slow}, {}, poll_seconds=0.05, lease_seconds=30)
    worker.start()
    assert started.wait(30)
    assert worker.stop(timeout=0.2) is False, "the job did not finish within the grace period"
    handed = job(sessions, job_id)
    assert (handed.status, handed.worker, handed.attempts) == ("queued", None, 0)
    release.set()  # the abandoned handler returns: its finish is fenced off
    worker._thread.join(30)  # type: ignore[union-attr]
    assert job(sessions, job_id).status == "queued" and job(sessions, job_id).result is None


def test_shutdown_lets_a_short_job_finish(sessions: sessionmaker[Session]) -> None:
    job_id = queue(sessions)
    worker = JobWorker(sessions, {"echo": echo}, {}, poll_seconds=0.05)
    worker.start()
    while job(sessions, job_id).status != "succeeded":
        threading.Event().wait(0.05)
    assert worker.stop(timeout=10) is True


# Import jobs ----------------------------------------------------------------------------


def employers_csv(n: int, prefix: str = "E") -> bytes:
    frame = pl.DataFrame(
        {
            "external_id": [f"{prefix}{i}" for i in range(n)],
            "name": [f"Employer {i}" for i in range(n)],
            "region": ["59"] * n,
        }
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


def import_worker(sessions: sessionmaker[Session]) -> JobWorker:
    from matching.programme.geography import load_reference
    from matching.programme.support import load_support_parameters

    data = REPO_ROOT / "data"
    return job_worker(sessions, load_reference(data), load_support_parameters(data))


def stored_employers(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(EmployerRecord)) or 0)


def queue_import(sessions: sessionmaker[Session], content: bytes) -> str:
    with session_scope(sessions) as session:
        return enqueue_import(session, "employers", content, "employers.csv").id


def test_cancelled_running_import_writes_nothing(sessions: sessionmaker[Session]) -> None:
    runner = import_worker(sessions)
    job_id = queue_import(sessions, employers_csv(12_000))
    claimed = claim_next(sessions, runner.name, ("import",))
    assert claimed is not None and claimed.status == "running"
    with session_scope(sessions) as session:
        asked = request_cancel(session, job_id)
        assert asked is not None and asked.status == "running" and asked.cancel_requested
    status = run_job(claimed, sessions, runner.handlers, runner.services, worker=runner.name)
    assert status == "cancelled" and job(sessions, job_id).status == "cancelled"
    assert stored_employers(sessions) == 0


def test_queued_import_cancelled_never_runs(sessions: sessionmaker[Session]) -> None:
    runner = import_worker(sessions)
    job_id = queue_import(sessions, employers_csv(5))
    with session_scope(sessions) as session:
        assert request_cancel(session, job_id).status == "cancelled"  # type: ignore[union-attr]
    assert not runner.run_once()
    assert stored_employers(sessions) == 0


def _run_paused(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[str, Path, threading.Thread]:
    marker = tmp_path / "paused"
    monkeypatch.setenv("QONYS_PAUSE_AT", "import.written")
    monkeypatch.setenv("QONYS_PAUSE_FILE", str(marker))
    runner = import_worker(sessions)
    job_id = queue_import(sessions, employers_csv(300))
    thread = threading.Thread(target=runner.run_once, daemon=True)
    thread.start()
    while not marker.exists():
        thread.join(0.05)
        assert thread.is_alive(), "the import finished without reaching its pause point"
    return job_id, marker, thread


def test_progress_shows_the_write_phase_then_the_counts(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job_id, marker, thread = _run_paused(sessions, monkeypatch, tmp_path)
    during = job(sessions, job_id)
    assert (during.status, during.phase, during.progress) == ("running", "write", 0.8)
    assert stored_employers(sessions) == 0, "rows written but not committed are not visible"
    marker.unlink()
    thread.join(60)
    done = job(sessions, job_id)
    assert (done.status, done.progress) == ("succeeded", 1.0)
    assert done.result is not None and done.result["inserted"] == 300
    assert stored_employers(sessions) == 300


def test_cancel_after_the_rows_are_written_keeps_none_of_them(
    backend: str,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """PostgreSQL: the cancel lands while the rows sit in the open transaction, and the
    fenced commit rolls all of them back. SQLite has one writer: the cancel waits for the
    import's transaction, which commits whole; the cancel then finds a finished job."""
    job_id, marker, thread = _run_paused(sessions, monkeypatch, tmp_path)
    outcome: dict[str, str] = {}

    def cancel() -> None:
        with session_scope(sessions) as session:
            found = request_cancel(session, job_id)
            outcome["status"] = found.status if found else "?"

    canceller = threading.Thread(target=cancel, daemon=True)
    canceller.start()
    if backend == "postgresql":
        canceller.join(30)
        marker.unlink()
    else:
        marker.unlink()
        canceller.join(30)
    thread.join(60)
    final = job(sessions, job_id)
    if backend == "postgresql":
        assert final.status == "cancelled" and stored_employers(sessions) == 0
    else:
        assert final.status == "succeeded" and stored_employers(sessions) == 300
        # The cancel's write lands after the rows commit: before the job's fenced finish
        # (it reads running and comes too late) or after it (it reads succeeded).
        assert outcome["status"] in ("running", "succeeded")
