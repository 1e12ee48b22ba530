"""A plan that keeps every row, fairness floors included, built without a solver.

The LP-guided phases can run out of time, and fixing the LP's integral part can leave a floor
out of reach; a batch with floors that some plan meets must still come back with a plan. This
construction is the start and hint of every solver phase and the result of last resort:

0. **a start plan that overdraws a row** (capacities changed since it was made) loses its
   lowest-weight placements on that row until the row fits;
1. **locks**: locked households take their best option that fits;
2. **floors first**: while a floor is short, the households that count towards it (a
   positive coefficient on its row), best first (by the preference, the objective weight
   unless the caller gives e.g. the LP's values), take their best counting option that fits
   and breaks no other floor;
3. **repair by swaps**: a floor still short has counting households whose options are blocked
   by rows at capacity; the holders of those rows are moved out (first those whose leaving
   costs no floor, lowest weight first) and put back on another of their options where one
   fits; the swap is kept only when the total shortfall of the floors went down;
4. **the rest**, by weight, each on its best option that fits and keeps every floor (a
   low-score placement can pull an average-score floor under).

Every step keeps capacities and never splits a household; steps 2–3 only ever shrink the
total shortfall (an integer), so the construction ends. It is a heuristic: when it returns a plan with a
floor still short, the solvers have to find one (or prove there is none).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from matching.allocation.greedy import greedy_fill, household_spans, weight_order
from matching.allocation.model import Problem

# Options the swap repair tries for one swap before it gives up (each try costs a few sparse
# slices, well under a millisecond); the deadline of :func:`construct` bounds the whole repair.
_MAX_SWAP_TRIES = 2_000


@dataclass(frozen=True)
class Construction:
    """A plan over ``problem``'s options and whether it keeps every row."""

    x: np.ndarray
    feasible: bool
    objective: int


class _State:
    """The plan under construction with its row slacks and floor values."""

    def __init__(self, problem: Problem, x: np.ndarray) -> None:
        self.p = problem
        self.usage = problem.usage.tocsr()
        self.usage_csc = problem.usage.tocsc()
        self.x = x.copy()
        self.remaining = problem.capacity - self.usage.T @ self.x.astype(np.int64)
        # Floors are few rows; a dense copy makes "what does this option do to them" one slice.
        self.f = problem.fair.toarray().astype(np.int64) if problem.fair.shape[0] else np.zeros((0, problem.n_options), dtype=np.int64)
        self.lb = problem.fair_lb.astype(np.int64)
        self.value = self.f @ self.x.astype(np.int64)
        self.placed = np.zeros(problem.n_hh, dtype=bool)
        self.placed[problem.opt_hh[self.x]] = True
        self.start, self.end = household_spans(problem)

    def short(self) -> np.ndarray:
        return self.value < self.lb

    def fits(self, opts: np.ndarray) -> np.ndarray:
        """Which of ``opts`` fit the remaining capacity on every row they use."""
        if opts.size == 0:
            return np.zeros(0, dtype=bool)
        indptr = self.usage.indptr
        if opts[-1] - opts[0] + 1 == opts.size:
            # A contiguous span (one household's options): one slice, no sparse copy.
            lo, hi = indptr[opts[0]], indptr[opts[-1] + 1]
            counts = np.diff(indptr[opts[0] : opts[-1] + 2])
            short = self.remaining[self.usage.indices[lo:hi]] < self.usage.data[lo:hi]
        else:
            starts, counts = indptr[opts], indptr[opts + 1] - indptr[opts]
            pos = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(counts.sum())
            short = self.remaining[self.usage.indices[pos]] < self.usage.data[pos]
        bad = np.bincount(np.repeat(np.arange(opts.size), counts), weights=short, minlength=opts.size)
        return bad == 0

    def keeps_floors(self, opts: np.ndarray) -> np.ndarray:
        """Which of ``opts`` break no floor that holds and worsen no floor that is short."""
        if not self.f.shape[0]:
            return np.ones(opts.size, dtype=bool)
        coef = self.f[:, opts]
        ok = (coef >= 0) | (self.value[:, None] + coef >= self.lb[:, None])
        return ok.all(axis=0)

    def add(self, j: int) -> None:
        self.x[j] = True
        self.placed[self.p.opt_hh[j]] = True
        lo, hi = self.usage.indptr[j], self.usage.indptr[j + 1]
        self.remaining[self.usage.indices[lo:hi]] -= self.usage.data[lo:hi]
        if self.f.shape[0]:
            self.value += self.f[:, j]

    def remove(self, j: int) -> None:
        self.x[j] = False
        self.placed[self.p.opt_hh[j]] = False
        lo, hi = self.usage.indptr[j], self.usage.indptr[j + 1]
        self.remaining[self.usage.indices[lo:hi]] += self.usage.data[lo:hi]
        if self.f.shape[0]:
            self.value -= self.f[:, j]

    def options_of(self, h: int) -> np.ndarray:
        return np.arange(int(self.start[h]), int(self.end[h]))


