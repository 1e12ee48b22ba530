"""Response bodies of retention models."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.core.schemas import UtcDateTime


class HeldOutMetrics(BaseModel):
    """Metrics on the quarter of the outcomes held out of the fit (null: not computable)."""

    auc: float | None = Field(description="Area under the ROC curve of the return prediction.")
    brier: float | None = Field(description="Brier score (mean squared error of P(return)).")
    ece: float | None = Field(description="Expected calibration error over 10 bins.")
    held_out: int = Field(description="Outcomes held out.")


class LeftOut(BaseModel):
    """Recorded outcomes the fit could not use, by reason."""

    not_placed: int = Field(description="The household was not placed by a committed run.")
    without_features: int = Field(
        description="Committed before outcome features were stored with placements."
    )
    censored: int = Field(description="Not returned and not yet 12 months after the move.")


class RetentionModelOut(BaseModel):
    version: str
    trained_from: dt.date = Field(description="First recording date of the training outcomes.")
    trained_to: dt.date = Field(description="Last recording date of the training outcomes.")
    outcomes: int = Field(description="Usable outcomes the model was fitted on.")
    returns: int = Field(description="Of them, households that returned within 12 months.")
    metrics: HeldOutMetrics
    left_out: LeftOut
    active: bool = Field(description="The version the scorer uses (at most one).")
    created_at: UtcDateTime
    created_by: str | None


class RetentionModelDetail(RetentionModelOut):
    coefficients: dict[str, float] = Field(
        description="Log-odds of return per unit of each feature and per region (calibrated)."
    )
    calibration_curve: dict[str, list[float]] = Field(
        description="Held-out predicted and observed return rates by quantile bin."
    )
