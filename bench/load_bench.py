"""Load benchmark: a realistic mix of requests against ``qonys serve`` on PostgreSQL.

    python bench/load_bench.py [--workers 2] [--users 8] [--duration 120] [--record]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--database qonys_load]

1. Prepares the database ``--database`` on the ``--postgres`` server: created, migrated and
   loaded with the generated national programme (50,000 households, 100,000 vacancies) the
   first time, then kept and only migrated on later runs (about a minute saved each time).
   A centre token per region is issued, and one finished allocation run is stored.
2. Starts ``qonys serve --workers N`` on a free port of 127.0.0.1 (production settings) and
   warms every worker up (each builds its own match index).
3. Runs locust headless for ``--duration`` seconds with ``--users`` users sending the mix of
   ``bench/load/mix.py`` back to back: 70 % ranked matches and best localities, 20 % household
   reads, searches and corrections by the centre of the household's region, 5 % normalization,
   5 % polling of the allocation run by a planner.
4. Prints requests, requests/s, p50/p95/p99 and errors per endpoint and in total, with the
   load average; ``--record`` writes them into docs/benchmarks/load.md as the latest run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.auth.service import hash_token, issue_token  # noqa: E402
from api.core.db import make_engine, make_sessionmaker, session_scope  # noqa: E402
from api.core.migrate import upgrade  # noqa: E402
from api.demo.service import DEMO_TOKENS, PREFIX, load_demo  # noqa: E402
from api.matches.service import ACTIVE_HOUSEHOLD_STATUSES  # noqa: E402
from api.models import ApiTokenRecord, HouseholdRecord, VacancyRecord  # noqa: E402
from api.reference.service import seed_reference  # noqa: E402
from bench.load.mix import MIX, Plan  # noqa: E402
from bench.national import DEFAULT_POSTGRES, serve_process  # noqa: E402
from matching.programme.geography import load_reference  # noqa: E402
from taxonomy import load_taxonomy  # noqa: E402

DOC = ROOT / "docs" / "benchmarks" / "load.md"
BEGIN, END = "<!-- load-bench:latest -->", "<!-- /load-bench:latest -->"
RUN_NAME = "load-bench"


def centre_token(region_code: str) -> str:
    return f"load-centre-{region_code}-token"


def prepare_database(postgres: str, name: str, households: int, vacancies: int) -> str:
    """The programme database, created and loaded once, then reused (migrated every time)."""
    admin_url = make_url(postgres)
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    fresh = not exists or not _holds_programme(url, households, vacancies)
    if fresh:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    upgrade(url)
    engine = make_engine(url, pool_size=2)
    factory = make_sessionmaker(engine)
    try:
        if fresh:
            t = time.perf_counter()
            with session_scope(factory) as session:
                seed_reference(session, ROOT / "data")
            with session_scope(factory) as session:
                report = load_demo(
                    session,
                    load_reference(),
                    load_taxonomy(),
                    households=households,
                    vacancies=vacancies,
                    seed=7,
                )
            print(
                f"loaded {report.households:,} households, {report.vacancies:,} vacancies, "
                f"{report.homes:,} homes into {name}: {time.perf_counter() - t:.1f} s"
            )
        else:
            print(f"reusing database {name} ({households:,} households already loaded)")
        with session_scope(factory) as session:
            regions = session.scalars(select(HouseholdRecord.origin_region_code).distinct())
            for code in sorted(set(regions)):
                secret = centre_token(code)
                known = session.scalar(
                    select(ApiTokenRecord.id).where(ApiTokenRecord.token_hash == hash_token(secret))
                )
                if known is None:
                    issue_token(
                        session, name=f"centre {code} (load)", role="centre",
                        region_code=code, token=secret,
                    )  # fmt: skip
    finally:
        engine.dispose()
    return url


def _holds_programme(url: str, households: int, vacancies: int) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            n_h = conn.scalar(
                select(func.count())
                .select_from(HouseholdRecord)
                .where(HouseholdRecord.external_id.like(f"{PREFIX}%"))
            )
            n_v = conn.scalar(select(func.count()).select_from(VacancyRecord))
        return n_h == households and n_v == vacancies
    except Exception:  # no tables yet, or a half-loaded database: load it again
        return False
    finally:
        engine.dispose()


@contextmanager
def served(
    url: str, workers: int, polars_threads: int | None = None
) -> Iterator[tuple[str, psutil.Process]]:
    """``qonys serve --workers N`` on a free port with production settings: its base URL and
    its process (the workers are its children)."""
    extra = {"POLARS_MAX_THREADS": str(polars_threads)} if polars_threads else None
    with serve_process(url, workers, extra, attempts=600) as (base, server):
        yield base, psutil.Process(server.pid)


def cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU of a process and all its children (the server and its workers)."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def cpu_by_process(process: psutil.Process) -> dict[int, float]:
    """User + system CPU of the server and of each of its workers, by process id."""
    out = {}
    for p in [process, *process.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        out[p.pid] = t.user + t.system
    return out


def postgres_cpu_seconds() -> float:
    """User + system CPU of this machine's PostgreSQL processes (0 when none is visible:
    a server elsewhere, or processes of another user)."""
    total = 0.0
    for p in psutil.process_iter(["name"]):
        try:
            if (p.info["name"] or "").startswith("postgres"):
                t = p.cpu_times()
                total += t.user + t.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def rss_mb(process: psutil.Process) -> list[float]:
    """Resident memory of each worker (or of the server when it has no children), MB."""
    workers = process.children(recursive=True) or [process]
    return [p.memory_info().rss / 2**20 for p in workers]


def build_plan(url: str, base: str) -> Plan:
    engine = make_engine(url, pool_size=1)
    with make_sessionmaker(engine)() as session:
        households = [
            (int(i), str(r))
            for i, r in session.execute(
                select(HouseholdRecord.id, HouseholdRecord.origin_region_code)
                .where(HouseholdRecord.status.in_(ACTIVE_HOUSEHOLD_STATUSES))
                .order_by(HouseholdRecord.id)
            )
        ]
    engine.dispose()
    regions = {r for _, r in households}
    planner = DEMO_TOKENS["planner"]
    run_id = finished_run(base, planner, [h for h, _ in households[:300]])
    return Plan(households, {r: centre_token(r) for r in regions}, planner, run_id)


def finished_run(base: str, token: str, household_ids: list[int]) -> str:
    """The id of a succeeded run named ``load-bench`` (started and awaited if there is none)."""
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    for item in client.get("/allocation-runs", params={"limit": 100}).json()["items"]:
        if item["name"] == RUN_NAME and item["status"] == "succeeded":
            return str(item["id"])
    year = dt.date.today().year
    body = {"name": RUN_NAME, "year": year, "household_ids": household_ids, "time_limit": 10}
    r = client.post("/allocation-runs", json=body)
    r.raise_for_status()
    run_id = str(r.json()["id"])
    for _ in range(600):
        status = client.get(f"/allocation-runs/{run_id}").json()["status"]
        if status == "succeeded":
            return run_id
        if status == "failed":
            raise SystemExit(f"the allocation run {run_id} failed")
        time.sleep(1)
    raise SystemExit(f"the allocation run {run_id} did not finish in 10 minutes")


def warm_up(base: str, plan: Plan, workers: int) -> float:
    """Matches and normalize requests on several connections until every worker has built
    its index and taxonomy (a round where no request takes over a second); returns seconds."""
    t = time.perf_counter()
    ids = [h for h, _ in plan.households[:: max(1, len(plan.households) // 500)]]
    region = dict(plan.households)

    def one(i: int, slowest: list[float]) -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            for k in range(4):
                hid = ids[(i * 4 + k) % len(ids)]
                t0 = time.perf_counter()
                r = c.get(
                    f"/households/{hid}/matches?top=20&explain=20",
                    headers={"Authorization": f"Bearer {plan.centre_tokens[region[hid]]}"},
                )
                r.raise_for_status()
                slowest.append(time.perf_counter() - t0)
            # The normalizer is built in the background at start: wait for it too.
            t0 = time.perf_counter()
            c.post("/taxonomy/normalize", json={"texts": ["повар"]}).raise_for_status()
            slowest.append(time.perf_counter() - t0)

    for _ in range(30):
        slowest: list[float] = []
        threads = [
            threading.Thread(target=one, args=(i, slowest)) for i in range(max(4, 3 * workers))
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if max(slowest) < 1.0:
            break
    return time.perf_counter() - t


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int


def run_locust(
    base: str, plan_path: Path, args: argparse.Namespace, out: Path
) -> tuple[list[Row], float]:
    """Rows of the run and the CPU seconds locust itself used."""
    prefix = out / "locust"
    env = {**os.environ, "QONYS_LOAD_PLAN": str(plan_path), "QONYS_LOAD_SEED": str(args.seed)}
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless", "--host", base, "--users", str(args.users),
        "--spawn-rate", str(args.spawn_rate or args.users), "--run-time", f"{args.duration}s",
        "--reset-stats", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        "--stop-timeout", "10",
    ]  # fmt: skip
    # Exit code 1 means "some requests failed": the table says which.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return read_stats(prefix.with_name(prefix.name + "_stats.csv")), cpu


def read_stats(path: Path) -> list[Row]:
    """Per-endpoint rows of locust's ``*_stats.csv`` (the total is named ``Total``)."""
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = "total" if r["Name"] == "Aggregated" else r["Name"]
            rows.append(
                Row(
                    name=name,
                    requests=int(r["Request Count"]),
                    rps=float(r["Requests/s"]),
                    p50=float(r["50%"]),
                    p95=float(r["95%"]),
                    p99=float(r["99%"]),
                    errors=int(r["Failure Count"]),
                )
            )
    order = {name: i for i, (name, _) in enumerate(MIX)}
    return sorted(rows, key=lambda row: order.get(row.name, len(order)))


