"""Quota allocation: households to options under quotas and capacities, with a proven gap.

Public entry points: :func:`build_instance`, :func:`allocate`, :func:`compare`,
:func:`apply_scenario`, :func:`generate_programme`.
"""

from __future__ import annotations

from matching.allocation.build import build_instance
from matching.allocation.instance import AllocationInstance, PriorityWeights
from matching.allocation.model import FairnessRule
from matching.allocation.solve import AllocationConfig, AllocationResult, allocate
from matching.allocation.synthetic import SyntheticProgramme, generate_programme

__all__ = [
    "AllocationConfig",
    "AllocationInstance",
    "AllocationResult",
    "FairnessRule",
    "PriorityWeights",
    "SyntheticProgramme",
    "allocate",
    "build_instance",
    "generate_programme",
]
