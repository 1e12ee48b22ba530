"""Leave-occupations-out splits: how the normalizer does on occupations it has never seen.

The figures of ``titles_eval.csv`` are measured on titles whose occupations the alias
tables name.  A real title often names an occupation no table holds.  To measure that
without writing new data, whole occupations are held out:

* **Own tables** (:func:`own_folds`): every Qonys occupation falls in one of ``folds``
  folds by ``crc32(code)``.  For fold *f* the taxonomy keeps every other occupation
  (with all its aliases) and drops the occupations of fold *f* and all their aliases;
  the ISCO-08 group titles of ``isco08.csv`` stay, because they describe groups, not
  the held-out occupations.  The queries are the held-out titles and aliases, one per
  distinct comparison key and language, plus one deterministic one-typo variant of each.
* **ESCO** (:func:`esco_folds`): the same with the occupations of an ESCO release,
  fold by ``crc32(conceptUri)``; the kept ESCO occupations are imported (all their
  labels), the held-out ones' preferred and alternative labels are the queries.

The gold answer of a query is the ISCO-08 unit group of its occupation; the unit group
usually still has other occupations in the index, so a good answer backs off to it.
Everything here is deterministic (hashes, no random state).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from taxonomy.esco import EscoRelease, extend_with_esco
from taxonomy.model import Taxonomy
from taxonomy.textnorm import comparison_key

__all__ = ["Fold", "esco_folds", "fold_of", "one_typo", "own_folds", "without_occupations"]

#: Letters a one-typo variant may substitute, by script.
_CYRILLIC = "абвгдежзиклмнопрстуфхцчшыэя"
_LATIN = "abcdefghiklmnoprstuvwyz"
_MIN_TYPO_WORD = 5


def fold_of(key: str, folds: int) -> int:
    """The fold (``0 .. folds-1``) of an occupation code or concept URI, by CRC-32."""
    return zlib.crc32(key.encode("utf-8")) % folds


def one_typo(text: str) -> str:
    """Write ``text`` with one deterministic typo in its longest word.

    The operation (drop, double, swap two letters, substitute) and its position come
    from ``crc32(text)``, so the same text always gets the same typo.  Texts whose
    longest word is shorter than five letters are returned unchanged.

    Examples
    --------
    >>> one_typo("машинист") == one_typo("машинист") != "машинист"
    True
    """
    words = text.split()
    if not words:
        return text
    j = max(range(len(words)), key=lambda k: (len(words[k]), -k))
    word = words[j]
    if len(word) < _MIN_TYPO_WORD:
        return text
    h = zlib.crc32(text.encode("utf-8"))
    i = 1 + h % (len(word) - 2)
    op = (h >> 8) % 4
    letters = _CYRILLIC if any("\u0400" <= ch <= "\u04ff" for ch in word) else _LATIN
    if op == 0:
        new = word[:i] + word[i + 1 :]
    elif op == 1:
        new = word[:i] + word[i] + word[i:]
    elif op == 2:
        new = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    else:
        sub = letters[(h >> 16) % len(letters)]
        if sub == word[i]:
            sub = letters[((h >> 16) + 1) % len(letters)]
        new = word[:i] + sub + word[i + 1 :]
    if new == word:
        # Dropping, doubling or swapping letters of a run ("aaaa") changes nothing:
        # substitute instead.
        sub = letters[(h >> 16) % len(letters)]
        new = word[:i] + (sub if sub != word[i] else letters[((h >> 16) + 1) % len(letters)]) + word[i + 1 :]
    words[j] = new
    return " ".join(words)


def without_occupations(taxonomy: Taxonomy, codes: Iterable[str]) -> Taxonomy:
    """Return ``taxonomy`` without the occupations ``codes`` and every alias of them."""
    drop = set(codes)
    return replace(
        taxonomy,
        occupations={c: o for c, o in taxonomy.occupations.items() if c not in drop},
        occupation_aliases=tuple(a for a in taxonomy.occupation_aliases if a.code not in drop),
        occupation_skills={c: s for c, s in taxonomy.occupation_skills.items() if c not in drop},
    )


@dataclass(frozen=True)
class Fold:
    """One leave-occupations-out fold: the reduced taxonomy and the held-out queries.

    ``texts[i]`` is a held-out label (or its one-typo variant, ``typo[i]``) of the
    occupation ``occupation[i]``, in language ``lang[i]``, whose gold ISCO unit group
    is ``gold[i]``.  ``held`` lists every held-out occupation code.
    """

    number: int
    taxonomy: Taxonomy
    held: frozenset[str]
    texts: list[str]
    gold: list[str]
    lang: list[str]
    occupation: list[str]
    typo: list[bool]


def _queries(
    labels: Iterable[tuple[str, str, str, str]],
) -> tuple[list[str], list[str], list[str], list[str], list[bool]]:
    """Distinct (occupation, language, key) labels plus their one-typo variants."""
    texts: list[str] = []
    gold: list[str] = []
    lang: list[str] = []
    occ: list[str] = []
    typo: list[bool] = []
    seen: set[tuple[str, str, str]] = set()
    for code, isco, language, text in labels:
        for variant, is_typo in ((text, False), (one_typo(text), True)):
            if is_typo and variant == text:
                continue
            key = comparison_key(variant)
            if not key or (code, language, key) in seen:
                continue
            seen.add((code, language, key))
            texts.append(variant)
            gold.append(isco)
            lang.append(language)
            occ.append(code)
            typo.append(is_typo)
    return texts, gold, lang, occ, typo


def own_folds(taxonomy: Taxonomy, folds: int = 5) -> list[Fold]:
    """Leave-occupations-out folds over the taxonomy's own (non-ESCO) occupations.

    Parameters
    ----------
    taxonomy : Taxonomy
        The project's taxonomy (ESCO imports, if any, are kept in every fold and never
        held out).
    folds : int
        Number of folds; every own occupation is held out in exactly one.

    Returns
    -------
    list of Fold
        One fold per number, in order.
    """
    own = sorted(c for c, o in taxonomy.occupations.items() if o.source == "qonys")
    out = []
    for f in range(folds):
        held = frozenset(c for c in own if fold_of(c, folds) == f)
        labels = [
            (a.code, taxonomy.isco_of(a.code), a.lang, a.alias)
            for a in taxonomy.occupation_aliases
            if a.code in held
        ]
        texts, gold, lang, occ, typo = _queries(labels)
        out.append(Fold(f, without_occupations(taxonomy, held), held, texts, gold, lang, occ, typo))
    return out


def esco_folds(base: Taxonomy, release: EscoRelease, folds: int = 5) -> list[Fold]:
    """Leave-occupations-out folds over an ESCO release's occupations.

    For fold *f* the ESCO occupations of the other folds are imported with all their
    labels into ``base``; the held-out occupations' preferred and alternative labels
    (English) are the queries.  Occupations whose unit group ``base`` lacks are skipped,
    as :func:`taxonomy.esco.extend_with_esco` skips them.
    """
    occupations = [o for o in release.occupations if o.isco in base.groups]
    out = []
    for f in range(folds):
        held_occ = [o for o in occupations if fold_of(o.uri, folds) == f]
        kept = replace(
            release, occupations=tuple(o for o in occupations if fold_of(o.uri, folds) != f)
        )
        labels = [
            (o.uri, o.isco, "en", label)
            for o in held_occ
            for label in (o.preferred_label, *o.alt_labels)
        ]
        texts, gold, lang, occ, typo = _queries(labels)
        out.append(
            Fold(
                f,
                extend_with_esco(base, kept),
                frozenset(o.uri for o in held_occ),
                texts,
                gold,
                lang,
                occ,
                typo,
            )
        )
    return out
