"""Default weights and scoring parameters, per programme version (evidence in docs/scoring.md).

Weights follow the survey evidence summarized in the research brief (seed 000 §6.2):
employment and housing dominate, settlement continuity and family services come next, then
network, land, climate, wage and stated preferences. A component that does not apply to a
household (no children, no second earner, no stated preference) gets weight 0 and the total
is renormalized over the components that do apply.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matching.domain import DESTINATION_SETTLEMENTS, HOME_KINDS, ORIGIN_SETTLEMENTS, TENURES

COMPONENTS: tuple[str, ...] = (
    "occupation", "second_earner", "housing", "settlement", "family_services",
    "wage", "preferences", "climate", "network", "land", "retention",
)  # fmt: skip
GATES: tuple[str, ...] = ("eligibility", "documents", "destination", "household_intact",
                          "qualified_member", "home_fits")  # fmt: skip

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "occupation": 0.30,  # S1 0.35 in the brief, minus the second-earner share below
        "second_earner": 0.05,
        "housing": 0.25,  # S2
        "settlement": 0.12,  # S3
        "family_services": 0.10,  # S4
        "network": 0.08,  # S5
        "land": 0.05,  # S6, only when the household wants land or a farm
        "climate": 0.05,  # S7
        "wage": 0.05,  # wage against the origin wage (no northern premium, DM 2.3.1)
        "preferences": 0.05,  # stated regions and settlement types
        # Predicted 12-month retention of a fitted model (matching.outcomes.retention); off
        # unless the programme version sets a weight (data/retention_weights.toml) and a
        # model is given.
        "retention": 0.0,
    }
)
RETENTION_WEIGHTS_FILE = Path(__file__).resolve().parents[2] / "data" / "retention_weights.toml"


class RetentionPredictor(Protocol):
    """A fitted model of 12-month retention (see :mod:`matching.outcomes.retention`)."""

    def predict_retention(
        self, features: Mapping[str, npt.NDArray[np.float64]], region_codes: npt.NDArray[np.object_]
    ) -> npt.NDArray[np.float64]:
        """P(still in the destination 12 months after placement) per option."""
        ...


def retention_weight(programme_version: str, path: Path | None = None) -> float:
    """The retention component's weight of a programme version (0 when not listed)."""
    file = path or RETENTION_WEIGHTS_FILE
    if not file.exists():
        return 0.0
    with file.open("rb") as fh:
        table = tomllib.load(fh).get("retention_weight", {})
    return float(table.get(programme_version, 0.0))

# Settlement-type continuity: rows = origin class (ORIGIN_SETTLEMENTS), columns = destination
# type (DESTINATION_SETTLEMENTS). Large city → village is the hardest move, small town ↔
# district centre the easiest (seed 000 T41, §3.5.1); values are a judgement (estimate).
SETTLEMENT_CONTINUITY = np.array(
    [
        # regional_centre, city, district_centre, township, village
        [0.85, 0.60, 0.40, 0.25, 0.10],  # large_city
        [1.00, 0.80, 0.55, 0.35, 0.20],  # regional_centre
        [0.85, 1.00, 1.00, 0.70, 0.45],  # city (small / medium town)
        [0.70, 1.00, 1.00, 0.85, 0.65],  # district_centre
        [0.55, 0.75, 0.90, 1.00, 0.90],  # township (large village)
        [0.45, 0.60, 0.80, 0.95, 1.00],  # village
    ],
    dtype=np.float64,
)

# How well a kind of home serves the tenure the household asked for; rows = TENURES,
# columns = HOME_KINDS. Built-for-migrants houses come with lease-and-redemption, so they
# half-serve buyers too (S003). Judgement values (estimate).
TENURE_MATCH = np.array(
    [
        # accommodation_bed, rental, employer_flat, built_for_migrants, for_sale
        [0.0, 1.00, 0.80, 0.85, 0.40],  # rent
        [0.0, 0.40, 0.40, 0.85, 1.00],  # buy (housing certificate)
        [0.0, 0.60, 1.00, 0.80, 0.30],  # employer housing
    ],
    dtype=np.float64,
)

assert SETTLEMENT_CONTINUITY.shape == (len(ORIGIN_SETTLEMENTS), len(DESTINATION_SETTLEMENTS))
assert TENURE_MATCH.shape == (len(TENURES), len(HOME_KINDS))


