"""Every bound on a size a client of the service controls, in one place.

The JSON schemas (:mod:`.schemas`), the web form (:mod:`.web`), the upload readers
(:mod:`.service`) and the body limit (:mod:`.app`) all take their bounds from here,
so a bound is changed in one line. Beyond a bound a request gets a clear answer
before any work: 413 for a body or file that is too large, 422 for too many rows,
too long a name, too many hops, draws, factors or entries.

Rows of an uploaded table are counted *while reading* it, never taken from what the
file declares: a workbook's ``<dimension>`` (what ``openpyxl`` reports as
``max_row``) can claim 2 rows over a million, so :func:`xlsx_rows` streams each
worksheet's XML and stops at the first row beyond the limit. The declared
uncompressed size of every part of a workbook is bounded too (a zip bomb), and
Python's zip reader never inflates a part beyond its declared size.

Examples
--------
>>> Limits().max_rows
100000
>>> MAX_HOPS, MAX_NAME
(1000, 200)
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from factormodel.errors import InvalidParameterError

__all__ = ["MAX_DRAWS", "MAX_ENTRIES", "MAX_GOAL", "MAX_HOPS", "MAX_JSON_BYTES", "MAX_NAME",
           "MAX_TOP", "MIN_DRAWS", "Limits", "RowLimitExceeded", "UnreadableUpload",
           "text_rows", "xlsx_rows"]

#: Longest name (area, node, dataset, model, registry) a request may give, in characters.
MAX_NAME = 200
#: Longest goal text (``schoolverzuim:-2pp:3j:12-18``), in characters.
MAX_GOAL = 200
#: Most entries in one mapping or list of a request (deltas, outcomes, goals, targets).
MAX_ENTRIES = 500
#: Longest path counted by ``propagate`` (``max_hops``); a path sum of a convergent model
#: is settled long before, and a nilpotent one after ``n - 1`` hops.
MAX_HOPS = 1_000
#: Monte Carlo weight draws of a wijkrapport.
MIN_DRAWS, MAX_DRAWS = 50, 10_000
#: Most factors ranked in one answer.
MAX_TOP = 100
#: A JSON request body (uploads have their own, larger limit).
MAX_JSON_BYTES = 1_000_000
#: Uncompressed bytes allowed per workbook part, per allowed data row (a zip bomb guard:
#: 100,000 rows allow 200 MB of sheet XML, far more than such a table takes).
_XML_BYTES_PER_ROW = 2_000


@dataclass(frozen=True)
class Limits:
    """Upload limits of one server.

    ``max_upload_bytes`` bounds an uploaded file (413 beyond it); ``max_rows``
    bounds the data rows of an uploaded table (422 beyond it), counted while the
    file is read.
    """

    max_upload_bytes: int = 10_000_000
    max_rows: int = 100_000

    def __post_init__(self) -> None:
        for name in ("max_upload_bytes", "max_rows"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidParameterError(f"{name} must be a whole number >= 1, got {value!r}")

    @property
    def max_xml_bytes(self) -> int:
        """Uncompressed bytes allowed for one part of an uploaded workbook."""
        return max(10_000_000, self.max_rows * _XML_BYTES_PER_ROW)


class RowLimitExceeded(Exception):
    """An upload has more data rows than allowed (``rows`` is a lower bound: counting
    stopped there)."""

    def __init__(self, rows: int) -> None:
        super().__init__(rows)
        self.rows = rows


class UnreadableUpload(Exception):
    """An upload that is not the table it claims to be (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text_rows(content: bytes) -> int:
    """Data rows of a CSV/text upload: its lines after the header (a line break inside a
    quoted cell counts as a row, so the count is never too low).

    Examples
    --------
    >>> text_rows(b"wijk,jaar\\nA,2024\\nB,2024\\n"), text_rows(b"wijk,jaar\\nA,2024")
    (2, 1)
    """
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    return max(0, lines - 1)


def xlsx_rows(path: Path, limits: Limits) -> int:
    """Data rows of the largest worksheet of an XLSX upload, counted by streaming its
    XML (rows below the header); stops at the first row beyond ``limits.max_rows``.

    Raises
    ------
    RowLimitExceeded
        As soon as a worksheet has more than ``limits.max_rows`` data rows.
    UnreadableUpload
        For a file that is not a workbook, a part larger than
        :attr:`Limits.max_xml_bytes` uncompressed, or a DTD in a worksheet.
    """
    import xml.parsers.expat

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise UnreadableUpload(f"not a readable XLSX workbook ({type(exc).__name__})") \
            from None
    with archive:
        infos = archive.infolist()
        big = [i.filename for i in infos if i.file_size > limits.max_xml_bytes]
        if big:
            raise UnreadableUpload(f"part {big[0]} would be larger than "
                                   f"{limits.max_xml_bytes:,} bytes uncompressed")
        sheets = [i for i in infos if i.filename.startswith("xl/worksheets/")
                  and i.filename.endswith(".xml")]
        if not sheets:
            raise UnreadableUpload("a zip archive without worksheets, not an XLSX workbook")
        most = 0
        for info in sheets:
            count = 0

            def start(name: str, attrs: object) -> None:
                nonlocal count
                if name == "row" or name.endswith((" row", ":row")):
                    count += 1
                    if count > limits.max_rows + 1:  # the header row and one too many
                        raise RowLimitExceeded(count - 1)

            def doctype(*args: object, part: str = info.filename) -> None:
                raise UnreadableUpload(f"{part} declares a DTD; workbooks never need one")

            parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
            parser.StartElementHandler = start
            parser.StartDoctypeDeclHandler = doctype
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 16):
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
            except (xml.parsers.expat.ExpatError, zipfile.BadZipFile, OSError, EOFError,
                    ValueError, NotImplementedError, RuntimeError, zlib.error) as exc:
                raise UnreadableUpload(f"{info.filename} is not readable "
                                       f"({type(exc).__name__})") from None
            most = max(most, count - 1)
        return max(0, most)
