"""Bulk import (CSV, Parquet, Excel) with a row-level report, and export in the same columns."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, UploadFile

from api.auth.service import Principal, require_roles
from api.core.deps import LangDep, SessionDep
from api.core.lookups import reference_of
from api.core.problems import ProblemException, problem_responses
from api.imports.exports import MEDIA_TYPES, export_frame, to_bytes
from api.imports.readers import ImportFileError, read_table
from api.imports.schemas import ImportReportOut
from api.imports.service import import_table
from api.taxonomy.service import occupation_resolver
from matching.text import Text

router = APIRouter(tags=["imports"])

Kind = Literal["households", "employers", "vacancies", "homes", "capacities"]
STAFF = require_roles("admin", "planner", "centre")
MAX_UPLOAD_BYTES = 64 * 1024 * 1024

TOO_LARGE = Text(
    kk="Файл тым үлкен (ең көбі {mb} МБ).",
    ru="Файл слишком большой (не больше {mb} МБ).",
    en="The file is too large (at most {mb} MB).",
)
PLANNERS_READ_HOUSEHOLDS = Text(
    kk="Жоспарлаушылар отбасылар деректерін өзгерте алмайды.",
    ru="Планировщики не могут изменять данные семей.",
    en="Planners cannot change households.",
)


def _no_planner_households(kind: str, principal: Principal) -> None:
    if kind == "households" and principal.role == "planner":
        raise ProblemException(403, PLANNERS_READ_HOUSEHOLDS, type_="/problems/forbidden-role")


@router.post(
    "/imports/{kind}",
    response_model=ImportReportOut,
    responses=problem_responses(401, 403, 413, 422),
)
def import_file(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    kind: Annotated[Kind, Path()],
    file: UploadFile,
    principal: Principal = STAFF,
) -> ImportReportOut:
    """Import a CSV, Parquet or Excel file; bad rows are reported, good rows kept.

    Records are matched by external id (capacities by locality id): importing the same
    file twice reports everything unchanged the second time. Households take one row per
    member; a bad member row rejects the whole household. Centre staff can import rows of
    their own region only.
    """
    _no_planner_households(kind, principal)
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ProblemException(413, TOO_LARGE.format(mb=MAX_UPLOAD_BYTES // 2**20))
    state = request.app.state
    try:
        frame = read_table(content, file.filename)
        report = import_table(
            session,
            kind,
            frame,
            reference=reference_of(request),
            occupations=lambda: occupation_resolver(state, session=session),
            region_scope=principal.region_code if principal.role == "centre" else None,
            actor=principal,
        )
    except ImportFileError as exc:
        errors = [
            {"loc": ["body", "file", column], "msg": "missing column", "type": "missing"}
            for column in exc.missing
        ]
        raise ProblemException(
            422, exc.text, type_="/problems/unreadable-file", errors=errors or None
        ) from None
    session.commit()
    return ImportReportOut.model_validate(report.as_dict(lang))


@router.get(
    "/exports/{kind}",
    response_class=Response,
    responses={
        200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}},
        **problem_responses(401, 403, 422),
    },
)
def export_file(
    session: SessionDep,
    kind: Annotated[Kind, Path()],
    format: Annotated[Literal["csv", "parquet", "xlsx"], Query()] = "csv",
    principal: Principal = STAFF,
) -> Response:
    """The stored records in the import columns; centre staff get their own region."""
    region = principal.list_scope(None)
    content = to_bytes(export_frame(session, kind, region_code=region), format)
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{kind}.{format}"'},
    )
