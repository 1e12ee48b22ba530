"""Clerks' corrections of normalized titles: proposed, reviewed by an admin, learnt as aliases.

A correction maps a title (as typed) onto a taxonomy code the normalizer did not answer for
it. It is proposed over the API (``POST /taxonomy/corrections``) or by the centre's household
form (a pick from the autocomplete that differs from the normalizer's answer for the typed
title), stored as ``pending`` with who proposed it, and approved or rejected once by an admin.
Approved corrections are aliases of the normalizer (:meth:`TaxonomyService.refresh` rebuilds
it when :func:`approved_fingerprint` changes) and export as rows of the alias tables
(``code,alias,lang,kind``, kind ``variant``: ``data/taxonomy/occupation_aliases.csv`` and
``skill_aliases.csv``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.audit import service as audit
from api.core.problems import ProblemException
from api.core.records import page_of
from api.models.taxonomy import TaxonomyCorrectionRecord
from matching.text import Text

if TYPE_CHECKING:
    from api.taxonomy.service import TaxonomyService
    from taxonomy.model import Alias

# The taxonomy package is imported inside the functions: importing it loads scikit-learn
# (seconds), and importing this module (through the taxonomy service) must stay cheap.

#: The alias kind approved corrections are exported with.
EXPORT_KIND = "variant"
EXPORT_COLUMNS = ("code", "alias", "lang", "kind")

NOT_IN_TAXONOMY = Text(
    kk="«{code}» коды таксономияда {kind_kk} ретінде жоқ.",
    ru="Кода «{code}» нет в таксономии среди {kind_ru}.",
    en="Code '{code}' is not {kind_en} of the taxonomy.",
)
KIND_WORDS = {
    "occupation": {"kind_kk": "мамандық", "kind_ru": "профессий", "kind_en": "an occupation"},
    "skill": {"kind_kk": "дағды", "kind_ru": "навыков", "kind_en": "a skill"},
}
EMPTY_TITLE = Text(
    kk="Атау бос: түзетуге жазылған атау керек.",
    ru="Пустое название: для исправления нужен написанный заголовок.",
    en="The title is empty: a correction needs the title as written.",
)
NO_CORRECTION = Text(
    kk="№{id} түзету табылмады.",
    ru="Исправление №{id} не найдено.",
    en="Correction {id} was not found.",
)
ALREADY_REVIEWED = Text(
    kk="№{id} түзету бұрын қаралған ({status}): оны қайта қарауға болмайды.",
    ru="Исправление №{id} уже рассмотрено ({status}): повторно его не рассматривают.",
    en="Correction {id} has already been reviewed ({status}); it cannot be reviewed again.",
)


@dataclass(frozen=True)
class Author:
    """Who proposes or reviews: an API token or a signed-in staff user, with the role."""

    role: str
    name: str
    token_id: int | None = None
    user_id: int | None = None


def guess_lang(text: str, ui_lang: str) -> str:
    """The alias language of a typed title: its script, the page language for Latin Kazakh."""
    from taxonomy.textnorm import script_class

    script = script_class(text)
    if script == "latin":
        return "kk_latn" if ui_lang == "kk" else "en"
    return script


def check_code(svc: TaxonomyService, kind: str, code: str) -> None:
    """422 naming ``body.code`` unless ``code`` is an occupation (or skill) of the tables."""
    taxonomy = svc.taxonomy
    known = taxonomy.occupations if kind == "occupation" else taxonomy.skills
    if code not in known:
        text = NOT_IN_TAXONOMY.format(code=code, **KIND_WORDS[kind])
        raise ProblemException(
            422,
            text,
            type_="/problems/unknown-code",
            errors=[{"loc": ["body", "code"], "msg": text, "type": "unknown_code"}],
        )


def answered_code(svc: TaxonomyService, text: str, kind: str) -> str | None:
    """The code the normalizer answers for ``text`` now (None when it abstains)."""
    best = svc.normalizer.normalize(text, kind=kind, top_k=1).best  # type: ignore[arg-type]
    return best.code if best is not None else None


def _completes(svc: TaxonomyService, typed: str, kind: str, code: str) -> bool:
    """Whether word starts of ``typed`` already find ``code`` (a half-typed title, no lesson)."""
    from taxonomy.textnorm import comparison_key

    if kind == "occupation":
        return code in {o.code for o in svc.taxonomy.search_occupations(typed, limit=20)}
    key = comparison_key(typed, "skill")
    return bool(key) and any(c == code and key in alias for c, alias in svc.skill_keys)


def learn_from_pick(
    session: Session,
    svc: TaxonomyService,
    author: Author,
    *,
    typed: str,
    kind: str,
    code: str,
    ui_lang: str,
) -> TaxonomyCorrectionRecord | None:
    """Record a correction when a clerk picked ``code`` for ``typed`` and the normalizer
    answers something else (or abstains); flushed, not committed.

    Nothing is recorded when the normalizer already answers ``code``, when the word starts of
    ``typed`` find ``code`` (the clerk was completing a title, not correcting one), or for a
    code that is not an occupation or skill of the tables (an ISCO group picked as such).
    """
    taxonomy = svc.taxonomy
    known = taxonomy.occupations if kind == "occupation" else taxonomy.skills
    if not typed.strip() or code not in known:
        return None
    if answered_code(svc, typed, kind) == code or _completes(svc, typed, kind, code):
        return None
    row, _ = record(
        session, svc, author, text=typed, kind=kind, lang=guess_lang(typed, ui_lang),
        code=code, source="page",
    )  # fmt: skip
    return row


def record(
    session: Session,
    svc: TaxonomyService,
    author: Author,
    *,
    text: str,
    kind: str,
    lang: str,
    code: str,
    source: str,
) -> tuple[TaxonomyCorrectionRecord, bool]:
    """Store a proposed correction (flushed, not committed); ``(row, created)``.

    A proposal already pending or approved for the same kind, title key and code is returned
    instead of a second row, so repeated saves of a form do not fill the review queue.
    """
    from taxonomy.textnorm import comparison_key

    title = " ".join(text.split())
    key = comparison_key(title, "skill" if kind == "skill" else "occupation")
    if not key:
        raise ProblemException(
            422,
            EMPTY_TITLE,
            type_="/problems/invalid-field",
            errors=[{"loc": ["body", "text"], "msg": EMPTY_TITLE, "type": "value_error"}],
        )
    check_code(svc, kind, code)
    existing = session.scalars(
        select(TaxonomyCorrectionRecord).where(
            TaxonomyCorrectionRecord.kind == kind,
            TaxonomyCorrectionRecord.text_key == key[:300],
            TaxonomyCorrectionRecord.code == code,
            TaxonomyCorrectionRecord.status.in_(("pending", "approved")),
        )
    ).first()
    if existing is not None:
        return existing, False
    row = TaxonomyCorrectionRecord(
        kind=kind,
        text=title[:300],
        text_key=key[:300],
        lang=lang,
        code=code,
        answered_code=answered_code(svc, title, kind),
        source=source,
        status="pending",
        created_token_id=author.token_id,
        created_user_id=author.user_id,
        created_role=author.role,
        created_name=author.name[:120],
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    audit.record(session, author, "propose", "taxonomy_correction", row.id, after=_values(row))
    return row, True


def _values(row: TaxonomyCorrectionRecord) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ("kind", "text", "lang", "code", "source", "status")}


def page(
    session: Session, *, status: str | None, kind: str | None, offset: int, limit: int
) -> tuple[int, list[TaxonomyCorrectionRecord]]:
    """Corrections with ``status`` (all when None), oldest first: the review queue's order."""
    stmt = select(TaxonomyCorrectionRecord)
    if status is not None:
        stmt = stmt.where(TaxonomyCorrectionRecord.status == status)
    if kind is not None:
        stmt = stmt.where(TaxonomyCorrectionRecord.kind == kind)
    return page_of(session, stmt, [TaxonomyCorrectionRecord.id], offset, limit)


