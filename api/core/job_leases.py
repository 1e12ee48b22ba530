"""Leases of running jobs: the heartbeat that extends one, the reclaim of expired ones.

A heartbeat is its own thread, so a handler busy in one long solver call or one long bulk
statement still keeps its lease; only a dead or frozen process lets it run out. A heartbeat
that fails (SQLite busy while another connection writes) is retried at the next beat: the
lease is a few beats long, so one missed beat costs nothing.
"""

from __future__ import annotations

import datetime as dt
import threading

import structlog
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models.jobs import JobRecord
from matching.text import msg

log = structlog.get_logger("api.core.jobs")

DEFAULT_LEASE_SECONDS = 30.0
# Jobs claimed before leases existed carry no lease: their heartbeat stands for one.
LEGACY_STALE = dt.timedelta(minutes=10)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _error(key: str, **values: object) -> dict[str, object]:
    return {"status": 500, "detail": msg(key, **values).as_dict(), "errors": []}


def reclaim_expired(sessions: sessionmaker[Session], at: dt.datetime | None = None) -> int:
    """Running jobs whose lease ran out: queued again while attempts are left, otherwise
    failed (cancelled, if cancellation had been asked for). How many were reclaimed."""
    at = at or now()
    expired = and_(
        JobRecord.status == "running",
        or_(
            JobRecord.lease_expires_at < at,
            and_(JobRecord.lease_expires_at.is_(None), JobRecord.heartbeat_at < at - LEGACY_STALE),
        ),
    )
    with sessions() as session:
        stmt = select(
            JobRecord.id, JobRecord.attempts, JobRecord.max_attempts, JobRecord.cancel_requested
        ).where(expired)
        if session.get_bind().dialect.name == "postgresql":
            # A job whose row a handler holds (its fenced final write) is not expired.
            stmt = stmt.with_for_update(skip_locked=True)
        found = session.execute(stmt).all()
        for job_id, attempts, most, cancel in found:
            if cancel:
                values: dict[str, object] = {
                    "status": "cancelled",
                    "phase": "cancelled",
                    "finished_at": at,
                    "message": msg("jobs.cancelled").en,
                    "error": {
                        "status": 409,
                        "detail": msg("jobs.cancelled").as_dict(),
                        "errors": [],
                    },
                }
            elif attempts < most:
                text = msg("jobs.lease_lost_requeued", attempts=attempts + 1, max_attempts=most)
                values = {"status": "queued", "worker": None, "phase": "requeued",
                          "progress": 0.0, "message": text.en}  # fmt: skip
            else:
                values = {
                    "status": "failed",
                    "phase": "failed",
                    "finished_at": at,
                    "message": msg("jobs.worker_stopped").en,
                    "error": _error("jobs.lease_lost_failed", attempts=attempts),
                }
            session.execute(
                update(JobRecord)
                .where(JobRecord.id == job_id, expired)
                .values(lease_expires_at=None, **values)
            )
            log.warning("job lease expired", job_id=job_id, now=values["status"])
        session.commit()
    return len(found)


def fail_stale(sessions: sessionmaker[Session], older_than: dt.timedelta) -> int:
    """Mark running jobs whose worker sent no heartbeat for ``older_than`` as failed."""
    with sessions() as session:
        cutoff = now() - older_than
        stale = session.execute(
            update(JobRecord)
            .where(JobRecord.status == "running", JobRecord.heartbeat_at < cutoff)
            .values(
                status="failed",
                phase="failed",
                finished_at=now(),
                lease_expires_at=None,
                error=_error("jobs.worker_stopped"),
            )
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
        return int(stale or 0)


class Heartbeat:
    """Extends one job's lease every ``interval`` seconds until stopped or the lease is lost."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        job_id: str,
        worker: str,
        interval: float,
        lease_seconds: float,
    ) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.worker = worker
        self.interval = interval
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"heartbeat-{job_id[:8]}", daemon=True
        )

    def beat(self) -> bool:
        """One extension; False once the job is no longer running under this worker."""
        at = now()
        with self.sessions() as session:
            kept = session.execute(
                update(JobRecord)
                .where(
                    JobRecord.id == self.job_id,
                    JobRecord.status == "running",
                    JobRecord.worker == self.worker,
                )
                .values(heartbeat_at=at, lease_expires_at=at + self.lease)
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
        return bool(kept)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.beat():
                    self.lost.set()
                    return
            except Exception as exc:  # busy database, dropped connection: next beat retries
                log.warning("heartbeat failed", job_id=self.job_id, error=str(exc)[:200])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 10)
