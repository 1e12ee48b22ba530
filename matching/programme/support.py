"""State support for a relocating household: relocation, rent, employer and housing measures.

Amounts are stored in MCI (the monthly calculation index, МРП/АЕК) wherever the sources give
them in MCI, so they follow the index from year to year; ``data/support/mci.csv`` holds the
index and ``data/support/measures.csv`` the measures per programme version and year. Sources
and estimates are listed in ``data/README.md``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from matching.programme.files import DEFAULT_DATA_DIR
from matching.programme.versions import ProgrammeVersion, load_programme_versions
from matching.text import Text, msg
from matching.text.catalogue import catalogue

PaidTo = Literal["household", "employer"]
Settlement = Literal["urban", "rural", "any"]

# The rent band for "5 or more persons" is the last band; larger households get it too.
_OPEN_ENDED = 10_000


class SupportError(ValueError):
    """A support estimate that cannot be made; ``text`` says why in kk/ru/en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class MciNotFoundError(SupportError):
    """No MCI value is known for the year (or date) asked for."""


class HouseholdError(SupportError):
    """Household size, hired members or home price out of range."""


class UnknownProgrammeVersionError(SupportError):
    """The programme version is unknown, or it does not cover the year."""


# Every text a person reads is the catalogue's programme.support.* (programme.toml).
def _error(key: str, **values: object) -> Text:
    return msg(f"programme.support.error.{key}", **values)


def _label(code: str) -> Text:
    return msg(f"programme.support.label.{code}")


def _basis(key: str, **values: object) -> Text:
    return msg(f"programme.support.basis.{key}", **values)


@dataclass(frozen=True, slots=True)
class MciRate:
    """The MCI in tenge from ``valid_from`` until the next rate."""

    year: int
    valid_from: date
    tenge: int
    is_estimate: bool
    source: str


@dataclass(frozen=True, slots=True)
class Measure:
    """One row of ``measures.csv``: a support parameter for a version, years and household."""

    programme_version: str
    measure: str
    year_from: int
    year_to: int | None
    settlement: Settlement
    household_size_min: int
    household_size_max: int | None
    per: str
    unit: str
    value: float
    requires: frozenset[str]
    is_estimate: bool
    paid_to: PaidTo
    source: str
    note: str

    def applies(self, year: int, is_urban: bool, household_size: int) -> bool:
        """Whether this row applies to ``year``, the settlement kind and the household size."""
        in_years = self.year_from <= year and (self.year_to is None or year <= self.year_to)
        place = "urban" if is_urban else "rural"
        in_place = self.settlement in ("any", place)
        top = self.household_size_max if self.household_size_max is not None else _OPEN_ENDED
        return in_years and in_place and self.household_size_min <= household_size <= top


@dataclass(frozen=True, slots=True)
class SupportLine:
    """One itemized support line; ``mci`` is the line's total in MCI when MCI-based."""

    code: str
    label: Text
    tenge: int
    basis: Text
    paid_to: PaidTo
    mci: float | None = None
    is_estimate: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True)
class SupportPackage:
    """The itemized support for one household option, with totals per recipient."""

    lines: tuple[SupportLine, ...]
    total_household_tenge: int
    total_employer_tenge: int
    mci_tenge: int
    programme_version: str
    year: int
    notes: tuple[Text, ...] = ()

    @property
    def total_tenge(self) -> int:
        """Household and employer support together."""
        return self.total_household_tenge + self.total_employer_tenge

    def line(self, code: str) -> SupportLine | None:
        """The line with ``code``, if granted."""
        return next((ln for ln in self.lines if ln.code == code), None)


