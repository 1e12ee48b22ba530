"""Allocation runs as the API and the planner pages read them: one implementation for both.

``start_run`` validates and queues, ``list_runs``/``run_out`` read runs, ``placements_page``
the placements (names and reasons in a language), ``compare_runs`` two runs side by side and
``commit`` turns a run into decisions. Each raises :class:`~api.core.problems.ProblemException`
with the API's problem details, so a page can show the same words the API answers.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.allocation.commit import CommitRefused, commit_run
from api.allocation.requests import NOT_VALID, validate_request
from api.allocation.schemas import CommitOut, PlacementOut, RunIn, RunListItem, RunOut
from api.audit import service as audit
from api.core.job_errors import error_in
from api.core.job_phases import phase_message
from api.core.jobs import enqueue, request_cancel
from api.core.problems import ProblemException
from api.models import (
    AllocationRunRecord,
    HouseholdRecord,
    JobRecord,
    PlacementRecord,
    QuotaRecord,
)
from matching.programme.geography import ReferenceData
from matching.text import Lang, Text

RUN_NOT_FOUND = Text(
    kk="«{id}» бөлу нұсқасы табылмады.",
    ru="Вариант распределения «{id}» не найден.",
    en="Allocation run '{id}' was not found.",
)
NOT_READY = Text(
    kk="«{id}» бөлу нұсқасы әлі аяқталмаған.",
    ru="Вариант распределения «{id}» ещё не завершён.",
    en="Allocation run '{id}' has not finished yet.",
)
ALREADY_ENDED = Text(
    kk="«{id}» бөлу нұсқасы аяқталып қойған ({status}): оны тоқтату мүмкін емес.",
    ru="Вариант распределения «{id}» уже завершён ({status}): отменить его нельзя.",
    en="Allocation run '{id}' has already ended ({status}): it cannot be cancelled.",
)
MAX_MOVES = 1000


def start_run(
    session: Session,
    reference: ReferenceData,
    body: RunIn,
    *,
    by: str,
    scenario_root: Path | None = None,
    actor: audit.Actor | None = None,
) -> str:
    """Check a request completely (422 lists every problem), queue it; the new run's id."""
    data = body.model_dump()
    errors = validate_request(session, reference, data, scenario_root=scenario_root)
    if errors:
        raise ProblemException(
            422, NOT_VALID.format(n=len(errors)), type_="/problems/invalid-run", errors=errors
        )
    run_id = uuid.uuid4().hex
    job = enqueue(session, "allocation", {"run_id": run_id}, created_by=by)
    session.add(
        AllocationRunRecord(
            id=run_id, job_id=job.id, name=body.name, year=body.year, scenario=data, created_by=by
        )
    )
    # The request holds the run's locks, bans and overrides: the audit row keeps them.
    audit.record(session, actor, "start", "allocation_run", run_id, after=data)
    session.commit()
    return run_id


def find_run(session: Session, run_id: str) -> tuple[AllocationRunRecord, JobRecord]:
    row = session.execute(
        select(AllocationRunRecord, JobRecord)
        .join(JobRecord, JobRecord.id == AllocationRunRecord.job_id)
        .where(AllocationRunRecord.id == run_id)
    ).first()
    if row is None:
        raise ProblemException(404, RUN_NOT_FOUND.format(id=run_id), type_="/problems/unknown-run")
    return row[0], row[1]


def cancel_run(session: Session, run_id: str, *, actor: audit.Actor | None = None) -> None:
    """Cancel a queued run at once, or stop a running one at its next checkpoint (after the
    batch is built, when the solver returns, and before anything is stored): a cancelled run
    stores no placements. 409 once the run has ended."""
    run, job = find_run(session, run_id)
    before = {"status": job.status}
    if job.status in ("succeeded", "failed", "cancelled") or run.committed_at is not None:
        raise ProblemException(
            409,
            ALREADY_ENDED.format(id=run_id, status=job.status),
            type_="/problems/run-ended",
        )
    request_cancel(session, job.id)
    session.refresh(job)
    after = {"status": job.status, "cancel_requested": True}
    audit.record(session, actor, "cancel", "allocation_run", run_id, before=before, after=after)
    session.commit()


