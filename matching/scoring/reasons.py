"""Human-readable reasons for every gate and component, in Kazakh, Russian and English.

Reasons are written from the numbers of one evaluated option (row ``i`` of an
:class:`~matching.scoring.components.Evaluation`) so they always describe what was scored.
"""

from __future__ import annotations

from matching.scoring.components import Evaluation
from matching.text import Text

_GATE_PASS: dict[str, Text] = {
    "eligibility": Text(
        kk="Қатысуға құқылы: азамат, шығу өңірінде кемінде бір жыл тұрады (немесе қандас)",
        ru="Имеет право на участие: гражданин, живёт в регионе выбытия не меньше года (или кандас)",
        en="Eligible: citizen resident at least a year in an origin region (or kandas)",
    ),
    "documents": Text(
        kk="Құжаттар толық", ru="Документы собраны полностью", en="Documents are complete"
    ),
    "destination": Text(
        kk="Елді мекен бағдарламаның қабылдау өңірінде",
        ru="Населённый пункт находится в регионе приёма программы",
        en="The locality is in a destination region of the programme",
    ),
    "household_intact": Text(
        kk="Отбасы бөлінбейді: жұмыс пен тұрғын үй бір елді мекенде",
        ru="Семья не разделяется: работа и жильё в одном населённом пункте",
        en="The household stays together: jobs and home are in one locality",
    ),
    "qualified_member": Text(
        kk="Отбасының бір мүшесі білікті бос орынға сай келеді",
        ru="Один из членов семьи подходит на квалифицированную вакансию",
        en="A household member qualifies for a qualified vacancy",
    ),
    "home_fits": Text(
        kk="Тұрғын үй бүкіл отбасын сыйғызады",
        ru="Жильё вмещает всю семью",
        en="The home fits the whole household",
    ),
}
_GATE_FAIL: dict[str, Text] = {
    "eligibility": Text(
        kk="Қатысуға құқығы жоқ: азаматтық немесе шығу өңірінде бір жыл тұру шарты орындалмаған",
        ru="Нет права на участие: не выполнено условие гражданства или года проживания в регионе выбытия",
        en="Not eligible: citizenship or a year's residence in an origin region is missing",
    ),
    "documents": Text(
        kk="Құжаттар толық емес", ru="Документы собраны не полностью", en="Documents are incomplete"
    ),
    "destination": Text(
        kk="Елді мекен бағдарламаның қабылдау өңірінде емес",
        ru="Населённый пункт не входит в регионы приёма программы",
        en="The locality is not in a destination region of the programme",
    ),
    "household_intact": Text(
        kk="Отбасы бөлінер еді: жұмыс пен тұрғын үй әртүрлі жерде немесе екінші жұмысқа адам жоқ",
        ru="Семья была бы разделена: работа и жильё в разных местах или на вторую работу некому выйти",
        en="The household would be split: jobs and home are in different places or nobody can take the second job",
    ),
    "qualified_member": Text(
        kk="Бірде-бір мүше бұл білікті бос орынға сай емес (немесе бос орын біліксіз)",
        ru="Ни один член семьи не подходит на эту квалифицированную вакансию (или вакансия неквалифицированная)",
        en="No member qualifies for this vacancy, or the vacancy is unskilled",
    ),
    "home_fits": Text(
        kk="Тұрғын үй отбасыға сай емес (сыйымдылығы, қолжетімділігі немесе тек 10 күнге төсек)",
        ru="Жильё не подходит семье (вместимость, доступность или лишь койка на 10 дней)",
        en="The home does not fit (capacity, accessibility, or only a 10-day centre bed)",
    ),
}


def gate_reason(name: str, passed: bool) -> Text:
    """The reason shown for a gate."""
    return (_GATE_PASS if passed else _GATE_FAIL)[name]


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _tenge(x: float) -> str:
    return f"{round(x):,}".replace(",", " ") + " ₸"


def _with_missing_skills(base: Text, ev: Evaluation, i: int) -> Text:
    """``base`` followed by the required skills the primary member lacks, if any."""
    if float(ev.skill_coverage[i]) >= 1.0:
        return base
    codes = ev.skills.missing(int(ev.skill_row[i]), int(ev.vacancy_row[i]))
    if not codes:
        return base
    labels = [ev.skills.vocabulary.label(c) for c in codes]
    return Text(
        kk=f"{base.kk}; жетіспейді: " + "; ".join(t.kk for t in labels),
        ru=f"{base.ru}; не хватает: " + "; ".join(t.ru for t in labels),
        en=f"{base.en}; missing: " + "; ".join(t.en for t in labels),
    )


