"""The taxonomy feature's service: one taxonomy per process, and occupation codes for vacancies.

Loading the tables and building the n-gram indexes takes a few seconds; doing it on a
background thread keeps start-up instant, and the first request that needs it waits for it.
scikit-learn behind the normalizer takes seconds to import, so the taxonomy is imported only
when it is first built: importing this module (as vacancies, imports and scenarios do) is cheap.

Occupation codes for vacancies are the code the client gave, or the title normalized. Inside
the app the resolver uses the taxonomy service (``app.state.taxonomy``), elsewhere (CLI,
benchmarks) it builds the taxonomy once per process; it is kept on ``state.occupations``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from api.core.heap import freeze_long_lived
from api.taxonomy.corrections import Author, learn_from_pick
from matching.text import Text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from taxonomy import Normalizer, Taxonomy

UNKNOWN_CODE = Text(
    kk="«{code}» мамандық коды таксономияда жоқ",
    ru="кода профессии «{code}» нет в таксономии",
    en="occupation code '{code}' is not in the taxonomy",
)
UNCLASSIFIED_TITLE = Text(
    kk="«{title}» атауы бойынша мамандықты анықтау мүмкін болмады; occupation кодын көрсетіңіз",
    ru="по названию «{title}» не удалось определить профессию; укажите код occupation",
    en="no occupation could be recognised in the title '{title}'; give an occupation code",
)

__all__ = [
    "Author",
    "OccupationResolver",
    "Suggestion",
    "TaxonomyService",
    "best_code",
    "label_of",
    "learn_from_pick",
    "occupation_error_text",
    "occupation_resolver",
    "suggest",
]

_lock = threading.Lock()
_shared: dict[str, OccupationResolver] = {}


@dataclass(frozen=True)
class OccupationResolver:
    taxonomy: Taxonomy
    normalizer: Normalizer

    def resolve(self, codes: pl.Series, titles: pl.Series) -> pl.DataFrame:
        """Occupation, ISCO unit group, score and error per row (vectorized over titles).

        Rows with a code keep it (score null); rows without one take the normalizer's best
        code for the title (score in [0, 1]). ``error`` holds an English-keyed reason marker
        (``unknown_code`` or ``unclassified``) and is null on success.
        """
        codes = codes.cast(pl.Utf8).str.strip_chars().replace("", None)
        given = codes.is_not_null()
        unique_codes = codes.drop_nulls().unique().to_list()
        isco_of: dict[str, str] = {}
        for code in unique_codes:
            try:
                isco_of[code] = self.taxonomy.isco_of(code)
            except KeyError:
                pass
        need_title = titles.filter(~given)
        normalized = self.normalizer.normalize_batch(need_title) if len(need_title) else None
        frame = pl.DataFrame({"code": codes, "given": given})
        frame = frame.with_columns(
            pl.col("code").replace_strict(isco_of, default=None, return_dtype=pl.Utf8).alias("isco")
        )
        occupation = frame["code"].to_list()
        isco = frame["isco"].to_list()
        score: list[float | None] = [None] * len(frame)
        error: list[str | None] = [None if i is not None else "unknown_code" for i in isco]
        if normalized is not None:
            positions = frame.with_row_index("i").filter(~pl.col("given"))["i"].to_list()
            for pos, code, group, s in zip(
                positions,
                normalized["code"].to_list(),
                normalized["isco"].to_list(),
                normalized["score"].to_list(),
                strict=True,
            ):
                if code:
                    occupation[pos], isco[pos], score[pos], error[pos] = code, group, s, None
                else:
                    error[pos] = "unclassified"
        return pl.DataFrame(
            {"occupation": occupation, "isco": isco, "occupation_score": score, "error": error},
            schema={
                "occupation": pl.Utf8,
                "isco": pl.Utf8,
                "occupation_score": pl.Float64,
                "error": pl.Utf8,
            },
        )

    def resolve_one(self, code: str | None, title: str) -> dict[str, Any]:
        return self.resolve(pl.Series([code], dtype=pl.Utf8), pl.Series([title])).row(0, named=True)


def occupation_resolver(
    state: Any, taxonomy_dir: Path | None = None, session: Session | None = None
) -> OccupationResolver:
    """The resolver of ``state`` (an ``app.state``): the app's taxonomy service, with the
    approved corrections (checked against ``session`` when given), or one built on first use.
    """
    service = getattr(state, "taxonomy", None)
    if service is not None:
        if session is not None:
            service.refresh(session)
        # The app's taxonomy service: its current normalizer (with the approved
        # corrections), shared with /taxonomy; not kept, as it changes on approval.
        return OccupationResolver(service.taxonomy, service.normalizer)
    resolver: OccupationResolver | None = getattr(state, "occupations", None)
    if resolver is None:
        key = str(taxonomy_dir or "")
        with _lock:
            if key not in _shared:
                from taxonomy import Normalizer, default_taxonomy, load_taxonomy

                taxonomy = load_taxonomy(taxonomy_dir) if taxonomy_dir else default_taxonomy()
                _shared[key] = OccupationResolver(taxonomy, Normalizer(taxonomy))
            resolver = _shared[key]
        state.occupations = resolver
    return resolver


def occupation_error_text(error: str, code: str | None, title: str) -> Text:
    if error == "unknown_code":
        return UNKNOWN_CODE.format(code=code or "")
    return UNCLASSIFIED_TITLE.format(title=title)


@dataclass(frozen=True)
class _Loaded:
    """One taxonomy with its normalizer and the skill keys of its substring search."""

    taxonomy: Taxonomy
    normalizer: Normalizer
    skill_keys: list[tuple[str, str]]


def _loaded(normalizer: Normalizer) -> _Loaded:
    from taxonomy.textnorm import comparison_key

    normalizer.index("occupation")
    normalizer.index("skill")
    taxonomy = normalizer.taxonomy
    keys = [(a.code, comparison_key(a.alias, "skill")) for a in taxonomy.skill_aliases]
    return _Loaded(taxonomy, normalizer, keys)


class TaxonomyService:
    """The taxonomy of the tables, plus the clerks' corrections an admin approved.

    ``taxonomy``, ``normalizer`` and ``skill_keys`` are those of the tables with every
    approved correction as an alias. :meth:`refresh` (called by the routes and pages that
    normalize, with their session) compares a cheap fingerprint of the approved
    corrections with the one the aliases were built from, at most every
    ``refresh_seconds`` (always when ``force``); when it changed, a normalizer with the
    approved aliases is built from the tables' one (``Normalizer.with_extra_aliases``)
    and swapped in: no restart, and requests meanwhile keep the previous one.
    """

    def __init__(
        self, data_dir: Path, esco_dir: Path | None = None, *, refresh_seconds: float = 5.0
    ) -> None:
        self._data_dir = data_dir
        self._esco_dir = esco_dir
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._base: _Loaded | None = None
        self._current: _Loaded | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self._checked = -float("inf")

    def _build(self) -> _Loaded:
        from taxonomy import Normalizer, load_taxonomy

        with self._lock:
            if self._base is None:
                taxonomy = load_taxonomy(self._data_dir, esco_dir=self._esco_dir)
                self._base = _loaded(Normalizer(taxonomy))
                # Its tables are read-only from now on: out of the collector's walk.
                freeze_long_lived()
            return self._base

    def _state(self) -> _Loaded:
        current = self._current
        return current if current is not None else self._build()

    @property
    def taxonomy(self) -> Taxonomy:
        return self._state().taxonomy

    @property
    def normalizer(self) -> Normalizer:
        return self._state().normalizer

    @property
    def skill_keys(self) -> list[tuple[str, str]]:
        """(code, comparison key) of every skill alias, for substring search."""
        return self._state().skill_keys

    @property
    def base_normalizer(self) -> Normalizer:
        """The normalizer of the tables alone (what a correction is compared with)."""
        return self._build().normalizer

    def refresh(self, session: Session, *, force: bool = False) -> None:
        """Rebuild the aliases if the set of approved corrections changed (see the class)."""
        from api.taxonomy.corrections import approved_aliases, approved_fingerprint

        if not force and time.monotonic() - self._checked < self.refresh_seconds:
            return
        with self._refresh_lock:
            fingerprint = approved_fingerprint(session)
            self._checked = time.monotonic()
            if fingerprint == self._fingerprint and self._current is not None:
                return
            base = self._build()
            occupation, skill = approved_aliases(session)
            if occupation or skill:
                learnt = base.normalizer.with_extra_aliases(occupation, skill)
                self._current = _loaded(learnt)
                freeze_long_lived()
            else:
                self._current = base
            self._fingerprint = fingerprint

    def fresh(self) -> TaxonomyService:
        """Another service over the same loaded tables, no correction applied yet (tests)."""
        other = TaxonomyService(
            self._data_dir, self._esco_dir, refresh_seconds=self.refresh_seconds
        )
        other._base = self._build()
        return other

    def warm_up_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self._build, name="taxonomy-warm-up", daemon=True)
        thread.start()
        return thread


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete answer: the normalized code, its ISCO group (skills: none), its title."""

    code: str
    isco: str
    label: str


