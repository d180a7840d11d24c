"""Figures: they draw what they claim, stay readable at the real model's size, and never
show or save anything by themselves."""

from __future__ import annotations

import dataclasses
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
    assert "reconstructie, niet het officiële model" in ax.get_title()
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
    # scores 0.061 and 0.016 (toy edges are expert judgement: weak evidence)
    intervals = pd.DataFrame({"low": [0.03, 0.01], "high": [0.1, 0.03]},
                             index=["schoolverzuim", "opvoedklimaat"])
    ax = fm.plot_recommendation(rec, intervals=intervals)
    assert len(ax.patches) == 2 and ax.containers
    with pytest.raises(fm.InvalidParameterError, match="no recommended factors"):
        fm.plot_recommendation(dataclasses.replace(rec, table=rec.table.assign(
            status="not measured")))
    # its table alone plots the same bars (without the notes the result carries)
    assert len(fm.plot_recommendation(rec.table, area="A").patches) == 2


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
    prof = pd.Series({"armoede": 1.0, "schoolverzuim": 0.5, "opvoedklimaat": -0.5}, name="A")
    rec = fm.recommend(toy, prof, ["vsv"], area="A")
    result = fm.propagate(toy, {"armoede": 1.0})
    calls = {
        "plot_graph": lambda ax: fm.plot_graph(toy, ax=ax),
        "plot_outcome": lambda ax: fm.plot_outcome(toy, "vsv", ax=ax),
        "plot_contributions": lambda ax: fm.plot_contributions(result, "vsv", ax=ax),
        "plot_profile": lambda ax: fm.plot_profile(toy, prof, ax=ax),
        "plot_recommendation": lambda ax: fm.plot_recommendation(rec, ax=ax),
        "plot_heatmap": lambda ax: fm.plot_heatmap(toy, prof.to_frame().T, ax=ax),
        "plot_tornado": lambda ax: fm.plot_tornado(
            fm.sensitivity(toy, outcome="vsv", deltas={"armoede": 1.0}), ax=ax),
        "plot_validation": lambda ax: fm.plot_validation(fm.validate(
            fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam"),
            outcomes="vsv", folds=3), ax=ax),
    }
    assert set(calls) == {n for n in fm.__all__ if n.startswith("plot_")}  # every one
    for name, call in calls.items():
        _fig, ax = plt.subplots()
        assert call(ax) is ax, name  # draws on the given Axes, returns it, never shows
        plt.close(_fig)


def test_outcome_labels_equal_the_public_total_effects(rotterdam):
    """Issue 11: the numbers a plot writes are the public results, not a private copy."""
    ax = fm.plot_outcome(rotterdam, "vsv", lang="en")
    T = fm.total_effects(rotterdam, targets=["vsv"])["vsv"]
    labels = fm.load_model("rotterdam-jeugd").nodes["label_en"]
    written = {}
    for t in ax.texts:
        text = t.get_text()
        if text.endswith(")") and "  (" in text:
            name, value = text.rsplit("  (", 1)
            written[name] = float(value.rstrip(")"))
    assert len(written) >= 10
    for node in T.index[T.abs() > 0]:
        short = labels[node] if len(labels[node]) <= 40 else None
        if short in written:
            assert written[short] == pytest.approx(T[node], abs=0.005), node


def test_plots_of_effects_refuse_a_divergent_model():
    """A 2-cycle with gain 1.44: total effects do not exist, so no plot may show numbers."""
    m = fm.FactorModel(
        nodes=[{"id": i, "kind": "risk", "setting": "school", "label_nl": i, "label_en": i,
                    "phases": "12-18", "modifiable": True} for i in ("a", "b")]
        + [{"id": "o", "kind": "outcome", "setting": "kansrijk", "label_nl": "o", "label_en": "o",
                "phases": "12-18", "modifiable": False, "desired": "lower"}],
        edges=[{"source": s, "target": t, "weight": w, "strength": "sterk", "source_ref": "x"}
               for s, t, w in (("a", "b", 1.2), ("b", "a", 1.2), ("b", "o", 0.5))])
    with pytest.raises(fm.NotConvergentError):
        fm.total_effects(m)
    with pytest.raises(fm.NotConvergentError):
        fm.plot_outcome(m, "o")
    with pytest.raises(fm.NotConvergentError):
        fm.plot_tornado(fm.sensitivity(m, outcome="o", deltas={"a": 1.0}, clamp=False))
    ax = fm.plot_graph(m)  # the graph itself has no effects to show: it is drawn
    assert not any("(" in t.get_text() for t in ax.texts)


