"""Request and response bodies of allocation runs, placements, comparisons and commits."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.core.schemas import StrictBody


class QuotaIn(StrictBody):
    region_code: str
    category: str
    persons: int
    families: int | None = None


class CapacityChange(StrictBody):
    kind: str = Field(description="Resource kind: quota_persons, home, vacancy, school, …")
    key: str = Field(description="Resource key: region/category, home id, vacancy id, locality id.")
    capacity: int


class HouseholdLocality(StrictBody):
    household_id: int
    locality_id: str


class Refusal(StrictBody):
    household_id: int
    region_code: str


class Budget(StrictBody):
    region_code: str
    budget_tenge: int


class Fairness(StrictBody):
    group: str = Field(description="A household category (resettler or kandas).")
    kind: str = Field(description="placement_rate or average_score.")
    threshold: float


class RunIn(StrictBody):
    """A batch and its what-if changes. Ranges are checked together with the references, so
    one 422 answer lists every problem."""

    name: str = Field("", max_length=200)
    year: int
    region_codes: list[str] | None = Field(None, description="Destination regions (default: all).")
    origin_region_codes: list[str] | None = None
    categories: list[str] | None = None
    household_ids: list[int] | None = None
    options_per_household: int = 10
    time_limit: float = 30.0
    deterministic: bool = True
    seed: int = 0
    quotas: list[QuotaIn] = []
    capacities: list[CapacityChange] = []
    locks: list[HouseholdLocality] = []
    bans: list[HouseholdLocality] = []
    refusals: list[Refusal] = []
    budgets: list[Budget] = []
    fairness: list[Fairness] = []
    scenario_dir: str | None = Field(
        None,
        max_length=500,
        description="A scenario folder (as `qonys allocate DIR` reads) inside the server's "
        "scenario root (`QONYS_SCENARIO_ROOT`), instead of the live tables. Such a run is a "
        "what-if: it stores its summary but no placements and cannot be committed.",
    )


class RunAccepted(BaseModel):
    id: str
    status: str


class RunOut(BaseModel):
    id: str
    name: str
    year: int
    status: str
    progress: float
    phase: str
    message: str
    created_at: Any = None
    committed_at: Any = None
    committed_by: str | None = None
    created_by: str | None = None
    request: dict[str, Any]
    summary: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class PlacementOut(BaseModel):
    household_id: int
    external_id: str | None
    placed: bool
    locality_id: str | None
    locality_name: str | None
    region_code: str | None
    home_id: int | None
    vacancy_id: int | None
    second_vacancy_id: int | None
    score: float | None
    persons: int
    reason_code: str | None
    reason: str | None
    breakdown: list[dict[str, Any]] | None


class RunListItem(BaseModel):
    id: str
    name: str
    year: int
    status: str
    created_by: str | None
    created_at: Any = None
    committed_at: Any = None
    objective: int | None = None
    households: int | None = None
    households_placed: int | None = None
    gap: float | None = None
    scenario_dir: str | None = None


class CommitIn(StrictBody):
    household_ids: list[int] | None = Field(
        None, description="Commit only these households' placements (default: all of the run)."
    )


class CommitOut(BaseModel):
    run_id: str
    households: int
    persons: int
    committed_at: Any
