"""Read a planner's scenario folder into an allocation batch."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from matching.allocation import AllocationInstance


class ScenarioError(ValueError):
    """The folder cannot be used; the message lists every problem found."""


def load_scenario_dir(path: Path) -> tuple[AllocationInstance, pl.DataFrame | None]:
    if not path.is_dir():
        raise ScenarioError(f"{path} is not a folder")
    raise ScenarioError("scenario folders are not readable yet")
