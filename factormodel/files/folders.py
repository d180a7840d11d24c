"""Reading and writing model files. All file I/O of factormodel lives here.

A model on disk is either

* a **folder** with ``nodes.csv``, ``edges.csv`` and ``metadata.json``, meant to
  be opened in a spreadsheet and edited (column order is free, extra columns are
  kept as text; files saved by Excel with a BOM, ``;`` separators, decimal
  commas or the Windows-1252 encoding load too), or
* a single **JSON** file with the same content, for other tools, checked against
  the JSON Schema shipped as ``factormodel/schemas/model.schema.json``.

Both forms round-trip without loss. Loading never executes code from a file.
"""

from __future__ import annotations

import csv
import functools
import io as _io
import json
import math
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from factormodel.core.model import FactorModel
from factormodel.errors import (
    FactorModelError,
    InvalidArgumentTypeError,
    InvalidDeltaError,
    ModelFileError,
    ModelValidationError,
    Problem,
    UnknownModelError,
    close_matches,
)
from factormodel.files.areas import normalize_area_data, registry_from_frame
from factormodel.files.datasets import bundled_model_path, data_path, list_models
from factormodel.tables._cells import (
    TableSource,
    format_number,
    listing,
    parse_numbers,
    require_columns,
    table_decimal_mark,
    text,
)
from factormodel.tables._safewrite import (
    guard_cell,
    os_error,
    unguard_cell,
    write_folder,
    write_text,
    write_with,
)
from factormodel.tables._tables import EDGE_COLUMNS, NODE_COLUMNS, build_metadata, format_phases

__all__ = ["export_model", "load_areas", "load_example_data", "load_model", "model_schema",
           "read_area_data", "read_deltas", "read_edge_list", "read_fcm_matrix",
           "read_model", "read_sheet", "read_table", "read_weight_table", "write_document",
           "write_model"]

FORMAT = "factormodel"
FORMAT_VERSION = 1
NODES_FILE, EDGES_FILE, METADATA_FILE = "nodes.csv", "edges.csv", "metadata.json"

PathLike = str | os.PathLike


