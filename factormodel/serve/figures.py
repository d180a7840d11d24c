"""Figures for the web page: the library's ``plot_*`` functions drawn on a fresh
matplotlib ``Figure`` (no pyplot state, so requests in parallel threads do not share
figures) and returned as inline PNG data.

Every figure names the model (and whether it is a reconstruction) above the plot;
a figure drawn from synthetic data says so inside the figure, in red.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from factormodel.core.model import FactorModel

__all__ = ["draw_figure", "figure_png", "provenance_line"]

_STATUS = {"nl": {"reconstruction": "reconstructie, niet het officiële model",
                  "illustrative": "illustratief model", "official": "officieel model"},
           "en": {"reconstruction": "reconstruction, not the official model",
                  "illustrative": "illustrative model", "official": "official model"}}
_SYNTHETIC = {"nl": "SYNTHETISCHE DATA – geen metingen",
              "en": "SYNTHETIC DATA – not measurements"}


def provenance_line(model: FactorModel, synthetic: bool, lang: str) -> str:
    """The line shown above every figure: model, its status, synthetic data.

    Examples
    --------
    >>> import factormodel as fm
    >>> provenance_line(fm.load_model("rotterdam-jeugd"), True, "nl")
    'rotterdam-jeugd (reconstructie, niet het officiële model) · SYNTHETISCHE DATA – geen metingen'
    """
    status = _STATUS[lang].get(model.metadata.status, model.metadata.status)
    line = f"{model.name} ({status})"
    return line + (f" · {_SYNTHETIC[lang]}" if synthetic else "")


def draw_figure(draw: Callable[[Any], Any], *, model: FactorModel, synthetic: bool, lang: str,
                width: float = 8.5, height: float | None = None) -> Figure:
    """Draw with ``draw(ax)`` on a new ``Figure`` headed by :func:`provenance_line`.

    Without ``height`` the figure grows with the number of y tick labels (bar
    charts of factors), at least 3 inches.

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("toy")
    >>> fig = draw_figure(lambda ax: fm.plot_outcome(m, "vsv", ax=ax), model=m,
    ...                   synthetic=True, lang="en", height=4)
    >>> fig.get_suptitle()
    'toy (illustrative model) · SYNTHETIC DATA – not measurements'
    """
    fig = Figure(figsize=(width, height or 4.0), layout="constrained")
    ax = fig.add_subplot()
    draw(ax)
    if height is None:
        fig.set_size_inches(width, max(3.0, 0.3 * len(ax.get_yticks()) + 2.0))
    colour = "#b30000" if synthetic else "#333333"
    fig.suptitle(provenance_line(model, synthetic, lang), fontsize=9, color=colour,
                 fontweight="bold" if synthetic else "normal")
    return fig


def figure_png(draw: Callable[[Any], Any], *, model: FactorModel, synthetic: bool, lang: str,
               width: float = 8.5, height: float | None = None, dpi: int = 110) -> str:
    """:func:`draw_figure` as a ``data:image/png;base64,...`` URI for an ``<img>``.

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("toy")
    >>> uri = figure_png(lambda ax: fm.plot_outcome(m, "vsv", ax=ax), model=m,
    ...                  synthetic=False, lang="nl", height=4)
    >>> uri.startswith("data:image/png;base64,")
    True
    """
    fig = draw_figure(draw, model=model, synthetic=synthetic, lang=lang, width=width,
                      height=height)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
