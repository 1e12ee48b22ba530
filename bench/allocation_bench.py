"""Allocation at scale: wall time, peak memory, gap, and objective against greedy, the
corridor status quo and an independent HiGHS MIP solve. Writes docs/benchmarks/allocation.md.

Usage: python bench/allocation_bench.py [--sizes 1000,5000,20000] [--mip-limit 60]
Each size runs in its own process so peak RSS is per size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

OPTIONS_PER_HOUSEHOLD = {1000: 30, 5000: 30, 20000: 40}
TIME_LIMIT = {1000: 30.0, 5000: 30.0, 20000: 120.0}


def run_one(n: int, mip_limit: float, contended: int) -> dict[str, object]:
    from matching.allocation import AllocationConfig, allocate, generate_programme
    from matching.allocation.mip import solve_mip
    from matching.allocation.model import problem_from_instance

    k = OPTIONS_PER_HOUSEHOLD.get(n, 30)
    t0 = time.perf_counter()
    prog = generate_programme(n, seed=2026, options_per_household=k, contended_regions=contended)
    inst = prog.instance()
    t_build = time.perf_counter() - t0
    res = allocate(
        inst,
        AllocationConfig(time_limit=TIME_LIMIT.get(n, 60.0), workers=2, earlier_movers=prog.earlier_movers),
    )
    out: dict[str, object] = {
        "households": n,
        "options": inst.n_options,
        "resources": inst.resources.height,
        "contended_regions": contended,
        "build_s": round(t_build, 1),
        "solve_s": round(res.wall_time, 1),
        "phases": {k2: round(v, 1) for k2, v in res.phases.items()},
        "status": res.status,
        "objective": res.objective,
        "bound": res.best_bound,
        "gap_pct": round(100 * res.gap, 3),
        "greedy": res.baselines.get("greedy"),
        "status_quo": res.baselines.get("status_quo"),
        "placed": res.placements.height,
        "blocking_pairs": res.stability.blocking_pairs if res.stability else None,
    }
    if mip_limit > 0:
        try:
            mip = solve_mip(problem_from_instance(inst), time_limit=mip_limit)
        except Exception as exc:  # the independent check must not hide our own figures
            out["mip_error"] = repr(exc)[:200]
            out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            return out
        out["mip_status"] = mip.status
        out["mip_objective"] = mip.objective
        out["mip_bound"] = None if mip.bound != mip.bound else round(mip.bound)
        out["mip_s"] = round(mip.wall_time, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["load_avg_1min"] = round(os.getloadavg()[0], 1)
    return out


NOTES = """
## Reading the figures

- Targets on 2 cores. 5,000 households within 0.1 % in ≤ 30 s: met on the slack batch
  (0.025 % in 28.8 s), not on the contended one (0.32 % in 29.8 s). 20,000 households within
  0.5 % in ≤ 120 s and ≤ 4 GB: met on both (0.005 % in 85.5 s; 0.14 % in 120.4 s; peak RSS
  1.6 GB).
- On contended batches the LP bound itself is loose: on the 1,000-household contended batch
  HiGHS branch-and-cut proves the optimum ≤ 882,809 while the LP says ≤ 884,275 (0.17 %
  apart), so a proven 0.1 % there needs a stronger bound than the LP (cuts or branching),
  not only a better allocation. Our allocation there is 0.09 % below HiGHS's best after 60 s.
- Margin over greedy (first come, best option left) on contended batches: +3.9 % (1,000),
  +4.75 % (5,000), +3.5 % (20,000); on slack batches +0.9 % to +1.25 %. The corridor status
  quo is about 25 % below greedy everywhere: following earlier movers ignores fit.
- The independent HiGHS MIP on the whole model: optimal at 1,000 (slack) in 31 s, where ours
  is 0.02 % below it in 6.7 s; no solution in 100 s at 5,000 (slack); at 5,000 (contended) a
  solution 27 % worse than ours with a useless bound after 60 s.
- Residual solver, measured on the 5,000 contended residual (510 households, 14,618 options,
  10 s each): HiGHS 0.26 % total gap, CP-SAT (2 workers, hinted) 0.89 %.
- "feasible" means the objective has not reached the floor of the bound, however close.
- The machine was shared with other jobs (1-minute load average 4–7 on 2 cores, column
  "load avg"); an earlier run of the same 5,000 slack batch on a quieter machine spent 4.1 s
  in the LP phase instead of 10.8 s, so the times are pessimistic.
- Blocking household–locality pairs (stability audit, an upper bound): 90 / 529 / 1,843 on
  the slack batches of 1,000 / 5,000 / 20,000 households, 217 / 1,768 / 6,203 on the
  contended ones. Maximising total weighted fit does not give a stable matching.
"""


def pct(a: object, b: object) -> str:
    if not isinstance(a, int) or not isinstance(b, int) or b == 0:
        return "—"
    return f"{100 * (a - b) / b:+.2f} %"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,5000,20000")
    ap.add_argument("--mip-limit", type=float, default=60.0)
    ap.add_argument("--contended", type=int, default=2)
    ap.add_argument("--one", type=int, default=0)
    ap.add_argument("--from-json", default="", help="render the table from saved JSON lines")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "allocation.md"))
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.mip_limit, args.contended)))
        return
    rows: list[dict[str, object]] = []
    if args.from_json:
        rows = [json.loads(line) for line in Path(args.from_json).read_text().splitlines() if line.startswith("{")]
    jobs = [] if args.from_json else [(n, c) for c in (0, args.contended) for n in (int(s) for s in args.sizes.split(","))]
    for n, contended in jobs:
        mip_limit = args.mip_limit if n <= 5000 else 0.0
        cmd = [sys.executable, __file__, "--one", str(n), "--mip-limit", str(mip_limit), "--contended", str(contended)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    header = (
        "| households | contended regions | load avg | options | status | objective | bound | gap | time (s) | phases (s) | peak RSS (MB) "
        "| vs greedy | vs status quo | HiGHS MIP (same instance) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        if r.get("mip_bound") is not None:
            mip = (
                f"{r['mip_status']} {r['mip_objective']:,} (bound {r['mip_bound']:,}) in {r['mip_s']} s; "
                f"ours {pct(r['objective'], r['mip_objective'])}"
            )
        elif "mip_status" in r:
            mip = f"no solution in {r['mip_s']} s"
        else:
            mip = r.get("mip_error", "not run (HiGHS MIP alone did not finish 20,000 × 40 in 13 min)")
        lines.append(
            f"| {r['households']:,} | {r['contended_regions']} | {r.get('load_avg_1min')} | {r['options']:,} | {r['status']} | {r['objective']:,} | {r['bound']:,} | "
            f"{r['gap_pct']} % | {r['solve_s']} | {r['phases']} | {r['peak_rss_mb']} | "
            f"{pct(r['objective'], r['greedy'])} | {pct(r['objective'], r['status_quo'])} | {mip} |"
        )
    text = (
        "# Allocation benchmark\n\n"
        f"Generated by `bench/allocation_bench.py` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d', time.gmtime())}. Synthetic batches (`generate_programme`, seed 2026, "
        "slack 1.3, and in the contended runs 0 or 2 of 6 regions further squeezed: quotas, homes, seats ×0.6), "
        "options per household 30 (40 at 20,000), CP-SAT 2 workers. Objective = Σ priority-weighted "
        "fit score × 1000; bound = LP relaxation (column generation, HiGHS) or CP-SAT bound.\n\n"
        + header + "\n".join(lines) + "\n" + NOTES
    )
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
