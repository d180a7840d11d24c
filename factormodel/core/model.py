"""The :class:`FactorModel` value: a validated, immutable weighted digraph.

A model holds a nodes table (factors and outcomes) and an edges table (signed,
standardised direct effects with their strength class, uncertainty and source).
It *holds* a graph; it is not a ``networkx.DiGraph`` (no mutators, no broken
invariants). Every change returns a new model.

Node order is the order of the rows of the nodes table (the order of
``nodes.csv``); it is kept through every round trip and defines the order of
rows and columns in matrices built from the model. Edge order is the order of
``edges.csv``; two models whose edges differ only in order are equal.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import pandas as pd

from factormodel import vocab
from factormodel.core.coherence import coherence_problems
from factormodel.errors import (
    InvalidArgumentTypeError,
    Message,
    ModelValidationError,
    ModelWarning,
    Problem,
    UnknownEdgeError,
    UnknownNodeError,
    UnknownTableError,
    close_matches,
)
from factormodel.tables._cells import (
    TableSource,
    parse_number,
    require_columns,
    table_decimal_mark,
    text,
)
from factormodel.tables._graph import Structure, structure, weights
from factormodel.tables._guards import check_guard_rails
from factormodel.tables._tables import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    ModelMetadata,
    build_edges,
    build_metadata,
    build_nodes,
    check_graph,
    desired_signs,
)

if TYPE_CHECKING:
    import networkx as nx
    import scipy.sparse as sp

__all__ = ["AREA_LEVEL", "INDIVIDUAL_LEVEL", "WEIGHTS_KIND_NL", "FactorModel", "ModelMetadata"]

#: ``metadata.extra["weights_kind"]`` of a model calibrated on areas (its weights describe how
#: areas differ), and of one whose weights come from the literature (mostly studies of
#: individuals; what a model that does not say is taken to be).
AREA_LEVEL = "area-level (calibrated)"
INDIVIDUAL_LEVEL = "individual-level (literature)"
#: The two kinds in Dutch, for the wijkrapport and the web page.
WEIGHTS_KIND_NL = {AREA_LEVEL: "gebiedsniveau (gekalibreerd op gebieden)",
                   INDIVIDUAL_LEVEL: "individueel niveau (uit de literatuur)"}

_T = TypeVar("_T")

_WEIGHT_COLUMNS = ("source", "target", "weight", "strength", "sd", "low", "high",
                   "source_ref", "note")


class FactorModel:
    """A factor model: factors and outcomes joined by signed, weighted edges.

    Parameters
    ----------
    nodes : DataFrame or sequence of mappings
        One row per node with columns ``id, kind, setting, label_nl, label_en,
        phases, modifiable`` and optionally ``desired`` (required for outcomes:
        ``lower`` or ``higher``) and ``description``. A DataFrame indexed by
        ``id`` is accepted too. Other columns are kept, as text.
    edges : DataFrame or sequence of mappings
        One row per edge with columns ``source, target, weight, strength,
        source_ref`` and optionally ``sd`` or ``low``/``high`` (uncertainty of
        the weight) and ``note``.
    metadata : ModelMetadata or mapping, optional
        ``name, version, description, citation, licence, status``.

    Raises
    ------
    ModelValidationError
        Listing every problem found, with its row and column.

    Warns
    -----
    ModelWarning
        When a weight's sign contradicts the kinds it joins (e.g. a protective
        factor that raises a problem outcome), or when, read as standardised
        direct effects, the weights into a node imply R² >= 1 (see
        :func:`factormodel.implied_r2`).

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.FactorModel(
    ...     nodes=[
    ...         dict(id="verzuim", kind="risk", setting="school", label_nl="schoolverzuim",
    ...              label_en="absenteeism", phases="4-12 12-18", modifiable=True),
    ...         dict(id="vsv", kind="outcome", setting="kansrijk", desired="lower",
    ...              label_nl="voortijdig schoolverlaten", label_en="early school leaving",
    ...              phases="12-18 18-23", modifiable=False),
    ...     ],
    ...     edges=[dict(source="verzuim", target="vsv", weight=0.3, strength="sterk",
    ...                 source_ref="expert judgement")],
    ...     metadata=dict(name="mini", version="1", status="illustrative"),
    ... )
    >>> m
    <FactorModel 'mini' v1 (illustrative): 2 nodes (1 factor, 1 outcome), 1 edge>
    >>> m.node_ids
    ('verzuim', 'vsv')
    """

    __slots__ = ("_cache", "_edges", "_metadata", "_nodes", "_positions", "_tables", "_warnings")
    _cache: dict[Any, Any]
    _edges: pd.DataFrame
    _metadata: ModelMetadata
    _nodes: pd.DataFrame
    _positions: Mapping[str, int]
    _tables: Mapping[str, tuple[pd.DataFrame, TableSource]]
    _warnings: tuple[Problem, ...]

    def __init__(self, nodes: Any, edges: Any,
                 metadata: ModelMetadata | Mapping[str, Any] | None = None,
                 tables: Mapping[str, pd.DataFrame] | None = None) -> None:
        nodes_raw = _as_frame(nodes, index_name="id")
        edges_raw = _as_frame(edges)
        problems: list[Problem] = []
        if isinstance(metadata, ModelMetadata):
            meta = metadata
        else:
            meta = build_metadata(metadata or {"name": "unnamed"}, "metadata", problems,
                                  strict=False)
        model = FactorModel._build(nodes_raw, edges_raw, meta,
                                   TableSource("nodes"), TableSource("edges"),
                                   problems, label="model")
        self._set(model._nodes, model._edges, model._metadata, model._warnings,
                  _carried(tables))

    # ------------------------------------------------------------------ building

    @classmethod
    def from_raw(cls, nodes: pd.DataFrame, edges: pd.DataFrame, metadata: ModelMetadata, *,
                 nodes_source: TableSource, edges_source: TableSource,
                 problems: Iterable[Problem] = (), label: str = "model",
                 skip: Iterable[tuple] = (),
                 tables: Mapping[str, tuple[pd.DataFrame, TableSource]] | None = None
                 ) -> FactorModel:
        """Build a model from raw tables as a reader found them (for :mod:`factormodel.io`).

        ``problems`` found earlier (metadata, schema) are reported together with
        the tables' own; semantic problems at a location in ``skip`` are not
        repeated. ``tables`` are the other tables that came with the model
        (indicator and intervention catalogues, ...), kept as read with where
        they came from.
        """
        model = cls._build(nodes, edges, metadata, nodes_source, edges_source, list(problems),
                           label=label, skip=skip)
        if tables:
            model = model._with_tables(dict(tables))
        return model

    @classmethod
    def _build(cls, nodes_raw: pd.DataFrame, edges_raw: pd.DataFrame, metadata: ModelMetadata,
               nodes_src: TableSource, edges_src: TableSource, problems: list[Problem],
               *, label: str, skip: Iterable[tuple] = ()) -> FactorModel:
        """Validate raw tables; raise one error listing every problem, else build.

        ``problems`` may already hold problems found earlier (metadata, schema);
        semantic problems at a location listed in ``skip`` are not repeated.
        """
        found: list[Problem] = []
        nodes = build_nodes(nodes_raw, nodes_src, found)
        edges = build_edges(edges_raw, edges_src, nodes, found)
        soft: list[Problem] = []
        check_graph(nodes, edges, edges_src, found, soft)
        check_guard_rails(nodes, edges, nodes_src, edges_src, found, soft)
        skip = set(skip)
        problems = list(problems) + [p for p in found if p.key not in skip]
        if problems:
            raise ModelValidationError(problems, label)
        model = cls._from_canonical(nodes.set_index("id"), edges, metadata)
        soft += coherence_problems(model)  # implied R² >= 1 (design notes section 2)
        if soft:
            warnings.warn(ModelValidationError(soft, f"{label} (warnings)").args[0],
                          ModelWarning, stacklevel=3)
        return cls._from_canonical(nodes.set_index("id"), edges, metadata, tuple(soft))

    @classmethod
    def _from_canonical(cls, nodes: pd.DataFrame, edges: pd.DataFrame,
                        metadata: ModelMetadata, warns: tuple[Problem, ...] = ()) -> FactorModel:
        obj = cls.__new__(cls)
        obj._set(nodes, edges, metadata, warns)
        return obj

    def _set(self, nodes: pd.DataFrame, edges: pd.DataFrame, metadata: ModelMetadata,
             warns: tuple[Problem, ...],
             tables: Mapping[str, tuple[pd.DataFrame, TableSource]] | None = None) -> None:
        nodes = nodes.copy()
        nodes.index.name = "id"
        edges = edges.reset_index(drop=True).copy()
        object.__setattr__(self, "_nodes", nodes)
        object.__setattr__(self, "_edges", edges)
        object.__setattr__(self, "_metadata", metadata)
        object.__setattr__(self, "_warnings", warns)
        object.__setattr__(self, "_tables", MappingProxyType(dict(tables or {})))
        object.__setattr__(self, "_positions",
                           MappingProxyType({k: i for i, k in enumerate(nodes.index.tolist())}))
        # derived arrays (weight matrix, topological order, ...) computed once per model;
        # safe because the model never changes
        object.__setattr__(self, "_cache", {})

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its validated parts (nodes, edges, metadata, warnings, tables), so a
        model can be handed to another process (the service renders reports in one)."""
        return _rebuild, (self._nodes, self._edges, self._metadata, self._warnings,
                          dict(self._tables))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"FactorModel is immutable; cannot set {name!r}. Use "
                             "with_weights() or with_metadata() to get a changed copy.")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("FactorModel is immutable")

    # ------------------------------------------------------------------ views

    @property
    def nodes(self) -> pd.DataFrame:
        """Nodes table indexed by node id, in model order (a copy)."""
        return self._nodes.copy()

    @property
    def edges(self) -> pd.DataFrame:
        """Edges table: source, target, weight, strength, sd, low, high, source_ref,
        note, then any extra columns (a copy)."""
        return self._edges.copy()

    @property
    def metadata(self) -> ModelMetadata:
        """Name, version, description, citation, licence and status."""
        return self._metadata

    @property
    def name(self) -> str:
        """The model's name (from its metadata)."""
        return self._metadata.name

    @property
    def weights_kind(self) -> str:
        """What the weights describe: :data:`AREA_LEVEL` for a model calibrated on areas
        (:func:`factormodel.calibrate`), else :data:`INDIVIDUAL_LEVEL` (metadata field
        ``weights_kind``).

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").weights_kind
        'individual-level (literature)'
        """
        return str(self._metadata.extra.get("weights_kind", INDIVIDUAL_LEVEL))

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Validation warnings (valid but suspicious entries), e.g. contradicting signs."""
        return self._warnings

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Node ids in model order."""
        return tuple(self._nodes.index.tolist())

    @property
    def factors(self) -> tuple[str, ...]:
        """Ids of risk and protective factors, in model order."""
        return tuple(self._nodes.index[self._nodes["kind"] != "outcome"].tolist())

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Ids of outcomes (maatschappelijke resultaten), in model order."""
        return tuple(self._nodes.index[self._nodes["kind"] == "outcome"].tolist())

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self._nodes)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self._edges)

    @property
    def desired_sign(self) -> pd.Series:
        """+1 where a higher value is better, -1 where lower is better, per node.

        Risk factors: -1; protective factors: +1; outcomes: from ``desired``.

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").desired_sign.to_dict()["vsv"]
        -1
        """
        return self.cached("desired_sign", lambda: pd.Series(
            desired_signs(self._nodes.reset_index()), name="desired_sign", dtype=int
        ).reindex(self._nodes.index).rename_axis("id")).copy()

    # ------------------------------------------------------------------ carried tables

    @property
    def table_names(self) -> tuple[str, ...]:
        """Names of the other tables the model was loaded with (e.g. ``indicators``).

        A model folder's other CSV files (``indicators.csv``, ``interventions.csv``,
        ...) or a JSON model's ``tables`` travel with the model: copies and
        changed models keep them, :func:`factormodel.write_model` writes them.

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").table_names
        ('indicators',)
        """
        return tuple(sorted(self._tables))

    def table(self, name: str) -> pd.DataFrame:
        """A carried table as it was read (text cells; a copy).

        Raises
        ------
        KeyError
            (:class:`~factormodel.errors.UnknownTableError`) naming the tables it has.
        """
        if name not in self._tables:
            raise UnknownTableError(
                f"model {self.name!r} carries no {name!r} table (its folder has no "
                f"{name}.csv); tables it has: {', '.join(self.table_names) or 'none'}")
        return self._tables[name][0].copy()

    def table_source(self, name: str) -> TableSource:
        """Where a carried table came from (file and lines), for error messages."""
        self.table(name)
        return self._tables[name][1]

    def with_tables(self, **tables: pd.DataFrame) -> FactorModel:
        """A copy that carries these tables too (replacing any of the same name).

        Examples
        --------
        >>> import factormodel as fm, pandas as pd
        >>> m = fm.load_model("toy").with_tables(notes=pd.DataFrame({"note": ["x"]}))
        >>> m.table_names
        ('indicators', 'notes')
        """
        return self._with_tables({k: (_as_frame(v), TableSource(k)) for k, v in tables.items()})

    def _with_tables(self, tables: Mapping[str, tuple[pd.DataFrame, TableSource]]
                     ) -> FactorModel:
        obj = type(self).__new__(type(self))
        obj._set(self._nodes, self._edges, self._metadata, self._warnings,
                 {**self._tables, **tables})
        return obj

    # ------------------------------------------------------------------ derived views
    # Computed once per model and read-only: the model never changes, so algorithms
    # share them instead of rebuilding matrices and graphs on every call.

    def cached(self, key: Hashable, factory: Callable[[], _T]) -> _T:
        """A value derived from this model, computed by ``factory()`` once and kept.

        For algorithm modules that need an expensive derived object (a solver
        for a given ``alpha``, a catalogue matrix): the model is immutable, so
        the value stays valid for the model's lifetime.
        """
        cache = self._cache
        if key not in cache:
            cache[key] = factory()
        return cache[key]

    @property
    def weight_matrix(self) -> sp.csr_matrix:
        """The weight matrix ``W`` (n x n, CSR, rows = sources, model order; read-only).

        Examples
        --------
        >>> import factormodel as fm
        >>> W = fm.load_model("toy").weight_matrix
        >>> W.shape, W.nnz
        ((6, 6), 7)
        """
        def build() -> sp.csr_matrix:
            import scipy.sparse as sp  # not at import: ~0.1 s of a command line's start-up

            src, dst = self.edge_positions
            n = self.n_nodes
            W = sp.csr_matrix((self._edges["weight"].to_numpy(float), (src, dst)), shape=(n, n))
            W.sort_indices()
            for a in (W.data, W.indices, W.indptr):
                a.flags.writeable = False
            return W

        return self.cached("W", build)

    @property
    def weight_array(self) -> np.ndarray:
        """The weight matrix ``W`` as a dense array (n x n, model order; read-only).

        ``n x n`` floats: for large models prefer :attr:`weight_matrix`.

        Examples
        --------
        >>> import factormodel as fm
        >>> W = fm.load_model("toy").weight_array
        >>> W.shape, int((W != 0).sum())
        ((6, 6), 7)
        """
        def build() -> np.ndarray:
            src, dst = self.edge_positions
            n = self.n_nodes
            W = np.zeros((n, n))
            W[src, dst] = self._edges["weight"].to_numpy(float)
            W.flags.writeable = False
            return W

        return self.cached("W dense", build)

    @property
    def edge_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions of each edge's source and target (edge order; read-only arrays)."""
        def build() -> tuple[np.ndarray, np.ndarray]:
            src = self.positions(self._edges["source"].tolist())
            dst = self.positions(self._edges["target"].tolist())
            src.flags.writeable = dst.flags.writeable = False
            return src, dst

        return self.cached("edge_positions", build)

    def edge_values(self, column: str) -> np.ndarray:
        """One column of the edges table as a read-only array, in edge order.

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").edge_values("strength")[:2].tolist()
        ['matig', 'zwak']
        """
        def build() -> np.ndarray:
            if column not in self._edges.columns:
                raise KeyError(f"no edge column {column!r}; columns: "
                               f"{', '.join(map(str, self._edges.columns))}")
            values = self._edges[column].to_numpy(copy=True)
            values.flags.writeable = False
            return values

        return self.cached(("edge column", column), build)

    def node_values(self, column: str) -> pd.Series:
        """One column of the nodes table, indexed by node id in model order (a copy).

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").node_values("kind")["vsv"]
        'outcome'
        """
        if column not in self._nodes.columns:
            raise KeyError(f"no node column {column!r}; columns: "
                           f"{', '.join(map(str, self._nodes.columns))}")
        return self._nodes[column].copy()

    @property
    def structure(self) -> Structure:
        """Strongly connected components, acyclicity and topological order of the graph.

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").structure.acyclic
        True
        """
        def build() -> Structure:
            src, dst = self.edge_positions  # every edge, a weight of 0 included
            return structure(weights(np.ones(len(src)), src, dst, self.n_nodes))

        return self.cached("structure", build)

    @property
    def graph(self) -> nx.DiGraph:
        """A read-only (frozen) ``networkx.DiGraph`` of node ids with ``weight`` on edges.

        For graph algorithms; cached. :meth:`to_networkx` gives a full, mutable copy
        with every attribute.
        """
        def build() -> nx.DiGraph:
            import networkx as nx

            G = nx.DiGraph()
            G.add_nodes_from(self.node_ids)
            G.add_weighted_edges_from(zip(self._edges["source"].tolist(),
                                          self._edges["target"].tolist(),
                                          self._edges["weight"].tolist(), strict=True))
            return nx.freeze(G)

        return self.cached("graph", build)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._positions

    def positions(self, node_ids: Iterable[str]) -> np.ndarray:
        """Integer positions of ``node_ids`` in model order.

        Raises
        ------
        UnknownNodeError
            Naming every unknown id with close matches.

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").positions(["vsv", "armoede"]).tolist()
        [4, 0]
        """
        ids = list(node_ids)
        unknown = [i for i in ids if i not in self._positions]
        if unknown:
            shown = list(dict.fromkeys(map(str, unknown)))
            more: str = Message(f" (and {len(shown) - 8} more)", "and_more",
                                {"n": len(shown) - 8}) if len(shown) > 8 else ""
            items = [Message(f"{u!r} ({hint})", "name_and_hint", {"name": u, "hint": hint})
                     for u in shown[:8] for hint in [close_matches(u, self.node_ids)]]
            plural = "s" if len(shown) > 1 else ""
            raise UnknownNodeError(
                f"{len(shown)} unknown node{plural} in model {self.name!r}: "
                + "; ".join(items) + more, code=f"unknown_node{plural}_in_model",
                fields={"n": len(shown), "model": self.name, "items": items, "more": more})
        return np.fromiter((self._positions[i] for i in ids), dtype=np.intp, count=len(ids))

    # ------------------------------------------------------------------ comparison

    def _key(self) -> tuple:
        def clean(v: Any) -> Any:
            return None if isinstance(v, float) and math.isnan(v) else v

        nodes = tuple(tuple(clean(v) for v in row)
                      for row in self._nodes.reset_index().itertuples(index=False))
        node_cols = tuple(self._nodes.columns)
        edge_cols = tuple(self._edges.columns)
        edges = tuple(sorted((tuple(clean(v) for v in row)
                              for row in self._edges.itertuples(index=False)),
                             key=lambda r: (r[0], r[1])))
        return (self._metadata.to_dict(), node_cols, nodes, edge_cols, edges)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FactorModel):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self._metadata, self.node_ids, self.n_edges))

    def __repr__(self) -> str:
        n_out = len(self.outcomes)
        n_fac = self.n_nodes - n_out
        m = self._metadata
        return (f"<FactorModel {m.name!r} v{m.version} ({m.status}): {self.n_nodes} node"
                f"{'s' if self.n_nodes != 1 else ''} ({n_fac} factor{'s' if n_fac != 1 else ''}, "
                f"{n_out} outcome{'s' if n_out != 1 else ''}), {self.n_edges} edge"
                f"{'s' if self.n_edges != 1 else ''}>")

    def _repr_html_(self) -> str:
        from factormodel.tables._html import model_html

        return model_html(self)

    # ------------------------------------------------------------------ changes

    def with_weights(self, weights: pd.DataFrame | Mapping[tuple[str, str], float]
                     ) -> FactorModel:
        """Return a new model with edge weights (and optionally uncertainty) overridden.

        Parameters
        ----------
        weights : DataFrame or mapping
            A table with columns ``source, target, weight`` and optionally
            ``sd``, ``low``, ``high``, ``strength``, ``source_ref``, ``note``;
            or a mapping ``{(source, target): weight}``. Only the edges listed
            change; every listed edge must exist in the model. ``m.edges`` as it
            comes (or a filtered, edited copy of it) is accepted: any further
            column the model's own edge table carries (such as ``association``)
            is kept and takes the value given; a column the model does not carry
            is refused, so a misspelt ``wieght`` is never dropped unnoticed.

        Raises
        ------
        UnknownEdgeError
            If a listed edge is not in the model (all such edges are named).
        ModelValidationError
            If a value is not valid (e.g. non-numeric weight, unknown column,
            duplicate row, weight outside the edge's low/high interval), or the
            table has no rows (a filter that selected nothing would otherwise
            return the same model unnoticed).

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("toy")
        >>> m2 = m.with_weights({("schoolverzuim", "vsv"): 0.5})
        >>> float(m2.edges.set_index(["source", "target"]).loc[("schoolverzuim", "vsv"), "weight"])
        0.5
        >>> m == m2
        False
        """
        table = _weights_frame(weights)
        src = TableSource("weights")
        problems: list[Problem] = []
        allowed = tuple(_WEIGHT_COLUMNS) + tuple(str(c) for c in self._edges.columns
                                                  if c not in _WEIGHT_COLUMNS)
        _, unknown_cols, problems = require_columns(table.columns, ("source", "target"), src,
                                                    known=allowed)
        for c in unknown_cols:
            problems.append(Problem(src.where(None, str(c)), f"unknown column; allowed: "
                                    f"{', '.join(allowed)}", code="unknown_column",
                                    fields={"allowed": ", ".join(allowed)}))
        if not len(table) and not problems:
            problems.append(Problem(src.where(None, None), "no rows: an empty weights table "
                                    "changes nothing (did a filter select no edges?)",
                                    code="no_weight_rows"))
        if problems:
            raise ModelValidationError(problems, "weights table")
        edges = self._edges.copy()
        keys = [(text(s), text(t)) for s, t in zip(table["source"], table["target"],
                                                  strict=True)]
        seen: dict[tuple[str, str], int] = {}
        for i, key in enumerate(keys):
            if key in seen:
                problems.append(Problem(src.where(i), f"duplicate edge {key[0]!r} -> {key[1]!r} "
                                        f"(also in row {seen[key]})", code="duplicate_weight_row",
                                        fields={"source": key[0], "target": key[1],
                                                "row": seen[key]}))
            seen.setdefault(key, i)
        rows = self.edge_rows(keys).tolist()
        mark = table_decimal_mark(table[c] for c in ("weight", "sd", "low", "high")
                                  if c in table.columns)
        for c in table.columns:
            if c in ("source", "target"):
                continue
            for i, (row, v) in enumerate(zip(rows, table[c], strict=True)):
                if c in ("weight", "sd", "low", "high"):
                    x, _, err = parse_number(v, decimal=mark)
                    if err or (c == "weight" and np.isnan(x)):
                        why = err if isinstance(err, Message) else \
                            Message(err or "missing weight", "no_weight" if not err else "")
                        problems.append(Problem(src.where(i, c), why, code=why.code,
                                                fields=why.fields))
                        continue
                    edges.loc[row, c] = x
                else:
                    edges.loc[row, c] = text(v)
        if problems:
            raise ModelValidationError(problems, "weights table")
        changed = FactorModel._build(self._nodes.reset_index(), edges, self._metadata,
                                     TableSource("nodes"), TableSource("edges"), [],
                                     label=f"model {self.name!r} with new weights")
        return changed._with_tables(self._tables)

    def edge_rows(self, pairs: Iterable[tuple[str, str]]) -> np.ndarray:
        """Row positions (edge order) of the edges ``(source, target)``.

        Raises
        ------
        UnknownEdgeError
            Naming every pair that is not an edge of the model, with close matches.

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").edge_rows([("armoede", "opvoedklimaat")]).tolist()
        [0]
        """
        pos = self.cached("edge rows", lambda: {
            (s, t): i for i, (s, t) in enumerate(zip(self._edges["source"].tolist(),
                                                     self._edges["target"].tolist(),
                                                     strict=True))})
        keys: list[Any] = [tuple(p) for p in pairs]
        unknown = [f"{k[0]!r} -> {k[1]!r}" for k in keys if k not in pos]
        if unknown:
            names = [f"{s} -> {t}" for s, t in pos]
            hint = close_matches(unknown[0].replace(chr(39), ""), names)
            plural = "s" if len(unknown) > 1 else ""
            raise UnknownEdgeError(
                f"{len(unknown)} edge{plural} not in model {self.name!r}: {', '.join(unknown)}; "
                f"{hint}", code=f"edge{plural}_not_in_model",
                fields={"n": len(unknown), "model": self.name, "edges": ", ".join(unknown),
                        "hint": hint})
        return np.fromiter((pos[k] for k in keys), dtype=np.intp, count=len(keys))

    def with_metadata(self, **changes: str) -> FactorModel:
        """Return a copy with metadata fields changed (``name``, ``version``, ...).

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.load_model("toy").with_metadata(version="2").metadata.version
        '2'
        """
        problems: list[Problem] = []
        meta = build_metadata({**self._metadata.to_dict(), **changes}, "metadata", problems)
        if problems:
            raise ModelValidationError(problems, "metadata")
        return FactorModel._from_canonical(self._nodes, self._edges, meta,
                                           self._warnings)._with_tables(self._tables)

    # ------------------------------------------------------------------ networkx

    def to_networkx(self) -> nx.DiGraph:
        """The model as a ``networkx.DiGraph`` (a new graph each call).

        Graph attributes hold the metadata, node attributes the node columns,
        edge attributes the edge columns (missing uncertainty values are left
        out). ``FactorModel.from_networkx(m.to_networkx()) == m``.

        Examples
        --------
        >>> import factormodel as fm
        >>> G = fm.load_model("toy").to_networkx()
        >>> G.edges["schoolverzuim", "vsv"]["weight"]
        0.3
        >>> fm.FactorModel.from_networkx(G) == fm.load_model("toy")
        True
        """
        import networkx as nx

        G = nx.DiGraph(**self._metadata.to_dict())
        for node_id, node in self._nodes.iterrows():  # the tables' column names are str
            G.add_node(node_id, **cast(dict[str, Any], node.to_dict()))
        for row in cast(list[dict[str, Any]], self._edges.to_dict("records")):
            s, t = row.pop("source"), row.pop("target")
            G.add_edge(s, t, **{k: v for k, v in row.items()
                                if not (isinstance(v, float) and math.isnan(v))})
        return G

    @classmethod
    def from_networkx(cls, G: nx.DiGraph) -> FactorModel:
        """Build a model from a ``networkx.DiGraph`` with the model's attributes.

        Node attributes need ``kind, setting, label_nl, label_en, phases,
        modifiable`` (and ``desired`` for outcomes); edge attributes need
        ``weight, strength, source_ref``. Graph attributes become metadata.
        """
        if not G.is_directed() or G.is_multigraph():
            raise ModelValidationError([Problem("graph", "expected a networkx.DiGraph, got "
                                                f"{type(G).__name__}")], "graph")
        nodes = pd.DataFrame([{"id": n, **d} for n, d in G.nodes(data=True)])
        if nodes.empty:
            nodes = pd.DataFrame(columns=list(NODE_COLUMNS))
        edges = pd.DataFrame([{"source": s, "target": t, **d} for s, t, d in G.edges(data=True)])
        if edges.empty:
            edges = pd.DataFrame(columns=list(EDGE_COLUMNS))
        problems: list[Problem] = []
        # GraphML readers add node_default / edge_default; they are not model metadata
        attrs = {k: v for k, v in G.graph.items() if k not in ("node_default", "edge_default")}
        meta = build_metadata(attrs or {"name": "unnamed"}, "graph attributes",
                              problems, strict=False)
        return cls._build(nodes, edges, meta, TableSource("graph nodes"),
                          TableSource("graph edges"), problems, label="graph")

    # ------------------------------------------------------------------ summary

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: counts by kind and setting, edges by strength, sources.

        Examples
        --------
        >>> import factormodel as fm
        >>> s = fm.load_model("toy").summary()
        >>> s["nodes"], s["edges"], s["edges_by_strength"]["matig"]
        (6, 7, 4)
        """
        nodes, edges = self._nodes, self._edges
        kind_of = nodes["kind"].to_dict()
        by_ks: dict[str, dict[str, int]] = {}
        for kind in vocab.KINDS:
            sub = nodes[nodes["kind"] == kind]
            if len(sub):
                by_ks[kind] = {k: int(v) for k, v in sub["setting"].value_counts().items()}
        types = Counter(
            f"{'outcome' if kind_of[s] == 'outcome' else 'factor'} -> "
            f"{'outcome' if kind_of[t] == 'outcome' else 'factor'}"
            for s, t in zip(edges["source"], edges["target"], strict=True))
        expert = edges["source_ref"].str.strip().str.lower() == vocab.EXPERT_JUDGEMENT
        has_unc = edges["sd"].notna() | edges["low"].notna()
        refs = Counter(edges["source_ref"])
        m = self._metadata
        return {
            "name": m.name, "version": m.version, "status": m.status,
            "description": m.description, "citation": m.citation, "licence": m.licence,
            "nodes": self.n_nodes, "factors": self.n_nodes - len(self.outcomes),
            "outcomes": len(self.outcomes),
            "modifiable_factors": int((nodes["modifiable"] & (nodes["kind"] != "outcome")).sum()),
            "edges": self.n_edges,
            "nodes_by_kind_and_setting": by_ks,
            "edges_by_type": dict(sorted(types.items())),
            "edges_by_strength": {s: int((edges["strength"] == s).sum())
                                  for s in vocab.STRENGTHS},
            "edges_expert_judgement": int(expert.sum()),
            "edges_with_uncertainty": int(has_unc.sum()),
            "weight_range": [float(edges["weight"].min()), float(edges["weight"].max())],
            "cyclic": not self.structure.acyclic,
            "distinct_sources": len(refs),
            "top_sources": [{"source_ref": k, "edges": v} for k, v in refs.most_common(5)],
        }


def _as_frame(data: Any, index_name: str | None = None) -> pd.DataFrame:
    """Accept a DataFrame (optionally indexed by ``id``) or a sequence of mappings."""
    if isinstance(data, pd.DataFrame):
        frame = data
        if index_name and index_name not in frame.columns and frame.index.name == index_name:
            frame = frame.reset_index()
        return frame
    records = list(data)
    return pd.DataFrame.from_records(records) if records else pd.DataFrame()


def _carried(tables: Mapping[str, Any] | None) -> dict[str, tuple[pd.DataFrame, TableSource]]:
    return {str(k): (_as_frame(v), TableSource(str(k))) for k, v in (tables or {}).items()}


def _weights_frame(weights: Any) -> pd.DataFrame:
    if isinstance(weights, pd.DataFrame):
        frame = weights.copy()
        if isinstance(frame.index, pd.MultiIndex) and list(frame.index.names) == ["source",
                                                                                  "target"]:
            frame = frame.reset_index()
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        return frame
    if isinstance(weights, pd.Series):
        return weights.rename("weight").rename_axis(["source", "target"]).reset_index()
    if isinstance(weights, Mapping):
        return pd.DataFrame([{"source": s, "target": t, "weight": w}
                             for (s, t), w in weights.items()],
                            columns=["source", "target", "weight"])
    raise InvalidArgumentTypeError(
        "weights must be a DataFrame, a Series indexed by (source, target), "
        f"or a mapping {{(source, target): weight}}, got {type(weights).__name__}")


def _rebuild(nodes: pd.DataFrame, edges: pd.DataFrame, metadata: ModelMetadata,
             warns: tuple[Problem, ...], tables: Mapping[str, Any]) -> FactorModel:
    """A model from the parts :meth:`FactorModel.__reduce__` pickled (already validated)."""
    obj = FactorModel.__new__(FactorModel)
    obj._set(nodes, edges, metadata, warns, tables)
    return obj
