"""Bounded integers for path and query parameters.

Integer filters are 64-bit in SQLite and PostgreSQL: a larger number in a URL must be a 422
problem, not an ``OverflowError`` from the driver (a 500). Row ids are ``INTEGER`` columns,
32-bit in PostgreSQL, so an id past 2**31 - 1 is a 422 too (it would be a driver error there).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1

ID_MAX = 2**31 - 1

IdPath = Annotated[int, Path(ge=1, le=ID_MAX, description="Database id.")]
