"""Why households stayed unplaced, and which planner constraints conflict when none can hold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from ortools.sat.python import cp_model

from matching.allocation import reasons as R
from matching.allocation.capacity_kinds import kinds, shortage_text
from matching.allocation.instance import AllocationInstance
from matching.allocation.model import FairnessRule, Problem
from matching.text import Text


def _member_text(kind: str, label: str) -> Text:
    """The text naming one member of a conflicting set: a planner constraint or a resource."""
    if kind in R.PLANNER_CONSTRAINTS:
        return R.planner_conflict_text(kind, label)
    return shortage_text(kind, label)


def unplaced_reasons(inst: AllocationInstance, problem: Problem, x: np.ndarray) -> pl.DataFrame:
    """One row per unplaced household: ``household_id, reason, resource_kind, resource_key,
    text_kk, text_ru, text_en``.

    For a household with options the reason is the exhausted resource row that blocks its
    best option (by objective weight) in the final allocation; without options it is why they
    were all removed (refusals, bans) or that it had none.
    """
    placed = np.zeros(problem.n_hh, dtype=bool)
    placed[problem.opt_hh[x]] = True
    unplaced = np.flatnonzero(~placed)
    hh_ids = inst.households["household_id"].to_numpy()
    remaining = problem.capacity - problem.usage.T @ x.astype(np.int64)
    res_kind = inst.resources["kind"].to_numpy()
    res_label = inst.resources["label"].to_numpy()
    res_key = inst.resources["key"].to_numpy()

    # Best option of each unplaced household.
    has_opt = np.zeros(problem.n_hh, dtype=bool)
    has_opt[problem.opt_hh] = True
    best_opt = np.full(problem.n_hh, -1, dtype=np.int64)
    order = np.lexsort((-problem.weight, problem.opt_hh))
    first = np.r_[True, problem.opt_hh[order][1:] != problem.opt_hh[order][:-1]]
    best_opt[problem.opt_hh[order][first]] = order[first]

    rows: list[dict[str, object]] = []
    removed = inst.removed.group_by("household_id").agg(pl.col("reason").unique())
    removed_map = dict(zip(removed["household_id"].to_list(), removed["reason"].to_list(), strict=True))
    usage = problem.usage.tocsr()
    # When several rows block a household's best option, name the most "planner-level" one.
    rank = {k.code: k.precedence for k in kinds()}
    for h in unplaced:
        kind: str | None = None
        key: str | None = None
        if has_opt[h]:
            j = best_opt[h]
            cols = usage.indices[usage.indptr[j] : usage.indptr[j + 1]]
            vals = usage.data[usage.indptr[j] : usage.indptr[j + 1]]
            blocking = cols[vals > remaining[cols]]
            if blocking.size:
                r = blocking[np.argmin([rank.get(res_kind[c], 99) for c in blocking])]
                kind, key = str(res_kind[r]), str(res_key[r])
                code, text = kind, shortage_text(kind, str(res_label[r]))
            else:
                code, text = R.OBJECTIVE_TRADEOFF, R.unplaced_text(R.OBJECTIVE_TRADEOFF)
        else:
            why = set(removed_map.get(hh_ids[h], []))
            if why & {R.REFUSED_REGION, R.REFUSED_SETTLEMENT}:
                code = R.ALL_REFUSED
            elif R.BANNED in why:
                code = R.ALL_BANNED
            else:
                code = R.NO_OPTIONS
            text = R.unplaced_text(code)
        rows.append(
            {
                "household_id": str(hh_ids[h]),
                "reason": code,
                "resource_kind": kind,
                "resource_key": key,
                "text_kk": text.kk,
                "text_ru": text.ru,
                "text_en": text.en,
            }
        )
    schema = {
        "household_id": pl.Utf8, "reason": pl.Utf8, "resource_kind": pl.Utf8,
        "resource_key": pl.Utf8, "text_kk": pl.Utf8, "text_ru": pl.Utf8, "text_en": pl.Utf8,
    }
    return pl.DataFrame(rows, schema=schema)


@dataclass(frozen=True)
class ConflictMember:
    """One constraint of a conflicting set: a lock, a capacity row or a fairness rule."""

    kind: str
    key: str
    text: Text


@dataclass(frozen=True)
class Conflict:
    """A set of planner constraints that cannot all hold; removing any one member (when
    ``minimal``) makes the rest satisfiable."""

    members: tuple[ConflictMember, ...]
    minimal: bool


def explain_infeasible(
    inst: AllocationInstance,
    problem: Problem,
    rules: tuple[FairnessRule, ...] = (),
    *,
    time_limit: float = 10.0,
) -> Conflict:
    """Name the locks, capacities and fairness rules that cannot hold together.

    Every lock, capacity row touched by a locked household's options and fairness rule is put
    behind an assumption literal in CP-SAT; the solver's sufficient assumptions for
    infeasibility are then shrunk by a deletion filter (drop a member, re-solve, keep it out
    if the rest is still infeasible). Without fairness rules only locked households can make
    a batch infeasible (the others may stay unplaced), so the model holds only them.
    """
    members: list[ConflictMember] = [
        ConflictMember(R.LOCK, c.household_id, _member_text(R.LOCK, c.household_id))
        for c in inst.lock_conflicts
    ]
    if members:
        # A lock with no option left conflicts with the household's own refusals or a ban.
        return Conflict(tuple(members), minimal=True)
    hh_ids = inst.households["household_id"].to_numpy()
    if rules:
        keep_opt = np.arange(problem.n_options)
    else:
        keep_opt = np.flatnonzero(problem.must_place[problem.opt_hh])
    usage = problem.usage[keep_opt].tocsc()
    rows = np.flatnonzero(np.diff(usage.indptr) > 0)
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{j}") for j in keep_opt]
    opt_hh = problem.opt_hh[keep_opt]
    lits: list[tuple[cp_model.IntVar, ConflictMember]] = []
    for h in np.unique(opt_hh):
        vs = [xs[i] for i in np.flatnonzero(opt_hh == h)]
        model.add_at_most_one(vs)
        if problem.must_place[h]:
            lit = model.new_bool_var(f"lock{h}")
            model.add_bool_or(vs).only_enforce_if(lit)
            lits.append((lit, ConflictMember(R.LOCK, str(hh_ids[h]), _member_text(R.LOCK, str(hh_ids[h])))))
    kinds = inst.resources["kind"].to_numpy()
    keys = inst.resources["key"].to_numpy()
    labels = inst.resources["label"].to_numpy()
    for r in rows:
        lo, hi = usage.indptr[r], usage.indptr[r + 1]
        if int(usage.data[lo:hi].sum()) <= problem.capacity[r]:
            continue
        lit = model.new_bool_var(f"res{r}")
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in usage.indices[lo:hi]], usage.data[lo:hi].tolist())
        model.add(expr <= int(problem.capacity[r])).only_enforce_if(lit)
        lits.append((lit, ConflictMember(str(kinds[r]), str(keys[r]), _member_text(str(kinds[r]), str(labels[r])))))
    fair = problem.fair[:, keep_opt].tocsr() if problem.fair.shape[0] else problem.fair
    for f, rule in enumerate(rules):
        lo, hi = fair.indptr[f], fair.indptr[f + 1]
        lit = model.new_bool_var(f"fair{f}")
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in fair.indices[lo:hi]], fair.data[lo:hi].tolist())
        model.add(expr >= int(problem.fair_lb[f])).only_enforce_if(lit)
        lits.append((lit, ConflictMember(R.FAIRNESS, rule.label, _member_text(R.FAIRNESS, rule.label))))

    def infeasible_with(active: list[int]) -> tuple[bool, list[int]]:
        model.clear_assumptions()
        model.add_assumptions([lits[i][0] for i in active])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        status = solver.solve(model)
        if status != cp_model.INFEASIBLE:
            return False, active
        core_idx = set(solver.sufficient_assumptions_for_infeasibility())
        core = [i for i in active if lits[i][0].index in core_idx]
        return True, core or active

    infeasible, core = infeasible_with(list(range(len(lits))))
    if not infeasible:
        return Conflict((), minimal=False)
    minimal = True
    i = 0
    while i < len(core):
        trial = core[:i] + core[i + 1 :]
        still, smaller = infeasible_with(trial)
        if still:
            core = [c for c in trial if c in set(smaller)] if smaller else trial
        else:
            i += 1
    return Conflict(tuple(lits[i][1] for i in core), minimal=minimal)
