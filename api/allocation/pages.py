"""The planner dashboard under ``/app/planner/`` (planners and admins only).

Pages: the list of runs with the form that starts one, a run (live progress, then its
charts, bound, baselines, unplaced households, groups, refusals, commit and export), the
commit confirmation (with the 409 in words), and two runs compared. Every figure comes from
:mod:`api.allocation.runs`, the functions the API routes call; :mod:`api.allocation.views`
names and words them and :mod:`api.allocation.charts` draws the bars.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from api.allocation import runs, start_form, views
from api.allocation.charts import bar_chart
from api.allocation.compare import compare_context
from api.allocation.exports import placements_file
from api.core.deps import SessionDep
from api.core.lookups import reference_of
from api.core.problems import ProblemException
from api.web.forms import FormState
from api.web.session import Visitor, require_staff
from api.web.templates import (
    environment,
    register_nav,
    register_templates,
    render,
    translate,
)
from matching.text import Text

HERE = Path(__file__).resolve().parent
register_templates("allocation", HERE / "templates" / "allocation")
register_nav("planner.nav.runs", "/app/planner/", roles=("planner", "admin"), order=10)
router = APIRouter(prefix="/app/planner", include_in_schema=False)
PLANNER = require_staff("planner", "admin")
LIST_LIMIT = 50
SUMMARY_KEYS = (
    "status", "method", "objective", "best_bound", "gap", "wall_seconds", "households",
    "households_placed", "persons_placed", "greedy_objective", "status_quo_objective",
    "vs_greedy_pct", "vs_status_quo_pct",
)  # fmt: skip
UNPLACED_SHOWN = 50


def _t(visitor: Visitor) -> Any:
    def t(key: str, **values: Any) -> str:
        return translate(visitor.lang, key, **values)

    return t


def _problem_page(request: Request, exc: ProblemException, visitor: Visitor) -> Response:
    detail = exc.detail.get(visitor.lang) if isinstance(exc.detail, Text) else exc.detail
    status = exc.status if exc.status in (403, 404) else 404
    return render(request, "error.html", {"status": status, "detail": detail}, status=exc.status)


ASSETS = {"progress.js": "text/javascript", "planner.css": "text/css"}


@lru_cache(maxsize=8)
def planner_asset(name: str) -> str:
    """The address of one of the dashboard's own files, with its content hash."""
    version = hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:10]
    return f"/app/planner/assets/{name}?v={version}"


environment.globals["planner_asset"] = planner_asset


