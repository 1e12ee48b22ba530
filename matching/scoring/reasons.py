"""Human-readable reasons for every gate and component, in Kazakh, Russian and English.

The texts are the catalogue's ``scoring.*`` messages (``matching/text/messages/scoring.toml``);
this module picks the message and fills in the numbers.

Reasons are written from the numbers of one evaluated option (row ``i`` of an
:class:`~matching.scoring.components.Evaluation`) so they always describe what was scored.
"""

from __future__ import annotations

from matching.scoring.components import Evaluation
from matching.text import Text, msg


def gate_reason(name: str, passed: bool) -> Text:
    """The reason shown for a gate."""
    return msg(f"scoring.gate.{'pass' if passed else 'fail'}.{name}")


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _tenge(x: float) -> str:
    return f"{round(x):,}".replace(",", " ") + " ₸"


def _with_skills(base: Text, ev: Evaluation, i: int) -> Text:
    """``base`` followed by the required skills the primary member holds and lacks, if any.

    A clerk reads both halves: what already fits the vacancy, and what a course would add.
    """
    have, need = int(ev.skill_row[i]), int(ev.vacancy_row[i])
    missing = ev.skills.missing(have, need) if float(ev.skill_coverage[i]) < 1.0 else []
    held = ev.skills.held(have, need)
    if not missing and not held:
        return base

    def labels(codes: list[str]) -> Text:
        names = [ev.skills.vocabulary.label(c) for c in codes]
        return Text.each(lambda lang: "; ".join(name.get(lang) for name in names))

    if not missing:
        return msg("scoring.component.held_skills", base=base, held=labels(held))
    if not held:
        return msg("scoring.component.missing_skills", base=base, skills=labels(missing))
    return msg(
        "scoring.component.partial_skills", base=base, held=labels(held), skills=labels(missing)
    )


def component_reason(name: str, ev: Evaluation, i: int) -> Text:
    """The reason shown for component ``name`` of option ``i``."""
    v = float(ev.values[name][i])
    w = float(ev.weights[name][i])
    if name == "occupation":
        base = msg("scoring.component.occupation", similarity=_pct(float(ev.similarity[i])))
        return _with_skills(base, ev, i)
    if name == "second_earner":
        if w == 0:
            return msg("scoring.component.second_earner.no_seeker")
        if int(ev.second_member[i]) < 0:
            return msg("scoring.component.second_earner.no_job")
        s = _pct(float(ev.second_similarity[i]))
        return msg("scoring.component.second_earner.job", similarity=s)
    if name == "housing":
        if ev.own_share[i] > 0:
            own = _tenge(float(ev.own_share[i]))
            return msg("scoring.component.housing.purchase", own_share=own)
        rent, sub = _tenge(float(ev.net_rent[i])), _tenge(float(ev.rent_subsidy[i]))
        return msg("scoring.component.housing.rent", rent=rent, subsidy=sub)
    if name == "settlement":
        change = "close" if v >= 0.85 else "noticeable" if v >= 0.5 else "sharp"
        return msg(f"scoring.component.settlement.{change}")
    if name == "family_services":
        if w == 0:
            return msg("scoring.component.family_services.none")
        return msg("scoring.component.family_services.covered", share=_pct(v))
    if name == "wage":
        if w == 0:
            return msg("scoring.component.wage.unknown")
        return msg("scoring.component.wage.ratio", ratio=_pct(float(ev.wage_ratio[i])))
    if name == "preferences":
        if w == 0:
            return msg("scoring.component.preferences.none")
        return msg("scoring.component.preferences.match", share=_pct(v))
    if name == "climate":
        return msg("scoring.component.climate", share=_pct(v))
    if name == "network":
        return msg("scoring.component.network", movers=int(ev.network_movers[i]))
    if name == "land":
        if w == 0:
            return msg("scoring.component.land.not_requested")
        return msg(f"scoring.component.land.{'available' if v > 0 else 'unavailable'}")
    if name == "retention":
        if w == 0:
            return msg("scoring.component.retention.off")
        return msg("scoring.component.retention.predicted", share=_pct(v))
    raise KeyError(name)
