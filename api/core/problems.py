"""RFC 9457 problem details: every error leaves the service as ``application/problem+json``."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.core.i18n import lang_of
from api.core.messages import field_message
from matching.text import Text

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger("api.core.problems")

TITLES: dict[int, Text] = {
    400: Text("Сұрау дұрыс емес", "Некорректный запрос", "Bad request"),
    401: Text("Аутентификация қажет", "Требуется аутентификация", "Authentication required"),
    403: Text("Қол жеткізуге тыйым салынған", "Доступ запрещён", "Forbidden"),
    404: Text("Табылмады", "Не найдено", "Not found"),
    405: Text("Әдіс рұқсат етілмеген", "Метод не разрешён", "Method not allowed"),
    409: Text("Қайшылық", "Конфликт", "Conflict"),
    413: Text("Сұрау тым үлкен", "Слишком большой запрос", "Request too large"),
    415: Text("Қолдау көрсетілмейтін пішім", "Неподдерживаемый формат", "Unsupported media type"),
    422: Text("Деректер қате", "Ошибка в данных", "Invalid data"),
    429: Text("Сұраулар тым көп", "Слишком много запросов", "Too many requests"),
    500: Text("Сервердің ішкі қатесі", "Внутренняя ошибка сервера", "Internal server error"),
    503: Text("Қызмет қолжетімсіз", "Сервис недоступен", "Service unavailable"),
}


class ProblemError(BaseModel):
    """One offending field or row."""

    loc: list[str | int] = Field(
        description="Where the problem is: body/query/path and field names."
    )
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemError] | None = None


class ProblemException(Exception):
    """Raise from routes and use cases to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: Text | str | None = None,
        *,
        type_: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail.en if isinstance(detail, Text) else detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.errors = errors
        self.headers = headers


def problem_response(
    request: Request,
    status: int,
    detail: Text | str | None = None,
    *,
    type_: str = "about:blank",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    lang = lang_of(request)
    title = TITLES.get(status, TITLES[500 if status >= 500 else 400]).get(lang)
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "instance": request.url.path,
    }
    if detail is not None:
        body["detail"] = detail.get(lang) if isinstance(detail, Text) else detail
    if errors:
        body["errors"] = jsonable_encoder(
            [
                {**e, "msg": e["msg"].get(lang)} if isinstance(e.get("msg"), Text) else e
                for e in errors
            ]
        )
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring problem+json for the given statuses."""
    return {
        status: {
            "model": Problem,
            "description": TITLES.get(status, TITLES[500]).en,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def _clean_loc(loc: Any) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": _clean_loc(err.get("loc", ())),
            "msg": field_message(
                str(err.get("type", "")), err.get("ctx"), str(err.get("msg", ""))
            ),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    detail = Text(
        kk="Сұраудағы {n} өріс қате толтырылған.",
        ru="В запросе неверно заполнено полей: {n}.",
        en="{n} field(s) of the request are invalid.",
    ).format(n=len(errors))
    return problem_response(request, 422, detail, errors=errors)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = (
        exc.detail
        if isinstance(exc.detail, str) and exc.detail not in {"Not Found", "Method Not Allowed"}
        else None
    )
    text = getattr(exc, "text", None)  # an exception that carries its kk/ru/en detail
    return problem_response(
        request,
        exc.status_code,
        text if isinstance(text, Text) else detail,
        headers=getattr(exc, "headers", None),
    )


async def _problem_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemException)
    return problem_response(
        request, exc.status, exc.detail, type_=exc.type, errors=exc.errors, headers=exc.headers
    )


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path)
    return problem_response(request, 500)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(ProblemException, _problem_handler)
    app.add_exception_handler(Exception, _unhandled_handler)
