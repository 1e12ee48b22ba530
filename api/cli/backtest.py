"""``qonys backtest``: the placement policies on generated cohorts, outcomes simulated, report."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import describe, fail

DEFAULT_OUT = Path("docs") / "backtest"


def backtest(
    seeds: Annotated[int, typer.Option(help="Back-test cohorts (seeds), at least 2.")] = 20,
    households: Annotated[int, typer.Option(help="Households per cohort.")] = 5000,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds per optimizer run.")
    ] = 15.0,
    training_seeds: Annotated[
        int, typer.Option("--training-seeds", help="Cohorts of simulated history.")
    ] = 4,
    workers: Annotated[int, typer.Option(help="Processes placing cohorts in parallel.")] = 2,
    out: Annotated[
        Path, typer.Option(help="Folder of the report (README.md and PNG charts).")
    ] = DEFAULT_OUT,
) -> None:
    """Compare the status quo, greedy, the optimizer (with and without fairness floors and the
    retention model) on the same cohorts; write the Markdown report with intervals."""
    from api.backtest.service import run_and_report
    from api.core.settings import get_settings
    from matching.outcomes.backtest import BacktestSettings
    from matching.outcomes.cohort import CohortSettings
    from matching.outcomes.policies import PolicySettings
    from matching.outcomes.retention import RetentionFitError
    from matching.programme.geography import load_reference

    if seeds < 2:
        raise fail("--seeds must be at least 2 (the intervals come from the seeds)", 2)
    if households < 50:
        raise fail("--households must be at least 50", 2)
    if time_limit <= 0 or workers < 1 or training_seeds < 2:
        raise fail("--time-limit must be positive, --workers and --training-seeds at least 1 and 2", 2)
    settings = get_settings()
    config = BacktestSettings(
        seeds=seeds, training_seeds=training_seeds, workers=workers,
        cohort=CohortSettings(households=households),
        policy=PolicySettings(time_limit=time_limit),
    )  # fmt: skip
    t0 = time.perf_counter()

    def progress(phase: str, fraction: float, message: str) -> None:
        typer.echo(f"[{time.perf_counter() - t0:7.1f} s] {100 * fraction:5.1f} % {phase}: {message}", err=True)

    command = "qonys backtest " + " ".join(sys.argv[2:]) if len(sys.argv) > 2 else "qonys backtest"
    try:
        result, report, model_path = run_and_report(
            config, data_dir=settings.data_dir, reference=load_reference(settings.data_dir),
            out_dir=out, models_dir=settings.models_dir, command=command, progress=progress,
        )  # fmt: skip
    except RetentionFitError as exc:
        raise fail(exc.text.en) from exc
    except (OSError, ValueError) as exc:
        raise fail(f"back-test failed: {describe(exc)}") from exc
    typer.echo(f"report: {report}")
    typer.echo(f"retention model: {model_path}")
    typer.echo(f"wall time: {result.wall_seconds:.1f} s")
