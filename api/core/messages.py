"""Field messages of request validation in kk/ru/en, by pydantic error type.

FastAPI's 422 lists pydantic's English messages ("Field required"); the problem's detail was
translated but each field's ``msg`` was not. Known types are said in the asked language with
pydantic's context values; an unknown type keeps pydantic's English message.
"""

from __future__ import annotations

from typing import Any

from matching.text import Text

_T = Text

MESSAGES: dict[str, Text] = {
    "missing": _T("өріс міндетті", "обязательное поле", "Field required"),
    "extra_forbidden": _T("бұл өріске рұқсат жоқ", "такое поле не допускается", "Extra inputs are not permitted"),
    "less_than_equal": _T("{le} мәнінен аспауы керек", "должно быть не больше {le}", "Input should be less than or equal to {le}"),
    "greater_than_equal": _T("кемінде {ge} болуы керек", "должно быть не меньше {ge}", "Input should be greater than or equal to {ge}"),
    "less_than": _T("{lt} мәнінен кіші болуы керек", "должно быть меньше {lt}", "Input should be less than {lt}"),
    "greater_than": _T("{gt} мәнінен үлкен болуы керек", "должно быть больше {gt}", "Input should be greater than {gt}"),
    "string_too_long": _T("ең көбі {max_length} таңба", "не больше {max_length} символов", "String should have at most {max_length} characters"),
    "string_too_short": _T("кемінде {min_length} таңба", "не меньше {min_length} символов", "String should have at least {min_length} characters"),
    "string_pattern_mismatch": _T("пішімі сәйкес емес ({pattern})", "не соответствует формату ({pattern})", "String should match pattern '{pattern}'"),
    "string_type": _T("мәтін болуы керек", "должно быть строкой", "Input should be a valid string"),
    "int_parsing": _T("бүтін сан болуы керек", "должно быть целым числом", "Input should be a valid integer, unable to parse string as an integer"),
    "int_type": _T("бүтін сан болуы керек", "должно быть целым числом", "Input should be a valid integer"),
    "int_from_float": _T("бөлшек бөлігі жоқ бүтін сан болуы керек", "должно быть целым числом без дробной части", "Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": _T("сан болуы керек", "должно быть числом", "Input should be a valid number, unable to parse string as a number"),
    "float_type": _T("сан болуы керек", "должно быть числом", "Input should be a valid number"),
    "bool_parsing": _T("true немесе false болуы керек", "должно быть true или false", "Input should be a valid boolean, unable to interpret input"),
    "bool_type": _T("true немесе false болуы керек", "должно быть true или false", "Input should be a valid boolean"),
    "date_parsing": _T("күн ЖЖЖЖ-АА-КК пішімінде болуы керек", "дата должна быть в формате ГГГГ-ММ-ДД", "Input should be a valid date"),
    "date_from_datetime_parsing": _T("күн ЖЖЖЖ-АА-КК пішімінде болуы керек", "дата должна быть в формате ГГГГ-ММ-ДД", "Input should be a valid date or datetime"),
    "date_type": _T("күн болуы керек", "должно быть датой", "Input should be a valid date"),
    "literal_error": _T("мына мәндердің бірі болуы керек: {expected}", "должно быть одним из: {expected}", "Input should be {expected}"),
    "enum": _T("мына мәндердің бірі болуы керек: {expected}", "должно быть одним из: {expected}", "Input should be {expected}"),
    "too_long": _T("ең көбі {max_length} элемент", "не больше {max_length} элементов", "List should have at most {max_length} item(s)"),
    "too_short": _T("кемінде {min_length} элемент", "не меньше {min_length} элементов", "List should have at least {min_length} item(s)"),
    "list_type": _T("тізім болуы керек", "должно быть списком", "Input should be a valid list"),
    "dict_type": _T("нысан болуы керек", "должно быть объектом", "Input should be a valid dictionary"),
    "model_attributes_type": _T("нысан болуы керек", "должно быть объектом", "Input should be a valid dictionary or object"),
    "json_invalid": _T("JSON дұрыс емес", "некорректный JSON", "Invalid JSON"),
}  # fmt: skip


def field_message(type_: str, ctx: dict[str, Any] | None, fallback: str) -> Text | str:
    """The message of one validation error in three languages (pydantic's own if unknown).

    English stays pydantic's exact message (it can say more, e.g. the actual length).
    """
    text = MESSAGES.get(type_)
    if text is None:
        return fallback
    try:
        filled = text.format(**dict(ctx or {}))
    except (KeyError, IndexError, ValueError):
        return fallback
    return Text(kk=filled.kk, ru=filled.ru, en=fallback or filled.en)