def model_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the single-file JSON model format.

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.model_schema()["properties"]["format"]
    {'const': 'factormodel'}
    """
    return json.loads(_schema_text())


@functools.cache
def _schema_text() -> str:
    return (resources.files("factormodel") / "schemas" / "model.schema.json").read_text("utf-8")


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(_schema_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# --------------------------------------------------------------------------- public


def load_model(name_or_path: PathLike) -> FactorModel:
    """Load a bundled model by name, or a model folder / JSON file by path.

    Parameters
    ----------
    name_or_path : str or path
        A bundled model name (see :func:`list_models`) or a path.

    Raises
    ------
    UnknownModelError
        If it is neither a bundled model nor an existing path; lists the
        bundled models.
    ModelValidationError
        If the model has problems (all are listed).

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.load_model("toy")
    <FactorModel 'toy' v1.0 (illustrative): 6 nodes (4 factors, 2 outcomes), 7 edges>
    """
    text = os.fspath(_path_argument(name_or_path, "load_model"))
    names = list_models()
    if text in names:
        path = bundled_model_path(text)
        return _read_bundled(str(path), _mtime(path))
    path = Path(text)
    if path.exists():
        return read_model(path)
    hint = close_matches(text, names, list_all=False)
    raise UnknownModelError(
        f"{text!r} is neither a bundled model nor an existing file or folder; bundled "
        f"models: {', '.join(names)}" + (f"; {hint}" if hint else ""), code="unknown_model",
        fields={"name": text, "models": ", ".join(names), "hint": hint})


def read_model(path: PathLike) -> FactorModel:
    """Read a model folder (``nodes.csv``, ``edges.csv``, ``metadata.json``) or JSON file.

    Raises
    ------
    ModelFileError
        If the path does not exist or a file cannot be read or parsed at all.
    ModelValidationError
        Listing every problem, each with its file, line and column.

    Examples
    --------
    >>> import factormodel as fm, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "toy.json"
    >>> fm.write_model(fm.load_model("toy"), out)
    >>> fm.read_model(out) == fm.load_model("toy")
    True
    """
    path = _path_argument(path, "read_model")
    if path.is_dir():
        return _read_folder_consistent(path)
    if path.is_file():
        if path.suffix.lower() != ".json":
            raise ModelFileError(f"{path}: expected a model folder or a .json file; for CSV "
                                 "tables give the folder that holds nodes.csv and edges.csv",
                                 code="not_a_model_file", fields={"path": str(path)})
        return _read_json(path)
    raise ModelFileError(f"{path}: no such file or folder", code="no_such_file_or_folder",
                         fields={"path": str(path)})


def write_model(model: FactorModel, path: PathLike) -> None:
    """Write a model as a folder of CSV files, or as one JSON file if ``path`` ends in .json.

    Existing model files at ``path`` are overwritten, and the folder then holds
    exactly the new model: every ``.csv`` in a model folder is read back as one
    of the model's tables, so a folder holding a ``.csv`` this model does not
    carry (an old ``interventions.csv``, say) is refused with a
    ``ModelFileError`` naming those files, and nothing is written; remove them
    or write to a new folder. Files that are not read as part of a model (a
    ``README.md``, say) are left alone. Floats are written exactly (shortest round-trip form), so
    reading the result gives back an equal model.

    Writes are atomic: the file (or the whole folder) is written beside ``path``
    and moved into place, so a failure midway leaves the old model intact and a
    reader never sees a half-written one. Text cells a spreadsheet would run as
    a formula (starting with ``=``, ``+``, ``-``, ``@``) are written with a
    leading ``'``; the readers remove it again, so the round trip is exact.

    Raises
    ------
    ModelFileError
        If the path cannot be written (the reason and the path are named), or
        the folder holds a ``.csv`` table this model does not carry.

    Examples
    --------
    >>> import factormodel as fm, tempfile
    >>> out = tempfile.mkdtemp()
    >>> fm.write_model(fm.load_model("toy"), out)
    >>> fm.read_model(out) == fm.load_model("toy")
    True
    """
    path = _path_argument(path, "write_model")
    if path.suffix.lower() == ".json":
        write_text(path, json.dumps(model_to_dict(model), ensure_ascii=False, indent=1,
                                    allow_nan=False) + "\n")
        return
    nodes = model.nodes.reset_index()
    nodes["phases"] = nodes["phases"].map(format_phases)
    nodes["modifiable"] = nodes["modifiable"].map(lambda b: "true" if b else "false")
    files = {NODES_FILE: _csv_text(nodes), EDGES_FILE: _csv_text(model.edges),
             METADATA_FILE: json.dumps(model.metadata.to_dict(), ensure_ascii=False,
                                       indent=2) + "\n"}
    files.update({f"{name}.csv": _csv_text(model.table(name)) for name in model.table_names})
    stale = sorted(p.name for p in path.glob("*.csv") if p.name not in files) \
        if path.is_dir() else []
    if stale:
        raise ModelFileError(
            f"{path}: holds {', '.join(stale)}, which this model does not carry; every .csv in "
            f"a model folder is read back as one of its tables, so the folder would no longer "
            f"hold this model. Remove {'it' if len(stale) == 1 else 'them'} or write to a new "
            f"folder; nothing was written")
    write_folder(path, files)  # files a model is not read from (README.md, ...) are kept


def model_to_dict(model: FactorModel) -> dict[str, Any]:
    """The model as a JSON-ready dict in the single-file format (see :func:`model_schema`)."""
    nodes = []
    for row in model.nodes.reset_index().to_dict("records"):
        row["phases"] = list(row["phases"])
        if not row["desired"]:
            del row["desired"]
        nodes.append(row)
    edges = [{k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))}
             for row in model.edges.to_dict("records")]
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION,
           "metadata": model.metadata.to_dict(), "nodes": nodes, "edges": edges}
    if model.table_names:
        doc["tables"] = {name: model.table(name).astype(object).where(
            model.table(name).notna(), "").astype(str).to_dict("records")
            for name in model.table_names}
    return doc


def model_hash(model: FactorModel) -> str:
    """THE content hash of a model: SHA-256 of its single-file JSON form (nodes, edges,
    metadata and carried tables, keys sorted), so the same content always gives the
    same hash whichever file or folder it was read from.

    Examples
    --------
    >>> import factormodel as fm
    >>> h = fm.model_hash(fm.load_model("toy"))
    >>> len(h), h == fm.model_hash(fm.load_model("toy"))
    (64, True)
    """
    import hashlib

    text = json.dumps(model_to_dict(model), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_deltas(path: PathLike) -> pd.DataFrame:
    """Read a table of deltas: one row per scenario, first column its label, node ids as columns.

    CSV (``,`` or Excel's ``;`` with decimal commas, any encoding :func:`read_model`
    accepts). Every cell is read by the library's one cell parser: decimal
    commas and quoted numbers are read, an ambiguous ``1,000`` or ``1_0`` is
    refused, and every bad cell is named with its line and column in one
    error. Empty cells (and ``-``) stay NaN;
    :func:`factormodel.propagate` decides what a missing delta means.

    Raises
    ------
    InvalidDeltaError
        Naming every cell that is not a number.

    Examples
    --------
    >>> import factormodel as fm, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = p.write_text("wijk;armoede;schoolverzuim\\nTarwewijk;0,8;1,2\\n", encoding="utf-8")
    >>> fm.read_deltas(p)
               armoede  schoolverzuim
    wijk
    Tarwewijk      0.8            1.2
    """
    path = _path_argument(path, "read_deltas")
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file", code="no_such_file",
                             fields={"path": str(path)})
    problems: list[Problem] = []
    raw, lines = _read_csv(path, problems, keep_unnamed_first=True)
    if problems:
        raise ModelValidationError(problems, str(path))
    if raw.shape[1] < 1:
        raise ModelFileError(f"{path}: not a table of deltas (no columns)")
    src = TableSource(path.stem, "csv", str(path), lines)
    label = raw.columns[0]
    out: dict[str, np.ndarray] = {}
    bad: list[str] = []
    mark = table_decimal_mark(raw[c] for c in raw.columns[1:])
    for c in raw.columns[1:]:
        values, _, errors = parse_numbers(raw[c], decimal=mark)
        bad += [f"{src.where(i, str(c))}: {errors[i]}"
                for i in np.flatnonzero(pd.notna(errors)).tolist()]
        out[str(c).strip()] = values
    if bad:
        raise InvalidDeltaError(f"{path}: {len(bad)} cell{'s are' if len(bad) > 1 else ' is'} "
                                "not a number:\n  - " + listing(bad, "\n  - "))
    index = pd.Index([text(v) for v in raw[label]], name=str(label).strip())
    return pd.DataFrame(out, index=index, columns=list(out))


# --------------------------------------------------------------------------- exchange

EXPORT_FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".dot": "dot", ".gv": "dot",
                  ".mmd": "mermaid", ".mermaid": "mermaid", ".json": "node-link"}


def export_model(model: FactorModel, path: PathLike, *, format: str | None = None,
                 lang: str = "nl") -> None:
    """Export a model for other tools: GraphML or GEXF (Gephi, yEd), Graphviz DOT,
    node-link JSON, or Mermaid. The format follows the file extension unless given.

    (To save a model for factormodel itself, use :func:`write_model`.)

    Examples
    --------
    >>> import factormodel as fm, tempfile, pathlib, networkx as nx
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> fm.export_model(fm.load_model("toy"), out / "toy.graphml")
    >>> nx.read_graphml(out / "toy.graphml").number_of_edges()
    7
    """
    import networkx as nx

    from factormodel.files import exchange

    path = _path_argument(path, "export_model")
    fmt = format or EXPORT_FORMATS.get(path.suffix.lower())
    if fmt not in set(EXPORT_FORMATS.values()):
        raise ModelFileError(f"{path}: unknown export format {fmt or path.suffix!r}; use one of "
                             f"{', '.join(sorted(set(EXPORT_FORMATS.values())))} (or the "
                             f"extensions {', '.join(EXPORT_FORMATS)})")
    if fmt == "graphml":
        write_with(path, lambda tmp: nx.write_graphml(exchange.to_export_graph(model), tmp))
    elif fmt == "gexf":
        write_with(path, lambda tmp: nx.write_gexf(exchange.to_export_graph(model), tmp))
    elif fmt == "dot":
        write_text(path, exchange.to_dot(model, lang))
    elif fmt == "mermaid":
        write_text(path, exchange.to_mermaid(model, lang))
    else:
        write_text(path, json.dumps(exchange.to_node_link(model), ensure_ascii=False,
                                    indent=1) + "\n")


def _raw_table(path: PathLike, sheet: str | int, *, index: bool = False,
               skip_single_cell_rows: bool = False) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """A table from an Excel sheet or a CSV file, cells as read (first column as index),
    and the file line (CSV) or sheet row (Excel) of each data row."""
    path = _path_argument(path, "raw_table")
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file", code="no_such_file",
                             fields={"path": str(path)})
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        frame = _read_excel(path, sheet)
        lines = tuple(range(2, len(frame) + 2))
    else:
        problems: list[Problem] = []
        frame, lines = _read_csv(path, problems, keep_unnamed_first=index,
                                 skip_single_cell_rows=skip_single_cell_rows)
        if problems:
            raise ModelValidationError(problems, str(path))
    if index:
        frame = frame.set_index(frame.columns[0])
    return frame, lines


def _read_excel(path: Path, sheet: str | int) -> pd.DataFrame:
    """One sheet of a workbook, cells as read; any failure of the Excel reader (truncated
    file, a zip that is no workbook, malformed or hostile XML) is a ModelFileError."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            dtd = sorted(name for name in names if name.endswith((".xml", ".rels"))
                         and b"<!DOCTYPE" in archive.read(name)[:4096].upper())
    except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError,
            EOFError, ValueError) as exc:
        raise ModelFileError(f"{path}: not a readable Excel workbook (.xlsx): "
                             f"{type(exc).__name__}", code="not_a_workbook",
                             fields={"path": str(path), "why": type(exc).__name__}) from None
    if dtd:  # entity expansion ('billion laughs') and external entities start here
        raise ModelFileError(f"{path}: {dtd[0]} declares a DTD; workbooks never need one, so "
                             "the file is refused")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ModelFileError(f"{path}: a zip archive but not an Excel workbook (.xlsx)")
    try:
        return pd.read_excel(path, sheet_name=sheet, dtype=object, header=0)
    except FactorModelError:
        raise
    except ValueError as exc:
        if "not found" in str(exc) or "Worksheet" in str(exc):
            raise ModelFileError(f"{path}: cannot read sheet {sheet!r} (no such sheet)") \
                from None
        raise ModelFileError(f"{path}: cannot read sheet {sheet!r} "
                             f"({type(exc).__name__})") from None
    except Exception as exc:  # the Excel reader's own errors: KeyError, ParseError, ...
        raise ModelFileError(f"{path}: cannot read sheet {sheet!r} as an Excel workbook "
                             f"({type(exc).__name__})") from None


