"""Ranked matching at national scale: indexed + vectorized queries against a naive scorer.

Usage::

    python bench/ranking_naive_vs_vectorized.py [--households 50000] [--vacancies 100000]
        [--queries 300] [--naive-pairs 3000] [--seed 0]

Workload: a synthetic programme (matching.synthetic.programme) with the given sizes, held in memory.

* vectorized — ``MatchIndex.matches_for_household(h, top=20)`` for random households:
  candidate vacancies through the occupation index, homes through the locality index, one
  numpy evaluation of all candidate options;
* naive — what a straightforward implementation does: for the same household, loop in
  Python over every vacancy and score (vacancy, a fitting home in its locality) one pair at
  a time with the same formulas. It is timed on ``--naive-pairs`` pairs and extrapolated to
  all vacancies (it would take minutes per household otherwise).

Prints generation and index-build times, per-query latency (mean, median, p95) for
households, localities and vacancies, and the naive/vectorized ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.ranking import MatchIndex  # noqa: E402
from matching.scoring.components import evaluate  # noqa: E402
from matching.scoring.weights import default_config  # noqa: E402
from matching.synthetic.programme import generate_programme  # noqa: E402


def _stats(ms: list[float]) -> str:
    a = np.array(ms)
    return f"mean {a.mean():7.2f} ms  median {np.median(a):7.2f} ms  p95 {np.percentile(a, 95):7.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--vacancies", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--naive-pairs", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t = time.perf_counter()
    programme = generate_programme(args.households, args.vacancies, seed=args.seed)
    print(f"generate {args.households:,} households + {args.vacancies:,} vacancies: "
          f"{time.perf_counter() - t:6.2f} s  (homes {programme.homes.height:,}, "
          f"localities {programme.localities.height})")  # fmt: skip

    t = time.perf_counter()
    index = MatchIndex.from_programme(programme, config=default_config(year=2023))
    print(f"build MatchIndex (incl. household arrays): {time.perf_counter() - t:6.2f} s")
    hf = index.households
    assert hf is not None
    print(f"occupation similarity: {index.space.similarity.__module__}."
          f"{getattr(index.space.similarity, '__name__', '?')}")  # fmt: skip

    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(hf), size=min(args.queries, len(hf)), replace=False)
    ids = [hf.ids[i] for i in picks]
    index.matches_for_household(ids[0])  # warm the per-size home ranking caches
    lat, found = [], 0
    for h in ids:
        t = time.perf_counter()
        found += index.matches_for_household(h, top=20).height
        lat.append((time.perf_counter() - t) * 1000)
    print(f"matches_for_household(top=20), {len(ids)} households: {_stats(lat)};"
          f" options returned {found / len(ids):.1f}/household")  # fmt: skip
    vec_ms = float(np.mean(lat))

    lat = []
    for h in ids[:100]:
        t = time.perf_counter()
        index.localities_for_household(h, top=10)
        lat.append((time.perf_counter() - t) * 1000)
    print(f"localities_for_household(top=10), {len(lat)} households: {_stats(lat)}")

    batch_ids = [hf.ids[i] for i in rng.choice(len(hf), size=min(2000, len(hf)), replace=False)]
    t = time.perf_counter()
    feed = index.options_for_households(batch_ids, top_per_household=20)
    per_hh = (time.perf_counter() - t) / len(batch_ids) * 1000
    print(f"options_for_households(top=20), {len(batch_ids)} households in batches: "
          f"{per_hh:6.2f} ms/household, {feed.height:,} options "
          f"(all {len(hf):,}: ≈ {per_hh * len(hf) / 1000:5.0f} s)")  # fmt: skip

    qualified = programme.vacancies.filter(programme.vacancies["qualified"])["vacancy_id"]
    lat = []
    for v in qualified.sample(min(100, qualified.len()), seed=args.seed).to_list():
        t = time.perf_counter()
        index.candidates_for_vacancy(v, top=20)
        lat.append((time.perf_counter() - t) * 1000)
    print(f"candidates_for_vacancy(top=20), {len(lat)} vacancies: {_stats(lat)}")

    # ---- naive: per-pair Python loop over every vacancy, same formulas
    cat = index.catalogue
    row = hf.row_of[ids[0]]
    n_v = len(cat.v_occ)
    first_home = np.full(len(cat.l_region), -1, dtype=np.int64)
    fits = np.flatnonzero(cat.h_capacity >= hf.persons[row])
    first_home[cat.h_loc[fits[::-1]]] = fits[::-1]
    sample = rng.choice(n_v, size=min(args.naive_pairs, n_v), replace=False)
    one = np.array([row], dtype=np.int64)
    none = np.array([-1], dtype=np.int64)
    t = time.perf_counter()
    best = 0.0
    for v in sample:
        loc = cat.v_loc[v]
        ev = evaluate(
            hf, cat, index.space, index.config, one, np.array([loc]), np.array([first_home[loc]]),
            np.array([v]), none,
        )  # fmt: skip
        best = max(best, float(ev.total[0]))
    per_pair = (time.perf_counter() - t) / len(sample)
    naive_ms = per_pair * n_v * 1000
    print(f"naive per-pair scorer: {per_pair * 1e6:7.1f} µs/pair × {n_v:,} vacancies"
          f" = {naive_ms / 1000:7.2f} s per household (extrapolated)")  # fmt: skip
    print(f"ratio naive / vectorized: {naive_ms / vec_ms:,.0f}×")
    print(f"target < 20 ms per household query: {'met' if vec_ms < 20 else 'NOT met'}"
          f" ({vec_ms:.2f} ms mean)")  # fmt: skip


if __name__ == "__main__":
    main()
