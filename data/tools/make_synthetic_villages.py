"""Add reproducible synthetic villages to data/localities.csv.

The real rows of localities.csv (regional centres, cities, district centres) are kept as they
are; every earlier synthetic row is dropped and 2-4 synthetic villages per district of
data/districts.csv are generated again with a fixed seed, so running the script twice gives
the same file.

Service flags follow the community-level access-to-services shares of the IOM Mobility
Tracking Matrix, BMA Round 4 (April 2024), Annex "access to services" (seed S004):
school 99 %, clinic 91 %, safe drinking water 92 % (used as a proxy for piped water).
Distance to the nearest hospital is drawn from the S004 distance bands of households that
lack a hospital (0-5 km 52 %, 6-10 km 11 %, 11-15 km 6 %, 16-20 km 6 %, 21-25 km 5 %,
over 25 km 20 %). Kindergarten, bus link and heating shares are not in any seed and are
estimates. All values of synthetic rows are estimates.

Kazakh Latin names come from ``taxonomy.translit.kk_cyr_to_lat`` (the 2021 alphabet), as in
the rest of the reference data.

Usage: .venv/bin/python data/tools/make_synthetic_villages.py  (the project must be installed)
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from taxonomy.translit import kk_cyr_to_lat

DATA = Path(__file__).resolve().parents[1]
SEED = 20240401

# (kk, ru, en) — common Kazakh and Russian village names of the northern regions.
VILLAGE_NAMES: list[tuple[str, str, str]] = [
    ("Ақжар", "Акжар", "Akzhar"), ("Қызылту", "Кызылту", "Kyzyltu"),
    ("Жаңаауыл", "Жанаауыл", "Zhanaaul"), ("Көктерек", "Коктерек", "Kokterek"),
    ("Алғабас", "Алгабас", "Algabas"), ("Бірлік", "Бирлик", "Birlik"),
    ("Ынтымақ", "Ынтымак", "Yntymak"), ("Қарағаш", "Карагаш", "Karagash"),
    ("Сарыкөл", "Сарыколь", "Sarykol"), ("Талды", "Талды", "Taldy"),
    ("Көкөзек", "Кокозек", "Kokozek"), ("Жаңажол", "Жанажол", "Zhanazhol"),
    ("Ақсу", "Аксу", "Aksu"), ("Қайыңды", "Каинды", "Kaiyndy"),
    ("Тасөткел", "Тасоткель", "Tasotkel"), ("Егінді", "Егинды", "Egindi"),
    ("Қамысты", "Камысты", "Kamysty"), ("Жалтыр", "Жалтыр", "Zhaltyr"),
    ("Бестерек", "Бестерек", "Besterek"), ("Қаратал", "Каратал", "Karatal"),
    ("Ақтерек", "Актерек", "Akterek"), ("Шұбаркөл", "Шубарколь", "Shubarkol"),
    ("Қоскөл", "Косколь", "Koskol"), ("Үлгілі", "Улгили", "Ulgili"),
    ("Жаңатұрмыс", "Жанатурмыс", "Zhanaturmys"), ("Көктал", "Коктал", "Koktal"),
    ("Новоандреевка", "Новоандреевка", "Novoandreyevka"), ("Ивановка", "Ивановка", "Ivanovka"),
    ("Петровка", "Петровка", "Petrovka"), ("Михайловка", "Михайловка", "Mikhailovka"),
    ("Покровка", "Покровка", "Pokrovka"), ("Степное", "Степное", "Stepnoye"),
    ("Луговое", "Луговое", "Lugovoye"), ("Березовка", "Березовка", "Berezovka"),
    ("Краснополье", "Краснополье", "Krasnopolye"), ("Заречное", "Заречное", "Zarechnoye"),
    ("Полтавка", "Полтавка", "Poltavka"), ("Алексеевка", "Алексеевка", "Alekseyevka"),
    ("Николаевка", "Николаевка", "Nikolayevka"), ("Васильевка", "Васильевка", "Vasilyevka"),
    ("Константиновка", "Константиновка", "Konstantinovka"),
    ("Дмитриевка", "Дмитриевка", "Dmitriyevka"), ("Сосновка", "Сосновка", "Sosnovka"),
    ("Озерное", "Озерное", "Ozernoye"), ("Светлое", "Светлое", "Svetloye"),
    ("Чистополье", "Чистополье", "Chistopolye"), ("Ақбұлақ", "Акбулак", "Akbulak"),
    ("Каменка", "Каменка", "Kamenka"), ("Лесное", "Лесное", "Lesnoye"),
    ("Раздольное", "Раздольное", "Razdolnoye"),
]

# S004 Annex: households in communities lacking a hospital, by distance band (km).
HOSPITAL_BANDS: list[tuple[float, float, int]] = [
    (2.0, 5.0, 297_888), (6.0, 10.0, 63_257), (11.0, 15.0, 34_588),
    (16.0, 20.0, 34_213), (21.0, 25.0, 27_102), (26.0, 80.0, 113_581),
]
P_SCHOOL, P_CLINIC, P_WATER = 0.99, 0.91, 0.92  # S004 Annex
P_KINDERGARTEN, P_BUS = 0.55, 0.75  # estimates, no seed figure
# Estimated household heating shares in villages; gas only where a regional gas network
# exists (Kostanay, Karaganda, Akmola: estimate).
HEATING_WITH_GAS = (("stove", 0.78), ("central", 0.10), ("gas", 0.12))
HEATING_NO_GAS = (("stove", 0.88), ("central", 0.12))
GAS_REGIONS = {"39", "35", "11"}
ESTIMATED = (
    "population;school;kindergarten;clinic;hospital_km;heating;piped_water;bus_link;lat;lon"
)
SOURCE = (
    "synthetic (data/tools/make_synthetic_villages.py, seed 20240401); service shares S004 Annex"
)


def _ascii_slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _choice(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    x = rng.random()
    acc = 0.0
    for value, p in weighted:
        acc += p
        if x < acc:
            return value
    return weighted[-1][0]


def _hospital_km(rng: random.Random) -> float:
    total = sum(n for _, _, n in HOSPITAL_BANDS)
    x = rng.random() * total
    for lo, hi, n in HOSPITAL_BANDS:
        if x < n:
            return round(rng.uniform(lo, hi), 1)
        x -= n
    return round(rng.uniform(26.0, 80.0), 1)


def main() -> None:
    loc_path = DATA / "localities.csv"
    with loc_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        real = [row for row in reader if row["synthetic"] != "true"]
    with (DATA / "districts.csv").open(encoding="utf-8", newline="") as fh:
        districts = list(csv.DictReader(fh))
    centres = {row["id"]: row for row in real}
    used_ids = {row["id"] for row in real}
    rng = random.Random(SEED)
    synthetic: list[dict[str, str]] = []
    for district in districts:
        centre = centres[district["centre_locality_id"]]
        lat0, lon0 = float(centre["lat"]), float(centre["lon"])
        # A village never repeats the name of its own district centre.
        pool = [n for n in VILLAGE_NAMES if n[2] != centre["name_en"]]
        names = rng.sample(pool, k=rng.randint(2, 4))
        for kk, ru, en in names:
            slug = f"{district['region_code']}-{_ascii_slug(en)}"
            if slug in used_ids:
                slug = f"{slug}-{district['id'].split('-', 1)[1]}"
            used_ids.add(slug)
            hospital_km = _hospital_km(rng)
            # Place the village so that its road distance (about 1.25 x straight line) to the
            # district centre, where the district hospital stands, equals hospital_km.
            bearing = rng.uniform(0.0, 2.0 * math.pi)
            km = max(hospital_km, 3.0) / 1.25
            lat = lat0 + km * math.cos(bearing) / 111.0
            lon = lon0 + km * math.sin(bearing) / (111.0 * math.cos(math.radians(lat0)))
            gas = district["region_code"] in GAS_REGIONS
            heating = _choice(rng, HEATING_WITH_GAS if gas else HEATING_NO_GAS)
            population = int(min(2500, max(60, rng.lognormvariate(math.log(450), 0.7))))
            synthetic.append({
                "id": slug,
                "region_code": district["region_code"],
                "district_id": district["id"],
                "name_kk": kk,
                "name_kk_latn": kk_cyr_to_lat(kk),
                "name_ru": ru,
                "name_en": en,
                "settlement_type": "village",
                "is_urban": "false",
                "population": str(population),
                "population_is_estimate": "true",
                "school": str(rng.random() < P_SCHOOL).lower(),
                "kindergarten": str(rng.random() < P_KINDERGARTEN).lower(),
                "clinic": str(rng.random() < P_CLINIC).lower(),
                "hospital_km": f"{hospital_km:.1f}",
                "heating": heating,
                "piped_water": str(rng.random() < P_WATER).lower(),
                "bus_link": str(rng.random() < P_BUS).lower(),
                "lat": f"{lat:.4f}",
                "lon": f"{lon:.4f}",
                "synthetic": "true",
                "estimated_fields": ESTIMATED,
                "source": SOURCE,
            })
    with loc_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(real)
        writer.writerows(synthetic)


if __name__ == "__main__":
    main()
