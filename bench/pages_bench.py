"""The applicant's suggestions page at national scale, on PostgreSQL.

Loads a generated programme (default 50,000 households, 100,000 open vacancies) into a fresh
PostgreSQL database, starts ``qonys serve`` (uvicorn, 1 worker), signs applicants in through
real access links (consent recorded beforehand), and times ``GET /app/me`` and the first
suggestion's detail page over loopback HTTP, one request at a time. The time is taken at the
client, so it is an upper bound of the server time. Target: < 300 ms.

    python bench/pages_bench.py [--households 50000] [--vacancies 100000] [--applicants 60]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.applicants.service import give_consent, issue_link  # noqa: E402
from api.core.db import make_engine, make_sessionmaker, session_scope  # noqa: E402
from api.models import HouseholdRecord  # noqa: E402
from bench.national import DEFAULT_POSTGRES, pct, programme_database, served  # noqa: E402


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name}: {len(values)} requests, p50 {pct(values, 50):.1f} ms, "
        f"p95 {pct(values, 95):.1f} ms, p99 {pct(values, 99):.1f} ms, "
        f"mean {statistics.fmean(values):.1f} ms, max {max(values):.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--vacancies", type=int, default=100_000)
    ap.add_argument("--applicants", type=int, default=60)
    ap.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = ap.parse_args()
    # Latency on 2 shared cores depends on what else runs: the load goes with the figures.
    print(f"cores {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}")

    with programme_database(args.postgres, args.households, args.vacancies) as url:
        engine = make_engine(url, pool_size=1)
        rng = np.random.default_rng(3)
        with session_scope(make_sessionmaker(engine)) as session:
            ids = list(session.scalars(select(HouseholdRecord.id)))
            chosen = [int(x) for x in rng.choice(ids, size=args.applicants, replace=False)]
            links = {}
            for hid in chosen:
                links[hid] = issue_link(session, hid, issued_by="bench").path
                give_consent(session, hid, "kk")
        engine.dispose()
        with served(url) as base:
            measure(base, chosen, links)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def measure(base: str, chosen: list[int], links: dict[int, str]) -> None:
    """``/app/me`` three times per applicant (the first of the process apart), then one
    suggestion's page."""
    me: list[float] = []
    detail: list[float] = []
    sizes: list[int] = []
    zipped: list[int] = []
    empty = 0
    first = True
    for hid in chosen:
        with httpx.Client(base_url=base, timeout=120) as client:
            assert client.get(links[hid]).status_code == 303  # to /app/me, cookie set
            for _ in range(3):
                t = time.perf_counter()
                page = client.get("/app/me?lang=kk")
                elapsed = (time.perf_counter() - t) * 1000
                assert page.status_code == 200, page.text[:300]
                if first:
                    # The first page of the process builds the catalogue index.
                    print(f"first /app/me (index build): {elapsed / 1000:.1f} s")
                    first = False
                    continue
                me.append(elapsed)
            sizes.append(len(page.content))
            zipped.append(len(gzip.compress(page.content)))
            places = re.findall(r'href="(/app/me/localities/[^"]+)"', page.text)
            if not places:
                empty += 1
                continue
            t = time.perf_counter()
            shown = client.get(places[0] + "?lang=kk")
            detail.append((time.perf_counter() - t) * 1000)
            assert shown.status_code == 200
    print(summary("GET /app/me (3-5 suggestions, kk)", me))
    print(summary("GET /app/me/localities/{id}", detail))
    print(
        f"page size /app/me: mean {statistics.fmean(sizes) / 1024:.1f} KB, "
        f"max {max(sizes) / 1024:.1f} KB (gzip mean {statistics.fmean(zipped) / 1024:.1f} KB); "
        f"{empty} of {len(chosen)} households had no suggestion"
    )


if __name__ == "__main__":
    main()