def _fit_start(s: _State) -> None:
    """Step 0: free the lowest-weight holders of every overdrawn row until it fits."""
    for r in np.flatnonzero(s.remaining < 0):
        c0, c1 = s.usage_csc.indptr[r], s.usage_csc.indptr[r + 1]
        held = s.usage_csc.indices[c0:c1]
        held = held[s.x[held]]
        for o in held[np.argsort(s.p.weight[held], kind="stable")]:
            if s.remaining[r] >= 0:
                break
            s.remove(int(o))


def _place_locked(s: _State, preference: np.ndarray) -> None:
    for h in np.flatnonzero(s.p.must_place & ~s.placed):
        opts = s.options_of(int(h))
        ok = opts[s.fits(opts)] if opts.size else opts
        if ok.size:
            s.add(int(ok[np.argmax(preference[ok])]))


def _fill_floors(s: _State, preference: np.ndarray) -> None:
    """Step 2: counting households, best first, until no floor is short."""
    p = s.p
    while True:
        short = s.short()
        if not short.any():
            return
        cand = np.flatnonzero((s.f[short] > 0).any(axis=0) & ~s.placed[p.opt_hh])
        # Capacity only shrinks while households are added, so an option that does not fit
        # now never will in this pass; the chosen one is checked again before it is taken.
        cand = cand[s.fits(cand) & s.keeps_floors(cand)]
        if cand.size == 0:
            return
        best = np.full(p.n_hh, -np.inf)
        np.maximum.at(best, p.opt_hh[cand], preference[cand])
        households = np.unique(p.opt_hh[cand])
        order = households[np.argsort(-best[households], kind="stable")]
        first = np.searchsorted(p.opt_hh[cand], order, side="left")
        last = np.searchsorted(p.opt_hh[cand], order, side="right")
        progressed = False
        for h_first, h_last in zip(first, last, strict=True):
            opts = cand[h_first:h_last]
            opts = opts[np.argsort(-preference[opts], kind="stable")]
            for j in opts:
                one = np.array([j])
                if s.fits(one)[0] and s.keeps_floors(one)[0]:
                    s.add(int(j))
                    progressed = True
                    break
            now_short = s.short()
            if not now_short.any():
                return
            if (now_short != short).any():
                break  # a floor was met: recount who still counts
        if not progressed:
            return


def _shortfall(s: _State) -> int:
    return int(np.maximum(s.lb - s.value, 0).sum())


def _swap_in(s: _State, j: int, short: np.ndarray, preference: np.ndarray) -> bool:
    """Place option ``j`` by moving out holders of the rows it does not fit, then put the
    moved-out households back on another option where one fits; kept only when the total
    shortfall of the floors went down (otherwise everything is put back). True when kept."""
    p = s.p
    before = _shortfall(s)
    saved = (s.x.copy(), s.remaining.copy(), s.value.copy(), s.placed.copy())
    lo, hi = s.usage.indptr[j], s.usage.indptr[j + 1]
    rows, need = s.usage.indices[lo:hi], s.usage.data[lo:hi]
    out: list[int] = []
    for r, n in zip(rows, need, strict=True):
        if s.remaining[r] >= n:
            continue
        c0, c1 = s.usage_csc.indptr[r], s.usage_csc.indptr[r + 1]
        held, amount = s.usage_csc.indices[c0:c1], s.usage_csc.data[c0:c1]
        mask = s.x[held] & ~p.must_place[p.opt_hh[held]]
        held, amount = held[mask], amount[mask]
        # Holders whose leaving costs no floor go first, then those counting towards a floor
        # that still holds (they may find another option), lowest weight first.
        harm = np.zeros(held.size, dtype=np.int64)
        if s.f.shape[0]:
            coef = s.f[:, held]
            harm = (coef[short] > 0).any(axis=0).astype(np.int64) * 2
            harm += ((coef > 0) & (s.value[:, None] - coef < s.lb[:, None])).any(axis=0)
        for k in np.lexsort((p.weight[held], harm)):
            if s.remaining[r] >= n:
                break
            o = int(held[k])
            s.remove(o)
            out.append(o)
        if s.remaining[r] < n:
            break
    one = np.array([j])
    if s.fits(one)[0]:
        s.add(j)
        for o in out:
            opts = s.options_of(int(p.opt_hh[o]))
            opts = opts[s.fits(opts) & s.keeps_floors(opts)]
            if opts.size:
                s.add(int(opts[np.argmax(preference[opts])]))
        if _shortfall(s) < before:
            return True
    s.x, s.remaining, s.value, s.placed = saved
    return False


