"""The household form: flat field names (``members.0.iin``) to the API's body and back.

Field names are the API's error locations joined by dots, so the API's messages land next
to the field that caused them. Member, experience and skill rows left empty are dropped and
the rest renumbered before validating, so numbers in errors and in the re-rendered form agree.
An occupation or skill picked from the autocomplete arrives as a code (with ``picked``, the
title it was picked for); a title typed without a pick (no JavaScript, or edited after the
pick) is normalized here by the taxonomy service, and the chosen code is shown again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from api.households.schemas import HouseholdOut
from api.taxonomy.service import TaxonomyService, best_code, label_of, occupation_error_text
from api.web.forms import FormState
from matching.domain import LICENCES
from matching.text import Lang, msg

HEALTH_NEEDS = ("clinic", "hospital", "accessible_home")
SPOKEN = ("kk", "ru", "en")
_MEMBER_KEYS = ("iin", "relation", "birth_date", "sex", "marital_status", "education")
_NUMBERS = ("origin_wage_tenge", "years_in_origin", "debt_tenge")
_TEXTS = ("external_id", "applicant_name", "phone", "category", "origin_region")
_CHOICES = ("origin_settlement", "origin_heating", "application_date", "status")
_FLAGS = ("citizen", "documents_complete")
_ROW = re.compile(r"^(members\.\d+\.(?:experience|skills))\.(\d+)\.(.+)$")
_MEMBER = re.compile(r"^members\.(\d+)\.(.+)$")


def _rows(values: Mapping[str, str], prefix: str) -> list[dict[str, str]]:
    """Rows ``prefix.N.field`` in order of N, as dicts of their fields."""
    found: dict[int, dict[str, str]] = {}
    pattern = re.compile(rf"^{re.escape(prefix)}\.(\d+)\.(.+)$")
    for key, value in values.items():
        m = pattern.match(key)
        if m:
            found.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return [found[i] for i in sorted(found)]


def _member_blank(row: Mapping[str, str]) -> bool:
    # Selects always send a value; a row counts as filled once a typed field is.
    typed = ("iin", "birth_date")
    return not any(row.get(k, "").strip() for k in typed) and not any(
        v.strip() for k, v in row.items() if k.endswith(".title")
    )


def compact(values: Mapping[str, str]) -> dict[str, str]:
    """The form's values with empty member, experience and skill rows dropped, renumbered."""
    out = {k: v for k, v in values.items() if not k.startswith("members.")}
    members = [m for m in _rows(values, "members") if not _member_blank(m)]
    for n, member in enumerate(members):
        plain = {k: v for k, v in member.items() if not _ROW.match(f"members.0.{k}")}
        for key, value in plain.items():
            out[f"members.{n}.{key}"] = value
        for kind in ("experience", "skills"):
            rows = [r for r in _rows(member, kind) if r.get("title", "").strip()]
            for j, row in enumerate(rows):
                for key, value in row.items():
                    out[f"members.{n}.{kind}.{j}.{key}"] = value
    return out


def _resolved(
    state: FormState, name: str, row: dict[str, str], kind: str, svc: TaxonomyService, lang: Lang
) -> str | None:
    """The code of one autocomplete row: the pick if it still fits the title, else normalized."""
    title = row.get("title", "").strip()
    code = row.get("code", "").strip()
    if code and row.get("picked", "").strip() == title:
        return code
    found = best_code(svc, title, kind, lang)
    if found is None:
        text = (
            occupation_error_text("unclassified", None, title)
            if kind == "occupation"
            else msg("centre.form.skill_unknown", title=title)
        )
        state.add(f"{name}.title", text.get(lang))
        return None
    # Shown again with the form (and stored): the clerk sees which code the title became.
    state.values[f"{name}.code"] = found.code
    state.values[f"{name}.picked"] = title
    return found.code


def to_body(state: FormState, svc: TaxonomyService, lang: Lang) -> dict[str, Any]:
    """The API body of a compacted form (titles normalized; their errors added to ``state``)."""
    v = state.values
    body: dict[str, Any] = {k: v[k] for k in (*_TEXTS, *_CHOICES, *_NUMBERS) if v.get(k, "")}
    body.update({k: k in v for k in _FLAGS})
    prefs = {
        "regions": sorted(k.split(".")[-1] for k in v if k.startswith("preferences.regions.")),
        "settlement_types": sorted(
            k.split(".")[-1] for k in v if k.startswith("preferences.settlement_types.")
        ),
        "wants_land": "preferences.wants_land" in v,
        "business_intent": "preferences.business_intent" in v,
    }
    if v.get("preferences.tenure"):
        prefs["tenure"] = v["preferences.tenure"]
    body["preferences"] = prefs
    members = []
    for n, row in enumerate(_rows(v, "members")):
        name = f"members.{n}"
        member: dict[str, Any] = {k: row[k] for k in _MEMBER_KEYS if row.get(k, "").strip()}
        if row.get("employment_status"):
            member["employment_status"] = row["employment_status"]
        experience = []
        for j, exp in enumerate(_rows(row, "experience")):
            code = _resolved(state, f"{name}.experience.{j}", exp, "occupation", svc, lang)
            item: dict[str, Any] = {"occupation": code or "", "title": exp["title"].strip()}
            item["documented"] = "documented" in exp
            if exp.get("years", "").strip():
                item["years"] = exp["years"].strip()
            experience.append(item)
        skills = [
            _resolved(state, f"{name}.skills.{k}", skill, "skill", svc, lang) or ""
            for k, skill in enumerate(_rows(row, "skills"))
        ]
        member.update(
            experience=experience,
            skills=skills,
            licences=[lic for lic in LICENCES if f"licences.{lic}" in row],
            languages=[
                {"lang": code, "level": row[f"languages.{code}"]}
                for code in SPOKEN
                if row.get(f"languages.{code}")
            ],
            health={need: f"health.{need}" in row for need in HEALTH_NEEDS},
        )
        members.append(member)
    body["members"] = members
    return body


