"""Area data straight from CBS StatLine (open data, CC BY 4.0), through the optional
``cbsodata`` package (``pip install factormodel[cbs]``).

:func:`fetch_cbs` asks StatLine for one table's rows of one gemeente at one area level
and returns them in the canonical long form of :func:`factormodel.read_area_data`, so
everything that takes area data takes them. Nothing is cached or stored: save the
result yourself (e.g. ``to_csv``) to work offline and to record what you used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from factormodel.errors import (
    DataError,
    InvalidParameterError,
    MissingDependencyError,
    OfflineError,
)
from factormodel.files.folders import read_area_data

__all__ = ["CBS_LEVELS", "fetch_cbs"]

#: factormodel level -> CBS code prefix (a CBS *wijk* is a Rotterdam *gebied*).
CBS_LEVELS = {"buurt": "BU", "gebied": "WK", "gemeente": "GM"}
_REGION_RE = re.compile(r"^GM\d{4}$")


def _cbsodata() -> Any:
    try:
        import cbsodata
    except ImportError:
        raise MissingDependencyError(
            "fetch_cbs needs the optional package 'cbsodata': pip install 'factormodel[cbs]' "
            "(or pip install cbsodata); without network, download the table as CSV from "
            "StatLine and read it with fm.read_area_data") from None
    return cbsodata


def _year(rows: list[dict[str, Any]], table: str, cbsodata: Any, year: int | None) -> Any:
    if year is not None:
        return int(year)
    if rows and "Perioden" in rows[0]:
        return None  # one period per row
    info = cbsodata.get_meta(table, "TableInfos")
    period = str(info[0].get("Period", "")) if info else ""
    found = re.findall(r"\d{4}", period)
    if len(found) != 1:
        raise DataError(f"CBS table {table}: cannot tell the year from its period "
                        f"{period!r}; pass year=")
    return int(found[0])


def fetch_cbs(table: str, *, region: str = "GM0599", level: str = "buurt",
              columns: Mapping[str, str] | Sequence[str] | None = None,
              year: int | None = None) -> pd.DataFrame:
    """Fetch a CBS StatLine table for the areas of one gemeente, in canonical long form.

    Parameters
    ----------
    table : str
        StatLine table id, e.g. ``"83765NED"`` (Kerncijfers wijken en buurten
        2017) or ``"85984NED"`` (2024).
    region : str
        Gemeente code, ``GM`` and four digits (Rotterdam: ``GM0599``).
    level : {"buurt", "gebied", "gemeente"}
        Area level: CBS buurten, CBS wijken (Rotterdam's gebieden), or the
        gemeente itself.
    columns : mapping or list, optional
        StatLine topic keys to keep, e.g. ``{"AantalInwoners_5": "inwoners"}``
        (renamed to indicator ids) or a list of keys. By default every numeric
        topic. ``AantalInwoners_*`` is also used as the area's population.
    year : int, optional
        The year of the table; by default the ``Perioden`` of each row, or the
        table's period from its metadata.

    Returns
    -------
    DataFrame
        ``area, level, year, indicator, value, population, flag`` (as
        :func:`factormodel.read_area_data`) plus ``source`` with the credit line.

    Raises
    ------
    MissingDependencyError
        When ``cbsodata`` is not installed.
    OfflineError
        When StatLine cannot be reached.
    DataError
        When the table has no rows for the region and level, or a column is
        not in it.

    Examples
    --------
    With network access (not run here)::

        data = fm.fetch_cbs("83765NED", columns={
            "HuishoudensTotOnderOfRondSociaalMinimum_73": "pct_hh_onder_of_rond_sociaal_minimum"})

    Arguments are checked before anything is fetched:

    >>> import factormodel as fm
    >>> try:
    ...     fm.fetch_cbs("83765NED", level="wijk")
    ... except fm.InvalidParameterError as exc:
    ...     print(exc)
    level must be one of buurt, gebied, gemeente, got 'wijk'
    (a CBS wijk is a Rotterdam gebied: use level='gebied')
    """
    if not (isinstance(region, str) and _REGION_RE.match(region.strip().upper())):
        raise InvalidParameterError(f"region must be a gemeente code like 'GM0599', got "
                                    f"{region!r}")
    if level not in CBS_LEVELS:
        hint = (" (a CBS wijk is a Rotterdam gebied: use level='gebied')" if level == "wijk"
                else "")
        raise InvalidParameterError(f"level must be one of {', '.join(CBS_LEVELS)}, got "
                                    f"{level!r}{hint}")
    region = region.strip().upper()
    cbsodata = _cbsodata()
    try:
        rows = cbsodata.get_data(table, filters=f"substringof('{region[2:]}',Codering_3)")
        when = _year(rows, table, cbsodata, year)
    except (OSError, ConnectionError) as exc:
        raise OfflineError(f"cannot reach CBS StatLine for table {table} ({exc}); check the "
                           "network, or download the table as CSV and use "
                           "fm.read_area_data") from None
    except Exception as exc:
        if type(exc).__module__.startswith(("requests", "urllib3")):
            raise OfflineError(f"cannot reach CBS StatLine for table {table} ({exc})") from None
        raise
    frame = pd.DataFrame(rows)
    code_col = next((c for c in frame.columns if c.startswith("Codering")), None)
    if code_col is None:
        raise DataError(f"CBS table {table} has no 'Codering' column: not a table of areas")
    codes = frame[code_col].astype(str).str.strip().str.upper()
    prefix = CBS_LEVELS[level]
    keep = codes.str.startswith(prefix) & (codes.str[2:6] == region[2:])
    frame, codes = frame[keep], codes[keep]
    if frame.empty:
        raise DataError(f"CBS table {table} has no {level} rows for {region}")
    pop_col = next((c for c in frame.columns if c.startswith("AantalInwoners")), None)
    if columns is None:
        skip = {"ID", code_col, "WijkenEnBuurten", "Perioden"}
        picked = {c: c for c in frame.columns if c not in skip
                  and pd.api.types.is_numeric_dtype(frame[c])}
    else:
        picked = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
        absent = [c for c in picked if c not in frame.columns]
        if absent:
            topics = [c for c in frame.columns if c not in ("ID", code_col)]
            raise DataError(f"CBS table {table} has no column(s) {', '.join(absent)}; "
                            f"its topics: {', '.join(topics[:40])}")
    out = pd.DataFrame({"code": codes.to_numpy(),
                        "area": (frame["WijkenEnBuurten"].astype(str).str.strip().to_numpy()
                                 if "WijkenEnBuurten" in frame.columns else codes.to_numpy()),
                        "year": frame["Perioden"].to_numpy() if when is None else str(when)})
    if pop_col is not None:
        out["population"] = frame[pop_col].to_numpy()
    for key, name in picked.items():
        out[name] = frame[key].to_numpy()
    data = read_area_data(out)
    data["source"] = f"Bron: CBS StatLine, tabel {table}, CC BY 4.0"
    return data
