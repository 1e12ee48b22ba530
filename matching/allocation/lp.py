"""LP relaxation of the allocation model (HiGHS through scipy): the bound and a guide.

The relaxation replaces ``x ∈ {0, 1}`` by ``0 ≤ x ≤ 1``. Its optimum is an upper bound on any
allocation's objective, and on assignment-with-capacities models it is nearly integral, so
most households are already decided by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from matching.allocation.model import Problem, take_options

# Interior point with crossover: on the restricted LPs of a 5,000-household contended batch it
# measured 1.9 s against 10.3 s for dual simplex (same vertex objective; see
# docs/allocation.md), and crossover still returns a vertex for LP fixing.
_LP_METHOD = "highs-ipm"


@dataclass(frozen=True)
class LPResult:
    """Solution of the relaxation.

    Attributes
    ----------
    status
        "optimal", "infeasible" or "error".
    bound
        Optimal LP objective (upper bound on the integer optimum); ``nan`` if not optimal.
    x
        LP values per option.
    resource_price
        Dual price of each resource row (≥ 0, in objective units per unit of resource).
    """

    status: str
    bound: float
    x: np.ndarray
    resource_price: np.ndarray
    fair_price: np.ndarray = field(default_factory=lambda: np.zeros(0))
    household_price: np.ndarray = field(default_factory=lambda: np.zeros(0))
    active: np.ndarray | None = None
    # Floor units the solution is short by (only with ``elastic`` floors; 0 otherwise).
    shortfall: float = 0.0


def solve_lp(problem: Problem, *, time_limit: float = 600.0) -> LPResult:
    """Solve the LP relaxation with HiGHS (interior point with crossover, so the solution is a vertex).

    Parameters
    ----------
    problem
        The model arrays.
    time_limit
        Seconds.

    Returns
    -------
    LPResult
    """
    return _solve_lp_full(problem, time_limit=time_limit)


def _solve_lp_full(problem: Problem, *, time_limit: float = 600.0, elastic: float = 0.0) -> LPResult:
    """HiGHS (interior point with crossover) on the whole relaxation.

    With ``elastic`` > 0 each floor row gets a shortfall variable costing ``elastic`` per
    unit, so the LP is feasible whatever options it holds; its floor prices are then at most
    ``elastic`` (still valid prices for :func:`dual_bound`), and ``bound`` is the penalized
    objective."""
    n = problem.n_options
    if n == 0:
        ok = not problem.must_place.any() and bool(np.all(problem.fair_lb <= 0))
        n_res = problem.capacity.shape[0]
        return LPResult(
            "optimal" if ok else "infeasible", 0.0 if ok else float("nan"), np.zeros(0),
            np.zeros(n_res), np.zeros(problem.fair_lb.shape[0]), np.zeros(problem.n_hh),
        )
    inc = problem.incidence()
    free = ~problem.must_place
    blocks = [inc[free], problem.usage.T.tocsr()]
    rhs = [np.ones(int(free.sum())), problem.capacity.astype(float)]
    if problem.fair.shape[0]:
        blocks.append(-problem.fair)
        rhs.append(-problem.fair_lb.astype(float))
    a_ub = sp.vstack(blocks, format="csr").astype(float)
    b_ub = np.concatenate(rhs)
    a_eq = inc[problem.must_place].astype(float) if problem.must_place.any() else None
    b_eq = np.ones(int(problem.must_place.sum())) if a_eq is not None else None
    cost = -problem.weight.astype(float)
    bounds: list[tuple[float, float | None]] | tuple[float, float] = (0.0, 1.0)
    k = problem.fair_lb.shape[0] if elastic > 0 else 0
    if k:
        # Shortfall columns: −s on each floor row (−fair x − s ≤ −lb), cost ``elastic``.
        top = a_ub.shape[0] - k
        short = sp.vstack([sp.csr_matrix((top, k)), -sp.identity(k, format="csr")], format="csr")
        a_ub = sp.hstack([a_ub, short], format="csr")
        if a_eq is not None:
            a_eq = sp.hstack([a_eq, sp.csr_matrix((a_eq.shape[0], k))], format="csr")
        cost = np.concatenate([cost, np.full(k, float(elastic))])
        bounds = [(0.0, 1.0)] * n + [(0.0, None)] * k
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=bounds,
        method=_LP_METHOD,
        options={"time_limit": time_limit, "presolve": True},
    )
    n_res = problem.capacity.shape[0]
    if res.status == 2:
        return LPResult("infeasible", float("nan"), np.zeros(n), np.zeros(n_res))
    if res.status != 0 or res.x is None:
        return LPResult("error", float("nan"), np.zeros(n), np.zeros(n_res))
    n_free = int(free.sum())
    marg = np.asarray(res.ineqlin.marginals)
    price = np.maximum(-marg[n_free : n_free + n_res], 0.0)
    fair_price = np.maximum(-marg[n_free + n_res :], 0.0)
    hh_price = np.zeros(problem.n_hh)
    hh_price[free] = np.maximum(-marg[:n_free], 0.0)
    if a_eq is not None:
        hh_price[problem.must_place] = -np.asarray(res.eqlin.marginals)
    shortfall = float(res.x[n:].sum()) if k else 0.0
    return LPResult(
        "optimal", float(-res.fun), np.clip(res.x[:n], 0.0, 1.0), price, fair_price, hh_price,
        shortfall=shortfall,
    )  # fmt: skip


def household_prices(problem: Problem, reduced: np.ndarray) -> np.ndarray:
    """``π_h``: each household's best reduced value, at least 0 unless the household is locked
    (0 for a household without options)."""
    best = np.full(problem.n_hh, -np.inf)
    np.maximum.at(best, problem.opt_hh, reduced)
    best = np.where(problem.must_place, best, np.maximum(best, 0.0))
    best[~np.isfinite(best)] = 0.0
    return best


def dual_bound(problem: Problem, resource_price: np.ndarray, fair_price: np.ndarray) -> tuple[float, np.ndarray]:
    """A valid upper bound from any prices ``λ ≥ 0`` on resources and ``μ ≥ 0`` on fairness.

    Each household takes its best reduced value ``max(0, max_j c_j − λ·a_j + μ·f_j)`` (no ``0``
    for a locked household); the bound adds ``λ·capacity − μ·lb``. This is the LP dual with
    the household prices chosen optimally for the given ``λ, μ``, so it bounds the integer
    optimum whatever the prices are. Also returns the reduced values per option.
    """
    reduced = problem.weight.astype(float) - problem.usage @ resource_price
    if problem.fair.shape[0]:
        reduced += problem.fair.T @ fair_price
    best = household_prices(problem, reduced)
    bound = float(best.sum() + resource_price @ problem.capacity)
    if problem.fair.shape[0]:
        bound -= float(fair_price @ problem.fair_lb)
    return bound, reduced


# Price of one unit of floor shortfall in the elastic restricted LP, in units of the largest
# objective weight: far above what meeting a floor can cost, so the shortfall is used only
# when the restricted options cannot meet the floor at all.
_ELASTIC_PRICE = 10.0


def solve_lp_colgen(
    problem: Problem,
    *,
    initial_per_household: int = 4,
    add_per_household: int = 4,
    max_rounds: int = 30,
    tolerance: float = 1e-4,
    time_limit: float = 600.0,
    active: np.ndarray | None = None,
) -> LPResult:
    """LP relaxation by column generation over options.

    The restricted LP holds each household's best few options; options with positive
    reduced value under its prices are added until none is left (then the restricted optimum
    is the full LP optimum) or the relative distance between the restricted optimum and the
    dual bound of :func:`dual_bound` is below ``tolerance``. The reported ``bound`` is always
    the dual bound, valid for the full problem. ``active`` (bool per option) adds options to
    the first restricted LP, e.g. those of an earlier solve of the same options, or a plan
    known to keep every row.

    With fairness floors or locks the best few options per household can leave the
    restricted LP infeasible, which says nothing about the full LP. Going to every option at
    once is slow (the full LP of a 5,000-household back-test cohort with floors: 11.5 s,
    against 0.8 s for the restricted one), so instead the floors become elastic (a shortfall
    costs :data:`_ELASTIC_PRICE` times the largest weight per unit): the restricted LP is
    then feasible, its floor prices bring in the options that meet the floors, and the
    shortfall goes to 0 when the full LP meets them. Only if it does not, or if locks make
    the restricted LP infeasible, are the options widened (twice as many per household,
    up to all of them), and only the full LP may report "infeasible".
    """
    import time

    t0 = time.perf_counter()
    n = problem.n_options
    start = np.searchsorted(problem.opt_hh, np.arange(problem.n_hh), side="left")
    order = np.lexsort((-problem.weight, problem.opt_hh))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - start[problem.opt_hh[order]]
    per = initial_per_household
    active = rank < per if active is None else active | (rank < per)
    best_x = np.zeros(n)
    best_bound = np.inf
    price = np.zeros(problem.capacity.shape[0])
    fair_price = np.zeros(problem.fair_lb.shape[0])
    status = "error"
    elastic = 0.0
    for _ in range(max_rounds):
        idx = np.flatnonzero(active)
        sub = take_options(problem, idx)
        remaining = time_limit - (time.perf_counter() - t0)
        res = _solve_lp_full(sub, time_limit=max(remaining, 1.0), elastic=elastic)
        if res.status != "optimal":
            if res.status == "infeasible" and active.all() and elastic == 0.0:
                return res
            if res.status == "infeasible":
                if problem.fair.shape[0] and elastic == 0.0:
                    elastic = _ELASTIC_PRICE * float(max(problem.weight.max(initial=0), 1))
                elif active.all():
                    elastic = 0.0  # locks, not floors: only the full LP can say
                else:
                    per *= 2
                    active |= rank < per
                continue
            if status != "optimal":
                status = res.status
            break  # out of time: keep the previous round's solution and bound
        status = "optimal"
        x = np.zeros(n)
        x[idx] = res.x
        bound, reduced = dual_bound(problem, res.resource_price, res.fair_price)
        if bound < best_bound:
            best_bound, price, fair_price = bound, res.resource_price, res.fair_price
        best_x = x
        gap = (best_bound - res.bound) / max(abs(best_bound), 1.0)
        candidates = (~active) & (reduced - res.household_price[problem.opt_hh] > 1e-6)
        if (gap <= tolerance or not candidates.any()) and res.shortfall > 1e-6:
            # Still short of a floor with nothing left to price in: decide on every option
            # without elasticity (this is where an unreachable floor is found).
            if active.all() and elastic == 0.0:
                break
            active[:] = True
            elastic = 0.0
            continue
        if gap <= tolerance or not candidates.any():
            break
        # Add each household's best few priced-out options.
        cand = np.flatnonzero(candidates)
        o = cand[np.lexsort((-reduced[cand], problem.opt_hh[cand]))]
        first = np.r_[True, problem.opt_hh[o][1:] != problem.opt_hh[o][:-1]]
        grp_start = np.maximum.accumulate(np.where(first, np.arange(o.size), 0))
        active[o[(np.arange(o.size) - grp_start) < add_per_household]] = True
        if time.perf_counter() - t0 > time_limit:
            break
    return LPResult(status, float(best_bound), best_x, price, fair_price, active=active)
