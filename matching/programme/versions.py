"""Programme versions and the region roles each gives: the programme's rules by year.

A version (Enbek 2017–2021, "Strong Regions" 2022–, yearly quota orders) says which regions
send and which receive resettlers; the support measures of each version are in
:mod:`matching.programme.support`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from matching.programme.files import (
    DEFAULT_DATA_DIR,
    localized_name,
    opt_int,
    parse_bool,
    parse_choice,
    read_csv,
)

Role = Literal["origin", "destination"]
ROLES: tuple[Role, ...] = ("origin", "destination")


@dataclass(frozen=True, slots=True)
class ProgrammeVersion:
    """A version of the relocation programme whose region roles and measures differ."""

    programme_version: str
    name_kk: str
    name_ru: str
    name_en: str
    year_from: int
    year_to: int | None
    is_default: bool
    parent_version: str | None
    source: str

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("kk", "ru", "en"); other values give Russian."""
        return localized_name(self, lang if lang != "kk_latn" else "kk")

    def covers(self, year: int) -> bool:
        """Whether ``year`` lies in the version's years (an open end covers all later years)."""
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


@dataclass(frozen=True, slots=True)
class ProgrammeRole:
    """One source's claim that a region is an origin or a destination in a programme version.

    ``is_default`` marks the claims adopted for the version's role set (one role per region
    and version); the other claims are kept so that disagreeing sources stay visible.
    """

    programme_version: str
    year_from: int
    year_to: int | None
    region_code: str
    role: Role
    source: str
    claim: str
    is_default: bool



def load_programme_versions(data_dir: Path | None = None) -> tuple[ProgrammeVersion, ...]:
    """Read ``programme_versions.csv``.

    Parameters
    ----------
    data_dir
        Folder holding the reference CSV files; defaults to the repository's ``data/``.

    Returns
    -------
    tuple of ProgrammeVersion
        In file order.
    """
    root = data_dir or DEFAULT_DATA_DIR
    return tuple(
        ProgrammeVersion(
            programme_version=row["programme_version"],
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            year_from=int(row["year_from"]),
            year_to=opt_int(row["year_to"]),
            is_default=parse_bool(row["is_default"], "is_default"),
            parent_version=row["parent_version"] or None,
            source=row["source"],
        )
        for row in read_csv(root / "programme_versions.csv")
    )



def read_role(row: dict[str, str]) -> ProgrammeRole:
    """One row of ``programme_roles.csv``."""
    return ProgrammeRole(
        programme_version=row["programme_version"],
        year_from=int(row["year_from"]),
        year_to=opt_int(row["year_to"]),
        region_code=row["region_code"],
        role=cast(Role, parse_choice(row["role"], ROLES, "role")),
        source=row["source"],
        claim=row["claim"],
        is_default=parse_bool(row["is_default"], "is_default"),
    )

