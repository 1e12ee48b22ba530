"""A planner cancels a run: queued at once, running at its next checkpoint; it stores no
placements, reserves nothing, is audited, and a run that has ended cannot be cancelled."""

from __future__ import annotations

from sqlalchemy import func, select

from api.core.jobs import claim_next, run_job
from api.models import AllocationRunRecord, JobRecord, PlacementRecord
from api.models.audit import AuditRecord
from tests.api.test_allocation_api import YEAR, World, finish, start, world

__all__ = ["world"]  # the module's database, used by name below


def _placements(world: World, run_id: str) -> int:
    with world.sessions() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(PlacementRecord).where(
                    PlacementRecord.run_id == run_id
                )
            )
            or 0
        )


def _audit(world: World, run_id: str) -> list[AuditRecord]:
    with world.sessions() as session:
        return list(
            session.scalars(
                select(AuditRecord).where(
                    AuditRecord.entity == "allocation_run",
                    AuditRecord.entity_id == run_id,
                    AuditRecord.action == "cancel",
                )
            )
        )


def test_a_queued_run_is_cancelled_at_once_and_never_runs(world: World) -> None:
    with world.client() as client:
        run_id = start(client, world, {"name": "to cancel", "year": YEAR, "time_limit": 5})
        answer = client.post(f"/allocation-runs/{run_id}/cancel", headers=world.planner)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "cancelled" and answer.json()["summary"] is None
        rows = _audit(world, run_id)
        assert len(rows) == 1 and rows[0].before["status"] == "queued"
        assert rows[0].after["status"] == "cancelled" and rows[0].actor_role == "planner"
        # No worker picks it up, and nothing is stored for it.
        with world.sessions() as session:
            run = session.get(AllocationRunRecord, run_id)
            assert run is not None
            job_id = run.job_id
        while world.worker.run_once():
            pass
        with world.sessions() as session:
            assert session.get(JobRecord, job_id).status == "cancelled"  # type: ignore[union-attr]
        assert _placements(world, run_id) == 0
        again = client.post(f"/allocation-runs/{run_id}/cancel?lang=ru", headers=world.planner)
        assert again.status_code == 409
        assert again.headers["content-type"].startswith("application/problem+json")
        assert "отменить его нельзя" in again.json()["detail"]
        commit = client.post(f"/allocation-runs/{run_id}/commit", headers=world.planner)
        assert commit.status_code == 409  # a cancelled run has nothing to commit


def test_a_running_run_stops_at_its_checkpoint_and_stores_nothing(world: World) -> None:
    with world.client() as client:
        run_id = start(client, world, {"name": "cancel running", "year": YEAR, "time_limit": 5})
        runner = world.worker
        # Claim it as a worker would, then cancel while it is "running".
        while True:
            job = claim_next(world.sessions, runner.name, tuple(runner.handlers))
            assert job is not None
            if job.params.get("run_id") == run_id:
                break
            run_job(job, world.sessions, runner.handlers, runner.services, worker=runner.name)
        answer = client.post(f"/allocation-runs/{run_id}/cancel", headers=world.planner)
        assert answer.status_code == 200 and answer.json()["status"] == "running"
        run_job(job, world.sessions, runner.handlers, runner.services, worker=runner.name)
        body = client.get(f"/allocation-runs/{run_id}", headers=world.planner).json()
        assert body["status"] == "cancelled" and body["summary"] is None
        assert _placements(world, run_id) == 0
        assert len(_audit(world, run_id)) == 1


def test_a_finished_run_cannot_be_cancelled_and_centres_cannot_cancel(world: World) -> None:
    with world.client() as client:
        run_id = start(client, world, {"name": "finished", "year": YEAR, "time_limit": 5})
        finish(client, world, run_id)
        refused = client.post(f"/allocation-runs/{run_id}/cancel?lang=kk", headers=world.planner)
        assert refused.status_code == 409
        assert "тоқтату мүмкін емес" in refused.json()["detail"]
        assert _audit(world, run_id) == []
        assert client.get(f"/allocation-runs/{run_id}", headers=world.planner).json()[
            "status"
        ] == "succeeded"
        centre = client.post(f"/allocation-runs/{run_id}/cancel", headers=world.centre)
        assert centre.status_code == 403
        unknown = client.post("/allocation-runs/no-such-run/cancel", headers=world.planner)
        assert unknown.status_code == 404
