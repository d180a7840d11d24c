"""One parser for every table cell, and one required-columns check (private).

Every reader of factormodel -- model tables, weight tables, edge lists, FCM
matrices, deltas, indicator and intervention catalogues, area data and the
numbers typed on the command line -- turns a cell into a number with
:func:`parse_number` (or its per-distinct-value wrapper :func:`parse_numbers`)
and finds its columns with :func:`require_columns`. A rule changed here changes
for every reader; no reader keeps a copy. This module is the lowest layer: it
imports only :mod:`factormodel.errors`.

The number rules
----------------
A reader switches on only the options its data need: ``markers`` and
``nihil`` (CBS symbols) for area data, ``grouping`` for money and counts,
``percent`` for values in an indicator's own unit.

====================  ============================  ======================================
cell                  read as                       why
====================  ============================  ======================================
``0.25``, ``0,25``    0.25                          decimal point or decimal comma
``-1,5e3``            -1500.0                       exponent, with either decimal mark
``"0,5"``             0.5                           one pair of surrounding double quotes
``0,500``             0.5                           a thousands group never follows a 0
``1.000``, ``1,000``  error (ambiguous)             1000 or 1.0? Both are plausible, unless
                                                    the column's other cells show its
                                                    decimal mark (``0,5``: ``1,000`` is 1.0)
``1.234,5``           error                         thousands separators are refused...
``1.000``             1000.0 (``grouping``)         ...except in money and counts, which
``12.345.678``        12345678.0 (``grouping``)     never have three decimals: there one
``1.000,5``           1000.5 (``grouping``)         mark before exactly three digits, or
``1,000.5``           1000.5 (``grouping``)         two different marks, are unambiguous
``12%``               12.0 (``percent``)            the value in its % unit, as area data
                                                    carry percentages (unit ``%``)
``1_0``               error                         Python's digit grouping is not a table
                                                    number
``inf``, ``nan``      error                         never a non-finite number
``True``              error                         a boolean is not a number
empty, None, NaN      missing (flag ``missing``)    never zero
``.``, ``?``          missing, flag ``suppressed``  CBS symbols (``markers``); elsewhere
``x``                 missing, flag ``secret``      an error
``-``, ``–``, ``—``   missing (flag ``missing``),   CBS StatLine writes ``-`` for *nihil*,
                      or 0, flag ``nihil``          a real zero (``nihil``); elsewhere a
                      (``nihil``)                   dash means "no value"
====================  ============================  ======================================
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from factormodel.errors import InvalidParameterError, Message, Problem

__all__ = ["MISSING_MARKERS", "TableSource", "decimal_mark", "format_number", "is_missing",
           "listing", "parse_number", "parse_numbers", "per_unique", "require_columns",
           "table_decimal_mark", "text", "year_argument"]

#: Cells that mean "no value", with the flag they get (CBS StatLine's symbols).
MISSING_MARKERS = {"": "missing", ".": "suppressed", "?": "suppressed", "x": "secret",
                   "X": "secret"}
#: Dashes: nihil (a real zero) in CBS StatLine tables, "no value" elsewhere.
DASHES = frozenset({"-", "\u2013", "\u2014"})

# a number with at most one decimal mark and no grouping (ASCII digits only: Python's
# float() also takes '1_0' and non-ASCII digits, which are not table numbers)
_PLAIN = re.compile(r"([+-]?)([0-9]*)(?:([.,])([0-9]*))?((?:[eE][+-]?[0-9]+)?)")
# one mark followed by exactly three digits after 1-3 digits not starting with 0
_AMBIGUOUS = re.compile(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}")
_GROUPED = {
    ".": re.compile(r"([+-]?)([1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,([0-9]+))?"),
    ",": re.compile(r"([+-]?)([1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.([0-9]+))?"),
}
_NON_FINITE = re.compile(r"[+-]?(inf|infinity|nan)", re.IGNORECASE)


@dataclass(frozen=True)
class TableSource:
    """Where a table came from, used to name the place of each problem.

    ``style`` is ``"csv"`` (rows are file lines; ``lines`` gives the line of
    each data row, else row *i* is line *i + 2*), ``"json"`` (rows are list
    positions in ``file``) or ``"frame"`` (an in-memory table).
    """

    table: str
    style: str = "frame"
    file: str = ""
    lines: tuple[int, ...] = ()

    def where(self, row: int | None = None, column: str | None = None) -> str:
        """The place of a row and/or column, e.g. ``"w.csv line 3, column 'weight'"`` (a
        :class:`~factormodel.errors.Message` the text layer words; JSON places are
        language-neutral paths)."""
        if self.style == "csv":
            return _place(self.file or self.table, "line", None if row is None else
                          (self.lines[row] if self.lines else row + 2), column)
        if self.style == "json":
            place = f"{self.file}: {self.table}"
            if row is not None:
                place += f"[{row}]"
            if column is not None:
                place += f".{column}"
            return place
        return _place(self.table, "row", row, column)

    def key(self, row: int | None = None, column: str | None = None) -> tuple:
        return (self.table, row, column)


#: The English of each place (csv: file lines; frame: table rows), by what is named.
_PLACES = {
    ("line", True, True): ("place_line_column", "{file} line {line}, column '{column}'"),
    ("line", True, False): ("place_line", "{file} line {line}"),
    ("line", False, True): ("place_file_column", "{file} column '{column}'"),
    ("row", True, True): ("place_row_column", "{file} row {row}, column '{column}'"),
    ("row", True, False): ("place_row", "{file} row {row}"),
    ("row", False, True): ("place_table_column", "{file}, column '{column}'"),
}


def _place(file: str, unit: str, row: int | None, column: str | None) -> str:
    """``file`` with its line or row and its column, as a Message (codes in ``_PLACES``)."""
    if row is None and column is None:
        return file
    code, template = _PLACES[(unit, row is not None, column is not None)]
    fields: dict[str, object] = {"file": file, unit: row, "column": column}
    fields = {k: v for k, v in fields.items() if v is not None}
    return Message(template.format(**fields), code, fields)


# --------------------------------------------------------------------------- text


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA and empty / whitespace-only strings."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


def text(value: Any) -> str:
    """A cell as stripped text with ``\\n`` line breaks; missing cells become ``""``."""
    if type(value) is str:  # most cells (whitespace only gives "", as a missing cell does)
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if is_missing(value):
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


# --------------------------------------------------------------------------- numbers


def parse_number(value: Any, *, markers: bool = False, nihil: bool = False,
                 percent: bool = False, grouping: bool = False, decimal: str | None = None
                 ) -> tuple[float, str, str | None]:
    """Parse one cell into ``(number, flag, error)`` by the rules in the module docstring.

    Parameters
    ----------
    value : object
        The cell: text as read from a file, a number, or a missing value.
    markers : bool
        Read CBS's symbols ``.`` and ``?`` (flag ``suppressed``) and ``x``
        (flag ``secret``) as missing values, as area data do. Elsewhere they
        are errors.
    nihil : bool
        Read ``-`` (and en/em dashes) as CBS StatLine's *nihil*: 0 with flag
        ``"nihil"``. Only for StatLine-style sources; otherwise a dash is a
        missing value.
    percent : bool
        Accept a trailing ``%`` (``"12%"`` reads as 12.0, the value in its %
        unit). Without it a % sign is an error.
    grouping : bool
        The quantity may be written with thousands separators (money,
        counts): ``12.345.678``, ``1.000,5`` and ``1,000.5`` are read, and a
        single mark followed by exactly three digits (``250.000``) separates
        thousands, since money and counts never have three decimals. Without
        it every thousands separator is an error (an ambiguous one says so).
    decimal : {".", ","}, optional
        The decimal mark of the cell's column, when its other cells show it
        (:func:`decimal_mark`). It settles the ambiguous shape ``1,234``: the
        decimal mark reads as a decimal mark, the other one as a thousands
        separator (then allowed only with ``grouping``).

    Returns
    -------
    number : float
        NaN when the cell is missing (see ``flag``) or wrong (see ``error``).
    flag : str
        ``""`` for a number; ``missing``, ``suppressed``, ``secret`` or ``nihil``.
    error : str or None
        What is wrong and what was expected, or None.

    Examples
    --------
    >>> parse_number("0,25")
    (0.25, '', None)
    >>> parse_number(".", markers=True)
    (nan, 'suppressed', None)
    >>> parse_number("-"), parse_number("-", nihil=True)
    ((nan, 'missing', None), (0.0, 'nihil', None))
    >>> parse_number("250.000", grouping=True), parse_number("250.000,50", grouping=True)
    ((250000.0, '', None), (250000.5, '', None))
    >>> parse_number("1,000")[2].split(":")[0]
    "'1,000' is ambiguous"
    >>> parse_number("1,234", decimal=","), parse_number("1,234", decimal=".", grouping=True)
    ((1.234, '', None), (1234.0, '', None))
    >>> print(parse_number("1_0")[2])
    expected a number, got '1_0' ('_' is not a digit separator in tables)
    """
    if value is None or value is pd.NA:
        return math.nan, "missing", None
    if isinstance(value, bool | np.bool_):
        return math.nan, "", _cell("cell_boolean", "expected a number, got the boolean {value}",
                                   bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        try:
            x = float(value)
        except OverflowError:
            return math.nan, "", _cell("cell_not_finite", "expected a finite number, got "
                                       "{value}", repr(value))
        if math.isnan(x):
            return math.nan, "missing", None
        if math.isinf(x):
            return math.nan, "", _cell("cell_not_finite", "expected a finite number, got "
                                       "{value}", str(x))
        return x, "", None
    return _parse_text(str(value), markers, nihil, percent, grouping, decimal)


def _parse_text(raw: str, markers: bool, nihil: bool, percent: bool, grouping: bool,
                decimal: str | None) -> tuple[float, str, str | None]:
    s = raw.strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':  # a quoted number, '"0,5"'
        s = s[1:-1].strip()
    if s == "" or (markers and s in MISSING_MARKERS):
        return math.nan, MISSING_MARKERS[s], None
    if s in DASHES:
        return (0.0, "nihil", None) if nihil else (math.nan, "missing", None)
    if s.endswith("%"):
        if not percent:
            return math.nan, "", _cell("cell_percent_sign", "expected a number, got {value}; a "
                                       "% sign is not allowed here (give the number without "
                                       "it)", repr(raw.strip()))
        s = s[:-1].rstrip()
    if s[:1] in ("\u2212", "\u2013"):  # typographic minus signs
        s = "-" + s[1:]
    m = _PLAIN.fullmatch(s)
    if m and (m.group(2) or m.group(4)) and (m.group(4) or m.group(3) != ","):
        if not m.group(5) and _AMBIGUOUS.fullmatch(s) and decimal != m.group(3):
            if grouping:
                return _finite(float(s.replace(m.group(3), "")), raw)
            if decimal is None:
                return math.nan, "", _ambiguous(s, m.group(3))
            return math.nan, "", _cell(
                "cell_column_decimal", "expected a number, got {value} (its column uses "
                "{decimal!r} as decimal mark, so {mark!r} separates thousands, which are not "
                "allowed here; write {plain})", repr(raw.strip()), decimal=decimal,
                mark=m.group(3), plain=s.replace(m.group(3), ""))
        number = f"{m.group(1)}{m.group(2) or '0'}.{m.group(4) or '0'}{m.group(5)}"
        return _finite(float(number), raw)
    for mark, grouped in _GROUPED.items():
        g = grouped.fullmatch(s)
        if g:
            number = f"{g.group(1)}{g.group(2).replace(mark, '')}.{g.group(3) or '0'}"
            if grouping:
                return _finite(float(number), raw)
            return math.nan, "", _cell("cell_thousands", "expected a number, got {value} "
                                       "(thousands separators are not allowed here; write "
                                       "{plain})", repr(raw.strip()), plain=repr(float(number)))
    nonfinite = _NON_FINITE.fullmatch(s)
    if nonfinite and nonfinite.group(1).lower() == "nan":
        return math.nan, "", _cell("cell_nan", "expected a number, got NaN ({value})",
                                   repr(raw.strip()))
    if nonfinite:
        return math.nan, "", _cell("cell_not_finite", "expected a finite number, got {value}",
                                   repr(raw.strip()))
    if "_" in s:
        return math.nan, "", _cell("cell_underscore", "expected a number, got {value} ('_' is "
                                   "not a digit separator in tables)", repr(raw.strip()))
    return math.nan, "", _cell("cell_not_a_number", "expected a number, got {value}",
                               repr(raw.strip()))


def _cell(code: str, template: str, value: object, **fields: object) -> Message:
    """Why a cell is not a number: the English ``template`` (registered under ``code`` in
    ``text.messages.CODES``) made from the cell as written (``value``) and ``fields``."""
    fields = {"value": value, **fields}
    return Message(template.format(**fields), code, fields)


def _finite(x: float, raw: str) -> tuple[float, str, str | None]:
    if math.isinf(x):
        return math.nan, "", _cell("cell_too_large", "expected a finite number, got {value} "
                                   "(too large)", repr(raw.strip()))
    return x, "", None


def _ambiguous(s: str, mark: str) -> str:
    sign = "-" if s.startswith("-") else ""
    digits = s.lstrip("+-")
    thousands = sign + digits.replace(mark, "")
    decimal = repr(float(sign + digits.replace(mark, ".")))
    return Message(f"{s!r} is ambiguous: {thousands} ({mark!r} separating thousands) or "
                   f"{decimal} ({mark!r} as decimal mark); write {thousands} for the first, "
                   f"{format_number(float(decimal)).replace('.', mark)} for the second",
                   "cell_ambiguous", {"value": s, "thousands": thousands, "decimal": decimal,
                                      "mark": mark,
                                      "second": format_number(float(decimal)).replace(".",
                                                                                      mark)})


def decimal_mark(values: pd.Series | Sequence[Any]) -> str | None:
    """The decimal mark that a column's unambiguous text cells agree on, or None.

    ``0,5``, ``2,75``, ``1,5e3``, ``0,500`` and ``1.234,5`` show a decimal comma;
    ``0.5`` and ``1,234.5`` a decimal point; ``1,000``-shaped cells show nothing.
    When the cells show both marks, or neither, there is no decimal mark and
    ``1,000``-shaped cells stay ambiguous.

    Examples
    --------
    >>> decimal_mark(["0,5", "1,234", "12"]), decimal_mark(["1,234", "12"])
    (',', None)
    >>> decimal_mark(["0,5", "0.5"]) is None
    True
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if pd.api.types.is_numeric_dtype(series):
        return None
    cells = series.to_numpy(dtype=object)
    with contextlib.suppress(TypeError):  # unhashable cells (lists from JSON) are kept
        cells = pd.unique(cells)
    seen = {_decimal_evidence(v) for v in cells if isinstance(v, str)} - {None}
    return seen.pop() if len(seen) == 1 else None


