"""Domain model: households and their members, employers and vacancies, homes and localities.

Objects are frozen dataclasses validated on construction; a violation raises
:class:`DomainValidationError` carrying a Kazakh/Russian/English message. Categorical values
are plain strings from the tuples below so that they map one-to-one onto polars columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from matching.iin import InvalidIINError, parse_iin
from matching.text import Text, msg

Sex = Literal["M", "F"]
Relation = Literal["applicant", "spouse", "child", "parent", "sibling", "other"]
MaritalStatus = Literal["single", "married", "divorced", "widowed"]
# Ordered from least to most schooling; the order is used for "meets the requirement".
Education = Literal["none", "secondary", "vocational", "higher"]
EmploymentStatus = Literal[
    "employed", "unemployed", "jobseeker", "homemaker", "maternity_leave", "student", "retired",
    "child",
]  # fmt: skip
Category = Literal["resettler", "kandas"]
# Origin settlement classes follow the six classes of the survey (seed 000 T13): the two
# large-city classes are merged into ``large_city`` (republican cities) and
# ``regional_centre``; "large village" maps to ``township``.
OriginSettlement = Literal[
    "large_city", "regional_centre", "city", "district_centre", "township", "village"
]
DestinationSettlement = Literal["regional_centre", "city", "district_centre", "township", "village"]
Heating = Literal["central", "gas", "stove"]
Tenure = Literal["rent", "buy", "employer"]
HomeKind = Literal["accommodation_bed", "rental", "employer_flat", "built_for_migrants", "for_sale"]
LanguageLevel = Literal["basic", "conversational", "fluent", "native"]

SEXES: tuple[Sex, ...] = ("M", "F")
RELATIONS: tuple[Relation, ...] = ("applicant", "spouse", "child", "parent", "sibling", "other")
MARITAL_STATUSES: tuple[MaritalStatus, ...] = ("single", "married", "divorced", "widowed")
EDUCATION_LEVELS: tuple[Education, ...] = ("none", "secondary", "vocational", "higher")
EMPLOYMENT_STATUSES: tuple[EmploymentStatus, ...] = (
    "employed", "unemployed", "jobseeker", "homemaker", "maternity_leave", "student", "retired",
    "child",
)  # fmt: skip
CATEGORIES: tuple[Category, ...] = ("resettler", "kandas")
ORIGIN_SETTLEMENTS: tuple[OriginSettlement, ...] = (
    "large_city", "regional_centre", "city", "district_centre", "township", "village",
)  # fmt: skip
DESTINATION_SETTLEMENTS: tuple[DestinationSettlement, ...] = (
    "regional_centre", "city", "district_centre", "township", "village",
)  # fmt: skip
HEATING_TYPES: tuple[Heating, ...] = ("central", "gas", "stove")
TENURES: tuple[Tenure, ...] = ("rent", "buy", "employer")
HOME_KINDS: tuple[HomeKind, ...] = (
    "accommodation_bed", "rental", "employer_flat", "built_for_migrants", "for_sale",
)  # fmt: skip
LANGUAGE_LEVELS: tuple[LanguageLevel, ...] = ("basic", "conversational", "fluent", "native")
# Licences the scorer can require; a fixed list so that they fit a bit mask.
LICENCES: tuple[str, ...] = ("B", "C", "D", "CE", "tractor", "medical", "welding")
# Accommodation-centre stays are capped at 10 days (seed 000 Box 1).
ACCOMMODATION_MAX_DAYS = 10


class DomainValidationError(ValueError):
    """A domain object that cannot exist; ``text`` explains why in three languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def _fail(key: str, **values: object) -> DomainValidationError:
    """The error for catalogue message ``domain.invalid.<key>``."""
    return DomainValidationError(msg(f"domain.invalid.{key}", **values))


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise _fail("not_allowed", what=what, value=value, allowed=", ".join(allowed))


def _check_non_negative(value: float, what: str) -> None:
    if value < 0:
        raise _fail("negative", what=what, value=value)


def education_rank(level: str) -> int:
    """Position of ``level`` in :data:`EDUCATION_LEVELS` (higher means more schooling)."""
    return [str(e) for e in EDUCATION_LEVELS].index(level)


