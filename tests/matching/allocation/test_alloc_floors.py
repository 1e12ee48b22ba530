"""Fairness floors that some plan meets: the allocator always returns a plan, it keeps every
floor and capacity, its bound and gap are honest against enumeration, and a start plan is
never beaten downward."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from matching.allocation import AllocationConfig, FairnessRule, allocate
from matching.allocation.baselines import greedy_baseline, status_quo_baseline
from matching.allocation.construct import construct
from matching.allocation.lns import improve_lns
from matching.allocation.lp import solve_lp, solve_lp_colgen
from matching.allocation.model import Problem, problem_from_instance
from matching.allocation.solve import _solve
from matching.synthetic.batch import SyntheticProgramme, generate_programme
from tests.matching.allocation.test_alloc_exact import (
    brute_force,
    feasible_allocations,
    tiny_problems,
)
from tests.matching.allocation.test_alloc_exactness import ROUTES, check_route


def _no_progress(phase: str, fraction: float, message: str) -> None:
    return None


@st.composite
def floored_problems(draw: st.DrawFn) -> tuple[Problem, np.ndarray]:
    """A tiny problem with floors some feasible plan meets, and that plan.

    Rows are placement-rate floors on random groups (the plan's count in the group times a
    share, rounded up) or, with ``mixed``, rows with coefficients of both signs (as an
    average-score floor has) whose bound is the plan's value less a slack."""
    p = draw(tiny_problems())
    plans = list(feasible_allocations(p))
    assume(plans)
    plan = plans[draw(st.integers(0, len(plans) - 1))]
    n_rows = draw(st.integers(1, 3))
    mixed = draw(st.booleans())
    rows, lbs = [], []
    for _ in range(n_rows):
        if mixed:
            coef = np.array([draw(st.integers(-2, 3)) for _ in range(p.n_options)], dtype=np.int64)
            lb = int(coef @ plan.astype(np.int64)) - draw(st.integers(0, 2))
        else:
            member = np.array([draw(st.booleans()) for _ in range(p.n_hh)], dtype=bool)
            coef = member[p.opt_hh].astype(np.int64)
            share = draw(st.sampled_from([0.5, 0.9, 1.0]))
            lb = math.ceil(share * int(coef @ plan.astype(np.int64)))
        rows.append(coef)
        lbs.append(lb)
    fair = sp.csr_matrix(np.vstack(rows).reshape(n_rows, p.n_options))
    floored = Problem(
        opt_hh=p.opt_hh, n_hh=p.n_hh, weight=p.weight, usage=p.usage, capacity=p.capacity,
        must_place=p.must_place, fair=fair, fair_lb=np.array(lbs, dtype=np.int64),
    )  # fmt: skip
    assert not any(floored.violations(plan).values())
    return floored, plan


@settings(max_examples=60, deadline=None)
@given(floored_problems(), st.sampled_from(sorted(ROUTES)))
def test_satisfiable_floors_always_give_a_plan_within_its_gap(
    case: tuple[Problem, np.ndarray], route: str
) -> None:
    p, _ = case
    # check_route: a plan (never "unknown" or "infeasible" when enumeration finds one), no
    # row broken, bound ≥ optimum, optimum − objective ≤ reported gap.
    status, _, _ = check_route(p, ROUTES[route])
    assert status in ("optimal", "feasible")


@settings(max_examples=40, deadline=None)
@given(floored_problems(), st.sampled_from(sorted(ROUTES)))
def test_a_start_plan_is_never_beaten_downward(case: tuple[Problem, np.ndarray], route: str) -> None:
    p, plan = case
    status, x, bound, _, _ = _solve(p, replace(ROUTES[route], start=plan), _no_progress)
    assert status in ("optimal", "feasible")
    assert not any(p.violations(x).values())
    assert p.objective(plan) <= p.objective(x) <= bound + 1e-6


@settings(max_examples=60, deadline=None)
@given(floored_problems(), st.data())
def test_the_construction_keeps_every_row_and_builds_on_its_start(
    case: tuple[Problem, np.ndarray], data: st.DataObject
) -> None:
    p, plan = case
    # Any plan placing each household at most once, however it overdraws the rows.
    pick = [data.draw(st.sampled_from([-1, *np.flatnonzero(p.opt_hh == h).tolist()])) for h in range(p.n_hh)]
    arbitrary = np.zeros(p.n_options, dtype=bool)
    arbitrary[[j for j in pick if j >= 0]] = True
    for built in (construct(p), construct(p, start=arbitrary)):
        v = p.violations(built.x)
        # Capacities and households hold whatever the floors do.
        assert v["capacity"] == 0 and v["household_split"] == 0
        assert built.feasible == (not any(v.values()))
    built = construct(p, start=plan)
    assert built.feasible
    assert built.x[plan].all()  # a start that meets the floors is only added to
    assert built.objective >= p.objective(plan)


@settings(max_examples=40, deadline=None)
@given(floored_problems())
def test_column_generation_with_floors_reaches_the_full_lp(case: tuple[Problem, np.ndarray]) -> None:
    p, _ = case
    full = solve_lp(p)
    # One option per household at first: with floors that restricted LP is often infeasible,
    # and column generation must widen it rather than report the floors unreachable.
    cg = solve_lp_colgen(p, initial_per_household=1, add_per_household=1, tolerance=0.0)
    assert full.status == "optimal" and cg.status == "optimal"
    expected = brute_force(p)
    assert expected is not None
    assert cg.bound >= expected - 1e-6
    assert abs(cg.bound - full.bound) <= 1e-4 * max(1.0, abs(full.bound))


