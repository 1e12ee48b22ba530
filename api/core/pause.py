"""Named pause points for the crash tests: inert unless ``QONYS_PAUSE_AT`` names the point.

The crash tests (``tests/api/test_crashes.py``) must kill a real process while a write is
provably half-done: inside the transaction of an import, of an allocation run's placements or
of a commit. They start the process with ``QONYS_PAUSE_AT=<point>`` and
``QONYS_PAUSE_FILE=<path>``; on reaching the point the process writes its pid to the file and
waits until the file is removed (or forever), and the test sends SIGKILL. Without the
variable, :func:`pause_point` returns at once and does nothing. The points are listed in
``docs/reliability.md`` ("Crashes and jobs").
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = ("import.written", "allocation.stored", "commit.reserved")


def pause_point(name: str) -> None:
    """Wait here when the environment asks for it (tests only); otherwise nothing."""
    wanted = os.environ.get("QONYS_PAUSE_AT")
    if not wanted or name not in wanted.split(","):
        return
    marker = os.environ.get("QONYS_PAUSE_FILE")
    if not marker:
        while True:  # no file to wait on: hold until the process is killed
            time.sleep(3600)
    path = Path(marker)
    path.write_text(f"{os.getpid()} {name}\n", encoding="utf-8")
    while path.exists():
        time.sleep(0.05)
