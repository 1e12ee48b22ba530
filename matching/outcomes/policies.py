"""The placement policies the back-test compares, all on the allocator that exists.

- ``status_quo``: the corridor practice (:func:`~matching.allocation.baselines.status_quo_baseline`);
- ``greedy``: first come, best option left (:func:`~matching.allocation.baselines.greedy_baseline`);
- ``optimizer``: :func:`~matching.allocation.allocate` with a time limit;
- ``optimizer_floors``: the same with fairness floors: each protected group
  (:data:`~matching.outcomes.cohort.FLOOR_GROUPS`) placed at least at :data:`FLOOR_SHARE` of
  the rate the status quo placed it at. The status quo itself meets them and is handed to
  the allocator as its start plan, so the run always has a plan and it is never below the
  status quo's objective;
- ``optimizer_retention``: the optimizer on options scored with the retention component of a
  fitted model (only when a model is given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from matching.allocation import AllocationConfig, FairnessRule, allocate
from matching.allocation.baselines import greedy_baseline, status_quo_baseline
from matching.allocation.model import problem_from_instance
from matching.outcomes.cohort import FLOOR_GROUPS, Cohort, with_retention
from matching.scoring.weights import RetentionPredictor

FLOOR_SHARE = 0.9
NO_PLAN = ("unknown", "infeasible")  # statuses of a run that returned no placement
POLICIES: tuple[str, ...] = (
    "status_quo", "greedy", "optimizer", "optimizer_floors", "optimizer_retention",
)  # fmt: skip


@dataclass(frozen=True)
class PolicySettings:
    """Solver settings of the optimizer policies."""

    time_limit: float = 15.0
    retention_weight: float = 0.3


@dataclass(frozen=True)
class PolicyRun:
    """One policy's placement of a cohort: the chosen options and how the solve went."""

    policy: str
    placed: pl.DataFrame
    status: str
    wall_time: float


def _placed(cohort: Cohort, x: np.ndarray) -> pl.DataFrame:
    return cohort.options.filter(pl.Series(x.astype(bool)))


def floors_of(cohort: Cohort, x_status_quo: np.ndarray) -> tuple[FairnessRule, ...]:
    """Placement-rate floors: each protected group at :data:`FLOOR_SHARE` of its status-quo
    rate (rounded down to 0.1 %)."""
    placed = set(_placed(cohort, x_status_quo)["household_id"].to_list())
    rules = []
    for g in FLOOR_GROUPS:
        ids = cohort.households.filter(pl.col("group") == g)["household_id"].to_list()
        if not ids:
            continue
        rate = sum(h in placed for h in ids) / len(ids)
        rules.append(FairnessRule(g, "placement_rate", math.floor(FLOOR_SHARE * rate * 1000) / 1000))
    return tuple(rules)


def optimizer_config(
    cohort: Cohort,
    settings: PolicySettings,
    fairness: tuple[FairnessRule, ...] = (),
    start: np.ndarray | None = None,
) -> AllocationConfig:
    """The allocator's settings of the optimizer policies (one worker, deterministic, the
    cohort's seed), so a benchmark runs exactly what the back-test runs."""
    return AllocationConfig(
        time_limit=settings.time_limit, workers=1, deterministic=True, seed=cohort.seed,
        fairness=fairness, baselines=False, measure_fairness_cost=False, start=start,
    )  # fmt: skip


def _optimize(
    cohort: Cohort,
    settings: PolicySettings,
    fairness: tuple[FairnessRule, ...] = (),
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, str, float]:
    res = allocate(cohort.instance, optimizer_config(cohort, settings, fairness, start))
    return res.x, res.status, res.wall_time


def run_policies(
    cohort: Cohort,
    settings: PolicySettings,
    *,
    retention: RetentionPredictor | None = None,
    baselines_only: bool = False,
) -> dict[str, PolicyRun]:
    """Place ``cohort`` under every policy (``optimizer_retention`` only with a model; only
    the two baselines with ``baselines_only``, as for simulated history)."""
    inst = cohort.instance
    problem = problem_from_instance(inst, ())
    x_sq = status_quo_baseline(inst, problem, cohort.network)
    runs = {
        "status_quo": PolicyRun("status_quo", _placed(cohort, x_sq), "heuristic", 0.0),
        "greedy": PolicyRun(
            "greedy", _placed(cohort, greedy_baseline(inst, problem)), "heuristic", 0.0
        ),
    }
    if baselines_only:
        return runs
    x, status, wall = _optimize(cohort, settings)
    runs["optimizer"] = PolicyRun("optimizer", _placed(cohort, x), status, wall)
    x, status, wall = _optimize(cohort, settings, floors_of(cohort, x_sq), start=x_sq)
    runs["optimizer_floors"] = PolicyRun("optimizer_floors", _placed(cohort, x), status, wall)
    if retention is not None:
        config = with_retention(cohort.index.config, retention, settings.retention_weight)
        rescored = cohort.rescored(config)
        x, status, wall = _optimize(rescored, settings)
        runs["optimizer_retention"] = PolicyRun(
            "optimizer_retention", _placed(rescored, x), status, wall
        )
    return runs
