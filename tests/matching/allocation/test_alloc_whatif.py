"""Refusals, locks, bans, conflicts and what-if comparisons."""

from __future__ import annotations

import polars as pl

from matching.allocation import AllocationConfig, allocate, build_instance
from matching.allocation import reasons as R
from matching.allocation.whatif import Scenario, apply_scenario, compare
from matching.synthetic.batch import generate_programme

CFG = AllocationConfig(deterministic=True, time_limit=5)


def test_refused_regions_never_receive_the_household() -> None:
    p = generate_programme(
        60, seed=21, options_per_household=6, localities_per_region=2, refusal_rate=0.5
    )
    inst = p.instance()
    res = allocate(inst, CFG)
    refused = p.households.select("household_id", "refused_regions").explode("refused_regions")
    clash = res.placements.join(
        refused,
        left_on=["household_id", "region_code"],
        right_on=["household_id", "refused_regions"],
    )
    assert clash.height == 0
    assert (inst.removed["reason"] == R.REFUSED_REGION).any()


def test_zero_quota_scenario_empties_the_region_and_compare_lists_the_moves() -> None:
    p = generate_programme(60, seed=21, options_per_household=6, localities_per_region=2)
    inst = p.instance()
    base = allocate(inst, CFG)
    region = base.placements["region_code"].mode()[0]
    keys = inst.resources.filter(
        (pl.col("kind") == R.QUOTA_FAMILIES) & (pl.col("region_code") == region)
    )["key"].to_list()
    scen = Scenario(capacities={(R.QUOTA_FAMILIES, k): 0 for k in keys})
    after = allocate(apply_scenario(inst, scen), CFG)
    assert (after.placements["region_code"] != region).all()
    cmp = compare(base, after)
    moved_out = base.placements.filter(pl.col("region_code") == region)["household_id"]
    assert set(moved_out.to_list()) <= set(cmp.moves["household_id"].to_list())
    assert cmp.objective_delta == after.objective - base.objective


def test_lock_is_honoured() -> None:
    p = generate_programme(60, seed=4, options_per_household=6, localities_per_region=2)
    inst = p.instance()
    target = inst.options.sort("score").row(0, named=True)  # the household's worst option
    res = allocate(
        apply_scenario(inst, Scenario(locks={target["household_id"]: (target["option_id"],)})), CFG
    )
    got = res.placements.filter(pl.col("household_id") == target["household_id"])
    assert got["option_id"].to_list() == [target["option_id"]]


def test_lock_against_a_zero_quota_names_the_quota_it_cannot_fit() -> None:
    p = generate_programme(60, seed=4, options_per_household=6, localities_per_region=2)
    inst = p.instance()
    opt = inst.options.row(0, named=True)
    cat = inst.households.filter(pl.col("household_id") == opt["household_id"])["category"][0]
    quota_key = f"{opt['region_code']}/{cat}"
    scen = Scenario(
        locks={opt["household_id"]: (opt["option_id"],)},
        capacities={(R.QUOTA_FAMILIES, quota_key): 0},
    )
    res = allocate(apply_scenario(inst, scen), CFG)
    assert res.status == "infeasible"
    assert res.conflict is not None
    # The lock contradicts itself (its only option needs a family place in a quota of 0): one
    # set of one member that names the row, not a lock plus a "full" quota.
    assert len(res.conflict.sets) == 1
    (member,) = res.conflict.sets[0]
    assert (member.kind, member.key, member.cause) == (R.LOCK, opt["household_id"], R.LOCK_CANNOT_FIT)
    assert (member.resource_kind, member.resource_key) == (R.QUOTA_FAMILIES, quota_key)
    assert "is 0" in member.text.en


def test_lock_to_a_refused_locality_is_a_conflict() -> None:
    p = generate_programme(40, seed=2, options_per_household=6, localities_per_region=2)
    opts = p.options
    first = opts.row(0, named=True)
    hh = p.households.with_columns(
        refused_regions=pl.when(pl.col("household_id") == first["household_id"])
        .then(pl.lit([first["region_code"]], dtype=pl.List(pl.Utf8)))
        .otherwise(pl.col("refused_regions"))
    )
    locks = pl.DataFrame(
        {"household_id": [first["household_id"]], "locality_id": [first["locality_id"]]}
    )
    inst = build_instance(
        hh,
        opts,
        localities=p.localities,
        homes=p.homes,
        vacancies=p.vacancies,
        quotas=p.quotas,
        locks=locks,
    )
    res = allocate(inst, CFG)
    assert res.status == "infeasible"
    assert res.conflict is not None
    assert [m.key for m in res.conflict.members] == [first["household_id"]]