@dataclass(frozen=True)
class ScoringConfig:
    """Every parameter of the fit score for one programme version and year.

    Attributes
    ----------
    weights
        Base weight of each component (see :data:`COMPONENTS`).
    origin_regions, destination_regions
        Region codes with each role in the programme version (eligibility gates).
    min_similarity
        Occupation similarity a member needs to qualify for a vacancy (hard gate H3).
    occupation_exponent, housing_exponent
        The weighted mean is multiplied by ``occupation**a · housing**b`` so that soft
        factors cannot rescue a poor job or home match (seed 000 §6.2 "additional rules").
    rent_subsidy_monthly
        Monthly rent support in tenge, shape ``(2, 11)``: [rural, urban] × household size
        0..10 (10 stands for 10 and more).
    certificate_cap_tenge, certificate_share
        Housing certificate: at most this amount and this share of the price (0 = none).
    retention_model
        A fitted retention model; the ``retention`` component counts only when one is given
        (and its weight is above 0).
    """

    programme_version: str = "strong_regions_2022"
    year: int = 2023
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    origin_regions: frozenset[str] = frozenset(
        {"19", "31", "33", "43", "47", "61", "71", "75", "79"}
    )
    destination_regions: frozenset[str] = frozenset(
        {"10", "11", "35", "39", "55", "59", "62", "63"}
    )
    min_years_in_origin: float = 1.0
    min_similarity: float = 0.5
    occupation_exponent: float = 0.5
    housing_exponent: float = 0.25
    vulnerable_multiplier: float = 1.5
    full_experience_years: float = 5.0
    rent_burden_limit: float = 0.4  # net rent above 40 % of household wages scores 0
    purchase_income_months: float = 36.0  # own share of a purchase above 3 years of wages scores 0
    hospital_ok_km: float = 10.0
    hospital_far_km: float = 100.0
    network_scale: float = 5.0  # movers at which the network value reaches 1 − e⁻¹
    wage_ratio_zero: float = 0.6
    wage_ratio_full: float = 1.2
    rent_subsidy_monthly: npt.NDArray[np.float64] = field(
        default_factory=lambda: _flat_rent_table(3450)
    )
    certificate_cap_tenge: float = 4_000_000.0
    certificate_share: float = 0.5
    retention_model: RetentionPredictor | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown score components: {sorted(unknown)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must be non-negative")

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 0.0))

    def with_weights(self, **weights: float) -> ScoringConfig:
        """A copy with some weights replaced."""
        return replace(self, weights={**self.weights, **weights})


def _flat_rent_table(mci: int) -> npt.NDArray[np.float64]:
    # Fallback bands from S001 §4.1: rural 15 → 21 MCI and urban 20 → 30 MCI from one person
    # to five and more; sizes 2–4 interpolated (estimate). Used when no support parameters.
    sizes = np.clip(np.arange(11), 1, 5)
    rural = 15 + (sizes - 1) * (21 - 15) / 4
    urban = 20 + (sizes - 1) * (30 - 20) / 4
    return np.vstack([rural, urban]) * mci


def default_config(
    programme_version: str | None = None,
    year: int = 2023,
    *,
    reference: object | None = None,
    support: object | None = None,
    **overrides: object,
) -> ScoringConfig:
    """The scoring configuration for a programme version and year.

    Region roles come from :mod:`matching.programme.geography` and rent bands and the housing
    certificate from :mod:`matching.programme.support`, loaded from ``data/`` unless given.

    Parameters
    ----------
    programme_version
        ``None`` picks the default version for ``year``.
    year
        Programme year (drives the MCI and which measures exist).
    reference, support
        Already loaded ``ReferenceData`` / ``SupportParameters`` (optional).
    **overrides
        Any :class:`ScoringConfig` field.
    """
    from matching.programme.geography import ReferenceData, load_reference
    from matching.programme.support import (
        SupportParameters,
        estimate_support,
        load_support_parameters,
    )

    ref = reference if isinstance(reference, ReferenceData) else load_reference()
    version = programme_version or ref.default_programme_version(year).programme_version
    origins = frozenset(r.code for r in ref.regions_with_role(version, "origin"))
    destinations = frozenset(r.code for r in ref.regions_with_role(version, "destination"))
    params = support if isinstance(support, SupportParameters) else load_support_parameters()

    table = np.zeros((2, 11), dtype=np.float64)
    cert_cap = 0.0
    for urban in (0, 1):
        for size in range(1, 11):
            package = estimate_support(
                params, household_size=size, is_urban=bool(urban), year=year,
                programme_version=version, home_price_tenge=10**10,
            )  # fmt: skip
            rent = package.line("rent_subsidy")
            table[urban, size] = (rent.tenge / 12.0) if rent else 0.0
            cert = package.line("housing_certificate")
            if cert is not None:
                cert_cap = max(cert_cap, float(cert.tenge))
    table[:, 0] = table[:, 1]
    weights = {**DEFAULT_WEIGHTS, "retention": retention_weight(version)}
    fields: dict[str, object] = {
        "weights": weights,
        "programme_version": version,
        "year": year,
        "origin_regions": origins,
        "destination_regions": destinations,
        "rent_subsidy_monthly": table,
        "certificate_cap_tenge": cert_cap,
    }
    fields.update(overrides)
    return ScoringConfig(**fields)  # type: ignore[arg-type]