def field_of(name: str) -> str:
    """Where an error of the API (``members.0.skills.2``) is shown in this form."""
    parts = name.split(".")
    if len(parts) >= 5 and parts[2] == "experience" and parts[4] == "occupation":
        return ".".join([*parts[:4], "title"])
    if len(parts) == 4 and parts[2] == "skills":
        return f"{name}.title"
    if len(parts) >= 3 and parts[2] in ("licences", "languages", "health"):
        return ".".join(parts[:3])
    if (
        len(parts) >= 2
        and parts[0] == "preferences"
        and parts[1] in ("regions", "settlement_types")
    ):
        return ".".join(parts[:2])
    return name


def place_errors(state: FormState, shown: set[str]) -> None:
    """Move errors onto the fields the form shows; the rest become the summary."""
    moved: dict[str, str] = {}
    for name, text in state.errors.items():
        moved.setdefault(field_of(name), text)
    state.errors = moved
    stray = [text for name, text in moved.items() if name not in shown]
    if stray and not state.summary:
        state.summary = stray[0]


def shown_fields(state: FormState, member_slots: int) -> set[str]:
    """Names the template renders an error next to (household fields and each member row)."""
    names = {*_TEXTS, *_CHOICES, *_NUMBERS, *_FLAGS, "preferences.regions"}
    names |= {"preferences.settlement_types", "preferences.tenure"}
    for n in range(member_slots):
        for key in (*_MEMBER_KEYS, "employment_status", "licences", "languages", "health"):
            names.add(f"members.{n}.{key}")
        for kind in ("experience", "skills"):
            for j in range(row_count(state, n, kind)):
                names.add(f"members.{n}.{kind}.{j}.title")
                names.add(f"members.{n}.{kind}.{j}.years")
    return names


def member_count(state: FormState) -> int:
    return len({m.group(1) for k in state.values if (m := _MEMBER.match(k))})


def row_count(state: FormState, member: int, kind: str) -> int:
    """Rows shown for a member's experience or skills: the filled ones and one spare."""
    prefix = f"members.{member}.{kind}."
    filled = {k[len(prefix) :].split(".")[0] for k in state.values if k.startswith(prefix)}
    return len(filled) + 1


def from_household(out: HouseholdOut, svc: TaxonomyService, lang: Lang) -> dict[str, str]:
    """A stored household as form values (the edit form starts from these)."""
    v: dict[str, str] = {
        "external_id": out.external_id,
        "applicant_name": out.applicant_name,
        "phone": out.phone or "",
        "category": out.category,
        "origin_region": out.origin_region_code,
        "origin_settlement": out.origin_settlement,
        "origin_heating": out.origin_heating,
        "origin_wage_tenge": str(out.origin_wage_tenge),
        "years_in_origin": f"{out.years_in_origin:g}",
        "application_date": out.application_date.isoformat(),
        "debt_tenge": str(out.debt_tenge),
        "status": out.status,
        "preferences.tenure": out.preferences.tenure,
    }
    v.update({k: "on" for k in _FLAGS if getattr(out, k)})
    v.update({f"preferences.regions.{c}": "on" for c in out.preferences.regions})
    v.update({f"preferences.settlement_types.{s}": "on" for s in out.preferences.settlement_types})
    v.update({f"preferences.{k}": "on" for k in ("wants_land", "business_intent")
              if getattr(out.preferences, k)})  # fmt: skip
    for n, m in enumerate(out.members):
        p = f"members.{n}."
        v.update({p + k: str(getattr(m, k) or "") for k in _MEMBER_KEYS})
        v[p + "employment_status"] = m.employment_status
        for j, exp in enumerate(m.experience):
            title = exp.title or label_of(svc, exp.occupation, lang) or exp.occupation
            row = f"{p}experience.{j}."
            v.update({row + "title": title, row + "code": exp.occupation, row + "picked": title})
            v[row + "years"] = f"{exp.years:g}"
            if exp.documented:
                v[row + "documented"] = "on"
        for k, code in enumerate(m.skills):
            title = label_of(svc, code, lang) or code
            row = f"{p}skills.{k}."
            v.update({row + "title": title, row + "code": code, row + "picked": title})
        v.update({f"{p}licences.{lic}": "on" for lic in m.licences})
        v.update({f"{p}languages.{lang_.lang}": lang_.level for lang_ in m.languages})
        v.update({f"{p}health.{need}": "on" for need in HEALTH_NEEDS if getattr(m.health, need)})
    return v


def new_values(region_code: str, today: dt.date, case_number: str) -> dict[str, str]:
    """A blank registration: the clerk's region, today, a suggested case number."""
    return {
        "external_id": case_number,
        "origin_region": region_code,
        "application_date": today.isoformat(),
        "citizen": "on",
        "members.0.relation": "applicant",
    }
