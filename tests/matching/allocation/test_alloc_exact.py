"""Solvers against brute force on tiny random problems, and bounds against optima."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.allocation.cpsat import solve_cpsat
from matching.allocation.greedy import greedy_fill, weight_order
from matching.allocation.lp import dual_bound, solve_lp, solve_lp_colgen
from matching.allocation.mip import solve_mip
from matching.allocation.model import Problem


@st.composite
def tiny_problems(draw: st.DrawFn) -> Problem:
    n_hh = draw(st.integers(1, 5))
    per = [draw(st.integers(0, 3)) for _ in range(n_hh)]
    opt_hh = np.repeat(np.arange(n_hh), per)
    n = int(opt_hh.size)
    n_res = draw(st.integers(1, 3))
    usage = np.array(
        [[draw(st.integers(0, 3)) for _ in range(n_res)] for _ in range(n)], dtype=np.int64
    ).reshape(n, n_res)
    cap = np.array([draw(st.integers(0, 6)) for _ in range(n_res)], dtype=np.int64)
    weight = np.array([draw(st.integers(1, 1000)) for _ in range(n)], dtype=np.int64)
    must = np.array([draw(st.booleans()) and draw(st.booleans()) for _ in range(n_hh)])
    return Problem(
        opt_hh=opt_hh,
        n_hh=n_hh,
        weight=weight,
        usage=sp.csr_matrix(usage),
        capacity=cap,
        must_place=must,
    )


def feasible_allocations(p: Problem) -> Iterator[np.ndarray]:
    """Every 0/1 allocation of ``p`` that keeps all its rows (each household on one option or none)."""
    choices = [[-1, *np.flatnonzero(p.opt_hh == h).tolist()] for h in range(p.n_hh)]
    for combo in itertools.product(*choices):
        x = np.zeros(p.n_options, dtype=bool)
        x[[j for j in combo if j >= 0]] = True
        if not any(p.violations(x).values()):
            yield x


def brute_force(p: Problem) -> int | None:
    """Best objective over all assignments, or None when no assignment is feasible."""
    return max((p.objective(x) for x in feasible_allocations(p)), default=None)


@settings(max_examples=60, deadline=None)
@given(tiny_problems())
def test_cpsat_and_mip_reach_the_brute_force_optimum(p: Problem) -> None:
    expected = brute_force(p)
    cp = solve_cpsat(p, time_limit=5, workers=1, seed=1)
    mip = solve_mip(p, time_limit=5)
    if expected is None:
        assert cp.status == "infeasible"
        assert mip.status == "infeasible"
        return
    assert cp.status == "optimal" and cp.objective == expected
    assert not any(p.violations(cp.x).values())
    assert mip.objective == expected


@settings(max_examples=60, deadline=None)
@given(tiny_problems(), st.lists(st.floats(0, 500), min_size=3, max_size=3))
def test_lp_and_any_dual_prices_bound_the_optimum(p: Problem, prices: list[float]) -> None:
    expected = brute_force(p)
    lp = solve_lp(p)
    if expected is None:
        return
    assert lp.status == "optimal"
    assert lp.bound >= expected - 1e-6
    cg = solve_lp_colgen(p, initial_per_household=1, add_per_household=1, tolerance=0.0)
    assert cg.bound >= expected - 1e-6
    # Lagrangian bound holds for arbitrary non-negative prices (no locks: the 0 option exists).
    if not p.must_place.any():
        lam = np.array(prices[: p.capacity.shape[0]])
        bound, _ = dual_bound(p, lam, np.zeros(0))
        assert bound >= expected - 1e-6


@settings(max_examples=60, deadline=None)
@given(tiny_problems())
def test_greedy_never_violates_a_capacity_or_splits(p: Problem) -> None:
    free = Problem(p.opt_hh, p.n_hh, p.weight, p.usage, p.capacity, np.zeros(p.n_hh, dtype=bool))
    x = greedy_fill(free, weight_order(free), free.weight.astype(float))
    assert not any(free.violations(x).values())
    expected = brute_force(free)
    assert expected is not None and free.objective(x) <= expected