def finished_run(session: Session, run_id: str) -> AllocationRunRecord:
    run, job = find_run(session, run_id)
    if job.status != "succeeded" or run.summary is None:
        raise ProblemException(409, NOT_READY.format(id=run_id), type_="/problems/run-not-finished")
    return run


def list_runs(
    session: Session, *, year: int | None, offset: int, limit: int
) -> tuple[list[RunListItem], int]:
    """Runs, newest first, with status and headline figures; and how many there are."""
    cond = [] if year is None else [AllocationRunRecord.year == year]
    total = int(
        session.scalar(select(func.count()).select_from(AllocationRunRecord).where(*cond)) or 0
    )
    rows = session.execute(
        select(AllocationRunRecord, JobRecord.status)
        .join(JobRecord, JobRecord.id == AllocationRunRecord.job_id)
        .where(*cond)
        .order_by(AllocationRunRecord.created_at.desc(), AllocationRunRecord.id)
        .offset(offset)
        .limit(limit)
    ).all()
    items = []
    for run, status in rows:
        summ = (run.summary or {}) if status == "succeeded" else {}
        items.append(
            RunListItem(
                id=run.id,
                name=run.name,
                year=run.year,
                status=status,
                created_by=run.created_by,
                created_at=run.created_at,
                committed_at=run.committed_at,
                objective=summ.get("objective"),
                households=summ.get("households"),
                households_placed=summ.get("households_placed"),
                gap=summ.get("gap"),
                scenario_dir=(run.scenario or {}).get("scenario_dir"),
            )
        )
    return items, total


def run_out(session: Session, run_id: str, lang: Lang) -> RunOut:
    """Status, progress and phase of a run; its summary when done, the error when it failed."""
    run, job = find_run(session, run_id)
    error = error_in(job.error, lang)
    return RunOut(
        id=run.id,
        name=run.name,
        year=run.year,
        status=job.status,
        progress=job.progress,
        phase=job.phase,
        message=phase_message(job.phase, job.status, lang),
        created_at=run.created_at,
        committed_at=run.committed_at,
        committed_by=run.committed_by,
        created_by=run.created_by,
        request=run.scenario or {},
        summary=run.summary if job.status == "succeeded" else None,
        error=error,
    )


