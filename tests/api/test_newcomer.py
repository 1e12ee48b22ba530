"""What a newcomer trips on (issue 15, item 5): each one, tried as a new user would."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.core.docs import HOME
from api.core.params import DB_INT_MAX
from matching.ranking import option_id, parse_option_id
from tests.api.test_households_api import headers
from tests.api.test_reference_api import PROBLEM, assert_problem

TOO_BIG = DB_INT_MAX * 10  # 92233720368547758070: no 64-bit column holds it
CYRILLIC = re.compile("[\u0400-\u04ff]")


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]


def _is_integer(param: dict[str, Any]) -> bool:
    schema = param.get("schema", {})
    kinds = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
    return "integer" in kinds


class TestBoundedIntegers:
    def test_the_reported_url_is_a_422(self, client: TestClient, session: Session) -> None:
        response = client.get(f"/households/{TOO_BIG}", headers=headers(session, "admin"))
        assert_problem(response, 422)

    def test_every_route_refuses_an_out_of_range_integer(
        self, client: TestClient, session: Session
    ) -> None:
        """Each integer path or query parameter of every route, set too large: 4xx problem."""
        auth = headers(session, "admin")
        spec = client.get("/openapi.json").json()
        tried = []
        for path, method, op in _operations(spec):
            params = op.get("parameters", [])
            for target in (p for p in params if _is_integer(p)):
                url = path
                query: dict[str, Any] = {}
                for p in params:
                    if p["in"] == "path":
                        value = TOO_BIG if p is target or _is_integer(p) else "x"
                        url = url.replace("{" + p["name"] + "}", str(value))
                if target["in"] == "query":
                    query[target["name"]] = TOO_BIG
                body = {} if "requestBody" in op else None
                response = client.request(method, url, params=query, json=body, headers=auth)
                tried.append(f"{method.upper()} {url} {query or ''}")
                assert 400 <= response.status_code < 500, (tried[-1], response.text)
                assert response.headers["content-type"].startswith(PROBLEM), tried[-1]
        # Households, employers, vacancies, homes, tokens, matches, pages, years, limits …
        assert len(tried) >= 20, tried


class TestDocsOffline:
    def test_docs_reference_only_local_assets(self, client: TestClient) -> None:
        page = client.get("/docs")
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
        urls += re.findall(r"""url: ?['"]([^'"]+)['"]""", page.text)
        assert urls, page.text
        assert not [u for u in urls if "//" in u], urls  # no scheme-relative or absolute URL
        for url in (u for u in urls if u.endswith((".js", ".css"))):
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 10_000, url

    def test_root_leads_to_the_docs(self, client: TestClient) -> None:
        response = client.get("/", follow_redirects=False)
        assert response.status_code in (302, 307) and response.headers["location"] == HOME
        assert client.get("/").status_code == 200


class TestHealth:
    def test_healthz_reports_the_database(self, client: TestClient, backend: str) -> None:
        body = client.get("/healthz").json()
        assert body == {"status": "ok", "database": "ok", "backend": backend}

    def test_healthz_says_when_the_database_is_down(self, client: TestClient) -> None:
        from api.core.db import make_engine

        client.app.state.engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # type: ignore[attr-defined]
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["database"] == "unavailable"


class TestOptionIds:
    def test_no_trailing_separator(self) -> None:
        assert option_id("1", "425", "155", None) == "1|425|155"
        assert option_id("1", "425", "155", "7") == "1|425|155|7"

    def test_both_forms_parse(self) -> None:
        for text in ("1|425|155", "1|425|155|"):
            household, option = parse_option_id(text)
            assert (household, option.vacancy_id, option.home_id) == ("1", "425", "155")
            assert option.second_vacancy_id is None
        assert parse_option_id("1|425|155|7")[1].second_vacancy_id == "7"
        with pytest.raises(ValueError):
            parse_option_id("1|2|3|4|5")


class TestBodySize:
    def test_a_5_mb_json_body_is_a_413(self, client: TestClient, session: Session) -> None:
        big = {"texts": ["электрогазосварщик " * 50] * 5_000}  # about 5 MB
        for lang, word in (("kk", "тым үлкен"), ("ru", "слишком большой"), ("en", "too large")):
            response = client.post(
                f"/taxonomy/normalize?lang={lang}", json=big, headers=headers(session, "admin")
            )
            body = assert_problem(response, 413)
            assert word in str(body["title"]).lower() or word in str(body["detail"]).lower()

    def test_a_chunked_body_without_length_is_a_413_too(self, client: TestClient) -> None:
        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(50):
                yield b" " * 100_000

        response = client.post(
            "/taxonomy/normalize",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
        assert_problem(response, 413)

    def test_uploads_keep_their_own_larger_limit(self, client: TestClient, session: Session) -> None:
        content = b"external_id,name,region\n" + b"E1,Employer,59\n" * 200_000  # about 3 MB
        response = client.post(
            "/imports/employers",
            files={"file": ("employers.csv", content, "text/csv")},
            headers=headers(session, "admin"),
        )
        assert response.status_code != 413, response.text


class TestValidationMessagesTranslated:
    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_field_messages_in_the_asked_language(
        self, client: TestClient, session: Session, lang: str
    ) -> None:
        auth = headers(session, "admin")
        response = client.get(f"/households?lang={lang}&limit=1000&page=0", headers=auth)
        body = assert_problem(response, 422)
        messages = [e["msg"] for e in body["errors"]]  # type: ignore[union-attr]
        assert len(messages) == 2 and all(CYRILLIC.search(m) for m in messages), messages
        response = client.post(f"/households?lang={lang}", json={}, headers=auth)
        messages = [e["msg"] for e in assert_problem(response, 422)["errors"]]  # type: ignore[union-attr]
        assert messages and all(CYRILLIC.search(m) for m in messages), messages

    def test_english_keeps_pydantic_s_message(self, client: TestClient, session: Session) -> None:
        response = client.get("/households?lang=en&limit=1000", headers=headers(session, "admin"))
        errors = assert_problem(response, 422)["errors"]
        assert errors[0]["msg"] == "Input should be less than or equal to 100"  # type: ignore[index]

    def test_field_errors_of_the_domain_too(self, client: TestClient, session: Session) -> None:
        auth = headers(session, "admin")
        response = client.post(
            "/vacancies?lang=ru",
            json={
                "external_id": "V-X",
                "employer_external_id": "nobody",
                "locality_id": "x",
                "title": "сварщик",
                "wage_tenge": 1,
            },
            headers=auth,
        )
        errors = assert_problem(response, 422)["errors"]
        assert all(CYRILLIC.search(e["msg"]) for e in errors), errors  # type: ignore[union-attr]


class TestBoundedBodyIntegers:
    def test_a_token_for_an_impossible_household(self, client: TestClient, session: Session) -> None:
        response = client.post(
            "/tokens?lang=ru",
            json={"name": "x", "role": "applicant", "household_id": TOO_BIG},
            headers=headers(session, "admin"),
        )
        errors = assert_problem(response, 422)["errors"]
        assert errors[0]["loc"] == ["body", "household_id"], errors  # type: ignore[index]
        assert CYRILLIC.search(errors[0]["msg"]), errors  # type: ignore[index]

    def test_integers_inside_lists_too(self, client: TestClient, session: Session) -> None:
        response = client.post(
            "/allocation-runs",
            json={"year": 2025, "household_ids": [1, TOO_BIG]},
            headers=headers(session, "admin"),
        )
        assert_problem(response, 422)
