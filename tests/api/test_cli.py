"""The `qonys` command line, run as a user runs it (a real subprocess, a real database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from api.core.db import make_engine
from api.core.settings import REPO_ROOT
from api.models import LocalityRecord, ProgrammeRoleRecord, RegionRecord
from tests.databases import fresh_database


def qonys(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QONYS_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def counts(url: str) -> tuple[int, ...]:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            return tuple(
                int(conn.scalar(select(func.count()).select_from(model)) or 0)
                for model in (RegionRecord, ProgrammeRoleRecord, LocalityRecord)
            )
    finally:
        engine.dispose()


def test_upgrade_then_seed_twice_changes_nothing(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        assert qonys("db", "upgrade", url=url).returncode == 0
        check = qonys("db", "check", url=url)
        assert check.returncode == 0, check.stderr
        first = qonys("seed", url=url)
        assert first.returncode == 0, first.stderr
        once = counts(url)
        assert once[0] == 20 and once[2] > 0
        assert qonys("seed", url=url).returncode == 0
        assert counts(url) == once


def test_bad_database_url_is_one_clear_line(tmp_path: Path) -> None:
    result = qonys("db", "upgrade", url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("qonys: error:"), result.stderr
    assert "Traceback" not in result.stderr


def test_db_check_fails_on_an_unmigrated_database(tmp_path: Path) -> None:
    result = qonys("db", "check", url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.returncode != 0 and "differ" in result.stderr


def test_backtest_refuses_too_few_seeds_in_one_line() -> None:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["backtest", "--seeds", "1", "--households", "100"])
    assert result.exit_code == 2
    assert "at least 2" in result.output and "Traceback" not in result.output
