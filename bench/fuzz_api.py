"""The longer fuzzing profile: every operation × every role with many generated requests.

Same app, data and checks as the suite's bounded leg (``tests/fuzz_api``), but each check
failure is recorded instead of stopping the run, and the script prints, per operation, the
requests sent, the statuses answered and the findings (check name and first message).

    python bench/fuzz_api.py [--examples 100] [--backend sqlite|postgresql]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from api.taxonomy.service import TaxonomyService  # noqa: E402
from tests.conftest import DATA_DIR  # noqa: E402
from tests.fuzz_api.harness import (  # noqa: E402
    ROLE_TOKENS,
    call_and_check,
    case_strategy,
    fuzz_app,
    fuzz_schema,
    operation_labels,
    restore_demo_tokens,
)


def fuzz_one(
    app: Any,
    strategy: Any,
    key: tuple[str, str],
    role: str,
    examples: int,
    sent: Counter[tuple[str, str]],
    statuses: dict[tuple[str, str], Counter[int]],
    findings: dict[tuple[str, str], set[str]],
) -> None:
    method, path = key

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(strategy)
        sent[key] += 1
        try:
            response = call_and_check(case, role)
            statuses[key][response.status_code] += 1
        except Exception as exc:  # a finding: record it, keep fuzzing
            text = str(exc).strip()
            first = text.splitlines()[0] if text else ""
            status = getattr(getattr(exc, "response", None), "status_code", "")
            findings[key].add(f"{role}: {type(exc).__name__} {status}: {first[:160]}")
        finally:
            if method == "DELETE" and path.startswith("/tokens"):
                restore_demo_tokens(app)

    run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="requests per operation and role")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default=None, help="server URL for the PostgreSQL leg")
    parser.add_argument("--households", type=int, default=60)
    args = parser.parse_args()
    if args.postgres:
        os.environ["QONYS_TEST_POSTGRES_URL"] = args.postgres

    taxonomy = TaxonomyService(DATA_DIR / "taxonomy")
    taxonomy.normalizer  # noqa: B018 - build the indexes before the clock starts
    operations = operation_labels()
    sent: Counter[tuple[str, str]] = Counter()
    statuses: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    findings: dict[tuple[str, str], set[str]] = defaultdict(set)
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as tmp,
        fuzz_app(args.backend, Path(tmp), taxonomy, households=args.households) as app,
    ):
        schema = fuzz_schema(app)
        for method, path in operations:
            key = (method, path)
            strategy = case_strategy(schema, method, path)
            for role in sorted(ROLE_TOKENS):
                fuzz_one(app, strategy, key, role, args.examples, sent, statuses, findings)
    elapsed = time.perf_counter() - started
    print(f"{'operation':58} {'requests':>8}  statuses")
    for method, path in operations:
        key = (method, path)
        counts = " ".join(f"{s}:{n}" for s, n in sorted(statuses[key].items()))
        print(f"{method + ' ' + path:58} {sent[key]:>8}  {counts}")
        for finding in sorted(findings[key]):
            print(f"    FINDING {finding}")
    total = sum(sent.values())
    found = sum(len(f) for f in findings.values())
    print(
        f"\n{args.backend}: {len(operations)} operations × {len(ROLE_TOKENS)} roles, "
        f"{total} requests in {elapsed:.0f} s ({total / elapsed:.0f} requests/s), "
        f"{found} distinct findings"
    )
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
