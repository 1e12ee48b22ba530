"""Load the taxonomy tables of ``data/taxonomy/`` (and optionally an ESCO release)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from taxonomy.model import Alias, IscoGroup, Occupation, Skill, Taxonomy

__all__ = ["DEFAULT_DATA_DIR", "default_taxonomy", "load_taxonomy"]

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "taxonomy"


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}


def _bool(value: str) -> bool:
    return value.strip().lower() == "true"


def _title_aliases(code: str, titles: dict[str, str]) -> list[Alias]:
    return [Alias(code, text, lang, "title") for lang, text in titles.items() if text]


def load_taxonomy(data_dir: Path | None = None, esco_dir: Path | None = None) -> Taxonomy:
    """Read the taxonomy CSV tables into a :class:`~taxonomy.model.Taxonomy`.

    Parameters
    ----------
    data_dir : Path, optional
        Folder with ``isco08.csv``, ``occupations.csv``, ``occupation_aliases.csv``,
        ``skills.csv``, ``skill_aliases.csv`` and ``occupation_skills.csv``
        (default: the repository's ``data/taxonomy``).
    esco_dir : Path, optional
        Folder of an official ESCO CSV release; when given, its occupations and
        English labels are added (see :func:`taxonomy.esco.extend_with_esco`).

    Returns
    -------
    Taxonomy
        The loaded taxonomy.  Occupation and skill titles are added to the alias
        lists with kind ``title`` (Russian feminine titles with kind ``feminine``).

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> tax.isco_group("2330").level
    4
    """
    root = data_dir if data_dir is not None else DEFAULT_DATA_DIR

    groups: dict[str, IscoGroup] = {}
    for row in _rows(root / "isco08.csv"):
        groups[row["code"]] = IscoGroup(
            code=row["code"],
            level=int(row["level"]),
            parent=row["parent"],
            title_en=row["title_en"],
            title_ru=row["title_ru"],
            title_kk=row["title_kk"],
        )

    occupations: dict[str, Occupation] = {}
    occ_aliases: list[Alias] = []
    for row in _rows(root / "occupations.csv"):
        occ = Occupation(
            code=row["code"],
            isco=row["isco"],
            title_en=row["title_en"],
            title_ru=row["title_ru"],
            title_kk=row["title_kk"],
            title_ru_f=row.get("title_ru_f", ""),
            nkz_code=row.get("nkz_code", ""),
            education_min=row.get("education_min", ""),
            qualified=_bool(row.get("qualified", "true")),
        )
        occupations[occ.code] = occ
        occ_aliases += _title_aliases(
            occ.code, {"en": occ.title_en, "ru": occ.title_ru, "kk": occ.title_kk}
        )
        if occ.title_ru_f:
            occ_aliases.append(Alias(occ.code, occ.title_ru_f, "ru", "feminine"))
    occ_aliases += [
        Alias(r["code"], r["alias"], r["lang"], r["kind"])
        for r in _rows(root / "occupation_aliases.csv")
        if r["code"] in occupations and r["alias"]
    ]

    skills: dict[str, Skill] = {}
    skill_aliases: list[Alias] = []
    for row in _rows(root / "skills.csv"):
        skill = Skill(
            code=row["code"],
            group=row["group"],
            title_en=row["title_en"],
            title_ru=row["title_ru"],
            title_kk=row["title_kk"],
            is_credential=_bool(row.get("is_credential", "false")),
            implies=tuple(s.strip() for s in row.get("implies", "").split(";") if s.strip()),
        )
        skills[skill.code] = skill
        skill_aliases += _title_aliases(
            skill.code, {"en": skill.title_en, "ru": skill.title_ru, "kk": skill.title_kk}
        )
    skill_aliases += [
        Alias(r["code"], r["alias"], r["lang"], r["kind"])
        for r in _rows(root / "skill_aliases.csv")
        if r["code"] in skills and r["alias"]
    ]

    occ_skills: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in _rows(root / "occupation_skills.csv"):
        occ_skills[row["occupation"]].append((row["skill"], row["relation"]))

    taxonomy = Taxonomy(
        groups=groups,
        occupations=occupations,
        skills=skills,
        occupation_aliases=tuple(occ_aliases),
        skill_aliases=tuple(skill_aliases),
        occupation_skills={k: tuple(v) for k, v in occ_skills.items()},
    )
    if esco_dir is not None:
        # Imported here because esco builds on this module's output.
        from taxonomy.esco import extend_with_esco, load_esco

        taxonomy = extend_with_esco(taxonomy, load_esco(esco_dir))
    return taxonomy


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """Return the repository's taxonomy, loaded once per process.

    Examples
    --------
    >>> default_taxonomy() is default_taxonomy()
    True
    """
    return load_taxonomy()
