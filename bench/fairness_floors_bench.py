"""Fairness floors on the back-test's cohorts: does every run return a plan that keeps its
floors, and what do the floors cost against the optimizer without them?

For each seed the cohort is built as ``qonys backtest`` builds it
(:func:`matching.outcomes.cohort.build_cohort`), the status-quo plan is placed, and the two
optimizer policies run with the back-test's settings
(:func:`matching.outcomes.policies.optimizer_config`: one worker, deterministic): without
floors, and with each protected group at 90 % of its status-quo rate, the status-quo plan as
start. Prints one Markdown row per seed and a summary; the figures go in
docs/benchmarks/allocation.md (section "Fairness floors on the back-test cohorts").

Usage: python bench/fairness_floors_bench.py [--seeds 20] [--households 5000] [--time-limit 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Any

import numpy as np


def run_seed(seed: int, households: int, time_limit: float, quotas: Any) -> dict[str, Any]:
    from matching.allocation import allocate
    from matching.allocation.baselines import status_quo_baseline
    from matching.allocation.model import problem_from_instance
    from matching.outcomes.cohort import CohortSettings, build_cohort
    from matching.outcomes.policies import PolicySettings, floors_of, optimizer_config
    from matching.programme.support import load_support_parameters

    t0 = time.perf_counter()
    cohort = build_cohort(
        seed, CohortSettings(households=households), published_quotas=quotas,
        support=load_support_parameters(),
    )  # fmt: skip
    build_s = time.perf_counter() - t0
    inst = cohort.instance
    x_sq = status_quo_baseline(inst, problem_from_instance(inst), cohort.network)
    rules = floors_of(cohort, x_sq)
    settings = PolicySettings(time_limit=time_limit)
    load_before = os.getloadavg()[0]
    free = allocate(inst, optimizer_config(cohort, settings))
    floors = allocate(inst, optimizer_config(cohort, settings, rules, start=x_sq))
    load_after = os.getloadavg()[0]
    p = problem_from_instance(inst, rules)
    # Floor slack: placed households of each group above its floor (negative = broken).
    slack = (p.fair @ floors.x.astype(np.int64)) - p.fair_lb
    return {
        "seed": seed,
        "options": inst.n_options,
        "build_s": build_s,
        "load": (load_before + load_after) / 2,
        "status_quo": p.objective(x_sq),
        "free_status": free.status,
        "free_objective": free.objective,
        "free_gap": free.gap,
        "free_s": free.wall_time,
        "status": floors.status,
        "method": floors.method,
        "objective": floors.objective,
        "bound": floors.best_bound,
        "gap": floors.gap,
        "wall_s": floors.wall_time,
        "floors_hold": bool((slack >= 0).all()) and not any(p.violations(floors.x).values()),
        "min_slack": int(slack.min()) if slack.size else 0,
        "floors_free_hold": bool(((p.fair @ free.x.astype(np.int64)) >= p.fair_lb).all()),
    }


HEADER = (
    "| seed | options | load avg | status | objective | vs no floors | gap | time (s) "
    "| floors hold (min slack) | no floors: status, gap, time (s) | vs status quo |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(r: dict[str, Any]) -> str:
    ratio = 100.0 * (r["objective"] / r["free_objective"] - 1.0) if r["free_objective"] else float("nan")
    vs_sq = 100.0 * (r["objective"] / r["status_quo"] - 1.0) if r["status_quo"] else float("nan")
    return (
        f"| {r['seed']} | {r['options']:,} | {r['load']:.1f} | {r['status']} | {r['objective']:,} "
        f"| {ratio:+.2f} % | {100 * r['gap']:.2f} % | {r['wall_s']:.1f} "
        f"| {'yes' if r['floors_hold'] else 'NO'} ({r['min_slack']}) "
        f"| {r['free_status']}, {100 * r['free_gap']:.2f} %, {r['free_s']:.1f} | {vs_sq:+.1f} % |"
    )


def summary(rows: list[dict[str, Any]]) -> str:
    ratio = np.array([r["objective"] / r["free_objective"] - 1.0 for r in rows if r["free_objective"]])
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    held = sum(r["floors_hold"] for r in rows)
    free_held = sum(r["floors_free_hold"] for r in rows)
    return (
        f"{len(rows)} seeds: status {statuses}; floors held on {held}/{len(rows)} "
        f"(the plan without floors would have met them on {free_held}); objective against no "
        f"floors: mean {100 * ratio.mean():+.2f} %, min {100 * ratio.min():+.2f} %, max "
        f"{100 * ratio.max():+.2f} %; gap with floors: mean "
        f"{100 * np.mean([r['gap'] for r in rows]):.2f} % (no floors "
        f"{100 * np.mean([r['free_gap'] for r in rows]):.2f} %); time with floors: mean "
        f"{np.mean([r['wall_s'] for r in rows]):.1f} s, max {max(r['wall_s'] for r in rows):.1f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1, help="the back-test's seeds start at 1")
    ap.add_argument("--households", type=int, default=5000)
    ap.add_argument("--time-limit", type=float, default=15.0)
    args = ap.parse_args()

    from api.backtest.service import published_quotas
    from api.core.settings import REPO_ROOT
    from matching.programme.geography import load_reference

    data = REPO_ROOT / "data"
    quotas = published_quotas(data, load_reference(data))
    print(
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"{args.households} households, time limit {args.time_limit:g} s, load average at the "
        f"start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    print(HEADER, flush=True)
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        r = run_seed(seed, args.households, args.time_limit, quotas)
        rows.append(r)
        print(row(r), flush=True)
    print()
    print(summary(rows))
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


if __name__ == "__main__":
    main()
