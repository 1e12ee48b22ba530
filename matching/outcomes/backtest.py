"""The back-test: the same cohorts placed by every policy, outcomes simulated, over many seeds.

1. **History** (``training_seeds`` cohorts, seeds from :data:`HISTORY_SEED_BASE`): placed by
   the status quo and greedy. The status-quo placements calibrate the simulator's intercepts
   (the observed figures describe the way it was done); their simulated outcomes are the
   "recorded" history the retention model is fitted on.
2. **Back-test cohorts** (``seeds`` cohorts, seeds ``first_seed …``): placed by every policy
   of :mod:`matching.outcomes.policies`, the retention policy using the model of step 1.
3. **Simulation**: every placement simulated with the effects as given and with every
   assumed effect scaled by each of ``scales`` (recalibrated each time, so the status quo
   still reproduces the observed figures); the placements are reused, only the simulation
   reruns.

Cohorts are independent, so they are built and placed in ``workers`` processes.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from matching.outcomes.calibrate import calibrate, expected_rates
from matching.outcomes.cohort import GROUPS, CohortSettings, build_cohort
from matching.outcomes.effects import Effects, load_effects
from matching.outcomes.metrics import seed_metrics
from matching.outcomes.policies import NO_PLAN, PolicySettings, run_policies
from matching.outcomes.retention import RetentionModel, evaluate_model, fit_retention
from matching.outcomes.simulate import Intercepts, household_draws, simulate
from matching.scoring.components import OUTCOME_FEATURES

HISTORY_SEED_BASE = 100_000
PLACED_COLUMNS: tuple[str, ...] = (
    "household_id", "region_code", "locality_id", "persons", "support_tenge", "score",
    *(f"f_{k}" for k in OUTCOME_FEATURES),
)  # fmt: skip
Progress = Callable[[str, float, str], None]


def _quiet(phase: str, fraction: float, message: str) -> None:
    return None


@dataclass(frozen=True)
class BacktestSettings:
    seeds: int = 20
    first_seed: int = 1
    training_seeds: int = 4
    scales: tuple[float, ...] = (0.5, 1.0, 2.0)
    workers: int = 2
    cohort: CohortSettings = field(default_factory=CohortSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)


@dataclass
class SeedPlacements:
    """What a worker process hands back for one cohort (small frames only)."""

    seed: int
    households: pl.DataFrame
    quotas: pl.DataFrame
    placed: dict[str, pl.DataFrame]
    status: dict[str, str]
    solve_seconds: dict[str, float]
    build_seconds: float
    options: int


@dataclass
class BacktestResult:
    settings: BacktestSettings
    effects: Effects
    metrics: pl.DataFrame  # seed, policy, scale, metric, group, value
    calibration: pl.DataFrame  # measure, scope, target, calibration, held_out_expected, held_out_simulated
    intercepts: dict[float, Intercepts]
    model: RetentionModel
    model_evaluation: dict[str, Any]
    history: pl.DataFrame
    solves: pl.DataFrame  # seed, policy, status, seconds
    wall_seconds: float
    stage_seconds: dict[str, float]


def _place(
    seed: int,
    cohort_settings: CohortSettings,
    policy_settings: PolicySettings,
    published_quotas: pl.DataFrame,
    model: dict[str, Any] | None,
    baselines_only: bool,
) -> SeedPlacements:
    from matching.programme.support import load_support_parameters

    t0 = time.perf_counter()
    cohort = build_cohort(
        seed, cohort_settings, published_quotas=published_quotas, support=load_support_parameters()
    )
    build = time.perf_counter() - t0
    runs = run_policies(
        cohort,
        policy_settings,
        retention=RetentionModel.from_dict(model) if model is not None else None,
        baselines_only=baselines_only,
    )
    return SeedPlacements(
        seed=seed,
        households=cohort.households,
        quotas=cohort.quotas,
        placed={k: r.placed.select(PLACED_COLUMNS) for k, r in runs.items()},
        status={k: r.status for k, r in runs.items()},
        solve_seconds={k: r.wall_time for k, r in runs.items()},
        build_seconds=build,
        options=cohort.options.height,
    )


def _place_all(
    seeds: list[int],
    settings: BacktestSettings,
    published_quotas: pl.DataFrame,
    model: dict[str, Any] | None,
    baselines_only: bool,
    progress: Progress,
    phase: str,
    span: tuple[float, float],
) -> list[SeedPlacements]:
    args = [
        (s, settings.cohort, settings.policy, published_quotas, model, baselines_only)
        for s in seeds
    ]
    out: list[SeedPlacements] = []
    if settings.workers <= 1:
        for i, a in enumerate(args):
            out.append(_place(*a))
            progress(phase, span[0] + (span[1] - span[0]) * (i + 1) / len(args), f"seed {a[0]}")
        return out
    # "spawn": polars and the solvers hold threads that a forked child must not inherit.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=settings.workers, mp_context=ctx) as pool:
        futures = [pool.submit(_place, *a) for a in args]
        for i, f in enumerate(futures):
            out.append(f.result())
            progress(phase, span[0] + (span[1] - span[0]) * (i + 1) / len(args), f"seed {out[-1].seed}")
    return out


def _with_groups(placed: pl.DataFrame, households: pl.DataFrame) -> pl.DataFrame:
    return placed.join(
        households.with_row_index("_row").select("household_id", "_row", "category", *GROUPS),
        on="household_id",
        how="left",
    )


def simulate_seed(
    sp: SeedPlacements, policy: str, effects: Effects, intercepts: Intercepts
) -> pl.DataFrame:
    """Simulated outcomes of one policy's placements of one cohort (common draws)."""
    placed = _with_groups(sp.placed[policy], sp.households)
    draws = household_draws(sp.seed, sp.households.height)
    return simulate(placed, effects, intercepts, draws[placed["_row"].to_numpy()])