def table(rows: list[Row]) -> str:
    lines = [
        "| endpoint | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = f"**{r.name}**" if r.name == "total" else f"`{r.name}`"
        lines.append(
            f"| {name} | {r.requests:,} | {r.rps:.1f} | {r.p50:.0f} | {r.p95:.0f} | "
            f"{r.p99:.0f} | {r.errors} |"
        )
    return "\n".join(lines)


def verdict(total: Row, target_rps: float, target_p95: float) -> str:
    met = total.rps >= target_rps and total.p95 <= target_p95 and total.errors == 0
    return (
        f"target ≥ {target_rps:.0f} requests/s, p95 ≤ {target_p95:.0f} ms, 0 errors: "
        f"{'met' if met else 'NOT met'}"
    )


def record(section: str) -> None:
    """Replace the latest-run block of docs/benchmarks/load.md (the rest is kept)."""
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else f"{BEGIN}\n{END}\n"
    head, _, rest = current.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--postgres", default=DEFAULT_POSTGRES, help="A URL of the PostgreSQL server.")
    ap.add_argument("--database", default="qonys_load", help="Database kept between runs.")
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--vacancies", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes.")
    ap.add_argument("--users", type=int, default=8, help="locust users, no think time.")
    ap.add_argument("--duration", type=int, default=120, help="Seconds of measured load.")
    ap.add_argument(
        "--polars-threads", type=int, default=None, help="POLARS_MAX_THREADS of each worker."
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spawn-rate", type=float, default=None, help="Users started per second.")
    ap.add_argument("--target-rps", type=float, default=200.0)
    ap.add_argument("--target-p95", type=float, default=100.0)
    ap.add_argument("--record", action="store_true", help="Write docs/benchmarks/load.md.")
    args = ap.parse_args()

    t = time.perf_counter()
    url = prepare_database(args.postgres, args.database, args.households, args.vacancies)
    print(f"database ready: {time.perf_counter() - t:.1f} s")
    with (
        served(url, args.workers, args.polars_threads) as (base, server),
        tempfile.TemporaryDirectory() as tmp,
    ):
        plan = build_plan(url, base)
        plan_path = Path(tmp) / "plan.json"
        plan.save(plan_path)
        print(f"warm-up of {args.workers} worker(s): {warm_up(base, plan, args.workers):.1f} s")
        before = os.getloadavg()
        started = dt.datetime.now(dt.UTC)
        server_cpu, db_cpu = cpu_seconds(server), postgres_cpu_seconds()
        by_process = cpu_by_process(server)
        t0 = time.perf_counter()
        rows, locust_cpu = run_locust(base, plan_path, args, Path(tmp))
        window = time.perf_counter() - t0
        server_cpu = cpu_seconds(server) - server_cpu
        db_cpu = postgres_cpu_seconds() - db_cpu
        busy = [
            (v - by_process.get(pid, 0.0)) / window
            for pid, v in cpu_by_process(server).items()
        ]
        memory = rss_mb(server)
        after = os.getloadavg()

    total = next(r for r in rows if r.name == "total")

    def per(seconds: float) -> str:
        return f"{seconds / max(total.requests, 1) * 1000:.1f}"

    loads = "load average (1, 5, 15 min) before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}"
    command = "python bench/load_bench.py " + " ".join(
        f"--{k.replace('_', '-')} {v}"
        for k, v in (
            ("workers", args.workers),
            ("users", args.users),
            ("duration", args.duration),
            ("polars_threads", args.polars_threads),
        )
        if v is not None
    )
    section = "\n".join(
        [
            f"Run of {started:%Y-%m-%d %H:%M} UTC: `{command}`; {args.workers} uvicorn "
            f"worker(s), {args.users} locust users (FastHttpUser, no think time), "
            f"{args.duration} s measured after a warm-up; {os.cpu_count()} cores "
            f"({platform.processor() or platform.machine()}), PostgreSQL on the same machine; "
            f"{args.households:,} households, {args.vacancies:,} vacancies; "
            + loads.format(*before, *after)
            + ".",
            "",
            table(rows),
            "",
            # CPU per request does not depend much on what else runs: it says what two
            # quiet cores could serve. PostgreSQL's figure is the whole server's, so it
            # includes any other database's queries in the window.
            f"CPU per request: server {per(server_cpu)} ms (all workers), PostgreSQL "
            f"{per(db_cpu)} ms, locust {per(locust_cpu)} ms; two cores at that cost: ≈ "
            f"{2 / max((server_cpu + db_cpu + locust_cpu) / max(total.requests, 1), 1e-9):.0f} "
            "requests/s. "
            "Busy share of a core, per server process: "
            + ", ".join(f"{b:.0%}" for b in busy)
            + ". "
            f"Memory of the server's processes (supervisor or resource tracker, workers): {', '.join(f'{m:,.0f}' for m in memory)} MB.",
            "",
            verdict(total, args.target_rps, args.target_p95) + ".",
        ]
    )
    print()
    print(section)
    if args.record:
        record(section)
        print(f"\nrecorded in {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