def licence_mask(licences: frozenset[str] | set[str] | tuple[str, ...]) -> int:
    """Bit mask of ``licences`` over :data:`LICENCES`."""
    mask = 0
    for lic in licences:
        _check_choice(lic, LICENCES, "licence")
        mask |= 1 << LICENCES.index(lic)
    return mask


@dataclass(frozen=True, slots=True)
class Experience:
    """An occupation a person can do and the years they have worked in it."""

    occupation: str  # taxonomy code ("Q2330.01") or 4-digit ISCO-08 unit group ("2330")
    years: float = 0.0
    documented: bool = True  # diploma or work record confirms it (seed 000 DM 2.1.2)

    def __post_init__(self) -> None:
        if not self.occupation.strip():
            raise _fail("empty_occupation")
        _check_non_negative(self.years, "years of experience")


@dataclass(frozen=True, slots=True)
class HealthNeeds:
    """Health or disability needs that shape where a person can live."""

    clinic: bool = False  # regular outpatient care
    hospital: bool = False  # needs a hospital within reach
    accessible_home: bool = False  # step-free, adapted home


@dataclass(frozen=True, slots=True)
class Member:
    """A person moving with the household (the applicant is a member too)."""

    relation: Relation
    age: int
    sex: Sex
    marital_status: MaritalStatus = "single"
    education: Education = "secondary"
    experience: tuple[Experience, ...] = ()
    skills: tuple[str, ...] = ()
    licences: frozenset[str] = frozenset()
    languages: tuple[tuple[str, LanguageLevel], ...] = ()
    employment_status: EmploymentStatus = "jobseeker"
    health: HealthNeeds = field(default_factory=HealthNeeds)

    def __post_init__(self) -> None:
        _check_choice(self.relation, RELATIONS, "relation")
        _check_choice(self.sex, SEXES, "sex")
        _check_choice(self.marital_status, MARITAL_STATUSES, "marital status")
        _check_choice(self.education, EDUCATION_LEVELS, "education")
        _check_choice(self.employment_status, EMPLOYMENT_STATUSES, "employment status")
        if self.age < 0 or self.age > 120:
            raise _fail("age_range", age=self.age)
        for lic in self.licences:
            _check_choice(lic, LICENCES, "licence")
        for _, level in self.languages:
            _check_choice(level, LANGUAGE_LEVELS, "language level")

    @property
    def seeks_work(self) -> bool:
        """Adults of working age who are not studying, retired or on maternity leave."""
        return 18 <= self.age < 64 and self.employment_status not in (
            "student", "retired", "child", "maternity_leave", "homemaker"
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the household asked for; empty tuples mean "no preference"."""

    regions: tuple[str, ...] = ()
    settlement_types: tuple[DestinationSettlement, ...] = ()
    tenure: Tenure = "rent"
    wants_land: bool = False  # land for farming or a household plot
    business_intent: bool = False

    def __post_init__(self) -> None:
        _check_choice(self.tenure, TENURES, "tenure")
        for st in self.settlement_types:
            _check_choice(st, DESTINATION_SETTLEMENTS, "settlement type")


@dataclass(frozen=True, slots=True)
class Household:
    """An application: the applicant and everyone moving together (never split)."""

    household_id: str
    iin: str  # the applicant's national ID
    members: tuple[Member, ...]
    origin_region: str
    origin_settlement: OriginSettlement
    origin_heating: Heating = "gas"
    category: Category = "resettler"
    citizen: bool = True
    years_in_origin: float = 5.0
    preferences: Preferences = field(default_factory=Preferences)
    debt_tenge: float = 0.0
    documents_complete: bool = True
    application_date: date = date(2023, 1, 15)
    origin_wage_tenge: float = 0.0  # current or last monthly wage of the main earner

    def __post_init__(self) -> None:
        if not self.members:
            raise _fail("no_members")
        applicants = [m for m in self.members if m.relation == "applicant"]
        if len(applicants) != 1:
            raise _fail("one_applicant", found=len(applicants))
        if applicants[0].age < 16:
            raise _fail("applicant_age")
        try:
            info = parse_iin(self.iin)
        except InvalidIINError as exc:
            raise DomainValidationError(exc.text) from None
        if info.sex != applicants[0].sex:
            raise _fail("iin_sex")
        _check_choice(self.origin_settlement, ORIGIN_SETTLEMENTS, "origin settlement")
        _check_choice(self.origin_heating, HEATING_TYPES, "origin heating")
        _check_choice(self.category, CATEGORIES, "category")
        _check_non_negative(self.years_in_origin, "years in origin region")
        _check_non_negative(self.debt_tenge, "debt")
        _check_non_negative(self.origin_wage_tenge, "origin wage")

    @property
    def applicant(self) -> Member:
        return next(m for m in self.members if m.relation == "applicant")

    @property
    def persons(self) -> int:
        return len(self.members)

    def children(self, low: int, high: int) -> int:
        """Members aged ``low`` to ``high`` inclusive."""
        return sum(1 for m in self.members if low <= m.age <= high)


@dataclass(frozen=True, slots=True)
class Employer:
    """An employer taking part in the programme."""

    employer_id: str
    name: str
    locality_id: str
    sector: str


@dataclass(frozen=True, slots=True)
class Vacancy:
    """A job offered under the programme; only qualified posts count toward it."""

    vacancy_id: str
    employer_id: str
    locality_id: str
    occupation: str
    wage_tenge: float
    required_education: Education = "secondary"
    required_licences: frozenset[str] = frozenset()
    required_skills: tuple[str, ...] = ()
    permanent: bool = True
    posts: int = 1
    employer_housing: bool = False
    qualified: bool = True  # unskilled posts do not count toward the programme (seed 000 §3.3.1)
    sector: str = "other"

    def __post_init__(self) -> None:
        _check_choice(self.required_education, EDUCATION_LEVELS, "required education")
        for lic in self.required_licences:
            _check_choice(lic, LICENCES, "licence")
        _check_non_negative(self.wage_tenge, "wage")
        if self.posts < 1:
            raise _fail("posts_min")


@dataclass(frozen=True, slots=True)
class Home:
    """A place to live in a destination locality."""

    home_id: str
    locality_id: str
    kind: HomeKind
    rooms: int
    capacity: int  # persons it can house
    rent_tenge: float = 0.0  # monthly rent (rental, employer flat)
    price_tenge: float = 0.0  # sale price (for_sale, built_for_migrants with redemption)
    condition: int = 3  # 1 unfit … 5 new
    heating: Heating = "central"
    piped_water: bool = True
    accessible: bool = False
    employer_id: str | None = None

    def __post_init__(self) -> None:
        _check_choice(self.kind, HOME_KINDS, "home kind")
        _check_choice(self.heating, HEATING_TYPES, "heating")
        if self.capacity < 1 or self.rooms < 0:
            raise _fail("home_capacity")
        if not 1 <= self.condition <= 5:
            raise _fail("condition_range")
        _check_non_negative(self.rent_tenge, "rent")
        _check_non_negative(self.price_tenge, "price")


@dataclass(frozen=True, slots=True)
class LocalityCapacity:
    """What a destination locality can offer this round, beyond its homes and jobs."""

    locality_id: str
    region_code: str
    settlement_type: DestinationSettlement
    is_urban: bool
    kindergarten_seats: int
    school_seats: int
    clinic: bool
    hospital_km: float
    heating: Heating
    piped_water: bool
    bus_link: bool
    land_plots: int = 0
    accommodation_beds: int = 0

    def __post_init__(self) -> None:
        _check_choice(self.settlement_type, DESTINATION_SETTLEMENTS, "settlement type")
        _check_choice(self.heating, HEATING_TYPES, "heating")
        for value, what in (
            (self.kindergarten_seats, "kindergarten seats"),
            (self.school_seats, "school seats"),
            (self.hospital_km, "hospital distance"),
            (self.land_plots, "land plots"),
            (self.accommodation_beds, "accommodation beds"),
        ):
            _check_non_negative(value, what)
        if self.accommodation_beds and self.settlement_type != "regional_centre":
            # Accommodation centres exist only in regional centres (seed 000 §3.4.2).
            raise _fail("centre_regional_only")


@dataclass(frozen=True, slots=True)
class Option:
    """One way to settle a household: a locality, a home and a job (plus a second job)."""

    locality_id: str
    home_id: str
    vacancy_id: str
    second_vacancy_id: str | None = None