@settings(max_examples=60, deadline=None)
@given(floored_problems(), st.integers(0, 4))
def test_column_generation_finds_unreachable_floors_as_the_full_lp_does(
    case: tuple[Problem, np.ndarray], extra: int
) -> None:
    p, _ = case
    # Raise the floors past the plan's: some of these cannot be met even fractionally.
    raised = replace(p, fair_lb=p.fair_lb + extra)
    full = solve_lp(raised)
    cg = solve_lp_colgen(raised, initial_per_household=1, add_per_household=1, tolerance=0.0)
    assert cg.status == full.status
    if full.status == "optimal":
        assert abs(cg.bound - full.bound) <= 1e-4 * max(1.0, abs(full.bound))


def _floors_from(prog: SyntheticProgramme, x: np.ndarray, share: float) -> tuple[FairnessRule, ...]:
    inst = prog.instance()
    placed = np.zeros(inst.n_households, dtype=bool)
    placed[inst.opt_hh[x]] = True
    groups = inst.households["group"].to_numpy()
    rules = []
    for g in sorted(set(groups.tolist())):
        rate = float(placed[groups == g].mean())
        rules.append(FairnessRule(g, "placement_rate", math.floor(share * rate * 1000) / 1000))
    return tuple(rules)


def _check_floors(res_groups: pl.DataFrame, rules: tuple[FairnessRule, ...]) -> None:
    rate = dict(zip(res_groups["group"].to_list(), res_groups["placement_rate"].to_list(), strict=True))
    for r in rules:
        assert rate[r.group] >= r.threshold - 1e-12, r


@settings(max_examples=8, deadline=None)
@given(
    st.integers(0, 10_000), st.integers(0, 3), st.sampled_from([0.5, 0.9, 1.0]),
    st.sampled_from(sorted(ROUTES)),
)  # fmt: skip
def test_generated_batches_with_floors_match_enumeration(
    seed: int, contended: int, share: float, route: str
) -> None:
    # Seven households with up to three options each: at most 4**7 allocations to enumerate.
    prog = generate_programme(
        7, seed=seed, options_per_household=3, localities_per_region=1, contended_regions=contended
    )
    inst = prog.instance()
    free = problem_from_instance(inst)
    rules = _floors_from(prog, status_quo_baseline(inst, free, prog.earlier_movers), share)
    res = allocate(inst, replace(ROUTES[route], fairness=rules))
    p = problem_from_instance(inst, rules)
    expected = brute_force(p)
    assert expected is not None  # the status quo meets the floors
    assert res.status in ("optimal", "feasible")
    assert not any(p.violations(res.x).values())
    _check_floors(res.groups, rules)
    placed = inst.opt_hh[res.x]
    assert np.unique(placed).size == placed.size
    assert res.best_bound >= expected >= res.objective
    assert expected - res.objective <= res.gap * res.best_bound + 1e-6


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.9, 1.0]), st.sampled_from(["status_quo", "greedy"]))
def test_contended_batches_with_floors_keep_them_and_their_start(
    seed: int, share: float, start_of: str
) -> None:
    # Too large to enumerate; the decomposition alone (the path of large batches).
    prog = generate_programme(
        150, seed=seed, options_per_household=8, localities_per_region=2, contended_regions=4
    )
    inst = prog.instance()
    free = problem_from_instance(inst)
    if start_of == "status_quo":
        start = status_quo_baseline(inst, free, prog.earlier_movers)
    else:
        start = greedy_baseline(inst, free)
    rules = _floors_from(prog, start, share)
    config = AllocationConfig(
        deterministic=True, time_limit=6, exact_max_options=0, fairness=rules, start=start,
        measure_fairness_cost=False, baselines=False,
    )  # fmt: skip
    res = allocate(inst, config)
    p = problem_from_instance(inst, rules)
    assert res.status in ("optimal", "feasible")
    assert not any(p.violations(res.x).values())
    _check_floors(res.groups, rules)
    assert res.objective >= p.objective(start)
    assert res.objective <= res.best_bound


def test_a_start_plan_of_another_batch_is_refused() -> None:
    inst = generate_programme(20, seed=1, options_per_household=4).instance()
    with pytest.raises(ValueError, match="entries"):
        allocate(inst, AllocationConfig(time_limit=2, start=np.zeros(inst.n_options + 1, dtype=bool)))
    twice = np.zeros(inst.n_options, dtype=bool)
    twice[np.flatnonzero(inst.opt_hh == inst.opt_hh[0])[:2]] = True
    assert int(twice.sum()) == 2  # precondition of this seed: household 0 has two options
    with pytest.raises(ValueError, match="twice"):
        allocate(inst, AllocationConfig(time_limit=2, start=twice))


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.9, 1.0]))
def test_the_search_keeps_the_floors(seed: int, share: float) -> None:
    prog = generate_programme(
        80, seed=seed, options_per_household=8, localities_per_region=2, contended_regions=3
    )
    inst = prog.instance()
    start = status_quo_baseline(inst, problem_from_instance(inst), prog.earlier_movers)
    rules = _floors_from(prog, start, share)
    p = problem_from_instance(inst, rules)
    assert not any(p.violations(start).values())
    x, stats = improve_lns(
        p, start, np.zeros(p.capacity.shape[0]), time.perf_counter() + 30, seed=seed,
        max_rounds=6, max_options=200,
    )  # fmt: skip
    assert not any(p.violations(x).values())
    assert p.objective(x) - p.objective(start) == stats.gain >= 0
