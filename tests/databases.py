"""Test databases: a temporary SQLite file and a throw-away PostgreSQL database per use.

The PostgreSQL leg is part of the default suite. Point it elsewhere with
``QONYS_TEST_POSTGRES_URL`` (a server-level URL; a fresh database is created on it). It is
never skipped silently: when the server cannot be reached the tests fail, unless the run
explicitly opts out with ``QONYS_TEST_SKIP_POSTGRES=1`` (refused when ``CI`` is set).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def postgres_admin_url() -> str:
    return os.environ.get("QONYS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _postgres_opt_out() -> bool:
    skip = os.environ.get("QONYS_TEST_SKIP_POSTGRES") == "1"
    if skip and os.environ.get("CI"):
        pytest.fail("QONYS_TEST_SKIP_POSTGRES is refused in CI: the PostgreSQL leg must run")
    return skip


@contextmanager
def fresh_database(backend: str, tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database; drop it afterwards."""
    if backend == "sqlite":
        path = tmp_dir / f"qonys-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    if _postgres_opt_out():
        pytest.skip("PostgreSQL leg disabled by QONYS_TEST_SKIP_POSTGRES=1")
    admin_url = make_url(postgres_admin_url())
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"qonys_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {admin_url.render_as_string(hide_password=True)} "
            f"({exc.__class__.__name__}: {str(exc).splitlines()[0]}). Start it (see README) or set "
            "QONYS_TEST_POSTGRES_URL."
        )
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
