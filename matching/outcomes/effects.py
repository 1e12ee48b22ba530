"""The outcome simulator's effect sizes and calibration targets, read from a TOML file.

Every effect is named, carries its source ("assumption" when no source gives its size) and
can be scaled: :meth:`Effects.scaled` multiplies the assumed effects only, which is how the
back-test's sensitivity runs halve and double them. The file is ``data/outcome_effects.toml``
(:data:`DEFAULT_EFFECTS_FILE`); a planner can pass another.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULT_EFFECTS_FILE = Path(__file__).resolve().parents[2] / "data" / "outcome_effects.toml"
OUTCOMES: tuple[str, ...] = ("employment", "job_education_match", "return_12m")
TARGETS: tuple[str, ...] = ("employment_12m", "job_education_match", "return_12m")
ASSUMPTION = "assumption"


@dataclass(frozen=True, slots=True)
class Effect:
    """One effect: ``value`` log-odds per unit of ``feature`` on ``outcome``."""

    outcome: str
    feature: str
    value: float
    source: str
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.outcome}.{self.feature}"

    @property
    def assumed(self) -> bool:
        return self.source.strip().lower() == ASSUMPTION


@dataclass(frozen=True, slots=True)
class Target:
    """An observed rate the status quo must reproduce: ``scope`` is "all" or a region code."""

    measure: str
    scope: str
    value: float
    source: str


@dataclass(frozen=True)
class Effects:
    """All effects, the employment time profile and the calibration targets."""

    effects: tuple[Effect, ...]
    time_profile: Mapping[str, Effect]
    targets: tuple[Target, ...]
    scale: float = 1.0

    def of(self, outcome: str) -> dict[str, float]:
        """Feature → log-odds of one outcome."""
        return {e.feature: e.value for e in self.effects if e.outcome == outcome}

    def share(self, name: str) -> float:
        return float(self.time_profile[name].value)

    def target(self, measure: str, scope: str = "all") -> float:
        return next(t.value for t in self.targets if t.measure == measure and t.scope == scope)

    def region_targets(self, measure: str) -> dict[str, float]:
        return {t.scope: t.value for t in self.targets if t.measure == measure and t.scope != "all"}

    def scaled(self, factor: float) -> Effects:
        """A copy with every assumed effect multiplied by ``factor`` (sourced ones kept)."""
        return replace(
            self,
            effects=tuple(
                replace(e, value=e.value * factor) if e.assumed else e for e in self.effects
            ),
            scale=self.scale * factor,
        )

    def with_effect(self, name: str, value: float) -> Effects:
        """A copy with one effect (``outcome.feature``) set to ``value``."""
        if name not in {e.name for e in self.effects}:
            raise KeyError(f"unknown effect {name}")
        return replace(
            self,
            effects=tuple(replace(e, value=value) if e.name == name else e for e in self.effects),
        )


def _effect(outcome: str, feature: str, raw: Any) -> Effect:
    if not isinstance(raw, Mapping) or "value" not in raw or "source" not in raw:
        raise ValueError(f"effect {outcome}.{feature} needs a value and a source")
    return Effect(outcome, feature, float(raw["value"]), str(raw["source"]), str(raw.get("note", "")))


def parse_effects(data: Mapping[str, Any]) -> Effects:
    """Effects from the parsed TOML document (see ``data/outcome_effects.toml``)."""
    effects = data.get("effects", {})
    unknown = set(effects) - set(OUTCOMES)
    if unknown:
        raise ValueError(f"unknown outcomes in the effects file: {sorted(unknown)}")
    items = tuple(
        _effect(outcome, feature, raw)
        for outcome in OUTCOMES
        for feature, raw in effects.get(outcome, {}).items()
    )
    profile = {k: _effect("time_profile", k, v) for k, v in data.get("time_profile", {}).items()}
    for key in ("employed_by_3m", "employed_by_6m"):
        if key not in profile:
            raise ValueError(f"time_profile.{key} is missing")
    targets = tuple(
        Target(measure, str(scope), float(raw["value"]), str(raw["source"]))
        for measure in TARGETS
        for scope, raw in data.get("targets", {}).get(measure, {}).items()
    )
    for measure in TARGETS:
        if not any(t.measure == measure and t.scope == "all" for t in targets):
            raise ValueError(f"targets.{measure}.all is missing")
    return Effects(items, profile, targets)


def load_effects(path: Path | str | None = None) -> Effects:
    """Read an effects file (default ``data/outcome_effects.toml``)."""
    with Path(path or DEFAULT_EFFECTS_FILE).open("rb") as fh:
        return parse_effects(tomllib.load(fh))
