"""Stability audit of an allocation.

Definitions (documented in docs/allocation.md):

- household ``h`` *prefers* locality ``l`` when its best remaining option in ``l`` has a
  higher fit score than the option it got (any option beats staying unplaced);
- locality ``l`` *prefers* ``h`` over one of its placed households ``h'`` when ``h``'s
  priority-weighted score in ``l`` (the objective coefficient) exceeds ``h'``'s and ``h`` has
  no more persons than ``h'`` (so ``h`` fits in the room ``h'`` takes, as far as persons go).

A pair ``(h, l)`` is *blocking* when both hold. Resources other than persons (home size,
seats, posts) are not compared, so the count is an upper bound on blocking pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from matching.allocation.instance import AllocationInstance


@dataclass(frozen=True)
class StabilityAudit:
    """Blocking household–locality pairs of an allocation."""

    blocking_pairs: int
    households_with_blocking_pair: int
    households: int


def stability_audit(inst: AllocationInstance, x: np.ndarray) -> StabilityAudit:
    """Count blocking household–locality pairs (vectorized over options)."""
    opt_hh = inst.opt_hh
    loc = inst.options["locality_id"].to_numpy()
    _, loc_idx = np.unique(loc, return_inverse=True)
    score = inst.options["score"].to_numpy()
    weight = inst.weight
    persons = inst.households["persons"].to_numpy().astype(np.int64)
    current = np.zeros(inst.n_households)
    current[opt_hh[x]] = score[x]
    placed_loc = np.full(inst.n_households, -1)
    placed_loc[opt_hh[x]] = loc_idx[x]

    # min_w[l, p]: smallest weight among l's residents with at least p persons.
    n_loc = int(loc_idx.max()) + 1 if loc_idx.size else 0
    max_p = int(persons.max()) + 1 if persons.size else 1
    min_w = np.full((n_loc, max_p + 1), np.inf)
    res = np.flatnonzero(x)
    np.minimum.at(min_w, (loc_idx[res], persons[opt_hh[res]]), weight[res].astype(float))
    min_w = np.minimum.accumulate(min_w[:, ::-1], axis=1)[:, ::-1]

    cand = (score > current[opt_hh]) & (loc_idx != placed_loc[opt_hh])
    block_opt = cand & (weight > min_w[loc_idx, np.minimum(persons[opt_hh], max_p)])
    pairs = (
        pl.DataFrame({"h": opt_hh[block_opt], "l": loc_idx[block_opt]}).unique()
        if block_opt.any()
        else pl.DataFrame({"h": [], "l": []})
    )
    return StabilityAudit(
        blocking_pairs=pairs.height,
        households_with_blocking_pair=int(pairs["h"].n_unique()) if pairs.height else 0,
        households=inst.n_households,
    )