def test_bad_language(toy):
    with pytest.raises(fm.InvalidParameterError, match="lang"):
        fm.plot_graph(toy, lang="fr")


def figure_texts(ax) -> list[str]:
    """Every text drawn in the figure: titles, labels, ticks, legends, annotations."""
    from matplotlib.text import Text

    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.figure.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def oud_crooswijk():
    model = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(model, fm.load_example_data("rotterdam"), level="wijk")
    goals = {"vsv": 2.0, "schoolsucces": 1.0}
    rec = fm.recommend(model, prof, goals, area="Oud-Crooswijk")
    mc = fm.monte_carlo(model, prof.deltas.loc[["Oud-Crooswijk", "Tarwewijk"]], goals,
                        n_draws=200, seed=1, progress=False)
    return model, prof, goals, rec, mc


def area_figures(model, prof, goals, rec, mc, lang):
    """Every figure that shows an area, drawn from the synthetic example data."""
    area = "Oud-Crooswijk"
    ref = prof.reference_name(lang)
    result = fm.propagate(model, prof.row(area)[list(model.factors)], missing="free")
    return {
        "profile": fm.plot_profile(model, prof, area=area, lang=lang),
        "heatmap": fm.plot_heatmap(model, prof, lang=lang),
        "recommendation": fm.plot_recommendation(rec, intervals=mc, area=area, lang=lang,
                                                 reference=ref, synthetic=prof.synthetic),
        "contributions": fm.plot_contributions(result, "vsv", lang=lang, area=area,
                                               reference=ref, synthetic=prof.synthetic),
        "tornado": fm.plot_tornado(fm.sensitivity(model, factor=rec["factor"][0],
                                                  outcomes=goals, profile=prof.row(area)),
                                   lang=lang, area=area, synthetic=prof.synthetic),
    }


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_area_figure_says_synthetic_names_area_and_cuts_nothing(oud_crooswijk, lang):
    """Issue 13: at the real model's size, every figure of the synthetic example data says
    so inside the figure, names its area (and reference), and no label is cut with '…'."""
    model, prof, goals, rec, mc = oud_crooswijk
    assert prof.synthetic
    marker = "synthetische data" if lang == "nl" else "synthetic data"
    for name, ax in area_figures(model, prof, goals, rec, mc, lang).items():
        texts = figure_texts(ax)
        assert any(marker in t.lower() for t in texts), name
        assert not any("…" in t for t in texts), name
        title = ax.get_title()
        if name != "heatmap":
            assert "Oud-Crooswijk" in title, name
        if name not in ("tornado",):
            assert prof.reference_name(lang) in "\n".join(texts), name
        assert ax.get_legend() is not None or name == "heatmap", name
        plt.close(ax.figure)


def test_figures_of_real_data_do_not_say_synthetic(oud_crooswijk):
    model, prof, *_ = oud_crooswijk
    real = fm.Profile(prof.deltas, reference=prof.reference, year=prof.year, level=prof.level)
    for ax in (fm.plot_profile(model, real, area="Oud-Crooswijk"),
               fm.plot_heatmap(model, real)):
        assert not any("synthetisch" in t.lower() for t in figure_texts(ax))
    assert "synthetische data" in " ".join(figure_texts(
        fm.plot_profile(model, real, area="Oud-Crooswijk", synthetic=True))).lower()


def test_recommendation_with_a_monte_carlo_result(oud_crooswijk):
    """Issue 13: plot_recommendation(intervals=mc) crashed with AttributeError."""
    *_, rec, mc = oud_crooswijk
    plain = rec.table  # a table that does not record its area: say which one
    with pytest.raises(fm.InvalidParameterError, match="pass area"):
        fm.plot_recommendation(plain, intervals=mc)
    # a recommendation records its area: that one is picked from the Monte Carlo result
    assert "Oud-Crooswijk" in fm.plot_recommendation(rec, intervals=mc).get_title()
    with pytest.raises(fm.UnknownAreaError):
        fm.plot_recommendation(rec, intervals=mc, area="Oud-Crooswjik")
    ax = fm.plot_recommendation(rec, intervals=mc, area="Oud-Crooswijk", lang="en")
    ranked = rec[rec["status"] == "recommended"]
    bars = ax.containers[-1]  # the error bars: exactly the Monte Carlo interval
    segments = bars.lines[2][0].get_segments()
    for (lo, _), (hi, _), factor in zip((s[0] for s in segments), (s[1] for s in segments),
                                        ranked["factor"], strict=True):
        low, high = mc.scores.loc[("Oud-Crooswijk", factor), ["low", "high"]]
        assert lo == pytest.approx(min(low, ranked.set_index("factor").loc[factor, "score"]))
        assert hi == pytest.approx(max(high, ranked.set_index("factor").loc[factor, "score"]))
    # the text beside each bar starts right of its error bar, and names rank stability
    ax.figure.canvas.draw()
    texts = [t for t in ax.texts if "evidence" in t.get_text()]
    assert len(texts) == len(ranked)
    for t, (_, (hi, _)) in zip(texts, segments, strict=True):
        assert t.get_position()[0] >= hi - 1e-12
        assert "in the top 3 in" in t.get_text()


