"""Figures: factor graphs, an outcome's drivers, contributions, profiles, rankings, heatmaps.

Every function draws on a matplotlib ``Axes`` (a new figure sized to the content
when ``ax`` is None) and returns it. Nothing here calls ``show()`` or writes
files; save with ``ax.figure.savefig(...)``. matplotlib is imported only here.

Colours: risk factors red, protective factors green, outcomes blue; positive
edges dark grey, negative edges purple dashed, width by |weight|. Every marker
and colour is explained in a legend or in the axis label.

Figures that show areas name the area and what it is measured against, and a
figure drawn from synthetic data says so inside the figure ("SYNTHETISCHE
DATA" / "SYNTHETIC DATA", in the title), so that a copied image cannot be taken
for measurements. Long labels are wrapped, never cut.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
import math
import textwrap
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from factormodel import vocab
from factormodel.analysis.indicators import Profile, area_deltas, deltas_frame, reference_name
from factormodel.analysis.recommend import Recommendation
from factormodel.core.effects import strongest_paths, total_effects
from factormodel.core.model import FactorModel
from factormodel.errors import InvalidParameterError, NotConvergentError
from factormodel.tables._results import provenance_of
from factormodel.text import numbers as fmt

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import LegendLocType

    from factormodel.analysis.uncertainty import MonteCarloResult
    from factormodel.core.propagate import PropagationResult

__all__ = ["SYNTHETIC_LABEL", "detached", "figure_png", "plot_contributions", "plot_graph",
           "plot_heatmap", "plot_outcome", "plot_profile", "plot_recommendation", "plot_tornado",
           "plot_validation"]

KIND_COLOURS = {"risk": "#d7301f", "protective": "#1a9850", "outcome": "#2c7fb8"}
POSITIVE, NEGATIVE = "#444444", "#7b3294"
_COLUMNS = (*vocab.FACTOR_SETTINGS, "outcome")
_COLUMN_TITLES = {
    "nl": {"kind": "kind", "thuis": "thuis", "school": "school / werk", "wijk": "wijk",
           "digitaal": "digitaal", "outcome": "maatschappelijke resultaten"},
    "en": {"kind": "child", "thuis": "home", "school": "school / work", "wijk": "neighbourhood",
           "digitaal": "digital", "outcome": "outcomes"},
}


def _plt() -> Any:
    import matplotlib.pyplot as plt

    return plt


def _localised(plot: Any) -> Any:
    """Decorator: a Dutch figure (``lang="nl"``, the default) gets decimal commas on its
    numeric tick labels (colour bars included), as in its titles and labels."""
    @functools.wraps(plot)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ax = plot(*args, **kwargs)
        if str(kwargs.get("lang", "nl")).lower() == "nl":
            _decimal_commas(ax.figure)
        return ax

    return wrapper


def _decimal_commas(figure: Any) -> None:
    """Every axis of ``figure`` that shows matplotlib's plain numbers: with a decimal comma."""
    from matplotlib.ticker import ScalarFormatter

    class CommaFormatter(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", ",")

        def get_offset(self) -> str:
            return super().get_offset().replace(".", ",")

    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(CommaFormatter())


#: Set inside :func:`detached`: the figures made there, outside pyplot.
_DETACHED: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "factormodel_detached_figures", default=None)


@contextlib.contextmanager
def detached() -> Iterator[list[Any]]:
    """Within this block, a plot that makes its own figure makes a matplotlib ``Figure``
    outside pyplot: no global pyplot state, so threads never share a figure, pyplot's
    "More than 20 figures" warning never counts them, and nothing stays open. On leaving
    the block, on every path (an error included), every figure made in it is closed.

    The state is a context variable, so it holds for this thread (or task) only.
    Yields the list of the figures made in the block.

    Examples
    --------
    >>> import factormodel as fm
    >>> import matplotlib.pyplot as plt
    >>> before = plt.get_fignums()
    >>> with fm.plot.detached() as made:
    ...     png = fm.plot.figure_png(fm.plot_graph(fm.load_model("toy")), dpi=30)
    >>> len(made), plt.get_fignums() == before, png[1:4]
    (1, True, b'PNG')
    """
    made: list[Any] = []
    token = _DETACHED.set(made)
    try:
        yield made
    finally:
        _DETACHED.reset(token)
        for fig in made:
            _close(fig)


def _close(fig: Any) -> None:
    """Close a figure: pyplot forgets it (if it knew it) and its artists are released."""
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")  # never imported just to close
    if pyplot is not None:
        pyplot.close(fig)
    fig.clear()


def _root(ax: Axes) -> Figure:
    """The figure that holds ``ax``, the root one when ``ax`` is in a subfigure (only a
    root figure has a size, saves and closes). A (sub)figure's ``figure`` is its root
    figure (a figure's is itself)."""
    return ax.figure.figure


def _new_ax(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    made = _DETACHED.get()
    if made is not None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=size, layout="constrained")
        made.append(fig)
        return fig.add_subplot()
    _, new = _plt().subplots(figsize=size, layout="constrained")
    return new


def figure_png(ax: Axes, *, dpi: int = 100) -> bytes:
    """The figure of ``ax`` as PNG bytes (cropped to its content), and the figure closed.

    For embedding a figure in a document (the wijkrapport) without a file. A figure laid
    out by a layout engine (every ``plot_*`` figure: constrained layout) already fits its
    content and is saved as it is; any other is cropped with ``bbox_inches="tight"``,
    whose search for the content's extent walks every text again (a fifth of the
    figures' CPU time in a wijkrapport when it was done for every figure).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm
    >>> fm.plot.figure_png(fm.plot_graph(fm.load_model("toy")), dpi=40)[:4]
    b'\x89PNG'
    """
    from io import BytesIO

    buf = BytesIO()
    fig = _root(ax)
    try:
        fitted = fig.get_layout_engine() is not None
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches=None if fitted else "tight")
    finally:
        _close(fig)
    return buf.getvalue()


def _lang(lang: str) -> str:
    if lang not in ("nl", "en"):
        raise InvalidParameterError(f"lang must be 'nl' or 'en', got {lang!r}")
    return lang


