"""The same model as a MIP for HiGHS (scipy.optimize.milp): exact on small problems and the
independent check in the benchmark."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.allocation.cpsat import CpResult, binding_rows
from matching.allocation.model import Problem


def solve_mip(problem: Problem, *, time_limit: float = 60.0, gap: float = 0.0) -> CpResult:
    """Solve ``problem`` with HiGHS branch-and-cut.

    Parameters
    ----------
    problem
        Model arrays.
    time_limit
        Seconds.
    gap
        Relative MIP gap at which HiGHS stops (0 = prove optimality).

    Returns
    -------
    CpResult
        Same shape as the CP-SAT result.
    """
    import time

    t0 = time.perf_counter()
    n = problem.n_options
    if n == 0:
        ok = not problem.must_place.any() and bool(np.all(problem.capacity >= 0))
        return CpResult("optimal" if ok else "infeasible", np.zeros(0, dtype=bool), 0, 0.0, 0.0)
    inc = problem.incidence().astype(float)
    lower_hh = problem.must_place.astype(float)
    rows = binding_rows(problem)
    cons = [
        LinearConstraint(inc, lower_hh, np.ones(problem.n_hh)),
        LinearConstraint(problem.usage.T.tocsr()[rows].astype(float), -np.inf, problem.capacity[rows].astype(float)),
    ]
    if problem.fair.shape[0]:
        cons.append(LinearConstraint(sp.csr_matrix(problem.fair, dtype=float), problem.fair_lb.astype(float), np.inf))
    res = milp(
        -problem.weight.astype(float),
        constraints=cons,
        integrality=np.ones(n),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    wall = time.perf_counter() - t0
    if res.x is None:
        status = "infeasible" if res.status == 2 else "unknown"
        return CpResult(status, np.zeros(0, dtype=bool), 0, math.nan, wall)
    x = res.x > 0.5
    bound = -float(res.mip_dual_bound) if getattr(res, "mip_dual_bound", None) is not None else math.nan
    status = "optimal" if res.status == 0 and gap == 0.0 else "feasible"
    return CpResult(status, x, problem.objective(x), bound, wall)
