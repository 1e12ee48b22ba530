from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.iin import InvalidIINError, check_digit, is_valid_iin, make_iins, parse_iin


def reference_check_digit(first_eleven: str) -> int | None:
    """The published rule, written out independently of the library."""
    digits = [int(c) for c in first_eleven]
    first = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if first != 10:
        return first
    second = (
        sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=True)) % 11
    )
    return None if second == 10 else second


class TestCheckDigit:
    @given(st.text(alphabet="0123456789", min_size=11, max_size=11))
    def test_matches_the_published_rule(self, digits: str) -> None:
        assert check_digit(digits) == reference_check_digit(digits)

    def test_second_weighting_is_used_when_the_first_gives_ten(self) -> None:
        # The first prefix whose 1..11-weighted sum is 10 (mod 11) but still has a digit.
        prefix = next(
            f"{i:011d}"
            for i in range(10**6)
            if reference_check_digit(f"{i:011d}") is not None
            and sum(int(c) * w for c, w in zip(f"{i:011d}", range(1, 12), strict=True)) % 11 == 10
        )
        assert check_digit(prefix) == reference_check_digit(prefix)


class TestParse:
    @given(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
        st.booleans(),
        st.integers(0, 9999),
    )
    def test_generated_numbers_decode_to_their_inputs(
        self, born: date, male: bool, serial: int
    ) -> None:
        (iin,) = make_iins(
            np.array([born], dtype="datetime64[D]"), np.array([male]), np.array([serial])
        )
        info = parse_iin(iin)
        assert info.birth_date == born
        assert info.sex == ("M" if male else "F")
        assert is_valid_iin(iin)

    @given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)), st.integers(0, 9999))
    def test_any_other_check_digit_is_rejected(self, born: date, serial: int) -> None:
        (iin,) = make_iins(
            np.array([born], dtype="datetime64[D]"), np.array([True]), np.array([serial])
        )
        for d in "0123456789":
            if d != iin[11]:
                assert not is_valid_iin(iin[:11] + d)

    @pytest.mark.parametrize(
        "bad", ["", "12345", "90010130012a", "9001013001234", "９００１０１３００１２６"]
    )
    def test_malformed_is_rejected_with_three_languages(self, bad: str) -> None:
        with pytest.raises(InvalidIINError) as err:
            parse_iin(bad)
        assert err.value.text.kk and err.value.text.ru and err.value.text.en

    def test_impossible_date_and_century_are_rejected(self) -> None:
        valid = make_iins(
            np.array(["1990-01-31"], dtype="datetime64[D]"), np.array([True]), np.array([7])
        )[0]
        month_13 = "901331" + valid[6:11]
        century_0 = valid[:6] + "0" + valid[7:11]
        for prefix in (month_13, century_0):
            digit = reference_check_digit(prefix)
            if digit is not None:
                assert not is_valid_iin(prefix + str(digit))
