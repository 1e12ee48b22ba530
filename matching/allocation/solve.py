"""``allocate``: the batch pipeline from instance to placement with a proof of quality.

Up to ``exact_max_options`` options HiGHS solves the whole model exactly, beside the
decomposition (two workers, each handing the other its better allocations and bound) or
alone first (one worker); the better plan and the tighter bound are kept. The decomposition
follows the structure of the model: the LP
relaxation (column generation over options, HiGHS) gives the bound and decides most
households; knapsack cuts on the seat rows (:mod:`matching.allocation.cuts`) tighten it;
households it leaves fractional form a small residual problem solved by HiGHS from a rounded
start; a greedy top-up fills what capacity is left, and a large-neighbourhood search improves
the allocation until the time limit. The gap is always measured against the tighter of the
LP and HiGHS bounds, never assumed. Before all of it, a construction that keeps every row,
fairness floors included (:mod:`matching.allocation.construct`), gives every phase its start
and the run its answer of last resort.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from matching.allocation.audit import StabilityAudit, stability_audit
from matching.allocation.baselines import greedy_baseline, status_quo_baseline
from matching.allocation.bound import destination_bound
from matching.allocation.construct import best_start, construct
from matching.allocation.cpsat import CpResult, solve_cpsat
from matching.allocation.cuts import feasible_options, knapsack_rows, separate, with_cuts
from matching.allocation.explain import (
    Conflict,
    explain_infeasible,
    unplaced_reasons,
    unplaced_summary,
)
from matching.allocation.greedy import greedy_fill, weight_order
from matching.allocation.instance import AllocationInstance
from matching.allocation.lns import improve_lns
from matching.allocation.lp import LPResult, dual_bound, household_prices, solve_lp_colgen
from matching.allocation.mip import MipLink, solve_mip
from matching.allocation.model import (
    FairnessRule,
    Problem,
    groups_table,
    problem_from_instance,
    restrict,
    take_options,
)

ProgressCallback = Callable[[str, float, str], None]


def _no_progress(phase: str, fraction: float, message: str) -> None:
    return None


@dataclass(frozen=True)
class AllocationConfig:
    """How to run a batch.

    Attributes
    ----------
    time_limit
        Seconds for the solver phases (exact, LP, residual, search).
    workers
        Threads: with 2 or more, HiGHS on the whole model takes one beside the decomposition
        (up to ``exact_max_options``); the search solves neighbourhoods on the rest
        (ignored when ``deterministic``).
    deterministic
        One worker and a fixed seed: the same input gives the same objective.
    seed
        CP-SAT random seed.
    fairness
        Group floors; their cost in objective is measured by a second run without them.
    exact_max_options
        Up to this many options (after dropping options that fit no row even alone) HiGHS
        branch-and-cut runs on the whole model: beside the decomposition on its own worker
        when ``workers`` > 1 (each hands the other its better allocations and the tighter
        bound wins), first and alone for ``exact_share`` of the time otherwise. Measured
        (docs/benchmarks/allocation.md): HiGHS proves 150-household contended batches and the
        1,000-household demo optimal in seconds, and up to about 2,000 households its bound
        beats the LP's; above that its root alone outlasts the time limit.
    exact_gap
        Relative gap at which the exact solve (and, with it, the search) stops: the plan is
        then proven within it.
    exact_share
        Share of the time limit for the exact solve when it runs alone first.
    lp_tolerance
        Relative distance between the restricted LP and the dual bound at which column
        generation stops (the bound stays valid; the slack shows in the gap).
    residual_solver
        "mip" (HiGHS branch-and-cut) or "cpsat" for the households the LP leaves fractional;
        HiGHS measured better on this residual (see docs/benchmarks/allocation.md).
    bound_time_share
        Share of ``time_limit`` kept at the end of the LP pipeline for the destination bound
        (:func:`matching.allocation.bound.destination_bound`), which tightens the LP bound;
        0 (the default) turns it off: after the knapsack cuts it tightened the 5,000
        contended bound by 18 in 4.4 s, which the search uses better. Not used with
        fairness rules.
    lns
        After the residual passes, improve the allocation by large-neighbourhood search
        (:func:`matching.allocation.lns.improve_lns`) until the bound phase's share begins.
    lns_rounds
        Round cap of the search in ``deterministic`` mode (otherwise only time stops it).
    lns_target_gap
        The search stops once the allocation is within this relative distance of the LP
        bound (a batch already that close gives its time back).
    reduced_cost_window
        After the LP, the integer phases use only options whose LP reduced cost is at least
        ``−window`` (objective units; plus the LP's and a greedy allocation's options);
        ``math.inf`` keeps every option. With fairness rules the reduced costs include the
        floors' prices, and the construction's options are kept too; without a
        construction that meets the floors every option is kept.
    cut_rounds
        Rounds of knapsack cuts (:mod:`matching.allocation.cuts`) added to the LP after its
        first solve; each round re-solves the LP from the options already priced in. The
        cuts hold for every allocation, so the integer phases keep them as extra rows.
    earlier_movers
        ``origin_region, locality_id, movers``: enables the status-quo baseline.
    baselines
        Whether to run the baselines.
    start
        A plan to start from (bool per option of the instance), e.g. the status-quo plan of
        the batch: when it keeps every row (floors included) the result is never below it.
        Otherwise it is repaired (:func:`matching.allocation.construct.construct`: the
        lowest-weight placements of an overdrawn row dropped, short floors filled) and used
        only if that gives a plan that keeps every row.
    """

    time_limit: float = 60.0
    workers: int = 2
    deterministic: bool = False
    seed: int = 0
    fairness: tuple[FairnessRule, ...] = ()
    exact_max_options: int = 60_000
    exact_gap: float = 1e-4
    exact_share: float = 0.5
    lp_tolerance: float = 1e-4
    residual_solver: str = "mip"
    bound_time_share: float = 0.0
    lns: bool = True
    lns_rounds: int = 20
    lns_target_gap: float = 5e-4
    reduced_cost_window: float = 50.0
    cut_rounds: int = 2
    earlier_movers: pl.DataFrame | None = None
    baselines: bool = True
    measure_fairness_cost: bool = True
    start: np.ndarray | None = None


@dataclass(frozen=True)
class AllocationResult:
    """Placement of a batch with its proof of quality.

    ``status`` is "optimal", "feasible", "infeasible" or "unknown" (no phase found a plan,
    not even the construction, and nothing was proven within the time limit); ``gap`` is
    ``(best_bound − objective) / best_bound``. ``x`` marks the chosen options of
    ``instance.options``. ``unplaced_split`` counts the unplaced households per category
    (no feasible option at all, lost to others per row, refused;
    :func:`matching.allocation.explain.unplaced_summary`). An infeasible batch has a
    ``conflict`` and lists as unplaced only the households that had no feasible option or
    refused them all: nobody else was "placed out" by an allocation that does not exist.
    """

    status: str
    objective: int
    best_bound: int
    gap: float
    wall_time: float
    method: str
    placements: pl.DataFrame
    unplaced: pl.DataFrame
    fill: pl.DataFrame
    groups: pl.DataFrame
    baselines: dict[str, int]
    stability: StabilityAudit | None
    conflict: Conflict | None
    fairness_cost: int | None
    x: np.ndarray
    instance: AllocationInstance
    phases: dict[str, float] = field(default_factory=dict)
    unplaced_split: dict[str, Any] = field(default_factory=dict)


def _fill_table(inst: AllocationInstance, problem: Problem, x: np.ndarray) -> pl.DataFrame:
    used = problem.usage.T @ x.astype(np.int64)
    return inst.resources.with_columns(used=pl.Series(used.astype(np.int64))).with_columns(
        fill=pl.when(pl.col("capacity") > 0)
        .then(pl.col("used") / pl.col("capacity"))
        .otherwise(None)
    )


# Rows with at most this many households fixed on them count as "small" (a home stock,
# a vacancy's posts, a locality's seats) when building the improvement neighbourhood.
_SMALL_ROW_USERS = 5
# Share of the time limit for the solver phases; the rest is kept for the baselines, the
# stability audit and the reasons, so a whole run stays within its limit.
_SOLVER_SHARE = 0.95
# Share of the time left for the first residual solve (the households the LP leaves fractional).
_RESIDUAL_SHARE = 0.4
# Share of the time limit the construction's swap repair may take (it takes none when the
# floors are met without swaps, as on the back-test's cohorts; at 1.5 times their floors a
# 5,000-household cohort needed 2-3 s of swaps).
_CONSTRUCT_SHARE = 0.2
# Cut rounds must end within this share of the time limit (judged by the last solve's time):
# on a quiet machine both rounds of the 5,000 contended batch end by 40 %; under load
# (LP 9.3 s instead of 4.6 s) one round still fits, and the search keeps the rest.
_CUT_SHARE = 0.5


def _neighbourhood(
    problem: Problem, fixed: np.ndarray, lp_x: np.ndarray, resid_hh: np.ndarray
) -> np.ndarray:
    """Fractional households plus those fixed on small rows their options touch."""
    frac = (lp_x > 1e-6) & ~fixed
    if not frac.any():
        return resid_hh
    rows = np.unique(problem.usage[np.flatnonzero(frac)].tocoo().col)
    users = np.asarray((problem.usage[np.flatnonzero(fixed)] > 0).sum(axis=0)).ravel()
    rows = rows[users[rows] <= _SMALL_ROW_USERS]
    if rows.size == 0:
        return resid_hh
    touch = np.asarray((problem.usage[:, rows] > 0).sum(axis=1)).ravel() > 0
    return np.unique(np.concatenate([problem.opt_hh[fixed & touch], resid_hh]))


def _solve_residual(
    problem: Problem,
    config: AllocationConfig,
    lp_x: np.ndarray,
    base: np.ndarray,
    households: np.ndarray,
    deadline: float,
    *,
    share: float,
) -> tuple[np.ndarray, bool]:
    """Re-optimize ``households`` with everything in ``base`` fixed; returns x and whether the
    residual could not be solved (only possible with locks or fairness rows)."""
    x = base.copy()
    sub, idx = restrict(problem, households, base)
    if sub.n_options == 0:
        return x, bool(sub.must_place.any() or np.any(sub.fair_lb > 0))
    # Hint: the LP's own preference, rounded within the residual capacities, floors first.
    built = construct(sub, lp_x[idx] * 1e6 + sub.weight, time_limit=0.05 * config.time_limit)
    hint, hint_ok = built.x, built.feasible
    limit = max((deadline - time.perf_counter()) * share, 1.0)
    if config.residual_solver == "cpsat":
        workers = 1 if config.deterministic else config.workers
        cp = solve_cpsat(sub, time_limit=limit, workers=workers, seed=config.seed, hint=hint)
    else:
        # HiGHS's result on this residual varies with its seed as much as with more time, so
        # with two workers two seeds run side by side (HiGHS releases the GIL) and the better
        # allocation is kept.
        n_runs = 1 if config.deterministic else max(config.workers, 1)
        start = hint if hint_ok else None
        if n_runs == 1:
            cp = solve_mip(sub, time_limit=limit, start=start, seed=config.seed)
        else:
            with ThreadPoolExecutor(max_workers=n_runs) as pool:
                runs = list(pool.map(
                    lambda k: solve_mip(sub, time_limit=limit, start=start, seed=config.seed + k),
                    range(n_runs),
                ))
            solved = [r for r in runs if r.status in ("optimal", "feasible")]
            cp = max(solved, key=lambda r: r.objective) if solved else runs[0]
    if hint_ok and (
        cp.status not in ("optimal", "feasible") or sub.objective(cp.x) < sub.objective(hint)
    ):
        cp = replace(cp, status="feasible", x=hint, objective=sub.objective(hint))
    if cp.status not in ("optimal", "feasible"):
        return x, True
    x[idx[cp.x]] = True
    return x, False


# Rows dualized by the destination bound: they link destinations across a whole region.
SOFT_KINDS = ("quota_persons", "quota_families", "budget")


def _promising_options(
    problem: Problem,
    price: np.ndarray,
    lp_x: np.ndarray,
    window: float,
    *,
    fair_price: np.ndarray | None = None,
    incumbent: np.ndarray | None = None,
) -> np.ndarray:
    """Options whose LP reduced cost is within ``window`` of zero, plus the LP's own options,
    a greedy allocation's options, every option of a locked household and the options of
    ``incumbent`` (a plan keeping every row, so the integer phases can always fall back on it).

    An option with a very negative reduced cost lowers the objective by that much below the
    LP bound whenever it is used, so near-optimal allocations hardly use such options; the
    integer solves then work on a few options per household instead of dozens (measured on
    a 5,000-household contended batch: 14,000 options instead of 143,000, and neighbourhood
    solves that improve several times faster). The bound is still the full problem's.

    With fairness floors the reduced costs include the floors' prices (``fair_price``); the
    window then needs a plan meeting the floors (``incumbent``) inside it, else every option
    is kept: fixing the LP's part within a window can leave a floor out of reach.
    """
    fair = problem.fair.shape[0] > 0
    if not math.isfinite(window) or (fair and (fair_price is None or incumbent is None)):
        return np.arange(problem.n_options)
    prices = fair_price if fair and fair_price is not None else np.zeros(problem.fair_lb.shape[0])
    _, reduced = dual_bound(problem, price, prices)
    keep = reduced - household_prices(problem, reduced)[problem.opt_hh] >= -window
    keep |= lp_x > 1e-9
    keep |= problem.must_place[problem.opt_hh]
    keep |= greedy_fill(problem, weight_order(problem), problem.weight.astype(float))
    if incumbent is not None:
        keep |= incumbent
    return np.flatnonzero(keep)


_Hooks = tuple[Callable[[np.ndarray], None], Callable[[], bool]] | None


def _link_hooks(problem: Problem, link: MipLink | None) -> Callable[[np.ndarray], _Hooks]:
    """For the options ``keep`` of ``problem`` the integer phases work on: a function that
    offers their allocations to the exact solve, and one that says it has proven enough."""

    def make(keep: np.ndarray) -> _Hooks:
        if link is None:
            return None

        def offer(xw: np.ndarray) -> None:
            x = np.zeros(problem.n_options, dtype=bool)
            x[keep[xw]] = True
            link.offer(x, problem.objective(x))

        return offer, lambda: link.stop.is_set() or link.proven()

    return make


def _primal(
    problem: Problem,
    config: AllocationConfig,
    lp_x: np.ndarray,
    price: np.ndarray,
    lp_bound: float,
    deadline: float,
    progress: ProgressCallback,
    phases: dict[str, float],
    *,
    hooks: _Hooks = None,
    incumbent: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """An allocation guided by the LP: fix its integral part, solve the households it leaves
    fractional, re-solve their neighbourhood, top up greedily, then search. Returns x and
    whether the residual could not be solved.

    ``incumbent`` (a plan keeping every row, floors included) is where the search starts when
    the residual cannot be solved (fixing the LP's integral part can leave a floor or a lock
    out of reach) or when it is better than what the residual gave; the result is never
    below it."""
    fixed = lp_x >= 1.0 - 1e-6
    frac = (lp_x > 1e-6) & ~fixed
    resid_hh = np.unique(np.concatenate([problem.opt_hh[frac], np.flatnonzero(problem.must_place)]))
    placed = np.zeros(problem.n_hh, dtype=bool)
    placed[problem.opt_hh[fixed]] = True
    resid_hh = resid_hh[~placed[resid_hh]]
    progress("residual", 0.6, f"{resid_hh.size} households left fractional by the LP")
    t1 = time.perf_counter()
    x, failed = _solve_residual(problem, config, lp_x, fixed, resid_hh, deadline, share=_RESIDUAL_SHARE)
    if failed and incumbent is None:
        phases["residual"] = time.perf_counter() - t1
        return x, True
    if failed and incumbent is not None:
        x = incumbent.copy()
    # Second pass, only without the search: free the households that hold the small rows
    # (homes, posts, seats) the fractional ones compete for, and re-solve that neighbourhood;
    # keep it if it is better. With the search the time goes to the search instead: on the
    # 5,000 contended batch this pass rarely gained and the search gains more in its seconds.
    hood = _neighbourhood(problem, fixed, lp_x, resid_hh) if not config.lns else resid_hh
    if hood.size > resid_hh.size and time.perf_counter() < deadline - 1.0:
        base = fixed.copy()
        inside = np.zeros(problem.n_hh, dtype=bool)
        inside[hood] = True
        base[inside[problem.opt_hh]] = False
        x2, failed2 = _solve_residual(
            problem, config, lp_x, base, hood, deadline, share=0.9
        )
        if not failed2 and problem.objective(x2) > problem.objective(x):
            x = x2
    phases["residual"] = time.perf_counter() - t1
    progress("repair", 0.9, "greedy top-up of remaining capacity")
    t2 = time.perf_counter()
    topped = greedy_fill(problem, weight_order(problem), problem.weight.astype(float), x)
    # Adding households never breaks a capacity or a placement-rate floor, but it can pull a
    # group's average score under its floor; keep the top-up only when every row still holds.
    if not any(problem.violations(topped).values()):
        x = topped
    if incumbent is not None and problem.objective(incumbent) > problem.objective(x):
        x = incumbent.copy()
    phases["repair"] = time.perf_counter() - t2
    # Beside an exact solve the search aims at its gap, not at the decomposition's own.
    target = config.lns_target_gap if hooks is None else config.exact_gap
    if hooks is not None:
        hooks[0](x)
    if config.lns and time.perf_counter() < deadline - 1.0 and not (hooks and hooks[1]()):
        progress("lns", 0.905, "large-neighbourhood search around blocked options")
        t4 = time.perf_counter()
        x, stats = improve_lns(
            problem, x, price, deadline, seed=config.seed,
            max_rounds=config.lns_rounds if config.deterministic else None,
            stop_at=lp_bound * (1.0 - target),
            workers=1 if config.deterministic else config.workers,
            on_improve=hooks[0] if hooks else None,
            should_stop=hooks[1] if hooks else None,
        )
        phases["lns"] = time.perf_counter() - t4
        phases["lns_rounds"] = float(stats.rounds)
        phases["lns_improved"] = float(stats.improved)
        phases["lns_size"] = float(stats.size)
    return x, False


def _proven(objective: int, bound: float, gap: float) -> bool:
    return math.isfinite(bound) and bound - objective <= gap * max(abs(bound), 1.0)


def _solve(
    problem: Problem,
    config: AllocationConfig,
    progress: ProgressCallback,
    soft_rows: np.ndarray | None = None,
) -> tuple[str, np.ndarray, float, str, dict[str, float]]:
    """Returns status, x, bound, method and seconds per phase.

    Up to ``exact_max_options`` options HiGHS also solves the whole model exactly: side by
    side with the decomposition (two workers) or alone first (one worker, deterministic
    mode). The better allocation is kept, with the tighter of the two bounds.
    """
    workers = 1 if config.deterministic else config.workers
    t0 = time.perf_counter()
    deadline = t0 + config.time_limit * _SOLVER_SHARE
    phases: dict[str, float] = {}
    none = np.zeros(problem.n_options, dtype=bool)
    # Options needing more than a whole row can never be chosen; without them the LP is tighter.
    fit = feasible_options(problem)
    full_problem, problem = problem, take_options(problem, fit)

    def lift(xs: np.ndarray) -> np.ndarray:
        x = np.zeros(full_problem.n_options, dtype=bool)
        x[fit[xs]] = True
        return x

    # A plan keeping every row before any solver runs: from scratch, floors first, and from
    # the caller's start. It is the hint of every phase and the answer of last resort, so a
    # batch whose floors the construction meets never comes back without a plan.
    t_c = time.perf_counter()
    starts = [] if config.start is None else [config.start[fit]]
    built = best_start(problem, starts, time_limit=_CONSTRUCT_SHARE * config.time_limit)
    incumbent = built.x if built.feasible else None
    phases["construct"] = time.perf_counter() - t_c
    # The trivial bound: every household on its best option.
    best_each = np.zeros(problem.n_hh, dtype=np.int64)
    np.maximum.at(best_each, problem.opt_hh, problem.weight)
    trivial = float(best_each.sum())
    exact = problem.n_options <= config.exact_max_options
    side_by_side = exact and workers > 1
    # The exact solve's allocation (None if it found none) and bound, when it ran alone first.
    first: tuple[np.ndarray | None, float] | None = None
    if exact and not side_by_side:
        progress("exact", 0.05, "HiGHS branch-and-cut on the whole model")
        hint = built.x
        ok = built.feasible
        r = solve_mip(
            problem, time_limit=config.time_limit * config.exact_share, gap=config.exact_gap,
            start=hint if ok else None, seed=config.seed,
        )  # fmt: skip
        phases["exact"] = time.perf_counter() - t_c - phases["construct"]
        if r.status == "infeasible":
            return "infeasible", none, math.nan, "highs", phases
        if r.status in ("optimal", "feasible"):
            if _proven(r.objective, r.bound, config.exact_gap):
                return _status(r.objective, r.bound), lift(r.x), r.bound, "highs", phases
            first = (r.x, r.bound)
        elif math.isfinite(r.bound):
            # No allocation in time, but HiGHS's bound is still valid for the final gap.
            first = (None, r.bound)
    link: MipLink | None = None
    pool: ThreadPoolExecutor | None = None
    exact_future: Future[CpResult] | None = None
    config_d = config
    if side_by_side:
        link = MipLink(gap=config.exact_gap)
        pool = ThreadPoolExecutor(max_workers=1)
        config_d = replace(config, workers=max(config.workers - 1, 1))

    def launch(model: Problem) -> Future[CpResult] | None:
        """HiGHS on the whole model on its own worker, from the construction; the
        decomposition keeps the other worker(s) and hands HiGHS each better allocation it
        finds."""
        if link is None or pool is None:
            return None
        hint, ok = built.x, built.feasible
        if ok:
            link.offer(hint, model.objective(hint))
        return pool.submit(
            solve_mip, model, time_limit=max(deadline - time.perf_counter(), 0.5),
            gap=config.exact_gap, start=hint if ok else None, seed=config.seed, link=link,
        )  # fmt: skip

    # HiGHS starts at once, before the LP: its root needs the time. Measured at 2,000
    # contended households (56,756 options, 10 s): started at once its bound was 380 below the
    # cut LP's; started after the LP and cuts (3.2 s in) with the cut rows in its model and
    # the LP-guided rounding as start, it had no bound in time. At 1,000 and 500 households
    # both starts gave the same bound within 11 (HiGHS's own root cuts make it, not ours),
    # and the plans differed only by the run-to-run noise of the decomposition.
    exact_future = launch(problem)
    t_int = time.perf_counter()
    try:
        progress("lp", 0.1, "LP relaxation (column generation)")
        t_lp = time.perf_counter()
        lp = solve_lp_colgen(
            problem, tolerance=config.lp_tolerance, time_limit=max(deadline - t_lp, 1.0) * 0.7,
            # Even a construction short of a floor is close to meeting it: its options make a
            # restricted LP that meets the floors far likelier than the best few per household.
            active=built.x.copy(),
        )
        phases["lp"] = time.perf_counter() - t_lp
        if lp.status == "infeasible" and incumbent is None:
            return "infeasible", none, math.nan, "lp", phases
        if lp.status != "optimal":
            if first is not None and first[0] is not None:
                # HiGHS may have found a plan before any dual bound (its bound is then +inf).
                plan = first[0]
                if incumbent is not None and problem.objective(incumbent) > problem.objective(plan):
                    plan = incumbent
                fb = first[1] if math.isfinite(first[1]) else trivial
                return _status(problem.objective(plan), fb), lift(plan), fb, "highs", phases
            # No LP round finished in time: return the construction with the trivial bound
            # (or the last round's dual bound, valid whatever its prices), so a batch never
            # comes back empty-handed.
            if incumbent is None:
                return "unknown", none, math.nan, "lp", phases
            fb = min(trivial, lp.bound) if math.isfinite(lp.bound) else trivial
            return _status(problem.objective(incumbent), fb), lift(incumbent), fb, "construct-fallback", phases
        if incumbent is None and lp.status == "optimal":
            # The LP meets the floors: rounding its options, floors first, often does too.
            t_r = time.perf_counter()
            guided = construct(
                problem, lp.x * 1e6 + problem.weight,
                time_limit=max(min(_CONSTRUCT_SHARE * config.time_limit, deadline - t_r), 0.0),
            )  # fmt: skip
            phases["construct"] += time.perf_counter() - t_r
            if guided.feasible:
                built, incumbent = guided, guided.x
        problem, lp = _cut_rounds(problem, lp, config, t0, phases)
        status, xs, bound, method = _integer_phases(
            problem, config_d, lp, soft_rows, t0, progress, phases, link=link, incumbent=incumbent
        )
        if link is not None and exact_future is not None:
            if status in ("optimal", "feasible"):
                link.offer(xs, problem.objective(xs))
            if _proven(link.best_objective, min(bound, link.bound), config.exact_gap):
                link.stop.set()  # the decomposition's bound already proves it
            progress("exact", 0.915, "HiGHS branch-and-cut beside the decomposition")
            # HiGHS checks its time only now and then (during a large root LP, seconds
            # apart): wait for it until the deadline, then go on with what it published.
            try:
                r = exact_future.result(timeout=max(deadline - time.perf_counter(), 0.0) + 0.5)
            except TimeoutError:
                r = CpResult("unknown", np.zeros(0, dtype=bool), 0, link.bound, 0.0)
            phases["exact"] = time.perf_counter() - t_int
            if r.status in ("optimal", "feasible") and not any(problem.violations(r.x).values()):
                if status not in ("optimal", "feasible") or problem.objective(r.x) > problem.objective(xs):
                    xs, method = r.x, "highs+" + method
                    status = "feasible"
            if math.isfinite(r.bound):
                bound = min(bound, r.bound)
            if status in ("optimal", "feasible"):
                status = _status(problem.objective(xs), bound)
    finally:
        if pool is not None:
            if link is not None:
                link.stop.set()
            # Not waiting: a HiGHS solve past its deadline ends at its next time check.
            pool.shutdown(wait=False)
    if first is not None:
        fx, fb = first
        ok = status in ("optimal", "feasible")
        if fx is not None and (not ok or problem.objective(fx) > problem.objective(xs)):
            xs, method, ok = fx, "highs+" + method, True
        bound = min(bound, fb)
        status = _status(problem.objective(xs), bound) if ok else status
    if incumbent is not None and (
        status not in ("optimal", "feasible") or problem.objective(incumbent) > problem.objective(xs)
    ):
        # The solver phases found nothing better than the construction (or nothing at all).
        xs, method = incumbent, "construct+" + method
        if not math.isfinite(bound):
            bound = trivial
        status = _status(problem.objective(xs), bound)
    return status, lift(xs), bound, method, phases


def _status(objective: int, bound: float) -> str:
    return "optimal" if math.floor(bound + 1e-6) <= objective else "feasible"


def _cut_rounds(
    problem: Problem, lp: LPResult, config: AllocationConfig, t0: float, phases: dict[str, float]
) -> tuple[Problem, LPResult]:
    """Add knapsack cuts to the LP for ``config.cut_rounds`` rounds (or until none is violated
    or the next round would end past ``_CUT_SHARE`` of the time limit). Returns the problem
    with the cuts as rows and the last LP; its bound is never above the first one's."""
    t1 = time.perf_counter()
    rows = knapsack_rows(problem)
    n_cuts = 0
    # A round re-solves the LP from the options already priced; measured at about half the
    # first column generation (5,000 contended: 3.6 s against 4.6 s of LP plus separation).
    # A round starts only if it should end within the cut share of the time limit, judged by
    # what the last solve took on this machine now, not by a figure from a quiet one.
    estimate = 0.5 * phases.get("lp", 0.0)
    for _ in range(config.cut_rounds):
        now = time.perf_counter()
        if rows.size == 0 or now - t0 + estimate > config.time_limit * _CUT_SHARE:
            break
        cuts = separate(problem, lp.x, rows)
        if cuts.n_cuts == 0:
            break
        tightened = with_cuts(problem, cuts)
        nxt = solve_lp_colgen(
            tightened, tolerance=config.lp_tolerance, time_limit=config.time_limit * 0.3, active=lp.active
        )
        if nxt.status != "optimal":
            break
        estimate = time.perf_counter() - now
        n_cuts += cuts.n_cuts
        problem = tightened
        lp = replace(nxt, bound=min(nxt.bound, lp.bound))
    phases["cuts"] = time.perf_counter() - t1
    phases["cut_rows"] = float(n_cuts)
    return problem, lp


