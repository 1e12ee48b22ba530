"""Shared by the HTTP benchmarks: a generated national programme in a throw-away PostgreSQL
database, and ``qonys serve`` over it in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.core.db import make_engine, make_sessionmaker, session_scope  # noqa: E402
from api.core.migrate import upgrade  # noqa: E402
from api.demo.service import load_demo  # noqa: E402
from api.reference.service import seed_reference  # noqa: E402
from matching.programme.geography import load_reference  # noqa: E402
from taxonomy import load_taxonomy  # noqa: E402

DEFAULT_POSTGRES = os.environ.get(
    "QONYS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def programme_database(
    postgres: str, households: int, vacancies: int, seed: int = 7
) -> Iterator[str]:
    """A fresh database on ``postgres`` with the reference data and a generated programme
    (``load_demo``, so the demo tokens too); dropped afterwards."""
    admin_url = make_url(postgres)
    name = f"qonys_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        factory = make_sessionmaker(engine)
        with session_scope(factory) as session:
            seed_reference(session, ROOT / "data")
        t = time.perf_counter()
        with session_scope(factory) as session:
            report = load_demo(
                session,
                load_reference(),
                load_taxonomy(),
                households=households,
                vacancies=vacancies,
                seed=seed,
            )
        engine.dispose()
        print(
            f"load {report.households:,} households, {report.vacancies:,} vacancies, "
            f"{report.homes:,} homes into PostgreSQL: {time.perf_counter() - t:.1f} s"
        )
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serve_process(
    url: str,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    attempts: int = 300,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``qonys serve`` on a free port with production settings, once it answers /healthz:
    its base URL and its process (the workers are the process's children)."""
    port = free_port()
    env = {
        **os.environ,
        "QONYS_DATABASE_URL": url,
        "QONYS_LOG_LEVEL": "WARNING",
        "QONYS_ENVIRONMENT": "production",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(attempts):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(30)


@contextmanager
def served(url: str, workers: int = 1) -> Iterator[str]:
    """``qonys serve`` on a free port with production settings; yields its base URL."""
    with serve_process(url, workers) as (base, _):
        yield base