def placements_page(
    session: Session,
    reference: ReferenceData,
    run_id: str,
    lang: Lang,
    *,
    placed: bool | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[PlacementOut], int]:
    """Who goes where (or why not), by household id; names and reasons in ``lang``.

    ``limit=None`` reads every row (the exports); the API always pages.
    """
    finished_run(session, run_id)
    cond = [PlacementRecord.run_id == run_id]
    if placed is not None:
        cond.append(PlacementRecord.placed.is_(placed))
    total = int(session.scalar(select(func.count()).select_from(PlacementRecord).where(*cond)) or 0)
    stmt = (
        select(PlacementRecord, HouseholdRecord.external_id)
        .join(HouseholdRecord, HouseholdRecord.id == PlacementRecord.household_id)
        .where(*cond)
        .order_by(PlacementRecord.household_id)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    items = []
    for p, external_id in session.execute(stmt).all():
        name = None
        if p.locality_id:
            loc = reference.locality(p.locality_id)
            name = {"kk": loc.name_kk, "ru": loc.name_ru, "en": loc.name_en}[lang]
        items.append(
            PlacementOut(
                household_id=p.household_id,
                external_id=external_id,
                placed=p.placed,
                locality_id=p.locality_id,
                locality_name=name,
                region_code=p.region_code,
                home_id=p.home_id,
                vacancy_id=p.vacancy_id,
                second_vacancy_id=p.second_vacancy_id,
                score=p.score,
                persons=p.persons,
                reason_code=p.reason_code,
                reason=(p.reason or {}).get(lang) if p.reason else None,
                breakdown=[{**c, "reason": (c.get("reason") or {}).get(lang)} for c in p.breakdown]
                if p.breakdown
                else None,
            )
        )
    return items, total


def compare_runs(session: Session, run_a: str, run_b: str) -> dict[str, Any]:
    """Two runs side by side: objective, placed, fill per quota and locality, fairness cost,
    and who moves elsewhere (at most 1,000 moves listed; ``moves_total`` counts all)."""
    a, b = finished_run(session, run_a), finished_run(session, run_b)
    sa, sb = a.summary or {}, b.summary or {}

    def placed(run_id: str) -> dict[int, str | None]:
        rows = session.execute(
            select(PlacementRecord.household_id, PlacementRecord.locality_id).where(
                PlacementRecord.run_id == run_id
            )
        )
        return {int(h): loc for h, loc in rows}

    pa, pb = placed(run_a), placed(run_b)
    moves = [
        {"household_id": h, "locality_a": pa.get(h), "locality_b": pb.get(h)}
        for h in sorted(set(pa) | set(pb))
        if pa.get(h) != pb.get(h)
    ]
    fill: dict[tuple[str, str], dict[str, Any]] = {}
    for side, summ in (("a", sa), ("b", sb)):
        for row in summ.get("fill") or []:
            entry = fill.setdefault(
                (row["kind"], row["key"]), {"kind": row["kind"], "key": row["key"]}
            )
            entry[f"capacity_{side}"] = row["capacity"]
            entry[f"used_{side}"] = row["used"]
    keys = (
        "objective",
        "best_bound",
        "gap",
        "households_placed",
        "persons_placed",
        "fairness_cost",
    )
    return {
        "a": {"id": run_a, "name": a.name, **{k: sa.get(k) for k in keys}},
        "b": {"id": run_b, "name": b.name, **{k: sb.get(k) for k in keys}},
        "objective_delta": (sb.get("objective") or 0) - (sa.get("objective") or 0),
        "fill": sorted(fill.values(), key=lambda r: (r["kind"], r["key"])),
        "moves_total": len(moves),
        "moves": moves[:MAX_MOVES],
    }


def commit(
    session: Session,
    run_id: str,
    *,
    household_ids: list[int] | None,
    by: str,
    actor: audit.Actor | None = None,
) -> CommitOut:
    """Commit a run (all or nothing); 409 problem details list every overbooked resource."""
    try:
        result = commit_run(session, run_id, household_ids=household_ids, by=by, actor=actor)
    except CommitRefused as exc:
        raise ProblemException(
            exc.status, exc.text, type_="/problems/commit-refused", errors=exc.errors
        ) from exc
    return CommitOut(
        run_id=result.run_id,
        households=result.households,
        persons=result.persons,
        committed_at=result.committed_at,
    )


def quota_years(session: Session) -> list[int]:
    """Years with published quotas, newest first (what a run's ``year`` usually is)."""
    return [
        int(y)
        for y in session.scalars(
            select(QuotaRecord.year).distinct().order_by(QuotaRecord.year.desc())
        )
    ]


def quota_regions(session: Session) -> list[str]:
    """Regions with a published quota: the destinations a run can be narrowed to."""
    return [str(c) for c in session.scalars(select(QuotaRecord.region_code).distinct())]


def persons_by_locality(session: Session, run_id: str) -> dict[str, int]:
    """Persons the run places in each locality (its placement rows summed)."""
    rows = session.execute(
        select(PlacementRecord.locality_id, func.sum(PlacementRecord.persons))
        .where(PlacementRecord.run_id == run_id, PlacementRecord.placed.is_(True))
        .group_by(PlacementRecord.locality_id)
    )
    return {str(loc): int(n or 0) for loc, n in rows if loc is not None}


def applicant_declines(session: Session) -> int:
    """Declines in effect now (latest decision per household and locality) of the households
    waiting for a batch: each becomes a ban in the next run from the live data."""
    from api.applicants.service import declined_localities

    ids = list(
        session.scalars(
            select(HouseholdRecord.id).where(HouseholdRecord.status.in_(("registered", "admitted")))
        )
    )
    # In chunks: a national batch's ids would pass the drivers' parameter limits.
    return sum(
        declined_localities(session, ids[i : i + 5000]).height for i in range(0, len(ids), 5000)
    )
