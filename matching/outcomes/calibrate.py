"""Calibration: intercepts such that the corridor status quo reproduces the observed figures.

The effects are given (the file); the intercepts are solved on the expected rates of the
status-quo placements of calibration cohorts (no sampling, so the solution is exact and
deterministic). For match and return, each region with an observed figure gets its own
intercept that reproduces it, the other regions share one; then all of them move together
by the one shift that reproduces the overall figure (the cohort's regional mix is not the
survey's, so the overall figure is matched exactly and the regional ones approximately).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import polars as pl

from matching.outcomes.effects import Effects
from matching.outcomes.simulate import (
    OTHER_REGIONS,
    FloatArray,
    Intercepts,
    Predictors,
    probabilities,
    sigmoid,
)

_LOW, _HIGH, _STEPS = -30.0, 30.0, 80


def solve_shift(rate: Callable[[float], float], target: float) -> float:
    """The ``a`` with ``rate(a) = target`` for a rate increasing in ``a`` (bisection)."""
    lo, hi = _LOW, _HIGH
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        if rate(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _weighted_mean(p: FloatArray, w: FloatArray) -> float:
    total = float(w.sum())
    return float((p * w).sum() / total) if total > 0 else 0.0


def _regional(
    rate_of: Callable[[FloatArray], FloatArray],
    weight: FloatArray,
    regions: np.ndarray,
    targets: Mapping[str, float],
    overall: float,
) -> dict[str, float]:
    """Per-region intercepts reproducing ``targets``, then one common shift for ``overall``.

    ``rate_of(a)`` gives the per-row rate for per-row intercepts ``a``.
    """
    n = len(regions)
    out: dict[str, float] = {}
    targeted = [r for r in targets if (regions == r).any()]
    rest = ~np.isin(regions, targeted)
    groups = [(r, regions == r, targets[r]) for r in targeted]
    groups.append((OTHER_REGIONS, rest, overall))
    for name, mask, target in groups:
        if not mask.any():
            out[name] = 0.0
            continue

        def rate(a: float, mask: np.ndarray = mask) -> float:
            return _weighted_mean(rate_of(np.full(n, a))[mask], weight[mask])

        out[name] = solve_shift(rate, target)
    base = np.array([out.get(r, out[OTHER_REGIONS]) for r in regions.tolist()])

    def overall_rate(d: float) -> float:
        return _weighted_mean(rate_of(base + d), weight)

    shift = solve_shift(overall_rate, overall)
    return {k: v + shift for k, v in out.items()}


def calibrate(status_quo: pl.DataFrame, effects: Effects) -> Intercepts:
    """Intercepts that make the expected rates of ``status_quo`` placements equal the targets.

    ``status_quo`` holds the status-quo placements of one or more calibration cohorts, with
    the ``f_*`` features, ``region_code`` and the applicant flags.
    """
    if status_quo.height == 0:
        raise ValueError("calibration needs at least one status-quo placement")
    pred = Predictors.of(status_quo, effects)
    n = status_quo.height
    ones = np.ones(n)

    a_emp = solve_shift(
        lambda a: float(sigmoid(a + pred.employment).mean()), effects.target("employment_12m")
    )
    p_emp = sigmoid(a_emp + pred.employment)
    match = _regional(
        lambda a: sigmoid(a + pred.match),
        p_emp,  # the survey asked the employed
        pred.regions,
        effects.region_targets("job_education_match"),
        effects.target("job_education_match"),
    )
    partial = Intercepts(a_emp, match, {})
    p6 = p_emp * effects.share("employed_by_6m")

    def ret_rate(a: FloatArray) -> FloatArray:
        eta = a + pred.ret
        return p6 * sigmoid(eta) + (1.0 - p6) * sigmoid(eta + pred.not_employed)

    ret = _regional(
        ret_rate,
        ones,
        pred.regions,
        effects.region_targets("return_12m"),
        effects.target("return_12m"),
    )
    return Intercepts(partial.employment, match, ret)


def expected_rates(placed: pl.DataFrame, effects: Effects, intercepts: Intercepts) -> dict[str, float]:
    """Expected overall employment (staying), match (of the employed) and return rates."""
    p = probabilities(Predictors.of(placed, effects), intercepts, effects)
    return {
        "employment_12m": float(p["employed"].mean()),
        "job_education_match": _weighted_mean(p["match"], p["employed"]),
        "return_12m": float(p["return"].mean()),
    }
