"""Explainable fit score of a household for an option (locality, home, job, optional 2nd job).

Two entry points share :func:`~matching.scoring.components.evaluate`:

* :meth:`Scorer.score` — one option with its gates, components and trilingual reasons;
* :meth:`Scorer.score_options` — a polars frame of many options, vectorized.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from matching.domain import Home, Household, LocalityCapacity, Option, Vacancy
from matching.scoring.components import Evaluation, evaluate
from matching.scoring.features import (
    DICT_LOOKUP_MAX,
    Catalogue,
    HouseholdFrame,
    homes_frame,
    localities_frame,
    vacancies_frame,
)
from matching.scoring.reasons import component_reason, gate_reason
from matching.scoring.similarity import OccupationSpace, SimilarityFn
from matching.scoring.weights import COMPONENTS, GATES, ScoringConfig
from matching.text import Text


@dataclass(frozen=True, slots=True)
class GateResult:
    """A hard condition: when it fails the option is infeasible, whatever else it offers."""

    name: str
    passed: bool
    reason: Text


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """One soft factor: ``value`` in [0, 1] and its effective ``weight`` for this household."""

    name: str
    value: float
    weight: float
    reason: Text


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The score of one option with its full breakdown."""

    total: float
    feasible: bool
    gates: list[GateResult]
    components: list[ComponentScore]

    def component(self, name: str) -> ComponentScore:
        return next(c for c in self.components if c.name == name)

    def gate(self, name: str) -> GateResult:
        return next(g for g in self.gates if g.name == name)


OPTION_COLUMNS = ("household_id", "locality_id", "home_id", "vacancy_id", "second_vacancy_id")


def explain(ev: Evaluation, i: int) -> ScoreResult:
    """Turn row ``i`` of an evaluation into a :class:`ScoreResult`."""
    gates = [
        GateResult(g, bool(ev.gates[g][i]), gate_reason(g, bool(ev.gates[g][i]))) for g in GATES
    ]
    comps = [
        ComponentScore(
            c, float(ev.values[c][i]), float(ev.weights[c][i]), component_reason(c, ev, i)
        )
        for c in COMPONENTS
    ]
    return ScoreResult(
        total=float(ev.total[i]), feasible=bool(ev.feasible[i]), gates=gates, components=comps
    )