def read_weight_table(path: PathLike, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read an alternative weight table (CSV or Excel) for :meth:`FactorModel.with_weights`.

    Columns ``source, target, weight`` and optionally ``sd``, ``low``,
    ``high``, ``strength``, ``source_ref``, ``note`` (any letter case). The
    numbers are read by the library's one cell parser (decimal commas too;
    an ambiguous ``1,000`` is refused); every bad cell is named with its file
    line and column. Empty cells stay NaN; ``with_weights`` checks the rest.

    Examples
    --------
    >>> import factormodel as fm, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.csv"
    >>> _ = p.write_text("Source;Target;Weight;SD\\nschoolverzuim;vsv;0,45;0,1\\n",
    ...                  encoding="utf-8")
    >>> m = fm.load_model("toy").with_weights(fm.read_weight_table(p))
    >>> float(m.edges.set_index(["source", "target"]).loc[("schoolverzuim", "vsv"), "weight"])
    0.45
    """
    raw, lines = _raw_table(path, sheet)
    src = TableSource(Path(path).stem, "csv", str(path), lines)
    found, _, problems = require_columns(raw.columns, ("source", "target", "weight"), src)
    numeric = [c for c in ("weight", "sd", "low", "high") if c in found]
    mark = table_decimal_mark(raw[found[c]] for c in numeric)
    for c in numeric:
        if c in found:
            values, _, errors = parse_numbers(raw[found[c]], decimal=mark)
            problems += [Problem(src.where(i, c), errors[i], src.key(i, c))
                         for i in np.flatnonzero(pd.notna(errors)).tolist()]
            raw[found[c]] = values
    if problems:
        raise ModelValidationError(problems, str(path))
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return raw


def read_fcm_matrix(path: PathLike, *, default_kind: str, kinds: dict[str, str] | None = None,
                    outcomes: dict[str, str] | None = None,
                    settings: dict[str, str] | None = None, sheet: str | int = 0,
                    name: str | None = None) -> FactorModel:
    """Import a fuzzy cognitive map adjacency matrix (CSV or Excel; row = source).

    The first row and column hold the concept names (same order), cells the
    weights (empty or 0: no edge), as Mental Modeler, FCMapper and PyFCM write
    them. Because FCM files do not say whether a concept is a risk, a
    protective factor or an outcome, ``default_kind`` is required; name
    outcomes (with ``lower``/``higher``) and other kinds explicitly.

    Examples
    --------
    >>> import factormodel as fm, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "fcm.csv"
    >>> _ = p.write_text(",Verzuim,Prestaties,VSV\\nVerzuim,0,-0.5,0.3\\n"
    ...                  "Prestaties,0,0,-0.4\\nVSV,0,0,0\\n", encoding="utf-8")
    >>> m = fm.read_fcm_matrix(p, default_kind="risk", kinds={"Prestaties": "protective"},
    ...                        outcomes={"VSV": "lower"})
    >>> m.node_ids, m.n_edges
    (('verzuim', 'prestaties', 'vsv'), 3)
    """
    from factormodel.files.exchange import matrix_edges, model_from_edges

    matrix, lines = _raw_table(path, sheet, index=True)
    edges, names = matrix_edges(matrix, str(path), lines)
    return model_from_edges(edges, source_name=Path(path).name, kinds=kinds,
                            default_kind=default_kind, outcomes=outcomes, settings=settings,
                            names=names, name=name or Path(path).stem)


def read_edge_list(path: PathLike, *, default_kind: str, kinds: dict[str, str] | None = None,
                   outcomes: dict[str, str] | None = None,
                   settings: dict[str, str] | None = None, sheet: str | int = 0,
                   name: str | None = None) -> FactorModel:
    """Import an edge list (CSV or Excel with ``source, target, weight`` columns).

    Other edge columns of the model format (``strength``, ``sd``,
    ``source_ref``, ``note``, ...) are used when present; kinds as for
    :func:`read_fcm_matrix`.
    """
    from factormodel.files.exchange import model_from_edges

    raw, lines = _raw_table(path, sheet, index=False)
    cols, _, problems = require_columns(raw.columns, ("source", "target", "weight"),
                                        TableSource(Path(path).stem, "csv", str(path), lines))
    if problems:
        raise ModelValidationError(problems, str(path))
    edges = raw.rename(columns={v: k for k, v in cols.items()})
    return model_from_edges(edges, source_name=Path(path).name, kinds=kinds,
                            default_kind=default_kind, outcomes=outcomes, settings=settings,
                            name=name or Path(path).stem, lines=lines)


# --------------------------------------------------------------------------- indicators


def read_table(path: PathLike) -> tuple[pd.DataFrame, TableSource]:
    """Read one CSV table as text cells, with where it came from (file and line numbers).

    The reader behind every catalogue: separators, encodings and Excel's ``;``
    are handled as for model files, every problem is reported at once.

    Raises
    ------
    ModelFileError
        If the file does not exist or cannot be decoded.
    ModelValidationError
        Listing every malformed line.
    """
    path = _path_argument(path, "read_table")
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file", code="no_such_file",
                             fields={"path": str(path)})
    problems: list[Problem] = []
    raw, lines = _read_csv(path, problems)
    if problems:
        raise ModelValidationError(problems, str(path))
    return raw, TableSource(path.stem, "csv", str(path), lines)


def read_sheet(path: PathLike) -> tuple[pd.DataFrame, TableSource]:
    """Read one small table from a CSV file (as :func:`read_table`) or the first sheet of
    an XLSX workbook, cells as text, with where it came from (file and line or sheet row).

    Raises
    ------
    ModelFileError
        If the file does not exist or cannot be read.
    ModelValidationError
        Listing every malformed line of a CSV file.
    """
    path = _path_argument(path, "read_sheet")
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return read_table(path)
    frame, lines = _raw_table(path, 0)
    frame = frame.astype(object).where(frame.notna(), "")
    return frame, TableSource(path.stem, "csv", str(path), tuple(lines))


def load_catalogue(model: FactorModel, name: str,
                   build: Callable[[pd.DataFrame, FactorModel, TableSource], pd.DataFrame],
                   path: PathLike | None = None) -> pd.DataFrame:
    """A catalogue of ``model``: the table ``name`` it carries, or a CSV at ``path``.

    ``build`` validates the raw table against the model (the catalogue's own
    module supplies it). The carried table is validated once per model and
    cached; a copy is returned.
    """
    if path is not None:
        raw, src = read_table(path)
        return build(raw, model, src)
    return model.cached(("catalogue", name), lambda: build(
        model.table(name), model, model.table_source(name))).copy()


def load_areas(name_or_path: PathLike = "rotterdam") -> pd.DataFrame:
    """An area registry: names, levels, CBS codes and parents.

    ``"rotterdam"`` is bundled: the gemeente, its 12 gebieden (CBS wijk codes
    as in the CBS wijk- en buurtkaart 2014) and their 67 wijken (CBS buurt
    codes not verified, so left empty).

    Examples
    --------
    >>> import factormodel as fm
    >>> areas = fm.load_areas("rotterdam")
    >>> areas.set_index("area").loc["Charlois", ["level", "cbs_code"]].tolist()
    ['gebied', 'WK059915']
    >>> areas.set_index("area").loc["Tarwewijk", "parent"]
    'Charlois'
    """
    text_ = os.fspath(_path_argument(name_or_path, "load_areas"))
    path = Path(text_) if Path(text_).is_file() else data_path(f"{text_}_areas.csv")
    problems: list[Problem] = []
    raw, _ = _read_csv(path, problems)
    if problems:
        raise ModelValidationError(problems, str(path))
    return registry_from_frame(raw, str(path))


def read_area_data(source: PathLike | pd.DataFrame, *, areas: pd.DataFrame | str | None = None,
                   columns: dict[str, str] | None = None, sheet: str | int = 0,
                   nihil: bool | None = None, year: int | None = None) -> pd.DataFrame:
    """Read area data (indicator values per area and year) into canonical long form.

    Accepts tidy long tables (area, year, indicator, value, optional
    population) and wide tables (one column per indicator), as a DataFrame, a
    CSV file or an Excel workbook. CSV exports of CBS StatLine ("CSV met
    statistische symbolen") load as they are: ``;`` separators, quoted
    fields, ``.`` for suppressed or unknown values (kept as NaN, flagged),
    codes padded with spaces, decimal comma or point, periods like
    ``2022JJ00`` or ``2022*``. Lines with only a first cell (titles, footers
    such as 'Bron: CBS') carry no values and are skipped. Numbers follow the
    library's one cell parser: ``12%`` is 12 in the indicator's % unit, and a
    ``1,000`` that no other cell settles (``0,5`` shows a decimal comma) is an
    error that asks; every bad cell is named with its line and column.

    Parameters
    ----------
    source : path or DataFrame
    areas : DataFrame or registry name, optional
        Resolve area names and CBS codes against this registry
        (:func:`load_areas`); unknown areas raise an error.
    columns : mapping, optional
        Rename wide columns to indicator ids (e.g. StatLine topic titles).
    sheet : str or int
        Excel sheet.
    nihil : bool, optional
        Whether ``-`` means *nihil* (a real zero), as in CBS StatLine. By
        default only for StatLine tables (a ``Perioden`` column or periods
        like ``2022JJ00``); elsewhere ``-`` is a missing value.
    year : int, optional
        The year of every row when the table has no year column (a table with
        one is read as it is).

    Returns
    -------
    DataFrame
        Columns ``area, level, year, indicator, value, population, flag``.

    Examples
    --------
    >>> import factormodel as fm, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "statline.csv"
    >>> _ = p.write_text('"Codering (code)";"Perioden";"vsv_nieuw"\\n'
    ...                  '"WK059915  ";"2022JJ00";"3,4"\\n"WK059906  ";"2022JJ00";"."\\n',
    ...                  encoding="utf-8")
    >>> fm.read_area_data(p, areas="rotterdam")[["area", "level", "year", "value", "flag"]]
                           area   level  year  value        flag
    0                  Charlois  gebied  2022    3.4
    1  Hillegersberg-Schiebroek  gebied  2022    NaN  suppressed
    """
    registry = load_areas(areas) if isinstance(areas, str) else areas
    if isinstance(source, pd.DataFrame):
        return normalize_area_data(source, areas=registry, columns=columns, where="data",
                                   nihil=nihil, year=year)
    raw, lines = _raw_table(source, sheet, skip_single_cell_rows=True)
    return normalize_area_data(raw, areas=registry, columns=columns, where=str(source),
                               nihil=nihil, lines=lines, year=year)


#: Example datasets: name -> (what they are, status).
EXAMPLE_DATA = {
    "rotterdam": ("SYNTHETIC indicator values for the rotterdam-jeugd catalogue, 2021-2023",
                  "synthetic"),
    "cbs_kwb2017": ("REAL CBS Kerncijfers wijken en buurten 2017 (83765NED), 75 of Rotterdam's "
                    "92 buurten", "real"),
    "cbs_jeugdzorg_gemeenten_2022": ("REAL CBS youth care 2022 (85098NED) beside KWB 2021 "
                                     "factors, 342 of the 345 gemeenten", "real"),
    "cbs_jeugdzorg_wijken_2021_2022": ("REAL CBS youth care per wijk 2021 beside KWB 2021 "
                                       "factors, 2,573 wijken with at least 200 young people",
                                       "real"),
}
#: Credit line of the real CBS youth-care example data (CC BY 4.0).
CBS_JEUGDZORG_CREDIT = ("Bron: CBS, StatLine - Indicatoren jeugdzorg; gemeenten (85098NED), "
                        "Jeugdzorg; wijken, Kerncijfers wijken en buurten 2021, CC BY 4.0")
CBS_JEUGDZORG_GEMEENTEN_NOTE = ("youth care 2022 (provisional) beside KWB 2021 factors; "
                                "jeugdreclassering suppressed for 159 small gemeenten; the 3 "
                                "gemeenten new in 2022 (no KWB 2021 factors) are left out")
CBS_JEUGDZORG_WIJKEN_NOTE = ("2021; the 2,573 wijken with at least 200 inhabitants aged 0-24; "
                             "youth protection = trajectories referred by a certified "
                             "institution per 1,000 aged 0-24 (suppressed in small wijken)")
#: The wijken with fewer young people (aged 0-24) are left out of the example data.
MIN_YOUTH = 200
#: Credit line of the real CBS example data (CC BY 4.0).
CBS_KWB2017_CREDIT = "Bron: CBS, Kerncijfers wijken en buurten 2017 (83765NED), CC BY 4.0"
CBS_KWB2017_NOTE = "75 of Rotterdam's 92 buurten: 17 with incomplete values are absent, not filled"
#: The same note in Dutch (figures, tables and reports in Dutch show this one).
CBS_KWB2017_NOTE_NL = ("75 van de 92 Rotterdamse buurten: 17 met onvolledige waarden ontbreken, "
                       "niet aangevuld")
#: Dutch versions of the credit texts the example data carry (English text: Dutch text).
CREDITS_NL = {
    CBS_KWB2017_NOTE: CBS_KWB2017_NOTE_NL,
    CBS_JEUGDZORG_GEMEENTEN_NOTE: (
        "jeugdzorg 2022 (voorlopig) naast factoren uit de KWB 2021; jeugdreclassering "
        "geheimgehouden voor 159 kleine gemeenten; de 3 gemeenten die in 2022 nieuw zijn (geen "
        "factoren uit de KWB 2021) ontbreken"),
    CBS_JEUGDZORG_WIJKEN_NOTE: (
        "2021; de 2.573 wijken met minstens 200 inwoners van 0-24 jaar; jeugdbescherming = "
        "trajecten verwezen door een gecertificeerde instelling per 1.000 inwoners van 0-24 "
        "(geheimgehouden in kleine wijken)"),
}

_JEUGDZORG_FACTORS = ("kwb2021_bijstand_per_1000_inw", "kwb2021_pct_hh_onder_rond_sociaal_minimum",
                      "kwb2021_ww_per_1000_inw", "kwb2021_pct_laagopgeleid_15_75")


def _jeugdzorg_gemeenten() -> pd.DataFrame:
    raw = pd.read_csv(data_path("cbs_jeugdzorg_gemeenten_2022.csv"), dtype=str,
                      keep_default_na=False)
    raw = raw[raw["kwb2021_inwoners"].str.strip() != ""]  # 3 new gemeenten: no KWB 2021
    frame = pd.DataFrame({
        "code": raw["cbs_gemeentecode_2022"], "area": raw["regio"], "year": "2022",
        "level": "gemeente", "population": raw["kwb2021_inwoners"],
        **{c: raw[c] for c in (*_JEUGDZORG_FACTORS, "pct_jeugdbescherming",
                               "pct_jeugdreclassering")}})
    data = read_area_data(frame)
    data["status"] = "real"
    data["source"] = f"{CBS_JEUGDZORG_CREDIT}; {CBS_JEUGDZORG_GEMEENTEN_NOTE}"
    data["catalogue"] = "example:cbs_jeugdzorg_gemeenten_2022"
    return data


def jeugdzorg_wijken_table() -> pd.DataFrame:
    """The wijk rows of the bundled CBS youth-care data as CBS gives them (numbers), only the
    wijken with at least :data:`MIN_YOUTH` inhabitants aged 0-24, with column ``area`` (the
    name the example data use) and ``jeugdbescherming_per_1000_0_24``.

    Examples
    --------
    >>> t = jeugdzorg_wijken_table()
    >>> len(t), t["area"].is_unique
    (2573, True)
    """
    raw = pd.read_csv(data_path("cbs_jeugdzorg_wijken_2021_2022.csv"))
    youth = raw["kwb2021_inwoners_0_14"] + raw["kwb2021_inwoners_15_24"]
    t = raw[youth >= MIN_YOUTH].copy()
    youth = youth[youth >= MIN_YOUTH]
    t["area"] = t["wijknaam"].str.strip() + " (" + t["gemeentenaam"].str.strip() + ")"
    t["inwoners_0_24"] = youth
    t["jeugdbescherming_per_1000_0_24"] = (
        t["jz2021_trajecten_verwijzer_gecertificeerde_instelling"] / youth * 1000).round(3)
    return t.reset_index(drop=True)


def _jeugdzorg_wijken() -> pd.DataFrame:
    t = jeugdzorg_wijken_table()
    frame = pd.DataFrame({"area": t["area"], "year": "2021", "level": "wijk",
                          "population": t["kwb2021_inwoners"].astype(str),
                          **{c: t[c].astype(str).replace("nan", "")
                             for c in (*_JEUGDZORG_FACTORS, "jeugdbescherming_per_1000_0_24")}})
    data = read_area_data(frame)
    data["gemeente"] = data["area"].map(dict(zip(t["area"], t["gemeentenaam"], strict=True)))
    data["status"] = "real"
    data["source"] = f"{CBS_JEUGDZORG_CREDIT}; {CBS_JEUGDZORG_WIJKEN_NOTE}"
    data["catalogue"] = "example:cbs_jeugdzorg_wijken_2021_2022"
    return data


def load_example_data(name: str = "rotterdam") -> pd.DataFrame:
    """Example area data: SYNTHETIC (``"rotterdam"``) or REAL (``"cbs_kwb2017"``).

    ``"rotterdam"``: values of the rotterdam-jeugd indicator catalogue for
    Rotterdam's real gebieden and wijken (names from the area registry),
    2021-2023. The values are **synthetic**: made by
    ``scripts/make_example_data.py`` (seeded) from the rotterdam-jeugd model
    plus noise, so that tests know the truth. Use them to learn and test the
    library, never as facts about Rotterdam. Column ``status`` reads
    ``synthetic``.

    ``"cbs_kwb2017"``: **real measurements** from CBS *Kerncijfers wijken en
    buurten 2017* (table 83765NED) for 75 of Rotterdam's 92 buurten (the 17
    others have incomplete values in CBS's table and are absent, never
    filled): % households at or below 105% of the social minimum and average
    income per inhabitant, with the inhabitants as population. Column
    ``status`` reads ``real``, column ``source`` holds the credit line
    (:data:`CBS_KWB2017_CREDIT`, CC BY 4.0) and the note on the absent buurten,
    so both travel into profiles, tables and figures. Its indicator catalogue for the
    rotterdam-jeugd model: :func:`load_example_indicators`, named in column
    ``catalogue`` (``example:cbs_kwb2017``), so that :func:`factormodel.profile` uses it
    without ``indicators=``. It has context factors only, no outcomes.

    Returns
    -------
    DataFrame
        Canonical area data plus ``status`` (and ``source``, ``catalogue``) columns.

    Examples
    --------
    >>> import factormodel as fm
    >>> data = fm.load_example_data("rotterdam")
    >>> sorted(data["year"].unique().tolist()), set(data["status"])
    ([2021, 2022, 2023], {'synthetic'})
    >>> cbs = fm.load_example_data("cbs_kwb2017")
    >>> cbs["area"].nunique(), set(cbs["level"]), set(cbs["status"]), int(cbs["year"].iloc[0])
    (75, {'buurt'}, {'real'}, 2017)
    >>> print(cbs["source"].iloc[0])
    Bron: CBS, Kerncijfers wijken en buurten 2017 (83765NED), CC BY 4.0; 75 of Rotterdam's
    92 buurten: 17 with incomplete values are absent, not filled
    """
    if name not in EXAMPLE_DATA:
        raise UnknownModelError(f"no example data {name!r}; available: "
                                + "; ".join(f"{k} ({v[0]})" for k, v in EXAMPLE_DATA.items()))
    if name == "cbs_jeugdzorg_gemeenten_2022":
        return _jeugdzorg_gemeenten()
    if name == "cbs_jeugdzorg_wijken_2021_2022":
        return _jeugdzorg_wijken()
    if name == "cbs_kwb2017":
        raw, _ = _raw_table(data_path("cbs_kwb2017_buurten.csv"), 0)
        frame = pd.DataFrame({
            "code": raw["cbs_buurtcode_2017"], "buurt": raw["buurtnaam"], "year": "2017",
            "population": raw["inwoners"],
            **{c: raw[c] for c in ("pct_hh_onder_of_rond_sociaal_minimum",
                                   "gem_inkomen_per_inwoner_x1000_eur")}})
        data = read_area_data(frame)
        data["status"] = "real"
        data["source"] = f"{CBS_KWB2017_CREDIT}; {CBS_KWB2017_NOTE}"
        data["catalogue"] = "example:cbs_kwb2017"  # its indicators need their own catalogue
        return data
    path = data_path(f"{name}_synthetic.csv")
    data = read_area_data(path, areas=name)
    data["status"] = "synthetic"
    return data


# --------------------------------------------------------------------------- folders


@functools.lru_cache(maxsize=16)
def _read_bundled(path: str, mtime: tuple[int, ...]) -> FactorModel:
    return read_model(path)


def _mtime(path: Path) -> tuple[int, ...]:
    return tuple(p.stat().st_mtime_ns for p in sorted(path.iterdir()) if p.is_file())


def _read_folder(folder: Path) -> FactorModel:
    missing = [f for f in (NODES_FILE, EDGES_FILE, METADATA_FILE) if not (folder / f).is_file()]
    if missing:  # the folder's other content is not listed: it may be anything (e.g. /etc)
        raise ModelFileError(f"{folder}: not a model folder; missing {', '.join(missing)} "
                             f"(a model folder holds {NODES_FILE}, {EDGES_FILE} and "
                             f"{METADATA_FILE})")
    problems: list[Problem] = []
    nodes, node_lines = _read_csv(folder / NODES_FILE, problems)
    edges, edge_lines = _read_csv(folder / EDGES_FILE, problems)
    for file, frame, known in ((NODES_FILE, nodes, NODE_COLUMNS), (EDGES_FILE, edges,
                                                                     EDGE_COLUMNS)):
        if len(frame.columns) and not {str(c).strip().lower() for c in frame.columns} & \
                set(known):  # e.g. a symlink to an unrelated file: never echo its content
            raise ModelFileError(f"{folder / file}: not a {file[:-4]} table; its first line "
                                 f"names none of the columns {', '.join(known)}")
    meta_raw = _read_json_file(folder / METADATA_FILE)
    meta = build_metadata(meta_raw if isinstance(meta_raw, dict) else None,
                          str(folder / METADATA_FILE), problems)
    tables = {}
    for extra in sorted(folder.glob("*.csv")):
        if extra.name in (NODES_FILE, EDGES_FILE):
            continue
        raw, lines = _read_csv(extra, problems)
        tables[extra.stem] = (raw, TableSource(extra.stem, "csv", str(extra), lines))
    skip = {p.key for p in problems}
    return FactorModel.from_raw(
        nodes, edges, meta,
        nodes_source=TableSource("nodes", "csv", str(folder / NODES_FILE), node_lines),
        edges_source=TableSource("edges", "csv", str(folder / EDGES_FILE), edge_lines),
        problems=problems, label=str(folder), skip=skip, tables=tables)


def _path_argument(value: Any, function: str) -> Path:
    """A path argument as a Path; anything else is an InvalidParameterError."""
    try:
        return Path(os.fspath(value))
    except TypeError:
        raise InvalidArgumentTypeError(f"{function}: expected a name or a path (str or "
                                       f"os.PathLike), got {type(value).__name__}") from None


def _read_folder_consistent(folder: Path, attempts: int = 5) -> FactorModel:
    """Read a model folder; if it was swapped for a new version while being read
    (:func:`write_model` replaces folders atomically), read it again."""
    for _ in range(attempts - 1):
        before = _identity(folder)
        try:
            model = _read_folder(folder)
        except FactorModelError:
            if _identity(folder) == before:
                raise
            continue
        if _identity(folder) == before:
            return model
    return _read_folder(folder)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise os_error(path, exc, "read") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ModelFileError(f"{path}: starts like UTF-16 but cannot be decoded; save the "
                                 "file as CSV UTF-8") from None
    head = data[:4096]
    if head and head.count(0) > len(head) // 4:  # ascii text in UTF-16/32: every other byte
        raise ModelFileError(f"{path}: mostly NUL bytes (UTF-16 or UTF-32 without a byte "
                             "order mark, or not a text file); save the file as CSV UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:  # Excel on Windows saves "CSV (gescheiden door lijstscheidingsteken)" as cp1252
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"{path}: cannot decode as UTF-8 or Windows-1252 "
                             f"(byte {exc.start}); save the file as CSV UTF-8",
                             code="not_utf8", fields={"path": str(path), "byte": exc.start}
                             ) from None


def sniff_separator(header: str) -> str:
    """The separator of a CSV header line: ``;`` (Dutch Excel), tab, or ``,``.

    Examples
    --------
    >>> sniff_separator("id;kind;setting")
    ';'
    >>> sniff_separator("id,kind,setting")
    ','
    """
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def _separator(content: str) -> str:
    """The separator of a CSV text, judged on its first lines (an export may open with a
    title line that has no separator at all)."""
    first = [line for line in content.splitlines()[:6] if line.strip()] or [""]
    return max((sniff_separator(line) for line in first),
               key=lambda sep: max(line.count(sep) for line in first))


def _one_filled(row: list[str]) -> bool:
    """True if exactly one cell of the row is not blank (stops at the second one)."""
    filled = 0
    for cell in row:
        if cell and not cell.isspace():
            filled += 1
            if filled > 1:
                return False
    return filled == 1


def _read_csv(path: Path, problems: list[Problem], *, skip_single_cell_rows: bool = False,
              keep_unnamed_first: bool = False) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Read a CSV table as text cells; structural problems are appended, not raised."""
    content = _decode(path)
    reader = csv.reader(_io.StringIO(content, newline=""), delimiter=_separator(content))
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    guarded = "'" in content  # only then can a cell carry the guard of write_model
    try:
        for row in reader:
            if not "".join(row).strip():
                continue  # blank lines and Excel's all-empty ';;;;' rows carry nothing
            if skip_single_cell_rows and _one_filled(row) \
                    and (header is None or not "".join(row[1:]).strip()) \
                    and (header is None or len(header) > 1):
                continue  # a title or footer line ('Bron: CBS'): no values to lose
            if guarded:
                row = [unguard_cell(cell) for cell in row]
            if header is None:
                header = [cell.strip() for cell in row]
                continue
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise ModelFileError(f"{path} line {reader.line_num}: not valid CSV ({exc})") from None
    if header is None:
        problems.append(Problem(str(path), "the file is empty; expected a header row",
                                (path.stem, None, None), code="empty_file"))
        return pd.DataFrame(), ()
    src = TableSource(path.stem, "csv", str(path), tuple(lines))
    width = len(header)
    keep = list(range(width))
    if keep_unnamed_first and header and not header[0]:
        header[0] = "concept"  # the corner cell of an adjacency matrix
    for j, name in enumerate(header):
        if not name:
            if any(j < len(r) and r[j].strip() for r in rows):
                problems.append(Problem(f"{path} column {j + 1}", "column has values but no "
                                        "header", (path.stem, None, f"#{j}")))
            keep.remove(j)
    lowered = [h.lower() for h in header]
    for j in keep:
        if lowered.count(lowered[j]) > 1 and lowered.index(lowered[j]) != j:
            problems.append(Problem(src.where(None, header[j]), "duplicate column header",
                                    (path.stem, None, lowered[j]), code="duplicate_header"))
    keep = [j for j in keep if lowered.index(lowered[j]) == j]
    for i, row in enumerate(rows):
        extra = row[width:]
        if len(row) < width or (extra and "".join(extra).strip()):
            problems.append(Problem(src.where(i), f"has {len(row)} fields, the header has "
                                    f"{width}", (path.stem, i, None), code="row_width",
                                    fields={"n": len(row), "width": width}))
    if len(keep) == width and all(len(row) == width for row in rows):
        cells = rows  # the common case: every row as wide as the header, every column kept
    else:
        cells = [[(row[j] if j < len(row) else "") for j in keep] for row in rows]
    frame = pd.DataFrame(cells, columns=[header[j] for j in keep], dtype=object)
    return frame, tuple(lines)


