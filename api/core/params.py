"""Bounded integers for path and query parameters.

Database ids and integer filters are 64-bit in SQLite and PostgreSQL: a larger number in a
URL must be a 422 problem, not an ``OverflowError`` from the driver (a 500).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1

IdPath = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="Database id.")]
