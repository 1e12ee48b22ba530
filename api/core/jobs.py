"""A small job queue on the database: enqueue, claim under a lease, report progress, finish.

Workers claim the oldest queued job atomically — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
any number of worker processes can share the table; SQLite serializes writers, which makes the
guarded UPDATE atomic there too. The API process runs one worker thread by default
(``QONYS_RUN_JOBS_IN_PROCESS``); ``qonys worker`` runs more in their own processes.

A running job is *leased* to its worker until ``lease_expires_at``; a heartbeat thread of the
worker (:mod:`api.core.job_leases`), independent of the handler's progress calls, extends the
lease. A worker that dies (SIGKILL, power loss) stops extending it, and the next claim by any
worker first reclaims jobs whose lease ran out: queued again while attempts are left,
otherwise failed with a kk/ru/en reason — a job is never left "running" forever. Writes that
finish a job are fenced: they apply only while the job is still running under the same
worker, so a worker that lost its lease cannot overwrite the outcome of the next attempt.

Handlers write their results in one transaction each and call :meth:`JobContext.fence` in it
just before committing, so a job that was cancelled or taken over meanwhile commits nothing.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.core.job_leases import (
    DEFAULT_LEASE_SECONDS,
    Heartbeat,
    fail_stale,
    now,
    reclaim_expired,
)
from api.models.jobs import FINAL_STATUSES, JobRecord
from matching.text import Text, msg

log = structlog.get_logger("api.core.jobs")
_now = now


class JobFailed(Exception):
    """A handler's expected failure: ``text`` is shown to the user, ``errors`` list details."""

    def __init__(
        self, text: Text, errors: list[dict[str, Any]] | None = None, status: int = 422
    ) -> None:
        super().__init__(text.en)
        self.text = text
        self.errors = errors or []
        self.status = status


class JobCancelled(Exception):
    """Raised at a handler's checkpoint once cancellation was asked for; nothing is kept."""


class JobLost(Exception):
    """The job is no longer this worker's (lease reclaimed, handed back): write nothing."""


