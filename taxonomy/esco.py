"""Import an official ESCO CSV release to extend the taxonomy.

ESCO (the European Commission's classification of occupations and skills) places
every occupation under an ISCO-08 unit group.  The importer reads the English CSV
files a user downloads from the ESCO portal:

* ``occupations_en.csv`` (required): ``conceptUri``, ``iscoGroup``,
  ``preferredLabel``, ``altLabels`` (one per line), ``code``;
* ``ISCOGroups_en.csv`` (required): ``conceptUri``, ``code``, ``preferredLabel``;
* ``skills_en.csv`` and ``occupationSkillRelations_en.csv`` (optional):
  skills by ``conceptUri`` and ``occupationUri, relationType, skillUri`` links.

Imported occupations get the code ``esco:<ESCO code>`` (``esco:2654.1.7``) and
keep their ``conceptUri``; their English preferred and alternative labels become
aliases.  ESCO skills get the code ``esco:skill:<uuid>``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from taxonomy.model import Alias, Occupation, Skill, Taxonomy

__all__ = [
    "EscoOccupation",
    "EscoRelease",
    "EscoSkill",
    "esco_occupation_code",
    "extend_with_esco",
    "load_esco",
]


@dataclass(frozen=True)
class EscoOccupation:
    """One ESCO occupation as read from ``occupations_en.csv``."""

    uri: str
    code: str
    isco: str
    preferred_label: str
    alt_labels: tuple[str, ...]


@dataclass(frozen=True)
class EscoSkill:
    """One ESCO skill as read from ``skills_en.csv``."""

    uri: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    skill_type: str


@dataclass(frozen=True)
class EscoRelease:
    """The parts of an ESCO release the taxonomy uses.

    ``relations`` holds ``(occupation uri, skill uri, relation)`` with relation
    ``essential`` or ``optional``; it is empty when the release has no skill files.
    """

    occupations: tuple[EscoOccupation, ...]
    isco_groups: dict[str, str]
    skills: tuple[EscoSkill, ...] = ()
    relations: tuple[tuple[str, str, str], ...] = ()
    #: ISCO group descriptions by code (the ``description`` column, when present).
    isco_descriptions: dict[str, str] = field(default_factory=dict)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {k: (v or "") for k, v in row.items() if k is not None}


def _labels(field: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(line.strip() for line in field.splitlines() if line.strip()))


def esco_occupation_code(esco_code: str) -> str:
    """Return the Qonys code of an ESCO occupation code.

    Examples
    --------
    >>> esco_occupation_code("2654.1.7")
    'esco:2654.1.7'
    """
    return f"esco:{esco_code}"


def _skill_code(uri: str) -> str:
    return "esco:skill:" + uri.rstrip("/").rsplit("/", 1)[-1]


def load_esco(esco_dir: Path) -> EscoRelease:
    """Read an ESCO CSV release (English files).

    Parameters
    ----------
    esco_dir : Path
        Folder holding ``occupations_en.csv`` and ``ISCOGroups_en.csv``, and when
        present ``skills_en.csv`` and ``occupationSkillRelations_en.csv``.

    Returns
    -------
    EscoRelease
        Occupations with their ISCO unit group and labels; ISCO group titles by
        code; skills and occupation-skill relations when the files exist.

    Raises
    ------
    FileNotFoundError
        When a required file is missing.
    ValueError
        When an occupation has no 4-digit ISCO group.

    Examples
    --------
    >>> from pathlib import Path
    >>> release = load_esco(Path("../shared/esco"))  # doctest: +SKIP
    >>> release.occupations[0].code.startswith(release.occupations[0].isco)  # doctest: +SKIP
    True
    """
    occupations = []
    for row in _rows(esco_dir / "occupations_en.csv"):
        isco = row["iscoGroup"].strip()
        if not (len(isco) == 4 and isco.isdigit()):
            raise ValueError(f"ESCO occupation {row['conceptUri']} has ISCO group {isco!r}")
        occupations.append(
            EscoOccupation(
                uri=row["conceptUri"].strip(),
                code=(row.get("code") or "").strip() or isco,
                isco=isco,
                preferred_label=row["preferredLabel"].strip(),
                alt_labels=_labels(row.get("altLabels", "")),
            )
        )
    groups: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for row in _rows(esco_dir / "ISCOGroups_en.csv"):
        groups[row["code"].strip()] = row["preferredLabel"].strip()
        if row.get("description", "").strip():
            descriptions[row["code"].strip()] = row["description"].strip()

    skills: list[EscoSkill] = []
    relations: list[tuple[str, str, str]] = []
    skills_path = esco_dir / "skills_en.csv"
    if skills_path.exists():
        skills = [
            EscoSkill(
                uri=row["conceptUri"].strip(),
                preferred_label=row["preferredLabel"].strip(),
                alt_labels=_labels(row.get("altLabels", "")),
                skill_type=row.get("skillType", "").strip(),
            )
            for row in _rows(skills_path)
        ]
    relations_path = esco_dir / "occupationSkillRelations_en.csv"
    if relations_path.exists():
        relations = [
            (row["occupationUri"].strip(), row["skillUri"].strip(), row["relationType"].strip())
            for row in _rows(relations_path)
        ]
    return EscoRelease(tuple(occupations), groups, tuple(skills), tuple(relations), descriptions)


def extend_with_esco(
    taxonomy: Taxonomy,
    release: EscoRelease,
    *,
    use_alt_label: Callable[[EscoOccupation, str], bool] | None = None,
) -> Taxonomy:
    """Return a new taxonomy with the release's occupations under their ISCO groups.

    Parameters
    ----------
    taxonomy : Taxonomy
        The taxonomy to extend (left unchanged).
    release : EscoRelease
        The ESCO release from :func:`load_esco`.
    use_alt_label : callable, optional
        ``use_alt_label(occupation, label)`` decides which alternative labels become
        aliases (default: all); evaluation uses it to hold labels out.

    Returns
    -------
    Taxonomy
        Occupations ``esco:<code>`` with English titles (Russian and Kazakh labels
        fall back to English), their preferred label as a ``title`` alias and the
        alternative labels as ``variant`` aliases; ESCO skills and essential or
        optional skill links when the release has them.  Occupations whose ISCO unit
        group is not in the taxonomy are skipped.
    """
    occupations = dict(taxonomy.occupations)
    aliases = list(taxonomy.occupation_aliases)
    code_of_uri: dict[str, str] = {}
    for occ in release.occupations:
        if occ.isco not in taxonomy.groups:
            continue
        code = esco_occupation_code(occ.code)
        code_of_uri[occ.uri] = code
        occupations[code] = Occupation(
            code=code,
            isco=occ.isco,
            title_en=occ.preferred_label,
            title_ru="",
            title_kk="",
            source="esco",
            concept_uri=occ.uri,
        )
        aliases.append(Alias(code, occ.preferred_label, "en", "title"))
        aliases += [
            Alias(code, label, "en", "variant")
            for label in occ.alt_labels
            if use_alt_label is None or use_alt_label(occ, label)
        ]

    skills = dict(taxonomy.skills)
    skill_aliases = list(taxonomy.skill_aliases)
    for esco_skill in release.skills:
        code = _skill_code(esco_skill.uri)
        skills[code] = Skill(
            code=code,
            group="other",
            title_en=esco_skill.preferred_label,
            title_ru="",
            title_kk="",
            concept_uri=esco_skill.uri,
        )
        skill_aliases.append(Alias(code, esco_skill.preferred_label, "en", "title"))
        skill_aliases += [Alias(code, a, "en", "variant") for a in esco_skill.alt_labels]

    occ_skills = {k: list(v) for k, v in taxonomy.occupation_skills.items()}
    for occ_uri, skill_uri, relation in release.relations:
        if occ_uri in code_of_uri:
            occ_skills.setdefault(code_of_uri[occ_uri], []).append(
                (_skill_code(skill_uri), relation or "optional")
            )
    # The ISCO group descriptions are extra text for placing titles of occupations
    # that no alias names (the normalizer's group profiles); only the user's ESCO
    # download holds them.
    groups = {
        code: (
            replace(group, description_en=release.isco_descriptions[code])
            if code in release.isco_descriptions and not group.description_en
            else group
        )
        for code, group in taxonomy.groups.items()
    }
    return replace(
        taxonomy,
        groups=groups,
        occupations=occupations,
        skills=skills,
        occupation_aliases=tuple(aliases),
        skill_aliases=tuple(skill_aliases),
        occupation_skills={k: tuple(v) for k, v in occ_skills.items()},
    )
