"""A bound tighter than the LP: Lagrangian decomposition by destination.

The LP relaxation is loose on contended batches because the destination rows (a locality's
persons, kindergarten and school seats, centre beds, a home stock, a vacancy's posts) take
integer amounts that the LP fills fractionally. Dualizing the rows that link destinations —
each household's "at most one option" row and the region-wide rows (quotas, budget) — with
the LP's prices leaves one small integer problem per group of destinations that share rows:

``bound = Σ_h π_h + λ_soft · capacity_soft + Σ_groups max { Σ (c_j − π_h − λ_soft·a_j) x_j :
destination rows }``.

This is a Lagrangian bound, valid for any prices (``π`` free for locked households, ``≥ 0``
otherwise, ``λ ≥ 0``). With ``π`` chosen as in :func:`matching.allocation.lp.dual_bound`,
every option's full reduced value ``c_j − π_h − λ·a_j`` is ≤ 0, so each group's LP value is at
most ``λ_hard · capacity`` over its rows and the bound never exceeds the LP dual bound. Only
options with a positive value after the soft prices enter a group, so the groups are small.
A group not solved in time keeps its LP share, so a bound cut short is still valid.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from matching.allocation.lp import dual_bound, household_prices
from matching.allocation.mip import solve_mip
from matching.allocation.model import Problem

# Group objectives are scaled to integers for HiGHS; 1e3 keeps three decimals of the
# (fractional) reduced values, far below one unit of the objective.
_SCALE = 1e3


@dataclass(frozen=True)
class DecomposedBound:
    """Result of :func:`destination_bound`.

    Attributes
    ----------
    bound
        Valid upper bound on the integer optimum (≤ ``lp_bound``).
    lp_bound
        The dual bound of the same prices (the LP bound it tightens).
    groups
        Groups of destination rows with more than one candidate option.
    groups_solved
        Groups whose integer problem finished (proven or with HiGHS's dual bound).
    options
        Options with a positive value after the soft prices (the only ones that matter).
    """

    bound: float
    lp_bound: float
    groups: int
    groups_solved: int
    options: int


def destination_bound(
    problem: Problem,
    resource_price: np.ndarray,
    soft_rows: np.ndarray,
    *,
    time_limit: float = 10.0,
    group_time_limit: float = 2.0,
) -> DecomposedBound:
    """Tighten the LP dual bound by solving the destination groups as integer problems.

    Parameters
    ----------
    problem
        The full model (without fairness rows: their prices are not part of the input).
    resource_price
        ``λ ≥ 0`` per resource row, e.g. the column-generation prices.
    soft_rows
        Boolean per resource row: rows dualized with their price (region quotas, budgets);
        the others are kept as hard rows of the groups.
    time_limit
        Seconds for all groups; groups left over keep their LP share.
    group_time_limit
        Seconds per group (HiGHS's dual bound is used when it stops early).

    Returns
    -------
    DecomposedBound
    """
    if problem.fair.shape[0]:
        raise ValueError("the destination bound needs fairness prices; use the LP bound")
    t0 = time.perf_counter()
    price = np.maximum(resource_price, 0.0)
    lp_bound, reduced = dual_bound(problem, price, np.zeros(0))
    pi = household_prices(problem, reduced)
    hard = ~soft_rows
    hard_price = np.where(hard, price, 0.0)
    # Value of an option inside its group: its reduced value plus the hard prices it pays.
    value = reduced - pi[problem.opt_hh] + problem.usage @ hard_price
    cand = np.flatnonzero(value > 1e-7)
    if cand.size == 0:
        return DecomposedBound(float(lp_bound), float(lp_bound), 0, 0, 0)
    usage_h = problem.usage[cand][:, hard].tocsr()
    n_hard = int(hard.sum())
    capacity_h = problem.capacity[hard]
    price_h = price[hard]
    # Groups: options linked through the hard rows they use.
    coo = usage_h.tocoo()
    n = cand.size
    graph = sp.coo_matrix(
        (np.ones(coo.nnz), (coo.row, n + coo.col)), shape=(n + n_hard, n + n_hard)
    )
    _, label = connected_components(graph, directed=False)
    opt_label = label[:n]
    row_label = label[n:]
    # LP share of every group: λ·capacity over its hard rows (a valid group upper bound).
    used_rows = np.zeros(n_hard, dtype=bool)
    used_rows[coo.col] = True
    share = np.bincount(
        row_label[used_rows], weights=(price_h * capacity_h)[used_rows], minlength=label.max() + 1
    )
    saving = 0.0
    order = np.argsort(opt_label, kind="stable")
    bounds = np.flatnonzero(np.r_[True, np.diff(opt_label[order]) != 0, True])
    groups = bounds.size - 1
    solved = 0
    # Groups with the largest LP share first: when time runs out, the rest matter least.
    first = order[bounds[:-1]]
    for g in np.argsort(-share[opt_label[first]], kind="stable"):
        members = order[bounds[g] : bounds[g + 1]]
        lab = int(opt_label[members[0]])
        if members.size == 1:
            # One option: it is worth its value if it fits the group's rows, else nothing.
            j = int(members[0])
            row = usage_h[j]
            fits = bool(np.all(row.data <= capacity_h[row.indices]))
            best = float(value[cand[j]]) if fits else 0.0
        else:
            if time.perf_counter() - t0 > time_limit:
                continue
            hh, local_hh = np.unique(problem.opt_hh[cand[members]], return_inverse=True)
            rows = np.unique(usage_h[members].indices)
            sub = Problem(
                opt_hh=local_hh.astype(np.int64),
                n_hh=int(hh.size),
                weight=np.floor(value[cand[members]] * _SCALE).astype(np.int64),
                usage=usage_h[members][:, rows].tocsr(),
                capacity=capacity_h[rows],
                must_place=np.zeros(hh.size, dtype=bool),
            )
            # HiGHS needs one household row per household: restore option order by household.
            by_hh = np.argsort(sub.opt_hh, kind="stable")
            sub = Problem(
                opt_hh=sub.opt_hh[by_hh], n_hh=sub.n_hh, weight=sub.weight[by_hh],
                usage=sub.usage[by_hh], capacity=sub.capacity, must_place=sub.must_place,
            )
            left = time_limit - (time.perf_counter() - t0)
            res = solve_mip(sub, time_limit=max(min(group_time_limit, left), 0.1), gap=1e-9)
            if not np.isfinite(res.bound):
                continue
            # Flooring the weights lowered each by < 1/_SCALE; add that back to stay valid.
            best = (res.bound + members.size) / _SCALE
            solved += 1
        saving += max(share[lab] - best, 0.0)
    return DecomposedBound(float(lp_bound - saving), float(lp_bound), int(groups), solved, int(cand.size))
