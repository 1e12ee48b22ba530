"""Priors of the synthetic programme: every distribution the generator draws from.

Sources are listed in docs/synthetic_programme.md; values the sources do not give are
marked there as estimates.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# ---------------------------------------------------------------- priors (docs list sources)

HOUSEHOLD_SIZE_P = np.array([0.10, 0.15, 0.20, 0.25, 0.18, 0.08, 0.04])  # sizes 1..7 (§6.7)
APPLICANT_FEMALE_P = 0.483  # seed 000 §2.1
AGE_BANDS = np.array([[18, 29], [30, 39], [40, 49], [50, 62]])
AGE_BAND_P = np.array([0.384, 0.35, 0.18, 0.086])  # T46 / Fig. 2; split of 30+ an estimate
MARITAL = ("single", "married", "divorced", "widowed")
MARITAL_P_MALE = np.array([0.208, 0.765, 0.022, 0.005])  # seed 000 §2.1
MARITAL_P_FEMALE = np.array([0.152, 0.638, 0.192, 0.018])
EDUCATION = ("none", "secondary", "vocational", "higher")
EDUCATION_P = np.array([0.03, 0.22, 0.30, 0.45])  # higher ≈0.45 (Fig. 1); rest estimate
ORIGIN_REGIONS = ("61", "19", "71", "43", "31", "79", "75", "47", "abroad")
ORIGIN_P = np.array([0.243, 0.172, 0.147, 0.127, 0.121, 0.090, 0.059, 0.028, 0.012])  # T12
CITY_REGIONS = frozenset({"71", "75", "79"})
# T13 previous settlement type without the large-city class, for origin oblasts.
ORIGIN_SETTLEMENTS_OBLAST = ("regional_centre", "city", "township", "district_centre", "village")
ORIGIN_SETTLEMENTS_P = np.array([0.260, 0.068, 0.079, 0.155, 0.322])
# Destination mix of placements, Jan–Jun 2024 (EXT-Q via regions brief §5.4).
DESTINATION_P: Mapping[str, float] = {
    "55": 0.42, "59": 0.24, "39": 0.11, "63": 0.08, "10": 0.07, "11": 0.06, "35": 0.01, "62": 0.01,
}  # fmt: skip
# Informal corridors (S001 §5): Turkestan → Kostanay, Pavlodar, NKO; Almaty region → EKO,
# Pavlodar. Other origins prefer any destination.
CORRIDORS: Mapping[str, tuple[str, ...]] = {"61": ("39", "55", "59"), "19": ("63", "55")}
VILLAGE_PLACEMENT_SHARE = 0.67  # seed 000 §3.5.1: 65–70 % of placements go to villages

# Sectors: pooled T30 employment of placed workers (men and women averaged); military dropped.
SECTORS = (
    "education", "health", "agriculture", "services", "construction", "transport",
    "industry", "state", "finance", "municipal",
)  # fmt: skip
SECTOR_P_MALE = np.array([0.159, 0.114, 0.102, 0.159, 0.125, 0.097, 0.091, 0.068, 0.017, 0.045])
SECTOR_P_FEMALE = np.array([0.291, 0.223, 0.108, 0.209, 0.0, 0.0, 0.020, 0.061, 0.041, 0.041])
# T9 vacancies (education, health, agriculture) per destination region; Abai uses East
# Kazakhstan's row and Ulytau Karaganda's (both split from them in 2022).
T9: Mapping[str, tuple[int, int, int]] = {
    "59": (66, 98, 38), "63": (183, 248, 61), "39": (90, 295, 57), "11": (96, 155, 66),
    "55": (64, 64, 62), "35": (66, 204, 186), "10": (183, 248, 61), "62": (66, 204, 186),
}  # fmt: skip
# Occupations per sector: (qualified ISCO-08 unit groups, elementary unit group for unskilled).
SECTOR_OCCUPATIONS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "education": (("2341", "2330", "2342", "2351", "2310"), "9412"),
    "health": (("2211", "2221", "3221", "2262", "5322"), "9112"),
    "agriculture": (("6121", "8341", "6111", "3240", "7233"), "9211"),
    "services": (("5120", "5223", "5131", "4110", "9412"), "9112"),
    "construction": (("7112", "7115", "7411", "7126", "7212"), "9313"),
    "transport": (("8332", "8322", "8331", "7231", "4110"), "9329"),
    "industry": (("7212", "7233", "8111", "3118", "2151"), "9329"),
    "state": (("2422", "3343", "4110", "2411", "4311"), "9112"),
    "finance": (("2411", "4311", "3343", "4110", "2422"), "9112"),
    "municipal": (("7126", "8182", "7411", "8322", "4110"), "9613"),
}
# The same as arrays indexed by sector (and pick), for vectorized draws.
QUALIFIED_OCCUPATIONS = np.array([SECTOR_OCCUPATIONS[s][0] for s in SECTORS], dtype=object)
ELEMENTARY_OCCUPATIONS = np.array([SECTOR_OCCUPATIONS[s][1] for s in SECTORS], dtype=object)
QUALIFIED_VACANCY_SHARE = 0.5  # seed 000 §3.3.1: about half of vacancies are unskilled
# Licences implied by an occupation (driver categories, tractor, medical, welding).
OCCUPATION_LICENCES: Mapping[str, tuple[str, ...]] = {
    "8332": ("C", "CE"), "8331": ("D",), "8322": ("B",), "8341": ("tractor",),
    "2211": ("medical",), "2221": ("medical",), "3221": ("medical",), "7212": ("welding",),
}  # fmt: skip
# Car licence (B) of any adult, by sex. ESTIMATE (the driver's licence is on the employment
# centre's card, seed 000 §3.3.2, but no share is given).
CAR_LICENCE_P_MALE = 0.45
CAR_LICENCE_P_FEMALE = 0.15

# ---------------------------------------------------------------- skills and credentials
# Skill codes are those of data/taxonomy/skills.csv; a member's and a vacancy's skills are
# drawn from the taxonomy's occupation → skill links (data/taxonomy/occupation_skills.csv).
#
# The skill code that stands for each licence of matching.domain.LICENCES (the bit mask the
# scorer gates on). A member holding a code, or a code implying it (CE → C), holds the licence;
# a member holding the licence holds the first code. From skills.csv's groups, not an estimate.
LICENCE_SKILLS: Mapping[str, tuple[str, ...]] = {
    "B": ("lic.drive.B",), "C": ("lic.drive.C",), "D": ("lic.drive.D",), "CE": ("lic.drive.CE",),
    "tractor": ("lic.tractor.C", "lic.tractor.A", "lic.tractor.B", "lic.tractor.D",
                "lic.tractor.E", "lic.tractor.F"),
    "medical": ("med.cert.specialist",),
    "welding": ("weld.cert.kz", "weld.naks.1", "weld.cert.iso9606"),
}  # fmt: skip
# Share of workers of an occupation that needs a licence (OCCUPATION_LICENCES) who hold it.
# ESTIMATE: working in the trade needs the licence, but some lapsed or, for kandas, were
# issued abroad and not yet exchanged; no source gives the share.
OCCUPATION_LICENCE_HELD = 0.9
# Chance that a worker holds each *essential* skill linked to the occupation of each of their
# jobs (the mismatch noise: not every worker holds every core skill). ESTIMATE, tuned so that
# 24 % of workers lack at least one essential skill of their main occupation, the share of
# movers who took a professional course at the destination (24.8 %, seed 000 T39, §3.4.6);
# the seed does not measure skill gaps themselves, so the course share is only a proxy.
ESSENTIAL_SKILL_HELD = 0.78
# Chance that a worker holds each *optional* skill linked to their occupation. ESTIMATE.
OPTIONAL_SKILL_HELD = 0.35
# Share of workers holding one more skill linked to any occupation of their sector, not
# necessarily their own (learned in an earlier job not recorded as experience); licences
# never come this way. ESTIMATE.
STRAY_SKILL_SHARE = 0.10
# Share of vacancies that list no required skills (the post names an occupation only; its
# licences, if any, still apply). ESTIMATE: no source counts the skills a posting lists.
VACANCY_NO_SKILLS_SHARE = 0.30
# A vacancy that lists skills lists every essential skill of its occupation and each optional
# one with this chance. ESTIMATE.
VACANCY_OPTIONAL_LISTED = 0.25
# At most this many required skills per vacancy (essential ones kept first). ESTIMATE.
VACANCY_MAX_SKILLS = 4
# Relative wage by sector (S002 B3, 2008 USD, male and female averaged, over the total).
SECTOR_WAGE: Mapping[str, float] = {
    "education": 0.59, "health": 0.62, "agriculture": 0.49, "services": 0.92,
    "construction": 1.27, "transport": 1.34, "industry": 1.15, "state": 0.77,
    "finance": 2.47, "municipal": 1.03,
}  # fmt: skip
BASE_WAGE_TENGE = 300_000.0  # national mean monthly wage level, 2023 order of magnitude (estimate)
# Housing: share of households with pre-arranged housing (T29) → built-for-migrants share.
BUILT_SHARE: Mapping[str, float] = {
    "59": 0.217, "39": 0.179, "55": 0.142, "63": 0.036, "10": 0.036, "11": 0.15, "35": 0.15,
    "62": 0.15,
}  # fmt: skip
# Quality below price (§3.4.2): EK 70.6 %, NK 51.4 %, Pavlodar 40.9 %, Kostanay 33.3 %.
POOR_QUALITY: Mapping[str, float] = {
    "63": 0.706, "10": 0.706, "59": 0.514, "55": 0.409, "39": 0.333, "11": 0.45, "35": 0.45,
    "62": 0.45,
}  # fmt: skip
LAND_P = np.array([0.4, 0.3, 0.3])  # none / remote / adequate (§6.7, an assumption)



def draw_index(rng: np.random.Generator, n: int, p: npt.ArrayLike) -> IntArray:
    """``n`` indices drawn with probabilities ``p`` (normalized here)."""
    p = np.asarray(p, dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").astype(np.int64)

