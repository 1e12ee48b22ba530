"""``mount_web(app)``: static files, the pages' error handling, and every page router.

Page features add their router to :data:`PAGE_ROUTERS` here (one line each); each router is
included with :func:`~api.web.session.check_csrf`, so no POST escapes the CSRF check.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from api.web import signin
from api.web.session import (
    PageForbidden,
    PageNotFound,
    SignInRequired,
    Visitor,
    anonymous_visitor,
    check_csrf,
    get_visitor,
)
from api.web.templates import STATIC_DIR, STATIC_PREFIX, render
from matching.text import Text


def _page_routers() -> list[APIRouter]:
    from api.allocation import pages as planner_pages
    from api.applicants import pages as applicant_pages
    from api.applicants import staff_pages as applicant_staff_pages
    from api.households import pages as household_pages
    from api.taxonomy import pages as taxonomy_pages
    from api.vacancies import pages as vacancy_pages

    return [
        signin.router,
        applicant_pages.router,
        applicant_staff_pages.router,
        household_pages.router,
        vacancy_pages.router,
        taxonomy_pages.router,
        planner_pages.router,
    ]


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    from urllib.parse import quote

    return signin.redirect(request, f"/app/signin?next={quote(exc.next_path, safe='/')}")


async def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbidden)
    visitor = getattr(request.state, "visitor", None) or anonymous_visitor(request)
    detail = exc.detail
    text = detail.get(visitor.lang) if isinstance(detail, Text) else detail
    return render(request, "error.html", {"status": 403, "detail": text}, status=403)


def mount_web(app: FastAPI) -> None:
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="web-static")
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(PageForbidden, _forbidden)
    app.add_exception_handler(PageNotFound, _missing)
    app.state.page_error = _page_error
    # Pages are text and compress about 5:1; small responses are not worth the CPU. Level 1
    # (nginx's default), not Starlette's 9: a ranked-matches answer (79 kB of JSON) shrinks
    # 14:1 instead of 21:1 for a quarter of the CPU (0.2 ms instead of 0.75 ms).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    for router in _page_routers():
        app.include_router(router, dependencies=[Depends(check_csrf)])
    # Last, so every page route above wins: an unknown /app/ address gets a page, not JSON.
    app.add_api_route("/app/{rest:path}", _not_found, methods=["GET"], include_in_schema=False)


def _not_found(request: Request, rest: str, visitor: Visitor = Depends(get_visitor)) -> Response:
    return render(request, "error.html", {"status": 404, "detail": None}, status=404)


async def _missing(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", {"status": 404, "detail": None}, status=404)


def _page_error(request: Request, status: int, detail: Text) -> Response:
    """An error page for what is refused before any route runs (a too-large form post)."""
    from api.web.session import anonymous_visitor

    lang = anonymous_visitor(request).lang
    return render(
        request, "error.html", {"status": status, "detail": detail.get(lang)}, status=status
    )
