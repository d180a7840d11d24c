"""Her columns, the catalogue's indicators: a column mapping she writes once and reuses.

A gebiedsadviseur's export has her own headers ("% huishoudens met laag inkomen",
"% 18-22 jaar zonder startkwalificatie") and her own definitions (a fraction instead
of a percentage, "zonder" where the catalogue counts "met"). A *column mapping* says,
per column, which catalogue indicator it is and how its values turn into the
indicator's unit. It is a small table (CSV or XLSX) with the columns

=================  ==========================================================
``kolom``          her header, as in her file (also ``column``)
``indicator``      the catalogue indicator: id or Dutch/English label; ``jongeren``
                   for the number of young people (the population of a portfolio);
                   empty to leave the column out (a warning names it)
``transformatie``  how a value becomes the indicator's (also ``transformation``):
                   ``zoals`` (as is, the default), ``complement`` (100 − x: her
                   column counts the opposite), ``fractie`` (a fraction → %,
                   × 100), ``per1000->%`` (÷ 10), ``%->per1000`` (× 10)
``definitie``      her definition, in her words (optional, repeated in outputs)
``jaar``           the year her figures are of (optional)
=================  ==========================================================

:func:`read_columns` reads and checks one (every problem with its line, at once);
:func:`apply_columns` applies it to area data in the canonical long form (the one
place where headers become indicator ids is :func:`factormodel.indicators.area_table`,
which calls it); :func:`propose_columns` proposes one for her file, ranked, with the
reason for every match. A name that measures the opposite of an indicator ("zonder"
against "met", see :func:`factormodel.words.opposite_words`) is only ever proposed as
its complement, and only for a percentage.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis.words import indicator_lexicon, opposite_words
from factormodel.core import units
from factormodel.errors import (
    AmbiguousNameError,
    DataError,
    DataWarning,
    Message,
    UnknownIndicatorError,
    fold,
    similarity,
)
from factormodel.tables._cells import TableSource, listed, parse_number, require_columns, text
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result

__all__ = ["MAPPING_COLUMNS", "TRANSFORMS", "YOUNG", "YOUNG_WORDS", "ColumnMapping",
           "ColumnProposal", "apply_columns", "as_columns", "propose_columns", "read_columns",
           "young_columns"]

#: Columns of a column mapping (canonical Dutch names; English aliases accepted).
MAPPING_COLUMNS = ("kolom", "indicator", "transformatie", "definitie", "jaar")
_ALIASES = {"kolom": ("kolom", "column", "kolomnaam", "header"),
            "indicator": ("indicator",),
            "transformatie": ("transformatie", "transformation", "transform"),
            "definitie": ("definitie", "definition"),
            "jaar": ("jaar", "year")}

#: The mapping's word for "this column is the number of young people" (the population
#: column of a portfolio, :func:`factormodel.population.young_people`), and the words read
#: as it (folded).
YOUNG = "jongeren"
YOUNG_WORDS = frozenset({"jongeren", "aantal jongeren", "population", "young people",
                         "number of young people"})

#: Transformations: canonical name -> (Dutch words, English words, units it applies to).
TRANSFORMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "zoals": ("zoals gegeven", "as is", ("%", "per 1000", "score", "index")),
    "complement": ("complement (100 − x)", "complement (100 − x)", ("%", "per 1000")),
    "fractie": ("fractie → % (× 100)", "fraction → % (× 100)", ("%",)),
    "per1000->%": ("per 1.000 → % (÷ 10)", "per 1,000 → % (÷ 10)", ("%",)),
    "%->per1000": ("% → per 1.000 (× 10)", "% → per 1,000 (× 10)", ("per 1000",)),
}
#: The code of each transformation's words (``text.messages.CODES``).
_TRANSFORM_CODES = {"zoals": "transform_as_is", "complement": "transform_complement",
                    "fractie": "transform_fraction", "per1000->%": "transform_per_1000_to_pct",
                    "%->per1000": "transform_pct_to_per_1000"}
_TRANSFORM_WORDS = {
    "": "zoals", "zoals": "zoals", "zoalsgegeven": "zoals", "asis": "zoals", "as_is": "zoals",
    "ongewijzigd": "zoals", "complement": "complement", "100-x": "complement",
    "tegendeel": "complement", "fractie": "fractie", "fraction": "fractie",
    "fractie->%": "fractie", "fraction->%": "fractie", "x100": "fractie",
    "per1000->%": "per1000->%", "per1.000->%": "per1000->%", "per1,000->%": "per1000->%",
    "%->per1000": "%->per1000", "%->per1.000": "%->per1000", "%->per1,000": "%->per1000",
}


def _transform_key(value: Any) -> str | None:
    key = re.sub(r"\s+", "", text(value).lower()).replace("−", "-").replace("→", "->")
    key = re.sub(r"\(.*\)$", "", key)  # "complement (100 − x)" as the table shows it
    return _TRANSFORM_WORDS.get(key)


def _header_key(name: Any) -> str:
    return fold(text(name))


@dataclass(frozen=True)
class ColumnMapping(Result):
    """Her columns -> catalogue indicators, with the transformation of each.

    Attributes
    ----------
    table : DataFrame
        ``kolom, indicator, transformatie, definitie, jaar`` (one row per column;
        ``indicator`` is the catalogue id, ``transformatie`` a key of
        :data:`TRANSFORMS`, ``jaar`` NaN when not given).
    source : str
        Where it came from (a file name, or "given in Python").
    """

    table: pd.DataFrame
    source: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"source": self.source, "columns": self.table})

    def notes(self, lang: str = "en") -> tuple[Message, ...]:
        """One sentence per mapped column that is not read as is (or has her definition),
        each a coded :class:`~factormodel.errors.Message` (English; the text layer words it
        in Dutch: ``factormodel.text.words.source(note, "nl")``).

        Parameters
        ----------
        lang : str
            ``"en"``; another language warns (``DeprecationWarning``) and gives the English.
        """
        if lang != "en":
            warnings.warn(f"ColumnMapping.notes({lang!r}) gives English; word a note with "
                          "factormodel.text.words.source(note, lang)", DeprecationWarning,
                          stacklevel=2)
        out = []
        for r in self.table.itertuples():
            # the mapping's cells: words are str, the year a float (NaN when not given)
            way, jaar = cast(str, r.transformatie), cast(float, r.jaar)
            if way == "zoals" and not r.definitie:
                continue
            how = Message(TRANSFORMS[way][1], _TRANSFORM_CODES[way])
            definition = Message(f"; its definition: {r.definitie!s}", "column_definition",
                                 {"definition": str(r.definitie)}) if r.definitie else ""
            year = "" if pd.isna(jaar) else Message(f"; year {int(jaar)}", "column_year",
                                                   {"year": int(jaar)})
            out.append(Message(f"column {r.kolom!r} read as {r.indicator!s} ({how}{definition}"
                               f"{year})", "column_read_as",
                               {"column": str(r.kolom), "indicator": str(r.indicator),
                                "how": how, "definition": definition, "year": year}))
        return tuple(out)


def _build(raw: pd.DataFrame, catalogue: pd.DataFrame, src: TableSource) -> ColumnMapping:
    found, _, problems = require_columns(
        raw.columns, [_ALIASES["kolom"], _ALIASES["indicator"]], src)
    if problems:
        raise DataError("; ".join(map(str, problems)))
    optional = {k: next((c for c in raw.columns if str(c).strip().lower() in _ALIASES[k]), None)
                for k in ("transformatie", "definitie", "jaar")}
    lex = indicator_lexicon(catalogue)
    bad: list[Message] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i in range(len(raw)):
        kolom = text(raw[found["kolom"]].iloc[i])
        name = text(raw[found["indicator"]].iloc[i])
        where = src.where(i)
        if not kolom and not name:
            continue  # an empty line of a spreadsheet
        if not kolom:
            bad.append(Message(f"{where}: no column name ('kolom') for indicator {name!r}",
                               "mapping_no_column", {"where": where, "name": name}))
            continue
        if _header_key(kolom) in seen:
            also = src.where(seen[_header_key(kolom)])
            bad.append(Message(f"{where}: column {kolom!r} is mapped twice (also on {also})",
                               "mapping_twice", {"where": where, "column": kolom, "also": also}))
            continue
        seen[_header_key(kolom)] = i
        if fold(name) in YOUNG_WORDS or not name:  # the number of young people, or left out
            rows.append({"kolom": kolom, "indicator": YOUNG if name else "",
                         "transformatie": "zoals", "definitie": text(
                             raw[optional["definitie"]].iloc[i]) if optional["definitie"]
                         else "", "jaar": math.nan})
            continue
        try:
            ind = lex.resolve(name)
        except (UnknownIndicatorError, AmbiguousNameError) as exc:
            why = Message(str(exc), exc.code, exc.fields)
            bad.append(Message(f"{where}, column 'indicator': {why} (or '{YOUNG}' for the number "
                               "of young people; leave it empty to leave the column out)",
                               "mapping_indicator", {"where": where, "why": why}))
            continue
        raw_t = raw[optional["transformatie"]].iloc[i] if optional["transformatie"] else ""
        how = _transform_key(raw_t)
        unit = str(catalogue.loc[ind, "unit"])
        if how is None:
            bad.append(Message(f"{where}, column 'transformatie': {text(raw_t)!r} is no "
                               f"transformation; expected one of {', '.join(TRANSFORMS)}",
                               "mapping_no_transform", {"where": where, "value": text(raw_t),
                                                        "expected": ", ".join(TRANSFORMS)}))
            continue
        if unit not in TRANSFORMS[how][2]:
            fits = ", ".join(TRANSFORMS[how][2])
            bad.append(Message(f"{where}: transformation {how!r} does not apply to {ind!r}, "
                               f"whose unit is {unit!r} (it applies to {fits})",
                               "mapping_transform_unit", {"where": where, "how": how,
                                                          "indicator": ind, "unit": unit,
                                                          "fits": fits}))
            continue
        year = math.nan
        if optional["jaar"] and text(raw[optional["jaar"]].iloc[i]):
            y, _, err = parse_number(raw[optional["jaar"]].iloc[i])
            if err or not (np.isfinite(y) and y.is_integer() and 1900 <= y <= 2100):
                got = text(raw[optional["jaar"]].iloc[i])
                bad.append(Message(f"{where}, column 'jaar': expected a year such as 2016, got "
                                   f"{got!r}", "mapping_year", {"where": where, "value": got}))
                continue
            year = float(y)
        rows.append({"kolom": kolom, "indicator": ind, "transformatie": how,
                     "definitie": text(raw[optional["definitie"]].iloc[i])
                     if optional["definitie"] else "", "jaar": year})
    name_of = src.file or src.table
    if bad:
        shown, more = listed(bad, 12)
        raise DataError(f"column mapping {name_of}: {len(bad)} problem(s): "
                        + "; ".join(map(str, shown)) + more, code="mapping_problems",
                        fields={"file": name_of, "n": len(bad), "items": shown, "more": more})
    if not any(r["indicator"] for r in rows):
        raise DataError(f"column mapping {name_of}: no columns mapped",
                        code="mapping_empty", fields={"file": name_of})
    table = pd.DataFrame(rows, columns=list(MAPPING_COLUMNS))
    return ColumnMapping(table=table, source=src.file or src.table)


def read_columns(path: str | PathLike[str], catalogue: pd.DataFrame) -> ColumnMapping:
    """Read a column mapping (CSV with ``;`` or ``,``, any common encoding, or XLSX) and
    check it against the indicator catalogue; every problem is named with its line.

    Raises
    ------
    DataError
        Listing every bad line (unknown indicator, unknown transformation, a
        transformation that does not fit the indicator's unit, a column mapped twice).
    ModelFileError
        When the file cannot be read.

    Examples
    --------
    >>> import factormodel as fm, tempfile, pathlib
    >>> cat = fm.load_indicators(fm.load_model("rotterdam-jeugd"))
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "kolommen.csv"
    >>> _ = f.write_text("kolom;indicator;transformatie\\n"
    ...                  "% 18-22 jaar zonder startkwalificatie;startkwalificatie_18_22;"
    ...                  "complement\\n", encoding="cp1252")
    >>> read_columns(f, cat).table[["indicator", "transformatie"]].values.tolist()
    [['startkwalificatie_18_22', 'complement']]
    """
    from factormodel.files.folders import read_sheet

    raw, src = read_sheet(path)
    return _build(raw, catalogue, src)


def young_columns(columns: Any) -> list[str]:
    """The columns a mapping (file, table or ``{column: indicator}``) calls the number of
    young people (indicator ``jongeren``), read before the data are: a reader then takes
    such a column as the population, with its thousands separators (``2.450``).

    Examples
    --------
    >>> young_columns({"Totaal 0-22": "Jongeren", "% vsv": "vsv_nieuw"})
    ['Totaal 0-22']
    """
    if isinstance(columns, ColumnMapping):
        table = columns.table
        return [str(k) for k, i in zip(table["kolom"], table["indicator"], strict=True)
                if i == YOUNG]
    if isinstance(columns, Mapping):
        return [str(k) for k, v in columns.items() if fold(text(v)) in YOUNG_WORDS]
    if isinstance(columns, pd.DataFrame):
        raw = columns
    else:
        from factormodel.files.folders import read_sheet

        raw, _ = read_sheet(columns)
    lowered = {str(c).strip().lower(): c for c in raw.columns}
    kolom = next((lowered[a] for a in _ALIASES["kolom"] if a in lowered), None)
    indicator = next((lowered[a] for a in _ALIASES["indicator"] if a in lowered), None)
    if kolom is None or indicator is None:
        return []  # the full reader names what is missing
    return [text(k) for k, v in zip(raw[kolom], raw[indicator], strict=True)
            if text(k) and fold(text(v)) in YOUNG_WORDS]


def as_columns(columns: Any, catalogue: pd.DataFrame) -> ColumnMapping:
    """A column mapping from any accepted form: a :class:`ColumnMapping`, a file, a
    DataFrame with the mapping's columns, or ``{her column: indicator}``."""
    if isinstance(columns, ColumnMapping):
        return columns
    if isinstance(columns, Mapping):
        frame = pd.DataFrame({"kolom": list(map(str, columns)),
                              "indicator": [str(v) for v in columns.values()]})
        return _build(frame, catalogue, TableSource("columns"))
    if isinstance(columns, pd.DataFrame):
        return _build(columns.astype(object), catalogue, TableSource("columns"))
    return read_columns(columns, catalogue)


def _transformed(values: np.ndarray, how: str, unit: str) -> np.ndarray:
    if how == "complement":
        return (100.0 if unit == "%" else 1000.0) - values
    if how == "fractie":
        return values * 100.0
    if how == "per1000->%":
        return values / 10.0
    if how == "%->per1000":
        return values * 10.0
    return values


def _young_and_left_out(data: pd.DataFrame, special: Mapping[str, str]) -> pd.DataFrame:
    """The data without the columns her mapping leaves out (``indicator`` empty: a warning
    names them) and with the column she calls the number of young people (``jongeren``) as
    the population of its area and year.

    Raises
    ------
    DataError
        When the data already have a population column and she names another one.
    """
    names = data["indicator"].astype(str)
    young = [n for n, ind in special.items() if ind == YOUNG]
    left_out = [n for n, ind in special.items() if ind == ""]
    out = data.loc[~names.isin(list(special)).to_numpy()].copy()
    out.attrs = dict(data.attrs)
    if left_out:
        shown = ", ".join(map(repr, left_out))
        warnings.warn(DataWarning(
            f"column mapping: column(s) {shown} left out (their 'indicator' is empty); to "
            f"use a column as the number of young people, write '{YOUNG}' as its indicator",
            code="mapping_left_out", fields={"columns": shown}), stacklevel=4)
    if not young:
        return out
    if len(young) > 1 or data.attrs.get("population_column"):
        given = [*([str(data.attrs["population_column"])]
                   if data.attrs.get("population_column") else []), *young]
        shown = ", ".join(map(repr, given))
        raise DataError(f"column mapping: more than one column gives the number of young "
                        f"people ({shown}); keep one", code="mapping_young_twice",
                        fields={"columns": shown})
    rows = data.loc[(names == young[0]).to_numpy(), ["area", "level", "year", "value"]]
    counts = rows.drop_duplicates(["area", "level", "year"]).set_index(
        ["area", "level", "year"])["value"]
    key = pd.MultiIndex.from_frame(out[["area", "level", "year"]])
    out["population"] = counts.reindex(key).to_numpy(dtype=float)
    out.attrs["population_column"] = young[0]
    return out


def apply_columns(data: pd.DataFrame, columns: ColumnMapping, catalogue: pd.DataFrame
                  ) -> pd.DataFrame:
    """Canonical long area data with her columns as indicator ids, values transformed.

    Columns not in the mapping are left as they are (ids and labels are resolved
    after this). Two of her columns mapped onto one indicator are refused.

    Raises
    ------
    DataError
        When two columns in the data map onto one indicator, or a fraction column
        holds values above 1.
    """
    table = columns.table
    key = {_header_key(k): j for j, k in enumerate(table["kolom"])}
    names = data["indicator"].astype(str)
    distinct = pd.unique(names)
    hit = {n: key[_header_key(n)] for n in distinct if _header_key(n) in key}
    if not hit:
        return data
    special = {n: str(table["indicator"].iloc[j]) for n, j in hit.items()
               if table["indicator"].iloc[j] in ("", YOUNG)}
    if special:
        data = _young_and_left_out(data, special)
        names = data["indicator"].astype(str)
        hit = {n: j for n, j in hit.items() if n not in special}
    targets: dict[str, list[str]] = {}
    for n, j in hit.items():
        targets.setdefault(table["indicator"].iloc[j], []).append(n)
    twice = {i: ns for i, ns in targets.items() if len(ns) > 1}
    if twice:
        raise DataError("column mapping: two columns of the data map onto one indicator: "
                        + "; ".join(f"{i}: {', '.join(map(repr, ns))}" for i, ns in twice.items()))
    out = data.copy()
    value = out["value"].to_numpy(dtype=float).copy()
    indicator = names.to_numpy(dtype=object).copy()
    problems = []
    for n, j in hit.items():
        rows = (names == n).to_numpy()
        ind, how = table["indicator"].iloc[j], table["transformatie"].iloc[j]
        if how == "fractie" and np.nanmax(np.abs(value[rows]), initial=0) > 1:
            problems.append(f"column {n!r} is mapped as a fraction, but holds values above 1 "
                            f"(largest {np.nanmax(np.abs(value[rows])):g})")
        value[rows] = _transformed(value[rows], how, str(catalogue.loc[ind, "unit"]))
        indicator[rows] = ind
    if problems:
        raise DataError("column mapping: " + "; ".join(problems))
    out["value"] = value
    out["indicator"] = indicator
    years = table["jaar"].dropna().unique()
    out.attrs["column_notes"] = columns.notes("en")
    out.attrs["column_years"] = tuple(int(y) for y in years)
    return out


# --------------------------------------------------------------------------- proposals

_STOP = {"%", "van", "de", "het", "een", "in", "op", "dat", "die", "en", "of", "per", "jaar",
         "aandeel", "percentage", "the", "share", "fractie", "fraction", "met", "zonder",
         "wel", "geen", "niet", "with", "without", "wijk", "buurt"}


def _core(name: str) -> str:
    return " ".join(w for w in re.findall(r"[a-z0-9]+", fold(name)) if w not in _STOP)


def _score(header: str, label: str) -> float:
    a, b = _core(header), _core(label)
    if not a or not b:
        return 0.0
    x, y = set(a.split()), set(b.split())
    jaccard = len(x & y) / len(x | y)
    return round(max(similarity(a, b) * 0.9, jaccard), 3)


@dataclass(frozen=True)
class ColumnProposal(Result):
    """Ranked proposals for her columns (:func:`propose_columns`).

    Attributes
    ----------
    table : DataFrame
        ``kolom, rank, indicator, label_nl, transformatie, score, reason`` (up to
        ``top`` candidates per column, best first; columns without any candidate
        have one row with an empty indicator and the reason).
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"proposals": self.table})

    def mapping(self) -> pd.DataFrame:
        """The best candidate of each column as a mapping table (``kolom, indicator,
        transformatie, definitie, jaar``), to save, check and edit."""
        best = self.table[(self.table["rank"] == 1) & (self.table["indicator"] != "")]
        return pd.DataFrame({"kolom": best["kolom"].to_numpy(),
                             "indicator": best["indicator"].to_numpy(),
                             "transformatie": best["transformatie"].to_numpy(),
                             "definitie": "", "jaar": ""})


#: Smallest score of a proposed match (see :func:`propose_columns`).
PROPOSE_MIN = 0.5


def propose_columns(catalogue: pd.DataFrame, headers: Iterable[str], *,
                    values: Mapping[str, Iterable[float]] | None = None, top: int = 3,
                    lang: str = "nl", young: str = "") -> ColumnProposal:
    """Propose a column mapping: for each header, the closest catalogue indicators.

    Score: the likeness of the header and the indicator's label once units, small
    words and the words of :data:`factormodel.words.OPPOSITES` are set aside
    (:func:`factormodel.errors.similarity`, or the share of words in common, the
    larger); matches below :data:`PROPOSE_MIN` are not proposed. A header that
    measures the opposite of a percentage indicator ("zonder" against "met") is
    proposed only as its ``complement``, saying so; an opposite of any other unit
    is never proposed. ``per 1.000`` in the header against a % indicator proposes
    ``per1000->%``; a % indicator whose values (``values``) look like fractions
    (:func:`factormodel.core.units.looks_like_fractions`: all at most 1 and a typical level
    of 5 % or more, or far below a smaller typical level, as VSV's 0,041 against 2,6 %) or
    are all at most 1 without a typical level proposes ``fractie``. ``young``: the data's column of
    young people (read as the population of a portfolio), proposed first as ``jongeren``.

    Examples
    --------
    >>> import factormodel as fm
    >>> cat = fm.load_indicators(fm.load_model("rotterdam-jeugd"))
    >>> p = propose_columns(cat, ["% 18-22 jaar zonder startkwalificatie"])
    >>> best = p.table.iloc[0]
    >>> best["indicator"], best["transformatie"]
    ('startkwalificatie_18_22', 'complement')
    """
    labels = {str(i): (str(r["label_nl"]), str(r["label_en"])) for i, r in catalogue.iterrows()}
    nl = lang == "nl"
    rows: list[dict[str, Any]] = []
    if young:
        rows.append({"kolom": young, "rank": 1, "indicator": YOUNG, "label_nl": "aantal jongeren",
                     "transformatie": "zoals", "score": 1.0,
                     "reason": "het aantal jongeren: de bevolking waarvoor een portfolio "
                     "rekent" if nl else "the number of young people: the population a "
                     "portfolio is for"})
    for header in dict.fromkeys(map(str, headers)):
        if young and _header_key(header) == _header_key(young):
            continue
        given = [float(v) for v in (values or {}).get(header, []) if np.isfinite(float(v))]
        found: list[dict[str, Any]] = []
        for ind, (label_nl, label_en) in labels.items():
            best = max((_score(header, lab), lab) for lab in (label_nl, label_en, ind))
            if best[0] < PROPOSE_MIN:
                continue
            unit = str(catalogue.loc[ind, "unit"])
            turned = next((t for t in (opposite_words(header, lab)
                                       for lab in (label_nl, label_en)) if t), None)
            how, why = "zoals", []
            if turned:
                if unit not in TRANSFORMS["complement"][2]:
                    continue  # an opposite is never proposed plainly
                how = "complement"
                said = " tegenover ".join(f"'{w}'" for w in turned if w) if nl else \
                    " against ".join(f"'{w}'" for w in turned if w)
                why.append(f"meet het tegendeel ({said}): gelezen als complement 100 − x"
                           if nl else f"measures the opposite ({said}): read as the "
                           "complement 100 − x")
            per_1000 = bool(re.search(r"per\s*1[.,]?000", header))
            if unit == "%" and per_1000 and how == "zoals":
                how = "per1000->%"
                why.append("kolom per 1.000, indicator in %" if nl
                           else "column per 1,000, indicator in %")
            elif unit == "per 1000" and "%" in header and not per_1000 and how == "zoals":
                how = "%->per1000"
                why.append("kolom in %, indicator per 1.000" if nl
                           else "column in %, indicator per 1,000")
            typical = float(cast(float, catalogue.loc[ind, "typical"]))
            # the one rule of the data check; without a typical level, the values alone
            if unit == "%" and how == "zoals" and given and (
                    units.looks_like_fractions(given, typical)
                    or (not np.isfinite(typical) and max(map(abs, given)) <= 1)):
                how = "fractie"
                why.append("alle waarden ≤ 1: een fractie, × 100" if nl
                           else "every value ≤ 1: a fraction, × 100")
            score = f"{best[0]:.2f}"
            why.insert(0, (f"lijkt op '{best[1]}' (score {score.replace('.', ',')})" if nl
                           else f"resembles '{best[1]}' (score {score})"))
            found.append({"kolom": header, "indicator": ind, "label_nl": label_nl,
                          "transformatie": how, "score": best[0],
                          "reason": "; ".join(why)})
        found.sort(key=lambda r: (-r["score"], r["indicator"]))
        if not found:
            rows.append({"kolom": header, "rank": 1, "indicator": "", "label_nl": "",
                         "transformatie": "", "score": 0.0,
                         "reason": "geen indicator lijkt erop; koppel zelf of laat weg" if nl
                         else "no indicator resembles it; map it yourself or leave it out"})
        for k, r in enumerate(found[:top], start=1):
            rows.append({**r, "rank": k})
    table = pd.DataFrame(rows, columns=["kolom", "rank", "indicator", "label_nl",
                                        "transformatie", "score", "reason"])
    return ColumnProposal(table=table)
