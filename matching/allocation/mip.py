"""The same model as a MIP for HiGHS: exact on small problems, the neighbourhood solver of
the search, and the independent check in the benchmark.

HiGHS is driven through ``highspy`` rather than ``scipy.optimize.milp`` because the search
hands it the current allocation as a starting incumbent (``setSolution``): a neighbourhood
solve that runs out of time then returns at worst what it was given, and HiGHS's improvement
heuristics start from it.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from matching.allocation.cpsat import CpResult, binding_rows
from matching.allocation.model import Problem

_banner_lock = threading.Lock()
_banner_done = False


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS writes a banner to the process's standard output (file descriptor 1, below Python)
    when the first instance is made, whatever its options; ``qonys allocate --json -`` and
    the service's JSON logs must stay clean, so the first instance is made with descriptor 1
    pointed at the null device for that moment.
    """
    global _banner_done
    with _banner_lock:
        if not _banner_done:
            sys.stdout.flush()
            saved = os.dup(1)
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 1)
                highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
            _banner_done = True
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _highs_model(problem: Problem, rows: np.ndarray) -> highspy.HighsLp:
    """``problem`` as a HighsLp (minimize −weight · x) with the household rows first."""
    n = problem.n_options
    inf = highspy.kHighsInf
    blocks = [problem.incidence(), problem.usage.T.tocsr()[rows]]
    lower = [problem.must_place.astype(float), np.full(int(rows.sum()), -inf)]
    upper = [np.ones(problem.n_hh), problem.capacity[rows].astype(float)]
    if problem.fair.shape[0]:
        blocks.append(sp.csr_matrix(problem.fair))
        lower.append(problem.fair_lb.astype(float))
        upper.append(np.full(problem.fair_lb.shape[0], inf))
    a = sp.vstack(blocks, format="csc").astype(float)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = -problem.weight.astype(float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.concatenate(lower)
    lp.row_upper_ = np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp


@dataclass
class MipLink:
    """What a HiGHS solve running beside the decomposition shares with it (thread-safe).

    The decomposition offers (:meth:`offer`) each better allocation; HiGHS takes it as a new
    incumbent at its next user-solution callback (so it prunes with it and its heuristics
    start from it). HiGHS publishes its dual ``bound`` (objective units, ``inf`` until its
    first bound) as it goes, and stops once ``stop`` is set or its bound proves the best
    allocation known to either side within ``gap``.
    """

    gap: float = 1e-4
    stop: threading.Event = field(default_factory=threading.Event)
    bound: float = math.inf
    best_objective: int = -1
    _best_x: np.ndarray | None = None
    _given: int = -1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def offer(self, x: np.ndarray, objective: int) -> None:
        """A feasible allocation (bool per option of the linked problem) and its objective."""
        with self._lock:
            if objective > self.best_objective:
                self.best_objective, self._best_x = int(objective), x.copy()

    def proven(self) -> bool:
        """Whether HiGHS's bound proves the best known allocation within ``gap``."""
        bound = self.bound
        best = self.best_objective
        return math.isfinite(bound) and best >= 0 and bound - best <= self.gap * max(abs(bound), 1.0)

    def _to_give(self, highs_primal: float) -> np.ndarray | None:
        with self._lock:
            if self._best_x is None or self.best_objective <= self._given:
                return None
            if self.best_objective <= highs_primal + 0.5:
                self._given = self.best_objective  # HiGHS already has as good a solution
                return None
            self._given = self.best_objective
            return self._best_x.astype(float)


def _attach(h: highspy.Highs, link: MipLink, deadline: float) -> None:
    """Callbacks: publish HiGHS's bound and primal, stop on request, take offered solutions."""

    def interrupt(e: highspy.HighsCallbackEvent) -> None:
        out = e.data_out
        bound = -float(out.mip_dual_bound)
        if math.isfinite(bound):
            link.bound = min(link.bound, bound)
        primal = -float(out.mip_primal_bound)
        if math.isfinite(primal) and primal > link.best_objective:
            link.best_objective = max(link.best_objective, int(round(primal)))
        if link.stop.is_set() or link.proven() or time.perf_counter() > deadline:
            e.interrupt()

    def user_solution(e: highspy.HighsCallbackEvent) -> None:
        primal = -float(e.data_out.mip_primal_bound)
        x = link._to_give(primal if math.isfinite(primal) else -math.inf)
        if x is not None and e.data_in is not None:
            e.data_in.user_has_solution = True
            e.data_in.setSolution(x)

    def lp_interrupt(e: highspy.HighsCallbackEvent) -> None:
        # The root LP of a large model runs for seconds between MIP callbacks.
        if link.stop.is_set() or time.perf_counter() > deadline:
            e.interrupt()

    h.cbMipInterrupt.subscribe(interrupt)
    h.cbMipUserSolution.subscribe(user_solution)
    h.cbSimplexInterrupt.subscribe(lp_interrupt)
    h.cbIpmInterrupt.subscribe(lp_interrupt)


def solve_mip(
    problem: Problem,
    *,
    time_limit: float = 60.0,
    gap: float = 0.0,
    start: np.ndarray | None = None,
    seed: int = 0,
    link: MipLink | None = None,
) -> CpResult:
    """Solve ``problem`` with HiGHS branch-and-cut (one thread).

    Parameters
    ----------
    problem
        Model arrays.
    time_limit
        Seconds.
    gap
        Relative MIP gap at which HiGHS stops (0 = prove optimality).
    start
        A feasible 0/1 solution (bool per option) given to HiGHS as its first incumbent.
    seed
        HiGHS's random seed (the same seed and input give the same search).
    link
        Shared with a decomposition running at the same time (:class:`MipLink`): better
        allocations flow in, the bound flows out, and either side can end the solve.

    Returns
    -------
    CpResult
        Same shape as the CP-SAT result; ``bound`` is HiGHS's dual bound.
    """
    t0 = time.perf_counter()
    n = problem.n_options
    if n == 0:
        ok = not problem.must_place.any() and bool(np.all(problem.capacity >= 0))
        ok = ok and bool(np.all(problem.fair_lb <= 0))
        return CpResult("optimal" if ok else "infeasible", np.zeros(0, dtype=bool), 0, 0.0, 0.0)
    h = _new_highs()
    h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", int(seed))
    h.passModel(_highs_model(problem, binding_rows(problem)))
    if start is not None and start.size == n:
        sol = highspy.HighsSolution()
        sol.col_value = start.astype(float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    if link is not None:
        _attach(h, link, t0 + time_limit)
    h.run()
    wall = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return CpResult("infeasible", np.zeros(0, dtype=bool), 0, math.nan, wall)
    if info.primal_solution_status != 2:  # 2 = a feasible solution is known
        return CpResult("unknown", np.zeros(0, dtype=bool), 0, -float(info.mip_dual_bound), wall)
    x = np.asarray(h.getSolution().col_value) > 0.5
    bound = -float(info.mip_dual_bound)
    if link is not None:
        # The last bound and allocation, so the other side sees a finished proof at once.
        link.offer(x, problem.objective(x))
        if math.isfinite(bound):
            link.bound = min(link.bound, bound)
    optimal = status == highspy.HighsModelStatus.kOptimal and gap == 0.0
    return CpResult("optimal" if optimal else "feasible", x, problem.objective(x), bound, wall)