def _labels(model: FactorModel, lang: str, ids: Any = None) -> pd.Series:
    labels = model.node_values(f"label_{_lang(lang)}")
    return labels if ids is None else labels.loc[list(ids)]


def _wrap(text: str, width: int = 38) -> str:
    """``text`` broken into lines of at most ``width`` characters (never cut)."""
    return "\n".join(textwrap.wrap(str(text), width, break_on_hyphens=False)) or str(text)


def _num(x: float, lang: str, spec: str = "+.2f") -> str:
    """A number as a reader of ``lang`` writes it (Dutch: decimal comma), ``spec`` a format
    of fixed decimals (``+.2f``) or ``g`` (as many as it needs). A value that is not zero
    never reads as zero: it gets the decimals its first digit needs (``+0,0004``)."""
    if spec == "g":
        return format(x, "g").replace(".", ",") if lang == "nl" else format(x, "g")
    return fmt.number(x, int(spec.strip("+.f")), lang, sign=spec.startswith("+"),
                      grouping=False, significant=True)


#: What a figure drawn from synthetic data says inside itself.
SYNTHETIC_LABEL = {"nl": "SYNTHETISCHE DATA: geen metingen",
                   "en": "SYNTHETIC DATA: not measurements"}
_STATUS = {"nl": {"reconstruction": "reconstructie, niet het officiële model",
                  "illustrative": "illustratief voorbeeld", "official": "officieel model"},
           "en": {"reconstruction": "reconstruction, not the official model",
                  "illustrative": "illustrative example", "official": "official model"}}


def _about(source: Any, lang: str, *, area: Any = None, reference: str | None = None,
           synthetic: bool | None = None) -> dict[str, Any]:
    """Area, reference (in ``lang``), year and synthetic status of what a figure shows.

    Explicit arguments win; otherwise what ``source`` records it was computed from (a
    Profile, a result's ``provenance``, a table's ``attrs``: see
    :func:`factormodel._results.provenance_of`). The one place a figure learns that its
    data are synthetic.
    """
    record = provenance_of(source)
    return {"area": area if area is not None else record.get("area"),
            "reference": reference if reference is not None
            else record.get(f"reference_{lang}"),
            "year": record.get("year"),
            "synthetic": bool(synthetic) if synthetic is not None
            else bool(record.get("synthetic", False))}


def _is_synthetic(source: Any, synthetic: bool | None) -> bool:
    """An explicit ``synthetic=`` wins; otherwise what ``source`` records (see :func:`_about`)."""
    return _about(source, "en", synthetic=synthetic)["synthetic"]


def _title(ax: Axes, main: str, lang: str, *, area: Any = None, reference: str | None = None,
           year: Any = None, synthetic: bool = False, width: int = 80) -> None:
    """Title with a second line naming the area, its reference and synthetic data; lines
    wrap at ``width`` characters (narrower for axes beside long tick labels)."""
    nl = lang == "nl"
    parts = []
    if area is not None:
        parts.append(f"{area}" + (f" ({year})" if year is not None else ""))
    if reference:
        parts.append(("tegenover " if nl else "against ") + reference)
    lines = [_wrap(line, width) for line in main.split("\n")] \
        + [_wrap(", ".join(parts), width)] * bool(parts)
    if synthetic:
        lines.append(SYNTHETIC_LABEL[lang])
    ax.set_title("\n".join(lines), fontsize=11)


def _legend_below(ax: Axes, handles: list, ncol: int = 1) -> None:
    """A legend under the axis label (a fixed distance below the axes), covering no data."""
    from matplotlib.transforms import offset_copy

    below = offset_copy(ax.transAxes, fig=_root(ax), y=-0.45, units="inches")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              bbox_transform=below, fontsize=8, ncol=ncol, frameon=False)


def _status(model: FactorModel, lang: str) -> str:
    status = model.metadata.status
    return _STATUS[lang].get(status, status)


def _draw_edges(ax: Axes, pos: Mapping[str, tuple[float, float]], edges: pd.DataFrame,
                max_w: float, *, alpha: float = 0.55, highlight: set | None = None,
                rad: float = 0.12) -> None:
    from matplotlib.patches import FancyArrowPatch

    for s, t, w in zip(edges["source"], edges["target"], edges["weight"], strict=True):
        if s not in pos or t not in pos:
            continue
        strong = highlight is not None and (s, t) in highlight
        lw = 0.4 + 2.6 * abs(w) / max_w
        same_column = math.isclose(pos[s][0], pos[t][0])
        length = math.dist(pos[s], pos[t])
        # a bow of constant height: long edges must not sweep out of the figure
        bend = 0.25 if same_column else min(rad, 0.4 / max(length, 1e-9))
        arrow = FancyArrowPatch(
            pos[s], pos[t], arrowstyle="-|>", mutation_scale=7,
            connectionstyle=f"arc3,rad={bend}",
            color=(POSITIVE if w > 0 else NEGATIVE) if highlight is None or strong else "#bbbbbb",
            linestyle="-" if w > 0 else (0, (4, 2)), linewidth=lw * (1.6 if strong else 1),
            alpha=0.95 if strong else alpha, shrinkA=4, shrinkB=5,
            zorder=3 if strong else 1)
        ax.add_patch(arrow)


def _legend(ax: Axes, lang: str, loc: LegendLocType = "lower left", *, grey: bool = False,
            ncol: int | None = None) -> None:
    from matplotlib.lines import Line2D

    nl = lang == "nl"
    handles = [Line2D([], [], marker="o", linestyle="", color=c, markersize=8,
                      markeredgecolor="white",
                      label={"risk": "risicofactor" if nl else "risk factor",
                             "protective": "beschermende factor" if nl else "protective factor",
                             "outcome": "maatschappelijk resultaat" if nl else "outcome"}[k])
               for k, c in KIND_COLOURS.items()]
    handles.append(Line2D([], [], marker="o", linestyle="", color="#bbbbbb", markersize=8,
                          markeredgecolor="black",
                          label="zwarte rand: context, niet te beïnvloeden" if nl
                          else "black rim: context, not modifiable"))
    handles += [Line2D([], [], color=POSITIVE,
                       label="+ gewicht (meer → meer)" if nl else "+ weight (more → more)"),
                Line2D([], [], color=NEGATIVE, linestyle="--",
                       label="− gewicht (meer → minder)" if nl else "− weight (more → less)")]
    if grey:
        handles.append(Line2D([], [], color="#bbbbbb",
                              label="grijs: overige verbindingen" if nl else "grey: other links"))
    ax.legend(handles=handles, loc=loc, fontsize=8, frameon=True,
              ncol=ncol or len(handles))


