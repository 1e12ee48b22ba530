"""Baselines run on the same model: greedy first-come and the corridor status quo."""

from __future__ import annotations

import numpy as np
import polars as pl

from matching.allocation.greedy import greedy_fill
from matching.allocation.instance import AllocationInstance
from matching.allocation.model import Problem


def _date_order(inst: AllocationInstance, problem: Problem) -> np.ndarray:
    day = inst.households["application_day"].fill_null(0).to_numpy()
    return np.lexsort((np.arange(problem.n_hh), day, ~problem.must_place))


def greedy_baseline(inst: AllocationInstance, problem: Problem) -> np.ndarray:
    """First come (by application day, locked first), each takes its best-scoring option left."""
    return greedy_fill(problem, _date_order(inst, problem), inst.options["score"].to_numpy())


def status_quo_baseline(
    inst: AllocationInstance, problem: Problem, earlier_movers: pl.DataFrame
) -> np.ndarray:
    """Corridor placement: households, by application day, go to the locality that most earlier
    movers from their origin region went to, among the options still open; fit score breaks
    ties and decides for households with no corridor at all.

    ``earlier_movers`` has columns ``origin_region, locality_id, movers``.
    """
    opts = inst.options.select("household_id", "locality_id", "score").with_row_index("row")
    origin = inst.households.select("household_id", "origin_region")
    movers = earlier_movers.select(
        pl.col("origin_region").cast(pl.Utf8), pl.col("locality_id").cast(pl.Utf8), "movers"
    )
    pref = (
        opts.join(origin, on="household_id", how="left")
        .join(movers, on=["origin_region", "locality_id"], how="left")
        .sort("row")
    )
    movers_n = pref["movers"].fill_null(0).to_numpy().astype(float)
    preference = movers_n * 10.0 + pref["score"].to_numpy()  # scores lie in [0, 1]
    return greedy_fill(problem, _date_order(inst, problem), preference)
