"""Conversions between a FactorModel and other graph formats (no file I/O here).

Exports: networkx graphs ready for GraphML / GEXF (Gephi, yEd), Graphviz DOT,
node-link JSON and Mermaid text. Imports: fuzzy-cognitive-map adjacency
matrices (row = source, as written by Mental Modeler, FCMapper and PyFCM) and
edge lists. FCM files carry no kinds, settings or sources; imports say which
defaults they used, and every imported weight is marked ``expert judgement``
with a note naming the file.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, cast

import networkx as nx
import numpy as np
import pandas as pd

from factormodel import vocab
from factormodel.core.model import FactorModel
from factormodel.errors import DataError, ModelWarning
from factormodel.tables._cells import decimal_mark, listing, parse_number, parse_numbers, text
from factormodel.tables._tables import format_phases

__all__ = ["model_from_edges", "slugify", "to_dot", "to_export_graph", "to_mermaid",
           "to_node_link"]

#: Strength class given to an imported weight by its size (documented rule).
IMPORT_STRENGTH = ((0.3, "sterk"), (0.15, "matig"), (0.0, "zwak"))


def to_export_graph(model: FactorModel) -> nx.DiGraph:
    """The model as a DiGraph with only GraphML/GEXF-safe attribute types.

    Phases become text (``"4-12 12-18"``); missing uncertainties are left out.
    """
    G = model.to_networkx()
    for _, data in G.nodes(data=True):
        data["phases"] = format_phases(data["phases"])
        data["modifiable"] = bool(data["modifiable"])
    for key in list(G.graph):
        G.graph[key] = text(G.graph[key]) if not isinstance(G.graph[key], str) else G.graph[key]
    return G


def to_node_link(model: FactorModel) -> dict[str, Any]:
    """The model as node-link JSON data (``networkx.node_link_data``).

    Examples
    --------
    >>> import factormodel as fm
    >>> data = fm.exchange.to_node_link(fm.load_model("toy"))
    >>> len(data["nodes"]), len(data["edges"])
    (6, 7)
    """
    data = nx.node_link_data(to_export_graph(model), edges="edges")
    return json.loads(json.dumps(data, default=str, allow_nan=False))


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(model: FactorModel, lang: str = "nl") -> str:
    """Graphviz DOT text: settings as clusters, outcomes on the right, edge width by |weight|.

    Examples
    --------
    >>> import factormodel as fm
    >>> print(fm.exchange.to_dot(fm.load_model("toy")).splitlines()[0])
    digraph "toy" {
    """
    colours = {"risk": "#d7301f", "protective": "#1a9850", "outcome": "#2c7fb8"}
    nodes = model.nodes
    lines = [f"digraph {_quote(model.name)} {{", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];']
    groups = [*vocab.FACTOR_SETTINGS, "outcome"]
    for g in groups:
        members = nodes[(nodes["kind"] == "outcome") if g == "outcome"
                        else (nodes["setting"] == g) & (nodes["kind"] != "outcome")]
        if members.empty:
            continue
        lines.append(f"  subgraph {_quote('cluster_' + g)} {{")
        lines.append(f"    label={_quote(g)};")
        if g == "outcome":
            lines.append("    rank=sink;")
        for node_id, row in members.iterrows():
            lines.append(f"    {_quote(node_id)} [label={_quote(row['label_' + lang])}, "
                         f"fillcolor={_quote(colours[row['kind']] + '40')}, "
                         f"color={_quote(colours[row['kind']])}];")
        lines.append("  }")
    for r in model.edges.itertuples():
        weight, source, target = cast(float, r.weight), cast(str, r.source), cast(str, r.target)
        style = "solid" if weight >= 0 else "dashed"
        label = _quote(f"{weight:+g}")
        lines.append(f"  {_quote(source)} -> {_quote(target)} [label={label}, "
                     f"penwidth={0.5 + 5 * abs(weight):.2f}, style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
                   "`": "#96;", "|": "#124;", "[": "#91;", "]": "#93;", "{": "#123;",
                   "}": "#125;"}


def to_mermaid(model: FactorModel, lang: str = "nl") -> str:
    """Mermaid flowchart text (renders in GitHub and many Markdown viewers).

    Examples
    --------
    >>> import factormodel as fm
    >>> print(fm.exchange.to_mermaid(fm.load_model("toy")).splitlines()[1])
        armoede["armoede in het huishouden"]:::risk
    """
    def esc(value: str) -> str:  # Mermaid entity codes; a label stays on one line
        value = " ".join(str(value).splitlines())
        return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in value)

    lines = ["flowchart LR"]
    for node_id, row in model.nodes.iterrows():
        lines.append(f'    {node_id}["{esc(row["label_" + lang])}"]:::{row["kind"]}')
    for r in model.edges.itertuples():
        arrow = "-->" if cast(float, r.weight) >= 0 else "-.->"
        lines.append(f"    {r.source} {arrow}|{r.weight:+g}| {r.target}")
    lines += ["    classDef risk fill:#fbb4ae,stroke:#d7301f;",
              "    classDef protective fill:#ccebc5,stroke:#1a9850;",
              "    classDef outcome fill:#b3cde3,stroke:#2c7fb8;"]
    return "\n".join(lines) + "\n"


def slugify(name: str) -> str:
    """An ascii node id from a concept name (``"Schoolverzuim (%)"`` -> ``"schoolverzuim"``).

    Examples
    --------
    >>> slugify("Financiële armoede / bijstand")
    'financiele_armoede_bijstand'
    """
    ascii_ = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")
    slug = re.sub(r"_+(pct|%)$", "", slug)
    return slug or "node"


def _strength(weight: float) -> str:
    return next(cls for limit, cls in IMPORT_STRENGTH if abs(weight) >= limit)


def model_from_edges(edges: pd.DataFrame, *, source_name: str, kinds: Mapping[str, str] | None,
                     default_kind: str, outcomes: Mapping[str, str] | None,
                     settings: Mapping[str, str] | None = None, names: list[str] | None = None,
                     name: str = "imported", lines: Sequence[int] | None = None) -> FactorModel:
    """Build a model from ``source, target, weight`` rows with documented defaults.

    Parameters
    ----------
    edges : DataFrame
        Columns ``source``, ``target``, ``weight`` (concept names); other
        columns of the model's edge format (``strength``, ``sd``, ...) are used
        when present.
    source_name : str
        The file the edges came from, named in every edge's note.
    kinds : mapping name -> kind, optional
    default_kind : {"risk", "protective"}
        Kind of every concept not in ``kinds`` and not an outcome. There is
        no silent default: FCM files do not say whether more is worse.
    outcomes : mapping name -> "lower" | "higher", optional
        Concepts that are outcomes, with their desired direction.
    settings : mapping name -> setting, optional
        Defaults: ``kind`` for factors, ``kansrijk`` for outcomes.
    names : list, optional
        All concept names in order (a matrix may have concepts without edges).
    name : str
        The model's name.
    lines : sequence of int, optional
        The file line of each edge row, to name it in messages (else its row number).

    Raises
    ------
    DataError
        Naming every edge whose weight is not a number (e.g. an ambiguous
        ``1,000``), with its line or row.
    """
    if default_kind not in ("risk", "protective"):
        raise DataError(f"default_kind must be 'risk' or 'protective', got {default_kind!r}")
    kinds = dict(kinds or {})
    outcomes = dict(outcomes or {})
    settings = dict(settings or {})
    concepts = list(names) if names is not None else list(dict.fromkeys(
        [*map(str, edges["source"]), *map(str, edges["target"])]))
    unknown = sorted((set(kinds) | set(outcomes) | set(settings)) - set(concepts))
    if unknown:
        raise DataError(f"names not in {source_name}: {', '.join(unknown)}")
    ids = {c: slugify(c) for c in concepts}
    by_id: dict[str, list[str]] = {}
    for c, slug in ids.items():
        by_id.setdefault(slug, []).append(c)
    clashes = {slug: cs for slug, cs in by_id.items() if len(cs) > 1}
    if clashes:  # never rename silently: the user decides which concept is which
        raise DataError(f"{source_name}: different concept names would get the same node id: "
                        + "; ".join(f"{' and '.join(map(repr, cs))} -> {slug!r}"
                                    for slug, cs in list(clashes.items())[:8])
                        + "; rename them in the file so that they differ in letters or "
                          "digits")
    nodes = []
    for c in concepts:
        is_outcome = c in outcomes
        nodes.append({
            "id": ids[c], "kind": "outcome" if is_outcome else kinds.get(c, default_kind),
            "setting": settings.get(c, "kansrijk" if is_outcome else "kind"),
            "label_nl": c, "label_en": c, "phases": "all", "modifiable": not is_outcome,
            "desired": outcomes.get(c, ""),
            "description": f"imported from {source_name}"})
    rows, problems = [], []
    mark = decimal_mark(edges["weight"])
    for k, r in enumerate(edges.to_dict("records")):
        w, _, err = parse_number(r["weight"], decimal=mark)
        if err or math.isnan(w):
            place = f"line {lines[k]}" if lines is not None else f"row {k + 1}"
            problems.append(f"edge {k + 1} ({r['source']} -> {r['target']}): "
                            f"{err or 'missing weight'} ({place}, column 'weight')")
            continue
        rows.append({**{k: v for k, v in r.items() if k not in ("source", "target")},
                     "source": ids[str(r["source"])], "target": ids[str(r["target"])],
                     "weight": w, "strength": text(r.get("strength")) or _strength(w),
                     "source_ref": text(r.get("source_ref")) or vocab.EXPERT_JUDGEMENT,
                     "note": text(r.get("note")) or f"imported from {source_name}; strength "
                                                    "class from |weight| (>= 0.3 sterk, "
                                                    ">= 0.15 matig)"})
    if problems:
        raise DataError(f"{source_name}: {len(problems)} weight(s) are not numbers:\n  - "
                        + listing(problems, "\n  - "))
    meta = {"name": name, "version": "1", "status": "illustrative",
            "description": f"Imported from {source_name}. Kinds other than those given are "
                           f"'{default_kind}'; settings default to 'kind' (factors) and "
                           "'kansrijk' (outcomes); every weight is expert judgement."}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ModelWarning)
        model = FactorModel(nodes, rows, meta)
    for record in caught:  # pass sign warnings on: defaults for kinds make them likely
        warnings.warn(str(record.message), ModelWarning, stacklevel=3)
    return model


def matrix_edges(matrix: pd.DataFrame, source_name: str, lines: Sequence[int] | None = None
                 ) -> tuple[pd.DataFrame, list[str]]:
    """Edges of an FCM adjacency matrix (row = source, column = target); zeros are no edge.

    Every cell that is not a number is named (line or row, and column) in one
    :class:`DataError`; empty cells are no edge.
    """
    names = [text(c) for c in matrix.columns]
    rows = [text(i) for i in matrix.index]
    if rows != names:
        raise DataError(f"{source_name}: the matrix's row names must equal its column names "
                        f"in the same order (rows: {rows[:5]}..., columns: {names[:5]}...)")
    n = len(names)
    flat = pd.Series(matrix.to_numpy(dtype=object).ravel(), dtype=object)
    if len(matrix.columns) and all(pd.api.types.is_numeric_dtype(t) for t in matrix.dtypes):
        flat = flat.astype(float)
    x, flags, errors = parse_numbers(flat)
    wrong = np.flatnonzero(pd.notna(errors) | ((flags != "") & (flags != "missing"))).tolist()
    bad = [(k, errors[k] or f"expected a number or an empty cell, got {text(flat[k])!r}")
           for k in wrong]
    if bad:
        shown = []
        for k, err in bad:
            r, c = divmod(int(k), n)
            place = f"line {lines[r]}" if lines is not None else f"row {r + 1}"
            shown.append(f"{place}, column {matrix.columns[c]!r}: cell ({rows[r]}, "
                         f"{names[c]}) is not a number: {text(flat[k])!r}"
                         + ("" if err.startswith("expected a number, got") else f" ({err})"))
        raise DataError(f"{source_name}: {len(shown)} cell(s) are not numbers:\n  - "
                        + listing(shown, "\n  - "))
    values = x.reshape(n, n)
    values = np.nan_to_num(values)
    if np.any(np.diag(values) != 0):
        k = int(np.flatnonzero(np.diag(values))[0])
        raise DataError(f"{source_name}: self-loop on {names[k]!r} (diagonal must be 0)")
    src, dst = np.nonzero(values)
    edges = pd.DataFrame({"source": np.asarray(names, dtype=object)[src],
                          "target": np.asarray(names, dtype=object)[dst],
                          "weight": values[src, dst]})
    if not all(math.isfinite(w) for w in edges["weight"]):  # pragma: no cover - caught above
        raise DataError(f"{source_name}: weights must be finite")
    return edges, names
