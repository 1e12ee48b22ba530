"""Importing an ESCO release (uses the shared ESCO sample next to the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy.esco import extend_with_esco, load_esco
from taxonomy.load import default_taxonomy, load_taxonomy
from taxonomy.normalizer import Normalizer
from taxonomy.similarity import occupation_similarity

ESCO_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "esco"


@pytest.fixture(scope="module")
def esco_dir() -> Path:
    if not (ESCO_DIR / "occupations_en.csv").exists():
        pytest.skip(f"ESCO sample not found at {ESCO_DIR} (download an ESCO CSV release there)")
    return ESCO_DIR


def test_release_is_read(esco_dir: Path) -> None:
    release = load_esco(esco_dir)
    assert len(release.occupations) > 1000
    for occ in release.occupations:
        assert len(occ.isco) == 4 and occ.isco.isdigit()
        assert occ.code.startswith(occ.isco)
        assert occ.uri.startswith("http://data.europa.eu/esco/occupation/")
    assert any(occ.alt_labels for occ in release.occupations)
    assert release.isco_groups.get("2330")
    # The sample has no skill files; the importer must cope.
    assert release.relations == () or all(len(r) == 3 for r in release.relations)


def test_taxonomy_is_extended(esco_dir: Path) -> None:
    base = default_taxonomy()
    release = load_esco(esco_dir)
    extended = extend_with_esco(base, release)
    occ = release.occupations[0]
    imported = extended.occupation(f"esco:{occ.code}")
    assert imported.isco == occ.isco
    assert imported.concept_uri == occ.uri
    assert imported.source == "esco"
    assert extended.label(imported.code, "en") == occ.preferred_label
    # No Russian title: the label falls back to English.
    assert extended.label(imported.code, "ru") == occ.preferred_label
    assert len(extended.occupations) == len(base.occupations) + len(release.occupations)
    # The base taxonomy is left as it was.
    assert f"esco:{occ.code}" not in base.occupations


def test_load_taxonomy_with_esco_dir(esco_dir: Path) -> None:
    tax = load_taxonomy(esco_dir=esco_dir)
    assert any(code.startswith("esco:") for code in tax.occupations)


def test_alt_labels_become_searchable(esco_dir: Path) -> None:
    release = load_esco(esco_dir)
    occ = next(o for o in release.occupations if len(o.alt_labels) >= 2)
    tax = extend_with_esco(default_taxonomy(), release)
    best = Normalizer(tax).normalize(occ.alt_labels[0], lang="en").best
    assert best is not None
    assert best.isco == occ.isco


def test_alt_label_filter_holds_labels_out(esco_dir: Path) -> None:
    release = load_esco(esco_dir)
    held = {o.alt_labels[0] for o in release.occupations if o.alt_labels}
    tax = extend_with_esco(
        default_taxonomy(), release, use_alt_label=lambda o, label: label not in held
    )
    indexed = {a.alias for a in tax.occupation_aliases if a.code.startswith("esco:")}
    assert not (held - {o.preferred_label for o in release.occupations}) & indexed


def test_similarity_accepts_esco_codes(esco_dir: Path) -> None:
    release = load_esco(esco_dir)
    tax = extend_with_esco(default_taxonomy(), release)
    occ = release.occupations[0]
    code = f"esco:{occ.code}"
    assert occupation_similarity(code, code, tax) == 1.0
    assert occupation_similarity(code, occ.isco, tax) >= 0.85
