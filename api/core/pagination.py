"""Paged lists: page/limit parameters, the paging facts, and one region-scoped list helper.

Every list route of a feature has the same shape: resolve the ``region`` filter, narrow it to
what the caller may see, fetch one page and the total, map rows to the response model.
:func:`region_scoped_page` is that shape; the route passes its repository query and its
row-to-model mapping, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from api.core.deps import SettingsDep
from api.core.lookups import reference_of, region_or_problem
from api.core.problems import ProblemException
from api.core.schemas import Page, Pagination
from matching.text import Text

R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)

# Large enough for any list, small enough that (page - 1) * limit fits a 64-bit OFFSET.
PAGE_MAX = 2**31 - 1
LIMIT_MAX = 100

PageQuery = Annotated[int, Query(ge=1, le=PAGE_MAX)]
LimitQuery = Annotated[int, Query(ge=1, le=LIMIT_MAX)]

PAGE_OUT_OF_RANGE = Text(
    kk="{page}-бет жоқ: барлығы {max_page} бет.",
    ru="Страницы {page} нет: всего страниц {max_page}.",
    en="Page {page} does not exist: there are {max_page} page(s).",
)

PAGE_RANGE = Text(
    kk="бет 1 мен {max_page} аралығында болуы керек",
    ru="страница должна быть от 1 до {max_page}",
    en="page must be between 1 and {max_page}",
)


def pagination(total: int, page: int, limit: int) -> Pagination:
    """Paging facts for a list; a page past the end is a 422 problem."""
    max_page = max(1, -(-total // limit))
    if page > max_page:
        raise ProblemException(
            422,
            PAGE_OUT_OF_RANGE.format(page=page, max_page=max_page),
            errors=[
                {
                    "loc": ["query", "page"],
                    "msg": PAGE_RANGE.format(max_page=max_page),
                    "type": "out_of_range",
                }
            ],
        )
    return Pagination(total_count=total, page=page, limit=limit, max_page=max_page)


@dataclass(frozen=True)
class Paging:
    """The requested page; ``limit`` is already capped by the settings."""

    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def get_paging(settings: SettingsDep, page: PageQuery = 1, limit: LimitQuery = 50) -> Paging:
    return Paging(page=page, limit=min(limit, settings.page_size_max))


PagingDep = Annotated[Paging, Depends(get_paging)]


class Scoped(Protocol):
    """Who asks (the auth feature's principal): which region a list is limited to."""

    def list_scope(self, requested: str | None) -> str | None: ...


def region_scope(request: Request, principal: Scoped | None, region: str | None) -> str | None:
    """The region code a list is limited to: the filter resolved, then the caller's scope.

    ``principal`` is None for public lists (reference data): the filter alone applies.
    """
    code = None
    if region is not None:
        code = region_or_problem(reference_of(request), region, loc=["query", "region"]).code
    return code if principal is None else principal.list_scope(code)


def paged(
    model: type[M], total: int, rows: Sequence[R], paging: Paging, to_model: Callable[[R], M]
) -> Page[M]:
    """One page of ``model`` from a repository's ``(total, rows)``."""
    return Page[model](  # type: ignore[valid-type]
        items=[to_model(r) for r in rows],
        pagination=pagination(total, paging.page, paging.limit),
    )


def region_scoped_page(
    request: Request,
    principal: Scoped | None,
    region: str | None,
    paging: Paging,
    fetch: Callable[..., tuple[int, Sequence[Any]]],
    model: type[M],
    to_model: Callable[[Any], M] | None = None,
) -> Page[M]:
    """The list route shape: scope by region, fetch one page, map each row to ``model``.

    ``fetch(region_code=..., offset=..., limit=...)`` is the feature's repository query with
    its other filters already bound (``functools.partial`` or a lambda).
    """
    code = region_scope(request, principal, region)
    total, rows = fetch(region_code=code, offset=paging.offset, limit=paging.limit)
    return paged(model, total, rows, paging, to_model or model.model_validate)
