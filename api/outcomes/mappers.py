"""Checks of an outcome against its household: the same rules for the routes and the import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.core.validation import FieldError
from api.models.outcomes import RETURN_REASONS
from matching.text import msg

EMPLOYED = ("employed_3m", "employed_6m", "employed_12m")
FIELDS = (*EMPLOYED, "still_resident", "returned", "returned_on", "return_reason", "note")


def validate_outcome(
    values: dict[str, Any], *, members: int, placed_on: dt.date | None, today: dt.date
) -> dict[str, Any]:
    """The columns to store, or :class:`FieldError` naming the first field that is wrong.

    ``values`` has the body's field names (missing ones are unknown); ``members`` is the
    household's size, ``placed_on`` the day its placement was committed (None: not placed).
    """
    out = {name: values.get(name) for name in FIELDS}
    out["returned"] = bool(out["returned"])
    for name in EMPLOYED:
        count = out[name]
        if count is not None and count > members:
            raise FieldError((name,), msg("outcomes.too_many_employed", n=members))
    if out["return_reason"] is not None and out["return_reason"] not in RETURN_REASONS:
        raise FieldError(("return_reason",), msg("outcomes.bad_reason"))
    if out["returned"]:
        if out["return_reason"] is None:
            raise FieldError(("return_reason",), msg("outcomes.reason_required"))
        if out["returned_on"] is None:
            raise FieldError(("returned_on",), msg("outcomes.date_required"))
        if out["still_resident"]:
            raise FieldError(("still_resident",), msg("outcomes.resident_and_returned"))
        if out["returned_on"] > today:
            raise FieldError(("returned_on",), msg("outcomes.date_in_future"))
        if placed_on is not None and out["returned_on"] < placed_on:
            raise FieldError(
                ("returned_on",), msg("outcomes.date_before_move", placed=placed_on.isoformat())
            )
    else:
        for name in ("returned_on", "return_reason"):
            if out[name] is not None:
                raise FieldError((name,), msg("outcomes.only_when_returned"))
    return out
