"""The taxonomy's data model: ISCO groups, occupations, skills and their aliases."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from taxonomy.textnorm import tokens
from taxonomy.translit import kk_cyr_to_lat

__all__ = [
    "Alias",
    "IscoGroup",
    "Lang",
    "Occupation",
    "Skill",
    "Taxonomy",
]

Lang = Literal["kk", "kk_latn", "ru", "en"]
LANGS: tuple[str, ...] = ("kk", "kk_latn", "ru", "en")


@dataclass(frozen=True)
class IscoGroup:
    """One ISCO-08 group (major, sub-major, minor or unit group)."""

    code: str
    level: int
    parent: str
    title_en: str
    title_ru: str
    title_kk: str
    #: English description of the group (ISCO-08 definition), filled only when an
    #: ESCO release is imported (``ISCOGroups_en.csv``); the repository holds none.
    description_en: str = ""


@dataclass(frozen=True)
class Occupation:
    """An occupation below an ISCO-08 unit group.

    ``source`` is ``"qonys"`` for the project's own occupations and ``"esco"`` for
    occupations imported from an ESCO release (code ``esco:<ESCO code>``; they have
    English titles only and keep the ESCO ``concept_uri``).
    """

    code: str
    isco: str
    title_en: str
    title_ru: str
    title_kk: str
    title_ru_f: str = ""
    nkz_code: str = ""
    education_min: str = ""
    qualified: bool = True
    source: str = "qonys"
    concept_uri: str = ""


@dataclass(frozen=True)
class Skill:
    """A skill or credential; ``implies`` lists the skills a credential implies."""

    code: str
    group: str
    title_en: str
    title_ru: str
    title_kk: str
    is_credential: bool = False
    implies: tuple[str, ...] = ()
    concept_uri: str = ""


@dataclass(frozen=True)
class Alias:
    """One way of writing an occupation or skill (``kind`` as in the data contract)."""

    code: str
    alias: str
    lang: str
    kind: str


def _title(obj: IscoGroup | Occupation | Skill, lang: str) -> str:
    if lang == "kk_latn":
        kk = obj.title_kk
        return kk_cyr_to_lat(kk) if kk else obj.title_en
    if lang not in ("kk", "ru", "en"):
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    text: str = getattr(obj, f"title_{lang}")
    # ESCO-imported entries have English titles only.
    return text or obj.title_en


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """Occupations, skills and ISCO-08 groups with labels in kk, kk_latn, ru and en.

    Build it with :func:`taxonomy.load.load_taxonomy`.  Equality is identity: one
    instance is meant to be built once and shared.

    Attributes
    ----------
    groups : Mapping[str, IscoGroup]
        ISCO-08 groups by code ("2", "23", "233", "2330").
    occupations : Mapping[str, Occupation]
        Occupations by code (``Q2330.01``, ``esco:2654.1.7``).
    skills : Mapping[str, Skill]
        Skills by code.
    occupation_aliases, skill_aliases : tuple of Alias
        Every way of writing each occupation/skill, titles included.
    occupation_skills : Mapping[str, tuple[tuple[str, str], ...]]
        ``(skill, relation)`` pairs by occupation code or 4-digit ISCO unit group.
    """

    groups: Mapping[str, IscoGroup]
    occupations: Mapping[str, Occupation]
    skills: Mapping[str, Skill]
    occupation_aliases: tuple[Alias, ...]
    skill_aliases: tuple[Alias, ...]
    occupation_skills: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    # ------------------------------------------------------------------ lookup
    def occupation(self, code: str) -> Occupation:
        """Return the occupation with ``code`` (``KeyError`` when unknown)."""
        return self.occupations[code]

    def isco_group(self, code: str) -> IscoGroup:
        """Return the ISCO-08 group with ``code`` (``KeyError`` when unknown)."""
        return self.groups[code]

    def skill(self, code: str) -> Skill:
        """Return the skill with ``code`` (``KeyError`` when unknown)."""
        return self.skills[code]

    def isco_of(self, code: str) -> str:
        """Return the 4-digit ISCO unit group of an occupation or unit-group code."""
        if code in self.occupations:
            return self.occupations[code].isco
        if code in self.groups and self.groups[code].level == 4:
            return code
        raise KeyError(code)

    def label(self, code: str, lang: str = "ru") -> str:
        """Return the display label of an occupation, skill or ISCO group.

        Parameters
        ----------
        code : str
            Occupation, skill or ISCO group code.
        lang : {"kk", "kk_latn", "ru", "en"}
            Language; Kazakh Latin is transliterated from the Kazakh title.  Entries
            without a title in ``lang`` (ESCO imports) fall back to English.

        Returns
        -------
        str
            The label.

        Examples
        --------
        >>> from taxonomy.load import default_taxonomy
        >>> default_taxonomy().label("2330", "en")
        'Secondary education teachers'
        """
        obj: IscoGroup | Occupation | Skill
        if code in self.occupations:
            obj = self.occupations[code]
        elif code in self.skills:
            obj = self.skills[code]
        elif code in self.groups:
            obj = self.groups[code]
        else:
            raise KeyError(code)
        return _title(obj, lang)

    def skills_of(self, code: str) -> frozenset[str]:
        """Skill codes of an occupation: its own and those of its ISCO unit group."""
        return self._skill_sets.get(code, frozenset())

    # --------------------------------------------------------------- internals
    @cached_property
    def _skill_sets(self) -> dict[str, frozenset[str]]:
        own = {code: frozenset(s for s, _ in pairs) for code, pairs in self.occupation_skills.items()}
        out: dict[str, frozenset[str]] = {}
        for code, occ in self.occupations.items():
            out[code] = own.get(code, frozenset()) | own.get(occ.isco, frozenset())
        for code, group in self.groups.items():
            if group.level == 4:
                out[code] = own.get(code, frozenset())
        return out

    @cached_property
    def _search_index(self) -> _SearchIndex:
        return _SearchIndex(self)

    # ------------------------------------------------------------ autocomplete
    def search_occupations(self, q: str, lang: str = "ru", limit: int = 10) -> list[Occupation]:
        """Autocomplete: occupations whose aliases contain words starting with ``q``'s words.

        Every word of ``q`` must be the start of a word of one alias (after folding
        scripts and stripping endings), so ``"учит мат"`` finds "учитель математики".
        Aliases in ``lang`` and aliases with fewer extra words rank first.

        Parameters
        ----------
        q : str
            What the user has typed so far.
        lang : {"kk", "kk_latn", "ru", "en"}
            Preferred language of the matched aliases.
        limit : int
            Most occupations returned.

        Returns
        -------
        list of Occupation
            Best first; empty when nothing matches.

        Examples
        --------
        >>> from taxonomy.load import default_taxonomy
        >>> [o.isco for o in default_taxonomy().search_occupations("сварщ", limit=1)]
        ['7212']
        """
        return self._search_index.search(q, lang, limit)


class _SearchIndex:
    """Sorted (token, alias) arrays for prefix search, built once per taxonomy."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._taxonomy = taxonomy
        aliases = [a for a in taxonomy.occupation_aliases if a.code in taxonomy.occupations]
        pairs: list[tuple[str, int]] = []
        n_tokens = np.zeros(len(aliases), dtype=np.int32)
        for i, alias in enumerate(aliases):
            toks = set(tokens(alias.alias))
            n_tokens[i] = len(toks)
            pairs.extend((t, i) for t in toks)
        pairs.sort()
        self._tokens = [t for t, _ in pairs]
        self._alias_of_token = np.fromiter((i for _, i in pairs), dtype=np.int32, count=len(pairs))
        self._codes = np.array([a.code for a in aliases], dtype=object)
        self._langs = np.array([a.lang for a in aliases], dtype=object)
        self._is_title = np.array([a.kind == "title" for a in aliases], dtype=bool)
        self._n_tokens = n_tokens

    def _aliases_with_prefix(self, prefix: str) -> np.ndarray:
        lo = bisect_left(self._tokens, prefix)
        hi = bisect_left(self._tokens, prefix + "\U0010ffff", lo)
        return np.unique(self._alias_of_token[lo:hi])

    def search(self, q: str, lang: str, limit: int) -> list[Occupation]:
        query = list(dict.fromkeys(tokens(q)))
        if not query or limit <= 0:
            return []
        hits = self._aliases_with_prefix(query[0])
        for token in query[1:]:
            if hits.size == 0:
                break
            hits = np.intersect1d(hits, self._aliases_with_prefix(token), assume_unique=True)
        if hits.size == 0:
            return []
        extra_words = self._n_tokens[hits] - len(query)
        other_lang = self._langs[hits] != lang
        not_title = ~self._is_title[hits]
        order = hits[np.lexsort((not_title, other_lang, extra_words))]
        seen: dict[str, None] = {}
        for code in self._codes[order]:
            seen.setdefault(str(code), None)
            if len(seen) >= limit:
                break
        return [self._taxonomy.occupations[c] for c in seen]