@dataclass(frozen=True)
class SupportParameters:
    """MCI rates, measures and programme versions as loaded from ``data/``."""

    rates: tuple[MciRate, ...]
    measures: tuple[Measure, ...]
    versions: tuple[ProgrammeVersion, ...]
    _by_version: dict[str, ProgrammeVersion] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_version", {v.programme_version: v for v in self.versions})

    def mci(self, year: int, on: date | None = None) -> MciRate:
        """The MCI rate of ``year``: the annual-law value, or the rate in force ``on`` a date.

        Raises
        ------
        MciNotFoundError
            No rate is known for the year.
        """
        if on is not None and on.year != year:
            raise MciNotFoundError(_error("bad_date", day=on.isoformat(), year=year))
        of_year = sorted((r for r in self.rates if r.year == year), key=lambda r: r.valid_from)
        if not of_year:
            raise MciNotFoundError(_error("no_mci", year=year))
        if on is None:
            return of_year[0]
        in_force = [r for r in of_year if r.valid_from <= on]
        return in_force[-1] if in_force else of_year[0]

    def version(self, year: int, programme_version: str | None = None) -> ProgrammeVersion:
        """The named version (checked to cover ``year``) or the default version for the year."""
        if programme_version is None:
            covering = [v for v in self.versions if v.is_default and v.covers(year)]
            if not covering:
                raise UnknownProgrammeVersionError(_error("no_default", year=year))
            return max(covering, key=lambda v: v.year_from)
        found = self._by_version.get(programme_version)
        if found is None:
            raise UnknownProgrammeVersionError(_error("unknown_version", version=programme_version))
        if not found.covers(year):
            raise UnknownProgrammeVersionError(
                _error("version_year", version=programme_version, year=year)
            )
        return found

    def measure(
        self, version: str, name: str, year: int, is_urban: bool, household_size: int
    ) -> Measure | None:
        """The row for measure ``name``, looked up in ``version`` and then in its parents."""
        current: str | None = version
        while current is not None:
            for m in self.measures:
                if (
                    m.programme_version == current
                    and m.measure == name
                    and m.applies(year, is_urban, household_size)
                ):
                    return m
            parent = self._by_version.get(current)
            current = parent.parent_version if parent is not None else None
        return None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _bool(value: str) -> bool:
    if value not in ("true", "false"):
        raise ValueError(f"expected true or false, got {value!r}")
    return value == "true"


def _settlement(value: str) -> Settlement:
    if value == "urban":
        return "urban"
    if value == "rural":
        return "rural"
    if value == "any":
        return "any"
    raise ValueError(f"settlement must be urban, rural or any, got {value!r}")


def _paid_to(value: str) -> PaidTo:
    if value == "household":
        return "household"
    if value == "employer":
        return "employer"
    raise ValueError(f"paid_to must be household or employer, got {value!r}")


def load_support_parameters(data_dir: Path | None = None) -> SupportParameters:
    """Read ``support/mci.csv``, ``support/measures.csv`` and ``programme_versions.csv``.

    Parameters
    ----------
    data_dir
        The reference-data folder; defaults to the repository's ``data/``.

    Returns
    -------
    SupportParameters
        The parameters the calculator needs.

    Examples
    --------
    >>> params = load_support_parameters()
    >>> params.mci(2023).tenge
    3450
    """
    root = data_dir or DEFAULT_DATA_DIR
    rates = tuple(
        MciRate(
            year=int(row["year"]),
            valid_from=date.fromisoformat(row["valid_from"]),
            tenge=int(row["mci_tenge"]),
            is_estimate=_bool(row["is_estimate"]),
            source=row["source"],
        )
        for row in _read_csv(root / "support" / "mci.csv")
    )
    measures = tuple(
        Measure(
            programme_version=row["programme_version"],
            measure=row["measure"],
            year_from=int(row["year_from"]),
            year_to=int(row["year_to"]) if row["year_to"] else None,
            settlement=_settlement(row["settlement"]),
            household_size_min=int(row["household_size_min"]),
            household_size_max=int(row["household_size_max"])
            if row["household_size_max"]
            else None,
            per=row["per"],
            unit=row["unit"],
            value=float(row["value"]),
            requires=frozenset(r for r in row["requires"].split(";") if r),
            is_estimate=_bool(row["is_estimate"]),
            paid_to=_paid_to(row["paid_to"]),
            source=row["source"],
            note=row["note"],
        )
        for row in _read_csv(root / "support" / "measures.csv")
    )
    return SupportParameters(rates=rates, measures=measures, versions=load_programme_versions(root))


def mci_tenge(value: float, mci: int, count: int = 1) -> int:
    """``value`` MCI × ``mci`` ₸ × ``count``, rounded half up to whole tenge.

    Exact rational arithmetic keeps half-MCI bands (e.g. 22.5 MCI) from drifting.

    Examples
    --------
    >>> mci_tenge(70, 3450, 4)
    966000
    """
    exact = Fraction(str(value)) * mci * count
    return math.floor(exact + Fraction(1, 2))


def _fmt(n: float, lang: str) -> str:
    text = f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def _num(n: float) -> str:
    return f"{n:g}"


def _money(n: float) -> Text:
    """``n`` written the way each language writes numbers."""
    return Text.each(partial(_fmt, n))


def _check_household(household_size: int) -> None:
    if household_size < 1:
        raise HouseholdError(_error("bad_size", size=household_size))