def table_decimal_mark(columns: Iterable[pd.Series | Sequence[Any]]) -> str | None:
    """:func:`decimal_mark` over several columns of one table (one file, one convention)."""
    parts = [c if isinstance(c, pd.Series) else pd.Series(list(c), dtype=object)
             for c in columns]
    parts = [c for c in parts if not pd.api.types.is_numeric_dtype(c)]
    return decimal_mark(pd.concat(parts, ignore_index=True)) if parts else None


def _decimal_evidence(raw: str) -> str | None:
    """The decimal mark a text cell shows unambiguously, or None."""
    s = raw.strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1].strip()
    s = s.removesuffix("%").rstrip()
    m = _PLAIN.fullmatch(s)
    if m and m.group(3) and m.group(4) and not _AMBIGUOUS.fullmatch(s):
        return m.group(3)
    for mark, grouped in _GROUPED.items():
        g = grouped.fullmatch(s)
        if g and (g.group(3) is not None or g.group(2).count(mark) > 1):
            return "," if mark == "." else "."
    return None


def format_number(x: float) -> str:
    """The shortest text of ``x`` that :func:`parse_number` reads back exactly.

    That is ``repr(x)``, with a ``0`` added where ``repr`` gives the ambiguous
    shape ``1.234`` (which a Dutch reader takes for 1234).

    Examples
    --------
    >>> format_number(0.25), format_number(1.234), format_number(-12.5)
    ('0.25', '1.2340', '-12.5')
    """
    s = repr(float(x))
    return s + "0" if _AMBIGUOUS.fullmatch(s) else s