def _csv_text(frame: pd.DataFrame) -> str:
    buf = _io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([guard_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([guard_cell(_cell(v)) for v in row])
    return buf.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, float):  # read back exactly, never in the ambiguous shape 1.234
        return "" if math.isnan(value) else format_number(value)
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- JSON


def _read_json_file(path: Path) -> Any:
    try:
        return json.loads(_decode(path), object_pairs_hook=_unique_keys,
                          parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON "
                             f"({exc.msg})") from None
    except _DuplicateKey as exc:
        raise ModelFileError(f"{path}: key {exc.args[0]!r} appears twice in one JSON object; "
                             "each key may be given once") from None
    except RecursionError:
        raise ModelFileError(f"{path}: JSON nested too deeply to be a model file") from None


def _json_int(literal: str) -> int | float:
    """A JSON integer; one too large for a float becomes inf (then refused as not finite)."""
    value = int(literal)
    return value if abs(value) < 2 ** 1023 else float(literal)


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _schema_problems(doc: Any, where: str) -> list[Problem]:
    """Every JSON Schema violation, keyed like the semantic problems so that a
    cell is never reported twice."""
    out = []
    for err in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.path))):
        path = list(err.absolute_path)
        missing = err.message.split("'")[1] if err.validator == "required" else None
        table = str(path[0]) if path else ""
        key: tuple[str, int | None, str | None]
        if table == "metadata":
            key = (table, None, str(path[1]) if len(path) > 1 else missing)
        else:
            row = path[1] if len(path) > 1 and isinstance(path[1], int) else None
            key = (table, row, str(path[2]) if len(path) > 2 else missing)
        shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        out.append(Problem(f"{where}: {shown}" if shown else where, err.message, key))
    return out