def estimate_support(
    params: SupportParameters,
    *,
    household_size: int,
    is_urban: bool,
    year: int,
    programme_version: str | None = None,
    hired_members: int = 0,
    employer_provides_housing: bool = False,
    employment_permanent: bool = True,
    home_price_tenge: int | None = None,
    mci_date: date | None = None,
) -> SupportPackage:
    """Itemize the state support a household (and its employer) would receive.

    Parameters
    ----------
    params
        From :func:`load_support_parameters`.
    household_size
        Persons moving (the applicant and each family member), at least 1.
    is_urban
        Whether the destination locality is urban (the rent bands differ).
    year
        The year of the move; selects the MCI and the measures.
    programme_version
        A version from ``programme_versions.csv``; default: the documented default for
        ``year``.
    hired_members
        Household members hired by an employer under the programme (employer subsidy).
    employer_provides_housing, employment_permanent
        Conditions of the employer subsidy (which ones apply depends on the version).
    home_price_tenge
        Price of a home to buy; when given, the housing certificate is estimated.
    mci_date
        A date within ``year`` to use the MCI in force that day instead of the annual-law
        value (the MCI changed mid-year in 2020 and 2022).

    Returns
    -------
    SupportPackage
        Lines and totals; ``notes`` says why a requested measure was not granted.

    Raises
    ------
    HouseholdError, MciNotFoundError, UnknownProgrammeVersionError
        All are ``ValueError`` subclasses carrying a trilingual ``text``.

    Examples
    --------
    >>> params = load_support_parameters()
    >>> pkg = estimate_support(params, household_size=4, is_urban=False, year=2023)
    >>> pkg.line("relocation_subsidy").tenge
    966000
    """
    _check_household(household_size)
    if not 0 <= hired_members <= household_size:
        raise HouseholdError(_error("bad_hired", size=household_size, hired=hired_members))
    if home_price_tenge is not None and home_price_tenge < 0:
        raise HouseholdError(_error("bad_price", price=home_price_tenge))
    version = params.version(year, programme_version)
    name = version.programme_version
    rate = params.mci(year, mci_date)
    mci = rate.tenge
    money = _money(mci)
    lines: list[SupportLine] = []
    notes: list[Text] = []

    reloc = params.measure(name, "relocation_subsidy", year, is_urban, household_size)
    if reloc is not None:
        lines.append(
            SupportLine(
                code="relocation_subsidy",
                label=_label("relocation_subsidy"),
                mci=reloc.value * household_size,
                tenge=mci_tenge(reloc.value, mci, household_size),
                basis=_basis("relocation",
                    value=_money(reloc.value), size=household_size, mci=money
                ),
                paid_to=reloc.paid_to,
                is_estimate=reloc.is_estimate or rate.is_estimate,
                source=reloc.source,
            )
        )

    rent = params.measure(name, "rent_subsidy", year, is_urban, household_size)
    months = params.measure(name, "rent_subsidy_months", year, is_urban, household_size)
    if rent is not None and months is not None:
        n_months = int(months.value)
        place = msg(f"programme.support.place.{'urban' if is_urban else 'rural'}")
        lines.append(
            SupportLine(
                code="rent_subsidy",
                label=_label("rent_subsidy"),
                mci=rent.value * n_months,
                tenge=mci_tenge(rent.value, mci, n_months),
                basis=_basis("rent",
                    months=n_months,
                    value=_money(rent.value),
                    size=household_size,
                    place=place,
                    mci=money,
                ),
                paid_to=rent.paid_to,
                is_estimate=rent.is_estimate or rate.is_estimate,
                source=rent.source,
            )
        )

    if hired_members > 0:
        employer = params.measure(name, "employer_hiring_subsidy", year, is_urban, household_size)
        if employer is not None:
            met = {
                "permanent_employment": employment_permanent,
                "employer_housing": employer_provides_housing,
            }
            missing = sorted(c for c in employer.requires if not met.get(c, False))
            not_granted = catalogue().under("programme.support.not_granted")
            if missing:
                notes.extend(not_granted[c] for c in missing if c in not_granted)
            else:
                lines.append(
                    SupportLine(
                        code="employer_hiring_subsidy",
                        label=_label("employer_hiring_subsidy"),
                        mci=employer.value * hired_members,
                        tenge=mci_tenge(employer.value, mci, hired_members),
                        basis=_basis("employer",
                            value=_money(employer.value), hired=hired_members, mci=money
                        ),
                        paid_to=employer.paid_to,
                        is_estimate=employer.is_estimate or rate.is_estimate,
                        source=employer.source,
                    )
                )

    if home_price_tenge is not None:
        cap = params.measure(name, "housing_certificate_cap", year, is_urban, household_size)
        share = params.measure(name, "housing_certificate_share", year, is_urban, household_size)
        if cap is None:
            notes.append(msg("programme.support.note.no_certificate", year=year, version=name))
        else:
            share_value = share.value if share is not None else 1.0
            by_share = mci_tenge(share_value, home_price_tenge)
            lines.append(
                SupportLine(
                    code="housing_certificate",
                    label=_label("housing_certificate"),
                    tenge=min(int(cap.value), by_share),
                    basis=_basis("certificate",
                        share_pct=_num(share_value * 100),
                        price=_money(home_price_tenge),
                        cap=_money(cap.value),
                    ),
                    paid_to=cap.paid_to,
                    is_estimate=cap.is_estimate or (share is not None and share.is_estimate),
                    source=cap.source,
                )
            )

    return SupportPackage(
        lines=tuple(lines),
        total_household_tenge=sum(ln.tenge for ln in lines if ln.paid_to == "household"),
        total_employer_tenge=sum(ln.tenge for ln in lines if ln.paid_to == "employer"),
        mci_tenge=mci,
        programme_version=name,
        year=year,
        notes=tuple(notes),
    )


