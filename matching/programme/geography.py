"""Reference geography: regions, districts and localities, with the programme's region roles.

Everything here is loaded from the CSV files in ``data/`` (see ``data/README.md`` for the
sources of every table) by :func:`load_reference`; the lookups are pure and in memory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, cast

from matching.programme.files import (
    DEFAULT_DATA_DIR,
    NAME_LANGS,
    localized_name,
    opt_date,
    opt_int,
    parse_bool,
    parse_choice,
    read_csv,
)
from matching.programme.versions import (
    ROLES,
    ProgrammeRole,
    ProgrammeVersion,
    Role,
    load_programme_versions,
    read_role,
)
from matching.text import Text, msg

SettlementType = Literal["regional_centre", "city", "district_centre", "township", "village"]
Heating = Literal["central", "gas", "stove"]

SETTLEMENT_TYPES: tuple[SettlementType, ...] = (
    "regional_centre",
    "city",
    "district_centre",
    "township",
    "village",
)
HEATING_TYPES: tuple[Heating, ...] = ("central", "gas", "stove")

# Words that only say what kind of unit a name denotes; a query such as "Костанайская" or
# "Akmola oblast" is matched against names with these words removed.
_GENERIC_WORDS = frozenset(
    {
        "region", "oblast", "oblysy", "province", "city", "облысы", "область", "обл",
        "қаласы", "город", "г", "республиканского", "значения",
    }
)  # fmt: skip
_PUNCT = re.compile(r"[\s\-‐–—.,;:'’`\"«»()]+")


class ReferenceLookupError(LookupError):
    """A reference-data lookup that cannot be answered; ``text`` says why in kk/ru/en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class UnknownRegionError(ReferenceLookupError):
    """No region has this code, ISO code, name or alias."""


class AmbiguousRegionError(ReferenceLookupError):
    """The name denotes more than one region (e.g. "Almaty": region 19 or city 75)."""

    def __init__(self, text: Text, candidates: tuple[Region, ...]) -> None:
        super().__init__(text)
        self.candidates = candidates


class UnknownLocalityError(ReferenceLookupError):
    """No locality or district has this id."""


class UnknownProgrammeVersionError(ReferenceLookupError):
    """No programme version has this name, or none covers the year asked for."""


@dataclass(frozen=True, slots=True)
class Region:
    """A first-level unit: one of 17 regions (oblys) or 3 cities of republican significance."""

    code: str
    kato: str
    iso: str
    iso_legacy: str
    kind: Literal["region", "city"]
    name_kk: str
    name_kk_latn: str
    name_ru: str
    name_en: str
    centre_kk: str
    centre_ru: str
    centre_en: str
    valid_from: date | None
    valid_to: date | None
    population: int | None
    population_is_estimate: bool
    source: str

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("kk", "kk_latn", "ru", "en"); other values give Russian."""
        return localized_name(self, lang)

    @property
    def names(self) -> Text:
        """The name in the three service languages."""
        return Text.each(self.name)

    def centre(self, lang: str) -> str:
        """The administrative centre's name in ``lang`` ("kk", "ru", "en")."""
        return (
            str(getattr(self, f"centre_{lang}")) if lang in ("kk", "ru", "en") else self.centre_ru
        )

    def exists_on(self, day: date) -> bool:
        """Whether the unit existed on ``day`` (Abai, Zhetysu, Ulytau exist from 2022-06-08)."""
        after_start = self.valid_from is None or day >= self.valid_from
        before_end = self.valid_to is None or day <= self.valid_to
        return after_start and before_end


@dataclass(frozen=True, slots=True)
class District:
    """A district (аудан) of a region."""

    id: str
    region_code: str
    name_kk: str
    name_kk_latn: str
    name_ru: str
    name_en: str
    centre_locality_id: str
    source: str

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("kk", "kk_latn", "ru", "en"); other values give Russian."""
        return localized_name(self, lang)


@dataclass(frozen=True, slots=True)
class Locality:
    """A settlement with the services a relocating household asks about."""

    id: str
    region_code: str
    district_id: str | None
    name_kk: str
    name_kk_latn: str
    name_ru: str
    name_en: str
    settlement_type: SettlementType
    is_urban: bool
    population: int
    population_is_estimate: bool
    school: bool
    kindergarten: bool
    clinic: bool
    hospital_km: float
    heating: Heating
    piped_water: bool
    bus_link: bool
    lat: float
    lon: float
    synthetic: bool
    estimated_fields: frozenset[str]
    source: str

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("kk", "kk_latn", "ru", "en"); other values give Russian."""
        return localized_name(self, lang)



def normalize_name(text: str) -> str:
    """Fold a region name or alias for matching: case, "ё", punctuation and spacing.

    Examples
    --------
    >>> normalize_name("  Северо-Казахстанская  область ")
    'северо казахстанская область'
    """
    # Kazakh Latin ı/I and i/İ are folded together: upper case loses the distinction anyway.
    folded = unicodedata.normalize("NFKC", text.replace("ı", "i")).casefold()
    folded = folded.replace("\u0307", "").replace("ё", "е")
    return " ".join(_PUNCT.sub(" ", folded).split())