def _read_json(path: Path) -> FactorModel:
    doc = _read_json_file(path)
    problems = _schema_problems(doc, str(path))
    if not (isinstance(doc, dict) and isinstance(doc.get("nodes"), list)
            and isinstance(doc.get("edges"), list)
            and all(isinstance(r, dict) for r in doc["nodes"] + doc["edges"])):
        raise ModelValidationError(problems or [Problem(str(path), "expected an object with "
                                                        "'nodes' and 'edges' lists")], str(path))
    meta_problems: list[Problem] = []
    meta_raw = doc.get("metadata")
    meta = build_metadata(meta_raw if isinstance(meta_raw, dict) else None,
                          f"{path}: metadata", meta_problems)
    skip = {p.key for p in problems}
    problems += [p for p in meta_problems if ("metadata", None, p.key[2]) not in skip]
    nodes = pd.DataFrame.from_records(doc["nodes"]) if doc["nodes"] else pd.DataFrame(
        columns=list(NODE_COLUMNS))
    edges = pd.DataFrame.from_records(doc["edges"]) if doc["edges"] else pd.DataFrame(
        columns=list(EDGE_COLUMNS))
    tables = {}
    given = doc.get("tables") or {}
    for name, rows in (given.items() if isinstance(given, dict) else ()):
        if not (isinstance(rows, list) and all(isinstance(r, dict) for r in rows)):
            if not any(p.key[:1] == ("tables",) for p in problems):
                problems.append(Problem(f"{path}: tables.{name}", "expected a list of rows "
                                        "(objects)", ("tables", None, name)))
            continue
        frame = pd.DataFrame.from_records(rows).astype(object) if rows else pd.DataFrame()
        frame = frame.map(lambda v: "" if v is None else str(v))
        tables[name] = (frame, TableSource(f"tables.{name}", "json", str(path)))
    return FactorModel.from_raw(nodes, edges, meta,
                                nodes_source=TableSource("nodes", "json", str(path)),
                                edges_source=TableSource("edges", "json", str(path)),
                                problems=problems, label=str(path), skip=skip, tables=tables)


def write_document(path: PathLike, content: str | Callable[[str], object]) -> Path:
    """Write a document (a report, an export) atomically: text, or ``content(tmp_path)``.

    A temporary file beside ``path`` is written and then moved over it, so a
    failed write never leaves half a file; OS errors become :class:`ModelFileError`
    naming the path.
    """
    if callable(content):
        write_with(path, content)
    else:
        write_text(path, content)
    return Path(path)
