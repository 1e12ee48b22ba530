"""Large-neighbourhood search: free the households around blocked improving options and
re-solve that small problem with HiGHS, keeping the result only when the total improves.

After the fix-and-resolve passes the allocation is limited by rows at capacity (a home
stock, a vacancy's posts, a locality's seats, a regional quota) that block households
from options the LP valued. Each round picks options that would raise their household's
value but do not fit, preferring those with the largest LP reduced value, frees their
households together with (some of) the households holding the rows that block them, and
re-solves that neighbourhood with everything else fixed.

Fairness floors hold throughout: a neighbourhood is solved with the floor rows, less what
the fixed households contribute (:func:`~matching.allocation.model.restrict`), and starts
from the current allocation of its households, which meets them; a result is merged only
when every row of the whole problem still holds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from matching.allocation.cpsat import CpResult
from matching.allocation.mip import solve_mip
from matching.allocation.model import Problem, restrict


@dataclass(frozen=True)
class LnsStats:
    """What a search did: rounds run, rounds that improved, objective gained."""

    rounds: int
    improved: int
    gain: int
    size: int = 0  # the neighbourhood size (options) at the end of the search


def _household_value(problem: Problem, x: np.ndarray) -> np.ndarray:
    value = np.zeros(problem.n_hh, dtype=np.int64)
    value[problem.opt_hh[x]] = problem.weight[x]
    return value


def _pick_neighbourhood(
    problem: Problem,
    x: np.ndarray,
    reduced: np.ndarray,
    rng: np.random.Generator,
    *,
    seeds: int,
    per_row: int,
    max_options: int,
    opts_per_hh: np.ndarray,
    competitors: int,
    taken: np.ndarray | None = None,
) -> np.ndarray:
    """Households to free: owners of blocked improving options plus holders of their rows;
    households marked in ``taken`` (another neighbourhood of the same round) are left out."""
    xi = x.astype(np.int64)
    slack = problem.capacity - problem.usage.T @ xi
    value = _household_value(problem, x)
    gain = problem.weight - value[problem.opt_hh]
    # An option is blocked when some row it uses has less slack than it needs.
    coo = problem.usage.tocoo()
    short = coo.data > slack[coo.col]
    blocked = np.zeros(problem.n_options, dtype=bool)
    blocked[coo.row[short]] = True
    cand = np.flatnonzero((gain > 0) & blocked)
    if cand.size == 0:
        return np.zeros(0, dtype=np.int64)
    # LP reduced value says which blocked moves the relaxation wanted; noise varies the pick
    # from round to round (seeded, so a seed gives the same sequence of neighbourhoods).
    spread = max(float(np.std(reduced[cand])), 1.0)
    key = reduced[cand] + rng.normal(0.0, 0.5 * spread, cand.size)
    order = cand[np.argsort(-key, kind="stable")]
    holders = problem.opt_hh[np.flatnonzero(x)]
    chosen_opts = np.flatnonzero(x)
    inside = np.zeros(problem.n_hh, dtype=bool)
    # Households that may not join: already inside, or in another neighbourhood.
    out = np.zeros(problem.n_hh, dtype=bool) if taken is None else taken.copy()
    n_opts = 0
    csr = problem.usage
    csc = problem.usage[chosen_opts].tocsc()
    all_csc = problem.usage.tocsc() if competitors else None
    for j in order[:seeds]:
        hh = problem.opt_hh[j]
        if out[hh] and not inside[hh]:
            continue
        new = [hh] if not inside[hh] else []
        lo, hi = csr.indptr[j], csr.indptr[j + 1]
        rows = csr.indices[lo:hi][csr.data[lo:hi] > slack[csr.indices[lo:hi]]]
        for r in rows:
            users = holders[csc.indices[csc.indptr[r] : csc.indptr[r + 1]]]
            users = users[~out[users]]
            if users.size > per_row:
                users = rng.choice(users, per_row, replace=False)
            new.extend(int(u) for u in users)
            if all_csc is not None:
                # Households that could also use the row: freeing some lets chains of moves
                # through it (one leaves, another takes its place).
                others = problem.opt_hh[all_csc.indices[all_csc.indptr[r] : all_csc.indptr[r + 1]]]
                others = np.unique(others[~out[others]])
                if others.size > competitors:
                    others = rng.choice(others, competitors, replace=False)
                new.extend(int(u) for u in others)
        new_arr = np.unique(np.asarray(new, dtype=np.int64))
        new_arr = new_arr[~out[new_arr]]
        extra = int(opts_per_hh[new_arr].sum())
        if n_opts + extra > max_options and n_opts > 0:
            continue
        inside[new_arr] = True
        out[new_arr] = True
        n_opts += extra
        if n_opts >= max_options:
            break
    return np.flatnonzero(inside)


# Bounds of the adaptive neighbourhood size (options). 1,500 was the best fixed size on a quiet
# machine (docs/allocation.md); under load the same solves hit their time limit and return
# little, so the size follows what the machine actually manages.
_MIN_HOOD, _MAX_HOOD = 400, 2000


def _adapt_size(size: int, results: list[CpResult], limit: float) -> int:
    """Shrink the neighbourhood when every solve of the round ran out of time, grow it back
    when every one was proven optimal in under a quarter of its limit."""
    if not results:
        return size
    if all(r.status != "optimal" and r.wall_time >= 0.9 * limit for r in results):
        return max(int(size * 0.7), _MIN_HOOD)
    if all(r.status == "optimal" and r.wall_time < 0.25 * limit for r in results):
        return min(int(size * 1.25), _MAX_HOOD)
    return size


def _solve_hood(args: tuple[Problem, float, np.ndarray, int]) -> CpResult:
    sub, limit, start, seed = args
    return solve_mip(sub, time_limit=limit, start=start, seed=seed)


def improve_lns(
    problem: Problem,
    x: np.ndarray,
    resource_price: np.ndarray,
    deadline: float,
    *,
    seed: int = 0,
    max_options: int = 1500,
    seeds: int = 400,
    per_row: int = 40,
    round_time: float = 2.0,
    max_rounds: int | None = None,
    competitors: int = 25,
    stop_at: float = math.inf,
    workers: int = 1,
    on_improve: Callable[[np.ndarray], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, LnsStats]:
    """Improve a feasible allocation by re-solving neighbourhoods until ``deadline``.

    Parameters
    ----------
    problem
        Model arrays.
    x
        A feasible 0/1 allocation (bool per option).
    resource_price
        LP prices of the resource rows; options with a high reduced value
        ``weight − price·usage`` are tried first.
    deadline
        ``time.perf_counter()`` value at which to stop.
    seed
        Seed of the neighbourhood choice.
    max_options
        Starting cap on the options of one neighbourhood (the size HiGHS solves in a few
        seconds). Outside deterministic mode (``max_rounds`` None) it adapts: ×0.7 after a
        round whose solves all ran out of time, ×1.25 after one whose solves all finished in
        under a quarter of their limit (between 400 and 2,000; at 3,000 options HiGHS needed
        ~10 s to improve a neighbourhood on the 5,000 contended batch).
    seeds
        Blocked improving options considered per round.
    per_row
        Holders freed per blocking row (all of them when fewer; a random sample otherwise,
        so regional quota rows do not free a whole region).
    round_time
        Seconds for one HiGHS solve at most.
    max_rounds
        Stop after this many rounds (``None``: only the deadline stops).
    competitors
        Households with an option on a blocking row freed per row besides its holders
        (a random sample), so a move can make room for another.
    stop_at
        Stop once the objective reaches this value (e.g. close enough to a bound).
    workers
        Neighbourhoods solved at the same time per round (threads; 1 is deterministic).
    on_improve
        Called with every improved allocation (e.g. to hand it to an exact solve running
        beside the search).
    should_stop
        Polled before each round; True ends the search (e.g. the exact solve proved the
        allocation optimal).

    Returns
    -------
    tuple[numpy.ndarray, LnsStats]
        The allocation (never worse than ``x``, and feasible when ``x`` is) and what was done.
    """
    rng = np.random.default_rng(seed)
    x = x.copy()
    reduced = problem.weight.astype(float) - problem.usage @ resource_price
    opts_per_hh = np.bincount(problem.opt_hh, minlength=problem.n_hh)
    rounds = improved = gain = 0
    misses = 0
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        while (
            time.perf_counter() < deadline - 0.5
            and (max_rounds is None or rounds < max_rounds)
            and problem.objective(x) < stop_at
            and not (should_stop is not None and should_stop())
        ):
            limit = min(round_time, deadline - time.perf_counter())
            if limit < 0.3:
                break
            # One neighbourhood per worker, with disjoint households, solved side by side
            # (HiGHS releases the GIL); results are merged one by one below.
            taken = np.zeros(problem.n_hh, dtype=bool)
            jobs: list[tuple[np.ndarray, Problem, np.ndarray]] = []  # in_opt, sub, idx
            for _ in range(workers):
                hood = _pick_neighbourhood(
                    problem, x, reduced, rng, seeds=seeds, per_row=per_row,
                    max_options=max_options, opts_per_hh=opts_per_hh, competitors=competitors,
                    taken=taken,
                )
                if hood.size == 0:
                    break
                taken[hood] = True
                in_opt = np.zeros(problem.n_hh, dtype=bool)
                in_opt[hood] = True
                in_opt = in_opt[problem.opt_hh]
                sub, idx = restrict(problem, hood, x & ~in_opt)
                jobs.append((in_opt, sub, idx))
            if not jobs:
                break
            args = [
                (sub, limit, x[idx], seed + rounds + k) for k, (_, sub, idx) in enumerate(jobs)
            ]
            rounds += len(jobs)
            if pool is not None and len(jobs) > 1:
                results = list(pool.map(_solve_hood, args))
            else:
                results = [_solve_hood(a) for a in args]
            if max_rounds is None:
                max_options = _adapt_size(max_options, results, limit)
            any_better = False
            for (in_opt, _, idx), res in zip(jobs, results, strict=True):
                if res.status not in ("optimal", "feasible") or not res.x.size:
                    continue
                # Each neighbourhood was solved against the allocation before this round;
                # merged onto the current one it must still fit and still gain.
                cand = x & ~in_opt
                cand[idx[res.x]] = True
                delta = problem.objective(cand) - problem.objective(x)
                if delta > 0 and not any(problem.violations(cand).values()):
                    gain += delta
                    improved += 1
                    x = cand
                    any_better = True
            if any_better:
                if on_improve is not None:
                    on_improve(x)
                misses = 0
                continue
            misses += 1
            # Several misses in a row: the neighbourhoods are too small to move anything.
            if misses >= 3:
                per_row = min(per_row * 2, 200)
                misses = 0
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return x, LnsStats(rounds, improved, gain, max_options)
