"""The numeric model every solver works on: arrays only, no tables.

``maximize weight · x`` subject to: per household ``Σ x ≤ 1`` (``= 1`` when locked); per
resource ``usageᵀ x ≤ capacity``; per fairness row ``fair x ≥ fair_lb``; ``x`` binary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
import scipy.sparse as sp

from matching.allocation.instance import SCORE_SCALE, AllocationInstance


@dataclass(frozen=True)
class FairnessRule:
    """A floor for one group of households (the ``group`` column of the households table).

    ``kind="placement_rate"``: at least ``threshold`` (0–1) of the group's households placed.
    ``kind="average_score"``: the group's placed households have a mean fit score of at least
    ``threshold`` (0–1).
    """

    group: str
    kind: str
    threshold: float

    @property
    def label(self) -> str:
        return f"{self.group}: {self.kind} ≥ {self.threshold:g}"


@dataclass(frozen=True)
class Problem:
    """Arrays of one (sub)problem; options are the variables."""

    opt_hh: np.ndarray
    n_hh: int
    weight: np.ndarray
    usage: sp.csr_matrix
    capacity: np.ndarray
    must_place: np.ndarray
    fair: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.int64))
    fair_lb: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_options(self) -> int:
        return int(self.weight.shape[0])

    def incidence(self) -> sp.csr_matrix:
        """``n_hh × n_options`` household incidence matrix."""
        n = self.n_options
        return sp.csr_matrix(
            (np.ones(n, dtype=np.int64), (self.opt_hh, np.arange(n))), shape=(self.n_hh, n)
        )

    def objective(self, x: np.ndarray) -> int:
        return int(self.weight[x].sum()) if x.dtype == bool else int(self.weight @ x)

    def violations(self, x: np.ndarray) -> dict[str, int]:
        """Counts of violated rows of a 0/1 solution (all zero for a feasible one)."""
        xi = x.astype(np.int64)
        per_hh = np.bincount(self.opt_hh, weights=xi, minlength=self.n_hh)
        used = self.usage.T @ xi
        out = {
            "household_split": int((per_hh > 1).sum()),
            "lock_unmet": int((self.must_place & (per_hh < 1)).sum()),
            "capacity": int((used > self.capacity).sum()),
        }
        if self.fair.shape[0]:
            out["fairness"] = int((self.fair @ xi < self.fair_lb).sum())
        return out


def take_options(problem: Problem, keep: np.ndarray) -> Problem:
    """The same households, rows and floors with only the options ``keep`` (sorted indices)."""
    return Problem(
        opt_hh=problem.opt_hh[keep],
        n_hh=problem.n_hh,
        weight=problem.weight[keep],
        usage=problem.usage[keep],
        capacity=problem.capacity,
        must_place=problem.must_place,
        fair=problem.fair[:, keep] if problem.fair.shape[0] else problem.fair,
        fair_lb=problem.fair_lb,
    )


def fairness_rows(
    inst: AllocationInstance, rules: tuple[FairnessRule, ...]
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Fairness rules as ``fair x ≥ lb`` rows over the instance's options."""
    n = inst.n_options
    if not rules:
        return sp.csr_matrix((0, n), dtype=np.int64), np.zeros(0, dtype=np.int64)
    hh_group = inst.households["group"].to_numpy()
    opt_group = hh_group[inst.opt_hh]
    score = inst.options["score"].to_numpy()
    rows, cols, vals, lbs = [], [], [], []
    for i, rule in enumerate(rules):
        member = np.flatnonzero(opt_group == rule.group)
        if rule.kind == "placement_rate":
            coef = np.ones(member.size, dtype=np.int64)
            lb = int(np.ceil(rule.threshold * (hh_group == rule.group).sum() - 1e-9))
        elif rule.kind == "average_score":
            # Σ (score − t) x ≥ 0, scaled to integers.
            coef = np.round((score[member] - rule.threshold) * SCORE_SCALE).astype(np.int64)
            lb = 0
        else:
            raise ValueError(f"unknown fairness rule kind: {rule.kind!r}")
        rows.append(np.full(member.size, i))
        cols.append(member)
        vals.append(coef)
        lbs.append(lb)
    fair = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(rules), n)
    )
    return fair, np.array(lbs, dtype=np.int64)


def problem_from_instance(
    inst: AllocationInstance, rules: tuple[FairnessRule, ...] = ()
) -> Problem:
    """The full problem of an instance."""
    fair, lb = fairness_rows(inst, rules)
    return Problem(
        opt_hh=inst.opt_hh,
        n_hh=inst.n_households,
        weight=inst.weight,
        usage=inst.usage.tocsr(),
        capacity=inst.capacity,
        must_place=inst.must_place,
        fair=fair,
        fair_lb=lb,
    )


def restrict(problem: Problem, keep_hh: np.ndarray, fixed_x: np.ndarray) -> tuple[Problem, np.ndarray]:
    """The residual problem over households ``keep_hh`` given the fixed part ``fixed_x``.

    Returns the subproblem and the indices (into ``problem``) of its options. Capacities and
    fairness floors are reduced by what ``fixed_x`` already uses.
    """
    hh_mask = np.zeros(problem.n_hh, dtype=bool)
    hh_mask[keep_hh] = True
    opt_idx = np.flatnonzero(hh_mask[problem.opt_hh])
    remap = np.full(problem.n_hh, -1, dtype=np.int64)
    remap[keep_hh] = np.arange(keep_hh.size)
    xi = fixed_x.astype(np.int64)
    used = problem.usage.T @ xi
    fair_done = problem.fair @ xi if problem.fair.shape[0] else np.zeros(0, dtype=np.int64)
    sub = Problem(
        opt_hh=remap[problem.opt_hh[opt_idx]],
        n_hh=int(keep_hh.size),
        weight=problem.weight[opt_idx],
        usage=problem.usage[opt_idx],
        capacity=problem.capacity - used,
        must_place=problem.must_place[keep_hh],
        fair=problem.fair[:, opt_idx] if problem.fair.shape[0] else sp.csr_matrix((0, opt_idx.size), dtype=np.int64),
        fair_lb=problem.fair_lb - fair_done,
    )
    return sub, opt_idx


def groups_table(inst: AllocationInstance, x: np.ndarray) -> pl.DataFrame:
    """Placement rate and mean score per household group for a 0/1 solution."""
    placed_hh = np.zeros(inst.n_households, dtype=bool)
    placed_hh[inst.opt_hh[x]] = True
    score = np.zeros(inst.n_households)
    score[inst.opt_hh[x]] = inst.options["score"].to_numpy()[x]
    return (
        inst.households.select("group")
        .with_columns(placed=pl.Series(placed_hh), score=pl.Series(score))
        .group_by("group")
        .agg(
            households=pl.len(),
            placed=pl.col("placed").sum(),
            placement_rate=pl.col("placed").mean(),
            mean_score=pl.col("score").filter(pl.col("placed")).mean(),
        )
        .sort("group")
    )
