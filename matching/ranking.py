"""Ranked matches: top options and localities for a household, top households for a vacancy.

:class:`MatchIndex` is built once from vacancies, homes and localities (polars frames or a
generated :class:`~matching.synthetic.programme.Programme`); queries generate candidates through
:class:`~matching.candidates.CandidateIndex` and score them with the vectorized scorer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.candidates import WAGE_CAP, CandidateIndex, sorted_unique
from matching.domain import HOME_KINDS, Household, Option, Vacancy
from matching.ordering import lex_order
from matching.scoring.components import Evaluation, could_be_feasible, evaluate, slot_fit
from matching.scoring.features import (
    EARNER_SLOTS,
    REGION_CODES,
    Catalogue,
    HouseholdFrame,
    vacancies_frame,
)
from matching.scoring.scorer import Scorer, ScoreResult, explain
from matching.scoring.similarity import OccupationSpace, SimilarityFn, isco_unit
from matching.scoring.weights import ScoringConfig

IntArray = npt.NDArray[np.int64]

OPTION_FRAME_COLUMNS = (
    "household_id", "option_id", "locality_id", "region_code", "home_id", "vacancy_id",
    "second_vacancy_id", "score", "persons", "children_0_5", "children_6_17",
)  # fmt: skip


def known_occupation_codes(space: OccupationSpace) -> list[str]:
    """Taxonomy occupation codes and their ISCO unit groups, when the taxonomy's similarity
    is in use (other similarities get no pre-registration)."""
    if getattr(space.similarity, "__module__", "") != "taxonomy.similarity":
        return []
    try:
        from taxonomy import load_taxonomy
    except ImportError:
        return []
    codes = [str(getattr(o, "code", o)) for o in load_taxonomy().occupations]
    return codes + sorted({isco_unit(c) for c in codes})


@dataclass(frozen=True)
class OptionRows:
    """Ranked options as rows of the index's arrays, best first (row ``i`` of the frame)."""

    households: HouseholdFrame
    household: IntArray  # rows of ``households``
    locality: IntArray
    home: IntArray
    vacancy: IntArray
    second_vacancy: IntArray  # -1: no second job
    score: npt.NDArray[np.float64]
    support_tenge: IntArray | None = None  # best localities: relocation and rent support

    def __len__(self) -> int:
        return len(self.household)


@dataclass(frozen=True)
class RankedOptions:
    """Ranked options of one household with the breakdowns of the best few.

    ``explained[i]`` is the breakdown of ``frame`` row ``i``, taken from the same
    evaluation that ranked the options (nothing is scored twice). ``rows`` are the same
    options as index rows; the frame is built from them on first use (an answer that reads
    ``rows`` never builds it).
    """

    rows: OptionRows
    explained: list[ScoreResult]
    frame_of: Callable[[OptionRows], pl.DataFrame] = field(repr=False, compare=False)

    @cached_property
    def frame(self) -> pl.DataFrame:
        return self.frame_of(self.rows)


def option_id(household_id: str, vacancy_id: str, home_id: str, second: str | None) -> str:
    """Stable id of an option: ``household|vacancy|home``, then ``|second vacancy`` if any.

    No trailing separator when there is no second vacancy: ``"1|425|155|"`` read as
    ``1 425 155`` wherever the bars are dropped (a Markdown table, a spreadsheet column).
    """
    base = f"{household_id}|{vacancy_id}|{home_id}"
    return f"{base}|{second}" if second else base


