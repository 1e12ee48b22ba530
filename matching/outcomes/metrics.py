"""The back-test's figures of one simulated placement: overall and by applicant group."""

from __future__ import annotations

import math

import polars as pl

from matching.outcomes.cohort import GROUPS

# name → (what it measures, unit); the report prints them in this order.
METRICS: dict[str, tuple[str, str]] = {
    "placement_rate": ("households placed, of the cohort", "share"),
    "employment_3m": ("employed at 3 months, of those still there", "share"),
    "employment_6m": ("employed at 6 months, of those still there", "share"),
    "employment_12m": ("employed at 12 months, of those still there", "share"),
    "job_education_match": ("job matching the education, of the employed at 12 months", "share"),
    "return_12m": ("returned within 12 months, of the placed", "share"),
    "quota_fill": ("quota persons filled", "share"),
    "cost_per_household": ("support per placed household", "tenge"),
    "cost_per_retained": ("support per household still there at 12 months", "tenge"),
}
GROUP_METRICS: tuple[str, ...] = (
    "placement_rate", "employment_12m", "job_education_match", "return_12m",
)  # fmt: skip


def _share(num: int, den: int) -> float:
    return num / den if den else math.nan


def _core(out: pl.DataFrame, households: int) -> dict[str, float]:
    n = out.height
    stay3 = out.filter(~(pl.col("returned_12m") & (pl.col("return_month") <= 3))).height
    stay6 = out.filter(~(pl.col("returned_12m") & (pl.col("return_month") <= 6))).height
    returned = int(out["returned_12m"].sum()) if n else 0
    employed = int(out["employed_12m"].sum()) if n else 0
    return {
        "placement_rate": _share(n, households),
        "employment_3m": _share(int(out["employed_3m"].sum()) if n else 0, stay3),
        "employment_6m": _share(int(out["employed_6m"].sum()) if n else 0, stay6),
        "employment_12m": _share(employed, n - returned),
        "job_education_match": _share(int(out["job_education_match"].sum()) if n else 0, employed),
        "return_12m": _share(returned, n),
    }


def seed_metrics(
    out: pl.DataFrame, households: pl.DataFrame, quotas: pl.DataFrame
) -> list[dict[str, object]]:
    """Rows ``metric, group, value`` of one policy's simulated outcomes on one cohort.

    ``out`` is :func:`matching.outcomes.simulate.simulate`'s frame joined with the
    households' group flags; ``households`` the whole cohort; ``quotas`` its quota rows.
    """
    core = _core(out, households.height)
    persons = int(out["persons"].sum()) if out.height else 0
    quota = int(quotas["persons"].sum())
    support = float(out["support_tenge"].sum()) if out.height else 0.0
    retained = out.height - (int(out["returned_12m"].sum()) if out.height else 0)
    core["quota_fill"] = _share(persons, quota)
    core["cost_per_household"] = _share(int(support), out.height)
    core["cost_per_retained"] = _share(int(support), retained)
    rows: list[dict[str, object]] = [{"metric": k, "group": "all", "value": v} for k, v in core.items()]
    for g in GROUPS:
        sub = out.filter(pl.col(g))
        size = int(households[g].sum())
        values = _core(sub, size)
        rows.extend({"metric": m, "group": g, "value": values[m]} for m in GROUP_METRICS)
    return rows
