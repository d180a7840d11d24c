"""Tables for people's spreadsheets: the one writer of ``csv``, ``csv-nl`` and ``xlsx``
bytes, shared by the command line (``--format``) and the web page's downloads.

``csv`` keeps the stable English keys, a ``,`` separator and decimal points (for
programs). ``csv-nl`` is the CSV that Dutch Excel opens as columns: a byte-order
mark, ``;`` as separator, a decimal comma, Dutch headers and word cells (``ja``/``nee``
for booleans). ``xlsx`` has the headers and word cells of the chosen language. Every
cell that a spreadsheet would run as a formula is guarded (:func:`guard_frame`).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"rank": [1], "cost": [12500.5], "chosen": [True]})
>>> table_bytes(frame, "csv-nl", lang="nl").decode("utf-8-sig")
'rang;kosten (€);gekozen\\n1;12500,5;ja\\n'
>>> table_bytes(frame, "csv").decode()
'rank,cost,chosen\\n1,12500.5,True\\n'
"""

from __future__ import annotations

import io

import pandas as pd

from factormodel.tables._safewrite import guard_frame
from factormodel.text import _lang as L

__all__ = ["BOM", "SPREADSHEET_FORMATS", "csv_text", "for_people", "table_bytes"]

#: The UTF-8 byte-order mark that makes Excel read a CSV as UTF-8.
BOM = b"\xef\xbb\xbf"
#: The formats :func:`table_bytes` writes.
SPREADSHEET_FORMATS = ("csv", "csv-nl", "xlsx")


def for_people(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with headers and word cells in ``lang`` and booleans as words
    (``ja``/``nee``, ``yes``/``no``).

    Examples
    --------
    >>> import pandas as pd
    >>> for_people(pd.DataFrame({"chosen": [True, False]}), "nl").to_dict("list")
    {'gekozen': ['ja', 'nee']}
    """
    return L.translate_frame(frame, lang)


def csv_text(frame: pd.DataFrame, dutch: bool) -> str:
    """``frame`` as CSV text: ``;`` and decimal comma when ``dutch``, else ``,`` and ``.``."""
    buf = io.StringIO()
    if dutch:
        frame.to_csv(buf, index=False, lineterminator="\n", sep=";", decimal=",")
    else:
        frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def table_bytes(frame: pd.DataFrame, fmt: str, *, lang: str | None = None,
                sheet: str = "data") -> bytes:
    """One table as the bytes of a ``csv``, ``csv-nl`` or ``xlsx`` file.

    Parameters
    ----------
    frame : DataFrame
    fmt : {"csv", "csv-nl", "xlsx"}
    lang : {"nl", "en"}, optional
        Headers and word cells for people (``csv-nl`` and ``xlsx``); ``None`` keeps
        the stable keys. ``csv`` always keeps them.
    sheet : str
        The worksheet's name (``xlsx``; cut to Excel's 31 characters).

    Raises
    ------
    ValueError
        For another ``fmt``.
    """
    if fmt not in SPREADSHEET_FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(SPREADSHEET_FORMATS)}, got {fmt!r}")
    if fmt != "csv" and lang is not None:
        frame = for_people(frame, lang)
    frame = guard_frame(frame)  # a spreadsheet opening the file runs no formula
    if fmt == "xlsx":
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, sheet_name=sheet[:31])
        return buf.getvalue()
    text = csv_text(frame, fmt == "csv-nl").encode("utf-8")
    return BOM + text if fmt == "csv-nl" else text
