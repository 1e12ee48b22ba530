"""Allocation runs: the job that builds a batch, solves it and stores placements and snapshot.

:func:`~api.allocation.requests.validate_request` checks a request,
:func:`~api.allocation.batch.build_batch` turns it into an instance, and
:func:`run_allocation_job` (the job handler) solves it and stores placements, summary and
snapshot (:mod:`api.allocation.snapshot`). Committing a run is :mod:`api.allocation.commit`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import delete, insert, update

from api.allocation.batch import NO_HOUSEHOLDS, EmptyBatch, build_batch, config_of
from api.allocation.features import placement_features
from api.allocation.groups import outcome_groups
from api.allocation.report import fill_by, summary
from api.allocation.snapshot import snapshot_bytes
from api.core.jobs import JobContext, JobFailed
from api.core.pause import pause_point
from api.models import (
    AllocationRunRecord,
    PlacementRecord,
)
from matching.allocation import (
    AllocationConfig,
    AllocationResult,
    allocate,
)
from matching.programme.geography import ReferenceData
from matching.programme.support import SupportParameters
from matching.ranking import MatchIndex
from matching.scoring.similarity import OccupationSpace
from matching.text import Text, msg

# Score breakdowns are stored for at most this many placed households of a run: enough for
# any commission sitting, bounded so a national batch does not write gigabytes of JSON.
MAX_EXPLAINED = 2000
SCENARIO_FAILED = Text(
    kk="Сценарий қалтасын пайдалану мүмкін емес: {n} қате.",
    ru="Папку сценария нельзя использовать: ошибок {n}.",
    en="The scenario folder cannot be used: {n} problem(s).",
)
RUN_GONE = msg("allocation_service.job.run_gone")


def _breakdown(index: MatchIndex, household_id: str, option_id: str) -> list[dict[str, Any]]:
    result = index.explain(household_id, option_id)
    return [
        {
            "component": c.name,
            "value": round(float(c.value), 4),
            "weight": round(float(c.weight), 4),
            "reason": c.reason.as_dict(),
        }
        for c in result.components
    ]


def placement_rows(
    run_id: str, result: AllocationResult, index: MatchIndex | None
) -> list[dict[str, Any]]:
    """PlacementRecord rows: every household of the batch, placed or with its reason.

    With the batch's ``index``, each placed row carries its option's outcome features.
    """
    sizes = result.instance.households.select(
        "household_id", "persons", "children_0_5", "children_6_17"
    )
    placed = result.placements.join(sizes, on="household_id", how="left", maintain_order="left")
    features = placement_features(index, placed) if index is not None else []
    rows: list[dict[str, Any]] = []
    for i, p in enumerate(placed.iter_rows(named=True)):
        rows.append(
            {
                "run_id": run_id,
                "household_id": int(p["household_id"]),
                "placed": True,
                "locality_id": p["locality_id"],
                "region_code": p["region_code"],
                "home_id": int(p["home_id"]),
                "vacancy_id": int(p["vacancy_id"]),
                "second_vacancy_id": None
                if p["second_vacancy_id"] in (None, "")
                else int(p["second_vacancy_id"]),
                "score": float(p["score"]),
                "persons": int(p["persons"] or 0),
                "children_0_5": int(p["children_0_5"] or 0),
                "children_6_17": int(p["children_6_17"] or 0),
                "reason_code": None,
                "reason": None,
                "breakdown": _breakdown(index, p["household_id"], p["option_id"])
                if index is not None and i < MAX_EXPLAINED
                else None,
                "outcome_features": features[i] if features else None,
            }
        )
    unplaced = result.unplaced.join(sizes, on="household_id", how="left")
    for u in unplaced.iter_rows(named=True):
        rows.append(
            {
                "run_id": run_id,
                "household_id": int(u["household_id"]),
                "placed": False,
                "locality_id": None,
                "region_code": None,
                "home_id": None,
                "vacancy_id": None,
                "second_vacancy_id": None,
                "score": None,
                "persons": int(u["persons"] or 0),
                "children_0_5": int(u["children_0_5"] or 0),
                "children_6_17": int(u["children_6_17"] or 0),
                "reason_code": u["reason"],
                "reason": {"kk": u["text_kk"], "ru": u["text_ru"], "en": u["text_en"]},
                "breakdown": None,
                "outcome_features": None,
            }
        )
    return rows


def run_summary(result: AllocationResult) -> dict[str, Any]:
    """The stored summary: allocation_report's summary plus the fill a comparison needs."""
    out = summary(result)
    out["fill"] = fill_by(result)
    out["gap"] = None if math.isnan(out["gap"]) else out["gap"]
    removed = result.instance.removed
    out["removed_reasons"] = (
        {str(r): int(n) for r, n in removed.group_by("reason").len().iter_rows()}
        if removed.height and "reason" in removed.columns
        else {}
    )  # options taken away before solving: refusals, bans, locks elsewhere
    out["category_groups"] = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in result.groups.iter_rows(named=True)
    ]
    return out


