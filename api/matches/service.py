"""One in-memory match index per process, rebuilt when the catalogue in the database changes.

Ranking 100,000 vacancies per request straight from SQL would be slow; the index holds the
catalogue as arrays (see ``matching.ranking.MatchIndex``), and next to it the columns the
answers display (``api.matches.display``). A cheap fingerprint query (counts, last update,
reservations) is checked at most every ``refresh_seconds``; any change to vacancies, homes,
employers, seats, the movers' network or the active retention model rebuilds both.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.heap import freeze_long_lived
from api.matches.answers import (
    RankedAnswer,
    household_localities,
    household_matches,
    locality_answer,
    vacancy_candidates,
)
from api.matches.display import CatalogueDisplay
from api.matches.frames import ACTIVE_HOUSEHOLD_STATUSES, load_catalogue, load_households
from api.matches.schemas import CandidatesOut, MatchesOut, OptionOut, VacancyRef
from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    MoverNetworkRecord,
    VacancyRecord,
)
from api.retention import service as retention
from matching.programme.geography import ReferenceData
from matching.programme.support import SupportParameters
from matching.ranking import MatchIndex
from matching.scoring.features import HouseholdFrame
from matching.scoring.weights import ScoringConfig, default_config


def catalogue_fingerprint(session: Session) -> tuple[Any, ...]:
    parts: list[Any] = []
    for model, extra in (
        (VacancyRecord, func.sum(VacancyRecord.posts_reserved)),
        (HomeRecord, func.sum(HomeRecord.units_reserved)),
        (
            LocalityCapacityRecord,
            func.sum(
                LocalityCapacityRecord.kindergarten_reserved
                + LocalityCapacityRecord.school_reserved
            ),
        ),
    ):
        row = session.execute(
            select(func.count(), func.max(model.updated_at), extra).select_from(model)
        ).one()
        parts.extend(str(v) for v in row)
    row = session.execute(select(func.count(), func.sum(MoverNetworkRecord.movers))).one()
    parts.extend(str(v) for v in row)
    # Employers' names are displayed from the index build (api.matches.display).
    row = session.execute(
        select(func.count(), func.max(EmployerRecord.updated_at)).select_from(EmployerRecord)
    ).one()
    parts.extend(str(v) for v in row)
    return tuple(parts)


def households_fingerprint(session: Session) -> tuple[Any, ...]:
    row = session.execute(
        select(func.count(), func.max(HouseholdRecord.updated_at), func.max(HouseholdRecord.id))
    ).one()
    return tuple(str(v) for v in row)


@dataclass(frozen=True)
class BuiltIndex:
    """An index and the displayed columns of its catalogue, built from the same state."""

    index: MatchIndex
    display: CatalogueDisplay


class MatchService:
    def __init__(
        self,
        reference: ReferenceData,
        support: SupportParameters,
        *,
        year: int | None = None,
        refresh_seconds: float = 5.0,
        retention_weights: Path | None = None,
    ) -> None:
        self.reference = reference
        self.support = support
        self.year = year or dt.date.today().year
        self.refresh_seconds = refresh_seconds
        self.retention_weights = retention_weights
        self._lock = threading.Lock()
        self._built: BuiltIndex | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self._hh_fingerprint: tuple[Any, ...] | None = None
        self._checked = 0.0
        self._config: ScoringConfig | None = None

    @property
    def config(self) -> ScoringConfig:
        """The configuration the index was last built with (the retention component as the
        programme version's weight and the active model had it then)."""
        if self._config is None:
            self._config = default_config(
                None, self.year, reference=self.reference, support=self.support
            )
        return self._config

    def _scoring_config(self, session: Session) -> ScoringConfig:
        base = default_config(None, self.year, reference=self.reference, support=self.support)
        return retention.with_active_model(session, base, self.retention_weights)

    def index(self, session: Session) -> MatchIndex:
        """The index, rebuilt first if the catalogue changed since it was built."""
        return self.built(session).index

    def built(self, session: Session) -> BuiltIndex:
        """The index with its display columns, rebuilt first if the catalogue changed."""
        now = time.monotonic()
        built = self._built
        if built is not None and now - self._checked < self.refresh_seconds:
            return built
        with self._lock:
            fingerprint = (*catalogue_fingerprint(session), retention.active_version(session))
            self._checked = time.monotonic()
            if self._built is None or fingerprint != self._fingerprint:
                self._config = self._scoring_config(session)
                cat = load_catalogue(session, self.reference)
                index = MatchIndex(
                    cat.vacancies,
                    cat.homes,
                    cat.localities,
                    network=cat.network,
                    config=self.config,
                )
                display = CatalogueDisplay.load(session, index, self.reference)
                self._built = BuiltIndex(index, display)
                self._fingerprint = fingerprint
                self._hh_fingerprint = None
                # Rebuilt only when the catalogue changes: its objects out of the GC's walk.
                freeze_long_lived()
            return self._built

    def index_with_households(self, session: Session) -> MatchIndex:
        """The index with every active household registered (for ranking households)."""
        index = self.index(session)
        with self._lock:
            fingerprint = households_fingerprint(session)
            if self._hh_fingerprint != fingerprint or index.households is None:
                frames = load_households(session)
                index.set_households(
                    HouseholdFrame.from_frames(
                        frames.households, frames.members, frames.experience, space=index.space
                    )
                )
                self._hh_fingerprint = fingerprint
        return index

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0
            self._fingerprint = None


# What other features use of this one (they import nothing else from it).
__all__ = [
    "ACTIVE_HOUSEHOLD_STATUSES",
    "BuiltIndex",
    "CandidatesOut",
    "RankedAnswer",
    "MatchesOut",
    "MatchService",
    "OptionOut",
    "VacancyRef",
    "household_localities",
    "household_matches",
    "load_catalogue",
    "load_households",
    "locality_answer",
    "match_service",
    "vacancy_candidates",
]


def match_service(request: Request) -> MatchService:
    """The process's match index holder (built by the app factory)."""
    svc: MatchService = request.app.state.matching
    return svc
