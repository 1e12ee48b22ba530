"""Valid inequalities that tighten the LP relaxation on the knapsack rows.

A locality's kindergarten seats, school seats, persons cap and centre beds are knapsack rows:
households take 1–5 seats each out of a capacity of a few dozen. The LP fills them to the last
fractional seat (two-thirds of a three-child family), so on contended batches it promises
more than any allocation can reach. Two families of cuts, both valid for every 0/1
allocation, remove such points:

- **cover**: households whose smallest seat need adds up past the capacity cannot all be
  there, ``Σ_{h∈C} y_h ≤ |C| − 1``, extended to every household that needs at least as many
  seats as the largest in ``C``;
- **mixed-integer rounding** (MIR) of the row divided by ``d`` (2–6), with integer
  coefficients ``m·⌊a/d⌋ + max(0, a mod d − K mod d)`` and right-hand side ``m·⌊K/d⌋``,
  ``m = d − K mod d``.

Both are written on ``y_h``, the sum of a household's options on the row (at most one of them
is chosen), with ``a_h`` the smallest need among those options; on the options each cut is a
row with non-negative integer coefficients, so it enters the model as one more resource row
(:func:`with_cuts`) and every solver phase, and the LP dual bound, handle it unchanged. The
bound stays valid because every allocation satisfies every cut (tested by enumeration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.allocation.model import Problem

# Divisors tried for the rounding cuts; seat needs are 1–8, so larger ones add nothing.
_DIVISORS = (2, 3, 4, 5, 6)
# A cut must be violated by this much (in units of its largest coefficient) to be kept.
_MIN_VIOLATION = 1e-3


@dataclass(frozen=True)
class Cuts:
    """Cut rows over a problem's options: ``coef.T @ x ≤ rhs``.

    ``coef`` is ``n_options × n_cuts`` (the orientation of ``Problem.usage``).
    """

    coef: sp.csr_matrix
    rhs: np.ndarray

    @property
    def n_cuts(self) -> int:
        return int(self.rhs.shape[0])


def knapsack_rows(problem: Problem, *, max_items: int = 400) -> np.ndarray:
    """Rows worth separating: some option needs more than one unit, and the capacity holds at
    most ``max_items`` of the smallest need (cuts on wider rows are too weak to matter)."""
    csc = problem.usage.tocsc()
    has = np.diff(csc.indptr) > 0
    if not has.any():
        return np.zeros(0, dtype=np.int64)
    starts = csc.indptr[:-1][has]
    largest = np.maximum.reduceat(csc.data, starts)
    smallest = np.minimum.reduceat(csc.data, starts)
    worth = (largest > 1) & (smallest > 0) & (problem.capacity[has] <= max_items * smallest)
    return np.flatnonzero(has)[worth]


def _row_cut(
    a_h: np.ndarray, y: np.ndarray, cap: int
) -> tuple[float, np.ndarray, int] | None:
    """The most violated cover or rounding cut of one aggregated row (or None)."""
    best: tuple[float, np.ndarray, int] | None = None
    for d in _DIVISORS:
        r = cap % d
        if r == 0:
            continue
        m = d - r
        coef = m * (a_h // d) + np.maximum(0, a_h % d - r)
        rhs = m * (cap // d)
        top = int(coef.max())
        if top <= 0:
            continue
        viol = (float(coef @ y) - rhs) / top
        if viol > _MIN_VIOLATION and (best is None or viol > best[0]):
            best = (viol, coef.astype(np.int64), int(rhs))
    # Greedy cover: households closest to fully placed per seat first.
    support = np.flatnonzero(y > 1e-9)
    order = support[np.argsort((1.0 - y[support]) / a_h[support], kind="stable")]
    total = np.cumsum(a_h[order])
    over = np.flatnonzero(total > cap)
    if over.size:
        cover = order[: over[0] + 1]
        coef = np.zeros(a_h.size, dtype=np.int64)
        coef[cover] = 1
        coef[a_h >= a_h[cover].max()] = 1
        rhs = cover.size - 1
        viol = float(coef @ y) - rhs
        if viol > _MIN_VIOLATION and (best is None or viol > best[0]):
            best = (viol, coef, int(rhs))
    return best


def separate(problem: Problem, x: np.ndarray, rows: np.ndarray) -> Cuts:
    """At most one violated cut per row of ``rows`` for the fractional point ``x``."""
    csc = problem.usage.tocsc()
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[int] = []
    for r in rows:
        lo, hi = csc.indptr[r], csc.indptr[r + 1]
        opts = csc.indices[lo:hi]
        need = csc.data[lo:hi].astype(np.int64)
        cap = int(problem.capacity[r])
        xv = x[opts]
        # Only a row the LP fills to the brim can have a violated cut.
        if float(need @ xv) < cap - 1e-6 or cap < 0:
            continue
        households, inv = np.unique(problem.opt_hh[opts], return_inverse=True)
        y = np.bincount(inv, weights=xv, minlength=households.size)
        a_h = np.full(households.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(a_h, inv, need)
        cut = _row_cut(a_h, y, cap)
        if cut is None:
            continue
        on_opt = cut[1][inv]
        nz = on_opt > 0
        cols.append(opts[nz])
        vals.append(on_opt[nz])
        rhs.append(cut[2])
    if not rhs:
        return Cuts(sp.csr_matrix((problem.n_options, 0), dtype=np.int64), np.zeros(0, dtype=np.int64))
    which = np.concatenate([np.full(c.size, i) for i, c in enumerate(cols)])
    coef = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(cols), which)), shape=(problem.n_options, len(rhs))
    )
    return Cuts(coef, np.asarray(rhs, dtype=np.int64))


def with_cuts(problem: Problem, cuts: Cuts) -> Problem:
    """``problem`` with the cuts appended as resource rows (same options, same households)."""
    if cuts.n_cuts == 0:
        return problem
    return Problem(
        opt_hh=problem.opt_hh,
        n_hh=problem.n_hh,
        weight=problem.weight,
        usage=sp.hstack([problem.usage, cuts.coef], format="csr").astype(problem.usage.dtype),
        capacity=np.concatenate([problem.capacity, cuts.rhs]).astype(problem.capacity.dtype),
        must_place=problem.must_place,
        fair=problem.fair,
        fair_lb=problem.fair_lb,
    )


def feasible_options(problem: Problem) -> np.ndarray:
    """Indices of options that fit every row on their own (an option needing more than a
    row's whole capacity can never be chosen, but the LP would take a fraction of it)."""
    coo = problem.usage.tocoo()
    bad = np.zeros(problem.n_options, dtype=bool)
    bad[coo.row[coo.data > problem.capacity[coo.col]]] = True
    return np.flatnonzero(~bad)
