"""The planner's "start a run" form: its fields become a run request, checked by the API's
own validation; every problem lands next to its field, in the page language.

Empty boxes mean "not given" (the API's default, or its "missing" message for the year);
no region or category ticked means all of them, as in the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.allocation import runs
from api.allocation.requests import validate_request
from api.allocation.schemas import RunIn
from api.core.problems import ProblemException
from api.web.forms import FormState, field_name
from api.web.templates import translate
from matching.programme.geography import ReferenceData
from matching.text import Lang, Text
from matching.text.catalogue import catalogue


def submit(
    session: Session,
    reference: ReferenceData,
    fields: dict[str, str],
    ticked: dict[str, list[str]],
    *,
    by: str,
    lang: Lang,
    scenario_root: Path,
    actor: Any = None,
) -> tuple[FormState, str | None]:
    """(the form with its errors, the queued run's id or None)."""

    def t(key: str, **values: Any) -> str:
        return translate(lang, key, **values)

    source = "scenario" if fields["source"] == "scenario" else "live"
    form = FormState(
        {**fields, "source": source, "deterministic": "on" if fields["deterministic"] else ""}
    )
    data: dict[str, Any] = {"name": fields["name"], "deterministic": bool(fields["deterministic"])}
    for key in ("region_codes", "categories"):
        if ticked[key]:
            data[key] = ticked[key]
    for key in NUMBERS:
        if fields[key].strip():
            data[key] = fields[key].strip()
    if source == "scenario":
        folder = fields["scenario_dir"].strip()
        if not folder:
            form.add("scenario_dir", t("planner.start.need_scenario"))
        data["scenario_dir"] = folder or None
    try:
        body = RunIn.model_validate(data)
    except ValidationError as exc:
        _word_types(form, list(exc.errors()), t)
        form.add_validation(exc, lang)
        # The API's range checks on what did parse, so one answer shows every problem.
        parsed = {k: _number(v) for k, v in data.items() if k in NUMBERS}
        checks = validate_request(
            session, reference, {k: v for k, v in parsed.items() if v is not None}
        )
        _word_types(form, checks, t)
        for err in checks:
            text = err["msg"]
            form.add(
                field_name(err["loc"]), text.get(lang) if isinstance(text, Text) else str(text)
            )
        return form, None
    if form.errors:
        return form, None
    try:
        run_id = runs.start_run(
            session, reference, body, by=by, scenario_root=scenario_root, actor=actor
        )
    except ProblemException as exc:
        _word_types(form, list(exc.errors or []), t)
        form.add_problem(exc, lang)
        return form, None
    return form, run_id


NUMBERS = ("year", "time_limit", "options_per_household")


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _word_types(form: FormState, errors: list[Any], t: Any) -> None:
    # The API words its checks in English; the planner's catalogue has a sentence per type
    # (set first: the shared wording then keeps it, and covers the other types).
    messages = catalogue()
    for err in errors:
        key = f"planner.field.{err.get('type')}"
        if key in messages:
            form.add(field_name(err.get("loc", ())), t(key))
