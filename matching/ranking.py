"""Ranked matches: top options and localities for a household, top households for a vacancy.

:class:`MatchIndex` is built once from vacancies, homes and localities (polars frames or a
generated :class:`~matching.generator.Programme`); queries generate candidates through
:class:`~matching.candidates.CandidateIndex` and score them with the vectorized scorer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.candidates import CandidateIndex
from matching.domain import Household, Option, Vacancy
from matching.scoring.components import Evaluation, evaluate, slot_fit
from matching.scoring.features import REGION_CODES, Catalogue, HouseholdFrame, vacancies_frame
from matching.scoring.scorer import Scorer, ScoreResult, explain
from matching.scoring.similarity import OccupationSpace, SimilarityFn
from matching.scoring.weights import ScoringConfig

IntArray = npt.NDArray[np.int64]

OPTION_FRAME_COLUMNS = (
    "household_id", "option_id", "locality_id", "region_code", "home_id", "vacancy_id",
    "second_vacancy_id", "score", "persons", "children_0_5", "children_6_17",
)  # fmt: skip


def option_id(household_id: str, vacancy_id: str, home_id: str, second: str | None) -> str:
    """Stable id of an option: household|vacancy|home|second vacancy."""
    return f"{household_id}|{vacancy_id}|{home_id}|{second or ''}"


def parse_option_id(value: str) -> tuple[str, Option]:
    """Inverse of :func:`option_id` (the locality is filled in by the index)."""
    household_id, vacancy_id, home_id, second = value.split("|")
    return household_id, Option("", home_id, vacancy_id, second or None)


class MatchIndex:
    """Vacancies, homes and localities indexed for ranked matching.

    Parameters
    ----------
    vacancies, homes, localities
        Frames with the schemas of :mod:`matching.scoring.features`.
    network
        Earlier movers: origin_region, locality_id, movers.
    config
        Scoring configuration (default :class:`ScoringConfig`).
    similarity
        Occupation similarity (default: the taxonomy's, else ISCO prefixes).
    households
        A household frame for :meth:`candidates_for_vacancy` and id-based queries.
    """

    def __init__(
        self,
        vacancies: pl.DataFrame,
        homes: pl.DataFrame,
        localities: pl.DataFrame,
        *,
        network: pl.DataFrame | None = None,
        config: ScoringConfig | None = None,
        similarity: SimilarityFn | None = None,
        space: OccupationSpace | None = None,
        homes_per_locality: int = 2,
        vacancies_per_locality: int = 4,
    ) -> None:
        self.space = space or OccupationSpace(similarity)
        self.config = config or ScoringConfig()
        self.catalogue = Catalogue.build(
            vacancies, homes, localities, space=self.space, network=network
        )
        self.scorer = Scorer(self.catalogue, self.space, self.config)
        self.candidates = CandidateIndex(
            self.catalogue, self.space, self.config, homes_per_locality=homes_per_locality
        )
        self.households: HouseholdFrame | None = None
        self.vacancies_per_locality = vacancies_per_locality
        self._vacancy_ids = self.catalogue.vacancies["vacancy_id"].to_numpy()
        self._home_ids = self.catalogue.homes["home_id"].to_numpy()
        self._locality_ids = self.catalogue.localities["locality_id"].to_numpy()
        self._loc_region = np.array(
            [REGION_CODES[r] if r >= 0 else "" for r in self.catalogue.l_region], dtype=object
        )

    @classmethod
    def from_programme(cls, programme: Any, **kwargs: Any) -> MatchIndex:
        """Index a generated :class:`~matching.generator.Programme` and register its households."""
        index = cls(
            programme.vacancies, programme.homes, programme.localities,
            network=programme.network, **kwargs,
        )  # fmt: skip
        index.set_households(
            HouseholdFrame.from_frames(
                programme.households, programme.members, programme.experience, space=index.space
            )
        )
        return index

    # ------------------------------------------------------------------ state

    def set_households(self, households: HouseholdFrame) -> None:
        """Register the households that id-based and vacancy queries look at."""
        self.households = households
        self.candidates.sync()

    def household_frame(self, households: Sequence[Household]) -> HouseholdFrame:
        """Households as arrays in this index's occupation space."""
        hf = HouseholdFrame.from_households(households, self.space)
        self.candidates.sync()
        return hf

    def take(self, *, vacancy_ids: Iterable[str] = (), home_ids: Iterable[str] = ()) -> None:
        """Mark vacancies and homes as no longer available (e.g. after a commission decision)."""
        self._set(vacancy_ids, home_ids, False)

    def release(self, *, vacancy_ids: Iterable[str] = (), home_ids: Iterable[str] = ()) -> None:
        """Make vacancies and homes available again (e.g. the household declined)."""
        self._set(vacancy_ids, home_ids, True)

    def _set(self, vacancy_ids: Iterable[str], home_ids: Iterable[str], is_open: bool) -> None:
        cat = self.catalogue
        v = np.array([cat.v_row[x] for x in vacancy_ids], dtype=np.int64)
        h = np.array([cat.h_row[x] for x in home_ids], dtype=np.int64)
        self.candidates.set_open(vacancy_rows=v, home_rows=h, is_open=is_open)

    # ------------------------------------------------------------------ households

    def _resolve(self, household: Household | str) -> tuple[HouseholdFrame, int]:
        if isinstance(household, str):
            if self.households is None or household not in self.households.row_of:
                raise KeyError(f"unknown household {household!r}")
            return self.households, self.households.row_of[household]
        return self.household_frame([household]), 0

    def _evaluate(
        self,
        hf: HouseholdFrame,
        hrow: IntArray,
        lrow: IntArray,
        home: IntArray,
        v: IntArray,
        v2: IntArray,
    ) -> Evaluation:
        return evaluate(hf, self.catalogue, self.space, self.config, hrow, lrow, home, v, v2)

    def _options(
        self, hf: HouseholdFrame, row: int
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, Evaluation]:
        """All candidate options of one household with their evaluation.

        Within one locality, options differ by the job only through occupation fit and
        wage, so only the ``vacancies_per_locality`` best-fitting qualifying vacancies of
        each locality are crossed with its best homes.
        """
        cat = self.catalogue
        cand = self.candidates
        vac = cand.primary_vacancies(hf, row)
        empty = np.zeros(0, dtype=np.int64)
        if len(vac):
            fit, _, qualifies = slot_fit(
                hf, cat, self.space, np.full(len(vac), row, dtype=np.int64), vac, self.config
            )
            ok = qualifies.any(axis=1)
            vac, fit, qualifies = vac[ok], fit[ok], qualifies[ok]
        if len(vac) == 0:
            return empty, empty, empty, empty, self._evaluate(hf, empty, empty, empty, empty, empty)
        # The same primary-member rule as the scorer: best qualifying earner slot.
        ranked = np.where(qualifies, fit + 2.0, fit)
        slot = ranked.argmax(axis=1)
        best_fit = fit[np.arange(len(vac)), slot]
        primary = hf.slot_member[row][slot]
        vloc = cat.v_loc[vac]
        pre = best_fit + 0.1 * np.minimum(cat.v_wage[vac] / 1e6, 1.0)
        order = np.lexsort((vac, -pre, vloc))
        vac, vloc, primary = vac[order], vloc[order], primary[order]
        start = np.searchsorted(vloc, vloc, side="left")
        keep = (np.arange(len(vloc)) - start) < self.vacancies_per_locality
        vac, vloc, primary = vac[keep], vloc[keep], primary[keep]

        homes, hloc = cand.best_homes(hf, row, np.unique(vloc))
        lo = np.searchsorted(hloc, vloc, side="left")
        hi = np.searchsorted(hloc, vloc, side="right")
        counts = hi - lo
        v_rep = np.repeat(vac, counts)
        l_rep = np.repeat(vloc, counts)
        p_rep = np.repeat(primary, counts)
        offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        h_rep = homes[np.repeat(lo, counts) + offs]
        hrow = np.full(len(v_rep), row, dtype=np.int64)
        v2 = np.full(len(v_rep), -1, dtype=np.int64)
        if hf.seekers[row] >= 2 and len(v_rep):
            v2 = self._second_for(hf, row, l_rep, v_rep, p_rep)
        ev = self._evaluate(hf, hrow, l_rep, h_rep, v_rep, v2)
        return l_rep, h_rep, v_rep, v2, ev

    def _second_for(
        self, hf: HouseholdFrame, row: int, lrow: IntArray, vrow: IntArray, primary: IntArray
    ) -> IntArray:
        """Best second vacancy for each option: another member, same locality, another post."""
        loc, mem, vac, fit = self.candidates.second_jobs(hf, row, np.unique(lrow))
        out = np.full(len(lrow), -1, dtype=np.int64)
        best = np.full(len(lrow), -1.0)
        if len(loc) == 0:
            return out
        members = np.unique(mem)
        for m in members:  # at most EARNER_SLOTS members
            sel = mem == m
            m_loc, m_vac, m_fit = loc[sel], vac[sel], fit[sel]
            # Up to two entries per locality, best first; take the first that is not the
            # option's primary vacancy.
            first = np.searchsorted(m_loc, lrow, side="left")
            last = np.searchsorted(m_loc, lrow, side="right")
            for k in (0, 1):
                pos = first + k
                ok = (pos < last) & (primary != m)
                pos = np.minimum(pos, max(len(m_loc) - 1, 0))
                cand_v = np.where(ok, m_vac[pos], -1)
                cand_f = np.where(ok, m_fit[pos], -1.0)
                ok &= (cand_v != vrow) & (cand_f > best)
                out = np.where(ok, cand_v, out)
                best = np.where(ok, cand_f, best)
        return out

    def _frame(
        self, hf: HouseholdFrame, row: int, lrow: IntArray, home: IntArray, v: IntArray,
        v2: IntArray, score: npt.NDArray[np.float64],
    ) -> pl.DataFrame:  # fmt: skip
        hid = hf.ids[row]
        vid, hmid, lid = self._vacancy_ids, self._home_ids, self._locality_ids
        v_ids = vid[v]
        h_ids = hmid[home]
        v2_ids = [vid[x] if x >= 0 else None for x in v2]
        return pl.DataFrame(
            {
                "household_id": [hid] * len(v),
                "option_id": [
                    option_id(hid, a, b, c) for a, b, c in zip(v_ids, h_ids, v2_ids, strict=True)
                ],
                "locality_id": lid[lrow],
                "region_code": self._loc_region[lrow],
                "home_id": h_ids,
                "vacancy_id": v_ids,
                "second_vacancy_id": v2_ids,
                "score": score,
                "persons": np.full(len(v), hf.persons[row], dtype=np.int64),
                "children_0_5": np.full(len(v), hf.children_0_5[row], dtype=np.int64),
                "children_6_17": np.full(len(v), hf.children_6_17[row], dtype=np.int64),
            },
            schema={
                "household_id": pl.Utf8,
                "option_id": pl.Utf8,
                "locality_id": pl.Utf8,
                "region_code": pl.Utf8,
                "home_id": pl.Utf8,
                "vacancy_id": pl.Utf8,
                "second_vacancy_id": pl.Utf8,
                "score": pl.Float64,
                "persons": pl.Int64,
                "children_0_5": pl.Int64,
                "children_6_17": pl.Int64,
            },  # fmt: skip
        )

    def matches_for_household(self, household: Household | str, top: int = 20) -> pl.DataFrame:
        """The ``top`` feasible options (vacancy + home + locality) for a household, best first.

        Returns a frame with :data:`OPTION_FRAME_COLUMNS`.
        """
        hf, row = self._resolve(household)
        lrow, home, v, v2, ev = self._options(hf, row)
        keep = np.flatnonzero(ev.feasible)
        if top is not None and len(keep) > top:
            part = np.argpartition(-ev.total[keep], top - 1)[:top]
            keep = keep[part]
        # Ties break on the vacancy row so that results are deterministic.
        keep = keep[np.lexsort((v[keep], -ev.total[keep]))]
        return self._frame(hf, row, lrow[keep], home[keep], v[keep], v2[keep], ev.total[keep])

    def localities_for_household(
        self, household: Household | str, top: int = 10, *, support: Any | None = None
    ) -> pl.DataFrame:
        """Best option per locality, best ``top`` localities, with the support package.

        ``support_tenge`` is the relocation subsidy plus 12 months of rent support for the
        household (from :mod:`matching.support`); ``support`` are loaded parameters.
        """
        from matching.support import load_support_parameters, relocation_and_rent_tenge

        all_options = self.matches_for_household(household, top=1_000_000)
        best = (
            all_options.sort(["score", "vacancy_id"], descending=[True, False])
            .unique("locality_id", keep="first", maintain_order=True)
            .head(top)
        )
        if best.height == 0:
            return best.with_columns(
                pl.lit(None, dtype=pl.Utf8).alias("settlement_type"),
                pl.lit(None, dtype=pl.Int64).alias("support_tenge"),
            )
        loc = self.catalogue.localities.select("locality_id", "settlement_type", "is_urban")
        best = best.join(loc, on="locality_id", how="left", maintain_order="left")
        params = support if support is not None else load_support_parameters()
        amounts = relocation_and_rent_tenge(
            params,
            best["persons"].to_numpy(),
            best["is_urban"].to_numpy(),
            self.config.year,
            self.config.programme_version,
        )
        return best.with_columns(pl.Series("support_tenge", amounts, dtype=pl.Int64)).drop(
            "is_urban"
        )

    def explain(self, household: Household | str, option: Option | str) -> ScoreResult:
        """Full breakdown of one option (an :class:`Option` or an option id)."""
        hf, row = self._resolve(household)
        if isinstance(option, str):
            _, parsed = parse_option_id(option)
            vrow = self.catalogue.v_row[parsed.vacancy_id]
            lid = self.catalogue.vacancies["locality_id"][vrow]
            option = Option(lid, parsed.home_id, parsed.vacancy_id, parsed.second_vacancy_id)
        return self.scorer.explain_option(hf, hf.ids[row], option)

    # ------------------------------------------------------------------ vacancies

    def candidates_for_vacancy(self, vacancy: Vacancy | str, top: int = 20) -> pl.DataFrame:
        """The ``top`` registered households for a vacancy, each with its best home there."""
        if self.households is None:
            raise ValueError("register households with set_households() first")
        cat = self.catalogue
        if isinstance(vacancy, Vacancy):
            if vacancy.vacancy_id not in cat.v_row:
                raise KeyError(f"vacancy {vacancy.vacancy_id!r} is not indexed; rebuild with it")
            vacancy = vacancy.vacancy_id
        vrow = cat.v_row[vacancy]
        hf = self.households
        hh = self.candidates.households_for_vacancy(hf, vrow)
        lrow = int(cat.v_loc[vrow])
        homes = self.candidates.homes_by_locality.of(np.array([lrow], dtype=np.int64))
        if len(hh) == 0 or len(homes) == 0:
            return self._frame_many(hf, hh[:0], homes[:0], vrow, np.zeros(0))
        # Each household takes the smallest open home that fits it: a cheap proxy that
        # avoids scoring households × homes, then the full score ranks the households.
        cap = cat.h_capacity[homes]
        order = np.argsort(cap, kind="stable")
        homes, cap = homes[order], cap[order]
        pos = np.searchsorted(cap, hf.persons[hh], side="left")
        has_home = pos < len(homes)
        hh, pos = hh[has_home], pos[has_home]
        home = homes[pos]
        n = len(hh)
        ev = self._evaluate(
            hf, hh, np.full(n, lrow, dtype=np.int64), home, np.full(n, vrow, dtype=np.int64),
            np.full(n, -1, dtype=np.int64),
        )  # fmt: skip
        keep = np.flatnonzero(ev.feasible)
        keep = keep[np.lexsort((hh[keep], -ev.total[keep]))][:top]
        return self._frame_many(hf, hh[keep], home[keep], vrow, ev.total[keep])

    def _frame_many(
        self,
        hf: HouseholdFrame,
        hh: IntArray,
        home: IntArray,
        vrow: int,
        score: npt.NDArray[np.float64],
    ) -> pl.DataFrame:
        cat = self.catalogue
        vid = str(cat.vacancies["vacancy_id"][vrow])
        ids = [hf.ids[i] for i in hh]
        h_ids = self._home_ids[home]
        lrow = int(cat.v_loc[vrow])
        return pl.DataFrame(
            {
                "household_id": ids,
                "option_id": [option_id(h, vid, m, None) for h, m in zip(ids, h_ids, strict=True)],
                "locality_id": [cat.localities["locality_id"][lrow]] * len(hh),
                "region_code": [self._loc_region[lrow]] * len(hh),
                "home_id": h_ids,
                "vacancy_id": [vid] * len(hh),
                "second_vacancy_id": [None] * len(hh),
                "score": score,
                "persons": hf.persons[hh],
                "children_0_5": hf.children_0_5[hh],
                "children_6_17": hf.children_6_17[hh],
            },
            schema={
                "household_id": pl.Utf8,
                "option_id": pl.Utf8,
                "locality_id": pl.Utf8,
                "region_code": pl.Utf8,
                "home_id": pl.Utf8,
                "vacancy_id": pl.Utf8,
                "second_vacancy_id": pl.Utf8,
                "score": pl.Float64,
                "persons": pl.Int64,
                "children_0_5": pl.Int64,
                "children_6_17": pl.Int64,
            },  # fmt: skip
        )

    # ------------------------------------------------------------------ allocator feed

    def options_for_households(
        self, household_ids: Iterable[str] | None = None, *, top_per_household: int = 20
    ) -> pl.DataFrame:
        """Feasible options of many registered households in one frame (allocator input).

        Columns :data:`OPTION_FRAME_COLUMNS`; each household's options are scored with the
        vectorized path, one household at a time.
        """
        if self.households is None:
            raise ValueError("register households with set_households() first")
        ids = self.households.ids if household_ids is None else list(household_ids)
        frames = [self.matches_for_household(h, top=top_per_household) for h in ids]
        if not frames:
            return self._frame_many(self.households, np.zeros(0, dtype=np.int64),
                                    np.zeros(0, dtype=np.int64), 0, np.zeros(0))  # fmt: skip
        return pl.concat(frames, how="vertical")


def build_index_from_objects(
    vacancies: Sequence[Vacancy],
    homes: Sequence[Any],
    localities: Sequence[Any],
    **kwargs: Any,
) -> MatchIndex:
    """A :class:`MatchIndex` from domain objects (small data sets, tests, demos)."""
    from matching.scoring.features import homes_frame, localities_frame

    return MatchIndex(
        vacancies_frame(vacancies), homes_frame(homes), localities_frame(localities), **kwargs
    )


__all__ = ["OPTION_FRAME_COLUMNS", "MatchIndex", "build_index_from_objects", "explain", "option_id"]
