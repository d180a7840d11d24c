"""Areas and area data: names, CBS codes, levels, and tidy tables of indicator values.

Naming. Rotterdam's *gebieden* (Charlois, Kralingen-Crooswijk, ...) are CBS
*wijken* (codes ``WK0599xx``); Rotterdam's *wijken* (Oud-Crooswijk, Tarwewijk,
...) are one or more CBS *buurten* (codes ``BU0599xxxx``). The levels used here
are ``buurt``, ``wijk`` and ``gebied`` in Rotterdam's sense, and ``gemeente``.
An area registry (``fm.load_areas("rotterdam")``) lists names, levels, codes
and parents; with it, data may name areas by name or by CBS code. Without one,
a CBS code prefix gives the level: GM -> gemeente, WK -> gebied, BU -> buurt.

Area data in canonical (long) form has one row per area, year and indicator:
``area, level, year, indicator, value, population, flag``. ``value`` is NaN
for missing and suppressed values -- never zero -- and ``flag`` says why
(``missing``, ``suppressed`` for CBS '.', ``secret`` for 'x'); in CBS
StatLine tables '-' (*nihil*) is a real zero and is flagged ``nihil``, in other
tables '-' is a missing value; provisional years ('2022*') are flagged
``provisional``. A percentage written with its sign (``12%``) reads as 12, the
value in the indicator's % unit, like a plain ``12`` in a column whose unit is
``%``. Numbers follow the library's one cell parser (``factormodel._cells``):
decimal comma or point, and an ambiguous ``1,000`` or ``1.000`` is an error.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from factormodel.errors import DataError, DataWarning, Message, UnknownAreaError, close_matches
from factormodel.tables._cells import (
    TableSource,
    listed,
    parse_numbers,
    per_unique,
    per_unique_coded,
    require_columns,
    text,
)

__all__ = ["AREA_DATA_COLUMNS", "LEVELS", "POPULATION_COLUMNS", "near_miss_areas",
           "normalize_area_data", "population_key", "registry_from_frame"]

#: Area levels from fine to coarse.
LEVELS = ("buurt", "wijk", "gebied", "gemeente")
#: Columns of area data in canonical form.
AREA_DATA_COLUMNS = ("area", "level", "year", "indicator", "value", "population", "flag")

_AREA_ALIASES = ("area", "gebied", "wijk", "buurt", "regio", "regio's", "wijken en buurten",
                 "naam", "name")
_CODE_ALIASES = ("code", "cbs_code", "codering", "codering (code)", "regiocode", "gwb_code",
                 "wijkencode", "buurtcode")
_YEAR_ALIASES = ("year", "jaar", "perioden", "periode", "period")
_POP_ALIASES = ("population", "inwoners", "bevolking", "aantal inwoners", "jongeren",
                "aantal jongeren")
_DIGITS = re.compile(r"\D")  # what is left of a name without its letters: its digits

#: Column names read as an area's population (case-insensitive), for messages and forms.
POPULATION_COLUMNS = _POP_ALIASES
_YEAR_RE = re.compile(r"^(\d{4})(JJ00)?(\*)?$")
_CODE_RE = re.compile(r"^(GM|WK|BU)\d{4,8}$")
_CODE_LEVEL = {"GM": "gemeente", "WK": "gebied", "BU": "buurt"}


def registry_from_frame(raw: pd.DataFrame, where: str = "areas") -> pd.DataFrame:
    """Validate an area registry (columns ``area, level`` and optionally ``cbs_code, parent``).

    Names must be unique within a level and codes unique overall; every parent
    must be an area in the registry.
    """
    cols, _, missing = require_columns(raw.columns, ("area", "level"), TableSource(where))
    if missing:
        raise DataError("; ".join(map(str, missing)))
    reg = pd.DataFrame({
        "area": [text(v) for v in raw[cols["area"]]],
        "level": [text(v).lower() for v in raw[cols["level"]]],
        "cbs_code": [text(v).upper() for v in raw[cols["cbs_code"]]] if "cbs_code" in cols
        else "",
        "parent": [text(v) for v in raw[cols["parent"]]] if "parent" in cols else "",
    })
    problems = []
    bad_level = reg.loc[~reg["level"].isin(LEVELS), "level"].unique()
    if len(bad_level):
        problems.append(f"unknown level(s) {', '.join(map(repr, bad_level))}; expected one of "
                        f"{', '.join(LEVELS)}")
    dup = reg[reg.duplicated(["area", "level"], keep=False)]
    if len(dup):
        problems.append("duplicate area(s): " + ", ".join(sorted(set(dup["area"]))))
    codes = reg.loc[reg["cbs_code"] != "", "cbs_code"]
    if codes.duplicated().any():
        dup_codes = sorted(set(codes[codes.duplicated()]))
        problems.append("duplicate CBS code(s): " + ", ".join(dup_codes))
    bad_parent = sorted(set(reg["parent"]) - set(reg["area"]) - {""})
    if bad_parent:
        problems.append("unknown parent(s): " + ", ".join(bad_parent))
    if problems:
        raise DataError(f"{where}: " + "; ".join(problems), code="area_data_problems",
                        fields={"where": where, "items": problems})
    return reg


# an age band ending a population header: "(0-22 jaar)", "0-22 jaar", "(12 t/m 17)"
_AGE_BAND = re.compile(r"\s*(\(\s*\d+\s*(?:-|–|t/m|tot)\s*\d+\s*(?:jaar|jr\.?)?\s*\)|"
                       r"\d+\s*(?:-|–|t/m|tot)\s*\d+\s*(?:jaar|jr\.?)?)$")


def population_key(name: Any) -> str:
    """A header as the population aliases know it: lower case, without a trailing age band.

    Examples
    --------
    >>> population_key(" Aantal jongeren (0-22 jaar) "), population_key("jongeren 12-17 jaar")
    ('aantal jongeren', 'jongeren')
    """
    return re.sub(r"\s+", " ", _AGE_BAND.sub("", str(name).strip().lower())).strip()


def _find_population(columns: list[str]) -> str | None:
    """The population column: a population alias, also with an age band after it
    (``Aantal jongeren (0-22 jaar)``); an exact alias first."""
    exact = _find(columns, _POP_ALIASES)
    if exact is not None:
        return exact
    keyed = {population_key(c): c for c in reversed(columns)}
    return next((keyed[a] for a in _POP_ALIASES if a in keyed), None)


def _find(columns: list[str], aliases: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[a] for a in aliases if a in lowered), None)


def _parse_year(value: Any) -> tuple[int, bool, bool, bool]:
    """A year cell as (year, provisional, unreadable, StatLine period); year 0 when
    unreadable."""
    m = _YEAR_RE.match(text(value).upper())
    if not m:
        return 0, False, True, False
    return int(m.group(1)), bool(m.group(3)), False, bool(m.group(2))


def normalize_area_data(raw: pd.DataFrame, *, areas: pd.DataFrame | None = None,
                        columns: Mapping[str, str] | None = None, where: str = "data",
                        nihil: bool | None = None, lines: Sequence[int] | None = None,
                        year: int | None = None) -> pd.DataFrame:
    """Turn a long or wide table of area data into canonical long form.

    Parameters
    ----------
    raw : DataFrame
        *Long*: columns for the area (name or code), the year, ``indicator``
        and ``value``, optionally ``population``, ``level``, ``unit``,
        ``direction``, ``flag``; any other column is kept as text.
        *Wide*: an area column, a year column, optionally a population column,
        and one column per indicator.
    areas : DataFrame, optional
        Area registry; names and CBS codes are resolved against it and
        unknown areas raise :class:`UnknownAreaError`.
    columns : mapping, optional
        Renames wide columns to indicator ids (e.g. StatLine titles).
    where : str
        Name of the source, used in error messages.
    nihil : bool, optional
        Whether a dash (``-``) means CBS StatLine's *nihil*, a real zero
        (flag ``nihil``). By default only in StatLine tables: when the year
        column is called ``Perioden`` or holds StatLine periods such as
        ``2022JJ00``. Elsewhere a dash is a missing value (flag ``missing``).
    lines : sequence of int, optional
        The file line of each row of ``raw``, to name bad cells by line
        (:func:`factormodel.read_area_data` passes them); else by row number.
    year : int, optional
        The year of every row of a table that has no year column (a table
        with one is read as it is, and ``year`` is not used).

    Raises
    ------
    DataError
        For a missing area or year column, unreadable years, values or
        populations (every bad cell is named with its line or row, area and
        column, all in one error), duplicate rows, or inconsistent populations.
    UnknownAreaError
        For areas not in the registry.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"wijk": ["A", "B", "C"], "jaar": [2023] * 3,
    ...                     "vsv": ["2,5", "-", "12%"]})
    >>> normalize_area_data(raw)[["area", "value", "flag"]]
      area  value     flag
    0    A    2.5
    1    B    NaN  missing
    2    C   12.0
    >>> raw["vsv"] = ["2", "1,000", "1_0"]  # no cell shows the decimal mark
    >>> normalize_area_data(raw)
    Traceback (most recent call last):
    ...
    factormodel.errors.DataError: data: 2 value(s) are not numbers or CBS symbols: '1,000' (row 2,
    'B', 'vsv') in column 'vsv': '1,000' is ambiguous: ... '1_0' (row 3, 'C', 'vsv') in column
    'vsv': expected a number, got '1_0' ('_' is not a digit separator in tables)
    """
    frame = raw.rename(columns={c: str(c).strip() for c in raw.columns})
    if columns:
        frame = frame.rename(columns=dict(columns))
    if year is not None and _find(list(map(str, frame.columns)), _YEAR_ALIASES) is None:
        frame = frame.assign(year=str(year))
    cols = list(frame.columns)
    area_col, code_col = _find(cols, _AREA_ALIASES), _find(cols, _CODE_ALIASES)
    year_col, pop_col = _find(cols, _YEAR_ALIASES), _find_population(cols)
    ind_col, val_col = _find(cols, ("indicator",)), _find(cols, ("value", "waarde"))
    required: list[tuple[str, ...]] = [_AREA_ALIASES + _CODE_ALIASES, _YEAR_ALIASES]
    if ind_col or val_col:  # a long table needs both (else 'value' would be an indicator)
        required += [("indicator",), ("value", "waarde")]
    _, _, missing = require_columns(cols, required, TableSource(where))
    if missing:
        no_year = year_col is None and " (give the year of a table without a year column: " \
            "year=2023 in Python, --year 2023 on the command line)"
        raise DataError("; ".join(map(str, missing)) + (no_year or ""),
                        code="missing_columns_no_year" if no_year else "missing_columns",
                        fields={"items": [p.as_message() for p in missing]})
    if len(frame) == 0:
        raise DataError(f"{where}: no data rows (only a header: {', '.join(map(str, cols))})",
                        code="no_data_rows",
                        fields={"where": where, "columns": ", ".join(map(str, cols))})
    extra = [c for c in (_find(cols, ("unit", "eenheid")), _find(cols, ("direction",)),
                         _find(cols, ("level", "niveau")), _find(cols, ("flag",))) if c]
    ids = [c for c in (area_col, code_col, year_col, pop_col) if c]
    passthrough: list[str] = []
    if ind_col and val_col:
        long = frame.rename(columns={ind_col: "indicator", val_col: "value"})
        known = {*ids, "indicator", "value", *extra}
        passthrough = [c for c in long.columns if c not in known]  # e.g. status, source, note
        long = long[[*ids, "indicator", "value", *[c for c in extra if c not in ids],
                     *passthrough]]
        raw_row, raw_cols = np.arange(len(long)), [str(val_col)]  # one value column
        per_row, reps = long, 1
    else:
        value_cols = [c for c in cols if c not in ids + extra]
        if not value_cols:
            raise DataError(f"{where}: no indicator columns and no 'indicator'/'value' columns")
        id_vars = ids + [c for c in extra if c not in ids]  # per-row attributes stay attached
        long = frame[id_vars + value_cols].melt(id_vars=id_vars, var_name="indicator",
                                                value_name="value")
        raw_row = np.tile(np.arange(len(frame)), len(value_cols))
        raw_cols = [str(c) for c in value_cols]  # cell k is in column k // len(frame)
        # the row attributes of a wide table are its own columns, repeated once per
        # indicator column by the melt: parse them on the wide rows and repeat the results
        per_row, reps = frame, len(value_cols)
    n = len(long)
    problems: list[Message] = []

    def number(k: int) -> int:
        r = int(raw_row[k])
        return int(lines[r]) if lines is not None else r + 1

    def place(k: int) -> Message:
        if lines is not None:
            return Message(f"line {number(k)}", "at_line", {"line": number(k)})
        return Message(f"row {number(k)}", "at_row", {"row": number(k)})

    def places(ks: list[int]) -> Message:
        """``line 3`` for one row, ``lines 2, 3 and 5`` (at most 10 named) for several."""
        if len(ks) == 1:
            return place(ks[0])
        nums = [str(number(k)) for k in ks]
        word = "lines" if lines is not None else "rows"
        ints = [int(x) for x in nums]
        if len(ints) > 2 and ints == list(range(ints[0], ints[0] + len(ints))):
            return Message(f"{word} {ints[0]}-{ints[-1]}", f"at_{word}_range",
                           {"first": ints[0], "last": ints[-1]})
        if len(nums) <= 10:
            first, last = ", ".join(nums[:-1]), nums[-1]
            return Message(f"{word} {first} and {last}", f"at_{word}",
                           {"first": first, "last": last})
        first, more = ", ".join(nums[:10]), len(nums) - 10
        return Message(f"{word} {first} and {more} more", f"at_{word}_more",
                       {"first": first, "more": more})

    def problem(code: str, what: str, items: list[Message], n: int | None = None) -> Message:
        """``n what: item; item; ... and 3 more`` (at most 25 items named; ``n``: how many
        cells, the number of items by default)."""
        shown, more = listed(items)
        n = len(items) if n is None else n
        return Message(f"{n} {what}: " + "; ".join(shown) + more, code,
                       {"n": n, "items": shown, "more": more})

    # areas ---------------------------------------------------------------------------
    def tiled(result: Any) -> Any:
        if reps == 1:
            return result
        return tuple(np.tile(r, reps) for r in result) if isinstance(result, tuple) \
            else np.tile(result, reps)

    m = len(per_row)
    none = (np.zeros(m, dtype=np.intp), np.asarray([""], dtype=object))
    names = per_unique_coded(per_row[area_col], text) if area_col else none
    codes = (per_unique_coded(per_row[code_col], lambda v: text(v).upper()) if code_col
             else none)
    # each row's (name, code, level) as a code into the resolved areas: the area names,
    # levels, groups and name codes of the rows are read through it, never gathered as text
    resolved = _resolve_areas(names, codes, areas, where, per_row.get("level"))
    area_key = tiled(resolved.rows)

    def area_at(k: int) -> str:
        return str(resolved.area[area_key[k]])

    # years ---------------------------------------------------------------------------
    years, provisional, bad_year, jj00 = tiled(per_unique(per_row[year_col], _parse_year,
                                                          (int, bool, bool, bool)))
    if bad_year.any():
        rows = np.flatnonzero(bad_year)
        rows = rows[~pd.Series(raw_row[rows]).duplicated().to_numpy()]  # wide: once per row
        groups: dict[str, list[int]] = {}  # one entry per distinct unreadable year
        for k in rows:
            groups.setdefault(text(long[year_col].iloc[k]), []).append(int(k))
        problems.append(problem(
            "unreadable_years", "unreadable year(s) (expected e.g. 2022, 2022JJ00 or 2022*)",
            [Message(f"{value!r} ({places(ks)}) in column {str(year_col)!r}", "unreadable_year",
                     {"value": value, "places": places(ks), "column": str(year_col)})
             for value, ks in groups.items()], len(rows)))
    if nihil is None:  # StatLine's own period column name and period codes
        nihil = str(year_col).strip().lower() == "perioden" or bool(jj00.any())
    # values --------------------------------------------------------------------------
    values, flags, errors = parse_numbers(long["value"], markers=True, nihil=nihil,
                                          percent=True)
    bad = np.flatnonzero(pd.notna(errors))
    if len(bad):
        raw_values = long["value"].to_numpy()
        labels = long["indicator"].to_numpy()
        # one problem per column and kind ('.' separating thousands in ten rows is one)
        kinds: dict[tuple[str, str], list[int]] = {}
        for k in bad.tolist():
            why = errors[k]
            kinds.setdefault((raw_cols[k // m], getattr(why, "code", str(why))), []).append(k)
        items = []
        for (column, _), ks in kinds.items():
            k = ks[0]
            if len(ks) == 1:
                items.append(Message(
                    f"{text(raw_values[k])!r} ({place(k)}, {area_at(k)!r}, {labels[k]!r}) in "
                    f"column {column!r}: {errors[k]}", "value_not_a_number",
                    {"value": text(raw_values[k]), "place": place(k), "area": str(area_at(k)),
                     "indicator": str(labels[k]), "column": column, "why": errors[k]}))
                continue
            items.append(Message(
                f"{len(ks)} values in column {column!r} ({places(ks)}), e.g. "
                f"{text(raw_values[k])!r} ({area_at(k)!r}): {errors[k]}", "values_not_a_number",
                {"n": len(ks), "column": column, "places": places(ks),
                 "value": text(raw_values[k]), "area": str(area_at(k)), "why": errors[k]}))
        problems.append(problem("values_not_numbers", "value(s) are not numbers or CBS symbols",
                                items, len(bad)))
    if "flag" in long.columns:  # keep flags given in canonical files
        given = per_unique(long["flag"], text)
        flags = np.where(given != "", given, flags)
    if provisional.any():
        flags = np.where((flags == "") & provisional, "provisional", flags)
    population = np.full(n, np.nan)
    if pop_col:
        population, _, pop_errors = tiled(parse_numbers(per_row[pop_col], markers=True,
                                                        nihil=nihil, grouping=True))
        rows = np.flatnonzero(pd.notna(pop_errors))
        rows = rows[~pd.Series(raw_row[rows]).duplicated().to_numpy()]
        if len(rows):
            problems.append(problem("populations_not_numbers", "population(s) are not numbers", [
                Message(f"{text(long[pop_col].iloc[k])!r} ({place(k)}, {area_at(k)!r}) in column "
                        f"{str(pop_col)!r}: {pop_errors[k]}", "population_not_a_number",
                        {"value": text(long[pop_col].iloc[k]), "place": place(k),
                         "area": str(area_at(k)), "column": str(pop_col), "why": pop_errors[k]})
                for k in rows]))
        with np.errstate(invalid="ignore"):
            negative = np.flatnonzero(population < 0)
        negative = negative[~pd.Series(raw_row[negative]).duplicated().to_numpy()]
        if len(negative):
            problems.append(problem("populations_negative", "population(s) are negative", [
                Message(f"{text(long[pop_col].iloc[k])!r} ({place(k)}, {area_at(k)!r}) in column "
                        f"{str(pop_col)!r}: a population cannot be negative",
                        "population_negative", {"value": text(long[pop_col].iloc[k]),
                                                "place": place(k), "area": str(area_at(k)),
                                                "column": str(pop_col)})
                for k in negative]))
    if problems:
        raise DataError(f"{where}: " + "; ".join(problems), code="area_data_problems",
                        fields={"where": where, "items": problems})
    # (area, level, year) groups and indicators as integer codes, for the checks below; a
    # wide table's groups are its rows and its indicators its columns
    if reps == 1:
        group = _key_codes([resolved.group[area_key], years])
        indicator_row, labels = per_unique_coded(long["indicator"], text)
        indicator_code = pd.factorize(labels)[0][indicator_row]  # ' a' and 'a': one indicator
    else:
        group = np.tile(_key_codes([resolved.group[area_key[:m]], years[:m]]), reps)
        labels = np.asarray([text(c) for c in value_cols], dtype=object)
        indicator_row = np.repeat(np.arange(len(labels)), m)
        indicator_code = np.repeat(pd.factorize(labels)[0], m)
    out = pd.DataFrame({"area": _text_column(resolved.area, area_key),
                        "level": _text_column(resolved.level, area_key), "year": years,
                        "indicator": _text_column(labels, indicator_row), "value": values,
                        "population": population, "flag": flags})
    for c in extra:
        low = c.strip().lower()
        if low in ("unit", "eenheid"):
            out["unit"] = _texts(long[c])
        elif low == "direction":
            out["direction"] = _texts(long[c])
    for c in passthrough:
        out[c] = _texts(long[c])
    n_groups, n_indicators = int(group.max(initial=-1)) + 1, int(indicator_code.max(initial=0)) + 2
    _check_duplicates(out, where, group * n_indicators + indicator_code + 1,
                      n_groups * n_indicators)
    _check_population(out, where, group)
    for name, near, seen_at in near_miss_areas(out, codes=resolved.named[area_key]):
        warnings.warn(f"{where}: area {name!r} ({places(seen_at)}) is one letter from {near!r}, "
                      "and the two never give the same indicator in the same year: did you "
                      f"mean {near!r}? As written, {name!r} is a separate area and {near!r} "
                      "lacks its values; correct the name (or give CBS codes)",
                      DataWarning, stacklevel=3)
    if pop_col:  # which column the populations came from (all residents or young people)
        out.attrs["population_column"] = str(pop_col)
    return out


def near_miss_areas(data: pd.DataFrame, codes: np.ndarray | None = None
                    ) -> list[tuple[str, str, list[int]]]:
    """Area names that look like a misspelling of another: ``(name, meant, rows)``.

    A pair is flagged when the names differ by one letter (added, dropped or changed;
    letter case and digits aside), are at the same level, and never give the same
    indicator in the same year -- the signature of a typo: a ``Rubroeck`` row next to
    ``Rubroek`` data makes a new area and leaves Rubroek without that value. Of the
    pair, the name with fewer rows is taken as the misspelling; ``rows`` are its
    positions in ``data``. Names that differ in a digit (``Buurt 1``, ``Buurt 2``) and
    CBS codes (``BU03630000``) are never flagged. Linear in the number of distinct
    names (their one-letter deletions).

    ``codes``, optional: one integer per row for its area, numbered 0, 1, ... in order
    of first appearance (as :func:`pandas.factorize` numbers ``data["area"]``), when the
    caller has them; the names are then not hashed again.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"area": ["Rubroek", "Rubroek", "Rubroeck"], "level": "wijk",
    ...                   "year": 2024, "indicator": ["a", "b", "c"], "value": 1.0})
    >>> near_miss_areas(d)
    [('Rubroeck', 'Rubroek', [2])]
    """
    if codes is None:
        codes, names = pd.factorize(data["area"].astype(str).to_numpy())
    else:  # the caller's codes, 0, 1, ... in order of first appearance
        first = _first_rows(codes, int(codes.max(initial=-1)) + 1)
        names = data["area"].iloc[first].astype(str).to_numpy()
    if len(names) < 2:
        return []
    variants: dict[tuple[str, str], list[str]] = {}
    is_code = pd.Series(names, dtype=object).str.fullmatch(_CODE_RE.pattern).to_numpy(bool)
    for name in names[~is_code]:  # a CBS code is no misspelt name
        key, digits = name.casefold(), _DIGITS.sub("", name)
        # only letters are deleted: names that differ in a digit are never a pair
        for v in {key, *(key[:i] + key[i + 1:] for i, ch in enumerate(key)
                         if not ch.isdigit())}:
            variants.setdefault((digits, v), []).append(name)
    pairs = {tuple(sorted((a, b))) for group in variants.values() if len(group) > 1
             for i, a in enumerate(group) for b in group[i + 1:]}
    pairs = {(a, b) for a, b in pairs if a.casefold() != b.casefold()}
    if not pairs:
        return []
    index = {name: k for k, name in enumerate(names)}
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))

    def rows_of(name: str) -> np.ndarray:
        k = index[name]
        return order[bounds[k]:bounds[k + 1]]

    found = []
    for a, b in sorted(pairs):
        in_a, in_b = data.iloc[rows_of(a)], data.iloc[rows_of(b)]
        if set(in_a["level"].astype(str)) != set(in_b["level"].astype(str)):
            continue
        keys = ["year", "indicator"]
        shared = in_a[keys].merge(in_b[keys].drop_duplicates(), on=keys)
        if len(shared):
            continue
        name, meant = (a, b) if len(in_a) < len(in_b) else (b, a)
        found.append((name, meant, rows_of(name).tolist()))
    return found


class _Resolved(NamedTuple):
    """The areas of a table, resolved once per distinct (name, code, level) of its rows."""

    rows: np.ndarray  # per row: its (name, code, level), 0, 1, ... by first appearance
    area: np.ndarray  # per (name, code, level): the area name (object array)
    level: np.ndarray  # ... its level
    group: np.ndarray  # ... one integer per resolved (area, level): two spellings, one area
    named: np.ndarray  # ... one integer per area name, 0, 1, ... in order of first appearance


def _resolve_areas(names: tuple[np.ndarray, np.ndarray], codes: tuple[np.ndarray, np.ndarray],
                   registry: pd.DataFrame | None, where: str, given_level: pd.Series | None
                   ) -> _Resolved:
    """Area names and levels, resolved once per distinct (name, code, level) of the rows.

    ``names`` and ``codes`` are :func:`~factormodel._cells.per_unique_coded` pairs (row codes,
    distinct texts). A row's area, level, (area, level) group and area-name code are those
    of its ``rows`` code, for grouping without hashing (or gathering) the names again."""
    n = len(names[0])
    want = (per_unique_coded(given_level, lambda v: text(v).lower()) if given_level is not None
            else (np.zeros(n, dtype=np.intp), np.asarray([""], dtype=object)))
    row_key = _key_codes([names[0], codes[0], want[0]])  # groups in order of first appearance
    first = _first_rows(row_key, int(row_key.max(initial=-1)) + 1)
    areas, levels = _resolve_distinct(names[1][names[0][first]].tolist(),
                                      codes[1][codes[0][first]].tolist(),
                                      want[1][want[0][first]].tolist(), registry, where,
                                      given_level is not None)
    area, level = np.asarray(areas, dtype=object), np.asarray(levels, dtype=object)
    return _Resolved(row_key, area, level, _key_codes([area, level]), pd.factorize(area)[0])


def _resolve_distinct(names: list[str], codes: list[str], want_level: list[str],
                      registry: pd.DataFrame | None, where: str, level_given: bool
                      ) -> tuple[list[str], list[str]]:
    if registry is None:
        area = [nm or cd for nm, cd in zip(names, codes, strict=True)]
        if level_given:
            return area, want_level
        level = [_CODE_LEVEL.get(cd[:2], "") if _CODE_RE.match(cd) else
                 (_CODE_LEVEL.get(nm.upper()[:2], "") if _CODE_RE.match(nm.upper()) else "")
                 for nm, cd in zip(names, codes, strict=True)]
        return area, level
    by_code = {c: (a, lv) for a, lv, c in zip(registry["area"], registry["level"],
                                              registry["cbs_code"], strict=True) if c}
    by_name: dict[str, list[tuple[str, str]]] = {}
    for a, lv in zip(registry["area"], registry["level"], strict=True):
        by_name.setdefault(a.lower(), []).append((a, lv))
    area, level, unknown = [], [], []
    for nm, cd, lv in zip(names, codes, want_level, strict=True):
        if cd and cd in by_code:
            a, alv = by_code[cd]
        elif _CODE_RE.match(nm.upper()) and nm.upper() in by_code:
            a, alv = by_code[nm.upper()]
        elif nm.lower() in by_name:
            options = by_name[nm.lower()]
            match = [o for o in options if not lv or o[1] == lv]
            if len(match) != 1:
                listed = ", ".join(f"{a} ({b})" for a, b in options)
                raise DataError(f"{where}: area {nm!r} is ambiguous ({listed}); add a 'level' "
                                "column or use CBS codes", code="area_ambiguous",
                                fields={"where": where, "area": nm, "options": listed})
            a, alv = match[0]
        else:
            unknown.append(nm or cd)
            a, alv = nm or cd, ""
        area.append(a)
        level.append(alv)
    if unknown:
        shown = sorted(set(unknown))
        items = [Message(f"{u!r} ({hint})", "name_and_hint", {"name": u, "hint": hint})
                 for u in shown[:8] for hint in [close_matches(u, registry['area'].tolist())]]
        more = "" if len(shown) <= 8 else " ..."
        raise UnknownAreaError(
            f"{where}: {len(shown)} area(s) not in the area registry: " + "; ".join(items) + more,
            code="not_in_area_registry",
            fields={"where": where, "n": len(shown), "items": items, "more": more})
    return area, level


def _key_codes(columns: list[Any]) -> np.ndarray:
    """One integer per row for the combination of ``columns`` (0, 1, ... in order of first
    appearance), hashing each column once instead of grouping on tuples of cells. Integer
    columns (codes from :func:`~factormodel._cells.per_unique_coded`, years) are combined
    as they are, less their smallest value, without hashing them again; an integer column
    of one value adds nothing to the key."""
    key, size = None, 1  # key < size
    for col in columns:
        arr = col.to_numpy() if isinstance(col, pd.Series) else np.asarray(col)
        low, high = (int(arr.min()), int(arr.max())) if arr.dtype.kind in "iu" and len(arr) \
            else (0, 0)
        if arr.dtype.kind in "iu" and high == low:  # one value (one year, no level): no key
            continue
        if arr.dtype.kind in "iu" and high - low < 2 ** 31:
            codes, card = arr.astype(np.int64, copy=False), high - low + 1
            codes = codes - low if low else codes
        else:
            codes, uniques = pd.factorize(arr)
            codes, card = codes.astype(np.int64) + 1, len(uniques) + 1  # missing is a value
        if key is None:
            key, size = codes, card
            continue
        if size * card >= 2 ** 62:  # renumber the key before it could overflow
            key = _first_appearance(key, size)
            size = int(key.max(initial=0)) + 1
        key, size = key * card + codes, size * card
    if key is None:
        return np.zeros(len(columns[0]), dtype=np.int64)
    return _first_appearance(key, size)


def _dense(size: int, n: int) -> bool:
    """Whether integers below ``size`` are few enough, for ``n`` rows, to be counted in an
    array of ``size`` instead of hashed."""
    return size <= 4 * n + 1024


def _first_rows(key: np.ndarray, size: int) -> np.ndarray:
    """The first row of each value of ``key`` (integers below ``size``), ``len(key)`` for a
    value that never occurs."""
    first = np.full(size, len(key), dtype=np.int64)
    np.minimum.at(first, key, np.arange(len(key), dtype=np.int64))
    return first


def _first_appearance(key: np.ndarray, size: int) -> np.ndarray:
    """``key`` (integers below ``size``) renumbered 0, 1, ... in order of first appearance,
    as :func:`pandas.factorize` numbers it; counted in an array when ``size`` allows."""
    n = len(key)
    if not _dense(size, n):
        return pd.factorize(key)[0].astype(np.int64)
    first = _first_rows(key, size)
    starts = np.zeros(n, dtype=bool)
    starts[first[first < n]] = True
    number = np.zeros(size, dtype=np.int64)
    number[key[starts]] = np.arange(np.count_nonzero(starts))  # rows in order: by first row
    return number[key]


def _text_column(distinct: np.ndarray, codes: np.ndarray) -> Any:
    """A text column from its distinct values and one code per row, in the dtype pandas
    gives the column built from its cells (``str`` in pandas 3), checking the distinct
    values only instead of every cell."""
    return pd.Series(np.asarray(distinct, dtype=object)).array.take(codes)


def _texts(column: pd.Series) -> Any:
    """A column as stripped text (:func:`~factormodel._cells.text`), read once per distinct
    value and built from codes (:func:`_text_column`)."""
    codes, distinct = per_unique_coded(column, text)
    return _text_column(distinct, codes)


def _check_duplicates(data: pd.DataFrame, where: str, rows: np.ndarray, size: int) -> None:
    """``rows``: one integer below ``size`` per (area, level, year, indicator) of ``data``."""
    key = ["area", "level", "year", "indicator"]
    if _dense(size, len(rows)):
        repeated = np.bincount(rows, minlength=size)[rows] > 1
    else:
        repeated = pd.Series(rows).duplicated(keep=False).to_numpy()
    if not repeated.any():
        return
    dup = data[repeated]
    shown = dup.drop_duplicates(key).head(5)
    examples = "; ".join(f"{r.area} {r.year} {r.indicator}" for r in shown.itertuples())
    raise DataError(f"{where}: {len(dup)} rows share an area, year and indicator, e.g. "
                    + examples, code="duplicate_rows",
                    fields={"where": where, "n": len(dup), "examples": examples})


def _check_population(data: pd.DataFrame, where: str, groups: np.ndarray) -> None:
    """``groups``: one integer per (area, level, year) of ``data``, 0, 1, ..."""
    pop = data["population"].to_numpy(dtype=float)
    given = ~np.isnan(pop)
    group, value = groups[given], pop[given]
    some = np.empty(int(groups.max(initial=-1)) + 1)
    some[group] = value  # one of each group's populations, whichever
    if not (value != some[group]).any():  # one population per (area, level, year)
        return
    spread = data[given].groupby(["area", "level", "year"])["population"].nunique()
    bad = spread[spread > 1]
    if len(bad):
        raise DataError(f"{where}: population differs between rows of the same area and "
                        f"year: " + ", ".join(f"{a} {y}" for (a, _, y) in bad.index[:5]))
