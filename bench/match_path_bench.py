"""The load mix's heavy requests in process, without HTTP: where a request's time goes.

    python bench/match_path_bench.py [--n 200] [--database qonys_load] [--profile out.prof]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--lang ru]

Builds the match service over the programme database that ``bench/load_bench.py`` keeps
(``qonys_load``: 50,000 households, 100,000 vacancies), then times ``--n`` households drawn
uniformly through the same functions the routes call: ranked matches (top 20, 20 explained),
best localities (top 10, 10 explained) and the household read, each followed by the JSON
serialization of its response model. Prints milliseconds per call (wall and CPU), the
database round trips per call, and a breakdown of the ranked-matches path. ``--profile``
writes a cProfile of the timed calls (``python -m pstats``, or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.auth.service import Principal  # noqa: E402
from api.core.db import make_engine, make_sessionmaker  # noqa: E402
from api.households.schemas import HouseholdOut  # noqa: E402
from api.households.service import household_out, load  # noqa: E402
from api.matches import answers  # noqa: E402
from api.matches.schemas import MatchesOut  # noqa: E402
from api.matches.service import ACTIVE_HOUSEHOLD_STATUSES, MatchService  # noqa: E402
from api.models import HouseholdRecord  # noqa: E402
from bench.national import DEFAULT_POSTGRES  # noqa: E402
from matching.programme.geography import load_reference  # noqa: E402
from matching.programme.support import load_support_parameters  # noqa: E402

ADMIN = Principal(0, "bench", "admin", None, None)
# What FastAPI does with a route's return value: validate against the response model, then
# serialize to JSON bytes.
MATCHES = TypeAdapter(MatchesOut)
HOUSEHOLD = TypeAdapter(HouseholdOut)


def respond(adapter: TypeAdapter[Any], value: Any) -> bytes:
    return adapter.dump_json(adapter.validate_python(value, from_attributes=True))


class Statements:
    """Counts the SQL statements a session sends (each one is a round trip)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_: Any) -> None:
        self.count += 1


def timed(
    name: str,
    ids: list[int],
    call: Callable[[Session, int], bytes],
    factory: Any,
    statements: Statements,
) -> dict[str, float]:
    wall: list[float] = []
    cpu: list[float] = []
    trips = 0
    size = 0
    for hid in ids:
        with factory() as session:
            before = statements.count
            t, c = time.perf_counter(), time.process_time()
            body = call(session, hid)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - t)
            trips += statements.count - before
            size += len(body)
    row = {
        "wall_ms": 1000 * statistics.mean(wall),
        "p50_ms": 1000 * statistics.median(wall),
        "cpu_ms": 1000 * statistics.mean(cpu),
        "trips": trips / len(ids),
        "kB": size / len(ids) / 1000,
    }
    print(
        f"{name:<22} {row['wall_ms']:7.2f} {row['p50_ms']:7.2f} {row['cpu_ms']:7.2f} "
        f"{row['trips']:6.1f} {row['kB']:7.1f}"
    )
    return row


def breakdown(svc: MatchService, factory: Any, ids: list[int], lang: str) -> None:
    """The ranked-matches path in its steps (the same calls as ``answers._ranked_answer``)."""
    steps: dict[str, list[float]] = {}

    def add(step: str, t: float) -> float:
        now = time.perf_counter()
        steps.setdefault(step, []).append(now - t)
        return now

    for hid in ids:
        with factory() as session:
            t = time.perf_counter()
            record = answers._load_household(session, ADMIN, hid)
            t = add("household query", t)
            household = answers._domain_household(record)
            t = add("domain household", t)
            built = svc.built(session)
            ranked = built.index.ranked_matches(household, top=20, explain=20)
            t = add("rank + explain", t)
            options = answers._options_data(session, built, ranked, lang)  # type: ignore[arg-type]
            t = add("response rows", t)
            body = respond(MATCHES, {"household_id": hid, "options": options})
            add("validate + JSON", t)
            assert body
    for step, values in steps.items():
        print(f"  {step:<20} {1000 * statistics.mean(values):7.2f} ms")