def _strip_generic(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _GENERIC_WORDS)



class ReferenceData:
    """In-memory reference tables with lookups by code, alias, id and programme role."""

    def __init__(
        self,
        *,
        regions: Iterable[Region],
        aliases: Iterable[tuple[str, str]],
        districts: Iterable[District],
        localities: Iterable[Locality],
        versions: Iterable[ProgrammeVersion],
        roles: Iterable[ProgrammeRole],
    ) -> None:
        self.regions: tuple[Region, ...] = tuple(regions)
        self.districts: tuple[District, ...] = tuple(districts)
        self.all_localities: tuple[Locality, ...] = tuple(localities)
        self.versions: tuple[ProgrammeVersion, ...] = tuple(versions)
        self.roles: tuple[ProgrammeRole, ...] = tuple(roles)
        self._by_code = {r.code: r for r in self.regions}
        self._by_id: dict[str, str] = {}
        for r in self.regions:
            for ident in (r.code, r.kato, r.iso, r.iso_legacy):
                self._by_id[normalize_name(ident)] = r.code
        self._exact: dict[str, set[str]] = {}
        self._loose: dict[str, set[str]] = {}
        for r in self.regions:
            for lang in NAME_LANGS:
                self._index(r.name(lang), r.code)
        for alias, code in aliases:
            if code not in self._by_code:
                raise ValueError(f"alias {alias!r} points to unknown region {code!r}")
            self._index(alias, code)
        self._district_by_id = {d.id: d for d in self.districts}
        self._locality_by_id = {loc.id: loc for loc in self.all_localities}
        self._version_by_name = {v.programme_version: v for v in self.versions}

    def _index(self, name: str, code: str) -> None:
        key = normalize_name(name)
        self._exact.setdefault(key, set()).add(code)
        self._loose.setdefault(_strip_generic(key), set()).add(code)

    # Regions ------------------------------------------------------------------------------

    def region(self, code_or_alias: str | int) -> Region:
        """Resolve a region from its code, KATO, ISO code (numeric or legacy), name or alias.

        Matching ignores case, "ё"/"е", punctuation and generic words such as "область" when
        the exact form is not known. A name shared by several regions is never guessed.

        Raises
        ------
        UnknownRegionError
            Nothing matches.
        AmbiguousRegionError
            Several regions match; ``candidates`` lists them.

        Examples
        --------
        >>> ref = load_reference()
        >>> ref.region("KZ-59").code == ref.region("Северо-Казахстанская область").code == "59"
        True
        """
        query = str(code_or_alias)
        key = normalize_name(query)
        if key in self._by_id:
            return self._by_code[self._by_id[key]]
        codes = self._exact.get(key) or self._loose.get(_strip_generic(key)) or set()
        if not codes:
            raise UnknownRegionError(msg("programme.lookup.unknown_region", query=query))
        if len(codes) > 1:
            candidates = tuple(self._by_code[c] for c in sorted(codes))
            listed = ", ".join(f"{c.code} {c.name_en}" for c in candidates)
            raise AmbiguousRegionError(
                msg("programme.lookup.ambiguous_region", query=query, candidates=listed), candidates
            )
        return self._by_code[next(iter(codes))]

    # Programme versions and roles -----------------------------------------------------------

    def programme_version(self, name: str) -> ProgrammeVersion:
        """The programme version called ``name``; raises UnknownProgrammeVersionError."""
        try:
            return self._version_by_name[name]
        except KeyError:
            raise UnknownProgrammeVersionError(msg("programme.lookup.unknown_version", query=name)) from None

    def default_programme_version(self, year: int) -> ProgrammeVersion:
        """The documented default version for ``year``: the most specific default covering it.

        "Most specific" means the latest ``year_from``; e.g. 2026 gives ``quota_2026`` rather
        than the open-ended ``strong_regions_2022``.
        """
        covering = [v for v in self.versions if v.is_default and v.covers(year)]
        if not covering:
            raise UnknownProgrammeVersionError(msg("programme.lookup.no_version_for_year", query=year))
        return max(covering, key=lambda v: v.year_from)

    def role_claims(
        self, version: str | None = None, region_code: str | None = None
    ) -> tuple[ProgrammeRole, ...]:
        """Every source claim, adopted or not, optionally for one version and/or region."""
        if version is not None:
            self.programme_version(version)
        return tuple(
            r
            for r in self.roles
            if (version is None or r.programme_version == version)
            and (region_code is None or r.region_code == region_code)
        )

    def regions_with_role(self, version: str, role: Role) -> tuple[Region, ...]:
        """Regions whose adopted (``is_default``) claim in ``version`` gives them ``role``."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {role!r}")
        codes = {
            r.region_code for r in self.role_claims(version) if r.is_default and r.role == role
        }
        return tuple(self._by_code[c] for c in sorted(codes))

    # Districts and localities ---------------------------------------------------------------

    def district(self, district_id: str) -> District:
        """The district with ``district_id``; raises UnknownLocalityError."""
        try:
            return self._district_by_id[district_id]
        except KeyError:
            raise UnknownLocalityError(msg("programme.lookup.unknown_district", query=district_id)) from None

    def districts_of(self, region_code: str) -> tuple[District, ...]:
        """Districts of one region, in file order."""
        return tuple(d for d in self.districts if d.region_code == region_code)

    def locality(self, locality_id: str) -> Locality:
        """The locality with ``locality_id``; raises UnknownLocalityError."""
        try:
            return self._locality_by_id[locality_id]
        except KeyError:
            raise UnknownLocalityError(msg("programme.lookup.unknown_locality", query=locality_id)) from None

    def localities(
        self,
        region_code: str | None = None,
        settlement_type: SettlementType | None = None,
        *,
        district_id: str | None = None,
        include_synthetic: bool = True,
    ) -> tuple[Locality, ...]:
        """Localities filtered by region, settlement type, district and synthetic flag."""
        return tuple(
            loc
            for loc in self.all_localities
            if (region_code is None or loc.region_code == region_code)
            and (settlement_type is None or loc.settlement_type == settlement_type)
            and (district_id is None or loc.district_id == district_id)
            and (include_synthetic or not loc.synthetic)
        )

    def summary(self) -> Mapping[str, int]:
        """Row counts per table, for logs and health pages."""
        return {
            "regions": len(self.regions),
            "districts": len(self.districts),
            "localities": len(self.all_localities),
            "programme_versions": len(self.versions),
            "programme_roles": len(self.roles),
        }


def _region(row: dict[str, str]) -> Region:
    kind = row["kind"]
    if kind not in ("region", "city"):
        raise ValueError(f"region {row['code']}: kind must be region or city, got {kind!r}")
    return Region(
        code=row["code"],
        kato=row["kato"],
        iso=row["iso"],
        iso_legacy=row["iso_legacy"],
        kind="region" if kind == "region" else "city",
        name_kk=row["name_kk"],
        name_kk_latn=row["name_kk_latn"],
        name_ru=row["name_ru"],
        name_en=row["name_en"],
        centre_kk=row["centre_kk"],
        centre_ru=row["centre_ru"],
        centre_en=row["centre_en"],
        valid_from=opt_date(row["valid_from"]),
        valid_to=opt_date(row["valid_to"]),
        population=opt_int(row["population"]),
        population_is_estimate=parse_bool(row["population_is_estimate"], "population_is_estimate"),
        source=row["source"],
    )



def _locality(row: dict[str, str]) -> Locality:
    return Locality(
        id=row["id"],
        region_code=row["region_code"],
        district_id=row["district_id"] or None,
        name_kk=row["name_kk"],
        name_kk_latn=row["name_kk_latn"],
        name_ru=row["name_ru"],
        name_en=row["name_en"],
        settlement_type=cast(
            SettlementType, parse_choice(row["settlement_type"], SETTLEMENT_TYPES, "settlement_type")
        ),
        is_urban=parse_bool(row["is_urban"], "is_urban"),
        population=int(row["population"]),
        population_is_estimate=parse_bool(row["population_is_estimate"], "population_is_estimate"),
        school=parse_bool(row["school"], "school"),
        kindergarten=parse_bool(row["kindergarten"], "kindergarten"),
        clinic=parse_bool(row["clinic"], "clinic"),
        hospital_km=float(row["hospital_km"]),
        heating=cast(Heating, parse_choice(row["heating"], HEATING_TYPES, "heating")),
        piped_water=parse_bool(row["piped_water"], "piped_water"),
        bus_link=parse_bool(row["bus_link"], "bus_link"),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        synthetic=parse_bool(row["synthetic"], "synthetic"),
        estimated_fields=frozenset(f for f in row["estimated_fields"].split(";") if f),
        source=row["source"],
    )



def load_reference(data_dir: Path | None = None) -> ReferenceData:
    """Load regions, aliases, districts, localities, programme versions and roles.

    Parameters
    ----------
    data_dir
        Folder holding ``regions.csv``, ``region_aliases.csv``, ``districts.csv``,
        ``localities.csv``, ``programme_versions.csv`` and ``programme_roles.csv``;
        defaults to the repository's ``data/``.

    Returns
    -------
    ReferenceData
        The tables with their lookups.

    Examples
    --------
    >>> ref = load_reference()
    >>> ref.region("Kostanai").name("en")
    'Kostanay Region'
    """
    root = data_dir or DEFAULT_DATA_DIR
    return ReferenceData(
        regions=(_region(row) for row in read_csv(root / "regions.csv")),
        aliases=(
            (row["alias"], row["region_code"]) for row in read_csv(root / "region_aliases.csv")
        ),
        districts=(
            District(
                id=row["id"],
                region_code=row["region_code"],
                name_kk=row["name_kk"],
                name_kk_latn=row["name_kk_latn"],
                name_ru=row["name_ru"],
                name_en=row["name_en"],
                centre_locality_id=row["centre_locality_id"],
                source=row["source"],
            )
            for row in read_csv(root / "districts.csv")
        ),
        localities=(_locality(row) for row in read_csv(root / "localities.csv")),
        versions=load_programme_versions(root),
        roles=(read_role(row) for row in read_csv(root / "programme_roles.csv")),
    )