class Scorer:
    """Scores options against a catalogue of vacancies, homes and localities.

    Parameters
    ----------
    catalogue
        Indexed vacancies, homes, localities and earlier-mover counts.
    space
        The occupation space the catalogue was indexed with.
    config
        Weights and parameters (see :func:`matching.scoring.weights.default_config`).
    """

    def __init__(self, catalogue: Catalogue, space: OccupationSpace, config: ScoringConfig) -> None:
        self.catalogue = catalogue
        self.space = space
        self.config = config

    @classmethod
    def from_objects(
        cls,
        vacancies: Sequence[Vacancy],
        homes: Sequence[Home],
        localities: Sequence[LocalityCapacity],
        *,
        config: ScoringConfig | None = None,
        similarity: SimilarityFn | None = None,
        network: dict[tuple[str, str], int] | None = None,
    ) -> Scorer:
        """Build from domain objects; ``network`` maps (origin region, locality id) → movers."""
        space = OccupationSpace(similarity)
        net = pl.DataFrame(
            {
                "origin_region": [k[0] for k in (network or {})],
                "locality_id": [k[1] for k in (network or {})],
                "movers": list((network or {}).values()),
            },
            schema={"origin_region": pl.Utf8, "locality_id": pl.Utf8, "movers": pl.Int64},
        )
        cat = Catalogue.build(
            vacancies_frame(vacancies), homes_frame(homes), localities_frame(localities),
            space=space, network=net,
        )  # fmt: skip
        return cls(cat, space, config or ScoringConfig())

    def household_frame(self, households: Sequence[Household]) -> HouseholdFrame:
        """Households as arrays in this scorer's occupation space."""
        return HouseholdFrame.from_households(households, self.space)

    def evaluate_frame(self, households: HouseholdFrame, options: pl.DataFrame) -> Evaluation:
        """Evaluate an options frame (columns :data:`OPTION_COLUMNS`)."""
        cat = self.catalogue
        second = (
            options["second_vacancy_id"]
            if "second_vacancy_id" in options.columns
            else pl.Series([None] * options.height, dtype=pl.Utf8)
        )
        if options.height <= DICT_LOOKUP_MAX:
            # A request-sized frame: the row dictionary beats a join over every household.
            row_of = households.row_of
            hrow = np.array(
                [row_of.get(h, -1) for h in options["household_id"].cast(pl.Utf8).to_list()],
                dtype=np.int64,
            )
        else:
            hkey = pl.DataFrame(
                {
                    "household_id": households.ids,
                    "_row": np.arange(len(households), dtype=np.int64),
                },
                schema={"household_id": pl.Utf8, "_row": pl.Int64},
            )
            hrow = (
                options.select("household_id")
                .join(hkey, on="household_id", how="left", maintain_order="left")["_row"]
                .fill_null(-1)
                .to_numpy()
            )
        if (hrow < 0).any():
            raise KeyError("options refer to households missing from the household frame")
        return evaluate(
            households,
            cat,
            self.space,
            self.config,
            hrow.astype(np.int64),
            cat.ids_to_rows(options["locality_id"], "locality"),
            cat.ids_to_rows(options["home_id"], "home"),
            cat.ids_to_rows(options["vacancy_id"], "vacancy"),
            cat.ids_to_rows(second, "vacancy"),
        )

    def score_options(
        self, households: HouseholdFrame, options: pl.DataFrame, *, components: bool = False
    ) -> pl.DataFrame:
        """Score many options at once.

        Parameters
        ----------
        households
            Arrays for every household the options mention.
        options
            Columns household_id, locality_id, home_id, vacancy_id and optionally
            second_vacancy_id (null when none); other columns are kept.
        components
            Also return one column per component value and gate.

        Returns
        -------
        polars.DataFrame
            ``options`` with ``score`` (float in [0, 1]) and ``feasible`` added.
        """
        ev = self.evaluate_frame(households, options)
        extra: dict[str, np.ndarray] = {"score": ev.total, "feasible": ev.feasible}
        if components:
            extra.update({f"c_{c}": ev.values[c] for c in COMPONENTS})
            extra.update({f"g_{g}": ev.gates[g] for g in GATES})
        return options.with_columns([pl.Series(k, v) for k, v in extra.items()])

    def explain_option(
        self, households: HouseholdFrame, household_id: str, option: Option
    ) -> ScoreResult:
        """Breakdown of one option for a household already in a :class:`HouseholdFrame`."""
        frame = pl.DataFrame(
            {
                "household_id": [household_id],
                "locality_id": [option.locality_id],
                "home_id": [option.home_id],
                "vacancy_id": [option.vacancy_id],
                "second_vacancy_id": [option.second_vacancy_id],
            },
            schema=dict.fromkeys(OPTION_COLUMNS, pl.Utf8),
        )
        return explain(self.evaluate_frame(households, frame), 0)

    def score(self, household: Household, option: Option) -> ScoreResult:
        """Score one option for one household, with gates, components and reasons."""
        return self.explain_option(
            self.household_frame([household]), household.household_id, option
        )


def score_options(
    households: HouseholdFrame, options: pl.DataFrame, *, scorer: Scorer, components: bool = False
) -> pl.DataFrame:
    """Vectorized scoring; see :meth:`Scorer.score_options`."""
    return scorer.score_options(households, options, components=components)


def score(household: Household, option: Option, *, scorer: Scorer) -> ScoreResult:
    """Explained scoring of one option; see :meth:`Scorer.score`."""
    return scorer.score(household, option)
