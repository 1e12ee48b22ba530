"""Taxonomy over HTTP and on the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from api.core.settings import REPO_ROOT
from tests.api.test_reference_api import assert_problem

ESCO_DIR = REPO_ROOT.parent / "shared" / "esco"


class TestNormalizeEndpoint:
    def test_titles_from_the_field(self, client: TestClient) -> None:
        texts = ["учитель начальных классов", "электрогазосварщик", "vet doctor", "медсестра"]
        body = client.post("/taxonomy/normalize?lang=en", json={"texts": texts}).json()
        iscos = [r["candidates"][0]["isco"] for r in body["results"]]
        assert iscos == ["2341", "7212", "2250", "3221"]
        first = body["results"][0]["candidates"][0]
        assert first["method"] == "exact" and first["score"] == 1.0
        # Labels follow the language asked.
        assert body["results"][0]["candidates"][0]["label"].isascii()

    def test_gibberish_is_unknown(self, client: TestClient) -> None:
        body = client.post("/taxonomy/normalize", json={"texts": ["ываываыва qzxq"]}).json()
        result = body["results"][0]
        assert {k: result[k] for k in ("text", "unknown", "candidates")} == {
            "text": "ываываыва qzxq",
            "unknown": True,
            "candidates": [],
        }
        assert set(result) == {"text", "unknown", "candidates", "suggestions", "threshold"}
        assert 0 < result["threshold"] < 1

    def test_an_abstention_carries_suggestions_with_their_groups(self, client: TestClient) -> None:
        texts = ["смотритель маяка", "электрогазосварщик"]
        body = client.post("/taxonomy/normalize?lang=en", json={"texts": texts}).json()
        unsure, sure = body["results"]
        assert unsure["unknown"] and unsure["candidates"] == []
        assert 1 <= len(unsure["suggestions"]) <= 3
        groups = [s["isco"] for s in unsure["suggestions"]]
        assert len(set(groups)) == len(groups), "one suggestion per unit group"
        scores = [s["score"] for s in unsure["suggestions"]]
        assert scores == sorted(scores, reverse=True)
        assert all(s < unsure["threshold"] for s in scores)
        first = unsure["suggestions"][0]
        assert first["isco_label"] and first["isco_label"].isascii()
        ru = client.post("/taxonomy/normalize?lang=ru", json={"texts": texts[:1]}).json()
        assert ru["results"][0]["suggestions"][0]["isco_label"] != first["isco_label"]
        # A confident answer has candidates and no suggestions; its candidates are unchanged.
        assert not sure["unknown"] and sure["suggestions"] == []
        assert set(sure["candidates"][0]) == {"code", "isco", "label", "score", "method"}
        assert sure["threshold"] == unsure["threshold"]  # both Cyrillic (Russian) titles

    def test_a_skill_abstention_suggests_distinct_skills(self, client: TestClient) -> None:
        body = client.post(
            "/taxonomy/normalize", json={"texts": ["таблицы эксел"], "kind": "skill"}
        ).json()
        result = body["results"][0]
        assert result["unknown"] and len(result["suggestions"]) == 3
        codes = [s["code"] for s in result["suggestions"]]
        assert codes[0] == "it.excel" and len(set(codes)) == 3
        assert all(s["isco"] == "" and s["isco_label"] == "" for s in result["suggestions"])

    def test_candidates_sorted_and_bounded(self, client: TestClient) -> None:
        body = client.post(
            "/taxonomy/normalize", json={"texts": ["учитель физики"], "top_k": 5}
        ).json()
        scores = [c["score"] for c in body["results"][0]["candidates"]]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        assert 1 <= len(scores) <= 5

    def test_skill_kind(self, client: TestClient) -> None:
        body = client.post(
            "/taxonomy/normalize", json={"texts": ["права категории C"], "kind": "skill"}
        ).json()
        assert body["results"][0]["candidates"], body

    def test_more_than_a_thousand_texts_refused(self, client: TestClient) -> None:
        body = assert_problem(client.post("/taxonomy/normalize", json={"texts": ["x"] * 1001}), 422)
        assert body["errors"][0]["loc"][:2] == ["body", "texts"]  # type: ignore[index]

    def test_empty_list_and_bad_kind(self, client: TestClient) -> None:
        assert_problem(client.post("/taxonomy/normalize", json={"texts": []}), 422)
        assert_problem(
            client.post("/taxonomy/normalize", json={"texts": ["a"], "kind": "hobby"}), 422
        )


class TestOccupations:
    def test_autocomplete(self, client: TestClient) -> None:
        items = client.get("/taxonomy/occupations?q=учит&limit=5").json()
        assert 1 <= len(items) <= 5 and all(i["isco"].startswith("23") for i in items)

    def test_detail_with_groups_aliases_and_skills(self, client: TestClient) -> None:
        code = client.get("/taxonomy/occupations?q=электрогазосвар&limit=1").json()[0]["code"]
        body = client.get(f"/taxonomy/occupations/{code}?lang=kk").json()
        assert [g["level"] for g in body["groups"]] == [1, 2, 3, 4]
        assert body["label"] == body["labels"]["kk"] and body["aliases"]
        assert body["skills"], "a welder has typical skills"

    def test_by_isco_group(self, client: TestClient) -> None:
        items = client.get("/taxonomy/occupations?isco=2221&limit=50").json()
        assert items and all(i["isco"] == "2221" for i in items)

    def test_unknown_code(self, client: TestClient) -> None:
        assert_problem(client.get("/taxonomy/occupations/Q0000.00"), 404)

    def test_skills_search(self, client: TestClient) -> None:
        items = client.get("/taxonomy/skills?q=excel&lang=en").json()
        assert items and any("excel" in i["label"].lower() for i in items)
        groups = {
            i["group"]
            for i in client.get("/taxonomy/skills?group=driving_licence&limit=100").json()
        }
        assert groups == {"driving_licence"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "normalize", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


class TestNormalizeCli:
    def test_writes_the_columns(self, tmp_path: Path) -> None:
        src = tmp_path / "titles.csv"
        pl.DataFrame(
            {"title": ["электрогазосварщик", "qqqqzzzz", "медсестра"], "n": [1, 2, 3]}
        ).write_csv(src)
        result = run_cli(str(src), "--column", "title")
        assert result.returncode == 0, result.stderr
        out = pl.read_csv(result.stdout.encode(), infer_schema=False)
        assert out.columns == ["text", "code", "isco", "label", "score", "method"]
        assert [v or "" for v in out["isco"].to_list()] == ["7212", "", "3221"]

    @pytest.mark.parametrize(
        ("args", "message"),
        [(("--column", "nope"), "no column"), (("--column", "title", "--kind", "hobby"), "--kind")],
    )
    def test_bad_input_is_one_line(
        self, tmp_path: Path, args: tuple[str, ...], message: str
    ) -> None:
        src = tmp_path / "titles.csv"
        src.write_text("title\nсварщик\n", encoding="utf-8")
        result = run_cli(str(src), *args)
        assert result.returncode != 0
        assert result.stderr.count("\n") == 1 and message in result.stderr

    def test_unreadable_file(self, tmp_path: Path) -> None:
        result = run_cli(str(tmp_path / "missing.csv"), "--column", "x")
        assert result.returncode != 0 and "cannot read" in result.stderr

    def test_esco_extends_the_taxonomy(self, tmp_path: Path) -> None:
        if not (ESCO_DIR / "occupations_en.csv").is_file():
            pytest.skip(
                f"ESCO sample not found at {ESCO_DIR}: the ESCO import is tested where it is present"
            )
        src = tmp_path / "titles.csv"
        src.write_text("title\nair traffic safety technician\n", encoding="utf-8")
        result = run_cli(str(src), "--column", "title", "--esco", str(ESCO_DIR), "--lang", "en")
        assert result.returncode == 0, result.stderr
        out = pl.read_csv(result.stdout.encode(), infer_schema=False)
        assert out["code"][0].startswith("esco:") and out["isco"][0] == "3155"
