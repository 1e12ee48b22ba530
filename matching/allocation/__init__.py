"""Quota allocation: households to options under quotas and capacities, with a proven gap.

Public entry points: :func:`build_instance`, :func:`allocate`, :func:`compare`,
:func:`apply_scenario`; synthetic batches are in
:mod:`matching.synthetic.batch`.
"""

from __future__ import annotations

from matching.allocation.build import build_instance
from matching.allocation.instance import AllocationInstance, PriorityWeights
from matching.allocation.model import FairnessRule
from matching.allocation.solve import AllocationConfig, AllocationResult, allocate

__all__ = [
    "AllocationConfig",
    "AllocationInstance",
    "AllocationResult",
    "FairnessRule",
    "PriorityWeights",
    "allocate",
    "build_instance",
]
