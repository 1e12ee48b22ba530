"""The outcome simulator: employment at 3/6/12 months, job–education match, return in 12 months.

A pure function of the placements, the effects (:mod:`matching.outcomes.effects`), the
calibrated intercepts (:mod:`matching.outcomes.calibrate`) and one uniform draw per household
and event. The draws come from the cohort's seed and the household id only, so every policy
of a back-test sees the same luck for the same household (common random numbers) and the
differences between policies are the placements' doing.

Per placed household (its primary earner):

* ``p_employed`` = σ(a_e + Σ β_e·x): employed by 12 months if the household stays; hired by 3
  and 6 months with the time profile's shares;
* ``p_match`` = σ(a_m[region] + Σ β_m·x): the job is in the member's field of education;
* ``p_return`` = σ(a_r[region] + Σ β_r·x + β_u·[not employed at 6 months]): back to the origin
  within 12 months, in a month drawn uniformly from 1 to 12; a household that returned is no
  longer employed in the destination after that month.

Features ``x`` are the placement's :data:`~matching.scoring.components.OUTCOME_FEATURES`
(``f_*`` columns) plus the applicant flags ``youth`` and ``woman``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.outcomes.effects import Effects
from matching.scoring.components import OUTCOME_FEATURES

FloatArray = npt.NDArray[np.float64]
FLAGS: tuple[str, ...] = ("youth", "woman")
FEATURES: tuple[str, ...] = (*OUTCOME_FEATURES, *FLAGS)
NOT_EMPLOYED = "not_employed_6m"  # the return effect of having no job at 6 months
OTHER_REGIONS = "*"
OUTCOME_COLUMNS: tuple[str, ...] = (
    "employed_3m", "employed_6m", "employed_12m", "job_education_match", "returned_12m",
    "return_month",
)  # fmt: skip


@dataclass(frozen=True)
class Intercepts:
    """Calibrated intercepts: one for employment, one per region for match and return
    (:data:`OTHER_REGIONS` for regions without an observed figure)."""

    employment: float
    match: Mapping[str, float] = field(default_factory=dict)
    ret: Mapping[str, float] = field(default_factory=dict)

    def per_row(self, table: Mapping[str, float], regions: npt.NDArray[np.object_]) -> FloatArray:
        other = table.get(OTHER_REGIONS, 0.0)
        return np.array([table.get(r, other) for r in regions.tolist()], dtype=np.float64)


def sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def feature_matrix(placed: pl.DataFrame) -> dict[str, FloatArray]:
    """Feature arrays of placed options (``f_*`` columns and the applicant flags)."""
    out = {k: placed[f"f_{k}"].cast(pl.Float64).to_numpy() for k in OUTCOME_FEATURES}
    out["youth"] = placed["youth"].cast(pl.Float64).to_numpy()
    out["woman"] = placed["women"].cast(pl.Float64).to_numpy()
    return out


def linear(effects: Mapping[str, float], x: Mapping[str, FloatArray], n: int) -> FloatArray:
    """Σ β·x over the effects' features (:data:`NOT_EMPLOYED` left out)."""
    eta = np.zeros(n)
    for name, beta in effects.items():
        if name == NOT_EMPLOYED:
            continue
        if name not in x:
            raise KeyError(f"effect on unknown feature {name!r}; known: {sorted(x)}")
        eta = eta + beta * x[name]
    return eta


@dataclass(frozen=True)
class Predictors:
    """Linear predictors (without intercepts) of the placements, and the regions."""

    employment: FloatArray
    match: FloatArray
    ret: FloatArray
    not_employed: float
    regions: npt.NDArray[np.object_]

    @classmethod
    def of(cls, placed: pl.DataFrame, effects: Effects) -> Predictors:
        x = feature_matrix(placed)
        n = placed.height
        ret = effects.of("return_12m")
        return cls(
            employment=linear(effects.of("employment"), x, n),
            match=linear(effects.of("job_education_match"), x, n),
            ret=linear(ret, x, n),
            not_employed=float(ret.get(NOT_EMPLOYED, 0.0)),
            regions=placed["region_code"].cast(pl.Utf8).to_numpy().astype(object),
        )


def probabilities(
    pred: Predictors, intercepts: Intercepts, effects: Effects
) -> dict[str, FloatArray]:
    """Expected rates per placement: employed by 12 months (staying), job–education match
    when employed, and return within 12 months (over the 6-month employment draw)."""
    p_emp = sigmoid(intercepts.employment + pred.employment)
    p_match = sigmoid(intercepts.per_row(intercepts.match, pred.regions) + pred.match)
    a_r = intercepts.per_row(intercepts.ret, pred.regions) + pred.ret
    p6 = p_emp * effects.share("employed_by_6m")
    p_ret = p6 * sigmoid(a_r) + (1.0 - p6) * sigmoid(a_r + pred.not_employed)
    return {"employed": p_emp, "match": p_match, "return": p_ret, "return_logit": a_r}


def household_draws(seed: int, n_households: int) -> FloatArray:
    """Five uniform draws per household of a cohort (rows in the cohort's household order),
    fixed by the seed alone: every policy reads the same row for the same household."""
    return np.random.default_rng([seed, 2026]).random((n_households, 5))


def simulate(
    placed: pl.DataFrame,
    effects: Effects,
    intercepts: Intercepts,
    draws: FloatArray,
) -> pl.DataFrame:
    """Outcomes of placed households: ``placed`` with :data:`OUTCOME_COLUMNS` added.

    ``draws`` has one row of five uniforms per row of ``placed``: the rows of
    :func:`household_draws` of the placed households.
    """
    if placed.height == 0:
        return placed.with_columns(
            *(pl.lit(False).alias(c) for c in OUTCOME_COLUMNS[:-1]),
            pl.lit(0, dtype=pl.Int64).alias("return_month"),
        )
    pred = Predictors.of(placed, effects)
    p = probabilities(pred, intercepts, effects)
    u_emp, u_time, u_match, u_ret, u_month = (draws[:, j] for j in range(5))
    employed = u_emp < p["employed"]
    by_3m = employed & (u_time < effects.share("employed_by_3m"))
    by_6m = employed & (u_time < effects.share("employed_by_6m"))
    p_ret = sigmoid(p["return_logit"] + pred.not_employed * (~by_6m))
    returned = u_ret < p_ret
    month = np.where(returned, 1 + np.minimum((u_month * 12).astype(np.int64), 11), 0)
    employed_12m = employed & ~returned
    return placed.with_columns(
        employed_3m=pl.Series(by_3m & ~(returned & (month <= 3))),
        employed_6m=pl.Series(by_6m & ~(returned & (month <= 6))),
        employed_12m=pl.Series(employed_12m),
        job_education_match=pl.Series(employed_12m & (u_match < p["match"])),
        returned_12m=pl.Series(returned),
        return_month=pl.Series(month, dtype=pl.Int64),
    )
