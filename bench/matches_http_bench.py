"""Ranked matches over HTTP at national scale, on PostgreSQL.

Loads a generated programme (default 50,000 households, 100,000 open vacancies) into a fresh
PostgreSQL database, starts the API with uvicorn, and measures ``GET
/households/{id}/matches?top=20`` over real HTTP: latency p50/p95/p99 one request at a time,
and requests per second with several clients. Then times the naive alternative — scoring the
household against every vacancy one pair at a time in Python with the same formulas — and
prints the ratio.

    python bench/matches_http_bench.py [--households 50000] [--vacancies 100000]
        [--requests 400] [--clients 4] [--workers 1] [--explain 20]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.core.db import make_engine, make_sessionmaker  # noqa: E402
from api.demo.service import DEMO_TOKENS  # noqa: E402
from api.models import HouseholdRecord  # noqa: E402
from bench.national import DEFAULT_POSTGRES, pct, programme_database, served  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--vacancies", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--explain", type=int, default=20)
    ap.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = ap.parse_args()
    # Latency on 2 shared cores depends on what else runs: the load goes with the figures.
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    with programme_database(args.postgres, args.households, args.vacancies) as url:
        engine = make_engine(url, pool_size=1)
        with make_sessionmaker(engine)() as session:
            ids = list(session.scalars(select(HouseholdRecord.id)))
        engine.dispose()
        with served(url, args.workers) as base:
            measure(args, base, ids)


def measure(args: argparse.Namespace, base: str, ids: list[int]) -> None:
    """Latency one at a time, throughput with several clients, then the naive scorer."""
    headers = {"Authorization": f"Bearer {DEMO_TOKENS['admin']}"}
    client = httpx.Client(base_url=base, headers=headers, timeout=120)
    rng = np.random.default_rng(1)
    t = time.perf_counter()
    # The first query builds the catalogue index (each worker builds its own).
    for hid in rng.choice(ids, size=args.workers * 3):
        client.get(f"/households/{hid}/matches?top=20&explain={args.explain}")
    print(
        f"first queries (index build of {args.vacancies:,} vacancies per worker): {time.perf_counter() - t:.1f} s"
    )

    sample = [int(x) for x in rng.choice(ids, size=args.requests, replace=True)]
    lat: list[float] = []
    found = 0
    for hid in sample:
        t = time.perf_counter()
        r = client.get(f"/households/{hid}/matches?top=20&explain={args.explain}")
        lat.append((time.perf_counter() - t) * 1000)
        assert r.status_code in (200, 422), r.text
        found += len(r.json().get("options", [])) if r.status_code == 200 else 0
    print(
        f"GET /households/{{id}}/matches?top=20&explain={args.explain}, one client, {len(lat)} requests: "
        f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms, "
        f"mean {statistics.fmean(lat):.1f} ms; {found / len(sample):.1f} options/household"
    )
    mean_ms = statistics.fmean(lat)

    local = threading.local()

    def one(hid: int) -> float:
        # One keep-alive connection per client thread, as a real client would hold.
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, headers=headers, timeout=120)
        t0 = time.perf_counter()
        local.client.get(f"/households/{hid}/matches?top=20&explain={args.explain}")
        return (time.perf_counter() - t0) * 1000

    t = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        conc = list(pool.map(one, sample))
    wall = time.perf_counter() - t
    print(
        f"{args.clients} clients, {len(sample)} requests: {len(sample) / wall:.1f} requests/s, "
        f"p50 {pct(conc, 50):.1f} ms, p95 {pct(conc, 95):.1f} ms"
    )

    # Naive: the same household against every vacancy, one pair at a time in Python.
    from matching.ranking import MatchIndex
    from matching.scoring.components import evaluate
    from matching.scoring.weights import default_config
    from matching.synthetic.programme import generate_programme

    programme = generate_programme(min(args.households, 2000), args.vacancies, seed=7)
    index = MatchIndex.from_programme(programme, config=default_config(year=2023))
    hf = index.households
    assert hf is not None
    cat = index.catalogue
    row = 0
    first_home = np.full(len(cat.l_region), -1, dtype=np.int64)
    fits = np.flatnonzero(cat.h_capacity >= hf.persons[row])
    first_home[cat.h_loc[fits[::-1]]] = fits[::-1]
    n_v = len(cat.v_occ)
    pairs = rng.choice(n_v, size=min(3000, n_v), replace=False)
    one_row, none = np.array([row]), np.array([-1])
    t = time.perf_counter()
    for v in pairs:
        loc = cat.v_loc[v]
        evaluate(
            hf,
            cat,
            index.space,
            index.config,
            one_row,
            np.array([loc]),
            np.array([first_home[loc]]),
            np.array([v]),
            none,
        )
    per_pair = (time.perf_counter() - t) / len(pairs)
    naive_ms = per_pair * n_v * 1000
    print(
        f"naive per-pair Python scorer: {per_pair * 1e6:.0f} µs/pair × {n_v:,} vacancies = {naive_ms / 1000:.1f} s per household"
    )
    print(f"ratio naive / HTTP endpoint (mean): {naive_ms / mean_ms:,.0f}×")
    print(f"target p95 ≤ 50 ms: {'met' if pct(lat, 95) <= 50 else 'NOT met'}")
    print(
        f"bench process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
