"""Reference endpoints: regions, localities, support estimate, health, languages, problems."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import LocalityRecord, RegionRecord

PROBLEM = "application/problem+json"


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["title"]
    return body  # type: ignore[no-any-return]


class TestHealth:
    def test_healthz(self, client: TestClient) -> None:
        assert client.get("/healthz").json()["status"] == "ok"

    def test_readyz_checks_the_database(self, client: TestClient) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200 and response.json()["database"] == "ok"

    def test_readyz_503_when_database_unreachable(self, client: TestClient) -> None:
        from api.core.db import make_engine

        client.app.state.engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # type: ignore[attr-defined]
        assert_problem(client.get("/readyz"), 503)

    def test_request_id_is_echoed(self, client: TestClient) -> None:
        response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert response.headers["x-request-id"] == "abc-123"
        assert len(client.get("/healthz").headers["x-request-id"]) == 32


class TestRegions:
    def test_all_twenty_units(self, client: TestClient, session: Session) -> None:
        body = client.get("/regions").json()
        assert len(body) == 20 == session.scalar(select(func.count()).select_from(RegionRecord))
        assert {r["kind"] for r in body} == {"region", "city"}

    def test_names_in_the_language_asked(self, client: TestClient) -> None:
        ru = client.get("/regions/59?lang=ru").json()
        kk = client.get("/regions/59", headers={"Accept-Language": "kk-KZ,kk;q=0.9"}).json()
        en = client.get("/regions/59", headers={"Accept-Language": "fr, en;q=0.5"}).json()
        assert ru["name"] == ru["names"]["ru"] and "Северо" in ru["name"]
        assert kk["name"] == kk["names"]["kk"] and "Солтүстік" in kk["name"]
        assert en["name"] == en["names"]["en"] and "North" in en["name"]

    def test_code_iso_kato_and_alias_resolve_the_same(self, client: TestClient) -> None:
        codes = {
            client.get(f"/regions/{key}").json()["code"]
            for key in ("59", "KZ-59", "kz-59", "590000000", "Северо-Казахстанская область")
        }
        assert codes == {"59"}

    def test_roles_carry_their_source(self, client: TestClient) -> None:
        body = client.get("/regions/59").json()
        assert body["roles"], "North Kazakhstan has programme roles"
        assert all(role["source"] for role in body["roles"])
        assert any(role["role"] == "destination" for role in body["roles"])

    def test_destination_filter(self, client: TestClient) -> None:
        dest = {r["code"] for r in client.get("/regions?role=destination").json()}
        origin = {r["code"] for r in client.get("/regions?role=origin").json()}
        assert "59" in dest and "61" in origin and not dest & origin

    def test_unknown_region_is_a_404_problem(self, client: TestClient) -> None:
        body = assert_problem(client.get("/regions/Atlantis?lang=en"), 404)
        assert "Atlantis" in str(body["detail"])

    def test_almaty_is_ambiguous(self, client: TestClient) -> None:
        body = assert_problem(client.get("/regions/Almaty"), 409)
        candidates = {e["msg"].split()[1].rstrip(":") for e in body["errors"]}  # type: ignore[union-attr]
        assert candidates == {"19", "75"}

    def test_problem_title_in_three_languages(self, client: TestClient) -> None:
        titles = {
            lang: client.get(f"/regions/none?lang={lang}").json()["title"]
            for lang in ("kk", "ru", "en")
        }
        assert len(set(titles.values())) == 3


class TestLocalities:
    def test_filter_by_region_and_type(self, client: TestClient, session: Session) -> None:
        body = client.get("/localities?region=KZ-55&type=district_centre&limit=100").json()
        expected = session.scalar(
            select(func.count())
            .select_from(LocalityRecord)
            .where(
                LocalityRecord.region_code == "55",
                LocalityRecord.settlement_type == "district_centre",
            )
        )
        assert body["pagination"]["total_count"] == expected > 0
        assert all(
            i["region_code"] == "55" and i["settlement_type"] == "district_centre"
            for i in body["items"]
        )

    def test_pages_cover_everything_once(self, client: TestClient) -> None:
        first = client.get("/localities?region=59&limit=7").json()
        total, max_page = first["pagination"]["total_count"], first["pagination"]["max_page"]
        seen: list[str] = []
        for page in range(1, max_page + 1):
            seen += [
                i["id"]
                for i in client.get(f"/localities?region=59&limit=7&page={page}").json()["items"]
            ]
        assert len(seen) == len(set(seen)) == total

    def test_out_of_range_page(self, client: TestClient) -> None:
        body = assert_problem(client.get("/localities?region=59&page=100000"), 422)
        assert body["errors"][0]["loc"] == ["query", "page"]  # type: ignore[index]

    def test_bad_query_values(self, client: TestClient) -> None:
        body = assert_problem(client.get("/localities?page=0&limit=1000&type=metropolis"), 422)
        locs = {tuple(e["loc"]) for e in body["errors"]}  # type: ignore[union-attr]
        assert {("query", "page"), ("query", "limit"), ("query", "type")} <= locs

    def test_one_locality(self, client: TestClient, session: Session) -> None:
        loc = session.scalars(
            select(LocalityRecord).where(LocalityRecord.settlement_type == "regional_centre")
        ).first()
        assert loc is not None
        body = client.get(f"/localities/{loc.id}?lang=en").json()
        assert body["name"] == loc.name_en and body["services"]["heating"] == loc.heating
        assert_problem(client.get("/localities/no-such-place"), 404)

    def test_search_by_name(self, client: TestClient) -> None:
        body = client.get("/localities?q=Петропавл").json()
        assert any(i["names"]["ru"].startswith("Петропавл") for i in body["items"])


class TestSupportEstimate:
    def test_family_of_four_rural_2023(self, client: TestClient) -> None:
        body = client.post(
            "/support/estimate", json={"household_size": 4, "year": 2023, "is_urban": False}
        ).json()
        relocation = next(line for line in body["lines"] if line["code"] == "relocation_subsidy")
        assert relocation["tenge"] == 4 * 70 * 3450
        assert body["total_household_tenge"] == sum(
            line["tenge"] for line in body["lines"] if line["paid_to"] == "household"
        )

    def test_locality_sets_the_scale(self, client: TestClient, session: Session) -> None:
        urban = session.scalars(
            select(LocalityRecord).where(LocalityRecord.is_urban.is_(True))
        ).first()
        assert urban is not None
        body = client.post(
            "/support/estimate", json={"household_size": 2, "year": 2024, "locality_id": urban.id}
        ).json()
        assert body["is_urban"] is True

    def test_malformed_body_lists_every_field(self, client: TestClient, session: Session) -> None:
        before = session.scalar(select(func.count()).select_from(LocalityRecord))
        body = assert_problem(
            client.post(
                "/support/estimate", json={"household_size": 0, "year": "soon", "surprise": 1}
            ),
            422,
        )
        locs = {tuple(e["loc"]) for e in body["errors"]}  # type: ignore[union-attr]
        assert {("body", "household_size"), ("body", "year"), ("body", "surprise")} <= locs
        assert session.scalar(select(func.count()).select_from(LocalityRecord)) == before

    def test_unknown_locality(self, client: TestClient) -> None:
        assert_problem(
            client.post(
                "/support/estimate",
                json={"household_size": 3, "year": 2023, "locality_id": "nowhere"},
            ),
            404,
        )

    def test_not_json(self, client: TestClient) -> None:
        assert_problem(
            client.post(
                "/support/estimate",
                content=b"household_size=3",
                headers={"content-type": "text/plain"},
            ),
            422,
        )


def test_openapi_declares_problem_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    responses = spec["paths"]["/regions/{code}"]["get"]["responses"]
    assert "application/problem+json" in responses["404"]["content"]
    assert client.get("/docs").status_code == 200


def test_every_documented_422_is_a_problem(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    found = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            invalid = operation.get("responses", {}).get("422")
            if invalid is None:
                continue
            found += 1
            assert list(invalid["content"]) == ["application/problem+json"], (path, method)
    assert found > 10
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_openapi_references_resolve(client: TestClient) -> None:
    import json
    import re

    spec = client.get("/openapi.json").json()
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(spec)))
    assert refs and refs <= set(spec["components"]["schemas"])
