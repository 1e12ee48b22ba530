"""Paged lists: page/limit parameters, the paging facts, and one region-scoped list helper."""

from __future__ import annotations

from api.core.problems import ProblemException
from api.core.schemas import Pagination
from matching.text import Text

PAGE_OUT_OF_RANGE = Text(
    kk="{page}-бет жоқ: барлығы {max_page} бет.",
    ru="Страницы {page} нет: всего страниц {max_page}.",
    en="Page {page} does not exist: there are {max_page} page(s).",
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
                    "msg": f"page must be between 1 and {max_page}",
                    "type": "out_of_range",
                }
            ],
        )
    return Pagination(total_count=total, page=page, limit=limit, max_page=max_page)