def history_frame(history: list[SeedPlacements], effects: Effects, intercepts: Intercepts) -> pl.DataFrame:
    """Simulated outcomes of the history's placements as recorded outcomes: one row per
    placement with the features, region, labels and a recorded date (round year + 1)."""
    frames = []
    for i, sp in enumerate(history):
        recorded = dt.date(2019 + i, 12, 31)
        for policy in sp.placed:
            out = simulate_seed(sp, policy, effects, intercepts)
            frames.append(out.with_columns(recorded_on=pl.lit(recorded), policy=pl.lit(policy)))
    return pl.concat(frames, how="vertical")


def _pooled(placements: list[SeedPlacements], policy: str) -> pl.DataFrame:
    return pl.concat(
        [_with_groups(sp.placed[policy], sp.households) for sp in placements], how="vertical"
    )


def _calibration_table(
    effects: Effects,
    intercepts: Intercepts,
    history: list[SeedPlacements],
    cohorts: list[SeedPlacements],
) -> pl.DataFrame:
    """Targets against the status quo: expected on the calibration cohorts, expected and
    simulated on the held-out back-test cohorts."""
    train = _pooled(history, "status_quo")
    held = _pooled(cohorts, "status_quo")
    sim = pl.concat(
        [simulate_seed(sp, "status_quo", effects, intercepts) for sp in cohorts], how="vertical"
    )
    measures = {
        "return_12m": ("returned_12m", None),
        "job_education_match": ("job_education_match", "employed_12m"),
        "employment_12m": ("employed_12m", "stayed"),
    }
    sim = sim.with_columns(stayed=~pl.col("returned_12m"))
    rows = []
    for t in effects.targets:
        col, among = measures[t.measure]
        mask_train = train if t.scope == "all" else train.filter(pl.col("region_code") == t.scope)
        mask_held = held if t.scope == "all" else held.filter(pl.col("region_code") == t.scope)
        part = sim if t.scope == "all" else sim.filter(pl.col("region_code") == t.scope)
        if among is not None:
            part = part.filter(pl.col(among))
        rows.append(
            {
                "measure": t.measure,
                "scope": t.scope,
                "target": t.value,
                "source": t.source,
                "calibration": expected_rates(mask_train, effects, intercepts)[t.measure]
                if mask_train.height else float("nan"),
                "held_out_expected": expected_rates(mask_held, effects, intercepts)[t.measure]
                if mask_held.height else float("nan"),
                "held_out_simulated": float(part[col].mean()) if part.height else float("nan"),  # type: ignore[arg-type]
                "placements": part.height,
            }
        )  # fmt: skip
    return pl.DataFrame(rows)