def relocation_and_rent_tenge(
    params: SupportParameters,
    sizes: npt.ArrayLike,
    is_urban: npt.ArrayLike,
    year: int,
    programme_version: str | None = None,
    *,
    mci_date: date | None = None,
) -> npt.NDArray[np.int64]:
    """Relocation plus 12-month rent support in tenge for many household options at once.

    Equal, element by element, to the sum of the ``relocation_subsidy`` and ``rent_subsidy``
    lines of :func:`estimate_support`; built from small per-size tables, then gathered with
    numpy fancy indexing, so it costs O(n) array work for n options.

    Parameters
    ----------
    params
        From :func:`load_support_parameters`.
    sizes
        Household sizes (integers ≥ 1), any shape.
    is_urban
        Booleans broadcastable to ``sizes``.
    year, programme_version, mci_date
        As in :func:`estimate_support`.

    Returns
    -------
    numpy.ndarray of int64
        Household support in tenge, shaped like the broadcast of the inputs.

    Examples
    --------
    >>> params = load_support_parameters()
    >>> relocation_and_rent_tenge(params, [1, 4], [True, False], 2023).tolist()
    [1069500, 1773300]
    """
    size_arr, urban_arr = np.broadcast_arrays(
        np.asarray(sizes, dtype=np.int64), np.asarray(is_urban, dtype=bool)
    )
    if size_arr.size == 0:
        return np.zeros(size_arr.shape, dtype=np.int64)
    smallest = int(size_arr.min())
    _check_household(smallest)
    version = params.version(year, programme_version).programme_version
    mci = params.mci(year, mci_date).tenge
    table = _size_table(params, version, year, mci, int(size_arr.max()))
    return table[urban_arr.astype(np.int64), size_arr]


# Tables already built, by (parameters, version, year, MCI, largest size): a request for the
# best localities needs one, and building it reads the measures 2 × size times.
_TABLES: dict[tuple[int, str, int, int, int], tuple[SupportParameters, npt.NDArray[np.int64]]] = {}


def _size_table(
    params: SupportParameters, version: str, year: int, mci: int, top: int
) -> npt.NDArray[np.int64]:
    """Relocation plus rent support by (urban, household size), sizes 0 (unused) to ``top``."""
    key = (id(params), version, year, mci, top)
    known = _TABLES.get(key)
    if known is not None and known[0] is params:
        return known[1]
    table = np.zeros((2, top + 1), dtype=np.int64)
    for urban in (False, True):
        table[int(urban), 1:] = [
            _relocation_and_rent(params, version, year, urban, size, mci)
            for size in range(1, top + 1)
        ]
    table.flags.writeable = False
    if len(_TABLES) > 256:
        _TABLES.clear()
    _TABLES[key] = (params, table)
    return table


def _relocation_and_rent(
    params: SupportParameters, version: str, year: int, is_urban: bool, size: int, mci: int
) -> int:
    total = 0
    reloc = params.measure(version, "relocation_subsidy", year, is_urban, size)
    if reloc is not None:
        total += mci_tenge(reloc.value, mci, size)
    rent = params.measure(version, "rent_subsidy", year, is_urban, size)
    months = params.measure(version, "rent_subsidy_months", year, is_urban, size)
    if rent is not None and months is not None:
        total += mci_tenge(rent.value, mci, int(months.value))
    return total