def _repair_floors(s: _State, preference: np.ndarray, deadline: float) -> None:
    """Step 3: swaps until no floor is short, no swap helps or time is up."""
    p = s.p
    while time.perf_counter() < deadline:
        short = s.short()
        if not short.any():
            return
        cand = np.flatnonzero((s.f[short] > 0).any(axis=0) & ~s.placed[p.opt_hh])
        if cand.size == 0:
            return
        # Options blocked on the fewest rows first (fewest holders to move), then the best.
        u = s.usage[cand]
        owner = np.repeat(np.arange(cand.size), np.diff(u.indptr))
        lacking = np.bincount(owner, weights=s.remaining[u.indices] < u.data, minlength=cand.size)
        cand = cand[np.lexsort((-preference[cand], lacking))][:_MAX_SWAP_TRIES]
        moved = False
        for k, j in enumerate(cand):
            if k % 64 == 63 and time.perf_counter() > deadline:
                return
            if not s.placed[p.opt_hh[j]] and _swap_in(s, int(j), short, preference):
                moved = True
                break
        if not moved:
            return
        # The moved-out households may fit elsewhere; counting ones are placed first.
        _fill_floors(s, preference)


def _fill_rest(s: _State, preference: np.ndarray) -> None:
    """Step 4: everybody else, by weight, keeping the floors."""
    p = s.p
    if not (s.f < 0).any():
        # Adding households then never takes a floor under: the plain sequential fill.
        x = greedy_fill(p, weight_order(p), preference, s.x)
        for j in np.flatnonzero(x & ~s.x):
            s.add(int(j))
        return
    for h in weight_order(p):
        if s.placed[h]:
            continue
        opts = s.options_of(int(h))
        if opts.size == 0:
            continue
        opts = opts[s.fits(opts) & s.keeps_floors(opts)]
        if opts.size:
            s.add(int(opts[np.argmax(preference[opts])]))


def construct(
    problem: Problem,
    preference: np.ndarray | None = None,
    start: np.ndarray | None = None,
    *,
    time_limit: float = math.inf,
) -> Construction:
    """A plan meeting the floors when the steps of the module docstring find one.

    Parameters
    ----------
    problem
        Model arrays (options sorted by household).
    preference
        Per option, larger is preferred when a household picks among its options that fit
        (default: the objective weight).
    start
        A plan to build on (bool per option, one option per household at most); its
        placements stay unless a row it overdraws or the swap repair moves them out. A start
        that keeps every row is only added to, so the result is never below it.
    time_limit
        Seconds for the swap repair (the other steps take one pass each).

    Returns
    -------
    Construction
    """
    deadline = time.perf_counter() + time_limit
    pref = problem.weight.astype(float) if preference is None else preference
    x0 = np.zeros(problem.n_options, dtype=bool) if start is None else start.astype(bool)
    s = _State(problem, x0)
    _fit_start(s)
    _place_locked(s, pref)
    _fill_floors(s, pref)
    _repair_floors(s, pref, deadline)
    _fill_rest(s, pref)
    feasible = not any(problem.violations(s.x).values())
    return Construction(s.x, feasible, problem.objective(s.x))


def best_start(
    problem: Problem,
    starts: list[np.ndarray],
    preference: np.ndarray | None = None,
    *,
    time_limit: float = math.inf,
) -> Construction:
    """The best feasible construction from each of ``starts`` and from scratch (the one from
    scratch when none is feasible); ``time_limit`` bounds the swap repairs together."""
    deadline = time.perf_counter() + time_limit
    built: list[Construction] = []
    todo: list[np.ndarray | None] = [*starts, None]
    for k, s in enumerate(todo):
        share = max(deadline - time.perf_counter(), 0.0) / (len(todo) - k)
        built.append(construct(problem, preference, s, time_limit=share))
    feasible = [c for c in built if c.feasible]
    return max(feasible, key=lambda c: c.objective) if feasible else built[-1]
