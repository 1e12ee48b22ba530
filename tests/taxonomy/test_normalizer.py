"""The title normalizer on hand-written titles, plus properties of its results."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy.load import default_taxonomy
from taxonomy.normalizer import Normalizer

TEACHING = {
    "2310",
    "2320",
    "2330",
    "2341",
    "2342",
    "2351",
    "2352",
    "2353",
    "2354",
    "2355",
    "2356",
    "2359",
}


@pytest.fixture(scope="module")
def norm() -> Normalizer:
    return Normalizer(default_taxonomy())


@pytest.fixture(scope="module")
def open_norm() -> Normalizer:
    # Threshold 0: every text gets candidates, so properties can look at them.
    return Normalizer(default_taxonomy(), threshold=0.0)


class TestExactPath:
    @pytest.mark.parametrize(
        ("text", "isco"),
        [
            ("учитель начальных классов", "2341"),
            ("Тракторист-машинист кат. А", "8341"),
            ("медсестра", "3221"),
            ("электрогазосварщик", "7212"),
            ("vet doctor", "2250"),
        ],
    )
    def test_known_titles(self, norm: Normalizer, text: str, isco: str) -> None:
        best = norm.normalize(text).best
        assert best is not None
        assert best.isco == isco
        assert best.method == "exact"
        assert best.score == pytest.approx(1.0)

    def test_vacancy_noise_does_not_stop_exact_match(self, norm: Normalizer) -> None:
        best = norm.normalize("Требуется учитель начальных классов в СОШ №3, стаж 5 лет").best
        assert best is not None and best.method == "exact" and best.isco == "2341"


class TestFuzzyPath:
    @pytest.mark.parametrize(
        ("text", "isco"),
        [
            ("трактарист", "8341"),
            ("учитль начальных класов", "2341"),
            ("электрогазасварщик", "7212"),
        ],
    )
    def test_typos(self, norm: Normalizer, text: str, isco: str) -> None:
        best = norm.normalize(text).best
        assert best is not None
        assert best.isco == isco
        assert best.method == "fuzzy"
        assert best.score < 1.0


class TestNgramPath:
    def test_unseen_wording(self, open_norm: Normalizer) -> None:
        # A split compound no alias is written as: only character n-grams bridge it.
        best = open_norm.normalize("электрогазосвар щик").best
        assert best is not None
        assert best.isco == "7212"
        assert best.method == "ngram"


class TestKazakh:
    @pytest.mark.parametrize("text", ["мұғалім", "muğalım", "MUGALIM", "мугалим"])
    def test_teacher_in_every_script(self, open_norm: Normalizer, text: str) -> None:
        result = open_norm.normalize(text)
        assert result.best is not None
        assert result.best.isco in TEACHING
        reference = open_norm.normalize("мұғалім")
        assert [c.code for c in result.candidates] == [c.code for c in reference.candidates]


class TestUnknown:
    @pytest.mark.parametrize(
        "text", ["qwrtzp", "ббббб ккккк", "xyz 123", "", "!!!", "требуется срочно"]
    )
    def test_gibberish_is_unknown(self, norm: Normalizer, text: str) -> None:
        result = norm.normalize(text)
        assert result.unknown
        assert result.candidates == ()
        assert result.best is None


TEXTS = st.one_of(
    st.sampled_from(
        ["учитель математики", "жүргізуші", "Bulldozer operator", "kassir", "повар", "сварщик"]
    ),
    st.text(alphabet="абвгдеклмнопрстуәіқңabcdeklmnoprstu .-", min_size=0, max_size=30),
)


class TestProperties:
    @given(TEXTS, st.integers(min_value=1, max_value=6))
    @settings(max_examples=80, deadline=None)
    def test_scores_in_unit_interval_and_sorted(
        self, open_norm: Normalizer, text: str, top_k: int
    ) -> None:
        result = open_norm.normalize(text, top_k=top_k)
        scores = [c.score for c in result.candidates]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert len(result.candidates) <= top_k
        assert len({c.code for c in result.candidates}) == len(result.candidates)

    @given(
        st.sampled_from(
            ["Учитель математики", "Электрогазосварщик", "тракторист машинист", "Бас есепші"]
        ),
        st.sampled_from(["lower", "upper", "title"]),
        st.sampled_from(["", " ", "  ", "!", ".", " - ", ","]),
    )
    @settings(max_examples=60, deadline=None)
    def test_stable_under_case_punctuation_whitespace(
        self, norm: Normalizer, text: str, case: str, junk: str
    ) -> None:
        variant = junk + getattr(text, case)().replace(" ", "  ") + junk
        assert norm.normalize(variant).candidates == norm.normalize(text).candidates


class TestBatch:
    def test_batch_equals_single(self, norm: Normalizer) -> None:
        texts = [
            "учитель начальных классов",
            "трактарист",
            "электрогазосвар щик",
            "qwrtzp",
            "медсестра",
            "Bulldozer operator",
            "трактарист",  # duplicate
            "",
        ]
        frame = norm.normalize_batch(pl.Series(texts))
        assert frame.columns == ["text", "code", "isco", "label", "score", "method"]
        assert frame["text"].to_list() == texts
        for row in frame.iter_rows(named=True):
            best = norm.normalize(row["text"]).best
            if best is None:
                assert row["code"] == "" and row["isco"] == "" and row["method"] == ""
            else:
                assert (row["code"], row["isco"], row["method"]) == (
                    best.code,
                    best.isco,
                    best.method,
                )
                assert row["score"] == pytest.approx(best.score)

    def test_batch_handles_nulls(self, norm: Normalizer) -> None:
        frame = norm.normalize_batch(pl.Series(["повар", None], dtype=pl.Utf8))
        assert frame.height == 2
        assert frame["code"][1] == ""

    def test_skill_kind(self, norm: Normalizer) -> None:
        c = norm.normalize("водительские права категории C", kind="skill").best
        b = norm.normalize("водительские права категории B", kind="skill").best
        assert c is not None and b is not None
        assert c.code != b.code


@pytest.mark.parametrize(
    ("text", "isco"),
    [
        ("Требуется водитель кат. С, стаж 3 года", "8332"),
        ("жүргізуші D санаты", "8331"),
        ("voditel kat B", "8322"),
    ],
)
def test_licence_category_decides_the_driver_unit_group(
    norm: Normalizer, text: str, isco: str
) -> None:
    best = norm.normalize(text).best
    assert best is not None and best.isco == isco