def over_http(url: str, n: int, seed: int) -> None:
    """Every request of the load mix over HTTP to ``qonys serve --workers 1``, one at a time:
    the server's CPU per request (psutil), which adds routing, dependencies, auth,
    middleware and gzip (the load generator asks for it) to the work above."""
    import httpx
    import psutil

    from bench.load.mix import MIX, next_request
    from bench.load_bench import build_plan
    from bench.national import serve_process

    rng = random.Random(seed)
    with serve_process(url, 1) as (base, server):
        worker = psutil.Process(server.pid)
        plan = build_plan(url, base)
        by_name: dict[str, list[Any]] = {name: [] for name, _ in MIX}
        while min(len(v) for v in by_name.values()) < n:
            r = next_request(rng, plan)
            by_name[r.name].append(r)
        with httpx.Client(base_url=base, timeout=120, headers={"Accept-Encoding": "gzip"}) as client:

            def send(r: Any) -> None:
                headers = {"Authorization": f"Bearer {r.token}"}
                client.request(r.method, r.path, headers=headers, json=r.body).raise_for_status()

            for r in by_name[MIX[0][0]][:20] + by_name[MIX[1][0]][:20]:
                send(r)  # warm-up: the index, the taxonomy
            print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print(f"{'over HTTP, 1 worker':<34} {'mean ms':>7} {'server CPU ms':>13}")
            for name, _ in MIX:
                sample = by_name[name][:n]
                cpu0 = sum(worker.cpu_times()[:2])
                t = time.perf_counter()
                for r in sample:
                    send(r)
                wall = (time.perf_counter() - t) / len(sample)
                cpu = (sum(worker.cpu_times()[:2]) - cpu0) / len(sample)
                print(f"{name:<34} {1000 * wall:7.2f} {1000 * cpu:13.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--postgres", default=DEFAULT_POSTGRES)
    ap.add_argument("--database", default="qonys_load")
    ap.add_argument("--n", type=int, default=200, help="Households per endpoint.")
    ap.add_argument("--lang", default="ru", choices=("kk", "ru", "en"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", type=Path, default=None, help="Write a cProfile here.")
    ap.add_argument("--http", action="store_true", help="Also over HTTP (qonys serve, 1 worker).")
    args = ap.parse_args()

    url = make_url(args.postgres).set(database=args.database).render_as_string(False)
    if args.http:
        over_http(url, args.n, args.seed)
    engine = make_engine(url, pool_size=2)
    statements = Statements(engine)
    factory = make_sessionmaker(engine)
    reference = load_reference()
    svc = MatchService(reference, load_support_parameters())
    with factory() as session:
        households = list(
            session.scalars(
                select(HouseholdRecord.id).where(
                    HouseholdRecord.status.in_(ACTIVE_HOUSEHOLD_STATUSES)
                )
            )
        )
        t = time.perf_counter()
        svc.index(session)
        print(f"index built: {time.perf_counter() - t:.1f} s")
    rng = random.Random(args.seed)
    lang: Any = args.lang

    def matches(session: Session, hid: int) -> bytes:
        found = answers.matches_answer(svc, session, ADMIN, hid, lang, top=20, explain=20)
        return respond(MATCHES, answers.answer_body(found, hid))

    def localities(session: Session, hid: int) -> bytes:
        found = answers.locality_answer(svc, session, ADMIN, hid, lang, top=10, explain=10)
        return respond(MATCHES, answers.answer_body(found, hid))

    def household(session: Session, hid: int) -> bytes:
        return respond(HOUSEHOLD, household_out(load(session, hid)))

    # Warm-up: the first calls fill the caches of the index (home tables, messages).
    for hid in rng.sample(households, 30):
        with factory() as session:
            matches(session, hid)
            localities(session, hid)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'call':<22} {'mean ms':>7} {'p50 ms':>7} {'CPU ms':>7} {'trips':>6} {'kB':>7}")
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    for name, call in (
        ("ranked matches", matches),
        ("best localities", localities),
        ("household read", household),
    ):
        timed(name, rng.sample(households, args.n), call, factory, statements)
    if profile:
        profile.disable()
        profile.dump_stats(str(args.profile))
    print("ranked matches, step by step:")
    breakdown(svc, factory, rng.sample(households, args.n), args.lang)
    engine.dispose()


if __name__ == "__main__":
    main()
