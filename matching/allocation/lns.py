"""Large-neighbourhood search: free the households around blocked improving options and
re-solve that small problem with HiGHS, keeping the result only when the total improves.

After the fix-and-resolve passes the allocation is limited by rows at capacity (a home
stock, a vacancy's posts, a locality's seats, a regional quota) that block households
from options the LP valued. Each round picks options that would raise their household's
value but do not fit, preferring those with the largest LP reduced value, frees their
households together with (some of) the households holding the rows that block them, and
re-solves that neighbourhood with everything else fixed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from matching.allocation.mip import solve_mip
from matching.allocation.model import Problem, restrict


@dataclass(frozen=True)
class LnsStats:
    """What a search did: rounds run, rounds that improved, objective gained."""

    rounds: int
    improved: int
    gain: int


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
) -> np.ndarray:
    """Households to free: owners of blocked improving options plus holders of their rows."""
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
    n_opts = 0
    csr = problem.usage
    csc = problem.usage[chosen_opts].tocsc()
    all_csc = problem.usage.tocsc() if competitors else None
    for j in order[:seeds]:
        hh = problem.opt_hh[j]
        new = [hh] if not inside[hh] else []
        lo, hi = csr.indptr[j], csr.indptr[j + 1]
        rows = csr.indices[lo:hi][csr.data[lo:hi] > slack[csr.indices[lo:hi]]]
        for r in rows:
            users = holders[csc.indices[csc.indptr[r] : csc.indptr[r + 1]]]
            users = users[~inside[users]]
            if users.size > per_row:
                users = rng.choice(users, per_row, replace=False)
            new.extend(int(u) for u in users)
            if all_csc is not None:
                # Households that could also use the row: freeing some lets chains of moves
                # through it (one leaves, another takes its place).
                others = problem.opt_hh[all_csc.indices[all_csc.indptr[r] : all_csc.indptr[r + 1]]]
                others = np.unique(others[~inside[others]])
                if others.size > competitors:
                    others = rng.choice(others, competitors, replace=False)
                new.extend(int(u) for u in others)
        new_arr = np.unique(np.asarray(new, dtype=np.int64))
        new_arr = new_arr[~inside[new_arr]]
        extra = int(opts_per_hh[new_arr].sum())
        if n_opts + extra > max_options and n_opts > 0:
            continue
        inside[new_arr] = True
        n_opts += extra
        if n_opts >= max_options:
            break
    return np.flatnonzero(inside)


def improve_lns(
    problem: Problem,
    x: np.ndarray,
    resource_price: np.ndarray,
    deadline: float,
    *,
    seed: int = 0,
    max_options: int = 8000,
    seeds: int = 400,
    per_row: int = 40,
    round_time: float = 4.0,
    max_rounds: int | None = None,
    competitors: int = 25,
    stop_at: float = math.inf,
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
        Cap on the options of one neighbourhood (the size HiGHS solves in a few seconds).
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
    while (
        time.perf_counter() < deadline - 0.5
        and (max_rounds is None or rounds < max_rounds)
        and problem.objective(x) < stop_at
    ):
        hood = _pick_neighbourhood(
            problem, x, reduced, rng, seeds=seeds, per_row=per_row, max_options=max_options,
            opts_per_hh=opts_per_hh, competitors=competitors,
        )
        if hood.size == 0:
            break
        rounds += 1
        inside = np.zeros(problem.n_hh, dtype=bool)
        inside[hood] = True
        in_opt = inside[problem.opt_hh]
        base = x & ~in_opt
        sub, idx = restrict(problem, hood, base)
        current = int(problem.weight[x & in_opt].sum())
        limit = min(round_time, deadline - time.perf_counter())
        if limit < 0.3:
            break
        res = solve_mip(sub, time_limit=limit)
        if res.status in ("optimal", "feasible") and res.x.size and sub.objective(res.x) > current:
            cand = base.copy()
            cand[idx[res.x]] = True
            if not any(problem.violations(cand).values()):
                gain += sub.objective(res.x) - current
                improved += 1
                x = cand
                misses = 0
                continue
        misses += 1
        # Several misses in a row: the neighbourhoods are too small to move anything.
        if misses >= 3:
            per_row = min(per_row * 2, 200)
            misses = 0
    return x, LnsStats(rounds, improved, gain)
