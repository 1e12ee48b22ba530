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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from matching.text import Text

if TYPE_CHECKING:
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


def occupation_resolver(state: Any, taxonomy_dir: Path | None = None) -> OccupationResolver:
    """The resolver held on ``state`` (an ``app.state``), built on first use."""
    resolver: OccupationResolver | None = getattr(state, "occupations", None)
    service = getattr(state, "taxonomy", None)
    if resolver is None and service is not None:
        # The app's taxonomy service: one normalizer per process, shared with /taxonomy.
        resolver = OccupationResolver(service.taxonomy, service.normalizer)
        state.occupations = resolver
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


class TaxonomyService:
    def __init__(self, data_dir: Path, esco_dir: Path | None = None) -> None:
        self._data_dir = data_dir
        self._esco_dir = esco_dir
        self._lock = threading.Lock()
        self._taxonomy: Taxonomy | None = None
        self._normalizer: Normalizer | None = None
        self._skill_keys: list[tuple[str, str]] | None = None

    def _build(self) -> tuple[Taxonomy, Normalizer]:
        from taxonomy import Normalizer, load_taxonomy
        from taxonomy.textnorm import comparison_key

        with self._lock:
            if self._taxonomy is None or self._normalizer is None:
                taxonomy = load_taxonomy(self._data_dir, esco_dir=self._esco_dir)
                normalizer = Normalizer(taxonomy)
                normalizer.index("occupation")
                normalizer.index("skill")
                self._taxonomy, self._normalizer = taxonomy, normalizer
                self._skill_keys = [
                    (a.code, comparison_key(a.alias, "skill")) for a in taxonomy.skill_aliases
                ]
            return self._taxonomy, self._normalizer

    @property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy if self._taxonomy is not None else self._build()[0]

    @property
    def normalizer(self) -> Normalizer:
        return self._normalizer if self._normalizer is not None else self._build()[1]

    @property
    def skill_keys(self) -> list[tuple[str, str]]:
        """(code, comparison key) of every skill alias, for substring search."""
        if self._skill_keys is None:
            self._build()
        assert self._skill_keys is not None
        return self._skill_keys

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
        for c in result.candidates:
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