def review(
    session: Session, svc: TaxonomyService, correction_id: int, author: Author, *, approve: bool
) -> TaxonomyCorrectionRecord:
    """Approve or reject a pending correction and commit; an approval is learnt at once.

    404 for an unknown id, 409 for one already reviewed (a decision is made once).
    """
    row = session.get(TaxonomyCorrectionRecord, correction_id, with_for_update=True)
    if row is None:
        raise ProblemException(
            404, NO_CORRECTION.format(id=correction_id), type_="/problems/unknown-correction"
        )
    if row.status != "pending":
        raise ProblemException(
            409,
            ALREADY_REVIEWED.format(id=correction_id, status=row.status),
            type_="/problems/already-reviewed",
        )
    before = _values(row)
    row.status = "approved" if approve else "rejected"
    after = _values(row)
    audit.record(
        session, author, "review", "taxonomy_correction", correction_id, before=before, after=after
    )
    row.reviewed_token_id = author.token_id
    row.reviewed_user_id = author.user_id
    row.reviewed_name = author.name[:120]
    row.reviewed_at = dt.datetime.now(dt.UTC)
    session.commit()
    if approve:
        svc.refresh(session, force=True)
    return row


def approved_fingerprint(session: Session) -> tuple[Any, ...]:
    """Count, last id and last review time of the approved corrections (one cheap query)."""
    found = session.execute(
        select(
            func.count(),
            func.max(TaxonomyCorrectionRecord.id),
            func.max(TaxonomyCorrectionRecord.reviewed_at),
        ).where(TaxonomyCorrectionRecord.status == "approved")
    ).one()
    return tuple(str(v) for v in found)


def approved_aliases(session: Session) -> tuple[list[Alias], list[Alias]]:
    """Approved corrections as (occupation, skill) aliases, oldest first."""
    from taxonomy.model import Alias

    rows = session.execute(
        select(
            TaxonomyCorrectionRecord.kind,
            TaxonomyCorrectionRecord.code,
            TaxonomyCorrectionRecord.text,
            TaxonomyCorrectionRecord.lang,
        )
        .where(TaxonomyCorrectionRecord.status == "approved")
        .order_by(TaxonomyCorrectionRecord.id)
    )
    occupation: list[Alias] = []
    skill: list[Alias] = []
    for kind, code, text, lang in rows:
        (occupation if kind == "occupation" else skill).append(
            Alias(code, text, lang, EXPORT_KIND)
        )
    return occupation, skill


def export_csv(aliases: Sequence[Alias]) -> str:
    """Aliases as the alias tables' CSV (``code,alias,lang,kind``), one row per distinct alias."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    seen: set[tuple[str, str, str]] = set()
    for alias in aliases:
        mark = (alias.code, alias.alias.casefold(), alias.lang)
        if mark not in seen:
            seen.add(mark)
            writer.writerow((alias.code, alias.alias, alias.lang, alias.kind))
    return out.getvalue()


def export_download(session: Session, kind: str) -> Response:
    """The approved aliases of ``kind`` as a CSV download (API and page alike)."""
    occupation, skill = approved_aliases(session)
    body = export_csv(occupation if kind == "occupation" else skill)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{kind}_aliases_corrections.csv"',
            "Cache-Control": "no-store",
        },
    )
