"""The retention model: P(return within 12 months) of a placement, fitted on recorded outcomes.

A logistic regression on the placement's :data:`~matching.scoring.components.OUTCOME_FEATURES`
and its destination region, calibrated by Platt scaling (``CalibratedClassifierCV``,
``method="sigmoid"``, 3 folds). The fitted model is plain numbers — per fold the
regression's coefficients and the sigmoid's ``a``, ``b`` — so a version is JSON: its training
data's date range and size, its held-out metrics (AUC, Brier score, expected calibration
error) and those numbers. :class:`RetentionModel` predicts from the numbers alone (no
scikit-learn object is kept), and is the scorer's
:class:`~matching.scoring.weights.RetentionPredictor`.

The training frame has one row per placement: the ``OUTCOME_FEATURES`` columns (or ``f_``
prefixed), ``region_code``, the labels ``employed_3m``, ``employed_6m``, ``employed_12m``,
``returned_12m`` and ``recorded_on`` (the date the outcome was recorded).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.scoring.components import OUTCOME_FEATURES
from matching.text import Text, msg

# Below this many outcomes the held-out metrics are too noisy to trust (with a return rate
# near 8 %, 300 outcomes give about 24 returns, 6 of them in the 25 % held out).
MIN_OUTCOMES = 300
# Each class must reach every fold: a stratified quarter held out, then 3 calibration folds.
MIN_PER_CLASS = 10
LABELS: tuple[str, ...] = ("employed_3m", "employed_6m", "employed_12m", "returned_12m")
HOLDOUT_SHARE = 0.25
ECE_BINS = 10
FloatArray = npt.NDArray[np.float64]


class RetentionFitError(ValueError):
    """The outcomes cannot be fitted; ``text`` says why in kk/ru/en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class TooFewOutcomes(RetentionFitError):
    """Fewer recorded outcomes than :data:`MIN_OUTCOMES`."""


@dataclass(frozen=True)
class Fold:
    coef: tuple[float, ...]
    intercept: float
    a: float  # Platt: P = 1 / (1 + exp(a · f + b)), f the regression's decision value
    b: float


