"""Reason codes and their kk/ru/en texts for allocation outcomes.

Each unplaced household, removed option and planner conflict carries a stable code (for
machines and the database) and a :class:`~matching.text.Text` (for people).
"""

from __future__ import annotations

from matching.text import Text

# Resource kinds: every capacity in the model is a row of one of these kinds.
QUOTA_PERSONS = "quota_persons"
QUOTA_FAMILIES = "quota_families"
LOCALITY_PERSONS = "locality_persons"
HOME = "home"
CENTRE_BEDS = "centre_beds"
KINDERGARTEN = "kindergarten"
SCHOOL = "school"
VACANCY = "vacancy"
BUDGET = "budget"

RESOURCE_KINDS: tuple[str, ...] = (
    QUOTA_PERSONS,
    QUOTA_FAMILIES,
    LOCALITY_PERSONS,
    HOME,
    CENTRE_BEDS,
    KINDERGARTEN,
    SCHOOL,
    VACANCY,
    BUDGET,
)

# Why a resource row kept a household out; {label} is the row's human label.
RESOURCE_FULL: dict[str, Text] = {
    QUOTA_PERSONS: Text(
        kk="{label}: өңірлік квота (адам саны) толды",
        ru="{label}: региональная квота (по числу людей) исчерпана",
        en="{label}: regional quota in persons is full",
    ),
    QUOTA_FAMILIES: Text(
        kk="{label}: өңірлік квота (отбасы саны) толды",
        ru="{label}: региональная квота (по числу семей) исчерпана",
        en="{label}: regional quota in families is full",
    ),
    LOCALITY_PERSONS: Text(
        kk="{label}: елді мекеннің қабылдау шегі толды",
        ru="{label}: предел приёма населённого пункта исчерпан",
        en="{label}: the locality's intake cap is reached",
    ),
    HOME: Text(
        kk="{label}: лайықты тұрғын үй қалмады",
        ru="{label}: подходящего жилья не осталось",
        en="{label}: no suitable home left",
    ),
    CENTRE_BEDS: Text(
        kk="{label}: уақытша орналастыру орталығында орын жоқ",
        ru="{label}: нет мест в центре временного размещения",
        en="{label}: no beds left in the accommodation centre",
    ),
    KINDERGARTEN: Text(
        kk="{label}: балабақшада орын жоқ",
        ru="{label}: нет мест в детском саду",
        en="{label}: no kindergarten seats left",
    ),
    SCHOOL: Text(
        kk="{label}: мектепте орын жоқ",
        ru="{label}: нет мест в школе",
        en="{label}: no school seats left",
    ),
    VACANCY: Text(
        kk="{label}: бос жұмыс орны толды",
        ru="{label}: вакансия уже занята",
        en="{label}: the vacancy's posts are filled",
    ),
    BUDGET: Text(
        kk="{label}: өңірдің субсидия бюджеті жетпейді",
        ru="{label}: бюджета субсидий региона не хватает",
        en="{label}: the region's subsidy budget is exhausted",
    ),
}

# Why an option was removed before solving.
REFUSED_REGION = "refused_region"
REFUSED_SETTLEMENT = "refused_settlement_type"
BANNED = "planner_ban"
LOCKED_ELSEWHERE = "locked_elsewhere"

REMOVAL_TEXT: dict[str, Text] = {
    REFUSED_REGION: Text(
        kk="отбасы бұл өңірден бас тартты",
        ru="семья отказалась от этого региона",
        en="the household declined this region",
    ),
    REFUSED_SETTLEMENT: Text(
        kk="отбасы мұндай елді мекен түрінен бас тартты",
        ru="семья отказалась от такого типа населённого пункта",
        en="the household declined this settlement type",
    ),
    BANNED: Text(
        kk="жоспарлаушы бұл нұсқаға тыйым салды",
        ru="планировщик запретил этот вариант",
        en="a planner banned this option",
    ),
    LOCKED_ELSEWHERE: Text(
        kk="жоспарлаушы отбасын басқа нұсқаға бекітті",
        ru="планировщик закрепил семью за другим вариантом",
        en="a planner locked the household to another option",
    ),
}

# Why a household stayed unplaced when no single resource explains it.
NO_OPTIONS = "no_feasible_options"
ALL_REFUSED = "refused_all_feasible"
ALL_BANNED = "all_options_banned"
OBJECTIVE_TRADEOFF = "objective_tradeoff"

UNPLACED_TEXT: dict[str, Text] = {
    NO_OPTIONS: Text(
        kk="отбасыға сәйкес келетін нұсқа табылмады",
        ru="для семьи не найдено подходящих вариантов",
        en="no feasible option was found for the household",
    ),
    ALL_REFUSED: Text(
        kk="отбасы барлық қолжетімді өңірлерден немесе елді мекен түрлерінен бас тартты",
        ru="семья отказалась от всех доступных регионов или типов населённых пунктов",
        en="the household refused all feasible regions or settlement types",
    ),
    ALL_BANNED: Text(
        kk="жоспарлаушы отбасының барлық нұсқаларына тыйым салды",
        ru="планировщик запретил все варианты семьи",
        en="a planner banned all of the household's options",
    ),
    OBJECTIVE_TRADEOFF: Text(
        kk="орын бар, бірақ басқа отбасыларды орналастыру жалпы нәтижені жақсартты",
        ru="места есть, но размещение других семей дало лучший общий результат",
        en="capacity remains, but placing other households gave a better total",
    ),
}

# Planner-constraint conflicts (infeasible batches).
LOCK = "lock"
FAIRNESS = "fairness"

CONFLICT_TEXT: dict[str, Text] = {
    LOCK: Text(
        kk="{label}: жоспарлаушы бекіткен отбасы",
        ru="{label}: семья, закреплённая планировщиком",
        en="{label}: household locked by a planner",
    ),
    FAIRNESS: Text(
        kk="{label}: әділдік шарты",
        ru="{label}: правило справедливости",
        en="{label}: fairness rule",
    ),
}


def resource_text(kind: str, label: str) -> Text:
    """The text saying that a resource row of ``kind`` with ``label`` is exhausted."""
    return RESOURCE_FULL[kind].format(label=label)


def conflict_text(kind: str, label: str) -> Text:
    """The text naming one member of a conflicting set of planner constraints."""
    if kind in CONFLICT_TEXT:
        return CONFLICT_TEXT[kind].format(label=label)
    return resource_text(kind, label)
