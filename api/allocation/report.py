"""Turn an allocation result into the JSON a planner reads (CLI ``--json`` and the API)."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from matching.allocation import AllocationResult
from matching.allocation.capacity_kinds import kinds


def _pct(a: float, b: float) -> float | None:
    return None if b == 0 else round(100.0 * (a - b) / abs(b), 3)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def summary(result: AllocationResult) -> dict[str, Any]:
    """Status, objective, bound, gap, time, counts, baselines and audits of a run."""
    inst = result.instance
    n_households = inst.n_households
    placed = result.placements.height
    persons = (
        result.placements.join(
            inst.households.select("household_id", "persons"), on="household_id"
        )["persons"].sum()
        if placed and "persons" in inst.households.columns
        else None
    )
    baselines = dict(result.baselines)
    out: dict[str, Any] = {
        "status": result.status,
        "method": result.method,
        "objective": int(result.objective),
        "best_bound": int(result.best_bound),
        "gap": float(result.gap),
        "wall_seconds": round(float(result.wall_time), 3),
        "households": n_households,
        "households_placed": placed,
        "households_unplaced": n_households - placed,
        "persons_placed": None if persons is None else int(persons),
        "options": inst.n_options,
        "greedy_objective": baselines.get("greedy"),
        "status_quo_objective": baselines.get("status_quo"),
        "vs_greedy_pct": _pct(result.objective, baselines["greedy"])
        if "greedy" in baselines
        else None,
        "vs_status_quo_pct": _pct(result.objective, baselines["status_quo"])
        if "status_quo" in baselines
        else None,
        "fairness_cost": result.fairness_cost,
        "phases": {k: round(float(v), 3) for k, v in result.phases.items()},
        "stability": None,
        "conflict": None,
        "unplaced_reasons": {},
        # No feasible option at all (with the first blocking rule) / lost to others per row /
        # refused: computed by the library (matching.allocation.explain.unplaced_summary).
        "unplaced_split": result.unplaced_split,
    }
    if result.stability is not None:
        out["stability"] = {
            "blocking_pairs": result.stability.blocking_pairs,
            "households_with_blocking_pair": result.stability.households_with_blocking_pair,
        }
    if result.conflict is not None:
        out["conflict"] = {
            "minimal": result.conflict.minimal,
            "members": [
                {"kind": m.kind, "key": m.key, "text": m.text.as_dict()}
                for m in result.conflict.members
            ],
            "sets": [
                [{"kind": m.kind, "key": m.key, "cause": m.cause, "text": m.text.as_dict()} for m in members]
                for members in result.conflict.sets
            ],
        }
    if result.unplaced.height:
        counts = result.unplaced.group_by("reason").len().sort("len", descending=True)
        out["unplaced_reasons"] = {str(r): int(n) for r, n in counts.iter_rows()}
    return out


def fill_by(result: AllocationResult, scope: str | None = None) -> list[dict[str, Any]]:
    """Fill (used against capacity) of the summary kinds' rows, of one scope or of all."""
    codes = [k.code for k in kinds() if k.in_summary and scope in (None, k.scope)]
    frame = result.fill.filter(pl.col("kind").is_in(codes)).select(
        "kind", "key", "region_code", "capacity", "used", "fill"
    )
    return _rows(frame)


def placements(result: AllocationResult) -> list[dict[str, Any]]:
    return _rows(result.placements.drop("weight", strict=False))


def unplaced(result: AllocationResult) -> list[dict[str, Any]]:
    return _rows(result.unplaced)


def report(result: AllocationResult) -> dict[str, Any]:
    """Everything: summary, fill per region and per locality, groups, placements, unplaced."""
    return {
        "summary": summary(result),
        "fill_regions": fill_by(result, "region"),
        "fill_localities": fill_by(result, "locality"),
        "groups": _rows(result.groups),
        "placements": placements(result),
        "unplaced": unplaced(result),
    }
