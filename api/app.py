"""The FastAPI application factory (``uvicorn api.app:create_app --factory``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from api.allocation import routes as allocation
from api.applicants import routes as applicant_routes
from api.audit import routes as audit
from api.auth import routes as tokens
from api.auth.token_cache import TokenCache
from api.backtest import routes as backtests
from api.core import health
from api.core.db import make_engine, make_sessionmaker
from api.core.docs import install_docs
from api.core.headers import SecurityHeadersMiddleware, cors_origins
from api.core.heap import enable_freezing, freeze_long_lived
from api.core.job_worker import JobWorker
from api.core.limits import BodySizeLimitMiddleware
from api.core.logging import RequestIdMiddleware, configure_logging
from api.core.problems import PROBLEM_MEDIA_TYPE, Problem, install_problem_handlers
from api.core.ratelimit import FailureLimiter
from api.core.settings import Settings, get_settings
from api.homes import capacity_routes as capacities
from api.homes import routes as homes
from api.households import routes as households
from api.imports import routes as imports
from api.matches import routes as matches
from api.matches.service import MatchService
from api.outcomes import routes as outcomes
from api.reference import locality_routes as localities
from api.reference import routes as regions
from api.reference import support_routes as support
from api.retention import routes as retention_models
from api.taxonomy import correction_routes as taxonomy_corrections
from api.taxonomy import routes as taxonomy
from api.taxonomy.service import TaxonomyService
from api.vacancies import employer_routes as employers
from api.vacancies import routes as vacancies
from api.web.mount import mount_web
from matching.programme.geography import ReferenceData, load_reference
from matching.programme.support import SupportParameters, load_support_parameters

DESCRIPTION = """
Qonys matches households of Kazakhstan's voluntary relocation programme (Enbek, now
"Strong Regions") with vacancies, homes and localities in the northern and central regions.

Names and messages come back in Kazakh, Russian or English: pass `?lang=kk|ru|en` or an
`Accept-Language` header. Errors are RFC 9457 `application/problem+json`.
"""


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0] if route.tags else 'default'}-{route.name}"


def job_worker(
    sessions: sessionmaker[Session],
    reference: ReferenceData,
    support: SupportParameters,
    *,
    settings: Settings | None = None,
    taxonomy_state: Any = None,
) -> JobWorker:
    """A worker for the job kinds this service runs (the API's thread and ``qonys worker``).

    ``taxonomy_state`` is where import jobs find the occupation resolver (an ``app.state``
    with its taxonomy service, or any object the resolver is cached on).
    """
    from api.allocation.service import run_allocation_job
    from api.backtest.service import JOB_KIND as BACKTEST
    from api.backtest.service import run_backtest_job
    from api.imports.service import run_import_job

    settings = settings or get_settings()
    return JobWorker(
        sessions,
        {"allocation": run_allocation_job, "import": run_import_job, BACKTEST: run_backtest_job},
        {
            "reference": reference,
            "support_parameters": support,
            "taxonomy_state": taxonomy_state if taxonomy_state is not None else SimpleNamespace(),
            "taxonomy_dir": settings.data_dir / "taxonomy",
            "data_dir": settings.data_dir,
            "models_dir": settings.models_dir,
            "retention_weights": settings.retention_weights,
        },
        lease_seconds=settings.job_lease_seconds,
        heartbeat_seconds=settings.job_heartbeat_seconds,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json_logs=settings.json_logs, level=settings.log_level)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The app, its routes and the reference data live as long as the process.
        enable_freezing(settings.freezes_heap)
        freeze_long_lived()
        app.state.taxonomy.warm_up_in_background()
        worker = None
        if settings.jobs_in_process:
            worker = job_worker(
                app.state.sessionmaker,
                app.state.reference,
                app.state.support_parameters,
                settings=settings,
                taxonomy_state=app.state,
            )
            worker.start()
        yield
        if worker is not None:
            # SIGTERM: finish the current job within the grace period or hand it back.
            worker.stop(settings.shutdown_grace_seconds)
        engine.dispose()

    app = FastAPI(
        title="Qonys",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    # Reference data and support parameters are small and read-only: loaded once per process.
    app.state.reference = load_reference(settings.data_dir)
    app.state.support_parameters = load_support_parameters(settings.data_dir)
    app.state.taxonomy = TaxonomyService(settings.data_dir / "taxonomy", settings.esco_dir)
    app.state.matching = MatchService(
        app.state.reference,
        app.state.support_parameters,
        retention_weights=settings.retention_weights,
    )
    # Failed sign-ins and bearer tokens, per address, username and token prefix (in-process).
    app.state.failures = FailureLimiter(
        settings.auth_failure_limit, settings.auth_failure_window_seconds
    )
    app.state.token_cache = TokenCache(settings.token_cache_seconds)
    install_problem_handlers(app)
    # Uploads have their own, larger limit (checked exactly by the import route).
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={
            "/imports/": imports.MAX_UPLOAD_BYTES + 2**20,
            "/outcomes/imports": outcomes.MAX_UPLOAD_BYTES + 2**20,
        },
    )
    origins = cors_origins(settings.cors_origins)
    if origins:  # closed by default: no CORS headers at all unless origins are configured
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Request-ID"],
        )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.behind_https)
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer is logged, 413s too
    install_docs(app)
    for module in (
        health,
        regions,
        localities,
        support,
        taxonomy_corrections,
        taxonomy,
        households,
        employers,
        vacancies,
        matches,
        homes,
        capacities,
        tokens,
        imports,
        allocation,
        audit,
        outcomes,
        backtests,
        retention_models,
    ):
        app.include_router(module.router)
    app.include_router(applicant_routes.router)
    mount_web(app)

    original_openapi = app.openapi

    def openapi() -> dict[str, object]:
        schema = original_openapi()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault(
            "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        for name, sub in (
            Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            .get("$defs", {})
            .items()
        ):
            schemas.setdefault(name, sub)
        schemas["Problem"].pop("$defs", None)
        # FastAPI documents its own 422 body; ours is a problem+json, say so everywhere.
        problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                invalid = operation.get("responses", {}).get("422")
                if invalid is not None:
                    invalid["content"] = problem
                    invalid["description"] = "Invalid data (problem+json listing every field)"
                if "requestBody" in operation:
                    # A body that is not JSON (or not UTF-8) at all is refused before validation.
                    operation["responses"].setdefault(
                        "400", {"description": "Malformed body", "content": problem}
                    )
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