@dataclass(frozen=True)
class RetentionModel:
    """A fitted, versioned retention model."""

    features: tuple[str, ...]
    regions: tuple[str, ...]
    folds: tuple[Fold, ...]
    trained_from: str
    trained_to: str
    outcomes: int
    returns: int
    metrics: Mapping[str, float]
    calibration_curve: Mapping[str, list[float]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Training dates and a digest of the fitted numbers."""
        digest = hashlib.sha256(
            json.dumps([asdict(f) for f in self.folds], sort_keys=True).encode()
        ).hexdigest()[:10]
        return f"{self.trained_from}_{self.trained_to}_{digest}"

    def design(self, features: Mapping[str, FloatArray], region_codes: np.ndarray) -> FloatArray:
        regions = np.asarray(region_codes, dtype=object)
        cols = [np.asarray(features[k], dtype=np.float64) for k in self.features]
        cols += [(regions == r).astype(np.float64) for r in self.regions]
        return np.column_stack(cols) if cols else np.zeros((len(regions), 0))

    def predict_return(
        self, features: Mapping[str, FloatArray], region_codes: np.ndarray
    ) -> FloatArray:
        """P(return within 12 months), the mean over the calibrated folds."""
        x = self.design(features, region_codes)
        p = np.zeros(len(x))
        for f in self.folds:
            decision = x @ np.asarray(f.coef) + f.intercept
            p += 1.0 / (1.0 + np.exp(f.a * decision + f.b))
        return p / max(len(self.folds), 1)

    def predict_retention(
        self, features: Mapping[str, FloatArray], region_codes: npt.NDArray[np.object_]
    ) -> FloatArray:
        return 1.0 - self.predict_return(features, region_codes)

    def effective_coefficients(self) -> dict[str, float]:
        """Log-odds of return per unit of each feature, as the calibrated model sees it
        (the regression's coefficient times −a, averaged over folds)."""
        names = [*self.features, *(f"region_{r}" for r in self.regions)]
        coef = np.mean([-f.a * np.asarray(f.coef) for f in self.folds], axis=0)
        return dict(zip(names, coef.tolist(), strict=True))

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RetentionModel:
        return cls(
            features=tuple(data["features"]),
            regions=tuple(data["regions"]),
            folds=tuple(Fold(tuple(f["coef"]), f["intercept"], f["a"], f["b"]) for f in data["folds"]),
            trained_from=str(data["trained_from"]),
            trained_to=str(data["trained_to"]),
            outcomes=int(data["outcomes"]),
            returns=int(data["returns"]),
            metrics=dict(data["metrics"]),
            calibration_curve={k: list(v) for k, v in data.get("calibration_curve", {}).items()},
        )

    @classmethod
    def from_json(cls, text: str) -> RetentionModel:
        return cls.from_dict(json.loads(text))


def expected_calibration_error(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = ECE_BINS) -> float:
    """Σ over equal-width probability bins of (share of rows) × |mean predicted − observed|."""
    yy = np.asarray(y, dtype=np.float64)
    pp = np.asarray(p, dtype=np.float64)
    if len(pp) == 0:
        return float("nan")
    idx = np.minimum((pp * bins).astype(np.int64), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.mean() * abs(float(pp[m].mean()) - float(yy[m].mean()))
    return total


def evaluate_model(model: RetentionModel, frame: pl.DataFrame) -> dict[str, Any]:
    """AUC, Brier score, ECE and the calibration curve of ``model`` on outcomes ``frame``."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, roc_auc_score

    features, regions, y = _arrays(frame)
    p = model.predict_return(features, regions)
    observed, predicted = calibration_curve(y, p, n_bins=ECE_BINS, strategy="quantile")
    return {
        "auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan"),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
        "outcomes": len(y),
        "curve": {"predicted": predicted.tolist(), "observed": observed.tolist()},
    }


def _column(frame: pl.DataFrame, name: str) -> str:
    return name if name in frame.columns else f"f_{name}"


def _arrays(frame: pl.DataFrame) -> tuple[dict[str, FloatArray], np.ndarray, FloatArray]:
    features = {
        k: frame[_column(frame, k)].cast(pl.Float64).to_numpy() for k in OUTCOME_FEATURES
    }
    regions = frame["region_code"].cast(pl.Utf8).to_numpy().astype(object)
    y = frame["returned_12m"].cast(pl.Float64).to_numpy()
    return features, regions, y


def _check(frame: pl.DataFrame, min_outcomes: int) -> None:
    missing = [
        c
        for c in ("region_code", "returned_12m", "recorded_on")
        if c not in frame.columns
    ] + [k for k in OUTCOME_FEATURES if k not in frame.columns and f"f_{k}" not in frame.columns]
    if missing:
        raise RetentionFitError(msg("outcomes.retention.missing_columns", columns=", ".join(missing)))
    if frame.height < min_outcomes:
        raise TooFewOutcomes(msg("outcomes.retention.too_few", count=frame.height, minimum=min_outcomes))
    returns = int(frame["returned_12m"].cast(pl.Int64).sum())
    stayed = frame.height - returns
    if min(returns, stayed) < MIN_PER_CLASS:
        raise RetentionFitError(
            msg("outcomes.retention.one_class", minimum=MIN_PER_CLASS, returns=returns, stayed=stayed)
        )


def fit_retention(
    frame: pl.DataFrame, *, min_outcomes: int = MIN_OUTCOMES, seed: int = 0
) -> RetentionModel:
    """Fit and version the retention model on recorded outcomes (one row per placement).

    Raises :class:`TooFewOutcomes` under ``min_outcomes`` rows and
    :class:`RetentionFitError` for a frame without the columns or with fewer than
    :data:`MIN_PER_CLASS` returns or stays. A
    quarter of the rows (stratified) is held out for the version's metrics.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    _check(frame, min_outcomes)
    regions_all = frame["region_code"].cast(pl.Utf8)
    regions = tuple(sorted(set(regions_all.to_list())))[1:]  # the first is the reference
    shell = RetentionModel(OUTCOME_FEATURES, regions, (), "", "", 0, 0, {})
    features, region_codes, y = _arrays(frame)
    x = shell.design(features, region_codes)
    train, test = train_test_split(
        np.arange(len(y)), test_size=HOLDOUT_SHARE, random_state=seed, stratify=y
    )
    clf = CalibratedClassifierCV(
        LogisticRegression(C=10.0, max_iter=2000), method="sigmoid", cv=3
    )
    clf.fit(x[train], y[train])
    folds = tuple(
        Fold(
            tuple(float(c) for c in cc.estimator.coef_[0]),
            float(cc.estimator.intercept_[0]),
            float(cc.calibrators[0].a_),
            float(cc.calibrators[0].b_),
        )
        for cc in clf.calibrated_classifiers_
    )
    dates = frame["recorded_on"].cast(pl.Date)
    model = RetentionModel(
        features=OUTCOME_FEATURES,
        regions=regions,
        folds=folds,
        trained_from=str(dates.min() or dt.date.min),
        trained_to=str(dates.max() or dt.date.min),
        outcomes=frame.height,
        returns=int(y.sum()),
        metrics={},
    )
    held = evaluate_model(model, frame[test])
    return RetentionModel(
        **{
            **{k: getattr(model, k) for k in ("features", "regions", "folds", "trained_from",
                                              "trained_to", "outcomes", "returns")},
            "metrics": {k: held[k] for k in ("auc", "brier", "ece", "outcomes")},
            "calibration_curve": held["curve"],
        }
    )  # fmt: skip