def parse_option_id(value: str) -> tuple[str, Option]:
    """Inverse of :func:`option_id` (the locality is filled in by the index).

    Also reads the earlier form with an empty fourth part (``"1|425|155|"``).
    """
    household_id, vacancy_id, home_id, *rest = value.split("|")
    if len(rest) > 1:
        raise ValueError(f"not an option id: {value!r}")
    second = rest[0] if rest else ""
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
        prune_profiles: bool = True,
    ) -> None:
        self.space = space or OccupationSpace(similarity)
        # Registering every known occupation up front means a household with an unseen
        # code does not force the index to regroup in the middle of a query.
        self.space.add(known_occupation_codes(self.space))
        self.config = config or ScoringConfig()
        self.catalogue = Catalogue.build(
            vacancies, homes, localities, space=self.space, network=network
        )
        self.scorer = Scorer(self.catalogue, self.space, self.config)
        self.candidates = CandidateIndex(
            self.catalogue,
            self.space,
            self.config,
            homes_per_locality=homes_per_locality,
            vacancies_per_locality=vacancies_per_locality,
            prune_profiles=prune_profiles,
        )
        self.households: HouseholdFrame | None = None
        self.vacancies_per_locality = vacancies_per_locality
        # Ids of the catalogue rows (what the frames and answers show).
        self.vacancy_ids = self.catalogue.vacancies["vacancy_id"].to_numpy()
        self.home_ids = self.catalogue.homes["home_id"].to_numpy()
        self.locality_ids = self.catalogue.localities["locality_id"].to_numpy()
        # Position of each vacancy id in string order: localities break score ties by it.
        self._vacancy_id_rank = np.empty(len(self.vacancy_ids), dtype=np.int64)
        self._vacancy_id_rank[np.argsort(self.vacancy_ids.astype(str), kind="stable")] = (
            np.arange(len(self.vacancy_ids))
        )
        self._loc_region = np.array(
            [REGION_CODES[r] if r >= 0 else "" for r in self.catalogue.l_region], dtype=object
        )

    @classmethod
    def from_programme(cls, programme: Any, **kwargs: Any) -> MatchIndex:
        """Index a generated :class:`~matching.synthetic.programme.Programme` and register its households."""
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

    def _batch(
        self, hf: HouseholdFrame, rows: IntArray
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, Evaluation]:
        """Every candidate option of the households ``rows``, evaluated in one pass (none for a
        household that fails a gate no option changes).

        Within one (household, locality), options differ by the job only through occupation
        fit and wage, so only the ``vacancies_per_locality`` best-fitting qualifying posts
        are crossed with the locality's best homes. Returns (household row, locality row,
        home row, vacancy row, second vacancy row, evaluation).
        """
        cat = self.catalogue
        cand = self.candidates
        n_loc = len(cat.l_region)
        empty = np.zeros(0, dtype=np.int64)
        # A household that fails a gate no option changes has no feasible option: none is
        # generated for it (the ranking keeps feasible options only).
        rows = rows[could_be_feasible(hf, rows, self.config)]
        ph, pv = cand.primary_pairs(hf, rows)
        if len(ph):
            fit, _, qualifies = slot_fit(hf, cat, self.space, ph, pv, self.config)
            ok = qualifies.any(axis=1)
            ph, pv, fit, qualifies = ph[ok], pv[ok], fit[ok], qualifies[ok]
        if len(ph) == 0:
            ev = self._evaluate(hf, empty, empty, empty, empty, empty)
            return empty, empty, empty, empty, empty, ev
        # The scorer's primary-member rule: the best qualifying earner slot.
        ranked = np.where(qualifies, fit + 2.0, fit)
        slot = ranked.argmax(axis=1)
        best_fit = fit[np.arange(len(ph)), slot]
        primary = hf.slot_member[ph, slot]
        pl_ = cat.v_loc[pv]
        pre = best_fit + 0.1 * np.minimum(cat.v_wage[pv], WAGE_CAP) / WAGE_CAP
        order = lex_order((pv, -pre, pl_, ph))
        ph, pv, pl_, primary = ph[order], pv[order], pl_[order], primary[order]
        gkey = ph * n_loc + pl_
        keep = (np.arange(len(gkey)) - np.searchsorted(gkey, gkey, side="left")) < (
            self.vacancies_per_locality
        )
        ph, pv, pl_, primary, gkey = ph[keep], pv[keep], pl_[keep], primary[keep], gkey[keep]

        owner, home = cand.homes_for(hf, ph, pl_)
        oh, ov, ol, op, og = ph[owner], pv[owner], pl_[owner], primary[owner], gkey[owner]
        v2 = self._second_jobs(hf, rows, og, ov, op)
        ev = self._evaluate(hf, oh, ol, home, ov, v2)
        return oh, ol, home, ov, v2, ev

    def _second_jobs(
        self, hf: HouseholdFrame, rows: IntArray, gkey: IntArray, vrow: IntArray, primary: IntArray
    ) -> IntArray:
        """Best second post per option: another member, same locality, another post."""
        out = np.full(len(gkey), -1, dtype=np.int64)
        if len(gkey) == 0:
            return out
        g, m, v, f = self.candidates.second_entries(hf, rows, sorted_unique(gkey))
        if len(g) == 0:
            return out
        start = np.searchsorted(g, gkey, side="left")
        end = np.searchsorted(g, gkey, side="right")
        best = np.full(len(gkey), -1.0)
        # Entries per (household, locality): at most two per earner slot member.
        for j in range(2 * EARNER_SLOTS):
            pos = start + j
            valid = pos < end
            pos = np.minimum(pos, len(g) - 1)
            better = valid & (m[pos] != primary) & (v[pos] != vrow) & (f[pos] > best)
            out = np.where(better, v[pos], out)
            best = np.where(better, f[pos], best)
        return out

    def _top(
        self, hf: HouseholdFrame, rows: IntArray, top: int | None, per_locality: int | None = None
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, npt.NDArray[np.float64]]:
        """The ``top`` feasible options per household, best first (ties on vacancy, home)."""
        h, lrow, home, v, v2, ev, order = self._top_evaluated(hf, rows, top, per_locality)
        return h[order], lrow[order], home[order], v[order], v2[order], ev.total[order]

    def _top_evaluated(
        self, hf: HouseholdFrame, rows: IntArray, top: int | None, per_locality: int | None = None
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, Evaluation, IntArray]:
        """Every evaluated candidate option and the positions of the ``top`` feasible ones
        per household, best first: (household row, locality row, home row, vacancy row,
        second vacancy row, evaluation, order). With ``per_locality``, at most that many of
        a household's options lie in one locality."""
        h, lrow, home, v, v2, ev = self._batch(hf, rows)
        keep = np.flatnonzero(ev.feasible)
        if per_locality is not None and len(keep):
            # Rank within (household, locality) by score; keep the best few of each.
            by_loc = keep[lex_order((home[keep], v[keep], -ev.total[keep], lrow[keep], h[keep]))]
            key = h[by_loc] * (int(lrow.max()) + 1) + lrow[by_loc]
            rank = np.arange(len(key)) - np.searchsorted(key, key, side="left")
            keep = by_loc[rank < per_locality]
        order = keep[lex_order((home[keep], v[keep], -ev.total[keep], h[keep]))]
        if top is not None:
            hs = h[order]
            rank = np.arange(len(hs)) - np.searchsorted(hs, hs, side="left")
            order = order[rank < top]
        return h, lrow, home, v, v2, ev, order

    def _frame(
        self, hf: HouseholdFrame, h: IntArray, lrow: IntArray, home: IntArray, v: IntArray,
        v2: IntArray, score: npt.NDArray[np.float64],
    ) -> pl.DataFrame:  # fmt: skip
        # Built from numpy object arrays in one DataFrame call: a request ranks a few dozen
        # options, where polars expression overhead (when/then, concat_str) dominated.
        all_ids = hf.ids
        household = np.array([all_ids[i] for i in h.tolist()], dtype=object)
        vacancy = self.vacancy_ids[v]
        home_id = self.home_ids[home]
        has_second = v2 >= 0
        second = self.vacancy_ids[np.maximum(v2, 0)]
        second_key = np.where(has_second, np.char.add("|", second.astype(str)), "").astype(object)
        second[~has_second] = None
        option = household + "|" + vacancy + "|" + home_id + second_key
        return pl.DataFrame(
            {
                "household_id": household.tolist(),
                "option_id": option.tolist(),
                "locality_id": self.locality_ids[lrow].tolist(),
                "region_code": self._loc_region[lrow].tolist(),
                "home_id": home_id.tolist(),
                "vacancy_id": vacancy.tolist(),
                "second_vacancy_id": second.tolist(),
                "score": np.asarray(score, dtype=np.float64),
                "persons": hf.persons[h].astype(np.int64),
                "children_0_5": hf.children_0_5[h].astype(np.int64),
                "children_6_17": hf.children_6_17[h].astype(np.int64),
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

    def _household_options(
        self, household: Household | str, top: int | None
    ) -> tuple[OptionRows, Evaluation, IntArray]:
        """One household's ``top`` options as index rows, with the evaluation that ranked
        them and the evaluation positions of those rows."""
        hf, row = self._resolve(household)
        h, lrow, home, v, v2, ev, order = self._top_evaluated(
            hf, np.array([row], dtype=np.int64), top
        )
        rows = OptionRows(hf, h[order], lrow[order], home[order], v[order], v2[order], ev.total[order])
        return rows, ev, order

    def _options_frame(self, rows: OptionRows) -> pl.DataFrame:
        """The frame of ranked options (:data:`OPTION_FRAME_COLUMNS`)."""
        return self._frame(
            rows.households, rows.household, rows.locality, rows.home, rows.vacancy,
            rows.second_vacancy, rows.score,
        )  # fmt: skip

    def _localities_frame(self, rows: OptionRows) -> pl.DataFrame:
        """The frame of best localities: the options' columns, the settlement type and the
        support in tenge."""
        frame = self._options_frame(rows)
        settlement = self.catalogue.localities["settlement_type"].to_numpy()[rows.locality]
        support = rows.support_tenge if rows.support_tenge is not None else np.zeros(0)
        return frame.with_columns(
            pl.Series("settlement_type", settlement.tolist(), dtype=pl.Utf8),
            pl.Series("support_tenge", support, dtype=pl.Int64),
        )

    def matches_for_household(self, household: Household | str, top: int = 20) -> pl.DataFrame:
        """The ``top`` feasible options (vacancy + home + locality) for a household, best first.

        Returns a frame with :data:`OPTION_FRAME_COLUMNS`.
        """
        return self.ranked_matches(household, top=top).frame

    def ranked_matches(
        self, household: Household | str, top: int = 20, *, explain: int = 0
    ) -> RankedOptions:
        """:meth:`matches_for_household` with the breakdowns of the best ``explain`` options.

        The household is turned into arrays once and the breakdowns come from the
        evaluation that ranked the options, so explaining costs no second evaluation.
        """
        rows, ev, order = self._household_options(household, top)
        return RankedOptions(rows, _explain_rows(ev, order[:explain]), self._options_frame)

    def localities_for_household(
        self, household: Household | str, top: int = 10, *, support: Any | None = None
    ) -> pl.DataFrame:
        """Best option per locality, best ``top`` localities, with the support package.

        ``support_tenge`` is the relocation subsidy plus 12 months of rent support for the
        household (from :mod:`matching.programme.support`); ``support`` are loaded parameters.
        """
        return self.ranked_localities(household, top=top, support=support).frame

    def ranked_localities(
        self, household: Household | str, top: int = 10, *, explain: int = 0,
        support: Any | None = None,
    ) -> RankedOptions:  # fmt: skip
        """:meth:`localities_for_household` with the breakdowns of the best ``explain``
        localities' options, from the evaluation that ranked them."""
        from matching.programme.support import load_support_parameters, relocation_and_rent_tenge

        every, ev, order = self._household_options(household, None)
        # Best first by score, then vacancy id (as text); the first option of each locality.
        by_score = lex_order(
            (np.arange(len(every)), self._vacancy_id_rank[every.vacancy], -every.score)
        )
        _, first = np.unique(every.locality[by_score], return_index=True)
        best = by_score[np.sort(first)][:top]
        explained = _explain_rows(ev, order[best[:explain]])
        persons = every.households.persons[every.household[best]]
        amounts = (
            relocation_and_rent_tenge(
                support if support is not None else load_support_parameters(),
                persons,
                self.catalogue.l_urban[every.locality[best]],
                self.config.year,
                self.config.programme_version,
            )
            if len(best)
            else np.zeros(0, dtype=np.int64)
        )
        rows = OptionRows(
            every.households, every.household[best], every.locality[best], every.home[best],
            every.vacancy[best], every.second_vacancy[best], every.score[best],
            amounts.astype(np.int64),
        )  # fmt: skip
        return RankedOptions(rows, explained, self._localities_frame)

    def support_for_option(
        self, household: Household | str, option_id_: str, *, support: Any | None = None
    ) -> Any:
        """Itemized :class:`matching.programme.support.SupportPackage` for one option.

        Relocation and rent support for the household, the housing certificate when the
        home is bought, and the employer's hiring subsidy for each programme job.
        """
        from matching.programme.support import estimate_support, load_support_parameters

        hf, row = self._resolve(household)
        _, parsed = parse_option_id(option_id_)
        cat = self.catalogue
        home = cat.h_row[parsed.home_id]
        lrow = int(cat.h_loc[home])
        kind = int(cat.h_kind[home])
        buying = HOME_KINDS[kind] in ("for_sale", "built_for_migrants") and cat.h_price[home] > 0
        return estimate_support(
            support if support is not None else load_support_parameters(),
            household_size=int(hf.persons[row]),
            is_urban=bool(cat.l_urban[lrow]),
            year=self.config.year,
            programme_version=self.config.programme_version,
            hired_members=1 + (parsed.second_vacancy_id is not None),
            employer_provides_housing=HOME_KINDS[kind] == "employer_flat",
            employment_permanent=bool(cat.v_permanent[cat.v_row[parsed.vacancy_id]]),
            home_price_tenge=int(cat.h_price[home]) if buying else None,
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
            return self._vacancy_frame(hf, hh[:0], homes[:0], vrow, np.zeros(0))
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
        keep = keep[lex_order((hh[keep], -ev.total[keep]))][:top]
        return self._vacancy_frame(hf, hh[keep], home[keep], vrow, ev.total[keep])

    def _vacancy_frame(
        self, hf: HouseholdFrame, hh: IntArray, home: IntArray, vrow: int,
        score: npt.NDArray[np.float64],
    ) -> pl.DataFrame:  # fmt: skip
        n = len(hh)
        lrow = np.full(n, self.catalogue.v_loc[vrow], dtype=np.int64)
        v = np.full(n, vrow, dtype=np.int64)
        return self._frame(hf, hh, lrow, home, v, np.full(n, -1, dtype=np.int64), score)

    # ------------------------------------------------------------------ allocator feed

    def options_for_households(
        self,
        household_ids: Iterable[str] | None = None,
        *,
        top_per_household: int = 20,
        batch_size: int = 256,
        per_locality: int | None = None,
    ) -> pl.DataFrame:
        """Feasible options of many registered households in one frame (allocator input).

        Columns :data:`OPTION_FRAME_COLUMNS`; households are processed ``batch_size`` at a
        time, each batch generated and scored in one vectorized pass. The options of a
        household are exactly those :meth:`matches_for_household` returns, unless
        ``per_locality`` caps how many of them one locality may hold (a back-test spreads a
        household's options over more localities so that households do not all compete for
        the same few homes).
        """
        if self.households is None:
            raise ValueError("register households with set_households() first")
        hf = self.households
        ids = hf.ids if household_ids is None else list(household_ids)
        rows = hf.rows(ids)
        frames = [
            self._frame(
                hf, *self._top(hf, rows[i : i + batch_size], top_per_household, per_locality)
            )
            for i in range(0, len(rows), batch_size)
        ]
        if not frames:
            return self._frame(hf, *self._top(hf, rows, top_per_household, per_locality))
        return pl.concat(frames, how="vertical")


def _explain_rows(ev: Evaluation, rows: IntArray) -> list[ScoreResult]:
    """Breakdowns of the evaluated options ``rows``, in that order."""
    if len(rows) == 0:
        return []
    part = ev.take(np.asarray(rows, dtype=np.int64))
    return [explain(part, i) for i in range(len(rows))]


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


__all__ = [
    "OPTION_FRAME_COLUMNS",
    "MatchIndex",
    "OptionRows",
    "RankedOptions",
    "build_index_from_objects",
    "explain",
    "option_id",
]
