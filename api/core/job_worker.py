"""The worker: a daemon thread that claims jobs under a lease and runs them one at a time.

``stop(grace)`` is the graceful shutdown of ``qonys worker`` and ``qonys serve`` (SIGTERM):
no new job is claimed, the current one may finish within ``grace`` seconds, and a job still
running then is handed back to the queue (status ``queued``, its attempt not counted) for
another worker. The process exits right after, so the abandoned handler's open transaction
is rolled back by the database, and its final write is fenced in any case
(:meth:`api.core.jobs.JobContext.fence`).
"""

from __future__ import annotations

import threading
import traceback
import uuid
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker

from api.core.job_leases import DEFAULT_LEASE_SECONDS
from api.core.jobs import Handler, claim_next, hand_back, run_job

log = structlog.get_logger("api.core.jobs")


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
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        heartbeat_seconds: float | None = None,
    ) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.services = services
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds or max(0.2, lease_seconds / 3)
        self.current: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> bool:
        if self._stop.is_set():
            return False
        job = claim_next(
            self.sessions, self.name, tuple(self.handlers), lease_seconds=self.lease_seconds
        )
        if job is None:
            return False
        self.current = job.id
        try:
            run_job(
                job,
                self.sessions,
                self.handlers,
                self.services,
                worker=self.name,
                heartbeat_seconds=self.heartbeat_seconds,
                lease_seconds=self.lease_seconds,
            )
        finally:
            self.current = None
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

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop claiming; wait up to ``timeout`` s for the current job, then hand it back.

        True when no job was left behind (finished in time or none running).
        """
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        current = self.current
        if not self._thread.is_alive() or current is None:
            return True
        try:
            returned = hand_back(self.sessions, current, self.name)
        except Exception as exc:  # SQLite: the abandoned handler may hold the write lock
            # Not handed back: its lease runs out and the next claim reclaims it.
            log.warning("shutdown: job not handed back", job_id=current, error=str(exc)[:200])
            return False
        log.warning("shutdown: job handed back", job_id=current, handed_back=returned)
        return False