def parse_numbers(values: pd.Series | Sequence[Any], *, markers: bool = False,
                  nihil: bool = False, percent: bool = False, grouping: bool = False,
                  decimal: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`parse_number` of every cell, computed once per distinct value.

    Returns three arrays as long as ``values``: the numbers (float, NaN where
    missing or wrong), the flags and the errors (None where the cell is fine).
    A numeric column skips the text rules; the result is the same. Without
    ``decimal``, the column's own :func:`decimal_mark` settles ``1,234``-shaped
    cells; pass the mark found over several columns of one table to use it.

    Examples
    --------
    >>> x, flags, errors = parse_numbers(["0,5", ".", "1,234", "1_0"], markers=True)
    >>> x.tolist(), flags.tolist(), [e is None for e in errors]
    ([0.5, nan, 1.234, nan], ['', 'suppressed', '', ''], [True, True, True, False])
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        x = series.to_numpy(dtype=float, na_value=np.nan, copy=True)
        nan, inf = np.isnan(x), np.isinf(x)
        flags = np.empty(len(x), dtype=object)
        flags.fill("")  # one object in every cell (np.full casts the text cell by cell)
        flags[nan] = "missing"
        errors = np.full(len(x), None, dtype=object)
        for i in np.flatnonzero(inf):
            errors[i] = _cell("cell_not_finite", "expected a finite number, got {value}",
                              str(x[i]))
        x[inf] = np.nan
        return x, flags, errors

    mark = decimal if decimal is not None else decimal_mark(series)

    def parse(v: Any) -> tuple[float, str, str | None]:
        return parse_number(v, markers=markers, nihil=nihil, percent=percent, grouping=grouping,
                            decimal=mark)

    x, flags, errors = per_unique(series, parse, (float, object, object))
    return x, flags, errors


def _addresses(values: np.ndarray) -> np.ndarray | None:
    """The address of each cell's object in an object array (the cells of a melted table
    or of a column built from codes repeat a few objects), read from the array's buffer
    without touching the objects; None when the buffer cannot be read so."""
    if not values.flags.c_contiguous:
        return None
    try:
        return np.frombuffer(values, dtype=np.intp)
    except (TypeError, ValueError, BufferError):  # pragma: no cover - numpy refusing
        return None


def _differ(values: np.ndarray, offset: int) -> np.ndarray:
    """``values[offset:] != values[:-offset]`` as booleans; cells that are one object are
    equal without comparing them (one integer comparison), the rest compare their values
    (``!=``; NaN differs from itself, pd.NA raises TypeError)."""
    n = len(values)
    where = _addresses(values)
    if where is None:
        return np.asarray(values[offset:] != values[:n - offset], dtype=bool)
    differ = where[offset:] != where[:n - offset]  # another object: compare the values
    k = np.flatnonzero(differ)
    differ[k] = np.asarray(values[k + offset] != values[k], dtype=bool)
    return differ


def run_starts(values: np.ndarray) -> np.ndarray | None:
    """Where each run of equal values starts, when the column comes in long runs (as a
    wide table melted to long form does with its indicator, level, year and status
    columns); None when it does not, so the caller hashes every cell instead."""
    n = len(values)
    if n < 1024 or values.dtype != object:
        return None
    try:
        head = values[:1024]
        if np.count_nonzero(head[1:] != head[:-1]) > 128:  # short runs: not worth it
            return None
        starts = np.flatnonzero(np.concatenate(([True], _differ(values, 1))))
    except TypeError:  # e.g. pd.NA, whose comparisons have no truth value
        return None
    return starts if len(starts) * 8 < n else None


def block_period(values: np.ndarray) -> int | None:
    """The length of the block a column repeats, when it repeats one at least twice (as
    a wide table melted to long form does with its area column: every area once per
    indicator, in the same order); None when it does not, so the caller hashes every
    cell instead.

    The period is the first return of the first value, confirmed by comparing every cell
    with the cell one period earlier: the same object, or equal values (``==``), as
    hashing them would find them one value (a NaN equals no other NaN object here, so a
    column with such missing cells is hashed in full).

    Examples
    --------
    >>> block_period(np.asarray(["a", "b", "c"] * 400, dtype=object))
    3
    >>> block_period(np.asarray(["a", "b", "c"] * 400 + ["d"], dtype=object)) is None
    True
    """
    n = len(values)
    if n < 1024 or values.dtype != object:
        return None
    try:
        period, low = 0, 1
        for high in (4096, 65536, n // 2 + 1):  # near the start first: short blocks are cheap
            high = min(high, n // 2 + 1)
            if high > low:
                hits = np.flatnonzero(values[low:high] == values[:1])
                if len(hits):
                    period = low + int(hits[0])
                    break
            low = max(low, high)
        if not period:
            return None
        sample = min(1024, n - period)  # a few cells first: most columns fail at once
        if _differ(values[:period + sample], period).any() or _differ(values, period).any():
            return None
    except (TypeError, ValueError):  # pd.NA, arrays in cells: comparisons without a truth
        return None
    return period


def factorize_column(column: pd.Series, *, missing_code: bool = True
                     ) -> tuple[np.ndarray, Any]:
    """:func:`pandas.factorize` of a column (the same codes and distinct values), hashing
    only the cells where runs start when the column comes in long runs, and only its
    first block when it repeats a block (:func:`run_starts`, :func:`block_period`).

    ``missing_code``: missing cells get the code -1 (pandas' ``use_na_sentinel``); else
    a code of their own.

    Examples
    --------
    >>> codes, distinct = factorize_column(pd.Series(["b", "a"] * 600, dtype=object))
    >>> codes[:4].tolist(), list(distinct)
    ([0, 1, 0, 1], ['b', 'a'])
    """
    if isinstance(column.dtype, pd.CategoricalDtype):  # pandas codes them without hashing
        return pd.factorize(column, use_na_sentinel=missing_code)
    values = column.to_numpy()
    starts = run_starts(values)
    if starts is not None:
        codes, distinct = pd.factorize(column.iloc[starts], use_na_sentinel=missing_code)
        return np.repeat(codes, np.diff(np.append(starts, len(column)))), distinct
    period = block_period(values)
    if period is not None:
        codes, distinct = pd.factorize(column.iloc[:period], use_na_sentinel=missing_code)
        return np.resize(codes, len(column)), distinct
    return pd.factorize(column, use_na_sentinel=missing_code)


def covering_rows(column: pd.Series) -> pd.Series:
    """The cells of a column that hold each of its distinct values, in order of first
    appearance: the run starts or the first block when the column has them
    (:func:`factorize_column`), else the whole column."""
    values = column.to_numpy()
    starts = run_starts(values)
    if starts is not None:
        return column.iloc[starts]
    period = block_period(values)
    return column if period is None else column.iloc[:period]


def per_unique(values: pd.Series, fn: Callable[[Any], Any],
               parts: tuple[Any, ...] | None = None) -> Any:
    """``fn`` applied to every cell, computed once per distinct value.

    Model and area tables repeat kinds, settings, strengths, sources, names and years
    across many rows; parsing each distinct value once keeps large tables fast. Cells
    that cannot be hashed (lists from JSON) are parsed one by one.

    Returns an object array of ``fn``'s results; with ``parts`` (one dtype per element
    of the tuples ``fn`` returns) a tuple of arrays, one per element.
    """
    codes, results = per_unique_coded(values, fn, parts)
    if parts is None:
        return results[codes]
    return tuple(column[codes] for column in results)


def per_unique_coded(values: pd.Series, fn: Callable[[Any], Any],
                     parts: tuple[Any, ...] | None = None) -> tuple[np.ndarray, Any]:
    """:func:`per_unique` before it is spread over the rows: ``(codes, results)``.

    ``results[codes]`` (or each part's ``column[codes]``) is :func:`per_unique`'s answer;
    the integer ``codes`` (one per cell, into the distinct values) let a caller group
    rows without hashing the cells again. Two codes may carry the same result (``' a'``
    and ``'a'`` both give ``'a'``).

    Examples
    --------
    >>> codes, results = per_unique_coded(pd.Series(["b", "a ", "b"]), str.strip)
    >>> codes.tolist(), results.tolist()
    ([0, 1, 0], ['b', 'a'])
    """
    try:
        # a column in long runs or repeating a block (a melted wide table): hashed in part
        codes, distinct = (factorize_column(values, missing_code=False)
                           if isinstance(values, pd.Series)
                           else pd.factorize(values, use_na_sentinel=False))
        uniques = np.asarray(distinct, dtype=object)  # fast iteration
    except TypeError:  # unhashable cells
        codes, uniques = np.arange(len(values)), values.to_numpy(dtype=object)
    results = [fn(u) for u in uniques]
    # pandas counts True, 1 and 1.0 (False, 0, 0.0) as one value: such cells go one by one
    mixed = [j for j, u in enumerate(uniques) if not isinstance(u, str) and _zero_or_one(u)]
    rows = np.flatnonzero(np.isin(codes, mixed)) if mixed else np.arange(0)
    if len(rows):
        cells = values.to_numpy(dtype=object)[rows]
        codes = codes.copy()
        codes[rows] = len(results) + np.arange(len(rows))
        results += [fn(v) for v in cells]
    if parts is None:
        mapped = np.empty(len(results), dtype=object)
        mapped[:] = results
        return codes, mapped
    out = []
    for k, dtype in enumerate(parts):
        column = np.empty(len(results), dtype=dtype)
        for j, r in enumerate(results):  # element-wise: parts may themselves be tuples
            column[j] = r[k]
        out.append(column)
    return codes, tuple(out)


def _zero_or_one(value: Any) -> bool:
    try:
        return bool(value == 0 or value == 1)
    except (TypeError, ValueError):  # arrays, odd objects
        return False


def listing(items: Sequence[str], sep: str = "; ", limit: int = 25) -> str:
    """Problems joined for a message: every one up to ``limit``, then how many more.

    Examples
    --------
    >>> listing([f"cell {i}" for i in range(4)], limit=2)
    'cell 0; cell 1; ... and 2 more'
    """
    more = f"{sep}... and {len(items) - limit} more" if len(items) > limit else ""
    return sep.join(items[:limit]) + more


def listed(items: Sequence[Any], limit: int = 25) -> tuple[list[Any], str]:
    """The first ``limit`` of ``items`` and how many more there are, for a coded message:
    the rest as a :class:`~factormodel.errors.Message` ``"; ... and 2 more"`` (code
    ``listing_more``), or ``""`` when every item is shown.

    Examples
    --------
    >>> shown, more = listed([f"cell {i}" for i in range(4)], limit=2)
    >>> shown, more, more.code
    (['cell 0', 'cell 1'], '; ... and 2 more', 'listing_more')
    """
    n = len(items) - limit
    more = Message(f"; ... and {n} more", "listing_more", {"n": n}) if n > 0 else ""
    return list(items[:limit]), more


# --------------------------------------------------------------------------- columns


def require_columns(columns: Iterable[Any], required: Sequence[str | Sequence[str]],
                    src: TableSource, *, known: Sequence[str] | None = None
                    ) -> tuple[dict[str, Any], list[Any], list[Problem]]:
    """Find a table's columns by name, ignoring letter case and surrounding spaces.

    Parameters
    ----------
    columns : iterable
        The table's column labels as read.
    required : sequence of str or of tuples of str
        Canonical (lower-case) names that must be present; a tuple lists
        aliases (``("year", "jaar", "perioden")``), the first present is
        found under the first name.
    src : TableSource
        Where the table came from, for the problems' places.
    known : sequence of str, optional
        Every canonical name the reader understands (default: any name).
        Others are returned as extras; a known name given twice is a problem.

    Returns
    -------
    found : dict
        Canonical name -> the column label as read.
    extras : list
        Labels of the columns that are not known.
    problems : list of Problem
        One per missing required column (naming the columns found) and per
        duplicated known column.

    Examples
    --------
    >>> found, extras, problems = require_columns(
    ...     ["Source", " target ", "gewicht"], ("source", "target", "weight"),
    ...     TableSource("w.csv"), known=("source", "target", "weight", "sd"))
    >>> found, extras
    ({'source': 'Source', 'target': ' target '}, ['gewicht'])
    >>> print(problems[0])
    w.csv: missing required column 'weight' (found: Source,  target , gewicht)
    >>> found, _, problems = require_columns(["Wijk", "jr"], [("area", "wijk"), ("year", "jaar")],
    ...                                      TableSource("d"))
    >>> found["area"]
    'Wijk'
    >>> print(problems[0])
    d: missing required column 'year' (or one of jaar; found: Wijk, jr)
    """
    labels = list(columns)
    found: dict[str, Any] = {}
    extras: list[Any] = []
    problems: list[Problem] = []
    for col in labels:
        norm = str(col).strip().lower()
        if known is not None and norm not in known:
            extras.append(col)
        elif norm in found:
            problems.append(Problem(src.where(None, str(col)),
                                    f"column '{norm}' appears more than once", src.key(None, norm),
                                    code="column_twice", fields={"column": norm}))
        else:
            found[norm] = col
    for col in required:
        names = (col,) if isinstance(col, str) else tuple(col)
        hit = next((a for a in names if a in found), None)
        if hit is None:
            aliases = f"; or one of {', '.join(names[1:])}" if len(names) > 1 else ""
            fields: dict[str, object] = {
                "column": names[0], "found": ", ".join(str(c) for c in labels)
                or Message("none", "nothing_found")}
            if aliases:
                fields["aliases"] = ", ".join(names[1:])
            problems.append(Problem(
                src.where(), f"missing required column '{names[0]}' ({aliases.lstrip('; ')}"
                f"{'; ' if aliases else ''}found: {fields['found']})", src.key(None, names[0]),
                code="missing_column_or" if aliases else "missing_column", fields=fields))
        elif hit != names[0]:
            found.setdefault(names[0], found[hit])
    return found, extras, problems


def year_argument(year: Any, what: str = "year") -> int | None:
    """A year given as an argument (``2023``, ``"2023"``, ``2023.0``, a numpy integer) as
    an int; None stays None.

    Raises
    ------
    InvalidParameterError
        For anything that is not one whole year (a list, a bool, ``2023.5``, ``"2022-23"``),
        naming the argument.

    Examples
    --------
    >>> year_argument("2023"), year_argument(np.int64(2022)), year_argument(2021.0)
    (2023, 2022, 2021)
    >>> year_argument([2022, 2023])
    Traceback (most recent call last):
    ...
    factormodel.errors.InvalidParameterError: year must be one year such as 2023, got [2022,
    2023] (list); give one year at a time
    """
    if year is None:
        return None
    if isinstance(year, float | np.floating) and float(year).is_integer():
        return int(year)
    if isinstance(year, bool | np.bool_) or not isinstance(year, int | np.integer | str):
        raise InvalidParameterError(f"{what} must be one year such as 2023, got {year!r} "
                                    f"({type(year).__name__}); give one year at a time")
    digits = str(year).strip()
    if not digits.lstrip("-").isdigit():
        raise InvalidParameterError(f"{what} must be a whole year such as 2023, got {year!r}")
    return int(digits)
