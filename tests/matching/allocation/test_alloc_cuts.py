"""Knapsack cuts: never cut off an allocation, do cut off fractional fills, tighten the bound."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.allocation.cuts import feasible_options, knapsack_rows, separate, with_cuts
from matching.allocation.lp import solve_lp_colgen
from matching.allocation.model import Problem, problem_from_instance, take_options
from matching.allocation.solve import AllocationConfig, _solve
from matching.synthetic.batch import generate_programme
from tests.matching.allocation.test_alloc_exact import brute_force, feasible_allocations


@st.composite
def seat_problems(draw: st.DrawFn) -> tuple[Problem, np.ndarray]:
    """Households needing 1–5 seats of a few small rows, and an arbitrary point ``x``."""
    n_hh = draw(st.integers(1, 6))
    per = [draw(st.integers(1, 3)) for _ in range(n_hh)]
    opt_hh = np.repeat(np.arange(n_hh), per)
    n = int(opt_hh.size)
    n_res = draw(st.integers(1, 3))
    usage = np.array(
        [[draw(st.integers(0, 5)) for _ in range(n_res)] for _ in range(n)], dtype=np.int64
    ).reshape(n, n_res)
    cap = np.array([draw(st.integers(0, 9)) for _ in range(n_res)], dtype=np.int64)
    weight = np.array([draw(st.integers(1, 1000)) for _ in range(n)], dtype=np.int64)
    x = np.array([draw(st.floats(0, 1)) for _ in range(n)])
    p = Problem(
        opt_hh=opt_hh,
        n_hh=n_hh,
        weight=weight,
        usage=sp.csr_matrix(usage),
        capacity=cap,
        must_place=np.zeros(n_hh, dtype=bool),
    )
    return p, x


@settings(max_examples=150, deadline=None)
@given(seat_problems())
def test_no_cut_removes_an_allocation(case: tuple[Problem, np.ndarray]) -> None:
    p, x = case
    rows = np.arange(p.capacity.size)
    cuts = separate(p, x, rows)
    for alloc in feasible_allocations(p):
        assert np.all(cuts.coef.T @ alloc.astype(np.int64) <= cuts.rhs)
    # Every cut returned is violated by the point it was separated from.
    if cuts.n_cuts:
        assert np.all(cuts.coef.T @ x > cuts.rhs)


@settings(max_examples=60, deadline=None)
@given(seat_problems())
def test_lp_with_cuts_still_bounds_the_optimum(case: tuple[Problem, np.ndarray]) -> None:
    p, _ = case
    best = brute_force(p)
    assert best is not None  # placing nobody is always feasible here
    lp = solve_lp_colgen(p, tolerance=0.0)
    cuts = separate(p, lp.x, knapsack_rows(p))
    tight = solve_lp_colgen(with_cuts(p, cuts), tolerance=0.0)
    assert tight.bound >= best - 1e-6
    assert tight.bound <= lp.bound + 1e-6


def test_two_thirds_of_a_family_in_the_last_seats_is_cut_off() -> None:
    # Four kindergarten seats; two families of three children each. The LP places one family
    # and a third of the other; no allocation places both.
    p = Problem(
        opt_hh=np.array([0, 1]),
        n_hh=2,
        weight=np.array([900, 900]),
        usage=sp.csr_matrix(np.array([[3], [3]])),
        capacity=np.array([4]),
        must_place=np.zeros(2, dtype=bool),
    )
    lp = solve_lp_colgen(p, tolerance=0.0)
    assert lp.bound > 900 + 1
    cuts = separate(p, lp.x, knapsack_rows(p))
    assert cuts.n_cuts == 1
    # "At most one of the two families" (as a cover, or the same row scaled by rounding).
    coef, rhs = cuts.coef.toarray().ravel(), int(cuts.rhs[0])
    assert rhs > 0 and (coef / rhs).tolist() == [1.0, 1.0]
    assert abs(solve_lp_colgen(with_cuts(p, cuts), tolerance=0.0).bound - 900) < 1e-6


def test_options_larger_than_a_row_are_dropped_and_no_other() -> None:
    p = Problem(
        opt_hh=np.array([0, 0, 1]),
        n_hh=2,
        weight=np.array([5, 4, 3]),
        usage=sp.csr_matrix(np.array([[3, 0], [2, 1], [0, 2]])),
        capacity=np.array([2, 2]),
        must_place=np.zeros(2, dtype=bool),
    )
    assert feasible_options(p).tolist() == [1, 2]
    assert take_options(p, feasible_options(p)).n_options == 2


def test_pipeline_with_cuts_proves_a_tighter_gap_and_stays_feasible() -> None:
    inst = generate_programme(
        400, seed=11, options_per_household=12, contended_regions=2
    ).instance()
    p = problem_from_instance(inst)
    base = AllocationConfig(
        time_limit=20, deterministic=True, exact_max_options=0, bound_time_share=0
    )
    _, x0, bound0, _, _ = _solve(p, replace(base, cut_rounds=0), lambda *a: None)
    _, x1, bound1, _, phases = _solve(p, base, lambda *a: None)
    assert phases["cut_rows"] > 0
    assert bound1 < bound0
    for x, bound in ((x0, bound0), (x1, bound1)):
        assert not any(p.violations(x).values())
        assert p.objective(x) <= bound + 1e-6