def suggest(svc: TaxonomyService, q: str, kind: str, lang: str, limit: int = 8) -> list[Suggestion]:
    """Codes for what someone is typing: word starts first, then the normalizer's guesses.

    Word starts find "сварщ" → welder as one types; the normalizer (fuzzy, n-grams) keeps a
    misspelt or half-Kazakh title ("электросваршик", "muğalım") from finding nothing.
    """
    from taxonomy.textnorm import comparison_key

    text = q.strip()[:100]
    if not text:
        return []
    taxonomy = svc.taxonomy
    found: dict[str, str] = {}  # code -> ISCO group, best first
    if kind == "occupation":
        for occ in taxonomy.search_occupations(text, lang=lang, limit=limit):
            found[occ.code] = occ.isco
    else:
        key = comparison_key(text, "skill")
        for code in sorted({c for c, alias in svc.skill_keys if key and key in alias})[:limit]:
            found[code] = ""
    if len(found) < limit:
        result = svc.normalizer.normalize(text, kind=kind, top_k=limit, lang=lang)  # type: ignore[arg-type]
        # When it abstains, its suggestions (best guesses of distinct groups) still help
        # a clerk who misspelt the title to pick.
        for c in result.candidates or result.suggestions:
            found.setdefault(c.code, c.isco if kind == "occupation" else "")
    return [
        Suggestion(code, isco, taxonomy.label(code, lang))
        for code, isco in list(found.items())[:limit]
    ]


def best_code(svc: TaxonomyService, title: str, kind: str, lang: str) -> Suggestion | None:
    """The code a typed title normalizes to (what a form stores when no suggestion was picked)."""
    result = svc.normalizer.normalize(title, kind=kind, top_k=1, lang=lang)  # type: ignore[arg-type]
    best = result.best
    if best is None:
        return None
    return Suggestion(best.code, best.isco if kind == "occupation" else "", best.label)


def label_of(svc: TaxonomyService, code: str, lang: str) -> str | None:
    """The title of a stored code in ``lang`` (None for a code the taxonomy does not know)."""
    taxonomy = svc.taxonomy
    if code in taxonomy.occupations or code in taxonomy.skills or code in taxonomy.groups:
        return taxonomy.label(code, lang)
    return None
