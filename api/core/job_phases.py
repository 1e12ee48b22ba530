"""A job's current step in words (runs, imports, back-tests), in the asked language.

Workers record a machine ``phase`` (``lp``, ``validate``, ``history`` …) and an English
note for the logs; people read the step from the catalogue (``jobs.phase_*``). The solver's
own steps (LP, cuts, search, bound) read as one step: computing the allocation.
"""

from __future__ import annotations

from matching.text import Text, msg
from matching.text.catalogue import catalogue

_SOLVER_STEPS = frozenset({"exact", "lp", "cuts", "residual", "repair", "lns", "bound"})


def phase_text(phase: str | None, status: str = "running") -> Text:
    """``Step: <words>`` for a job in ``phase`` (``queued`` while it waits)."""
    if status == "queued":
        step = "queued"
    elif not phase:
        step = "starting"
    elif phase in _SOLVER_STEPS:
        step = "solve"
    else:
        step = phase if f"jobs.phase_{phase}" in catalogue() else "working"
    return msg("jobs.phase", phase=msg(f"jobs.phase_{step}"))


def phase_message(phase: str | None, status: str, lang: str) -> str:
    """:func:`phase_text` in ``lang`` (the ``message`` field of a job's status)."""
    return phase_text(phase, status).get(lang)  # type: ignore[arg-type]
