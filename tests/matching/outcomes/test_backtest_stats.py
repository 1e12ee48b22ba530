"""Intervals over seeds: computed from the seeds' values, with the coverage they promise."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from matching.outcomes.stats import mean_interval, paired_differences, summarize


def test_the_interval_is_the_student_t_interval_of_the_seeds() -> None:
    values = [0.081, 0.079, 0.090, 0.085, 0.072]
    iv = mean_interval(values)
    half = stats.t.ppf(0.975, 4) * np.std(values, ddof=1) / math.sqrt(5)
    assert iv.mean == pytest.approx(np.mean(values))
    assert (iv.low, iv.high) == pytest.approx((np.mean(values) - half, np.mean(values) + half))
    assert iv.n == 5 and iv.contains(float(np.mean(values)))


def test_intervals_of_a_known_distribution_cover_its_mean_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(11)
    mu, sigma, seeds, trials = 0.083, 0.02, 20, 2000
    draws = rng.normal(mu, sigma, (trials, seeds))
    covered = sum(mean_interval(row).contains(mu) for row in draws)
    assert covered / trials == pytest.approx(0.95, abs=0.015)
    # Wider for a skewed distribution of the same spread, still close to the promise.
    skewed = rng.exponential(sigma, (trials, seeds)) + mu - sigma
    covered = sum(mean_interval(row).contains(mu) for row in skewed)
    assert 0.90 <= covered / trials <= 0.97


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=2, max_size=30), st.floats(-5, 5))
def test_shifting_every_seed_shifts_the_interval(values: list[float], shift: float) -> None:
    a = mean_interval(values)
    b = mean_interval([v + shift for v in values])
    assert b.mean == pytest.approx(a.mean + shift, abs=1e-9)
    assert b.high - b.low == pytest.approx(a.high - a.low, abs=1e-9)
    assert a.low <= a.mean <= a.high


def test_one_seed_has_no_interval_and_differences_are_paired_by_seed() -> None:
    assert math.isnan(mean_interval([0.1]).low)
    long = pl.DataFrame(
        {
            "seed": [1, 2, 3] * 2,
            "policy": ["status_quo"] * 3 + ["optimizer"] * 3,
            "metric": ["return_12m"] * 6,
            "value": [0.10, 0.20, 0.30, 0.09, 0.19, 0.29],
        }
    )
    d = paired_differences(long, baseline="status_quo", keys=["metric"])
    assert d["value"].to_list() == pytest.approx([-0.01, -0.01, -0.01])
    s = summarize(d, ["policy", "metric"]).row(0, named=True)
    # Seeds vary a lot, the paired difference not at all: its interval is a point.
    assert s["mean"] == pytest.approx(-0.01) and s["high"] - s["low"] == pytest.approx(0.0, abs=1e-12)