def _scenario_job(ctx: JobContext, request: dict[str, Any], reference: ReferenceData) -> None:
    """A run over a scenario folder: solve it, store summary and snapshot, no placements
    (the folder's households are not live rows, so there is nothing to commit)."""
    from pathlib import Path

    from api.allocation.scenario import ScenarioError, load_scenario_dir

    ctx.progress("load", 0.02, "reading the scenario folder", force=True)
    try:
        instance, movers = load_scenario_dir(
            Path(request["scenario_dir"]),
            reference=reference,
            options_per_household=int(request.get("options_per_household") or 10),
        )
    except ScenarioError as exc:
        raise JobFailed(
            SCENARIO_FAILED.format(n=len(exc.problems)),
            errors=[{"loc": ["scenario_dir"], "msg": p, "type": "scenario"} for p in exc.problems],
        ) from None
    ctx.progress("build", 0.1, f"{instance.n_households} households", force=True)

    def on_progress(phase: str, fraction: float, message: str) -> None:
        ctx.progress(phase, 0.1 + 0.8 * fraction, message)

    config = AllocationConfig(
        time_limit=float(request.get("time_limit") or 30.0),
        deterministic=bool(request.get("deterministic", True)),
        seed=int(request.get("seed") or 0),
        earlier_movers=movers,
    )
    result = allocate(instance, config, progress=on_progress)
    ctx.progress("store", 0.92, "storing the summary and the snapshot", force=True)
    summ = run_summary(result)
    summ["scenario"] = True
    with ctx.sessions() as session:
        session.execute(
            update(AllocationRunRecord)
            .where(AllocationRunRecord.id == ctx.params["run_id"])
            .values(summary=summ, snapshot=snapshot_bytes(instance, request))
        )
        session.commit()


def run_allocation_job(ctx: JobContext) -> dict[str, Any]:
    """Job handler ``allocation``: build the batch, solve it, store placements and snapshot."""
    run_id = str(ctx.params["run_id"])
    reference: ReferenceData = ctx.services["reference"]
    support: SupportParameters | None = ctx.services.get("support_parameters")
    space: OccupationSpace | None = ctx.services.get("occupation_space")
    ctx.progress("load", 0.01, "reading households and the catalogue", force=True)
    with ctx.sessions() as session:
        run = session.get(AllocationRunRecord, run_id)
        if run is None:
            raise JobFailed(RUN_GONE, status=404)
        request = dict(run.scenario or {})
        request.setdefault("year", run.year)
    if request.get("scenario_dir"):
        _scenario_job(ctx, request, reference)
        return {"run_id": run_id, "finished": dt.datetime.now(dt.UTC).isoformat()}
    with ctx.sessions() as session:
        try:
            batch = build_batch(
                session, reference, request, support=support, space=space,
                retention_weights=ctx.services.get("retention_weights"),
            )  # fmt: skip
        except EmptyBatch:
            raise JobFailed(NO_HOUSEHOLDS, status=422) from None
    if space is None:
        ctx.services["occupation_space"] = batch.index.space
    ctx.check_cancelled()  # a planner's cancel: stop before the solver starts
    ctx.progress(
        "build",
        0.1,
        f"{batch.instance.n_households} households, {batch.instance.n_options} options",
        force=True,
    )

    def on_progress(phase: str, fraction: float, message: str) -> None:
        ctx.progress(phase, 0.1 + 0.8 * fraction, message)

    result = allocate(batch.instance, config_of(request, batch.movers), progress=on_progress)
    ctx.check_cancelled()  # cancelled while solving: nothing is stored (the fence checks again)
    ctx.progress("store", 0.92, "storing placements and the snapshot", force=True)
    rows = placement_rows(run_id, result, batch.index)
    summ = run_summary(result)
    snap = snapshot_bytes(batch.instance, request)
    with ctx.sessions() as session:
        # A write first: on SQLite it takes the write lock before anything is read, so a
        # heartbeat committed meanwhile cannot leave this transaction on a stale snapshot.
        session.execute(delete(PlacementRecord).where(PlacementRecord.run_id == run_id))
        summ["outcome_groups"] = outcome_groups(session, rows)
        for start in range(0, len(rows), 2000):
            session.execute(insert(PlacementRecord), rows[start : start + 2000])
        session.execute(
            update(AllocationRunRecord)
            .where(AllocationRunRecord.id == run_id)
            .values(summary=summ, snapshot=snap)
        )
        pause_point("allocation.stored")
        # Placements and summary are committed together, and only while the job is still
        # this worker's: a run re-run after a crash replaces them whole (delete above).
        ctx.fence(session)
        session.commit()
    return {
        "run_id": run_id,
        "status": summ["status"],
        "objective": summ["objective"],
        "households_placed": summ["households_placed"],
        "finished": dt.datetime.now(dt.UTC).isoformat(),
    }
