"""Large-neighbourhood search: never worse, always feasible, repeatable, and it does move."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.allocation.greedy import greedy_fill, weight_order
from matching.allocation.lns import improve_lns
from matching.allocation.lp import solve_lp_colgen
from matching.allocation.mip import solve_mip
from matching.allocation.model import Problem, problem_from_instance
from matching.synthetic.batch import generate_programme


def contended(seed: int, n: int = 80) -> Problem:
    prog = generate_programme(
        n, seed=seed, options_per_household=8, localities_per_region=2, contended_regions=3
    )
    return problem_from_instance(prog.instance())


def greedy(problem: Problem) -> np.ndarray:
    return greedy_fill(problem, weight_order(problem), problem.weight.astype(float))


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 3))
def test_search_keeps_feasibility_and_never_loses(seed: int, lns_seed: int) -> None:
    problem = contended(seed)
    start = greedy(problem)
    assert not any(problem.violations(start).values())
    price = np.zeros(problem.capacity.shape[0])
    x, stats = improve_lns(
        problem,
        start,
        price,
        time.perf_counter() + 30,
        seed=lns_seed,
        max_rounds=8,
        max_options=200,
    )
    assert not any(problem.violations(x).values())
    assert problem.objective(x) >= problem.objective(start)
    assert problem.objective(x) - problem.objective(start) == stats.gain
    assert stats.improved <= stats.rounds <= 8


def test_search_improves_a_greedy_allocation_with_lp_prices() -> None:
    problem = contended(11)
    start = greedy(problem)
    opt = solve_mip(problem, time_limit=30)
    assert opt.status == "optimal"
    # Precondition: greedy leaves something to gain on this batch.
    assert problem.objective(start) < opt.objective
    lp = solve_lp_colgen(problem, time_limit=30)
    x, stats = improve_lns(
        problem, start, lp.resource_price, time.perf_counter() + 30, max_rounds=10, max_options=200
    )
    assert stats.improved > 0
    assert problem.objective(start) < problem.objective(x) <= opt.objective
    assert not any(problem.violations(x).values())


def test_same_seed_and_round_cap_give_the_same_allocation() -> None:
    problem = contended(4)
    start = greedy(problem)
    price = np.zeros(problem.capacity.shape[0])
    runs = [
        improve_lns(
            problem, start, price, time.perf_counter() + 60, seed=7, max_rounds=6, max_options=200
        )[0]
        for _ in range(2)
    ]
    assert np.array_equal(runs[0], runs[1])


def test_optimal_allocation_is_left_alone() -> None:
    problem = contended(2)
    opt = solve_mip(problem, time_limit=30)
    assert opt.status == "optimal"
    price = np.zeros(problem.capacity.shape[0])
    x, stats = improve_lns(
        problem, opt.x, price, time.perf_counter() + 30, max_rounds=5, max_options=200
    )
    assert stats.improved == 0
    assert problem.objective(x) == opt.objective


def test_search_stops_at_its_target_objective() -> None:
    problem = contended(6)
    start = greedy(problem)
    price = np.zeros(problem.capacity.shape[0])
    x, stats = improve_lns(
        problem,
        start,
        price,
        time.perf_counter() + 30,
        max_rounds=5,
        stop_at=problem.objective(start),
    )
    assert stats.rounds == 0
    assert np.array_equal(x, start)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000))
def test_two_neighbourhoods_at_once_keep_feasibility_and_never_lose(seed: int) -> None:
    # Each neighbourhood is solved against the allocation before the round; merging both must
    # still respect every row (shared quota rows included) and never lower the total.
    problem = contended(seed)
    start = greedy(problem)
    lp = solve_lp_colgen(problem)
    x, stats = improve_lns(
        problem,
        start,
        lp.resource_price,
        time.perf_counter() + 30,
        seed=seed,
        max_rounds=6,
        max_options=120,
        workers=2,
    )
    assert not any(problem.violations(x).values())
    assert problem.objective(x) >= problem.objective(start)
    assert stats.rounds >= 1


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10_000))
def test_a_mip_started_from_an_allocation_never_returns_less(seed: int) -> None:
    problem = contended(seed, n=60)
    start = greedy(problem)
    res = solve_mip(problem, time_limit=0.05, start=start)
    assert res.status in ("optimal", "feasible")
    assert not any(problem.violations(res.x).values())
    assert res.objective >= problem.objective(start)
