"""A small job queue on the database: enqueue, claim, report progress, finish.

Workers claim the oldest queued job atomically — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
any number of worker processes can share the table; SQLite serializes writers, which makes the
guarded UPDATE atomic there too. The API process runs one worker thread by default
(``QONYS_RUN_JOBS_IN_PROCESS``); ``qonys worker`` runs more in their own processes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models.jobs import JobRecord
from matching.text import Text

log = structlog.get_logger("api.core.jobs")


class JobFailed(Exception):
    """A handler's expected failure: ``text`` is shown to the user, ``errors`` list details."""

    def __init__(
        self, text: Text, errors: list[dict[str, Any]] | None = None, status: int = 422
    ) -> None:
        super().__init__(text.en)
        self.text = text
        self.errors = errors or []
        self.status = status


@dataclass
class JobContext:
    job_id: str
    kind: str
    params: dict[str, Any]
    sessions: sessionmaker[Session]
    services: dict[str, Any]
    min_interval: float = 0.5
    _last: float = field(default=0.0)

    def progress(
        self, phase: str, fraction: float, message: str = "", *, force: bool = False
    ) -> None:
        """Record progress; throttled so a chatty solver does not hammer the database."""
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
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


Handler = Callable[[JobContext], dict[str, Any]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_job_id() -> str:
    return uuid.uuid4().hex


def enqueue(
    session: Session, kind: str, params: dict[str, Any], *, created_by: str | None = None
) -> JobRecord:
    job = JobRecord(
        id=new_job_id(),
        kind=kind,
        status="queued",
        params=params,
        created_by=created_by,
        progress=0.0,
    )
    session.add(job)
    session.flush()
    return job


def claim_next(
    sessions: sessionmaker[Session], worker: str, kinds: tuple[str, ...]
) -> JobRecord | None:
    with sessions() as session:
        candidate = (
            select(JobRecord.id)
            .where(JobRecord.status == "queued", JobRecord.kind.in_(kinds))
            .order_by(JobRecord.created_at, JobRecord.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            candidate = candidate.with_for_update(skip_locked=True)
        now = _now()
        claimed = session.execute(
            update(JobRecord)
            .where(JobRecord.id == candidate.scalar_subquery(), JobRecord.status == "queued")
            .values(
                status="running", worker=worker, started_at=now, heartbeat_at=now, phase="starting"
            )
            .returning(JobRecord.id)
        ).scalar_one_or_none()
        session.commit()
        return session.get(JobRecord, claimed) if claimed else None


def _finish(sessions: sessionmaker[Session], job_id: str, **values: Any) -> None:
    with sessions() as session:
        session.execute(
            update(JobRecord).where(JobRecord.id == job_id).values(finished_at=_now(), **values)
        )
        session.commit()


def run_job(
    job: JobRecord,
    sessions: sessionmaker[Session],
    handlers: dict[str, Handler],
    services: dict[str, Any],
) -> None:
    ctx = JobContext(job.id, job.kind, dict(job.params or {}), sessions, services)
    handler = handlers.get(job.kind)
    try:
        if handler is None:
            raise JobFailed(
                Text(
                    kk="Белгісіз жұмыс түрі",
                    ru="Неизвестный тип задания",
                    en=f"Unknown job kind {job.kind}",
                )
            )
        result = handler(ctx)
    except JobFailed as exc:
        _finish(
            sessions,
            job.id,
            status="failed",
            phase="failed",
            error={"status": exc.status, "detail": exc.text.as_dict(), "errors": exc.errors},
        )
        log.info("job failed", job_id=job.id, kind=job.kind, reason=exc.text.en)
    except Exception as exc:  # a bug: keep the worker alive and the trace for the operator
        log.error("job crashed", job_id=job.id, kind=job.kind, trace=traceback.format_exc())
        _finish(
            sessions,
            job.id,
            status="failed",
            phase="failed",
            error={
                "status": 500,
                "detail": Text(
                    kk="Жұмыс күтпеген қатемен тоқтады.",
                    ru="Задание прервано непредвиденной ошибкой.",
                    en="The job stopped on an unexpected error.",
                ).as_dict(),
                "errors": [
                    {
                        "loc": ["job"],
                        "msg": f"{exc.__class__.__name__}: {exc}"[:500],
                        "type": "internal",
                    }
                ],
            },
        )
    else:
        _finish(sessions, job.id, status="succeeded", phase="done", progress=1.0, result=result)


def fail_stale(sessions: sessionmaker[Session], older_than: dt.timedelta) -> int:
    """Mark running jobs whose worker stopped sending heartbeats as failed."""
    with sessions() as session:
        cutoff = _now() - older_than
        stale = session.execute(
            update(JobRecord)
            .where(JobRecord.status == "running", JobRecord.heartbeat_at < cutoff)
            .values(
                status="failed",
                phase="failed",
                finished_at=_now(),
                error={
                    "status": 500,
                    "detail": Text(
                        kk="Жұмысты орындаушы процесс тоқтап қалды.",
                        ru="Процесс, выполнявший задание, остановился.",
                        en="The worker running this job stopped.",
                    ).as_dict(),
                    "errors": [],
                },
            )
        ).rowcount
        session.commit()
        return int(stale or 0)


class JobWorker:
    """Polls the job table from a daemon thread and runs one job at a time."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        handlers: dict[str, Handler],
        services: dict[str, Any],
        *,
        name: str | None = None,
        poll_seconds: float = 0.5,
    ) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.services = services
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> bool:
        job = claim_next(self.sessions, self.name, tuple(self.handlers))
        if job is None:
            return False
        run_job(job, self.sessions, self.handlers, self.services)
        return True

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.error("worker loop error", trace=traceback.format_exc())
                busy = False
            if not busy:
                self._stop.wait(self.poll_seconds)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
