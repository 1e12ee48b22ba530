"""Occupations and skills in Kazakh, Russian and English; normalizing free-text titles."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.core.deps import LangDep, SessionDep
from api.core.problems import ProblemException, problem_responses
from api.core.schemas import StrictBody
from api.taxonomy.service import TaxonomyService
from matching.text import Text
from taxonomy import Candidate, Normalizer, Taxonomy
from taxonomy.textnorm import comparison_key

router = APIRouter(prefix="/taxonomy", tags=["taxonomy"])

LabelLang = Literal["kk", "kk_latn", "ru", "en"]
MAX_TEXTS = 1000


def service(request: Request) -> TaxonomyService:
    svc: TaxonomyService = request.app.state.taxonomy
    return svc


class CandidateOut(BaseModel):
    code: str
    isco: str
    label: str
    score: float = Field(ge=0, le=1)
    method: Literal["exact", "fuzzy", "ngram"]


class SuggestionOut(CandidateOut):
    """A candidate offered when the normalizer abstains, with its group's title."""

    isco_label: str = Field(
        description="Title of the ISCO-08 unit group in the label language (skills: empty)."
    )


class NormalizedOut(BaseModel):
    text: str
    unknown: bool
    candidates: list[CandidateOut]
    suggestions: list[SuggestionOut] = Field(
        default_factory=list,
        description=(
            "When unknown: the best guesses (at most 3, distinct ISCO unit groups), below the"
            " threshold, for a person to choose from; never to be used unattended."
        ),
    )
    threshold: float = Field(
        default=0.0, description="The abstain threshold that applied to this text (its script)."
    )


class NormalizeRequest(StrictBody):
    texts: Annotated[
        list[Annotated[str, Field(max_length=500)]], Field(min_length=1, max_length=MAX_TEXTS)
    ]
    kind: Literal["occupation", "skill"] = "occupation"
    top_k: Annotated[int, Field(ge=1, le=10)] = 3
    lang: LabelLang | None = Field(
        default=None, description="Label language (default: the response language)."
    )


class NormalizeResponse(BaseModel):
    kind: str
    results: list[NormalizedOut]


class Labels(BaseModel):
    kk: str
    kk_latn: str
    ru: str
    en: str


class OccupationBrief(BaseModel):
    code: str
    isco: str
    label: str
    labels: Labels


class GroupOut(BaseModel):
    code: str
    level: int
    label: str


class SkillBrief(BaseModel):
    code: str
    group: str
    label: str
    labels: Labels
    is_credential: bool


class OccupationDetail(OccupationBrief):
    groups: list[GroupOut]
    education_min: str
    qualified: bool
    nkz_code: str
    title_ru_f: str
    aliases: list[str]
    skills: list[SkillBrief]
    source: str


def _labels(taxonomy: Taxonomy, code: str) -> Labels:
    return Labels(**{lang: taxonomy.label(code, lang) for lang in ("kk", "kk_latn", "ru", "en")})


def _brief(taxonomy: Taxonomy, code: str, lang: str) -> OccupationBrief:
    occ = taxonomy.occupation(code)
    labels = _labels(taxonomy, code)
    return OccupationBrief(code=occ.code, isco=occ.isco, label=getattr(labels, lang), labels=labels)


def _skill(taxonomy: Taxonomy, code: str, lang: str) -> SkillBrief:
    skill = taxonomy.skill(code)
    labels = _labels(taxonomy, code)
    return SkillBrief(
        code=skill.code,
        group=skill.group,
        label=getattr(labels, lang),
        labels=labels,
        is_credential=skill.is_credential,
    )


UNKNOWN_OCCUPATION = Text(
    kk="«{code}» кәсібі табылмады.",
    ru="Профессия «{code}» не найдена.",
    en="Occupation '{code}' was not found.",
)


def _suggestion(taxonomy: Taxonomy, c: Candidate, lang: str) -> SuggestionOut:
    group = taxonomy.label(c.isco, lang) if c.isco in taxonomy.groups else ""
    return SuggestionOut(
        code=c.code, isco=c.isco, label=c.label, score=c.score, method=c.method, isco_label=group
    )