def _integer_phases(
    problem: Problem,
    config: AllocationConfig,
    lp: LPResult,
    soft_rows: np.ndarray | None,
    t0: float,
    progress: ProgressCallback,
    phases: dict[str, float],
    *,
    link: MipLink | None = None,
    incumbent: np.ndarray | None = None,
) -> tuple[str, np.ndarray, float, str]:
    """Integer allocation from the LP, the final bound and the status (x over ``problem``).

    With ``link`` (an exact solve running beside), every better allocation is offered to it
    and the search stops once its bound proves the allocation within ``link.gap``. With
    ``incumbent`` (a plan keeping every row) the result is never below it."""
    workers = 1 if config.deterministic else config.workers
    none = np.zeros(problem.n_options, dtype=bool)
    if soft_rows is not None and soft_rows.size < problem.capacity.size:
        # Cut rows (appended last) are destination rows, never dualized by the bound.
        soft_rows = np.r_[soft_rows, np.zeros(problem.capacity.size - soft_rows.size, dtype=bool)]
    use_bound = soft_rows is not None and config.bound_time_share > 0 and not problem.fair.shape[0]
    deadline = t0 + config.time_limit * (_SOLVER_SHARE - (config.bound_time_share if use_bound else 0.0))
    keep = _promising_options(
        problem, lp.resource_price, lp.x, config.reduced_cost_window,
        fair_price=lp.fair_price if lp.fair_price.size else None, incumbent=incumbent,
    )  # fmt: skip
    work = take_options(problem, keep)
    hooks = _link_hooks(problem, link)
    xw, failed = _primal(
        work, config, lp.x[keep], lp.resource_price, lp.bound, deadline, progress, phases,
        hooks=hooks(keep), incumbent=incumbent[keep] if incumbent is not None else None,
    )  # fmt: skip
    if failed and keep.size < problem.n_options:
        # The window left a lock or floor without room: try again with every option.
        keep = np.arange(problem.n_options)
        xw, failed = _primal(
            problem, config, lp.x, lp.resource_price, lp.bound, deadline, progress, phases,
            hooks=hooks(keep), incumbent=incumbent,
        )  # fmt: skip
    if failed:
        # Fixing the LP's integral part can make locks or fairness floors unreachable;
        # solve the whole model instead.
        remaining = max(deadline - time.perf_counter(), 1.0)
        full = solve_cpsat(
            problem, time_limit=remaining, workers=workers, seed=config.seed, hint=incumbent
        )
        if full.status in ("optimal", "feasible"):
            return full.status, full.x, min(lp.bound, full.bound), "lp+cpsat-full"
        return full.status, none, lp.bound, "lp+cpsat-full"
    x = np.zeros(problem.n_options, dtype=bool)
    x[keep[xw]] = True
    # Options outside the window may still fit what is left: a last greedy top-up.
    topped = greedy_fill(problem, weight_order(problem), problem.weight.astype(float), x)
    if not any(problem.violations(topped).values()):
        x = topped
    if incumbent is not None and problem.objective(incumbent) > problem.objective(x):
        x = incumbent.copy()
    obj = problem.objective(x)
    bound = lp.bound
    if use_bound and soft_rows is not None and math.floor(bound + 1e-6) > obj:
        progress("bound", 0.91, "destination bound (Lagrangian decomposition)")
        t3 = time.perf_counter()
        left = max(t0 + config.time_limit * _SOLVER_SHARE - t3, 1.0)
        dec = destination_bound(problem, lp.resource_price, soft_rows, time_limit=left)
        bound = min(bound, dec.bound)
        phases["bound"] = time.perf_counter() - t3
    status = "optimal" if math.floor(bound + 1e-6) <= obj else "feasible"
    return status, x, bound, f"lp+{config.residual_solver}"


