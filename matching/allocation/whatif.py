"""What-if scenarios: change quotas, capacities and locks, re-run, compare side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from matching.allocation import reasons as R
from matching.allocation.instance import AllocationInstance
from matching.allocation.solve import AllocationResult


@dataclass(frozen=True)
class Scenario:
    """Changes to a batch.

    Attributes
    ----------
    capacities
        ``(kind, key) → new capacity`` (e.g. ``("quota_persons", "59/kandas"): 400``).
    scale
        ``kind → factor`` applied to every row of that kind (after ``capacities``).
    locks
        ``household_id → option_ids``: the household must take one of them.
    bans
        ``(household_id, option_id)`` pairs removed.
    """

    name: str = "scenario"
    capacities: dict[tuple[str, str], int] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    locks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bans: tuple[tuple[str, str], ...] = ()


def apply_scenario(inst: AllocationInstance, scenario: Scenario) -> AllocationInstance:
    """The instance with the scenario's changes applied."""
    res = inst.resources
    if scenario.capacities:
        ch = pl.DataFrame(
            {
                "kind": [k for k, _ in scenario.capacities],
                "key": [key for _, key in scenario.capacities],
                "new_cap": list(scenario.capacities.values()),
            },
            schema={"kind": pl.Utf8, "key": pl.Utf8, "new_cap": pl.Int64},
        )
        res = res.join(ch, on=["kind", "key"], how="left", maintain_order="left").with_columns(
            capacity=pl.coalesce("new_cap", "capacity")
        ).drop("new_cap")
    for kind, factor in scenario.scale.items():
        res = res.with_columns(
            capacity=pl.when(pl.col("kind") == kind)
            .then((pl.col("capacity") * factor).floor().cast(pl.Int64))
            .otherwise(pl.col("capacity"))
        )
    opts = inst.options
    hh_id = opts["household_id"].to_numpy()
    opt_id = opts["option_id"].cast(pl.Utf8).to_numpy()
    keep = np.ones(opts.height, dtype=bool)
    reason = np.full(opts.height, None, dtype=object)
    if scenario.bans:
        ban_df = pl.DataFrame(
            {"household_id": [h for h, _ in scenario.bans], "option_id": [o for _, o in scenario.bans]},
            schema={"household_id": pl.Utf8, "option_id": pl.Utf8},
        ).with_columns(_banned=pl.lit(True))
        hit = (
            opts.select(pl.col("household_id"), pl.col("option_id").cast(pl.Utf8))
            .join(ban_df, on=["household_id", "option_id"], how="left", maintain_order="left")[
                "_banned"
            ]
            .fill_null(False)
            .to_numpy()
        )
        keep[hit] = False
        reason[hit] = R.BANNED
    must = inst.households["must_place"].to_numpy().copy()
    hh_index = {h: i for i, h in enumerate(inst.households["household_id"].to_list())}
    for h, allowed in scenario.locks.items():
        allowed_set = set(allowed)
        rows = np.flatnonzero(hh_id == h)
        for r in rows:
            if opt_id[r] not in allowed_set and keep[r]:
                keep[r] = False
                reason[r] = R.LOCKED_ELSEWHERE
        if h in hh_index:
            must[hh_index[h]] = True
    removed_now = opts.filter(pl.Series(~keep)).select(
        "option_id", "household_id", "locality_id", "region_code"
    ).with_columns(reason=pl.Series(list(reason[~keep]), dtype=pl.Utf8))
    from matching.allocation.instance import LockConflict

    kept_hh = set(hh_id[keep].tolist())
    conflicts = list(inst.lock_conflicts) + [
        LockConflict(h, R.LOCK) for h in scenario.locks if h not in kept_hh
    ]
    must_series = pl.Series(must & np.isin(inst.households["household_id"].to_numpy(), list(kept_hh)))
    return AllocationInstance(
        households=inst.households.with_columns(must_place=must_series),
        options=opts.filter(pl.Series(keep)),
        removed=pl.concat([inst.removed, removed_now.select(inst.removed.columns)], how="vertical"),
        resources=res,
        usage=inst.usage[np.flatnonzero(keep)].tocsr(),
        lock_conflicts=tuple(conflicts),
    )


@dataclass(frozen=True)
class Comparison:
    """Two runs side by side.

    ``fill`` has ``kind, key, capacity_a, used_a, capacity_b, used_b``; ``moves`` lists
    households whose locality differs (null = unplaced).
    """

    objective_a: int
    objective_b: int
    placed_a: int
    placed_b: int
    persons_a: int
    persons_b: int
    fairness_cost_a: int | None
    fairness_cost_b: int | None
    fill: pl.DataFrame
    moves: pl.DataFrame

    @property
    def objective_delta(self) -> int:
        return self.objective_b - self.objective_a


def compare(result_a: AllocationResult, result_b: AllocationResult) -> Comparison:
    """Compare two allocation results of the same batch (e.g. before/after a scenario)."""

    def placed(res: AllocationResult) -> pl.DataFrame:
        return res.placements.select("household_id", "locality_id")

    def persons(res: AllocationResult) -> int:
        p = res.placements.join(
            res.instance.households.select("household_id", "persons"), on="household_id"
        )
        return int(p["persons"].sum()) if p.height else 0

    pa = placed(result_a).rename({"locality_id": "locality_a"})
    pb = placed(result_b).rename({"locality_id": "locality_b"})
    moves = (
        pa.join(pb, on="household_id", how="full", coalesce=True)
        .filter(
            pl.col("locality_a").is_null()
            | pl.col("locality_b").is_null()
            | (pl.col("locality_a") != pl.col("locality_b"))
        )
        .sort("household_id")
    )
    fa = result_a.fill.select("kind", "key", pl.col("capacity").alias("capacity_a"), pl.col("used").alias("used_a"))
    fb = result_b.fill.select("kind", "key", pl.col("capacity").alias("capacity_b"), pl.col("used").alias("used_b"))
    fill = fa.join(fb, on=["kind", "key"], how="full", coalesce=True)
    return Comparison(
        objective_a=result_a.objective,
        objective_b=result_b.objective,
        placed_a=result_a.placements.height,
        placed_b=result_b.placements.height,
        persons_a=persons(result_a),
        persons_b=persons(result_b),
        fairness_cost_a=result_a.fairness_cost,
        fairness_cost_b=result_b.fairness_cost,
        fill=fill,
        moves=moves,
    )
