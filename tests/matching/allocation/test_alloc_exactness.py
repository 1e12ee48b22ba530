"""Exactness of the whole pipeline on instances small enough to enumerate: the reported bound
is never below the true optimum, the plan is within the reported gap of it, no row is
exceeded, no household split, and the exact path returns the optimum — on every route
(HiGHS alone, the decomposition alone, both side by side)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.allocation import AllocationConfig, allocate
from matching.allocation.model import Problem, problem_from_instance
from matching.allocation.solve import _solve
from matching.synthetic.batch import generate_programme
from tests.matching.allocation.test_alloc_exact import brute_force, tiny_problems

ROUTES = {
    # One worker: HiGHS alone first (deterministic).
    "exact": AllocationConfig(deterministic=True, time_limit=5),
    # The LP decomposition only (cuts, window, residual, search).
    "decomposition": AllocationConfig(deterministic=True, time_limit=5, exact_max_options=0),
    # HiGHS and the decomposition side by side on two workers.
    "side_by_side": AllocationConfig(workers=2, time_limit=5),
}


def _no_progress(phase: str, fraction: float, message: str) -> None:
    return None


def check_route(p: Problem, config: AllocationConfig) -> tuple[str, int, float]:
    expected = brute_force(p)
    status, x, bound, _, _ = _solve(p, config, _no_progress)
    if expected is None:
        assert status == "infeasible"
        return status, 0, bound
    assert status in ("optimal", "feasible")
    assert not any(p.violations(x).values())  # no row exceeded, nobody split, locks kept
    objective = p.objective(x)
    assert bound >= expected - 1e-6  # the bound is a bound
    assert objective <= expected
    # The plan is within the gap it reports: optimum − objective ≤ bound − objective.
    assert expected - objective <= bound - objective + 1e-6
    if status == "optimal":
        assert objective == expected
    return status, objective, bound


@settings(max_examples=40, deadline=None)
@given(tiny_problems(), st.sampled_from(sorted(ROUTES)))
def test_every_route_keeps_its_bound_and_gap_honest(p: Problem, route: str) -> None:
    check_route(p, ROUTES[route])


@settings(max_examples=40, deadline=None)
@given(tiny_problems())
def test_the_exact_path_returns_the_optimum(p: Problem) -> None:
    expected = brute_force(p)
    status, objective, _ = check_route(p, ROUTES["exact"])
    if expected is not None:
        assert status == "optimal" and objective == expected


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 3), st.sampled_from(sorted(ROUTES)))
def test_generated_batches_match_enumeration(seed: int, contended: int, route: str) -> None:
    # Seven households with up to three options each: at most 4**7 allocations to enumerate.
    prog = generate_programme(
        7, seed=seed, options_per_household=3, localities_per_region=1, contended_regions=contended
    )
    inst = prog.instance()
    res = allocate(inst, ROUTES[route])
    p = problem_from_instance(inst)
    expected = brute_force(p)
    assert expected is not None  # nobody is locked, so leaving everyone out is feasible
    assert not any(p.violations(res.x).values())
    placed = inst.opt_hh[res.x]
    assert np.unique(placed).size == placed.size
    assert res.best_bound >= expected >= res.objective
    assert expected - res.objective <= res.best_bound - res.objective
    if res.status == "optimal" or route == "exact":
        assert res.objective == expected


def test_an_allocation_offered_to_highs_is_kept_and_the_bound_flows_back() -> None:
    from matching.allocation.greedy import greedy_fill, weight_order
    from matching.allocation.mip import MipLink, solve_mip

    inst = generate_programme(60, seed=3, options_per_household=6, contended_regions=2).instance()
    p = problem_from_instance(inst)
    x0 = greedy_fill(p, weight_order(p), p.weight.astype(float))
    link = MipLink(gap=0.0)
    link.offer(x0, p.objective(x0))
    res = solve_mip(p, time_limit=20, link=link)
    assert res.status in ("optimal", "feasible")
    assert not any(p.violations(res.x).values())
    assert res.objective >= p.objective(x0)
    # The link ends with HiGHS's final bound and the best allocation known to both sides.
    assert link.bound >= res.objective and link.best_objective >= res.objective