@dataclass
class JobContext:
    job_id: str
    kind: str
    params: dict[str, Any]
    sessions: sessionmaker[Session]
    services: dict[str, Any]
    worker: str | None = None
    min_interval: float = 0.5
    _last: float = field(default=0.0)

    def progress(
        self, phase: str, fraction: float, message: str = "", *, force: bool = False
    ) -> None:
        """Record progress; throttled so a chatty solver does not hammer the database."""
        now_ = time.monotonic()
        if not force and now_ - self._last < self.min_interval:
            return
        self._last = now_
        with self.sessions() as session:
            session.execute(
                update(JobRecord)
                .where(JobRecord.id == self.job_id)
                .values(
                    progress=min(1.0, max(0.0, float(fraction))),
                    phase=phase[:40],
                    message=message[:500],
                    heartbeat_at=_now(),
                )
            )
            session.commit()

    def cancel_requested(self) -> bool:
        with self.sessions() as session:
            return bool(
                session.scalar(
                    select(JobRecord.cancel_requested).where(JobRecord.id == self.job_id)
                )
            )

    def check_cancelled(self) -> None:
        """A checkpoint: raise :class:`JobCancelled` when someone asked to cancel the job."""
        if self.cancel_requested():
            raise JobCancelled(self.job_id)

    def fence(self, session: Session) -> None:
        """Inside the handler's write transaction, just before it commits: raise
        :class:`JobCancelled` or :class:`JobLost` unless the job is still this worker's and
        not cancelled. On PostgreSQL the job's row stays locked until the commit, so a
        reclaim or a cancel waits for it instead of racing it."""
        stmt = select(JobRecord.status, JobRecord.worker, JobRecord.cancel_requested).where(
            JobRecord.id == self.job_id
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = session.execute(stmt).one_or_none()
        if row is None or row[0] != "running" or (self.worker and row[1] != self.worker):
            raise JobLost(self.job_id)
        if row[2]:
            raise JobCancelled(self.job_id)


Handler = Callable[[JobContext], dict[str, Any]]


def new_job_id() -> str:
    return uuid.uuid4().hex


def enqueue(
    session: Session,
    kind: str,
    params: dict[str, Any],
    *,
    created_by: str | None = None,
    max_attempts: int = 2,
) -> JobRecord:
    job = JobRecord(
        id=new_job_id(),
        kind=kind,
        status="queued",
        params=params,
        created_by=created_by,
        progress=0.0,
        attempts=0,
        max_attempts=max_attempts,
        cancel_requested=False,
    )
    session.add(job)
    session.flush()
    return job


def _claim(
    sessions: sessionmaker[Session], worker: str, candidate: Any, lease_seconds: float
) -> JobRecord | None:
    with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            candidate = candidate.with_for_update(skip_locked=True)
        at = _now()
        claimed = session.execute(
            update(JobRecord)
            .where(JobRecord.id == candidate.scalar_subquery(), JobRecord.status == "queued")
            .values(
                status="running",
                worker=worker,
                started_at=at,
                heartbeat_at=at,
                lease_expires_at=at + dt.timedelta(seconds=lease_seconds),
                attempts=JobRecord.attempts + 1,
                phase="starting",
            )
            .returning(JobRecord.id)
        ).scalar_one_or_none()
        session.commit()
        return session.get(JobRecord, claimed) if claimed else None


def claim_next(
    sessions: sessionmaker[Session],
    worker: str,
    kinds: tuple[str, ...],
    *,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> JobRecord | None:
    """Reclaim jobs whose lease ran out, then lease the oldest queued job of ``kinds``."""
    reclaim_expired(sessions)
    candidate = (
        select(JobRecord.id)
        .where(JobRecord.status == "queued", JobRecord.kind.in_(kinds))
        .order_by(JobRecord.created_at, JobRecord.id)
        .limit(1)
    )
    return _claim(sessions, worker, candidate, lease_seconds)


def claim_job(
    sessions: sessionmaker[Session],
    job_id: str,
    worker: str,
    *,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> JobRecord | None:
    """Lease one given queued job (``qonys import`` runs its own job inline)."""
    reclaim_expired(sessions)
    candidate = select(JobRecord.id).where(JobRecord.id == job_id, JobRecord.status == "queued")
    return _claim(sessions, worker, candidate, lease_seconds)


def request_cancel(session: Session, job_id: str) -> JobRecord | None:
    """Cancel a queued job at once, or ask a running one to stop at its next checkpoint.

    Returns the job (``None`` when unknown); a finished job is returned unchanged.
    """
    done = session.execute(
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.status == "queued")
        .values(
            status="cancelled",
            phase="cancelled",
            cancel_requested=True,
            finished_at=_now(),
            message=msg("jobs.cancelled").en,
        )
    ).rowcount  # type: ignore[attr-defined]
    if not done:
        session.execute(
            update(JobRecord)
            .where(JobRecord.id == job_id, JobRecord.status == "running")
            .values(cancel_requested=True)
        )
    session.flush()
    session.expire_all()
    return session.get(JobRecord, job_id)


def _finish(
    sessions: sessionmaker[Session], job_id: str, worker: str | None, **values: Any
) -> bool:
    """Close a running job (fenced: only while it is still ``worker``'s)."""
    cond = [JobRecord.id == job_id, JobRecord.status == "running"]
    if worker:
        cond.append(JobRecord.worker == worker)
    with sessions() as session:
        done = session.execute(
            update(JobRecord)
            .where(*cond)
            .values(finished_at=_now(), lease_expires_at=None, **values)
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
    return bool(done)


def hand_back(sessions: sessionmaker[Session], job_id: str, worker: str) -> bool:
    """Return a running job to the queue (a worker shutting down); its attempt is not
    counted."""
    with sessions() as session:
        done = session.execute(
            update(JobRecord)
            .where(
                JobRecord.id == job_id, JobRecord.status == "running", JobRecord.worker == worker
            )
            .values(
                status="queued",
                worker=None,
                phase="queued",
                progress=0.0,
                lease_expires_at=None,
                attempts=JobRecord.attempts - 1,
                message=msg("jobs.handed_back").en,
            )
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
    return bool(done)


def _error(status: int, text: Text, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"status": status, "detail": text.as_dict(), "errors": errors or []}


def run_job(
    job: JobRecord,
    sessions: sessionmaker[Session],
    handlers: dict[str, Handler],
    services: dict[str, Any],
    *,
    worker: str | None = None,
    heartbeat_seconds: float | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> str:
    """Run a claimed job to its end; the status it ended in (``"lost"`` when taken over).

    With ``heartbeat_seconds`` a heartbeat thread extends the lease while the handler runs.
    """
    ctx = JobContext(job.id, job.kind, dict(job.params or {}), sessions, services, worker)
    handler = handlers.get(job.kind)
    beat = None
    if heartbeat_seconds and worker:
        beat = Heartbeat(sessions, job.id, worker, heartbeat_seconds, lease_seconds)
        beat.start()
    try:
        if handler is None:
            raise JobFailed(msg("jobs.unknown_kind", kind=job.kind))
        result = handler(ctx)
    except JobFailed as exc:
        status = "failed"
        done = _finish(
            sessions,
            job.id,
            worker,
            status=status,
            phase="failed",
            error=_error(exc.status, exc.text, exc.errors),
        )
        log.info("job failed", job_id=job.id, kind=job.kind, reason=exc.text.en)
    except JobCancelled:
        status = "cancelled"
        done = _finish(
            sessions,
            job.id,
            worker,
            status=status,
            phase="cancelled",
            message=msg("jobs.cancelled").en,
            error=_error(409, msg("jobs.cancelled")),
        )
        log.info("job cancelled", job_id=job.id, kind=job.kind)
    except JobLost:
        status, done = "lost", False
    except Exception as exc:  # a bug: keep the worker alive and the trace for the operator
        log.error("job crashed", job_id=job.id, kind=job.kind, trace=traceback.format_exc())
        status = "failed"
        done = _finish(
            sessions,
            job.id,
            worker,
            status=status,
            phase="failed",
            error=_error(
                500,
                msg("jobs.crashed"),
                [
                    {
                        "loc": ["job"],
                        "msg": f"{exc.__class__.__name__}: {exc}"[:500],
                        "type": "internal",
                    }
                ],
            ),
        )
    else:
        status = "succeeded"
        done = _finish(
            sessions, job.id, worker, status=status, phase="done", progress=1.0, result=result
        )
    finally:
        if beat is not None:
            beat.stop()
    if not done:
        log.warning("job taken over before it finished", job_id=job.id, kind=job.kind)
        return "lost"
    return status


def job_finished(job: JobRecord) -> bool:
    return job.status in FINAL_STATUSES


__all__ = [
    "Handler",
    "JobCancelled",
    "JobContext",
    "JobFailed",
    "JobLost",
    "claim_job",
    "claim_next",
    "enqueue",
    "fail_stale",
    "hand_back",
    "job_finished",
    "reclaim_expired",
    "request_cancel",
    "run_job",
]

