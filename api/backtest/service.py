"""Back-tests for planners: run the library's back-test, write its report, keep its model.

Used by ``qonys backtest`` (:mod:`api.cli.backtest`) and by the ``backtest`` job that
``POST /backtests`` queues. The fitted retention model of a run is saved as a versioned JSON
file under ``Settings.models_dir`` (``retention/<version>.json``), the report (Markdown and
PNG charts) under the output folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from api.core.job_errors import error_in
from api.core.job_phases import phase_message
from api.core.jobs import JobContext, JobFailed, enqueue
from api.core.problems import ProblemException
from api.models.jobs import JobRecord
from matching.outcomes.backtest import BacktestResult, BacktestSettings, run_backtest
from matching.outcomes.cohort import CohortSettings
from matching.outcomes.effects import load_effects
from matching.outcomes.policies import PolicySettings
from matching.outcomes.report import HEADLINE_METRICS, differences, write_report
from matching.outcomes.retention import RetentionFitError, RetentionModel
from matching.programme.geography import ReferenceData
from matching.text import msg

__all__ = [
    "JOB_KIND",
    "backtest_out",
    "published_quotas",
    "run_and_report",
    "run_backtest_job",
    "save_model",
    "start_backtest",
]

JOB_KIND = "backtest"
QUOTA_YEAR = 2026  # the latest published regional split (data/quotas.csv)
API_MAX_SEEDS = 40
API_MAX_HOUSEHOLDS = 5000
BAD_REQUEST = msg("outcomes.backtest.bad_request")
NOT_FOUND = msg("outcomes.backtest.not_found")


def published_quotas(data_dir: Path, reference: ReferenceData, year: int = QUOTA_YEAR) -> pl.DataFrame:
    """One year's published quota rows in the programme's destination regions."""
    version = reference.default_programme_version(year).programme_version
    destinations = [r.code for r in reference.regions_with_role(version, "destination")]
    return (
        pl.read_csv(data_dir / "quotas.csv", schema_overrides={"region_code": pl.Utf8})
        .filter(pl.col("year") == year, pl.col("region_code").is_in(destinations))
        .select("region_code", "category", "persons")
    )


def save_model(model: RetentionModel, models_dir: Path) -> Path:
    """Write a model version to ``models_dir/retention/<version>.json`` (kept if present)."""
    folder = models_dir / "retention"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{model.version}.json"
    path.write_text(model.to_json(), encoding="utf-8")
    return path


def machine_line() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )


def summary(result: BacktestResult) -> dict[str, Any]:
    """The headline of a run as JSON: differences from the status quo with intervals."""
    diffs = differences(result, 1.0)
    return {
        "wall_seconds": round(result.wall_seconds, 1),
        "seeds": result.settings.seeds,
        "households": result.settings.cohort.households,
        "retention_model": result.model.version,
        "retention_metrics": {k: float(v) for k, v in result.model_evaluation.items() if k in ("auc", "brier", "ece")},
        "versus_status_quo": [
            {k: r[k] for k in ("policy", "metric", "mean", "low", "high", "seeds")}
            for r in diffs.iter_rows(named=True)
            if r["metric"] in HEADLINE_METRICS
        ],
    }


def run_and_report(
    settings: BacktestSettings,
    *,
    data_dir: Path,
    reference: ReferenceData,
    out_dir: Path,
    models_dir: Path,
    command: str,
    progress: Any = None,
) -> tuple[BacktestResult, Path, Path]:
    """Run a back-test, write the report into ``out_dir`` and keep the fitted model."""
    result = run_backtest(
        settings,
        published_quotas(data_dir, reference),
        effects=load_effects(data_dir / "outcome_effects.toml"),
        progress=progress,
    )
    report = write_report(result, out_dir, command=command, machine=machine_line())
    model_path = save_model(result.model, models_dir)
    (out_dir / "summary.json").write_text(json.dumps(summary(result), indent=2), encoding="utf-8")
    return result, report, model_path


def settings_of(params: dict[str, Any]) -> BacktestSettings:
    return BacktestSettings(
        seeds=int(params["seeds"]),
        training_seeds=int(params.get("training_seeds") or 4),
        workers=int(params.get("workers") or 1),
        cohort=CohortSettings(households=int(params["households"])),
        policy=PolicySettings(time_limit=float(params.get("time_limit") or 15.0)),
    )


def start_backtest(session: Session, params: dict[str, Any], *, by: str | None) -> str:
    """Check a request and queue it as a ``backtest`` job; returns the job id."""
    seeds, households = int(params["seeds"]), int(params["households"])
    if seeds < 2 or households < 50:
        raise ProblemException(422, BAD_REQUEST)
    if seeds > API_MAX_SEEDS or households > API_MAX_HOUSEHOLDS:
        raise ProblemException(
            422, msg("outcomes.backtest.too_large", seeds=API_MAX_SEEDS, households=API_MAX_HOUSEHOLDS)
        )
    job = enqueue(session, JOB_KIND, params, created_by=by)
    session.commit()
    return job.id


def run_backtest_job(ctx: JobContext) -> dict[str, Any]:
    """Job handler ``backtest``: run, write the report under the models folder, keep the model."""
    reference: ReferenceData = ctx.services["reference"]
    data_dir: Path = ctx.services["data_dir"]
    models_dir: Path = ctx.services["models_dir"]
    try:
        settings = settings_of(ctx.params)
    except (KeyError, TypeError, ValueError):
        raise JobFailed(BAD_REQUEST) from None
    out_dir = models_dir / "backtests" / ctx.job_id
    ctx.progress("history", 0.0, "generating the history cohorts", force=True)
    try:
        result, report, model_path = run_and_report(
            settings, data_dir=data_dir, reference=reference, out_dir=out_dir,
            models_dir=models_dir, command=f"POST /backtests (job {ctx.job_id})",
            progress=ctx.progress,
        )  # fmt: skip
    except RetentionFitError as exc:
        raise JobFailed(exc.text) from None
    return {
        **summary(result),
        "report": str(report),
        "model_file": str(model_path),
        "finished": dt.datetime.now(dt.UTC).isoformat(),
    }


def backtest_out(session: Session, job_id: str, lang: str) -> dict[str, Any]:
    """Status, progress and, when done, the headline and the report of a back-test job."""
    job = session.get(JobRecord, job_id)
    if job is None or job.kind != JOB_KIND:
        raise ProblemException(404, NOT_FOUND)
    error = error_in(job.error, lang)
    report = None
    if job.status == "succeeded" and job.result and Path(job.result.get("report", "")).is_file():
        report = Path(job.result["report"]).read_text(encoding="utf-8")
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "phase": job.phase,
        "message": phase_message(job.phase, job.status, lang),
        "params": job.params or {},
        "result": job.result if job.status == "succeeded" else None,
        "report_markdown": report,
        "error": error,
    }