@router.get("/assets/{name}")
def asset(name: str) -> Response:
    # Served by the feature itself, cached for good: the address changes with the content.
    if name not in ASSETS:
        return Response(status_code=404)
    return FileResponse(
        HERE / "static" / name,
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


def _list_context(session: SessionDep, visitor: Visitor, request: Request) -> dict[str, Any]:
    items, total = runs.list_runs(session, year=None, offset=0, limit=LIST_LIMIT)
    return {
        "runs": items,
        "more": max(0, total - len(items)),
        "years": runs.quota_years(session),
        "regions": sorted(
            (
                (code, views.region_name(reference_of(request), code, visitor.lang))
                for code in runs.quota_regions(session)
            ),
            key=lambda pair: pair[1],
        ),
        "categories": ("resettler", "kandas"),
        "declines": runs.applicant_declines(session),
        "scenario_root": str(request.app.state.settings.scenario_root),
        "num": views.num,
    }


@router.get("/")
def run_list(request: Request, session: SessionDep, visitor: Visitor = PLANNER) -> Response:
    context = _list_context(session, visitor, request)
    years = context["years"]
    form = FormState(
        {
            "source": "live",
            "year": str(years[0]) if years else "",
            "time_limit": "30",
            "options_per_household": "10",
            "deterministic": "on",
        }
    )
    ticked: dict[str, list[str]] = {"region_codes": [], "categories": []}
    return render(request, "allocation/runs.html", {**context, "form": form, "ticked": ticked})


@router.post("/runs")
def start_run(
    request: Request,
    session: SessionDep,
    visitor: Visitor = PLANNER,
    source: Annotated[str, Form(max_length=10)] = "live",
    name: Annotated[str, Form(max_length=400)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    time_limit: Annotated[str, Form(max_length=20)] = "",
    options_per_household: Annotated[str, Form(max_length=20)] = "",
    deterministic: Annotated[str, Form(max_length=5)] = "",
    scenario_dir: Annotated[str, Form(max_length=600)] = "",
    region_codes: Annotated[list[str] | None, Form(max_length=2)] = None,
    categories: Annotated[list[str] | None, Form(max_length=12)] = None,
) -> Response:
    fields = {
        "source": source,
        "name": name,
        "year": year,
        "time_limit": time_limit,
        "options_per_household": options_per_household,
        "deterministic": deterministic,
        "scenario_dir": scenario_dir,
    }
    ticked = {"region_codes": region_codes or [], "categories": categories or []}
    form, run_id = start_form.submit(
        session,
        reference_of(request),
        fields,
        ticked,
        by=visitor.username or "",
        actor=visitor.principal,
        lang=visitor.lang,
        scenario_root=request.app.state.settings.scenario_root,
    )
    if run_id is None:
        context = _list_context(session, visitor, request)
        return render(
            request, "allocation/runs.html", {**context, "form": form, "ticked": ticked}, status=422
        )
    return RedirectResponse(f"/app/planner/runs/{run_id}", status_code=303)


@router.get("/runs/{run_id}/progress")
def run_progress(
    request: Request, session: SessionDep, run_id: str, visitor: Visitor = PLANNER
) -> Response:
    """A small JSON for the page's polling script: status, share done, step in words."""
    try:
        run = runs.run_out(session, run_id, visitor.lang)
    except ProblemException as exc:
        return JSONResponse({"status": "unknown", "detail": str(exc)}, status_code=exc.status)
    return JSONResponse(
        {
            "status": run.status,
            "progress": round(run.progress, 3),
            "percent": round(100 * run.progress),
            "phase": run.message,
            "done": run.status in ("succeeded", "failed", "cancelled"),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/runs/{run_id}")
def run_page(
    request: Request,
    session: SessionDep,
    run_id: str,
    visitor: Visitor = PLANNER,
    done: bool = False,
) -> Response:
    try:
        run = runs.run_out(session, run_id, visitor.lang)
    except ProblemException as exc:
        return _problem_page(request, exc, visitor)
    context: dict[str, Any] = {
        "run": run,
        "num": views.num,
        "phase": run.message,
        "script": planner_asset("progress.js"),
    }
    if run.summary is not None:
        context.update(_result_context(request, session, run, visitor))
    messages = []
    if done and run.committed_at is not None:
        messages.append({"kind": "ok", "text": _t(visitor)("planner.status.committed")})
    return render(request, "allocation/run.html", {**context, "messages": messages})


def _result_context(
    request: Request, session: SessionDep, run: Any, visitor: Visitor
) -> dict[str, Any]:
    t = _t(visitor)
    lang = visitor.lang
    reference = reference_of(request)
    # Every figure the page reads, present (None when a run did not store it).
    summary = {**dict.fromkeys(SUMMARY_KEYS), "households_unplaced": 0, **(run.summary or {})}
    region_bars, region_table = views.region_fill(summary, reference, lang, t)
    scenario = bool(run.request.get("scenario_dir"))
    placed_persons = {} if scenario else runs.persons_by_locality(session, run.id)
    locality_bars, locality_table = views.locality_fill(summary, placed_persons, reference, lang, t)
    unplaced: list[Any] = []
    if not scenario:
        unplaced, _ = runs.placements_page(
            session, reference, run.id, lang, placed=False, limit=UNPLACED_SHOWN
        )
    return {
        "summary": summary,
        "scenario": scenario,
        "region_chart": bar_chart(
            region_bars,
            title=t("planner.fill.region_title"),
            description=t("planner.fill.region_desc"),
            empty=t("planner.fill.empty"),
        ),
        "region_table": region_table,
        "locality_chart": bar_chart(
            locality_bars,
            title=t("planner.fill.locality_title"),
            description=t("planner.fill.locality_desc", n=len(locality_bars)),
            empty=t("planner.fill.empty"),
        ),
        "locality_count": len(locality_bars),
        "locality_table": locality_table,
        "reasons": views.reason_counts(summary, lang, t),
        "unplaced": unplaced,
        "groups": views.groups(summary),
        "refusals": views.refusal_figures(run.request, summary),
        "gap_pct": None if summary.get("gap") is None else round(100 * summary["gap"], 2),
    }


@router.get("/runs/{run_id}/commit")
def commit_page(
    request: Request, session: SessionDep, run_id: str, visitor: Visitor = PLANNER
) -> Response:
    try:
        run = runs.run_out(session, run_id, visitor.lang)
        runs.finished_run(session, run_id)
    except ProblemException as exc:
        if exc.status == 409:  # not finished yet: its page shows the progress
            return RedirectResponse(f"/app/planner/runs/{run_id}", status_code=303)
        return _problem_page(request, exc, visitor)
    return render(request, "allocation/commit.html", {"run": run, "num": views.num})


@router.post("/runs/{run_id}/cancel")
def cancel_run(
    request: Request, session: SessionDep, run_id: str, visitor: Visitor = PLANNER
) -> Response:
    try:
        runs.cancel_run(session, run_id, actor=visitor.principal)
    except ProblemException as exc:
        if exc.status == 404:
            return _problem_page(request, exc, visitor)
        # Already ended: the run's page says how; nothing was changed.
    return RedirectResponse(f"/app/planner/runs/{run_id}", status_code=303)


@router.post("/runs/{run_id}/commit")
def commit_run(
    request: Request, session: SessionDep, run_id: str, visitor: Visitor = PLANNER
) -> Response:
    try:
        runs.commit(
            session, run_id, household_ids=None, by=visitor.username or "", actor=visitor.principal
        )
    except ProblemException as exc:
        if exc.status == 404:
            return _problem_page(request, exc, visitor)
        run = runs.run_out(session, run_id, visitor.lang)
        detail = exc.detail.get(visitor.lang) if isinstance(exc.detail, Text) else exc.detail
        words = views.conflict_groups(
            exc.errors or [], reference_of(request), visitor.lang, _t(visitor)
        )
        return render(
            request,
            "allocation/commit.html",
            {"run": run, "num": views.num, "problem": detail, "conflicts": words},
            status=exc.status,
        )
    return RedirectResponse(f"/app/planner/runs/{run_id}?done=1", status_code=303)


@router.get("/runs/{run_id}/placements.{fmt}")
def export_placements(
    request: Request, session: SessionDep, run_id: str, fmt: str, visitor: Visitor = PLANNER
) -> Response:
    if fmt not in ("csv", "xlsx"):
        return render(request, "error.html", {"status": 404, "detail": None}, status=404)
    try:
        content, media_type = placements_file(
            session, reference_of(request), run_id, visitor.lang, fmt
        )
    except ProblemException as exc:
        if exc.status == 409:  # not finished yet: its page shows the progress
            return RedirectResponse(f"/app/planner/runs/{run_id}", status_code=303)
        return _problem_page(request, exc, visitor)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="placements-{run_id}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/compare")
def compare_page(
    request: Request,
    session: SessionDep,
    visitor: Visitor = PLANNER,
    a: Annotated[str, Query(max_length=32)] = "",
    b: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    t = _t(visitor)
    items, _ = runs.list_runs(session, year=None, offset=0, limit=LIST_LIMIT)
    finished = [r for r in items if r.status == "succeeded" and not r.scenario_dir]
    context: dict[str, Any] = {"choices": finished, "a": a, "b": b, "num": views.num}
    status = 200
    if a and b:
        if a == b:
            context["error"] = t("planner.compare.same")
            status = 422
        else:
            try:
                context["result"] = compare_context(
                    session, reference_of(request), a, b, visitor.lang
                )
            except ProblemException as exc:
                detail = exc.detail
                context["error"] = detail.get(visitor.lang) if isinstance(detail, Text) else detail
                status = exc.status
    return render(request, "allocation/compare.html", context, status=status)
