"""Stability audit, unplaced reasons and ban scenarios on hand-made batches."""

from __future__ import annotations

import numpy as np
import polars as pl

from matching.allocation import AllocationConfig, allocate, build_instance
from matching.allocation.audit import stability_audit
from matching.allocation.model import problem_from_instance
from matching.allocation.whatif import Scenario, apply_scenario
from matching.synthetic.batch import generate_programme


def two_households_one_home() -> pl.DataFrame:
    base = {
        "region_code": "59",
        "home_id": "L1/r3",
        "second_vacancy_id": None,
        "children_0_5": 0,
        "children_6_17": 0,
    }
    return pl.DataFrame(
        [
            {
                **base,
                "household_id": "A",
                "option_id": "a1",
                "locality_id": "L1",
                "vacancy_id": "V1",
                "score": 0.4,
                "persons": 3,
            },
            {
                **base,
                "household_id": "B",
                "option_id": "b1",
                "locality_id": "L1",
                "vacancy_id": "V2",
                "score": 0.9,
                "persons": 2,
            },
        ],
        schema_overrides={"second_vacancy_id": pl.Utf8},
    )


def test_a_better_smaller_household_left_out_is_a_blocking_pair() -> None:
    opts = two_households_one_home()
    inst = build_instance(
        pl.DataFrame({"household_id": ["A", "B"]}),
        opts,
        homes=pl.DataFrame({"home_id": ["L1/r3"], "units": [1]}),
    )
    a_only = (inst.options["household_id"] == "A").to_numpy()
    audit = stability_audit(inst, a_only)
    assert audit.blocking_pairs == 1
    assert audit.households_with_blocking_pair == 1
    # The optimum gives the home to B: nobody is left who both sides would rather have.
    res = allocate(inst, AllocationConfig(deterministic=True))
    assert res.placements["household_id"].to_list() == ["B"]
    assert res.stability is not None and res.stability.blocking_pairs == 0
    reason = res.unplaced.row(0, named=True)
    assert (reason["household_id"], reason["resource_kind"], reason["resource_key"]) == (
        "A",
        "home",
        "L1/r3",
    )


def test_named_resource_really_blocks_the_households_best_option() -> None:
    prog = generate_programme(
        150, seed=9, options_per_household=6, localities_per_region=2, slack=0.7
    )
    inst = prog.instance()
    res = allocate(inst, AllocationConfig(deterministic=True, time_limit=5))
    problem = problem_from_instance(inst)
    remaining = problem.capacity - problem.usage.T @ res.x.astype(np.int64)
    res_index = {
        (k, key): i for i, (k, key) in enumerate(inst.resources.select("kind", "key").iter_rows())
    }
    checked = 0
    for row in res.unplaced.filter(pl.col("resource_kind").is_not_null()).iter_rows(named=True):
        opts = inst.options.with_row_index("j").filter(
            pl.col("household_id") == row["household_id"]
        )
        best = int(opts.sort("weight", descending=True)["j"][0])
        r = res_index[(row["resource_kind"], row["resource_key"])]
        assert problem.usage[best, r] > remaining[r]
        checked += 1
    assert checked > 0


def test_banned_options_are_never_chosen() -> None:
    prog = generate_programme(50, seed=12, options_per_household=5, localities_per_region=2)
    inst = prog.instance()
    first = allocate(inst, AllocationConfig(deterministic=True, time_limit=5))
    bans = tuple(first.placements.select("household_id", "option_id").iter_rows())
    second = allocate(
        apply_scenario(inst, Scenario(bans=bans)),
        AllocationConfig(deterministic=True, time_limit=5),
    )
    assert set(second.placements["option_id"].to_list()).isdisjoint({o for _, o in bans})
