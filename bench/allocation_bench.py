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

- Machine load: the 1-minute load average is in the column "load avg" (1.6–3.4 on 2 cores,
  other jobs shared the machine). An earlier run of this benchmark under load 4–7 took
  28.8 s for the 5,000 slack batch that took 8.2 s here, so compare times only within a run.
- Targets on 2 cores. 5,000 households within 0.1 % in ≤ 30 s: met on the slack batch
  (0.024 % in 8.2 s), **not met on the contended one (0.296 % in 30.3 s)**. 20,000 households
  within 0.5 % in ≤ 120 s and ≤ 4 GB: met on both (0.005 % in 26.1 s; 0.058 % in 114.6 s;
  peak RSS 1.7 GB).
- Bound: the reported bound is the smaller of the LP dual bound and the destination bound
  (docs/allocation.md, *The bound*), which ran in the last 15 % of the time limit. It moved the
  contended bounds from the LP's 884,275 to 883,892 (1,000), 4,327,643 to 4,327,475 (5,000;
  the phase ran out of time with groups left, which keep their LP share; with 6.3 s it reaches
  4,326,812) and 17,658,813 (previous run's LP) to 17,647,300 (20,000).
- Where the 5,000 contended gap is: HiGHS on the whole model proves the optimum ≤ 4,325,604
  after 60 s, only 0.05 % under the LP bound, while our allocation is 0.25 % under that proof.
  At this size the allocation, not the bound, keeps the gap above 0.1 %: the fractional
  residual and neighbourhood passes leave 131 households unplaced, and more time does not fix
  it (separate runs of the same batch: 0.213 % in 60 s, 0.170 % in 120 s, allocation
  4,317,588 and 4,319,452 against the destination bound 4,326,811). At 1,000 households it is
  the other way round: the LP is 0.17 % above HiGHS's proof (882,800) and the destination
  bound closes a quarter of that; our allocation is 0.08 % below HiGHS's best after 60 s.
- The bound phase's time comes from the residual: one pair of 30 s runs on the 5,000
  contended batch gave 0.265 % without it and 0.281 % with it (allocation 4,316,184 vs
  4,314,652; bound 4,327,643 vs 4,326,811).
- Reduced-cost fixing removes no option on these batches (every LP reduced cost is above
  −1,000 while the absolute gaps are 2,700 to 14,000), so it was not kept.
- Margin over greedy (first come, best option left) on contended batches: +3.9 % (1,000),
  +4.8 % (5,000), +3.5 % (20,000); on slack batches +0.9 % to +1.25 %. The corridor status
  quo is about 25 % below greedy everywhere: following earlier movers ignores fit.
- The independent HiGHS MIP on the whole model: optimal at 1,000 (slack) in 7.5 s, where ours
  is 0.02 % below it in 2.3 s; at 5,000 (slack) 0.01 % above ours after 60 s; at 5,000
  (contended) a solution 1.6 % worse than ours after 60 s, with the better bound above.
- "feasible" means the objective has not reached the floor of the bound, however close.
- Blocking household–locality pairs (stability audit, an upper bound): 90 / 529 / 1,843 on
  the slack batches of 1,000 / 5,000 / 20,000 households, 207 / 1,727 / 6,275 on the
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
        "fit score × 1000; bound = the smaller of the LP dual bound (column generation, HiGHS) and the destination bound, or the CP-SAT bound.\n\n"
        + header + "\n".join(lines) + "\n" + NOTES
    )
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