def _checked_start(instance: AllocationInstance, start: np.ndarray) -> np.ndarray:
    """The start plan as bool per option; one of another batch or splitting a household is
    refused (a caller's error, not a planner's)."""
    x = np.asarray(start)
    if x.shape != (instance.n_options,):
        raise ValueError(f"start plan has {x.size} entries for {instance.n_options} options")
    x = x.astype(bool)
    if np.bincount(instance.opt_hh[x], minlength=instance.n_households).max(initial=0) > 1:
        raise ValueError("start plan places a household twice")
    return x


def allocate(
    instance: AllocationInstance,
    config: AllocationConfig | None = None,
    progress: ProgressCallback | None = None,
) -> AllocationResult:
    """Allocate a batch: placements, reasons for the unplaced, fill, bound and gap, baselines,
    stability audit, and a conflict explanation when planner constraints cannot all hold.

    Parameters
    ----------
    instance
        The batch (see :func:`matching.allocation.build.build_instance`).
    config
        Limits, determinism, fairness rules, baseline inputs.
    progress
        Called as ``progress(phase, fraction, message)`` between phases.

    Returns
    -------
    AllocationResult

    Examples
    --------
    >>> from matching.synthetic.batch import generate_programme
    >>> inst = generate_programme(n_households=30, seed=3, options_per_household=5).instance()
    >>> res = allocate(inst, AllocationConfig(deterministic=True, time_limit=10))
    >>> res.status, res.objective <= res.best_bound
    ('optimal', True)
    """
    config = config or AllocationConfig()
    progress = progress or _no_progress
    t0 = time.perf_counter()
    if config.start is not None:
        config = replace(config, start=_checked_start(instance, config.start))
    progress("build", 0.0, "building the model")
    problem = problem_from_instance(instance, config.fairness)
    phases: dict[str, float] = {}
    if instance.lock_conflicts:
        status, x, bound, method = "infeasible", np.zeros(instance.n_options, dtype=bool), math.nan, "none"
    else:
        soft = instance.resources["kind"].is_in(list(SOFT_KINDS)).to_numpy()
        status, x, bound, method, phases = _solve(problem, config, progress, soft)
    conflict = None
    if status == "infeasible":
        progress("explain", 0.9, "finding the conflicting constraints")
        conflict = explain_infeasible(instance, problem, config.fairness)
    elif status == "unknown":
        # Neither a solution nor a proof of infeasibility within the time limit.
        x = np.zeros(instance.n_options, dtype=bool)
    objective = problem.objective(x) if status != "infeasible" else 0
    best_bound = int(math.floor(bound + 1e-6)) if not math.isnan(bound) else objective
    best_bound = max(best_bound, objective)
    gap = (best_bound - objective) / best_bound if best_bound > 0 else 0.0

    baselines: dict[str, int] = {}
    if config.baselines and status != "infeasible":
        progress("baselines", 0.92, "greedy and status-quo baselines")
        baselines["greedy"] = problem.objective(greedy_baseline(instance, problem))
        if config.earlier_movers is not None:
            baselines["status_quo"] = problem.objective(
                status_quo_baseline(instance, problem, config.earlier_movers)
            )
    fairness_cost = None
    if config.fairness and config.measure_fairness_cost and status != "infeasible":
        progress("fairness", 0.95, "measuring the cost of the fairness rules")
        free = allocate(
            instance,
            replace(config, fairness=(), baselines=False, measure_fairness_cost=False),
        )
        fairness_cost = free.objective - objective
    opts = instance.options
    unplaced = unplaced_reasons(instance, problem, x, solved=status != "infeasible")
    placements = opts.filter(pl.Series(x)).select(
        "household_id", "option_id", "locality_id", "region_code", "home_id", "vacancy_id",
        "second_vacancy_id", "score", "weight",
    )
    progress("done", 1.0, status)
    return AllocationResult(
        status=status,
        objective=objective,
        best_bound=best_bound,
        gap=gap,
        wall_time=time.perf_counter() - t0,
        method=method,
        placements=placements,
        unplaced=unplaced,
        fill=_fill_table(instance, problem, x),
        groups=groups_table(instance, x),
        baselines=baselines,
        stability=stability_audit(instance, x) if status != "infeasible" else None,
        conflict=conflict,
        fairness_cost=fairness_cost,
        x=x,
        instance=instance,
        phases=phases,
        unplaced_split=unplaced_summary(unplaced, instance.resources),
    )
