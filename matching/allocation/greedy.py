"""Sequential fill: each household in turn takes its most preferred option that still fits.

Used by the greedy and status-quo baselines and to top up a solution after repair. Options of
one household are contiguous in every :class:`~matching.allocation.model.Problem`.
"""

from __future__ import annotations

import numpy as np

from matching.allocation.model import Problem


def household_spans(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """``start, end`` option index per household (options sorted by household)."""
    if problem.n_options and np.any(np.diff(problem.opt_hh) < 0):
        raise ValueError("options must be sorted by household")
    start = np.searchsorted(problem.opt_hh, np.arange(problem.n_hh), side="left")
    end = np.searchsorted(problem.opt_hh, np.arange(problem.n_hh), side="right")
    return start, end


def greedy_fill(
    problem: Problem,
    order: np.ndarray,
    preference: np.ndarray,
    x: np.ndarray | None = None,
) -> np.ndarray:
    """Place households one by one, in ``order``, on their best option that fits.

    Parameters
    ----------
    problem
        Model arrays.
    order
        Household indices in the order they are served; already placed ones are skipped.
    preference
        Per option, larger is preferred by the household (e.g. the score, or a corridor rank).
    x
        Starting 0/1 solution (kept); default empty.

    Returns
    -------
    numpy.ndarray
        Boolean vector over options; never exceeds a capacity and never splits a household.
    """
    x = np.zeros(problem.n_options, dtype=bool) if x is None else x.copy()
    usage = problem.usage.tocsr()
    indptr, indices, data = usage.indptr, usage.indices, usage.data
    remaining = problem.capacity - usage.T @ x.astype(np.int64)
    placed = np.zeros(problem.n_hh, dtype=bool)
    placed[problem.opt_hh[x]] = True
    start, end = household_spans(problem)
    for h in order:
        if placed[h] or start[h] == end[h]:
            continue
        s, e = int(start[h]), int(end[h])
        lo, hi = indptr[s], indptr[e]
        ok_nz = remaining[indices[lo:hi]] >= data[lo:hi]
        # An option fits when all its non-zeros fit; count failures per option.
        bad = np.zeros(e - s, dtype=np.int64)
        owner = np.repeat(np.arange(e - s), np.diff(indptr[s : e + 1]))
        np.add.at(bad, owner, ~ok_nz)
        fits = np.flatnonzero(bad == 0)
        if fits.size == 0:
            continue
        j = s + int(fits[np.argmax(preference[s + fits])])
        x[j] = True
        placed[h] = True
        remaining[indices[indptr[j] : indptr[j + 1]]] -= data[indptr[j] : indptr[j + 1]]
    return x


def weight_order(problem: Problem) -> np.ndarray:
    """Households by their best objective coefficient, best first (locked households first)."""
    best = np.zeros(problem.n_hh, dtype=np.int64)
    np.maximum.at(best, problem.opt_hh, problem.weight)
    return np.lexsort((-best, ~problem.must_place))
