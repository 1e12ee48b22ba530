"""Integrity of the reference geography and programme roles, and region resolution."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.programme.files import NAME_LANGS
from matching.programme.geography import (
    AmbiguousRegionError,
    District,
    Locality,
    ReferenceData,
    ReferenceLookupError,
    Region,
    SettlementType,
    UnknownLocalityError,
    UnknownProgrammeVersionError,
    UnknownRegionError,
    load_reference,
    normalize_name,
)
from taxonomy.translit import kk_cyr_to_lat

DATA = Path(__file__).resolve().parents[2] / "data"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# The 31 letters of the 2021 Kazakh Latin alphabet; anything else in a Latin name (other
# than spaces, hyphens and digits) would be a transliteration slip.
KK_LATIN_LETTERS = set("AÄBDEFGĞHIİJKLMNÑOÖPQRSŞTUŪÜVYZaäbdefgğhıijklmnñoöpqrsştuūüvyz")
DESTINATIONS_MIN = {"59", "39", "55", "11", "63", "10", "35", "62"}
NEEDED_TYPES: tuple[SettlementType, ...] = ("regional_centre", "district_centre", "village")
_REF = load_reference()


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return _REF


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class TestTables:
    def test_twenty_first_level_units(self, ref: ReferenceData) -> None:
        kinds = Counter(r.kind for r in ref.regions)
        assert kinds == {"region": 17, "city": 3}

    def test_codes_are_consistent(self, ref: ReferenceData) -> None:
        codes = [r.code for r in ref.regions]
        assert len(set(codes)) == len(codes)
        for r in ref.regions:
            assert re.fullmatch(r"\d\d", r.code)
            assert r.kato == r.code + "0" * 7
            assert r.iso == f"KZ-{r.code}"
            assert re.fullmatch(r"KZ-[A-Z]{3}", r.iso_legacy)
        legacy = [r.iso_legacy for r in ref.regions]
        assert len(set(legacy)) == len(legacy)

    def test_new_regions_valid_from_2022_06_08(self, ref: ReferenceData) -> None:
        for code in ("10", "33", "62"):
            region = ref.region(code)
            assert region.valid_from == date(2022, 6, 8)
            assert not region.exists_on(date(2022, 6, 7))
            assert region.exists_on(date(2022, 6, 8))
        others = [r for r in ref.regions if r.code not in ("10", "33", "62")]
        assert all(r.valid_from is None for r in others)

    def test_unique_ids(self, ref: ReferenceData) -> None:
        for ids in ([d.id for d in ref.districts], [loc.id for loc in ref.all_localities]):
            assert len(set(ids)) == len(ids)

    def test_locality_ids_are_region_prefixed_ascii_slugs(self, ref: ReferenceData) -> None:
        for loc in ref.all_localities:
            assert re.fullmatch(r"\d\d-[a-z0-9-]+", loc.id), loc.id
            assert loc.id.startswith(loc.region_code + "-")

    def test_every_locality_in_existing_region_and_district(self, ref: ReferenceData) -> None:
        codes = {r.code for r in ref.regions}
        for loc in ref.all_localities:
            assert loc.region_code in codes
            if loc.settlement_type in ("regional_centre", "city"):
                assert loc.district_id is None, loc.id
            else:
                assert loc.district_id is not None, loc.id
                assert ref.district(loc.district_id).region_code == loc.region_code

    def test_district_centres_exist_in_their_region(self, ref: ReferenceData) -> None:
        for d in ref.districts:
            centre = ref.locality(d.centre_locality_id)
            assert centre.region_code == d.region_code
            assert centre.district_id in (d.id, None)

    def test_each_regional_centre_matches_region_centre(self, ref: ReferenceData) -> None:
        for region in ref.regions:
            if region.kind == "region":
                centres = ref.localities(region.code, "regional_centre")
                assert [c.name_ru for c in centres] == [region.centre_ru]

    def test_destination_regions_have_every_district_and_village(self, ref: ReferenceData) -> None:
        for code in DESTINATIONS_MIN:
            districts = ref.districts_of(code)
            assert districts, code
            for d in districts:
                villages = ref.localities(district_id=d.id, settlement_type="village")
                assert 2 <= len(villages) <= 4, d.id
                assert all(v.synthetic for v in villages)

    def test_default_destinations_have_needed_settlement_types(self, ref: ReferenceData) -> None:
        for year in (2019, 2023, 2026):
            version = ref.default_programme_version(year).programme_version
            for region in ref.regions_with_role(version, "destination"):
                for kind in NEEDED_TYPES:
                    assert ref.localities(region.code, kind), (version, region.code, kind)

    def test_names_present_in_all_languages(self, ref: ReferenceData) -> None:
        named: list[Region | District | Locality] = [
            *ref.regions,
            *ref.districts,
            *ref.all_localities,
        ]
        for obj in named:
            for lang in NAME_LANGS:
                assert obj.name(lang).strip(), (obj, lang)
        for region in ref.regions:
            for lang in ("kk", "ru", "en"):
                assert region.centre(lang).strip()

    def test_kk_latin_names_have_no_cyrillic(self, ref: ReferenceData) -> None:
        named: list[Region | District | Locality] = [
            *ref.regions,
            *ref.districts,
            *ref.all_localities,
        ]
        for obj in named:
            latin = obj.name("kk_latn")
            assert not CYRILLIC.search(latin), latin
            assert set(latin) - set(" -0123456789") <= KK_LATIN_LETTERS, latin
            assert latin == kk_cyr_to_lat(obj.name_kk), (latin, obj.name_kk)

    def test_en_and_ru_names_are_in_their_scripts(self, ref: ReferenceData) -> None:
        named: list[Region | District | Locality] = [
            *ref.regions,
            *ref.districts,
            *ref.all_localities,
        ]
        for obj in named:
            assert not CYRILLIC.search(obj.name_en), obj.name_en
            assert CYRILLIC.search(obj.name_ru), obj.name_ru
            assert CYRILLIC.search(obj.name_kk), obj.name_kk

    def test_service_values_are_plausible(self, ref: ReferenceData) -> None:
        for loc in ref.all_localities:
            assert loc.population > 0
            assert loc.hospital_km >= 0
            assert 40.0 <= loc.lat <= 56.0 and 46.0 <= loc.lon <= 88.0, loc.id
            if loc.settlement_type in ("regional_centre", "city"):
                assert loc.is_urban and loc.school and loc.clinic and loc.hospital_km == 0
            if loc.synthetic:
                assert loc.settlement_type == "village" and not loc.is_urban
                assert {"hospital_km", "heating", "population"} <= loc.estimated_fields

    def test_estimated_fields_name_real_columns(self) -> None:
        rows = _rows("localities.csv")
        columns = set(rows[0])
        for row in rows:
            listed = {f for f in row["estimated_fields"].split(";") if f}
            assert listed <= columns, row["id"]
            if row["population_is_estimate"] == "true":
                assert "population" in listed, row["id"]

    def test_every_row_has_a_source(self) -> None:
        for name in (
            "regions.csv",
            "region_aliases.csv",
            "districts.csv",
            "localities.csv",
            "programme_roles.csv",
            "programme_versions.csv",
            "support/mci.csv",
            "support/measures.csv",
        ):
            for row in _rows(name):
                assert row["source"].strip(), (name, row)

    def test_aliases_point_to_existing_regions(self, ref: ReferenceData) -> None:
        codes = {r.code for r in ref.regions}
        rows = _rows("region_aliases.csv")
        assert all(row["region_code"] in codes for row in rows)
        by_alias: dict[str, set[str]] = {}
        for row in rows:
            by_alias.setdefault(row["alias"], set()).add(row["region_code"])
        for row in rows:
            shared = len(by_alias[row["alias"]]) > 1
            assert shared == (row["note"] == "ambiguous"), row


class TestRegionResolution:
    @pytest.mark.parametrize(
        "query",
        ["59", "KZ-59", "kz-59", 59, "590000000", "KZ-SEV", "Северо-Казахстанская область",
         "северо-казахстанская", "North Kazakhstan Region", "СКО", "Petropavlovsk region",
         "Солтүстік Қазақстан облысы", "Soltüstık Qazaqstan oblysy"],
    )  # fmt: skip
    def test_north_kazakhstan_forms_resolve_the_same(
        self, ref: ReferenceData, query: str | int
    ) -> None:
        assert ref.region(query).code == "59"

    @pytest.mark.parametrize(
        ("query", "code"),
        [("Nur-Sultan", "71"), ("Akmolinsk", "11"), ("Tselinograd", "71"),
         ("South Kazakhstan", "61"), ("ЮКО", "61"), ("Kostanai", "39"), ("Karagandy", "35"),
         ("Semipalatinsk", "10"), ("Abay", "10"), ("ВКО", "63"), ("Ust-Kamenogorsk", "63"),
         ("KZ-YUZ", "61"), ("Almaty Region", "19"), ("Almaty city", "75"),
         ("Алматы облысы", "19"), ("Чимкент", "79"), ("Turkistan", "61")],
    )  # fmt: skip
    def test_aliases(self, ref: ReferenceData, query: str, code: str) -> None:
        assert ref.region(query).code == code

    @pytest.mark.parametrize("query", ["Almaty", "Алматы", "almaty", "ALMATY", "Алма-Ата"])
    def test_almaty_is_ambiguous_and_lists_both(self, ref: ReferenceData, query: str) -> None:
        with pytest.raises(AmbiguousRegionError) as info:
            ref.region(query)
        assert sorted(c.code for c in info.value.candidates) == ["19", "75"]
        assert isinstance(info.value, ReferenceLookupError)
        for lang in ("kk", "ru", "en"):
            message = info.value.text.get(lang)
            assert query in message and "19" in message and "75" in message

    @pytest.mark.parametrize("query", ["Mars", "KZ-99", "99", "", "Orenburg"])
    def test_unknown_region(self, ref: ReferenceData, query: str) -> None:
        with pytest.raises(UnknownRegionError) as info:
            ref.region(query)
        assert isinstance(info.value, ReferenceLookupError)
        assert info.value.text.kk != info.value.text.en

    @given(st.sampled_from(range(20)), st.sampled_from(NAME_LANGS), st.booleans())
    def test_every_name_resolves_to_its_region(self, i: int, lang: str, upper: bool) -> None:
        ref = _REF
        region = ref.regions[i]
        name = region.name(lang)
        query = name.upper() if upper else name
        try:
            assert ref.region(query).code == region.code
        except AmbiguousRegionError as err:
            # Only the names shared by Almaty region and Almaty city may be ambiguous.
            assert region.code in {c.code for c in err.candidates}
            assert normalize_name(name) in ("алматы", "almaty")


class TestProgrammeRoles:
    def test_versions_and_defaults(self, ref: ReferenceData) -> None:
        assert ref.default_programme_version(2017).programme_version == "enbek_2017_2021"
        assert ref.default_programme_version(2021).programme_version == "enbek_2017_2021"
        assert ref.default_programme_version(2022).programme_version == "strong_regions_2022"
        assert ref.default_programme_version(2026).programme_version == "quota_2026"
        with pytest.raises(UnknownProgrammeVersionError):
            ref.default_programme_version(2010)
        with pytest.raises(UnknownProgrammeVersionError):
            ref.programme_version("nurly_kosh")

    def test_adopted_roles_never_conflict(self, ref: ReferenceData) -> None:
        for version in ref.versions:
            adopted = [r for r in ref.role_claims(version.programme_version) if r.is_default]
            pairs = Counter(r.region_code for r in adopted)
            assert all(n == 1 for n in pairs.values()), version.programme_version
            origins = ref.regions_with_role(version.programme_version, "origin")
            destinations = ref.regions_with_role(version.programme_version, "destination")
            assert origins and destinations
            assert not {r.code for r in origins} & {r.code for r in destinations}

    def test_conflicting_s001_claims_are_kept(self, ref: ReferenceData) -> None:
        for code in ("11", "35", "39"):
            claims = ref.role_claims("strong_regions_2022", code)
            roles = {(c.role, c.source, c.is_default) for c in claims}
            assert ("destination", "S001 §4.2", True) in roles
            assert ("origin", "S001 §6", False) in roles

    def test_roles_match_the_seed_lists(self, ref: ReferenceData) -> None:
        def codes(version: str, role: str) -> set[str]:
            return {r.code for r in ref.regions_with_role(version, role)}  # type: ignore[arg-type]

        assert codes("enbek_2017_2021", "destination") == {"59", "63", "39", "11", "55", "35"}
        assert codes("strong_regions_2022", "destination") == {
            "11", "35", "63", "39", "55", "59", "10", "62",
        }  # fmt: skip
        assert {"71", "75", "79", "33"} <= codes("strong_regions_2022", "origin")
        assert "11" not in codes("quota_2026", "destination")

    def test_role_years_match_versions(self, ref: ReferenceData) -> None:
        for role in ref.roles:
            version = ref.programme_version(role.programme_version)
            assert (role.year_from, role.year_to) == (version.year_from, version.year_to)

    def test_new_regions_only_in_versions_after_they_exist(self, ref: ReferenceData) -> None:
        for role in ref.roles:
            region = ref.region(role.region_code)
            if region.valid_from is not None:
                assert role.year_from >= region.valid_from.year


class TestLocalityLookups:
    def test_locality_by_id(self, ref: ReferenceData) -> None:
        petropavl = ref.locality("59-petropavl")
        assert petropavl.settlement_type == "regional_centre"
        assert petropavl.name("en") == "Petropavl"
        with pytest.raises(UnknownLocalityError):
            ref.locality("59-atlantis")

    def test_filters_compose(self, ref: ReferenceData) -> None:
        everything = ref.localities()
        real = ref.localities(include_synthetic=False)
        assert real and all(not loc.synthetic for loc in real)
        assert len(everything) > len(real)
        nko_villages = ref.localities("59", "village")
        assert nko_villages
        assert all(loc.region_code == "59" for loc in nko_villages)
        assert set(ref.localities("59")) >= set(nko_villages)

    def test_synthetic_villages_are_reproducible(self, tmp_path: Path) -> None:
        import shutil
        import subprocess
        import sys

        for name in ("localities.csv", "districts.csv"):
            shutil.copy(DATA / name, tmp_path / name)
        tools = tmp_path / "tools"
        tools.mkdir()
        shutil.copy(DATA / "tools" / "make_synthetic_villages.py", tools)
        subprocess.run([sys.executable, str(tools / "make_synthetic_villages.py")], check=True)
        assert (tmp_path / "localities.csv").read_bytes() == (DATA / "localities.csv").read_bytes()