@router.post("/normalize", response_model=NormalizeResponse, responses=problem_responses(422))
def normalize(
    body: NormalizeRequest, request: Request, session: SessionDep, lang: LangDep
) -> NormalizeResponse:
    """Map up to 1,000 free-text titles or skills onto taxonomy codes, best first.

    A text the normalizer is not confident about is ``unknown`` with no candidates, and its
    ``suggestions`` list the best guesses for a person to pick from. Approved corrections
    (``/taxonomy/corrections``) count as aliases.
    """
    svc = service(request)
    svc.refresh(session)
    normalizer: Normalizer = svc.normalizer
    label_lang = body.lang or lang
    results = []
    for text in body.texts:
        res = normalizer.normalize(text, kind=body.kind, top_k=body.top_k, lang=label_lang)
        results.append(
            NormalizedOut(
                text=text,
                unknown=res.unknown,
                candidates=[
                    CandidateOut(
                        code=c.code, isco=c.isco, label=c.label, score=c.score, method=c.method
                    )
                    for c in res.candidates
                ],
                suggestions=[
                    _suggestion(normalizer.taxonomy, c, label_lang) for c in res.suggestions
                ],
                threshold=round(res.threshold, 6),
            )
        )
    return NormalizeResponse(kind=body.kind, results=results)


@router.get("/occupations", response_model=list[OccupationBrief])
def search_occupations(
    request: Request,
    lang: LangDep,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Start of a title in any language (autocomplete)."),
    ] = None,
    isco: Annotated[
        str | None, Query(pattern=r"^\d{1,4}$", description="Only this ISCO-08 group.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[OccupationBrief]:
    """Occupations for autocomplete, or the occupations of an ISCO group."""
    taxonomy = service(request).taxonomy
    if q and q.strip():
        found = taxonomy.search_occupations(q, lang=lang, limit=limit if isco is None else 50)
        codes = [o.code for o in found if isco is None or o.isco.startswith(isco)][:limit]
    else:
        codes = sorted(
            c for c, o in taxonomy.occupations.items() if isco is None or o.isco.startswith(isco)
        )[:limit]
    return [_brief(taxonomy, code, lang) for code in codes]


@router.get(
    "/occupations/{code}", response_model=OccupationDetail, responses=problem_responses(404)
)
def read_occupation(
    request: Request, lang: LangDep, code: Annotated[str, Path(max_length=60)]
) -> OccupationDetail:
    """One occupation with its ISCO-08 groups, aliases and typical skills."""
    taxonomy = service(request).taxonomy
    if code not in taxonomy.occupations:
        raise ProblemException(
            404, UNKNOWN_OCCUPATION.format(code=code), type_="/problems/unknown-occupation"
        )
    occ = taxonomy.occupation(code)
    brief = _brief(taxonomy, code, lang)
    groups = [
        GroupOut(code=g, level=len(g), label=taxonomy.label(g, lang))
        for g in (occ.isco[:n] for n in range(1, len(occ.isco) + 1))
        if g in taxonomy.groups
    ]
    aliases = sorted({a.alias for a in taxonomy.occupation_aliases if a.code == code})
    skills = sorted(taxonomy.skills_of(code))
    return OccupationDetail(
        **brief.model_dump(),
        groups=groups,
        education_min=occ.education_min,
        qualified=occ.qualified,
        nkz_code=occ.nkz_code,
        title_ru_f=occ.title_ru_f,
        aliases=aliases,
        skills=[_skill(taxonomy, s, lang) for s in skills if s in taxonomy.skills],
        source=occ.source,
    )


@router.get("/skills", response_model=list[SkillBrief])
def search_skills(
    request: Request,
    lang: LangDep,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Part of a skill or licence name, any language."),
    ] = None,
    group: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[SkillBrief]:
    """Skills and credentials: substring search over titles and aliases, or by group."""
    svc = service(request)
    taxonomy = svc.taxonomy
    codes: list[str]
    if q and q.strip():
        key = comparison_key(q, "skill")
        hits = {code for code, alias_key in svc.skill_keys if key and key in alias_key}
        if not hits:
            result = svc.normalizer.normalize(q, kind="skill", top_k=limit, lang=lang)
            hits = {c.code for c in result.candidates}
        codes = sorted(hits)
    else:
        codes = sorted(taxonomy.skills)
    if group is not None:
        codes = [c for c in codes if taxonomy.skill(c).group == group]
    return [_skill(taxonomy, c, lang) for c in codes[:limit]]
