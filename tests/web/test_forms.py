"""Validation errors become per-field messages in the page language; input is kept."""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from api.core.problems import ProblemException
from api.web.forms import FormState
from matching.text import Text, msg


class _Body(BaseModel):
    name: str = Field(min_length=2)
    persons: int


def test_pydantic_errors_are_worded_from_the_catalogue_per_field() -> None:
    form = FormState.of({"name": "A", "persons": "many", "password": "hunter2"})
    try:
        _Body.model_validate(form.values)
    except ValidationError as exc:
        form.add_validation(exc, "kk")
    assert form.errors == {
        "name": msg("pages.field.string_too_short").kk,
        "persons": msg("pages.field.int_parsing").kk,
    }
    assert form.value("name") == "A" and "password" not in form.values


def test_problem_errors_keep_the_apis_texts_and_detail() -> None:
    problem = ProblemException(
        422,
        Text(kk="ЖСН қате", ru="ИИН неверен", en="The IIN is wrong"),
        errors=[{"loc": ["body", "members", 0, "iin"], "msg": "bad checksum", "type": "iin"}],
    )
    form = FormState.of({})
    form.add_problem(problem, "ru")
    assert form.errors == {"members.0.iin": "bad checksum"}
    assert form.summary == "ИИН неверен"
