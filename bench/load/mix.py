"""The request mix of the load benchmark (``bench/load_bench.py``), kept apart from locust so
that it can be built and checked without gevent.

A ``Plan`` holds what the requests need from the prepared database: households with their
origin region, a centre token per region, the planner's token, a finished allocation run.
``next_request`` draws one request of the mix: 70 % ranked matches and best localities,
20 % household reads and writes by the centre of the household's region, 5 % normalization,
5 % polling of an allocation run by a planner.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# (endpoint name, share of all requests). The names are the rows of the report.
MIX: tuple[tuple[str, float], ...] = (
    ("GET /households/{id}/matches", 0.40),
    ("GET /households/{id}/localities", 0.30),
    ("GET /households/{id}", 0.12),
    ("GET /households?q=", 0.04),
    ("PATCH /households/{id}", 0.04),
    ("POST /taxonomy/normalize", 0.05),
    ("GET /allocation-runs/{id}", 0.05),
)

# Free-text job titles as clerks type them (Russian and Kazakh, some misspelt).
TITLES: tuple[str, ...] = (
    "водитель категории С",
    "учитель начальных классов",
    "медсестра",
    "сварщик",
    "тракторист-машинист",
    "главный бухгалтер",
    "электрик",
    "повар",
    "мұғалім",
    "жүргізуші",
    "слесарь-ремонтник",
    "врач терапевт",
    "оператор машинного доения",
    "продавец-кассир",
    "агроном",
    "програмист",
    "механизатор",
    "тәрбиеші",
    "инженер-строитель",
    "ветеринарный врач",
)


@dataclass(frozen=True)
class Plan:
    households: list[tuple[int, str]]  # (id, origin region code) of matchable households
    centre_tokens: dict[str, str]  # region code -> token of that region's centre
    planner_token: str
    run_id: str
    titles: tuple[str, ...] = field(default=TITLES)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Plan:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            households=[(int(h), str(r)) for h, r in raw["households"]],
            centre_tokens=dict(raw["centre_tokens"]),
            planner_token=raw["planner_token"],
            run_id=raw["run_id"],
            titles=tuple(raw["titles"]),
        )


@dataclass(frozen=True)
class Request:
    name: str  # the endpoint, as reported
    method: str
    path: str
    token: str
    body: dict[str, Any] | None = None


_NAMES = [name for name, _ in MIX]
_WEIGHTS = [share for _, share in MIX]


def next_request(rng: random.Random, plan: Plan) -> Request:
    """One request drawn from the mix, with the token of the role that would send it."""
    name = rng.choices(_NAMES, _WEIGHTS)[0]
    household, region = rng.choice(plan.households)
    centre = plan.centre_tokens[region]
    if name == "GET /households/{id}/matches":
        return Request(name, "GET", f"/households/{household}/matches?top=20&explain=20", centre)
    if name == "GET /households/{id}/localities":
        return Request(name, "GET", f"/households/{household}/localities?top=10", centre)
    if name == "GET /households/{id}":
        return Request(name, "GET", f"/households/{household}", centre)
    if name == "GET /households?q=":
        # A centre clerk's search by the start of an IIN (two to four digits).
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 4)))
        return Request(name, "GET", f"/households?q={digits}&limit=20", centre)
    if name == "PATCH /households/{id}":
        phone = "+7701" + "".join(rng.choice("0123456789") for _ in range(7))
        return Request(name, "PATCH", f"/households/{household}", centre, {"phone": phone})
    if name == "POST /taxonomy/normalize":
        texts = rng.sample(plan.titles, rng.randint(1, 3))
        return Request(name, "POST", "/taxonomy/normalize", centre, {"texts": texts})
    return Request(name, "GET", f"/allocation-runs/{plan.run_id}", plan.planner_token)
