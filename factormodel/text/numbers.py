"""THE number formatter: numbers, counts, percentages, percentage points, money, SD and
signed values as a reader of Dutch or English writes them.

Dutch writes a decimal comma and a thousands dot (``1.234,5``, ``€ 250.000``); English a
decimal point and a thousands comma (``1,234.5``, ``€250,000``). A rounded zero is never
negative (no ``-0,00``; signed it is ``+0,00``); a missing value (None, NaN, infinite) is
written as ``missing`` (``n.v.t.``/``n/a`` unless given).

Examples
--------
>>> number(1234.5, 1, "nl"), number(1234.5, 1, "en")
('1.234,5', '1,234.5')
>>> money(250000, "nl"), money(250000, "en")
('€ 250.000', '€250,000')
>>> points(-2.515, "nl"), points(-2.515, "en")
('-2,5 procentpunt', '-2.5 pp')
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["count", "in_unit", "missing_word", "money", "number", "percent", "points", "sd",
           "signed"]

_DUTCH = str.maketrans(",.", ".,")


def missing_word(lang: str) -> str:
    """How a missing value is written: ``n.v.t.`` (Dutch) or ``n/a`` (English).

    Examples
    --------
    >>> missing_word("nl"), missing_word("en")
    ('n.v.t.', 'n/a')
    """
    return "n.v.t." if lang == "nl" else "n/a"


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def number(x: Any, digits: int = 2, lang: str = "nl", *, sign: bool = False,
           grouping: bool = True, significant: bool = False,
           missing: str | None = None) -> str:
    """``x`` with ``digits`` decimals as a reader of ``lang`` writes it.

    Parameters
    ----------
    x : float
        The number (None, NaN or infinite: ``missing``).
    digits : int
        Decimals after the decimal mark.
    lang : {"nl", "en"}
        Dutch: ``1.234,56``; English: ``1,234.56``.
    sign : bool
        Write ``+`` before a positive number and a rounded zero.
    grouping : bool
        Group thousands (``1.234``); ``False`` writes ``1234``.
    significant : bool
        A number that is not zero but would round to zero gets as many more decimals (up to
        6) as it needs to show its first digit.
    missing : str, optional
        The text of a missing value (default ``n.v.t.``/``n/a``).

    Returns
    -------
    str

    Examples
    --------
    >>> number(-0.004, 2, "nl"), number(0.004, 2, "nl", significant=True)
    ('0,00', '0,004')
    >>> number(0.1234, 3, "en", sign=True), number(float("nan"), lang="nl", missing="–")
    ('+0.123', '–')
    >>> number(12345.678, 1, "nl", grouping=False)
    '12345,7'
    """
    value = _finite(x)
    if value is None:
        return missing_word(lang) if missing is None else missing
    if significant and value != 0 and round(value, digits) == 0:
        digits = min(6, max(digits, -math.floor(math.log10(abs(value)))))
    value = round(value, digits) + 0.0  # no "-0,0"
    text = f"{value:{'+' if sign else ''}{',' if grouping else ''}.{digits}f}"
    return text.translate(_DUTCH) if lang == "nl" else text


def signed(x: Any, digits: int = 2, lang: str = "nl", **options: Any) -> str:
    """``x`` with its sign (``+0,25``, ``-1,50``; a rounded zero ``+0,00``).

    Examples
    --------
    >>> signed(0.25, 2, "nl"), signed(-1.5, 1, "en"), signed(0.001, 2, "nl")
    ('+0,25', '-1.5', '+0,00')
    """
    return number(x, digits, lang, sign=True, **options)


def count(x: Any, lang: str = "nl", *, missing: str | None = None) -> str:
    """A whole number with thousands grouping: ``2.000`` (Dutch) or ``2,000`` (English).

    Examples
    --------
    >>> count(2000, "nl"), count(2000.4, "en"), count(None, "nl")
    ('2.000', '2,000', 'n.v.t.')
    """
    return number(x, 0, lang, missing=missing)


def money(x: Any, lang: str = "nl", *, digits: int = 0, missing: str | None = None) -> str:
    """An amount in euros: ``€ 250.000`` (Dutch) or ``€250,000`` (English).

    Examples
    --------
    >>> money(249800, "nl"), money(1250.5, "en", digits=2), money(-500, "nl")
    ('€ 249.800', '€1,250.50', '€ -500')
    """
    text = number(x, digits, lang, missing=missing)
    if _finite(x) is None:
        return text
    return f"€ {text}" if lang == "nl" else f"€{text}"


def percent(x: Any, digits: int = 1, lang: str = "nl", *, sign: bool = False,
            missing: str | None = None) -> str:
    """A share already in percent: ``9,1%`` (Dutch) or ``9.1%`` (English).

    Examples
    --------
    >>> percent(9.14, 1, "nl"), percent(45, 0, "en"), percent(2.5, 1, "nl", sign=True)
    ('9,1%', '45%', '+2,5%')
    """
    text = number(x, digits, lang, sign=sign, missing=missing)
    return text if _finite(x) is None else text + "%"


def points(x: Any, lang: str = "nl", digits: int = 1, *, sign: bool = False,
           missing: str | None = None) -> str:
    """A difference of percentages in percentage points: ``2,5 procentpunt`` or ``2.5 pp``.

    Examples
    --------
    >>> points(2.515, "nl", 3), points(2.25, "en", 2, sign=True)
    ('2,515 procentpunt', '+2.25 pp')
    """
    text = number(x, digits, lang, sign=sign, missing=missing)
    if _finite(x) is None:
        return text
    return f"{text} {'procentpunt' if lang == 'nl' else 'pp'}"


def sd(x: Any, lang: str = "nl", digits: int = 2, *, sign: bool = False,
       significant: bool = False, missing: str | None = None) -> str:
    """A size in standard deviations, the model's unit: ``0,03 SD``.

    Examples
    --------
    >>> sd(0.0278, "nl", 3), sd(-0.0144, "en", 4, sign=True), sd(0.0004, "nl", significant=True)
    ('0,028 SD', '-0.0144 SD', '0,0004 SD')
    """
    text = number(x, digits, lang, sign=sign, significant=significant, missing=missing)
    return text if _finite(x) is None else f"{text} SD"


def _unit(unit: str, lang: str, difference: bool = False) -> str:
    if unit == "%":
        if difference:
            return "procentpunt" if lang == "nl" else "percentage points"
        return "%"
    if unit == "per 1000":
        return "per 1.000" if lang == "nl" else "per 1,000"
    return unit


def in_unit(x: Any, unit: str, lang: str = "nl", *, sign: bool = False,
            difference: bool = False, digits: int = 1, significant: bool = False) -> str:
    """A value in an indicator's unit (a difference of shares in percentage points); ``–``
    for none.

    Examples
    --------
    >>> in_unit(2.5, "%", "nl"), in_unit(-0.3, "%", "en", sign=True, difference=True)
    ('2,5%', '-0.3 percentage points')
    >>> in_unit(69.3, "per 1000", "nl"), in_unit(None, "%", "nl")
    ('69,3 per 1.000', '–')
    """
    if _finite(x) is None:
        return "–"
    u = _unit(unit, lang, difference)
    joiner = "" if u == "%" else " "
    text = number(x, digits, lang, sign=sign, significant=significant, grouping=True)
    return f"{text}{joiner}{u}"