def run_backtest(
    settings: BacktestSettings,
    published_quotas: pl.DataFrame,
    *,
    effects: Effects | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Run the whole back-test (see the module docstring)."""
    progress = progress or _quiet
    effects = effects or load_effects()
    t0 = time.perf_counter()
    stages: dict[str, float] = {}
    history_seeds = [HISTORY_SEED_BASE + i for i in range(settings.training_seeds)]
    history = _place_all(
        history_seeds, settings, published_quotas, None, True, progress, "history", (0.0, 0.2)
    )
    stages["history"] = time.perf_counter() - t0
    calibration_frame = _pooled(history, "status_quo")
    intercepts = {s: calibrate(calibration_frame, effects.scaled(s)) for s in settings.scales}
    base = intercepts.get(1.0) or calibrate(calibration_frame, effects)
    recorded = history_frame(history, effects, base)
    model = fit_retention(recorded)
    t1 = time.perf_counter()
    stages["calibrate_and_fit"] = t1 - t0 - stages["history"]
    progress("backtest", 0.2, f"retention model {model.version}")
    cohorts = _place_all(
        [settings.first_seed + i for i in range(settings.seeds)],
        settings, published_quotas, model.to_dict(), False, progress, "backtest", (0.2, 0.95),
    )  # fmt: skip
    t2 = time.perf_counter()
    stages["backtest_placements"] = t2 - t1
    rows: list[dict[str, object]] = []
    for scale in settings.scales:
        eff = effects.scaled(scale)
        for sp in cohorts:
            for policy in sp.placed:
                if sp.status[policy] in NO_PLAN:
                    continue  # no plan within the time limit: left out, counted in `solves`
                out = simulate_seed(sp, policy, eff, intercepts[scale])
                for r in seed_metrics(out, sp.households, sp.quotas):
                    rows.append({"seed": sp.seed, "policy": policy, "scale": scale, **r})
    metrics = pl.DataFrame(rows)
    held_out = pl.concat(
        [simulate_seed(sp, "status_quo", effects, base) for sp in cohorts], how="vertical"
    )
    evaluation = evaluate_model(model, held_out)
    calibration = _calibration_table(effects, base, history, cohorts)
    solves = pl.DataFrame(
        [
            {"seed": sp.seed, "policy": k, "status": sp.status[k], "seconds": sp.solve_seconds[k],
             "build_seconds": sp.build_seconds, "options": sp.options}  # fmt: skip
            for sp in cohorts
            for k in sp.placed
        ]
    )
    stages["simulation"] = time.perf_counter() - t2
    progress("done", 1.0, "back-test finished")
    return BacktestResult(
        settings=settings,
        effects=effects,
        metrics=metrics,
        calibration=calibration,
        intercepts=intercepts,
        model=model,
        model_evaluation=evaluation,
        history=recorded.select(
            "policy", "recorded_on", "region_code", "returned_12m",
            *(f"f_{k}" for k in OUTCOME_FEATURES),
        ),  # fmt: skip
        solves=solves,
        wall_seconds=time.perf_counter() - t0,
        stage_seconds=stages,
    )

