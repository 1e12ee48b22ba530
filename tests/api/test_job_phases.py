"""A job's step reads in words in every language, for every phase the workers record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.core.job_phases import phase_message, phase_text
from matching.text import LANGS

ROOT = Path(__file__).resolve().parents[2]
# progress("phase", …) / ctx.progress("phase", …) calls with a literal phase.
_CALL = re.compile(r"progress\(\s*\"([a-z_]+)\"")


def _recorded_phases() -> set[str]:
    found: set[str] = set()
    for folder in ("api", "matching"):
        for path in (ROOT / folder).rglob("*.py"):
            found.update(_CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_scan_finds_the_workers_phases() -> None:
    phases = _recorded_phases()
    # Allocation runs, imports and back-tests each record their steps.
    assert {"load", "build", "lp", "store", "read", "validate", "write", "done"} <= phases


@pytest.mark.parametrize("phase", sorted(_recorded_phases()))
def test_every_recorded_phase_has_its_own_words(phase: str) -> None:
    text = phase_text(phase)
    assert text.en != phase_text("no-such-step").en, f"phase {phase!r} reads only as 'working'"
    forms = [text.get(lang) for lang in LANGS]
    assert all(forms) and len(set(forms)) == len(LANGS)


def test_solver_steps_read_as_one_step_and_queued_jobs_say_so() -> None:
    assert phase_text("lns").en == phase_text("lp").en == phase_text("bound").en
    assert phase_text("lp").en != phase_text("store").en
    assert phase_message("lp", "queued", "ru") == phase_text(None, "queued").ru
    assert "очеред" in phase_message(None, "queued", "ru")
    assert phase_message("validate", "running", "kk") == phase_text("validate").kk
