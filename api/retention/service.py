"""Retention models fitted on recorded outcomes: training frame, fit, versions, activation.

The training frame is the recorded outcomes (:func:`api.outcomes.service.outcomes_frame`)
joined with the outcome features and region each committed placement stored when its run
was committed: one row per usable outcome, exactly the frame
:func:`matching.outcomes.retention.fit_retention` takes. An outcome is left out when its
household was not placed by a committed run, when its decision holds no features (committed
before they were stored) or when it is censored (no return, 12 months not yet passed).

Versions are rows of ``retention_models``; at most one is active. The scorer uses the active
one where the programme version's retention weight is above 0
(:func:`with_active_model`); the match index's fingerprint includes the active version, so
activating another one rebuilds the index in every worker. Fits and activations are audited.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.core.problems import ProblemException
from api.models.retention import RetentionModelRecord
from api.outcomes.service import outcomes_frame
from api.retention import repository
from api.retention.schemas import HeldOutMetrics, LeftOut, RetentionModelDetail, RetentionModelOut
from matching.outcomes.retention import (
    MIN_OUTCOMES,
    RetentionFitError,
    RetentionModel,
    fit_retention,
)
from matching.scoring.components import OUTCOME_FEATURES
from matching.scoring.weights import ScoringConfig, retention_weight
from matching.text import Text, msg

ENTITY = "retention_model"
LEFT_OUT = ("not_placed", "without_features", "censored")
EMPLOYED = ("employed_3m", "employed_6m", "employed_12m")


@dataclass(frozen=True)
class TrainingData:
    """The usable outcomes as the fit's frame, and how many were left out and why."""

    frame: pl.DataFrame
    left_out: dict[str, int]

    @property
    def usable(self) -> int:
        return self.frame.height

    def too_few(self, minimum: int) -> Text:
        return msg(
            "outcomes.retention.too_few_usable", minimum=minimum, count=self.usable,
            left_out=sum(self.left_out.values()), **self.left_out,
        )  # fmt: skip


def _stored_features(session: Session) -> pl.DataFrame:
    rows = repository.decision_features(session)
    values = {k: [None if f is None else f.get(k) for _, _, f in rows] for k in OUTCOME_FEATURES}
    return pl.DataFrame(
        {"household_id": [h for h, _, _ in rows], "region_code": [r for _, r, _ in rows], **values},
        schema={"household_id": pl.Int64, "region_code": pl.Utf8,
                **dict.fromkeys(OUTCOME_FEATURES, pl.Float64)},
    )  # fmt: skip


def training_data(session: Session) -> TrainingData:
    """Recorded outcomes joined with their placements' stored features (see the module)."""
    joined = outcomes_frame(session).join(_stored_features(session), on="household_id", how="left")
    not_placed = pl.col("placed_at").is_null()
    without = ~not_placed & pl.any_horizontal(
        pl.col("region_code").is_null(), *(pl.col(k).is_null() for k in OUTCOME_FEATURES)
    )
    censored = ~not_placed & ~without & pl.col("returned_12m").is_null()
    reasons = joined.select(
        not_placed.sum().alias("not_placed"),
        without.sum().alias("without_features"),
        censored.sum().alias("censored"),
    ).row(0, named=True)
    frame = joined.filter(~not_placed & ~without & ~censored).select(
        "household_id",
        *OUTCOME_FEATURES,
        "region_code",
        # A centre records how many members work; the labels are whether anyone does.
        *((pl.col(c) > 0).alias(c) for c in EMPLOYED),
        "returned_12m",
        pl.col("recorded_at").dt.date().alias("recorded_on"),
    )
    return TrainingData(frame, {k: int(reasons[k]) for k in LEFT_OUT})


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def fit(
    session: Session, actor: audit.Actor | None, *, min_outcomes: int = MIN_OUTCOMES
) -> tuple[RetentionModelRecord, bool]:
    """Fit a version on the recorded outcomes and store it (inactive) with its audit row.

    Returns the version and whether it is new: the same outcomes give the same version,
    which is then returned as stored. 422 below ``min_outcomes`` usable outcomes (saying how
    many there are and how many were left out) or when the fit is impossible.
    """
    data = training_data(session)
    try:
        if data.usable < min_outcomes:
            raise RetentionFitError(data.too_few(min_outcomes))
        model = fit_retention(data.frame, min_outcomes=min_outcomes)
    except RetentionFitError as exc:
        raise ProblemException(422, exc.text, type_="/problems/retention-fit") from None
    record = repository.model_of(session, model.version)
    created = record is None
    if record is None:
        record = RetentionModelRecord(
            version=model.version,
            trained_from=dt.date.fromisoformat(model.trained_from),
            trained_to=dt.date.fromisoformat(model.trained_to),
            outcomes=model.outcomes,
            returns=model.returns,
            metrics={k: _finite(v) for k, v in model.metrics.items()},
            left_out=data.left_out,
            model=model.to_dict(),
            active=False,
            created_by=None if actor is None else actor.name[:120],
        )
        session.add(record)
    after = {"version": model.version, "new": created, "outcomes": model.outcomes,
             "metrics": record.metrics, "left_out": data.left_out}  # fmt: skip
    audit.record(session, actor, "fit", ENTITY, model.version, after=after)
    try:
        session.commit()
    except IntegrityError:  # the same version stored by a concurrent fit of the same outcomes
        session.rollback()
        existing = repository.model_of(session, model.version)
        if existing is None:
            raise
        return existing, False
    return record, created


