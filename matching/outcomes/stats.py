"""Intervals over seeds: every back-test figure is a mean over independent cohorts.

The interval of a figure is the Student-t interval of its mean over the seeds (each seed is
one cohort: households, options and outcome draws), ``mean ± t(1 − α/2, n − 1) · s / √n``.
A difference between two policies is taken seed by seed first (both placed the same
cohort, with the same draws), so the interval of the difference is the paired one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats


@dataclass(frozen=True, slots=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def mean_interval(values: npt.ArrayLike, level: float = 0.95) -> Interval:
    """Mean of ``values`` (one per seed) and its two-sided Student-t interval."""
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def summarize(
    long: pl.DataFrame, by: list[str], *, value: str = "value", level: float = 0.95
) -> pl.DataFrame:
    """Mean and interval of ``value`` over the seeds for every ``by`` combination."""
    rows = []
    for key, part in long.group_by(by, maintain_order=True):
        iv = mean_interval(part[value].to_numpy(), level)
        rows.append({**dict(zip(by, key, strict=True)), "mean": iv.mean, "low": iv.low,
                     "high": iv.high, "seeds": iv.n})  # fmt: skip
    return pl.DataFrame(rows)


def paired_differences(
    long: pl.DataFrame, *, baseline: str, keys: list[str], policy: str = "policy"
) -> pl.DataFrame:
    """Per seed, each policy's value minus the ``baseline`` policy's (same ``keys``)."""
    base = long.filter(pl.col(policy) == baseline).select(
        *keys, "seed", pl.col("value").alias("_base")
    )
    return (
        long.filter(pl.col(policy) != baseline)
        .join(base, on=[*keys, "seed"], how="inner")
        .with_columns(value=pl.col("value") - pl.col("_base"))
        .drop("_base")
    )
