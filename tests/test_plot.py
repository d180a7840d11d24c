"""Figures: they draw what they claim, stay readable at the real model's size, and never
show or save anything by themselves."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import factormodel as fm


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def label_overlaps(ax) -> list[tuple[str, str]]:
    """Pairs of text labels whose rendered boxes intersect."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]


def test_full_graph_is_readable(rotterdam):
    ax = fm.plot_graph(rotterdam)
    node_labels = [t for t in ax.texts if t.get_fontsize() < 9]
    assert len(node_labels) == rotterdam.n_nodes
    assert label_overlaps(ax) == []
    assert "reconstruction" in ax.get_title()
    assert len(ax.patches) == rotterdam.n_edges


def test_outcome_focus_is_readable_and_highlights(rotterdam):
    ax = fm.plot_outcome(rotterdam, "vsv", top_paths=6, lang="en")
    assert label_overlaps(ax) == []
    coloured = [p for p in ax.patches if p.get_zorder() == 3]
    assert 1 <= len(coloured) <= 6 * 4  # edges on the six strongest paths
    assert ax.get_title().startswith("What drives early school leaving")


def test_outcome_without_drivers(toy):
    with pytest.raises(fm.InvalidParameterError, match="nothing in the model drives"):
        fm.plot_outcome(toy, "armoede")


def test_contributions_waterfall_ends_at_the_total(rotterdam):
    r = fm.propagate(rotterdam, dict.fromkeys(rotterdam.factors[:15], 0.5))
    ax = fm.plot_contributions(r, "vsv", top=5)
    bars = ax.patches
    assert len(bars) == 7  # five inputs, 'other', total
    end = bars[-2].get_x() + bars[-2].get_width()
    assert end == pytest.approx(r.deltas["vsv"])
    assert bars[-1].get_width() == pytest.approx(r.deltas["vsv"])
    batch = fm.propagate(rotterdam, pd.DataFrame({"schoolverzuim": [1.0, -1.0]}))
    with pytest.raises(fm.InvalidParameterError, match="pass scenario"):
        fm.plot_contributions(batch, "vsv")
    assert fm.plot_contributions(batch, "vsv", scenario=1).patches


def test_profile_turns_bars_towards_better(toy):
    prof = pd.Series({"armoede": 1.0, "opvoedklimaat": 1.0, "vsv": np.nan}, name="A")
    ax = fm.plot_profile(toy, prof, lang="en")
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [-1.0, 1.0]  # more poverty is worse, more parenting climate better
    assert "1 not measured" in ax.get_title()
    with pytest.raises(fm.InvalidParameterError, match="pass area"):
        fm.plot_profile(toy, pd.concat([prof.to_frame().T, prof.rename("B").to_frame().T]))


def test_recommendation_plot_and_intervals(toy):
    rec = fm.recommend(toy, pd.Series({"schoolverzuim": 0.5, "opvoedklimaat": -1.0}), ["vsv"],
                       area="A")
    intervals = pd.DataFrame({"low": [0.1, 0.05], "high": [0.3, 0.2]},
                             index=["schoolverzuim", "opvoedklimaat"])
    ax = fm.plot_recommendation(rec, intervals=intervals)
    assert len(ax.patches) == 2 and ax.containers
    with pytest.raises(fm.InvalidParameterError, match="no recommended factors"):
        fm.plot_recommendation(rec.assign(status="not measured"))


def test_heatmap_masks_unmeasured(rotterdam):
    profile = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="wijk")
    ax = fm.plot_heatmap(rotterdam, profile, max_columns=40)
    prof = profile.deltas
    data = ax.images[0].get_array()
    measured_count = sum(prof[c].notna().any() for c in prof)
    assert data.shape == (len(prof), min(40, measured_count))
    measured = [c for c in rotterdam.node_ids if c in prof and prof[c].notna().any()]
    chosen = sorted(measured, key=lambda c: -prof[c].notna().sum())[:40]
    assert np.ma.getmaskarray(data).sum() == int(prof[chosen].isna().sum().sum())
    assert np.ma.getmaskarray(data).sum() > 0  # the example data have unmeasured cells


def test_plot_functions_never_show(monkeypatch, toy):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("show() was called"))
    _fig, ax = plt.subplots()
    assert fm.plot_graph(toy, ax=ax) is ax


def test_bad_language(toy):
    with pytest.raises(fm.InvalidParameterError, match="lang"):
        fm.plot_graph(toy, lang="fr")


def test_plot_validation_labels_and_legend():
    v = fm.validate(fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam"),
                    outcomes=["vsv", "neet"], folds=4)
    ax = fm.plot_validation(v, "neet", target="change")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("model: r ") for t in texts)
    assert any(t.startswith("city mean: r –") for t in texts)
    assert any(t.startswith("OLS: ") for t in texts) and "perfect prediction" in texts
    assert "SYNTHETIC DATA" in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "observed (percentage points)"
    assert "neet_18_26" in ax.get_title()
    with pytest.raises(fm.InvalidParameterError, match="vsv_nieuw"):
        fm.plot_validation(v, "geweld")


def test_profile_figures_say_synthetic_or_credit_real_data():
    m = fm.load_model("rotterdam-jeugd")
    synth = fm.profile(m, fm.load_example_data("rotterdam"))
    ax = fm.plot_profile(m, synth, area="Oud-Crooswijk")
    assert "SYNTHETIC DATA" in [t.get_text() for t in ax.texts]
    real = fm.profile(m, fm.load_example_data("cbs_kwb2017"),
                      indicators=fm.load_example_indicators("cbs_kwb2017"))
    ax = fm.plot_profile(m, real, area="Oude Westen")
    texts = [t.get_text() for t in ax.texts]
    assert "SYNTHETIC DATA" not in texts
    assert any("Kerncijfers wijken en buurten 2017 (83765NED)" in t for t in texts)
    plt.close("all")