def test_wrap_keeps_every_word():
    from factormodel.render.plot import _wrap

    text = "gezonde start (gezond geboortegewicht / geen vroeggeboorte)"
    assert _wrap(text, 38).replace("\n", " ") == text and "\n" in _wrap(text, 38)


def test_plot_validation_labels_and_legend():
    v = fm.validate(fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam"),
                    outcomes=["vsv", "neet"], folds=4)
    ax = fm.plot_validation(v, "neet", target="change", lang="en")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("model: r ") for t in texts)
    assert any(t.startswith("city mean: r –") for t in texts)
    assert any(t.startswith("OLS: ") for t in texts) and "perfect prediction" in texts
    assert "SYNTHETIC DATA" in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "observed (percentage points)"
    assert "neet_18_26" in ax.get_title()
    nl = fm.plot_validation(v, "neet", target="change")   # Dutch by default
    assert nl.get_ylabel() == "waargenomen (procentpunt)"
    assert any(t.get_text().startswith("stadsgemiddelde: r –")
               for t in nl.get_legend().get_texts())
    with pytest.raises(fm.InvalidParameterError, match="vsv_nieuw"):
        fm.plot_validation(v, "geweld")


def test_profile_figures_say_synthetic_or_credit_real_data():
    m = fm.load_model("rotterdam-jeugd")
    synth = fm.profile(m, fm.load_example_data("rotterdam"))
    ax = fm.plot_profile(m, synth, area="Oud-Crooswijk")  # Dutch by default
    assert any("SYNTHETISCHE DATA" in t for t in figure_texts(ax))
    assert any("SYNTHETIC DATA" in t for t in figure_texts(
        fm.plot_profile(m, synth, area="Oud-Crooswijk", lang="en")))
    real = fm.profile(m, fm.load_example_data("cbs_kwb2017"),
                      indicators=fm.load_example_indicators("cbs_kwb2017"))
    ax = fm.plot_profile(m, real, area="Oude Westen")
    texts = figure_texts(ax)
    assert not any("SYNTHETI" in t for t in texts)
    assert any("Kerncijfers wijken en buurten 2017 (83765NED)" in t for t in texts)
    plt.close("all")


def test_an_axes_in_a_subfigure_gets_its_credit_line_and_its_png():
    """An axes the caller placed in a subfigure: the credit line is wrapped to the root
    figure's width and figure_png saves and closes the root figure (both asked a
    SubFigure for what only a Figure has: an AttributeError and a TypeError before)."""
    m = fm.load_model("rotterdam-jeugd")
    real = fm.profile(m, fm.load_example_data("cbs_kwb2017"),
                      indicators=fm.load_example_indicators("cbs_kwb2017"))
    fig = plt.figure(figsize=(14, 7), layout="constrained")
    left, _ = fig.subfigures(1, 2)
    ax = fm.plot_profile(m, real, area="Oude Westen", ax=left.add_subplot())
    assert ax.get_figure(root=True) is fig
    assert any("Kerncijfers wijken en buurten 2017 (83765NED)" in t for t in figure_texts(ax))
    png = fm.plot.figure_png(ax, dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)


def test_heatmap_of_synthetic_data_says_so_in_its_title(rotterdam):
    profile = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="gebied")
    ax = fm.plot_heatmap(rotterdam, profile)
    assert ax.get_title().endswith("SYNTHETISCHE DATA: geen metingen")
    # the profile's deltas handed on alone still record that they are synthetic
    assert "SYNTHETISCHE DATA" in fm.plot_heatmap(rotterdam, profile.deltas).get_title()
    bare = profile.deltas.copy()
    bare.attrs = {}  # a bare table carries no flag
    assert "SYNTHETI" not in fm.plot_heatmap(rotterdam, bare).get_title()


