"""Kazakhstan's individual identification number (IIN, ЖСН / ИИН).

Twelve digits: ``YYMMDD`` birth date, one digit for the century and sex (1/2 born in the
1800s, 3/4 in the 1900s, 5/6 in the 2000s; odd = male, even = female), four serial digits
and a check digit. The check digit is the weighted digit sum modulo 11 with weights 1..11;
when that gives 10 the weights 3..11, 1, 2 are used instead, and a second 10 means the
number cannot be issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from matching.text import Text, msg

Sex = Literal["M", "F"]

_WEIGHTS_1 = np.arange(1, 12, dtype=np.int64)
_WEIGHTS_2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], dtype=np.int64)
_CENTURY_BASE = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIINError(ValueError):
    """An IIN that is malformed or fails its check digit; ``text`` is the trilingual reason."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


@dataclass(frozen=True, slots=True)
class IINInfo:
    """What an IIN says about its holder."""

    iin: str
    birth_date: date
    sex: Sex


def check_digit(first_eleven: str) -> int | None:
    """Check digit for the first eleven digits, or ``None`` when no digit is valid.

    Parameters
    ----------
    first_eleven : str
        Eleven decimal digits.

    Returns
    -------
    int or None
        The twelfth digit, or ``None`` if both weightings give 10.

    Examples
    --------
    >>> check_digit("90010130012")
    6
    """
    digits = np.frombuffer(first_eleven.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    result = check_digits(digits.reshape(1, 11))[0]
    return None if result < 0 else int(result)


def check_digits(digits: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Vectorized check digits for an ``(n, 11)`` digit array; ``-1`` where none is valid."""
    first = (digits @ _WEIGHTS_1) % 11
    second = (digits @ _WEIGHTS_2) % 11
    out = np.where(first == 10, second, first)
    return np.where(out == 10, -1, out).astype(np.int64)


def _invalid(reason: str, iin: str) -> InvalidIINError:
    """The error for ``iin`` with the catalogue's reason ``domain.iin.reason.<reason>``."""
    return InvalidIINError(msg("domain.iin.invalid", iin=iin, reason=msg(f"domain.iin.reason.{reason}")))


def parse_iin(iin: str) -> IINInfo:
    """Validate an IIN and decode its birth date and sex.

    Raises
    ------
    InvalidIINError
        With a Kazakh, Russian and English reason.

    Examples
    --------
    >>> parse_iin("900101300126").sex
    'M'
    """
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        raise _invalid("length", iin)
    code = int(iin[6])
    if code not in _CENTURY_BASE:
        raise _invalid("century", iin)
    try:
        born = date(_CENTURY_BASE[code] + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise _invalid("birth_date", iin) from None
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        raise _invalid("check_digit", iin)
    return IINInfo(iin=iin, birth_date=born, sex="M" if code % 2 == 1 else "F")


def is_valid_iin(iin: str) -> bool:
    """``True`` when :func:`parse_iin` accepts ``iin``."""
    try:
        parse_iin(iin)
    except InvalidIINError:
        return False
    return True


def make_iins(
    birth_dates: npt.NDArray[np.datetime64],
    is_male: npt.NDArray[np.bool_],
    serials: npt.NDArray[np.int64],
) -> list[str]:
    """Build valid IINs in bulk (for synthetic data).

    Serials whose check digit would be impossible are moved to the next serial until one is
    valid, so every returned number passes :func:`parse_iin`.

    Parameters
    ----------
    birth_dates : ndarray of datetime64[D]
        Birth dates between 1800 and 2099.
    is_male : ndarray of bool
    serials : ndarray of int
        Serial numbers in 0..9999 (digits 8–11).

    Returns
    -------
    list of str
    """
    days = birth_dates.astype("datetime64[D]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mday = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    century_code = (years // 100 - 18) * 2 + 1 + (~is_male.astype(bool)).astype(np.int64)
    n = len(days)
    digits = np.empty((n, 11), dtype=np.int64)
    yy = years % 100
    for k, (value, scale) in enumerate(
        [(yy, 10), (yy, 1), (months, 10), (months, 1), (mday, 10), (mday, 1)]
    ):
        digits[:, k] = (value // scale) % 10
    digits[:, 6] = century_code
    serial = np.asarray(serials, dtype=np.int64) % 10000
    checks = np.full(n, -1, dtype=np.int64)
    pending = np.ones(n, dtype=bool)
    # About 1 serial in 121 has no valid check digit; two retries clear practically all.
    for _ in range(20):
        if not pending.any():
            break
        for k, scale in enumerate((1000, 100, 10, 1)):
            digits[pending, 7 + k] = (serial[pending] // scale) % 10
        checks[pending] = check_digits(digits[pending])
        pending = checks < 0
        serial = np.where(pending, (serial + 1) % 10000, serial)
    full = np.concatenate([digits, checks[:, None]], axis=1).astype(np.uint8) + 48
    return [row.tobytes().decode("ascii") for row in full]
