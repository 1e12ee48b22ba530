"""CP-SAT model of a (sub)problem: exact on small and residual problems."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matching.allocation.model import Problem


@dataclass(frozen=True)
class CpResult:
    """Outcome of a CP-SAT solve: ``status`` is "optimal", "feasible", "infeasible" or
    "unknown"; ``x`` the best 0/1 solution found (empty if none)."""

    status: str
    x: np.ndarray
    objective: int
    bound: float
    wall_time: float


_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


def binding_rows(problem: Problem) -> np.ndarray:
    """Resource rows that some choice of at most one option per household could exceed.

    A row whose sum of per-household maximum use fits its capacity can never bind, so the
    solvers leave it out.
    """
    coo = problem.usage.tocoo()
    if coo.nnz == 0:
        return np.zeros(problem.capacity.shape[0], dtype=bool)
    hh = problem.opt_hh[coo.row]
    key = hh.astype(np.int64) * problem.capacity.shape[0] + coo.col
    order = np.lexsort((coo.data, key))
    key_sorted = key[order]
    last = np.r_[key_sorted[1:] != key_sorted[:-1], True]
    worst = np.bincount(
        coo.col[order][last], weights=coo.data[order][last], minlength=problem.capacity.shape[0]
    )
    return worst > problem.capacity


def build_cp_model(
    problem: Problem, *, all_rows: bool = False
) -> tuple[cp_model.CpModel, list[cp_model.IntVar], np.ndarray]:
    """CP-SAT model of ``problem``; returns the model, option variables and kept rows."""
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{j}") for j in range(problem.n_options)]
    start = np.searchsorted(problem.opt_hh, np.arange(problem.n_hh), side="left")
    end = np.searchsorted(problem.opt_hh, np.arange(problem.n_hh), side="right")
    for h in range(problem.n_hh):
        vs = xs[start[h] : end[h]]
        if problem.must_place[h]:
            model.add_exactly_one(vs)
        elif len(vs) > 1:
            model.add_at_most_one(vs)
    rows = np.flatnonzero(binding_rows(problem) | all_rows)
    csc = problem.usage.tocsc()
    for r in rows:
        lo, hi = csc.indptr[r], csc.indptr[r + 1]
        if lo == hi:
            if problem.capacity[r] < 0:
                model.add_bool_or([])  # an already overdrawn row makes the model infeasible
            continue
        idx, val = csc.indices[lo:hi], csc.data[lo:hi]
        model.add(
            cp_model.LinearExpr.weighted_sum([xs[j] for j in idx], val.tolist())
            <= int(problem.capacity[r])
        )
    fair = problem.fair.tocsr()
    for f in range(fair.shape[0]):
        lo, hi = fair.indptr[f], fair.indptr[f + 1]
        idx, val = fair.indices[lo:hi], fair.data[lo:hi]
        model.add(
            cp_model.LinearExpr.weighted_sum([xs[j] for j in idx], val.tolist())
            >= int(problem.fair_lb[f])
        )
    model.maximize(cp_model.LinearExpr.weighted_sum(xs, problem.weight.tolist()))
    return model, xs, rows


def solve_cpsat(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    hint: np.ndarray | None = None,
) -> CpResult:
    """Solve ``problem`` with CP-SAT.

    Parameters
    ----------
    problem
        Model arrays.
    time_limit
        Seconds.
    workers
        Search workers; ``1`` with a fixed ``seed`` is deterministic when the solve finishes
        within the limit.
    seed
        CP-SAT random seed.
    hint
        A 0/1 solution to start from (CP-SAT prefers complete hints).

    Returns
    -------
    CpResult
    """
    if problem.n_options == 0:
        feasible = not problem.must_place.any() and bool(np.all(problem.capacity >= 0)) and bool(
            np.all(problem.fair_lb <= 0)
        )
        return CpResult(
            "optimal" if feasible else "infeasible", np.zeros(0, dtype=bool), 0, 0.0, 0.0
        )
    model, xs, _ = build_cp_model(problem)
    if hint is not None:
        for v, h in zip(xs, hint, strict=True):
            model.add_hint(v, bool(h))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    status = solver.solve(model)
    name = _STATUS.get(status, "unknown")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        x = np.array([solver.boolean_value(v) for v in xs], dtype=bool)
        return CpResult(
            name, x, int(round(solver.objective_value)), float(solver.best_objective_bound),
            solver.wall_time,
        )
    return CpResult(name, np.zeros(0, dtype=bool), 0, float("nan"), solver.wall_time)