def test_dutch_figures_have_decimal_commas_on_their_axes():
    m = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(m, fm.load_example_data(), level="wijk")
    for lang, mark, other in (("nl", ",", "."), ("en", ".", ",")):
        ax = fm.plot_profile(m, prof, area="Oud-Crooswijk", lang=lang)
        ax.figure.canvas.draw()
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert any(mark in t for t in ticks) and not any(other in t for t in ticks), ticks
        plt.close(ax.figure)
    ax = fm.plot_tornado(fm.sensitivity(m, outcome="vsv", deltas=prof.row("Oud-Crooswijk")
                                        [list(m.factors)].dropna()))  # Dutch by default
    ax.figure.canvas.draw()
    assert all("." not in t.get_text() for t in ax.get_xticklabels())
    plt.close(ax.figure)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_figure_png_saves_laid_out_figures_as_they_are_with_every_text_inside(oud_crooswijk, lang):
    """Issue 27 (reports under load): a constrained-layout figure is saved as it is, without
    the extent search of ``bbox_inches="tight"``; that must cut nothing, so the content of
    every area figure (what "tight" keeps) lies inside the canvas. A figure without a
    layout engine is still cropped."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    model, prof, goals, rec, mc = oud_crooswijk
    for name, ax in area_figures(model, prof, goals, rec, mc, lang).items():
        fig = ax.figure
        assert fig.get_layout_engine() is not None, name
        width, height = (fig.get_size_inches() * 50).round().astype(int)
        fig.dpi = 50
        canvas = FigureCanvasAgg(fig)  # the layout as it is saved, drawn at the same dpi
        canvas.draw()
        # what bbox_inches="tight" would keep (inches) lies inside the canvas: cropping
        # would only have cut blank margins
        content = fig.get_tightbbox(canvas.get_renderer())
        w, h = fig.get_size_inches()
        assert content.x0 >= -0.02 and content.y0 >= -0.02, (name, content)
        assert content.x1 <= w + 0.02 and content.y1 <= h + 0.02, (name, content)
        png = fm.plot.figure_png(ax, dpi=50)
        assert Image.open(io.BytesIO(png)).size == (width, height), name
    plain = Figure(figsize=(4, 3))
    plain.add_subplot().text(0.5, 0.5, "midden")
    size = Image.open(io.BytesIO(fm.plot.figure_png(plain.axes[0], dpi=50))).size
    assert size != (200, 150)  # cropped to its content


def test_the_outcome_plot_is_the_same_whatever_the_hash_seed():
    # nodes with equal total effects were laid out in the order of a set, so the same model
    # gave a different picture in another process (PYTHONHASHSEED)
    import os
    import subprocess
    import sys
    from pathlib import Path

    probe = ("import matplotlib; matplotlib.use('Agg')\n"
             "import factormodel as fm\n"
             "ax = fm.plot_outcome(fm.load_model('rotterdam-jeugd'), 'vsv')\n"
             "print(sorted((round(t.get_position()[0], 6), round(t.get_position()[1], 6),"
             " t.get_text()) for t in ax.texts))")
    root = Path(__file__).resolve().parent.parent
    layouts = {subprocess.run([sys.executable, "-c", probe], cwd=root, check=True, text=True,
                              capture_output=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}
                              ).stdout for seed in (0, 1, 2)}
    assert len(layouts) == 1


def test_a_small_contribution_in_the_waterfall_never_reads_as_zero(toy):
    # the page's waterfall labelled a red bar of 0.0003 SD "+0,000"
    r = fm.propagate(toy, {"armoede": 0.002, "schoolverzuim": 0.5})
    ax = fm.plot_contributions(r, "vsv")
    labels = [t.get_text().strip() for t in ax.texts]
    parts = r.contributions_to("vsv")
    assert 0 < parts["armoede"] < 5e-4  # rounds to 0,000 at three decimals
    assert "+0,0002" in labels and "+0,250" in labels, labels
    assert not any(lab.strip("+-") == "0,000" for lab in labels), labels


def test_the_profile_title_counts_without_reading_as_all_factors(rotterdam):
    # "Profiel: 10 van 10 gemeten factoren en resultaten; 62 niet gemeten" beside a report
    # saying "8 van de 62 factoren en 2 van de 10 resultaten gemeten"
    prof = pd.Series({n: 0.1 if k < 10 else np.nan for k, n in enumerate(rotterdam.node_ids)},
                     name="A")
    title = fm.plot_profile(rotterdam, prof).get_title()
    assert "Profiel: 10 gemeten factoren en resultaten; 62 niet gemeten" in title
    some = fm.plot_profile(rotterdam, prof, top=4, lang="en").get_title()
    assert "Profile: the 4 largest of 10 measured factors and outcomes; 62 not measured" in some