def find(session: Session, version: str) -> RetentionModelRecord:
    record = repository.model_of(session, version)
    if record is None:
        raise ProblemException(
            404,
            msg("outcomes.retention.unknown_version", version=version),
            type_="/problems/unknown-retention-model",
        )
    return record


def activate(session: Session, actor: audit.Actor | None, version: str | None) -> str | None:
    """Make ``version`` the scorer's model (None: switch the active one off), audited;
    the version active before. 404 for an unknown version, 409 when another activation
    commits at the same moment."""
    if version is not None:
        find(session, version)
    before = repository.active_version(session)
    if before == version:
        return before
    try:
        repository.set_active(session, version)
        action = "activate" if version is not None else "deactivate"
        audit.record(session, actor, action, ENTITY, version or before,
                     before={"active_version": before}, after={"active_version": version})  # fmt: skip
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ProblemException(
            409, msg("outcomes.retention.activation_busy"), type_="/problems/activation-busy"
        ) from None
    return before


def deactivate(session: Session, actor: audit.Actor | None, version: str) -> None:
    """Switch ``version`` off if it is the active one (nothing changes otherwise)."""
    find(session, version)
    if repository.active_version(session) == version:
        activate(session, actor, None)


def list_models(
    session: Session, *, offset: int, limit: int
) -> tuple[int, list[RetentionModelRecord]]:
    return repository.page_models(session, offset=offset, limit=limit)


def all_models(session: Session) -> list[RetentionModelRecord]:
    return repository.all_models(session)


def active_version(session: Session) -> str | None:
    return repository.active_version(session)


def active_model(session: Session) -> RetentionModel | None:
    record = repository.active_record(session)
    return None if record is None else RetentionModel.from_dict(record.model)


def with_active_model(
    session: Session, config: ScoringConfig, weights_file: Path | None = None
) -> ScoringConfig:
    """``config`` with the retention component as configured: the programme version's weight
    (from ``weights_file``, default ``data/retention_weights.toml``) and the active model.
    Without a weight above 0 or without an active model it stays off."""
    weight = retention_weight(config.programme_version, weights_file)
    model = active_model(session) if weight > 0 else None
    return replace(config.with_weights(retention=weight), retention_model=model)


def model_out(record: RetentionModelRecord) -> RetentionModelOut:
    metrics = record.metrics or {}
    return RetentionModelOut(
        version=record.version,
        trained_from=record.trained_from,
        trained_to=record.trained_to,
        outcomes=record.outcomes,
        returns=record.returns,
        metrics=HeldOutMetrics(
            auc=metrics.get("auc"),
            brier=metrics.get("brier"),
            ece=metrics.get("ece"),
            held_out=int(metrics.get("outcomes") or 0),
        ),  # fmt: skip
        left_out=LeftOut(**{k: int((record.left_out or {}).get(k, 0)) for k in LEFT_OUT}),
        active=record.active,
        created_at=record.created_at,
        created_by=record.created_by,
    )


def model_detail(record: RetentionModelRecord) -> RetentionModelDetail:
    model = RetentionModel.from_dict(record.model)
    return RetentionModelDetail(
        **model_out(record).model_dump(),
        coefficients=model.effective_coefficients(),
        calibration_curve=dict(model.calibration_curve),
    )


def fitted_text(record: RetentionModelRecord) -> Text:
    """The one line the CLI prints for a version."""
    m = record.metrics or {}

    def shown(key: str) -> str:
        value = m.get(key)
        return "—" if value is None else f"{value:.3f}"

    return msg(
        "outcomes.retention.fitted", version=record.version, count=record.outcomes,
        trained_from=record.trained_from.isoformat(), trained_to=record.trained_to.isoformat(),
        auc=shown("auc"), brier=shown("brier"), ece=shown("ece"),
    )  # fmt: skip


# What other features use of this one (they import nothing else from it).
__all__ = [
    "TrainingData",
    "activate",
    "active_model",
    "active_version",
    "all_models",
    "deactivate",
    "find",
    "fit",
    "fitted_text",
    "list_models",
    "model_detail",
    "model_out",
    "training_data",
    "with_active_model",
]
