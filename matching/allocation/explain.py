"""Why households stayed unplaced, and which planner constraints conflict when none can hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from ortools.sat.python import cp_model

from matching.allocation import reasons as R
from matching.allocation.capacity_kinds import kinds, shortage_text
from matching.allocation.instance import AllocationInstance
from matching.allocation.model import FairnessRule, Problem
from matching.text import Text, msg


def _member_text(kind: str, label: str) -> Text:
    """The text naming one member of a conflicting set: a planner constraint or a resource."""
    if kind in R.PLANNER_CONSTRAINTS:
        return R.planner_conflict_text(kind, label)
    return shortage_text(kind, label)


def unplaced_reasons(
    inst: AllocationInstance, problem: Problem, x: np.ndarray, *, solved: bool = True
) -> pl.DataFrame:
    """One row per unplaced household: ``household_id, category, reason, resource_kind,
    resource_key, text_kk, text_ru, text_en``.

    ``category`` splits the unplaced households (:data:`~matching.allocation.reasons.CATEGORIES`):

    - ``no_feasible_option``: no option fits even in an empty batch — none from the scorer,
      all banned, or every one needs more of some row than the row holds (the reason names
      the first such row of the best option: ``zero_capacity`` for a row with no capacity,
      a home with 0 units, a locality with 0 seats; ``exceeds_capacity`` otherwise);
    - ``refused``: the household refused every option it had;
    - ``lost_to_others``: its best option that fits on its own is blocked by a row that
      other, higher-valued placements filled (the reason is the row's kind);
    - ``tradeoff``: capacity remains for that option, but a fairness rule or the total
      placed others (``objective_tradeoff``).

    With ``solved=False`` (an infeasible batch: nobody was placed because planner constraints
    conflict) only the first two categories are listed: they hold whatever the solve, while
    "lost to others" would describe an allocation that does not exist.
    """
    placed = np.zeros(problem.n_hh, dtype=bool)
    placed[problem.opt_hh[x]] = True
    unplaced = np.flatnonzero(~placed)
    hh_ids = inst.households["household_id"].to_numpy()
    remaining = problem.capacity - problem.usage.T @ x.astype(np.int64)
    res_kind = inst.resources["kind"].to_numpy()
    res_label = inst.resources["label"].to_numpy()
    res_key = inst.resources["key"].to_numpy()
    usage = problem.usage.tocsr()
    rank = {k.code: k.precedence for k in kinds()}
    row_rank = np.array([rank.get(str(k), 99) for k in res_kind], dtype=np.int64)

    # Options that fit every row on their own; the rest can never be chosen.
    coo = usage.tocoo()
    alone = np.ones(problem.n_options, dtype=bool)
    alone[coo.row[coo.data > problem.capacity[coo.col]]] = False
    # Best option of each household, and best among those that fit on their own.
    order = np.lexsort((-problem.weight, problem.opt_hh))
    hh_sorted = problem.opt_hh[order]
    first = np.r_[True, hh_sorted[1:] != hh_sorted[:-1]] if order.size else np.zeros(0, dtype=bool)
    best_opt = np.full(problem.n_hh, -1, dtype=np.int64)
    best_opt[hh_sorted[first]] = order[first]
    fit_order = order[alone[order]]
    fit_hh = problem.opt_hh[fit_order]
    fit_first = np.r_[True, fit_hh[1:] != fit_hh[:-1]] if fit_order.size else np.zeros(0, dtype=bool)
    best_fit = np.full(problem.n_hh, -1, dtype=np.int64)
    best_fit[fit_hh[fit_first]] = fit_order[fit_first]

    rows: list[dict[str, object]] = []
    removed = inst.removed.group_by("household_id").agg(pl.col("reason").unique())
    removed_map = dict(zip(removed["household_id"].to_list(), removed["reason"].to_list(), strict=True))

    def pick(cols: np.ndarray) -> int:
        # When several rows block an option, name the most "planner-level" one (quotas first).
        return int(cols[np.argmin(row_rank[cols])])

    for h in unplaced:
        kind: str | None = None
        key: str | None = None
        if best_fit[h] >= 0:
            if not solved:
                continue
            j = best_fit[h]
            cols = usage.indices[usage.indptr[j] : usage.indptr[j + 1]]
            vals = usage.data[usage.indptr[j] : usage.indptr[j + 1]]
            blocking = cols[vals > remaining[cols]]
            if blocking.size:
                r = pick(blocking)
                category, code = R.LOST_TO_OTHERS, str(res_kind[r])
                kind, key = code, str(res_key[r])
                text = shortage_text(code, str(res_label[r]))
            else:
                category, code = R.TRADEOFF, R.OBJECTIVE_TRADEOFF
                text = R.unplaced_text(R.OBJECTIVE_TRADEOFF)
        elif best_opt[h] >= 0:
            # Options exist but none fits even alone: name the first row the best one breaks.
            j = best_opt[h]
            cols = usage.indices[usage.indptr[j] : usage.indptr[j + 1]]
            vals = usage.data[usage.indptr[j] : usage.indptr[j + 1]]
            over = vals > problem.capacity[cols]
            r = pick(cols[over])
            need = int(vals[over][np.flatnonzero(cols[over] == r)[0]])
            cap = int(problem.capacity[r])
            category = R.NO_FEASIBLE_OPTION
            code = R.ZERO_CAPACITY if cap <= 0 else R.EXCEEDS_CAPACITY
            kind, key = str(res_kind[r]), str(res_key[r])
            text = R.capacity_text(kind, str(res_label[r]), need, cap)
        else:
            why = set(removed_map.get(hh_ids[h], []))
            if why & {R.REFUSED_REGION, R.REFUSED_SETTLEMENT}:
                category, code = R.REFUSED, R.ALL_REFUSED
            elif R.BANNED in why:
                category, code = R.NO_FEASIBLE_OPTION, R.ALL_BANNED
            else:
                category, code = R.NO_FEASIBLE_OPTION, R.NO_OPTIONS
            text = R.unplaced_text(code)
        rows.append(
            {
                "household_id": str(hh_ids[h]),
                "category": category,
                "reason": code,
                "resource_kind": kind,
                "resource_key": key,
                "text_kk": text.kk,
                "text_ru": text.ru,
                "text_en": text.en,
            }
        )
    schema = {
        "household_id": pl.Utf8, "category": pl.Utf8, "reason": pl.Utf8,
        "resource_kind": pl.Utf8, "resource_key": pl.Utf8, "text_kk": pl.Utf8,
        "text_ru": pl.Utf8, "text_en": pl.Utf8,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def unplaced_summary(unplaced: pl.DataFrame, resources: pl.DataFrame, *, top: int = 10) -> dict[str, Any]:
    """The split of the unplaced households for a run summary.

    ``{category: {"households": n, "text": {kk, ru, en}, ...}}`` for every category of
    :func:`unplaced_reasons`; ``no_feasible_option`` adds ``first_rule`` (households per
    first blocking rule: ``zero_capacity:home``, ``no_feasible_options`` …) and
    ``lost_to_others`` adds ``rows``: the ``top`` rows that kept most households out, with
    their kind, key, count and text.
    """
    labels = dict(
        zip(
            zip(resources["kind"].to_list(), resources["key"].to_list(), strict=True),
            resources["label"].to_list(),
            strict=True,
        )
    )
    out: dict[str, Any] = {}
    for category in R.CATEGORIES:
        part = unplaced.filter(pl.col("category") == category)
        entry: dict[str, Any] = {
            "households": part.height,
            "text": R.summary_text(category, part.height).as_dict(),
        }
        if category == R.NO_FEASIBLE_OPTION:
            rule = pl.when(pl.col("resource_kind").is_not_null()).then(
                pl.concat_str([pl.col("reason"), pl.col("resource_kind")], separator=":")
            ).otherwise(pl.col("reason"))
            counts = part.group_by(rule.alias("rule")).len().sort(["len", "rule"], descending=[True, False])
            entry["first_rule"] = {str(r): int(n) for r, n in counts.iter_rows()}
        if category == R.LOST_TO_OTHERS:
            counts = (
                part.group_by("resource_kind", "resource_key").len()
                .sort(["len", "resource_kind", "resource_key"], descending=[True, False, False])
                .head(top)
            )  # fmt: skip
            entry["rows"] = [
                {
                    "kind": k, "key": key, "households": int(n),
                    "text": msg(
                        "allocation.summary.lost_on_row",
                        row=shortage_text(k, labels.get((k, key), key)), count=int(n),
                    ).as_dict(),
                }
                for k, key, n in counts.iter_rows()
            ]  # fmt: skip
        out[category] = entry
    return out


@dataclass(frozen=True)
class ConflictMember:
    """One constraint of a conflicting set: a lock, a capacity row or a fairness rule.

    ``cause`` is set for a lock that breaks one of its own household's constraints, alone:
    a removal code (``refused_region``, ``refused_settlement_type``, ``planner_ban``),
    ``no_option`` (locked to something the household has no option for) or ``cannot_fit``
    (every locked option needs more of a row than it holds: no seat, a zero-capacity home);
    ``resource_kind``/``resource_key`` name that row. Empty for members that conflict only
    together with others.
    """

    kind: str
    key: str
    text: Text
    cause: str = ""
    resource_kind: str | None = None
    resource_key: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Planner constraints that cannot all hold.

    ``sets`` are independent (disjoint) conflicting sets: each must be resolved on its own.
    When ``minimal``, removing any one member of a set makes that set satisfiable. ``members``
    is every member of every set, in order.
    """

    members: tuple[ConflictMember, ...]
    minimal: bool
    sets: tuple[tuple[ConflictMember, ...], ...] = field(default_factory=tuple)


def _lock_member(household_id: str, cause: str, key: str = "", why: Text | None = None,
                 resource: tuple[str, str] | None = None) -> ConflictMember:
    return ConflictMember(
        R.LOCK, household_id, R.lock_conflict_text(household_id, cause, key, why), cause,
        resource[0] if resource else None, resource[1] if resource else None,
    )


def _lock_without_options(inst: AllocationInstance, household_id: str) -> ConflictMember:
    """Why a lock left its household without any option: what removed the locked options."""
    own = inst.removed.filter(
        (pl.col("household_id") == household_id) & (pl.col("reason") != R.LOCKED_ELSEWHERE)
    )
    for cause, column in (
        (R.REFUSED_REGION, "region_code"),
        (R.REFUSED_SETTLEMENT, "locality_id"),
        (R.BANNED, "locality_id"),
    ):
        hit = own.filter(pl.col("reason") == cause)
        if hit.height:
            keys = sorted({str(v) for v in hit[column].to_list() if v is not None})
            return _lock_member(household_id, cause, ", ".join(keys))
    return _lock_member(household_id, R.LOCK_NO_OPTION)


def _locks_that_cannot_fit(
    inst: AllocationInstance, problem: Problem
) -> dict[int, ConflictMember]:
    """Locked households none of whose options fits every row even in an empty batch."""
    coo = problem.usage.tocsr().tocoo()
    alone = np.ones(problem.n_options, dtype=bool)
    alone[coo.row[coo.data > problem.capacity[coo.col]]] = False
    has_fit = np.zeros(problem.n_hh, dtype=bool)
    has_fit[problem.opt_hh[alone]] = True
    bad = np.flatnonzero(problem.must_place & ~has_fit)
    if bad.size == 0:
        return {}
    hh_ids = inst.households["household_id"].to_numpy()
    res_kind = inst.resources["kind"].to_numpy()
    res_key = inst.resources["key"].to_numpy()
    res_label = inst.resources["label"].to_numpy()
    rank = {k.code: k.precedence for k in kinds()}
    usage = problem.usage.tocsr()
    out: dict[int, ConflictMember] = {}
    for h in bad:
        own = np.flatnonzero(problem.opt_hh == h)
        if own.size == 0:
            continue
        j = int(own[np.argmax(problem.weight[own])])
        cols = usage.indices[usage.indptr[j] : usage.indptr[j + 1]]
        vals = usage.data[usage.indptr[j] : usage.indptr[j + 1]]
        over = np.flatnonzero(vals > problem.capacity[cols])
        i = over[np.argmin([rank.get(str(res_kind[cols[k]]), 99) for k in over])]
        r = int(cols[i])
        why = R.capacity_text(str(res_kind[r]), str(res_label[r]), int(vals[i]), int(problem.capacity[r]))
        out[int(h)] = _lock_member(
            str(hh_ids[h]), R.LOCK_CANNOT_FIT, why=why, resource=(str(res_kind[r]), str(res_key[r]))
        )
    return out


def explain_infeasible(
    inst: AllocationInstance,
    problem: Problem,
    rules: tuple[FairnessRule, ...] = (),
    *,
    time_limit: float = 10.0,
    max_sets: int = 20,
) -> Conflict:
    """Name the locks, capacities and fairness rules that cannot hold together, as
    independent minimal sets.

    A lock that breaks its own household's constraints (locked to a refused region or
    settlement type, to a banned option, or onto options that need more of a row than it
    holds) is a set of its own and says which. The other locks, every capacity row touched
    by a locked household's options and every fairness rule are put behind assumption
    literals in CP-SAT; the solver's sufficient assumptions for infeasibility are shrunk by a
    deletion filter (drop a member, re-solve, keep it out if the rest is still infeasible)
    to a minimal set. Its locks and rules are then dropped and the search repeats, so two
    independent conflicts come out as two sets rather than one. Without fairness rules only
    locked households can make a batch infeasible (the others may stay unplaced), so the
    model holds only them.
    """
    sets: list[tuple[ConflictMember, ...]] = [
        (_lock_without_options(inst, c.household_id),) for c in inst.lock_conflicts
    ]
    alone = _locks_that_cannot_fit(inst, problem)
    sets.extend((m,) for _, m in sorted(alone.items()))
    hh_ids = inst.households["household_id"].to_numpy()
    locked = problem.must_place.copy()
    locked[list(alone)] = False
    if rules:
        keep_opt = np.arange(problem.n_options)
    else:
        keep_opt = np.flatnonzero(locked[problem.opt_hh])
    minimal = True
    if keep_opt.size or rules:
        core_sets, minimal = _conflict_cores(inst, problem, rules, keep_opt, locked, hh_ids, time_limit, max_sets)
        sets.extend(core_sets)
    if not sets:
        return Conflict((), minimal=False)
    members = tuple(m for s in sets for m in s)
    return Conflict(members, minimal=minimal, sets=tuple(sets))


def _conflict_cores(
    inst: AllocationInstance,
    problem: Problem,
    rules: tuple[FairnessRule, ...],
    keep_opt: np.ndarray,
    locked: np.ndarray,
    hh_ids: np.ndarray,
    time_limit: float,
    max_sets: int,
) -> tuple[list[tuple[ConflictMember, ...]], bool]:
    """Disjoint minimal conflicting sets among the locks in ``locked``, the rows they touch
    and the fairness rules (CP-SAT with assumption literals); whether each is proven minimal."""
    usage = problem.usage[keep_opt].tocsc()
    rows = np.flatnonzero(np.diff(usage.indptr) > 0)
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{j}") for j in keep_opt]
    opt_hh = problem.opt_hh[keep_opt]
    lits: list[tuple[cp_model.IntVar, ConflictMember]] = []
    for h in np.unique(opt_hh):
        vs = [xs[i] for i in np.flatnonzero(opt_hh == h)]
        model.add_at_most_one(vs)
        if locked[h]:
            lit = model.new_bool_var(f"lock{h}")
            model.add_bool_or(vs).only_enforce_if(lit)
            lits.append((lit, ConflictMember(R.LOCK, str(hh_ids[h]), _member_text(R.LOCK, str(hh_ids[h])))))
    kinds_ = inst.resources["kind"].to_numpy()
    keys = inst.resources["key"].to_numpy()
    labels = inst.resources["label"].to_numpy()
    for r in rows:
        lo, hi = usage.indptr[r], usage.indptr[r + 1]
        if int(usage.data[lo:hi].sum()) <= problem.capacity[r]:
            continue
        lit = model.new_bool_var(f"res{r}")
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in usage.indices[lo:hi]], usage.data[lo:hi].tolist())
        model.add(expr <= int(problem.capacity[r])).only_enforce_if(lit)
        lits.append((lit, ConflictMember(str(kinds_[r]), str(keys[r]), _member_text(str(kinds_[r]), str(labels[r])))))
    fair = problem.fair[:, keep_opt].tocsr() if problem.fair.shape[0] else problem.fair
    for f, rule in enumerate(rules):
        lo, hi = fair.indptr[f], fair.indptr[f + 1]
        lit = model.new_bool_var(f"fair{f}")
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in fair.indices[lo:hi]], fair.data[lo:hi].tolist())
        model.add(expr >= int(problem.fair_lb[f])).only_enforce_if(lit)
        lits.append((lit, ConflictMember(R.FAIRNESS, rule.label, _member_text(R.FAIRNESS, rule.label))))
    proven = True

    def infeasible_with(active: list[int]) -> tuple[bool, list[int]]:
        nonlocal proven
        model.clear_assumptions()
        model.add_assumptions([lits[i][0] for i in active])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        status = solver.solve(model)
        if status == cp_model.UNKNOWN:
            proven = False  # a member kept because of a timeout may not be needed
        if status != cp_model.INFEASIBLE:
            return False, active
        core_idx = set(solver.sufficient_assumptions_for_infeasibility())
        core = [i for i in active if lits[i][0].index in core_idx]
        return True, core or active

    planner = {R.LOCK, R.FAIRNESS}
    active = list(range(len(lits)))
    found: list[tuple[ConflictMember, ...]] = []
    while len(found) < max_sets:
        infeasible, core = infeasible_with(active)
        if not infeasible:
            break
        i = 0
        while i < len(core):
            trial = core[:i] + core[i + 1 :]
            still, smaller = infeasible_with(trial)
            if still:
                core = [c for c in trial if c in set(smaller)] if smaller else trial
            else:
                i += 1
        found.append(tuple(lits[i][1] for i in core))
        # Drop the set's planner constraints (its rows stay: another set may share them only
        # through its own locks) and look for a conflict among what is left.
        drop = {i for i in core if lits[i][1].kind in planner}
        if not drop:
            break
        active = [i for i in active if i not in drop]
    return found, proven
