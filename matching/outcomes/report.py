"""The back-test report: Markdown with PNG charts (matplotlib, Agg backend), written from a
:class:`~matching.outcomes.backtest.BacktestResult` only (nothing in it is typed by hand)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from matching.outcomes.backtest import BacktestResult
from matching.outcomes.cohort import GROUPS
from matching.outcomes.metrics import GROUP_METRICS, METRICS
from matching.outcomes.policies import POLICIES
from matching.outcomes.stats import paired_differences, summarize

HEADLINE_METRICS: tuple[str, ...] = ("return_12m", "job_education_match")
KEY_METRICS: tuple[str, ...] = (
    "return_12m", "job_education_match", "employment_12m", "quota_fill", "cost_per_household",
)  # fmt: skip
POLICY_LABELS = {
    "status_quo": "corridor status quo",
    "greedy": "greedy (first come)",
    "optimizer": "optimizer",
    "optimizer_floors": "optimizer + fairness floors",
    "optimizer_retention": "optimizer + retention model",
}


def _mean(series: pl.Series) -> float:
    value = series.cast(pl.Float64).mean()
    return float(value) if isinstance(value, (int, float)) else math.nan


def _fmt(metric: str, v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if METRICS.get(metric, ("", "share"))[1] == "tenge":
        return f"{v:,.0f}".replace(",", " ")
    return f"{100 * v:.1f} %"


def _fmt_diff(metric: str, v: float) -> str:
    if v is None or math.isnan(v):
        return "–"
    if METRICS.get(metric, ("", "share"))[1] == "tenge":
        return f"{v:+,.0f}".replace(",", " ")
    return f"{100 * v:+.1f} pt"


def _cell(metric: str, row: dict[str, Any], diff: bool = False) -> str:
    f = _fmt_diff if diff else _fmt
    return f"{f(metric, row['mean'])} [{f(metric, row['low'])}, {f(metric, row['high'])}]"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _policies(result: BacktestResult) -> list[str]:
    present = set(result.metrics["policy"].unique().to_list())
    return [p for p in POLICIES if p in present]


def differences(result: BacktestResult, scale: float = 1.0, baseline: str = "status_quo") -> pl.DataFrame:
    """Paired differences policy − baseline over seeds with intervals (group "all")."""
    m = result.metrics.filter(pl.col("scale") == scale, pl.col("group") == "all")
    d = paired_differences(m, baseline=baseline, keys=["metric", "group", "scale"])
    return summarize(d, ["policy", "metric"])


def _charts(result: BacktestResult, out: Path) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files: dict[str, str] = {}
    policies = _policies(result)
    overall = summarize(
        result.metrics.filter(pl.col("scale") == 1.0, pl.col("group") == "all"), ["policy", "metric"]
    )
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, metric in zip(axes, ("return_12m", "job_education_match", "employment_12m"), strict=True):
        rows = [overall.filter(pl.col("policy") == p, pl.col("metric") == metric).row(0, named=True) for p in policies]
        means = [100 * r["mean"] for r in rows]
        err = [[100 * (r["mean"] - r["low"]) for r in rows], [100 * (r["high"] - r["mean"]) for r in rows]]
        ax.bar(range(len(policies)), means, yerr=err, capsize=4, color="#4c78a8")
        ax.set_xticks(range(len(policies)), [POLICY_LABELS[p].replace(" + ", "\n+ ") for p in policies],
                      rotation=30, ha="right", fontsize=8)  # fmt: skip
        ax.set_title(METRICS[metric][0], fontsize=9)
        ax.set_ylabel("%")
    fig.suptitle("Simulated outcomes by policy (mean over seeds, 95 % interval)")
    fig.tight_layout()
    fig.savefig(out / "outcomes_by_policy.png", dpi=110)
    plt.close(fig)
    files["outcomes"] = "outcomes_by_policy.png"

    groups = summarize(
        result.metrics.filter(pl.col("scale") == 1.0, pl.col("metric") == "return_12m"),
        ["policy", "group"],
    )
    fig, ax = plt.subplots(figsize=(10, 4))
    names = ["all", *GROUPS]
    width = 0.8 / len(policies)
    for i, p in enumerate(policies):
        rows = [groups.filter(pl.col("policy") == p, pl.col("group") == g).row(0, named=True) for g in names]
        ax.bar([j + i * width for j in range(len(names))], [100 * r["mean"] for r in rows], width,
               yerr=[[100 * (r["mean"] - r["low"]) for r in rows], [100 * (r["high"] - r["mean"]) for r in rows]],
               capsize=2, label=POLICY_LABELS[p])  # fmt: skip
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], [g.replace("_", " ") for g in names])
    ax.set_ylabel("returned within 12 months, %")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "return_by_group.png", dpi=110)
    plt.close(fig)
    files["groups"] = "return_by_group.png"

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, metric in zip(axes, HEADLINE_METRICS, strict=True):
        for p in policies:
            if p == "status_quo":
                continue
            xs, ms, lo, hi = [], [], [], []
            for s in result.settings.scales:
                d = differences(result, s).filter(pl.col("policy") == p, pl.col("metric") == metric)
                if d.height:
                    r = d.row(0, named=True)
                    xs.append(s)
                    ms.append(100 * r["mean"])
                    lo.append(100 * (r["mean"] - r["low"]))
                    hi.append(100 * (r["high"] - r["mean"]))
            ax.errorbar(xs, ms, yerr=[lo, hi], marker="o", capsize=3, label=POLICY_LABELS[p])
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_xticks(list(result.settings.scales), [f"×{s:g}" for s in result.settings.scales])
        ax.set_xlabel("assumed effects scaled by")
        ax.set_ylabel("difference from the status quo, points")
        ax.set_title(METRICS[metric][0], fontsize=9)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "sensitivity.png", dpi=110)
    plt.close(fig)
    files["sensitivity"] = "sensitivity.png"

    curve = result.model_evaluation["curve"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
    ax.plot(curve["predicted"], curve["observed"], marker="o")
    top = max([*curve["predicted"], *curve["observed"], 0.05]) * 1.1
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted return probability (decile bins)")
    ax.set_ylabel("simulated return share")
    ax.set_title("Retention model calibration, held-out cohorts", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "retention_calibration.png", dpi=110)
    plt.close(fig)
    files["calibration"] = "retention_calibration.png"
    return files


def _survival(result: BacktestResult) -> list[list[str]]:
    """For each policy and key metric: the sign at ×1 and whether it holds at every scale."""
    rows = []
    per_scale = {s: differences(result, s) for s in result.settings.scales}
    for p in _policies(result):
        if p == "status_quo":
            continue
        for metric in KEY_METRICS:
            cells, signs = [], []
            for s in result.settings.scales:
                d = per_scale[s].filter(pl.col("policy") == p, pl.col("metric") == metric)
                if not d.height:
                    cells.append("–")
                    signs.append(0)
                    continue
                r = d.row(0, named=True)
                sign = 1 if r["low"] > 0 else -1 if r["high"] < 0 else 0
                signs.append(sign)
                cells.append(_cell(metric, r, diff=True))
            verdict = (
                "survives (same sign, interval excludes 0 at every scale)"
                if signs and all(x == signs[0] != 0 for x in signs)
                else "no clear difference at any scale"
                if all(x == 0 for x in signs)
                else "does not survive"
            )
            rows.append([POLICY_LABELS[p], METRICS[metric][0], *cells, verdict])
    return rows


def write_report(result: BacktestResult, out: Path, *, command: str, machine: str) -> Path:
    """Write ``out/README.md`` and the charts; returns the Markdown path."""
    out.mkdir(parents=True, exist_ok=True)
    charts = _charts(result, out)
    s = result.settings
    policies = _policies(result)
    base = result.metrics.filter(pl.col("scale") == 1.0)
    overall = summarize(base.filter(pl.col("group") == "all"), ["policy", "metric"])
    diffs = differences(result, 1.0)

    def get(frame: pl.DataFrame, **keys: Any) -> dict[str, Any] | None:
        f = frame
        for k, v in keys.items():
            f = f.filter(pl.col(k) == v)
        return f.row(0, named=True) if f.height else None

    lines: list[str] = ["# Back-test: do better scores mean better outcomes?", ""]
    lines += [
        f"Generated by `{command}` ({machine}); wall time {result.wall_seconds / 60:.1f} min "
        f"(history {result.stage_seconds.get('history', 0):.0f} s, placements "
        f"{result.stage_seconds.get('backtest_placements', 0):.0f} s, simulation "
        f"{result.stage_seconds.get('simulation', 0):.0f} s). Do not edit by hand: rerun the command.",
        "",
        "## What is simulated and what is observed",
        "",
        "- **Observed** (from the programme's own figures, sources in `data/README.md` and "
        "`data/outcome_effects.toml`): the return rate of movers (8.3 %; Kostanay 11.3 %, North "
        "Kazakhstan 7.3 %), the job–education match of employed movers (67.8 %; 57.6–79.3 % by "
        "region) and, from a brief rather than a seed, the employment of working-age movers "
        "(53 %). They are used only as calibration targets for the corridor status quo.",
        "- **Simulated**: everything else. The cohorts (households, vacancies, homes, capacities) "
        "are generated (`matching/synthetic/programme.py`); every outcome of every policy is drawn "
        "by the outcome simulator (`matching/outcomes/simulate.py`) from the placement's fit "
        "components. How much each component moves an outcome is an **assumption** unless the "
        "effects table below gives a source; the sensitivity section halves and doubles every "
        "assumed effect. No outcome of a real placement enters this report.",
        "- The observed 8.3 % is the cumulative share of movers who returned; the simulator "
        "reads it as the share returning within 12 months (an assumption).",
        "",
        "## Set-up",
        "",
        f"- {s.seeds} back-test seeds (cohorts {s.first_seed}–{s.first_seed + s.seeds - 1}) of "
        f"{s.cohort.households:,} households; {s.training_seeds} further cohorts as simulated "
        "history (calibration of the status quo, training data of the retention model).",
        f"- Options per household: the matching index's best {s.cohort.top_per_household}, at most "
        f"{s.cohort.per_locality} in one locality, plus {s.cohort.alternative_homes} other homes of "
        f"the same locality per option; generator contention {s.cohort.contention:g}; quotas "
        f"{100 * s.cohort.quota_share:.0f} % of the cohort's households, split over regions as the "
        "published 2026 quota (data/quotas.csv).",
        f"- Optimizer: `allocate()` with a {s.policy.time_limit:g} s time limit per run, one worker, "
        "deterministic. Fairness floors: divorced or widowed applicants, other women applicants and "
        "other young applicants each placed at least at 90 % of their status-quo rate. Retention policy: "
        f"the optimizer on scores with the retention component at weight {s.policy.retention_weight:g}.",
        f"- Intervals: 95 % Student-t intervals of the mean over the {s.seeds} seeds; differences "
        "between policies are paired by seed (same cohort, same random draws for each household).",
        f"- Cohorts placed in {s.workers} processes.",
        "",
        "## Headline",
        "",
    ]
    head_rows = []
    for p in policies:
        if p == "status_quo":
            continue
        cells = []
        for m in HEADLINE_METRICS:
            r = get(diffs, policy=p, metric=m)
            cells.append(_cell(m, r, diff=True) if r else "–")
        head_rows.append([POLICY_LABELS[p], *cells])
    lines += [
        "Difference from the corridor status quo (simulated; mean over seeds [95 % interval]):",
        "",
        _table(["policy", "return within 12 months", "job–education match"], head_rows),
        "",
        f"![outcomes by policy]({charts['outcomes']})",
        "",
        "## Calibration of the status quo",
        "",
        "Intercepts are solved on the status-quo placements of the history cohorts; the held-out "
        "columns are the back-test cohorts' status quo (expected rates and one simulated draw).",
        "",
    ]
    cal_rows = [
        [r["measure"], r["scope"], _fmt("x", r["target"]), _fmt("x", r["calibration"]),
         _fmt("x", r["held_out_expected"]), _fmt("x", r["held_out_simulated"]), str(r["placements"]),
         r["source"]]  # fmt: skip
        for r in result.calibration.iter_rows(named=True)
    ]
    lines += [
        _table(["measure", "region", "observed", "calibration", "held-out expected",
                "held-out simulated", "placements", "source"], cal_rows),  # fmt: skip
        "",
        "## All figures (effects as given)",
        "",
    ]
    rows = []
    for metric, (label, _) in METRICS.items():
        cells = []
        for p in policies:
            r = get(overall, policy=p, metric=metric)
            cells.append(_cell(metric, r) if r else "–")
        rows.append([label, *cells])
    lines += [_table(["figure", *(POLICY_LABELS[p] for p in policies)], rows), ""]
    lines += ["## By group", ""]
    groups = summarize(base, ["policy", "metric", "group"])
    for metric in GROUP_METRICS:
        rows = []
        for g in ["all", *GROUPS]:
            cells = []
            for p in policies:
                r = get(groups, policy=p, metric=metric, group=g)
                cells.append(_cell(metric, r) if r else "–")
            rows.append([g.replace("_", " "), *cells])
        lines += [f"**{METRICS[metric][0]}**", "", _table(["group", *(POLICY_LABELS[p] for p in policies)], rows), ""]
    lines += [f"![return by group]({charts['groups']})", ""]
    lines += [
        "## Sensitivity: every assumed effect halved and doubled",
        "",
        "The placements are the same; the simulation reruns with every effect marked "
        "\"assumption\" multiplied by the factor (effects with a source are kept) and the "
        "intercepts recalibrated, so the status quo reproduces the observed figures at every "
        "factor. A conclusion survives when its difference from the status quo keeps its sign "
        "with an interval that excludes 0 at every factor.",
        "",
        _table(["policy", "figure", *(f"×{x:g}" for x in s.scales), "conclusion"], _survival(result)),
        "",
        f"![sensitivity]({charts['sensitivity']})",
        "",
    ]
    model = result.model
    ev = result.model_evaluation
    coefs = model.effective_coefficients()
    direct = result.effects.of("return_12m")
    coef_rows = [
        [k, f"{direct.get(k, 0.0):+.2f}", f"{coefs[k]:+.2f}"]
        for k in model.features
    ]
    ret_vs_opt = None
    if "optimizer_retention" in policies:
        d = summarize(
            paired_differences(base.filter(pl.col("group") == "all"), baseline="optimizer", keys=["metric", "group", "scale"]),
            ["policy", "metric"],
        )
        ret_vs_opt = get(d, policy="optimizer_retention", metric="return_12m")
    lines += [
        "## Retention model",
        "",
        f"Fitted on the simulated history ({model.outcomes:,} placements, {model.returns:,} returns, "
        f"recorded {model.trained_from} to {model.trained_to}): logistic regression on the outcome "
        "features and the destination region, Platt-calibrated over 3 folds "
        "(`matching/outcomes/retention.py`). Version `" + model.version + "`.",
        "",
        _table(
            ["data", "outcomes", "AUC", "Brier", "ECE"],
            [
                ["25 % held out of the history", str(int(model.metrics["outcomes"])),
                 f"{model.metrics['auc']:.3f}", f"{model.metrics['brier']:.4f}", f"{model.metrics['ece']:.4f}"],
                ["back-test cohorts, status quo (new seeds)", str(ev["outcomes"]), f"{ev['auc']:.3f}",
                 f"{ev['brier']:.4f}", f"{ev['ece']:.4f}"],
            ],  # fmt: skip
        ),
        "",
        f"![retention calibration]({charts['calibration']})",
        "",
        "Does the model recover the simulator's effects? Direct log-odds of return in the simulator "
        "against the model's (calibrated) coefficients; the model also absorbs the effects that act "
        "through employment (occupation, network, family services act on return through the job), "
        "so its coefficients are total, not direct, effects:",
        "",
        _table(["feature", "simulator (direct)", "model"], coef_rows),
        "",
    ]
    if ret_vs_opt is not None:
        lines += [
            "Using it: the optimizer with the retention component against the optimizer without it, "
            f"return within 12 months {_cell('return_12m', ret_vs_opt, diff=True)}.",
            "",
        ]
    eff_rows = [
        [e.name, f"{e.value:+.2f}", e.source, e.note] for e in result.effects.effects
    ] + [
        [f"time_profile.{k}", f"{v.value:.2f}", v.source, ""] for k, v in result.effects.time_profile.items()
    ]
    lines += [
        "## Effects (data/outcome_effects.toml)",
        "",
        "Log-odds per unit of the feature (fit components are 0–1, flags 0/1).",
        "",
        _table(["effect", "value", "source", "note"], eff_rows),
        "",
        "## Solver runs",
        "",
    ]
    solves = result.solves.group_by("policy", "status").agg(
        pl.len().alias("runs"), pl.col("seconds").mean().alias("mean_s"), pl.col("seconds").max().alias("max_s")
    ).sort("policy", "status")
    lines += [
        _table(["policy", "status", "runs", "mean s", "max s"],
               [[r["policy"], r["status"], str(r["runs"]), f"{r['mean_s']:.1f}", f"{r['max_s']:.1f}"]
                for r in solves.iter_rows(named=True)]),  # fmt: skip
        "",
        f"Cohort build (generation, matching index, options): mean "
        f"{_mean(result.solves['build_seconds']):.1f} s per seed, mean "
        f"{_mean(result.solves['options']):,.0f} options.",
        "",
        "\"feasible\" means the run stopped at its time limit with a plan it had not proven optimal; "
        "every optimizer figure above is that plan's. A run with status \"unknown\" found no plan "
        "within its time limit; its seed is left out of that policy's figures (and of its paired "
        "differences).",
        "",
    ]
    path = out / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