def component_reason(name: str, ev: Evaluation, i: int) -> Text:
    """The reason shown for component ``name`` of option ``i``."""
    v = float(ev.values[name][i])
    w = float(ev.weights[name][i])
    if name == "occupation":
        s = _pct(float(ev.similarity[i]))
        base = Text(
            kk=f"Ең сай мүшенің мамандығы бос орынға {s} ұқсас; білім, тәжірибе және куәліктер ескерілді",
            ru=f"Профессия наиболее подходящего члена семьи похожа на вакансию на {s}; учтены образование, стаж и удостоверения",
            en=f"Best member's occupation is {s} similar to the vacancy; education, experience and licences counted",
        )
        return _with_missing_skills(base, ev, i)
    if name == "second_earner":
        if w == 0:
            return Text(
                kk="Екінші жұмыс іздеуші жоқ",
                ru="Второго ищущего работу нет",
                en="No second job seeker in the household",
            )
        if int(ev.second_member[i]) < 0:
            return Text(
                kk="Екінші табыс табушыға бұл нұсқада жұмыс жоқ",
                ru="Для второго работника в этом варианте работы нет",
                en="No job for the second earner in this option",
            )
        s = _pct(float(ev.second_similarity[i]))
        return Text(
            kk=f"Екінші табыс табушыға жұмыс бар (ұқсастық {s})",
            ru=f"Есть работа для второго работника (сходство {s})",
            en=f"A job for the second earner (similarity {s})",
        )
    if name == "housing":
        if ev.own_share[i] > 0:
            amt = _tenge(float(ev.own_share[i]))
            return Text(
                kk=f"Үй сатып алу: сертификаттан кейін өз үлесі {amt}; көлемі, түрі және жағдайы ескерілді",
                ru=f"Покупка жилья: своя доля после сертификата {amt}; учтены размер, тип и состояние",
                en=f"Purchase: own share after the certificate {amt}; size, tenure and condition counted",
            )
        amt = _tenge(float(ev.net_rent[i]))
        sub = _tenge(float(ev.rent_subsidy[i]))
        return Text(
            kk=f"Субсидиядан ({sub}/ай) кейінгі жалдау ақысы {amt}/ай; көлемі, түрі және жағдайы ескерілді",
            ru=f"Аренда после субсидии ({sub}/мес.) — {amt}/мес.; учтены размер, тип и состояние",
            en=f"Rent after the subsidy ({sub}/month) is {amt}/month; size, tenure and condition counted",
        )
    if name == "settlement":
        if v >= 0.85:
            return Text(
                kk="Елді мекен түрі бұрынғыға ұқсас — бейімделу жеңіл",
                ru="Тип поселения похож на прежний — адаптация легче",
                en="Settlement type is close to the origin — easier adjustment",
            )
        if v >= 0.5:
            return Text(
                kk="Елді мекен түрі біршама өзгереді",
                ru="Тип поселения заметно меняется",
                en="A noticeable change of settlement type",
            )
        return Text(
            kk="Елді мекен түрі қатты өзгереді (мысалы, қаладан ауылға) — бейімделу қиын",
            ru="Резкая смена типа поселения (например, из города в село) — адаптация труднее",
            en="A sharp change of settlement type (e.g. city to village) — harder adjustment",
        )
    if name == "family_services":
        if w == 0:
            return Text(
                kk="Балалар мен денсаулық қажеттіліктері жоқ",
                ru="Нет детей и медицинских потребностей",
                en="No children or health needs to serve",
            )
        s = _pct(v)
        return Text(
            kk=f"Балабақша, мектеп, емхана және аурухана қажеттіліктері {s} қамтылады",
            ru=f"Потребности в детском саду, школе, поликлинике и больнице покрыты на {s}",
            en=f"Kindergarten, school, clinic and hospital needs covered at {s}",
        )
    if name == "wage":
        if w == 0:
            return Text(
                kk="Бұрынғы жалақы белгісіз",
                ru="Прежняя зарплата неизвестна",
                en="Origin wage unknown",
            )
        r = _pct(float(ev.wage_ratio[i]))
        return Text(
            kk=f"Жалақы бұрынғының {r} құрайды (солтүстік үстемеақы жоқ)",
            ru=f"Зарплата составляет {r} прежней (северной надбавки нет)",
            en=f"The wage is {r} of the origin wage (no northern allowance)",
        )
    if name == "preferences":
        if w == 0:
            return Text(
                kk="Қалаулар көрсетілмеген",
                ru="Предпочтения не указаны",
                en="No stated preferences",
            )
        s = _pct(v)
        return Text(
            kk=f"Көрсетілген өңір мен елді мекен түрі қалауларына сәйкестік {s}",
            ru=f"Соответствие указанным регионам и типам поселений: {s}",
            en=f"Matches the stated regions and settlement types at {s}",
        )
    if name == "climate":
        return Text(
            kk=f"Жылу, су және автобус қатынасы {_pct(v)} (пешпен жылыту газға үйренгендерге қиын)",
            ru=f"Отопление, вода и автобус — {_pct(v)} (печное отопление трудно для привыкших к газу)",
            en=f"Heating, water and bus link at {_pct(v)} (stove heating is hard for people used to gas)",
        )
    if name == "network":
        m = int(ev.network_movers[i])
        return Text(
            kk=f"Осы елді мекенде сол өңірден бұрын көшкендер: {m}",
            ru=f"Ранее переселившихся из того же региона в этом пункте: {m}",
            en=f"Earlier movers from the same origin region here: {m}",
        )
    if name == "land":
        if w == 0:
            return Text(kk="Жер сұралмаған", ru="Земля не запрошена", en="No land requested")
        if v > 0:
            return Text(
                kk="Жер телімдері бар", ru="Есть земельные участки", en="Land plots are available"
            )
        return Text(
            kk="Жер телімдері жоқ", ru="Земельных участков нет", en="No land plots available"
        )
    raise KeyError(name)
