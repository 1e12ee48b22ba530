"""Explainable fit scoring of relocation options (see docs/scoring.md)."""

from __future__ import annotations

from matching.scoring.features import Catalogue, HouseholdFrame
from matching.scoring.scorer import (
    ComponentScore,
    GateResult,
    Scorer,
    ScoreResult,
    explain,
    score,
    score_options,
)
from matching.scoring.similarity import OccupationSpace, isco_prefix_similarity
from matching.scoring.weights import COMPONENTS, GATES, ScoringConfig, default_config

__all__ = [
    "COMPONENTS",
    "GATES",
    "Catalogue",
    "ComponentScore",
    "GateResult",
    "HouseholdFrame",
    "OccupationSpace",
    "ScoreResult",
    "Scorer",
    "ScoringConfig",
    "default_config",
    "explain",
    "isco_prefix_similarity",
    "score",
    "score_options",
]