@_localised
def plot_graph(model: FactorModel, *, ax: Axes | None = None, lang: str = "nl",
               min_abs_weight: float = 0.0) -> Axes:
    """The whole factor graph in columns: one per setting, outcomes at the right.

    Nodes are coloured by kind, edges by sign (width by ``|weight|``). Within a
    column, nodes are ordered by their total effect on the outcomes, so that
    lines cross less. Labels stand beside their node, never on top of others.

    Parameters
    ----------
    min_abs_weight : float
        Leave out edges weaker than this (the graph stays complete otherwise).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm
    >>> ax = fm.plot_graph(fm.load_model("toy"), lang="en")
    >>> len(ax.texts) >= 6
    True
    """
    lang = _lang(lang)
    nodes = model.nodes
    column = np.where(nodes["kind"] == "outcome", "outcome", nodes["setting"])
    present = [c for c in _COLUMNS if c in set(column)]
    W = model.weight_matrix
    try:  # order each column by total effect on the outcomes: fewer crossings
        reach = (np.abs(total_effects(model, targets=list(model.outcomes)).to_numpy()).sum(axis=1)
                 if model.outcomes else np.asarray(abs(W).sum(axis=1)).ravel())
    except NotConvergentError:  # the graph itself can be drawn; only the ordering needs T
        reach = np.asarray(abs(W).sum(axis=1)).ravel()
    rows = {c: [n for n in np.array(model.node_ids)[np.argsort(-reach, kind="stable")]
                if column[model.positions([n])[0]] == c] for c in present}
    tallest = max(len(v) for v in rows.values())
    width = 3.2 * len(present)
    labels = _labels(model, lang)
    two_lines = any(len(t) > 38 for t in labels)
    ax = _new_ax(ax, (max(8.0, width), max(4.5, (0.40 if two_lines else 0.32) * tallest + 1.8)))
    pos = {}
    for i, c in enumerate(present):
        ids = rows[c]
        for k, n in enumerate(ids):
            pos[n] = (i * 3.0, (tallest - 1) / 2 - k * (tallest - 1) / max(len(ids) - 1, 1)
                      if len(ids) > 1 else 0.0)
    all_edges = model.edges
    edges = all_edges[all_edges["weight"].abs() >= min_abs_weight]
    max_w = float(all_edges["weight"].abs().max())
    _draw_edges(ax, pos, edges, max_w, alpha=0.35)
    for n, (x, y) in pos.items():
        kind = nodes.loc[n, "kind"]
        ax.scatter([x], [y], s=40, color=KIND_COLOURS[kind], zorder=4,
                   edgecolors="black" if kind != "outcome" and not nodes.loc[n, "modifiable"]
                   else "white", linewidths=0.8)
        ax.text(x + 0.12, y, _wrap(labels[n]), fontsize=7, va="center", ha="left", zorder=5,
                linespacing=0.95,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    for x, c in enumerate(present):
        ax.text(x * 3.0, (tallest - 1) / 2 + 1.2, _COLUMN_TITLES[lang][c], fontsize=10,
                fontweight="bold", ha="left", va="bottom")
    ax.set_xlim(-0.5, 3.0 * (len(present) - 1) + 2.9)
    ax.set_ylim(-(tallest - 1) / 2 - 1.8, (tallest - 1) / 2 + 2.0)
    ax.axis("off")
    nl = lang == "nl"
    weak = ""
    if min_abs_weight:
        weak = (f" met |w| ≥ {_num(min_abs_weight, lang, 'g')}" if nl
                else f" with |w| ≥ {min_abs_weight:g}")
    ax.set_title(f"{model.name} ({_status(model, lang)}): {model.n_nodes} "
                 + (f"factoren en resultaten, {len(edges)} verbindingen" if nl else
                    f"factors and outcomes, {len(edges)} links") + weak, fontsize=11)
    _legend(ax, lang)
    return ax


@_localised
def plot_outcome(model: FactorModel, outcome: str, *, ax: Axes | None = None, lang: str = "nl",
                 top_paths: int = 8, alpha: float = 1.0) -> Axes:
    """Everything that drives one outcome, in layers by distance, strongest paths highlighted.

    Nodes are placed in columns by the length of their shortest path to the
    outcome (the outcome at the right); within a column they are ordered by
    their total effect on it, largest first. The ``top_paths`` strongest
    paths (largest ``|product of weights|``) are drawn in colour, the rest in grey.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm
    >>> ax = fm.plot_outcome(fm.load_model("toy"), "vsv", top_paths=2)
    >>> sorted(t.get_text() for t in ax.texts)[:2]
    ['armoede in het huishouden  (+0,18)', 'goede schoolprestaties  (-0,40)']
    """
    import networkx as nx

    lang = _lang(lang)
    T = total_effects(model, alpha=alpha, targets=[outcome])[outcome]  # refuses divergence
    G = model.graph
    ancestors = nx.ancestors(G, outcome)
    if not ancestors:
        raise InvalidParameterError(f"nothing in the model drives {outcome!r}")
    dist = nx.single_source_shortest_path_length(G.reverse(copy=False), outcome)
    layers: dict[int, list[str]] = {}
    order = {n: i for i, n in enumerate(model.node_ids)}  # ties: the model's order, not the set's
    for n in sorted(ancestors, key=lambda n: (-abs(T[n]), order[n])):
        layers.setdefault(dist[n], []).append(n)
    depth = max(layers)
    tallest = max(len(v) for v in layers.values())
    ax = _new_ax(ax, (max(8.0, 3.4 * (depth + 1)), max(4.0, 0.42 * tallest + 2.0)))
    pos = {outcome: (3.0 * depth, 0.0)}
    for d, ids in layers.items():
        for k, n in enumerate(ids):
            pos[n] = (3.0 * (depth - d), (len(ids) - 1) / 2 - k)
    candidates = []
    for n in sorted(ancestors, key=model.node_ids.index):
        paths = strongest_paths(model, n, outcome, top=top_paths, alpha=alpha)
        candidates += [(abs(x), p) for p, x in zip(paths["nodes"], paths["product"], strict=True)]
    best = sorted(candidates, key=lambda c: -c[0])[:top_paths]
    highlight = {(a, b) for _, p in best for a, b in itertools.pairwise(p)}
    edges = model.edges
    keep = edges["source"].isin(pos) & edges["target"].isin(pos)
    max_w = float(edges["weight"].abs().max())
    _draw_edges(ax, pos, edges[keep], max_w, alpha=0.5, highlight=highlight, rad=0.08)
    labels = _labels(model, lang)
    kinds, modifiable = model.node_values("kind"), model.node_values("modifiable")
    for n, (x, y) in pos.items():
        ax.scatter([x], [y], s=70 if n == outcome else 40, color=KIND_COLOURS[kinds[n]], zorder=4,
                   edgecolors="black" if kinds[n] != "outcome" and not modifiable[n]
                   else "white")
        text = _wrap(labels[n]) + ("" if n == outcome else f"  ({_num(T[n], lang)})")
        ax.text(x - 0.1, y, text, fontsize=7.5, va="center", ha="right", zorder=5,
                linespacing=0.95,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.set_xlim(-2.9, 3.0 * depth + 0.5)
    ax.set_ylim(-tallest / 2 - 2.2, tallest / 2 + 0.8)
    ax.axis("off")
    nl = lang == "nl"
    ax.set_title((f"Wat drijft {labels[outcome]}?\n(totaal effect in SD tussen haakjes; de "
                  f"{top_paths} sterkste paden in kleur; {model.name}, {_status(model, lang)})")
                 if nl else
                 (f"What drives {labels[outcome]}?\n(total effect in SD in brackets; the "
                  f"{top_paths} strongest paths in colour; {model.name}, "
                  f"{_status(model, lang)})"), fontsize=11)
    _legend(ax, lang, grey=True, ncol=4)
    return ax


@_localised
def plot_contributions(result: PropagationResult, outcome: str, *, scenario: Any = None,
                       ax: Axes | None = None, lang: str = "nl", top: int = 10,
                       area: Any = None, reference: str | None = None,
                       synthetic: bool | None = None) -> Axes:
    """Waterfall: how each input adds up to the predicted delta of ``outcome``.

    Bars start where the previous one ended; the last bar is the total. Inputs
    beyond ``top`` are summed in one bar, so the waterfall always ends exactly
    at the predicted delta. Green bars move the outcome the desired way, red
    bars the other way (the legend says so).

    Parameters
    ----------
    area, reference : optional
        The area the inputs describe and what its deltas are measured against
        (e.g. ``profile.reference_name("nl")``), named in the title. By default
        what the result records (:attr:`PropagationResult.provenance`: inputs
        from ``prof.row(area)`` know their area, year and reference), else
        ``scenario``.
    synthetic : bool, optional
        The inputs come from synthetic data: the figure says so (by default
        when the result records synthetic inputs).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm
    >>> r = fm.propagate(fm.load_model("toy"), {"armoede": 1.0, "schoolverzuim": 0.5})
    >>> ax = fm.plot_contributions(r, "vsv")
    >>> [round(float(p.get_width()), 3) for p in ax.patches]
    [0.25, 0.08, 0.33]
    """
    lang = _lang(lang)
    nl = lang == "nl"
    contrib = result.contributions_to(outcome)
    if isinstance(contrib, pd.DataFrame):
        if scenario is None:
            raise InvalidParameterError("several scenarios were propagated; pass scenario=")
        contrib = contrib.loc[scenario]
    contrib = contrib.dropna()
    order = contrib.abs().sort_values(ascending=False).index
    shown = contrib[order[:top]]
    rest = float(contrib[order[top:]].sum()) if len(order) > top else None
    labels = _labels(result.model, lang)
    names = [_wrap(labels[i], 40) for i in shown.index]
    values = list(shown.to_numpy())
    if rest is not None:
        names.append(("overige" if nl else "other") + f" ({len(order) - top})")
        values.append(rest)
    total = float(sum(values))
    good = float(result.model.desired_sign[outcome])  # +1: higher is better
    two = any("\n" in n for n in names)
    ax = _new_ax(ax, (8.5, (0.6 if two else 0.45) * (len(values) + 1) + 2.0))
    start = 0.0
    for k, v in enumerate(values):
        ax.barh(k, v, left=start, color="#1a9850" if v * good > 0 else "#d7301f", height=0.6)
        ax.text(start + v, k, f" {_num(v, lang, '+.3f')} ", va="center",
                ha="left" if v >= 0 else "right", fontsize=8)
        start += v
    ax.barh(len(values), total, color="#2c7fb8", height=0.6)
    ax.text(total, len(values), f" {_num(total, lang, '+.3f')} ", va="center",
            ha="left" if total >= 0 else "right", fontsize=8, fontweight="bold")
    ax.set_yticks(range(len(values) + 1), [*names, "totaal" if nl else "total"], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("bijdrage aan de voorspelde verandering (SD)" if nl
                  else "contribution to the predicted change (SD)")
    from matplotlib.patches import Patch

    _legend_below(ax, [
        Patch(color="#1a9850", label="beweegt het resultaat de goede kant op" if nl
              else "moves the outcome the desired way"),
        Patch(color="#d7301f", label="beweegt het de verkeerde kant op" if nl
              else "moves it the wrong way"),
        Patch(color="#2c7fb8", label="totaal: voorspelde verandering" if nl
              else "total: predicted change")])
    about = _about(result, lang, area=area, reference=reference, synthetic=synthetic)
    _title(ax, (f"Wat draagt bij aan {labels[outcome]}?" if nl
                else f"What adds up to {labels[outcome]}?"), lang,
           area=about["area"] if about["area"] is not None else scenario,
           reference=about["reference"], year=about["year"], synthetic=about["synthetic"])
    _pad_x(ax)
    return ax


def _pad_x(ax: Axes, left: float = 0.12, right: float = 0.12) -> None:
    lo, hi = ax.get_xlim()
    span = hi - lo
    ax.set_xlim(lo - left * span, hi + right * span)


@_localised
def plot_profile(model: FactorModel, profile: Profile | pd.DataFrame | pd.Series, *,
                 area: Any = None,
                 ax: Axes | None = None, lang: str = "nl", top: int | None = 25,
                 synthetic: bool | None = None) -> Axes:
    """Diverging bars: how far an area is from its reference on each measured node.

    Bars point right when the area is *better* than the reference and left
    when worse (risk factors and problem outcomes are turned around), so the
    longest red bars are the biggest problems. Unmeasured nodes are listed
    in the title count, not drawn. The title names the area, the year and the
    reference; with synthetic data (a synthetic :class:`~factormodel.Profile`,
    or ``synthetic=True``) the figure says so.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm, pandas as pd
    >>> prof = pd.Series({"armoede": 1.0, "opvoedklimaat": 0.5, "vsv": float("nan")}, name="A")
    >>> ax = fm.plot_profile(fm.load_model("toy"), prof)
    >>> [round(float(p.get_width()), 2) for p in ax.patches]
    [-1.0, 0.5]
    """
    lang = _lang(lang)
    if not isinstance(profile, pd.Series) and area is None and len(deltas_frame(profile)) > 1:
        raise InvalidParameterError("pass area= to plot one row of a profile table")
    row, area = area_deltas(profile, area)
    good = (row * model.desired_sign.reindex(row.index)).dropna()
    unmeasured = int(row.isna().sum())
    order = good.sort_values()
    if top is not None and len(order) > top:
        order = order.head(top)
    labels = [_wrap(t, 46) for t in _labels(model, lang, order.index)]
    two = any("\n" in t for t in labels)
    ax = _new_ax(ax, (8.5, (0.36 if two else 0.28) * len(order) + 2.2))
    colours = ["#d7301f" if v < 0 else "#1a9850" for v in order]
    ax.barh(range(len(order)), order.to_numpy(), color=colours, height=0.7)
    ax.set_yticks(range(len(order)), labels, fontsize=7.5)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    nl = lang == "nl"
    ref = reference_name(profile, lang)
    # a long reference name (e.g. a mean computed from the areas) is named in the title;
    # the axis and the legend call it "the reference"
    short = ("de referentie" if nl else "the reference") if len(ref) > 30 else ref
    ax.set_xlabel((f"afstand tot {short} in SD tussen kinderen (rechts = beter)") if nl else
                  (f"distance from {short} in SD between children (right = better)"))
    from matplotlib.patches import Patch

    _legend_below(ax, [Patch(color="#d7301f", label=f"slechter dan {short}" if nl
                             else f"worse than {short}"),
                       Patch(color="#1a9850", label=f"beter dan {short}" if nl
                             else f"better than {short}")], ncol=2)
    _pad_x(ax, 0.05, 0.05)
    if len(order) == len(good):  # "10 van 10 gemeten" read as "10 of 10 factors"
        shown = (f"{len(good)} gemeten factoren en resultaten" if nl
                 else f"{len(good)} measured factors and outcomes")
    else:
        shown = (f"de {len(order)} grootste van {len(good)} gemeten factoren en resultaten"
                 if nl else f"the {len(order)} largest of {len(good)} measured factors and "
                 "outcomes")
    main = (f"Profiel: {shown}; {unmeasured} niet gemeten" if nl
            else f"Profile: {shown}; {unmeasured} not measured")
    _title(ax, main, lang, area=area, reference=ref,
           year=profile.year if isinstance(profile, Profile) else None,
           synthetic=_is_synthetic(profile, synthetic))
    if isinstance(profile, Profile):  # the data's credit line, under the legend
        _data_label(ax, False, profile.credit(lang), below=62)
    return ax


def _data_label(ax: Axes, synthetic: bool, source: str, extra: str = "", *,
                lang: str = "en", below: float = 36) -> None:
    """Label synthetic data inside the figure; print the data's credit line under it
    (``below`` points under the axes)."""
    if synthetic:
        ax.text(0.98, 0.02, SYNTHETIC_LABEL[lang].split(":")[0], transform=ax.transAxes,
                ha="right", va="bottom", fontsize=12, color="#b35806", alpha=0.8,
                fontweight="bold")
    note = " ".join(t for t in (f"{source}." if source else "", extra) if t)
    if note:
        root = _root(ax)  # in a subfigure its position is a share of the subfigure's width
        inches = root.get_figwidth() * (ax.figure.bbox.width / root.bbox.width)
        width = max(60, int(inches * ax.get_position().width * 16))
        note = textwrap.fill(note, width)
        ax.annotate(note, xy=(0, 0), xycoords="axes fraction", xytext=(0, -below),
                    textcoords="offset points", fontsize=6.5, color="dimgrey", va="top")


def _intervals(intervals: Any, area: Any) -> tuple[pd.DataFrame, pd.Series | None, Any]:
    """``low``/``high`` per factor, rank stability per factor (or None), and the area."""
    scores = getattr(intervals, "scores", None)
    if scores is None:  # a plain table: low / high per factor
        if not {"low", "high"} <= set(intervals.columns):
            raise InvalidParameterError("intervals needs columns 'low' and 'high' (or pass a "
                                        "MonteCarloResult from factormodel.monte_carlo)")
        return intervals, None, area
    areas = scores.index.get_level_values("area").unique()
    if area is None:
        if len(areas) != 1:
            raise InvalidParameterError(f"the Monte Carlo result covers {len(areas)} areas; "
                                        "pass area= to say which one the ranking is for")
        area = areas[0]
    if area not in areas:
        from factormodel.errors import UnknownAreaError, close_matches

        raise UnknownAreaError(f"no area {area!r} in the Monte Carlo result; "
                               f"{close_matches(str(area), [str(a) for a in areas])}")
    return scores.xs(area, level="area"), intervals.rank_stability.loc[area], area


@_localised
def plot_recommendation(recommendation: Recommendation | pd.DataFrame, *, ax: Axes | None = None,
                        lang: str = "nl",
                        intervals: pd.DataFrame | MonteCarloResult | None = None,
                        area: Any = None, reference: str | None = None,
                        synthetic: bool | None = None) -> Axes:
    """Ranked target factors: score bars, with room, gain and evidence written beside them.

    Parameters
    ----------
    recommendation : Recommendation
        From :func:`factormodel.recommend` (one area), or its ``table``.
    intervals : MonteCarloResult or DataFrame, optional
        A :class:`~factormodel.MonteCarloResult` from :func:`factormodel.monte_carlo`
        (its score interval per factor is drawn as an error bar and its rank
        stability written beside the bar), or a table with ``low`` and ``high``
        score per factor (index).
    area, reference : optional
        The area (needed to pick it from a Monte Carlo result of several
        areas) and what its deltas are measured against, named in the title.
        By default what the recommendation records (``recommend(..., area=a)``
        on a :class:`~factormodel.Profile` knows the area, year and reference).
    synthetic : bool, optional
        The profile comes from synthetic data: the figure says so (by default
        when the recommendation was computed from a synthetic profile).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm, pandas as pd
    >>> rec = fm.recommend(fm.load_model("toy"), pd.Series({"schoolverzuim": 0.5,
    ...                    "opvoedklimaat": -1.0}), ["vsv"], area="A")
    >>> len(fm.plot_recommendation(rec).patches)
    2
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lang = _lang(lang)
    nl = lang == "nl"
    about = _about(recommendation, lang, area=area, reference=reference, synthetic=synthetic)
    if synthetic is None and getattr(intervals, "synthetic", False):
        about["synthetic"] = True  # the Monte Carlo result was computed from synthetic data
    area = about["area"]
    table = recommendation.table if isinstance(recommendation, Recommendation) \
        else recommendation
    ranked = table[table["status"] == "recommended"]
    if ranked.empty:
        raise InvalidParameterError("no recommended factors to plot")
    stability = None
    label = "label_nl" if nl else "label_en"
    names = [f"{int(r)}. {_wrap(t, 40)}" for r, t in zip(ranked["rank"], ranked[label],
                                                          strict=True)]
    two = any("\n" in n for n in names)
    ax = _new_ax(ax, (9.5, (0.62 if two else 0.5) * len(ranked) + 2.2))
    ypos = np.arange(len(ranked))
    score = ranked["score"].to_numpy(dtype=float)
    ax.barh(ypos, score, color="#2c7fb8", height=0.6)
    right = score.copy()  # where the text beside each bar may start
    handles: list[Artist] = [Patch(color="#2c7fb8", label="score = ruimte × winst × bewijs"
                                   if nl else "score = room × gain × evidence")]
    if intervals is not None:
        table, stability, area = _intervals(intervals, area)
        lo = table.reindex(ranked["factor"])["low"].to_numpy(dtype=float)
        hi = table.reindex(ranked["factor"])["high"].to_numpy(dtype=float)
        ax.errorbar(score, ypos, xerr=[np.clip(score - lo, 0, None), np.clip(hi - score, 0, None)],
                    fmt="none", ecolor="black", capsize=3)
        right = np.fmax(right, hi)
        n = getattr(intervals, "n_valid", None)
        share = getattr(intervals, "interval", None)
        what = (f"{share:.0%}-interval" if share else "interval") if nl else \
            (f"{share:.0%} interval" if share else "interval")
        what += (f" over {n} gewichtstrekkingen" if nl else f" over {n} weight draws") \
            if n else ""
        handles.append(Line2D([], [], color="black", marker="|", label=what))
    for y, r, x in zip(ypos, ranked.itertuples(), right, strict=True):
        text = ((f"ruimte {_num(r.room, lang, '.2f')} × winst {_num(r.gain, lang, '.2f')} × "
                 f"bewijs {_num(r.evidence, lang, '.2f')}") if nl else
                (f"room {r.room:.2f} × gain {r.gain:.2f} × evidence {r.evidence:.2f}"))
        if stability is not None and r.factor in stability.index:
            top = getattr(intervals, "top", 3)
            share = float(stability[r.factor])
            text += (f"\nin de top {top} in {share:.0%} van de trekkingen" if nl
                     else f"\nin the top {top} in {share:.0%} of draws")
        ax.text(x, float(y), "  " + text.replace("\n", "\n  "), va="center", fontsize=7.5)
    ax.set_yticks(ypos, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, float(np.nanmax(right)) * 2.3)
    ax.set_xlabel("score: verwachte verbetering van de gekozen resultaten (SD) × bewijssterkte"
                  if nl else "score: expected improvement of the chosen outcomes (SD) × evidence")
    _legend_below(ax, handles, ncol=len(handles))
    _title(ax, "Aangrijpingspunten: factoren om op in te zetten" if nl else "Factors to target",
           lang, area=area, reference=about["reference"], year=about["year"],
           synthetic=about["synthetic"])
    notes = recommendation.notes if isinstance(recommendation, Recommendation) else []
    if notes:  # e.g. a sparse outcome column: disclose it inside the figure, under the legend
        ax.annotate("\n".join(textwrap.fill(n[lang], 110) for n in notes), xy=(0, 0),
                    xycoords="axes fraction", xytext=(0, -60), textcoords="offset points",
                    fontsize=7, va="top", color="#7a0000")
    return ax


_LEVEL_NAMES = {"nl": {"wijk": "Wijken", "gebied": "Gebieden", "buurt": "Buurten",
                       "gemeente": "Gemeenten"},
                "en": {"wijk": "Wijken (neighbourhoods)", "gebied": "Gebieden (districts)",
                       "buurt": "Buurten", "gemeente": "Municipalities"}}


@_localised
def plot_heatmap(model: FactorModel, table: Profile | pd.DataFrame, *, ax: Axes | None = None,
                 lang: str = "nl", oriented: bool = True, max_columns: int = 40,
                 synthetic: bool | None = None) -> Axes:
    """Areas × nodes heatmap of a profile (or any areas × nodes table in SD).

    With ``oriented=True`` values are turned so that red is always worse
    (risk above reference, protective below). Unmeasured cells are grey and
    marked with a dot, never coloured as zero. Only the ``max_columns`` nodes
    measured in most areas are shown. The title names the area level, year and
    reference of a :class:`~factormodel.Profile`, and synthetic data.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm, pandas as pd
    >>> prof = pd.DataFrame({"armoede": [1.0, -1.0], "vsv": [0.5, None]}, index=["A", "B"])
    >>> ax = fm.plot_heatmap(fm.load_model("toy"), prof)
    >>> ax.images[0].get_array().mask.sum()   # the unmeasured cell stays masked
    np.int64(1)
    """
    lang = _lang(lang)
    nl = lang == "nl"
    source = table
    table = deltas_frame(table)
    cols = [c for c in model.node_ids if c in table.columns and table[c].notna().any()]
    cols = sorted(cols, key=lambda c: -table[c].notna().sum())[:max_columns]
    cols = [c for c in model.node_ids if c in cols]
    values = table[cols].astype(float)
    if oriented:
        values = values * -model.desired_sign.loc[cols]  # positive = worse
    data = np.ma.masked_invalid(values.to_numpy())
    ax = _new_ax(ax, (max(8.0, 0.3 * len(cols) + 3.5), max(4.0, 0.26 * len(table) + 4.0)))
    import matplotlib as mpl

    cmap = mpl.colormaps["RdYlGn_r" if oriented else "RdBu_r"].with_extremes(bad="#dddddd")
    limit = float(np.nanmax(np.abs(values.to_numpy()))) if values.notna().any().any() else 1.0
    image = ax.imshow(data, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto",
                      interpolation="nearest")
    rows, columns = np.nonzero(np.ma.getmaskarray(data))
    ax.scatter(columns, rows, s=3, color="#888888", marker="o")
    labels = _labels(model, lang, cols)
    ax.set_xticks(range(len(cols)), list(labels), rotation=60, ha="right",
                  rotation_mode="anchor", fontsize=7)
    ax.set_yticks(range(len(table)), [str(a) for a in table.index], fontsize=7.5)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
    ref = _about(source, lang)["reference"] or reference_name(source, lang)
    bar.set_label((f"SD tegenover {ref}, rood = slechter" if nl
                   else f"SD against {ref}, red = worse") if oriented else "SD")
    level = source.level if isinstance(source, Profile) else ""
    name = _LEVEL_NAMES[lang].get(level, "Gebieden" if nl else "Areas")
    year = f" {source.year}" if isinstance(source, Profile) and source.year is not None else ""
    main = (f"{name}{year}: afstand tot {ref}\n(grijs met punt = niet gemeten)" if nl
            else f"{name}{year}: distance from {ref}\n(grey with a dot = not measured)")
    _title(ax, main, lang, synthetic=_is_synthetic(source, synthetic))
    return ax


@_localised
def plot_tornado(sensitivity_table: pd.DataFrame, *, ax: Axes | None = None, top: int = 15,
                 title: str | None = None, lang: str = "nl", area: Any = None,
                 synthetic: bool | None = None, reference: str | None = None) -> Axes:
    """Tornado diagram: which edge weights move a result most (one SD each).

    Parameters
    ----------
    sensitivity_table : DataFrame
        From :func:`factormodel.sensitivity` (``low``, ``high``, ``value``).
    title : str, optional
        Replaces the first title line (what the result is; by default the
        outcome or factor by its label, as the table records it).
    area, synthetic, reference : optional
        The area the result is for, whether its data are synthetic (the
        figure then says so) and what its deltas are measured against. By
        default what the table records: deltas from ``prof.row(area)`` know
        their area, year, reference and synthetic status.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import factormodel as fm
    >>> s = fm.sensitivity(fm.load_model("toy"), outcome="vsv", deltas={"armoede": 1.0})
    >>> len(fm.plot_tornado(s, top=3).patches)
    3
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lang = _lang(lang)
    nl = lang == "nl"
    rows = sensitivity_table.head(top)
    if rows.empty:
        raise InvalidParameterError("the sensitivity table is empty")
    value = float(rows["value"].iloc[0])
    ax = _new_ax(ax, (8.5, 0.4 * len(rows) + 2.2))
    ypos = np.arange(len(rows))
    ax.barh(ypos, rows["high"] - rows["low"], left=rows["low"], height=0.6, color="#2c7fb8")
    ax.axvline(value, color="black", linewidth=1)
    ax.set_yticks(ypos, [f"{s} → {t} ({_num(w, lang)})" for s, t, w in
                         zip(rows["source"], rows["target"], rows["weight"], strict=True)],
                  fontsize=8)
    ax.invert_yaxis()
    _pad_x(ax)
    ax.set_xlabel("uitkomst als het gewicht één SD omlaag / omhoog gaat (eerste orde)" if nl
                  else "result when the weight moves one SD down / up (first order)")
    _legend_below(ax, [
        Patch(color="#2c7fb8", label="bereik bij ±1 SD van dat gewicht" if nl
              else "range for ±1 SD of that weight"),
        Line2D([], [], color="black", label="uitkomst met de gewichten van het model" if nl
               else "result with the model's own weights")], ncol=1)
    about = _about(sensitivity_table, lang, area=area, reference=reference, synthetic=synthetic)
    main = title or _tornado_title(provenance_of(sensitivity_table), value, lang)
    _title(ax, main, lang, area=about["area"], reference=about["reference"], year=about["year"],
           synthetic=about["synthetic"], width=55)  # the axes sit right of long edge labels
    return ax


def _tornado_title(record: Mapping[str, Any], value: float, lang: str) -> str:
    """First title line of a tornado: what the value is, the node by its label."""
    nl = lang == "nl"
    label = record.get(f"label_{lang}")
    kind = record.get("value", "")  # sensitivity() records it beside the label
    shown = _num(value, lang, "+.3f")
    if label is None:  # a table without its record: say what is known
        return (f"Gevoeligheid voor de gewichten (uitkomst {shown})" if nl
                else f"Sensitivity to edge weights (value {shown})")
    if kind == "delta":
        return (f"Gevoeligheid van de voorspelde verandering van {label} voor de gewichten "
                f"({shown} SD)" if nl else
                f"Sensitivity of the predicted change of {label} to the edge weights "
                f"({shown} SD)")
    what = {"score": ("de score", "the score"), "gain": ("de winst", "the gain")}[kind]
    return (f"Gevoeligheid van {what[0]} van {label} voor de gewichten ({shown})" if nl
            else f"Sensitivity of {what[1]} of {label} to the edge weights ({shown})")


#: Words of plot_validation (Dutch, English); method names as in Validation.scores.
_VALIDATION_WORDS = {
    "nl": {"model": "model", "model (calibrated)": "model (gekalibreerd)",
           "city mean": "stadsgemiddelde", "best indicator": "beste indicator", "OLS": "OLS",
           "slope": "helling", "perfect": "perfecte voorspelling", "predicted": "voorspeld",
           "observed": "waargenomen", "value": "niveau", "change": "verandering t.o.v. vorig jaar",
           "pp": "procentpunt", "out-of-sample": "buiten de steekproef",
           "in-sample": "binnen de steekproef",
           "caveat": "Verbanden tussen gebieden zijn geen effecten op individuen."},
    "en": {"slope": "slope", "perfect": "perfect prediction", "predicted": "predicted",
           "observed": "observed", "value": "value", "change": "change from previous year",
           "pp": "percentage points", "out-of-sample": "out-of-sample",
           "in-sample": "in-sample",
           "caveat": "Area-level associations are not individual effects."},
}


@_localised
def plot_validation(validation: Any, indicator: str | None = None, *, target: str = "level",
                    sample: str = "out-of-sample", ax: Axes | None = None,
                    lang: str = "nl") -> Axes:
    """Observed against predicted values of one outcome indicator, with the baselines.

    Each area is a point per method (model, calibrated model, best indicator,
    OLS); the legend gives each method's ``r``, ``R²``, calibration slope and
    RMSE (the city mean has no ``r``: it predicts no difference between areas).
    The diagonal is a perfect prediction. Synthetic data are labelled inside
    the figure; the data's credit line is printed under it.

    Parameters
    ----------
    validation : Validation
        From :func:`factormodel.validate`.
    indicator : str, optional
        Outcome indicator (or outcome node) to show; default the first.
    target : {"level", "change"}
    sample : {"out-of-sample", "in-sample"}
    lang : {"nl", "en"}
        Language of the axis labels, title and legend.

    Examples
    --------
    >>> import factormodel as fm
    >>> v = fm.validate(fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam"),
    ...                 outcomes="vsv", folds=5)
    >>> fm.plot_validation(v).get_xlabel()
    'voorspeld (%)'
    >>> fm.plot_validation(v, lang="en").get_ylabel()
    'observed (%)'
    """
    nl = _lang(lang) == "nl"
    words = _VALIDATION_WORDS["nl" if nl else "en"]
    scores = validation.scores
    pred = validation.predictions
    if sample not in ("out-of-sample", "in-sample"):
        raise InvalidParameterError(f"sample must be 'out-of-sample' or 'in-sample', got "
                                    f"{sample!r}")
    inds = list(dict.fromkeys(scores["indicator"]))
    if indicator is None:
        indicator = inds[0]
    elif indicator not in inds:
        by_node = scores.loc[scores["node"] == indicator, "indicator"]
        if by_node.empty:
            raise InvalidParameterError(f"no validated indicator {indicator!r}; validated: "
                                        f"{', '.join(inds)}")
        indicator = by_node.iloc[0]
    sel = scores[(scores["indicator"] == indicator) & (scores["target"] == target)
                 & (scores["sample"] == sample)]
    if sel.empty:
        raise InvalidParameterError(f"no {target!r} scores for {indicator!r}; targets: "
                                    f"{', '.join(sorted(set(scores['target'])))}")
    unit = str(sel["unit"].iloc[0])
    ax = _new_ax(ax, (6.4, 5.6))
    style = {"model": ("o", "#2c7bb6", 1.0), "model (calibrated)": ("D", "#1a9641", 0.9),
             "best indicator": ("^", "#fdae61", 0.7), "OLS": ("s", "#d7191c", 0.6)}
    allv = []
    for r in sel.itertuples():
        p = pred[(pred["indicator"] == indicator) & (pred["target"] == target)
                 & (pred["sample"] == sample) & (pred["method"] == r.method)]
        def fmt(x: float, spec: str = "{:.2f}") -> str:
            return "–" if not np.isfinite(x) else spec.format(x)

        label = (f"{words.get(r.method, r.method)}: r {fmt(r.r)}, R² {fmt(r.r2)}, "
                 f"{words['slope']} {fmt(r.slope)}, RMSE {fmt(r.rmse)}")
        if r.method == "city mean":
            ax.plot([], [], ls="--", color="grey", label=label)
            ax.axvline(float(np.nanmean(p["predicted"])), ls="--", color="grey", lw=0.8)
            continue
        marker, color, alpha = style.get(r.method, ("x", "black", 0.7))
        ax.scatter(p["predicted"], p["observed"], marker=marker, color=color, alpha=alpha,
                   s=22 if r.method == "model" else 16, label=label, edgecolors="none")
        allv += [p["predicted"].to_numpy(dtype=float), p["observed"].to_numpy(dtype=float)]
    if allv:
        v = np.concatenate(allv)
        v = v[np.isfinite(v)]
        lo, hi = float(v.min()), float(v.max())
        pad = 0.05 * (hi - lo or 1.0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="black", lw=0.8,
                label=words["perfect"])
    what = words["change"] if target == "change" else words["value"]
    if target == "change" and unit == "%":
        unit = words["pp"]
    ax.set_xlabel(f"{words['predicted']} ({unit})")
    ax.set_ylabel(f"{words['observed']} ({unit})")
    ax.set_title(f"{indicator}: {what}, {validation.year}\n{validation.model}; "
                 f"{words[sample]}, {validation.folds}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    _data_label(ax, "synthetic" in (validation.data_status or ""), validation.data_source,
                words["caveat"], lang="nl" if nl else "en")
    return ax
