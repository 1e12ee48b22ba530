"""The destination bound: valid for any prices, never weaker than the LP dual bound."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.allocation import AllocationConfig, allocate
from matching.allocation.bound import destination_bound
from matching.allocation.lp import dual_bound, solve_lp_colgen
from matching.allocation.mip import solve_mip
from matching.allocation.model import Problem, problem_from_instance
from matching.allocation.solve import SOFT_KINDS
from matching.synthetic.batch import generate_programme
from tests.matching.allocation.test_alloc_exact import brute_force, tiny_problems


@settings(max_examples=80, deadline=None)
@given(
    tiny_problems(),
    st.lists(st.floats(0, 500), min_size=3, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_destination_bound_holds_for_any_prices_and_soft_rows(
    p: Problem, prices: list[float], soft: list[bool]
) -> None:
    expected = brute_force(p)
    n_res = p.capacity.shape[0]
    lam = np.array(prices[:n_res])
    res = destination_bound(p, lam, np.array(soft[:n_res]), time_limit=5)
    lp_bound, _ = dual_bound(p, lam, np.zeros(0))
    assert res.bound <= lp_bound + 1e-6
    if expected is not None:
        assert res.bound >= expected - 1e-6


def test_destination_bound_on_a_contended_batch_lies_between_the_optimum_and_the_lp() -> None:
    prog = generate_programme(
        150, seed=4, options_per_household=8, localities_per_region=3, contended_regions=3
    )
    inst = prog.instance()
    p = problem_from_instance(inst)
    lp = solve_lp_colgen(p, tolerance=0.0)
    soft = inst.resources["kind"].is_in(list(SOFT_KINDS)).to_numpy()
    res = destination_bound(p, lp.resource_price, soft, time_limit=20)
    mip = solve_mip(p, time_limit=20)
    assert mip.status == "optimal"
    assert mip.objective - 1e-6 <= res.bound <= lp.bound + 1e-6
    # Contended destinations are where the LP is fractional: the integer groups must cut it.
    assert res.bound < lp.bound - 1.0
    assert res.groups_solved <= res.groups


def test_allocate_reports_the_tighter_bound_and_keeps_it_above_the_objective() -> None:
    prog = generate_programme(
        300, seed=9, options_per_household=8, localities_per_region=3, contended_regions=3
    )
    inst = prog.instance()
    with_bound = allocate(
        inst,
        AllocationConfig(
            deterministic=True, time_limit=10, exact_max_options=0, bound_time_share=0.15
        ),
    )
    lp_only = allocate(
        inst,
        AllocationConfig(
            deterministic=True, time_limit=10, exact_max_options=0, bound_time_share=0.0
        ),
    )
    assert with_bound.objective <= with_bound.best_bound
    assert with_bound.best_bound <= lp_only.best_bound
    if with_bound.status != "optimal" and lp_only.status != "optimal":
        assert with_bound.best_bound < lp_only.best_bound
    # The bound runs whenever the LP bound leaves a gap, so a gap left means it ran.
    if with_bound.status != "optimal":
        assert "bound" in with_bound.phases
