"""Scenario folders: the example runs end to end; a folder with bad rows lists every problem."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from api.allocation.scenario import ScenarioError, load_scenario_dir
from api.core.settings import REPO_ROOT

EXAMPLE = REPO_ROOT / "data" / "examples" / "scenario"


def qonys(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_allocate_the_example_folder_writes_summary_and_placements(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    result = qonys("allocate", str(EXAMPLE), "--time-limit", "20", "--deterministic",
                   "--json", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    summary = report["summary"]
    for key in ("status", "objective", "best_bound", "gap", "wall_seconds", "households_placed",
                "households_unplaced", "greedy_objective", "status_quo_objective"):  # fmt: skip
        assert summary[key] is not None, key
    households = pl.read_csv(EXAMPLE / "households.csv", infer_schema=False)
    assert summary["households"] == households["external_id"].n_unique()
    assert summary["objective"] <= summary["best_bound"]
    assert summary["households_placed"] == len(report["placements"]) > 0
    placed = {p["household_id"]: p for p in report["placements"]}
    # Ids are the folder's own external ids.
    assert set(placed) <= set(households["external_id"].to_list())
    homes = pl.read_csv(EXAMPLE / "homes.csv", infer_schema=False)
    units = dict(zip(homes["external_id"], homes["units"].cast(pl.Int64), strict=True))
    taken: dict[str, int] = {}
    for p in report["placements"]:
        taken[p["home_id"]] = taken.get(p["home_id"], 0) + 1
    assert all(n <= units[h] for h, n in taken.items())
    for lock in pl.read_csv(EXAMPLE / "locks.csv").iter_rows(named=True):
        assert placed[lock["household_external_id"]]["locality_id"] == lock["locality_id"]
    for ban in pl.read_csv(EXAMPLE / "bans.csv").iter_rows(named=True):
        chosen = placed.get(ban["household_external_id"])
        assert chosen is None or chosen["locality_id"] != ban["locality_id"]
    quotas = pl.read_csv(EXAMPLE / "quotas.csv", schema_overrides={"region_code": pl.Utf8})
    caps = {(r["region_code"], r["category"]): r["persons"] for r in quotas.iter_rows(named=True)}
    used = {
        (r["key"].split("/")[0], r["key"].split("/")[1]): r["used"]
        for r in report["fill_regions"]
        if r["kind"] == "quota_persons"
    }
    assert used and all(n <= caps[k] for k, n in used.items())


def bad_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    shutil.copytree(EXAMPLE, folder)
    quotas = pl.read_csv(folder / "quotas.csv", infer_schema=False)
    quotas.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("-5"))
        .otherwise(pl.col("persons"))
        .alias("persons")
    ).write_csv(folder / "quotas.csv")
    (folder / "locks.csv").write_text(
        "household_external_id,locality_id\nDEMO-H0000000,55-atlantis\n", encoding="utf-8"
    )
    (folder / "bans.csv").write_text(
        "household_external_id,locality_id\nNOBODY-1,55-pavlodar\n", encoding="utf-8"
    )
    vacancies = pl.read_csv(folder / "vacancies.csv", infer_schema=False)
    vacancies.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("59-nowhere"))
        .otherwise(pl.col("locality_id"))
        .alias("locality_id")
    ).write_csv(folder / "vacancies.csv")
    return folder


def test_a_bad_folder_is_one_line_listing_every_problem(tmp_path: Path) -> None:
    folder = bad_copy(tmp_path)
    result = qonys("allocate", str(folder), "--json", str(tmp_path / "never.json"))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("qonys: error:"), result.stderr
    line = lines[0]
    assert "quotas.csv row 2: negative quota persons -5" in line
    assert "locks.csv row 2: unknown locality '55-atlantis'" in line
    assert "bans.csv row 2: unknown household 'NOBODY-1'" in line
    assert "vacancies row 4" in line and "59-nowhere" in line
    assert "4 problem(s)" in line
    assert not (tmp_path / "never.json").exists()


def test_missing_tables_and_columns_are_all_reported(tmp_path: Path) -> None:
    folder = tmp_path / "thin"
    folder.mkdir()
    shutil.copy(EXAMPLE / "households.csv", folder / "households.csv")
    (folder / "quotas.csv").write_text("year,region_code,persons\n2025,55,x\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_dir(folder)
    problems = caught.value.problems
    assert any(p.startswith("vacancies: missing") for p in problems)
    assert any(p.startswith("homes: missing") for p in problems)
    assert any("quotas.csv: missing column(s) category" in p for p in problems)
    assert len(problems) == 3
