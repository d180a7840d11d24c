"""The wijkrapport: one self-contained file, every section, both languages, the library's
own numbers, and honest labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import factormodel as fm
from factormodel.cli import main
from factormodel.render.report import SECTIONS

AREA = "Oud-Crooswijk"
GOALS = {"vsv": 2.0, "schoolsucces": 1.0}


class Page(HTMLParser):
    """Tags with their attributes, section ids, headings, and table rows as text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.sections: list[str] = []
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._heading: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section":
            self.sections.append(attrs.get("id", ""))
        elif tag in ("h1", "h2", "h3"):
            self._heading = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        for buf in (self._heading, self._cell):
            if buf is not None:
                buf.append(data)


@pytest.fixture(scope="module")
def rotterdam_model():
    return fm.load_model("rotterdam-jeugd")


@pytest.fixture(scope="module")
def example():
    return fm.load_example_data("rotterdam")


@pytest.fixture(scope="module")
def dutch(rotterdam_model, example):
    return fm.report(rotterdam_model, example, AREA, GOALS, budget=250_000, n_draws=200,
                     date="2026-11-26")


@pytest.fixture(scope="module")
def english(rotterdam_model, example):
    return fm.report(rotterdam_model, example, AREA, GOALS, budget=250_000, n_draws=200,
                     lang="en", date="2026-11-26")


def assert_self_contained(html: str) -> None:
    page = Page(html)
    for tag, attrs in page.tags:
        for key in ("src", "href", "data", "srcset", "action", "poster"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "file:")), (tag, key, value)
            if key == "src" and key in attrs:
                assert value.startswith("data:image/"), (tag, value[:40])
        assert tag not in ("script", "link", "iframe", "object", "embed"), tag
    assert "@import" not in html and "url(" not in html


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_is_self_contained_with_every_section(lang, dutch, english):
    html = dutch if lang == "nl" else english
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in html
    assert_self_contained(html)
    page = Page(html)
    assert page.sections == list(SECTIONS)
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == 2 and all(a["src"].startswith("data:image/png;base64,")
                                    for a in images)


def test_the_checker_sees_external_assets():
    """The self-containment check is not vacuous."""
    for bad in ('<img src="https://x.org/a.png">', '<link rel="stylesheet" href="a.css">',
                "<script>alert(1)</script>", '<a href="http://example.org">x</a>',
                "<style>@import 'x.css'</style>"):
        with pytest.raises(AssertionError):
            assert_self_contained(f"<html><body>{bad}</body></html>")


def test_dutch_headings_and_labels(dutch, english):
    nl, en = Page(dutch), Page(english)
    assert nl.headings[0] == f"Wijkrapport {AREA}"
    assert "1. De wijk tegenover het stedelijk gemiddelde" in nl.headings
    assert "6. Kanttekeningen" in nl.headings and "7. Herkomst" in nl.headings
    assert "1. The area against the city average" in en.headings
    assert "6. Caveats" in en.headings and "7. Provenance" in en.headings
    # no English headings in the Dutch report, no Dutch headings in the English one
    assert not set(nl.headings) & set(en.headings[1:])
    for word in ("procentpunt", "slechter", "Niet gekozen, en waarom", "toelichting"):
        assert word in dutch
    for word in ("Portfolio within", "Left out, and why", "percentage points"):
        assert word in english and word not in dutch


def test_caveats_name_reconstruction_synthetic_data_and_area_level(dutch, english):
    assert "SYNTHETISCHE DATA" in dutch and "SYNTHETIC DATA" in english
    assert "niet het officiële model" in dutch and "not the official model" in english
    assert "geen effecten voor individuele jongeren" in dutch
    assert "not effects for individual young people" in english
    assert "officieel model" not in dutch.replace("niet het officiële model", "")


def test_real_data_is_not_called_synthetic(rotterdam_model, example):
    real = example.drop(columns="status")  # the same table, not marked synthetic
    html = fm.report(rotterdam_model, real, AREA, ["vsv"], n_draws=50)
    assert "SYNTHETISCHE" not in html and "aangeleverd door de gebruiker" in html


def test_profile_table_in_indicator_units(dutch, rotterdam_model, example):
    prof = fm.profile(rotterdam_model, example)
    value = example.query("area == @AREA and year == 2023 and indicator == 'vsv_nieuw'")
    own, ref = float(value["value"].iloc[0]), float(prof.reference_values["vsv_nieuw"])
    label = fm.load_indicators(rotterdam_model).loc["vsv_nieuw", "label_nl"]
    row = next(r for r in Page(dutch).rows if r and r[0] == label)
    assert row[1] == f"{own:.1f}%".replace(".", ",")
    assert row[2] == f"{ref:.1f}%".replace(".", ",")
    diff = round(own - ref, 1) + 0.0
    assert row[3] == f"{diff:+.1f} procentpunt".replace(".", ",")


def test_recommendation_intervals_are_the_monte_carlo_numbers(dutch, rotterdam_model, example):
    prof = fm.profile(rotterdam_model, example)
    rec = fm.recommend(rotterdam_model, prof, GOALS, area=AREA)
    mc = fm.monte_carlo(rotterdam_model, prof.deltas.loc[[AREA]], GOALS, n_draws=200, seed=0,
                        top=3, progress=False)
    rows = {r[1]: r for r in Page(dutch).rows if len(r) == 6 and r[0].isdigit()}
    top = rec[rec["status"] == "recommended"]
    assert len(rows) == len(top)
    for r in top.itertuples():
        row = rows[r.label_nl]
        low, high = mc.scores.loc[(AREA, r.factor), ["low", "high"]]
        assert row[0] == str(int(r.rank))
        assert row[3] == f"{low:.3f} – {high:.3f}".replace(".", ",")
        assert row[4] == f"{100 * mc.rank_stability.loc[AREA, r.factor]:.0f}%"
        assert row[5] == r.explanation_nl


def test_portfolio_matches_optimize_portfolio(dutch, rotterdam_model, example):
    prof = fm.profile(rotterdam_model, example)
    port = fm.optimize_portfolio(rotterdam_model, prof, fm.load_interventions(rotterdam_model),
                                 budget=250_000, outcomes=GOALS,
                                 population=prof.population_of(AREA), area=AREA,
                                 one_per_factor=True)
    cost = f"€ {port.total_cost:,.0f}".replace(",", ".")
    assert f"Kosten {cost} van € 250.000" in dutch
    page = Page(dutch)
    for r in port.chosen.itertuples():
        assert any(row[:2] == [r.name, str(r.units)] for row in page.rows), r.name
    for r in port.left_out.itertuples():
        assert any(row and row[0] == r.name for row in page.rows), r.name
    assert "one intervention per factor" not in dutch  # reasons are in Dutch


def test_without_budget_there_is_no_portfolio(rotterdam_model, example):
    html = fm.report(rotterdam_model, example, AREA, "vsv", n_draws=50)
    assert "Er is geen budget opgegeven" in html and "Portfolio binnen" not in html
    assert Page(html).sections == list(SECTIONS)


def test_goal_on_a_factor_and_goal_objects(rotterdam_model, example):
    @dataclass(frozen=True)
    class Goal:  # the shape of fm.Goal (issue 13, part A)
        target: str
        change: float | None = None
        unit: str = "sd"
        years: int | None = None
        group: str | None = None
        priority: float = 1.0

    html = fm.report(rotterdam_model, example, AREA,
                     [Goal("schoolverzuim", -2, unit="pp", years=3, group="12-18")],
                     n_draws=50)
    assert "-2,0 procentpunt; binnen 3 jaar; doelgroep 12-18; lager is beter" in html


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_goal_with_a_size_shows_the_change_needed(rotterdam_model, example, lang):
    goal = fm.parse_goal("schoolverzuim:-2pp:3j:12-18")
    html = fm.report(rotterdam_model, example, AREA, [goal, fm.parse_goal("vsv")], n_draws=50,
                     lang=lang)
    page = Page(html)
    label = rotterdam_model.nodes.loc["schoolverzuim", f"label_{lang}"]
    # the heading names the outcome once, then the goal's size (no repeated target)
    heading = next(h for h in page.headings if h.startswith(label))
    assert heading.startswith(f"{label}: -2 {'procentpunt' if lang == 'nl' else 'pp'} ")
    assert "schoolverzuim -2" not in heading
    # the table equals fm.required_change for the goal's strongest drivers
    # at the area's own levels (prof.area_levels), as every face converts
    levels = fm.profile(rotterdam_model, example).area_levels(AREA)
    needed = fm.required_change(rotterdam_model, goal, levels=levels).to_frame()
    header = ["factor", "route" if lang == "nl" else "way", "indicator",
              "verandering" if lang == "nl" else "change", "in SD"]
    start = next(i for i, r in enumerate(page.rows) if r[:5] == header)
    rows = page.rows[start + 1:start + 1 + len(needed)]
    fmt = (lambda v: f"{v:+,.2f}".translate(str.maketrans(",.", ".,"))) if lang == "nl" \
        else (lambda v: f"{v:+,.2f}")
    assert [r[4] for r in rows] == [fmt(v) for v in needed["change_sd"]]
    assert [r[0] for r in rows] == [rotterdam_model.nodes.loc[f, f"label_{lang}"]
                                    for f in needed["factor"]]
    yes, no = ("ja", "nee") if lang == "nl" else ("yes", "no")
    assert [r[5].split(":")[0] for r in rows] == [yes if w else no
                                                  for w in needed["within_spread"]]
    # only the goal with a size gets the part
    assert html.count("Nodig om het doel te halen" if lang == "nl" else "Needed to reach") == 1
    assert ("niet om individuele kinderen" if lang == "nl" else
            "not about individual children") in html


def test_left_out_reasons_have_one_dutch_translation():
    from factormodel.errors import Message
    from factormodel.text import words as _lang

    none = Message("does not improve the chosen outcomes", "left_out_no_improvement")
    assert _lang.reason(none, "nl") == "verbetert de gekozen resultaten niet"
    money = Message("does not fit the remaining budget (1,250 left, one unit costs 20,000)",
                    "left_out_budget", {"left": 1250.0, "cost": 20000.0})
    assert _lang.reason(money, "nl") == ("past niet in het resterende budget (€ 1.250 over, "
                                         "één eenheid kost € 20.000)")
    assert _lang.reason("something new", "nl") == "something new"
    assert _lang.reason(none, "en") == "does not improve the chosen outcomes"


def test_bad_input_is_refused_before_writing(rotterdam_model, example, tmp_path):
    out = tmp_path / "r.html"
    with pytest.raises(fm.UnknownAreaError, match="Oud-Crooswijk"):
        fm.report(rotterdam_model, example, "Oud-Crooswjk", GOALS, out=out)
    with pytest.raises(fm.UnknownNodeError):
        fm.report(rotterdam_model, example, AREA, ["schoolverzuimm"], out=out)
    with pytest.raises(fm.InvalidParameterError, match="priorities"):
        fm.report(rotterdam_model, example, AREA, {"vsv": 0}, out=out)
    with pytest.raises(fm.InvalidParameterError, match="lang"):
        fm.report(rotterdam_model, example, AREA, GOALS, lang="fr", out=out)
    no_population = example.assign(population=np.nan)
    with pytest.raises(fm.DataError, match="no population"):
        fm.report(rotterdam_model, no_population, AREA, GOALS, budget=1000, out=out)
    assert not out.exists()


def test_writes_one_file_and_returns_its_path(rotterdam_model, example, tmp_path):
    path = fm.report(rotterdam_model, example, AREA, GOALS, out=tmp_path / "r.html",
                     n_draws=50)
    assert path == tmp_path / "r.html" and list(tmp_path.iterdir()) == [path]
    html = path.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert len(html) < 600_000  # small enough to e-mail


def test_pdf(rotterdam_model, example, tmp_path):
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("WeasyPrint (factormodel[pdf]) is not installed here")
    path = fm.report(rotterdam_model, example, AREA, GOALS, out=tmp_path / "r.pdf", n_draws=50)
    assert path.read_bytes()[:5] == b"%PDF-" and path.stat().st_size > 50_000


def test_cli_wijkanalyse(tmp_path, capsys):
    out = tmp_path / "rapport.html"
    code = main(["wijkanalyse", "rotterdam-jeugd", "example", "--area", AREA, "--goal", "vsv=2",
                 "--goal", "schoolsucces", "--budget", "100.000", "--draws", "50",
                 "--out", str(out)])
    assert code == 0 and capsys.readouterr().out.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "Portfolio binnen € 100.000" in html and "example (SYNTHETIC)" in html
    code = main(["wijkanalyse", "rotterdam-jeugd", "example", "--area", AREA, "--goal", "vsv",
                 "--lang", "en", "--draws", "50", "--out", str(out)])
    assert code == 0 and '<html lang="en">' in out.read_text(encoding="utf-8")
    code = main(["wijkanalyse", "rotterdam-jeugd", "example", "--goal", "vsv", "--out",
                 str(tmp_path / "x.html")])
    assert code == 2 and "heeft --area nodig" in capsys.readouterr().err


def test_dutch_numbers():
    from factormodel.render.report import _money, _n, _value

    assert _n(1234.5, "nl", 1) == "1.234,5" and _n(1234.5, "en", 1) == "1,234.5"
    assert _n(-0.04, "nl", 1, sign=True) == "+0,0"  # never "-0,0"
    assert _value(2.5, "%", "nl") == "2,5%"
    assert _value(-0.3, "%", "en", sign=True, difference=True) == "-0.3 percentage points"
    assert _value(float("nan"), "%", "nl") == "–"
    assert _money(250_000, "nl") == "€ 250.000" and _money(250_000, "en") == "€250,000"
    # a small change keeps its sign and first digit instead of reading "+0,00"
    assert _n(-0.0035, "nl", 2, sign=True, significant=True) == "-0,004"
    assert _value(-0.0035, "%", "nl", sign=True, difference=True, digits=2,
                  significant=True) == "-0,004 procentpunt"
    assert _n(-0.2, "nl", 2, sign=True, significant=True) == "-0,20"


def test_real_cbs_data_with_its_own_catalogue(rotterdam_model):
    """Real data (CBS 2017, issue 17) with their own indicator catalogue: credited, not
    called synthetic, and the profile table shows the CBS values."""
    cat = fm.load_example_indicators("cbs_kwb2017")
    data = fm.load_example_data("cbs_kwb2017")
    html = fm.report(rotterdam_model, data, "Oude Westen", ["vsv"], indicators=cat,
                     n_draws=50)
    assert_self_contained(html)
    assert "83765NED" in html and "SYNTHETI" not in html
    page = Page(html)
    labels = set(cat["label_nl"])
    shown = [r for r in page.rows if r and r[0] in labels]
    measured = data[(data["area"] == "Oude Westen") & data["value"].notna()
                    & data["indicator"].isin(cat.index)]
    assert len(shown) == measured["indicator"].nunique() > 0


def test_an_indicator_with_an_ambiguous_direction_gets_no_verdict(dutch, english, rotterdam_model):
    cat = fm.load_indicators(rotterdam_model)
    for html, lang, text in ((dutch, "nl", "n.v.t. (richting onduidelijk)"),
                             (english, "en", "n/a (direction ambiguous)")):
        rows = {r[0]: r for r in Page(html).rows if r}
        shown = [rows[label] for label in cat.loc[cat["direction"] == 0, f"label_{lang}"]
                 if label in rows]
        assert shown  # Oud-Crooswijk has youth-care use measured
        for row in shown:
            assert row[4] == text and row[5] == "–", row


def test_the_portfolio_is_measured_against_a_goal_with_a_size(rotterdam_model, example):
    goal = fm.parse_goal("schoolverzuim:-2pp:3j:12-18")
    html = fm.report(rotterdam_model, example, AREA, [goal], budget=250_000, n_draws=50)
    prof = fm.profile(rotterdam_model, example)
    from factormodel.analysis.population import ages_of, young_people

    young = young_people(prof, AREA, number=None, ages=ages_of([goal]))  # the report's rule
    port = fm.optimize_portfolio(rotterdam_model, prof, fm.load_interventions(rotterdam_model),
                                 budget=250_000, outcomes=[goal], area=AREA,
                                 population=young.number, one_per_factor=True,
                                 phases=fm.goal_phases([goal]))
    # the goal in SD at the area's own level of the indicator (every face's rule)
    need = fm.resolve_goal(rotterdam_model, goal, levels=prof.area_levels(AREA)).change_sd
    share = 100 * port.outcome_changes["schoolverzuim"] / need
    text = re.sub(r"<[^>]+>", "", html[html.index("Tegenover het doel"):])
    assert text.startswith("Tegenover het doel -2 procentpunt in 3 jaar, 12-18-jarigen")
    shown = re.search(r"SD, ([\d,]+)% van de", text).group(1)
    assert float(shown.replace(",", ".")) == pytest.approx(share, abs=0.051)
    assert "De termijn (3 jaar) is niet doorgerekend" in text


def test_an_unspent_budget_is_explained(rotterdam_model, example):
    goal = fm.parse_goal("schoolverzuim:-2pp:3j:12-18")  # the age group leaves few options
    html = fm.report(rotterdam_model, example, AREA, [goal], budget=250_000, n_draws=50)
    text = re.sub(r"<[^>]+>", "", html)
    spent = re.search(r"Kosten € ([\d.]+) van € 250\.000", text).group(1)
    left = 250_000 - int(spent.replace(".", ""))
    assert left >= 25_000
    assert f"€ {left:,.0f} van het budget blijft over".replace(",", ".") in text
    full = fm.report(rotterdam_model, example, AREA, "vsv", budget=250_000, n_draws=50)
    assert "van het budget blijft over" not in full  # spent (almost) entirely


def test_the_report_does_not_guess_a_level_for_data_without_one():
    # her file had no level column, and the title said "gebied Oud-Crooswijk" (a wijk)
    from factormodel.render import view

    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data()
    plain = data[data["level"].isin(["wijk", "gemeente"])].drop(columns="level")
    sub = view.build_view(fm.analyse(m, plain, "Oud-Crooswijk", ["vsv"]), "nl").sub
    assert "— Oud-Crooswijk, data" in sub and "gebied" not in sub
    sub = view.build_view(fm.analyse(m, data, "Oud-Crooswijk", ["vsv"]), "nl").sub
    assert "— wijk Oud-Crooswijk, data" in sub


def test_a_change_converted_at_an_assumed_level_says_so():
    # "langdurig verzuim per 1.000 leerplichtigen -0,45 per 1.000" for a figure she never gave
    from factormodel.render import view

    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data()
    data = data[data["indicator"] != "langdurig_verzuim"]
    a = fm.analyse(m, data, "Oud-Crooswijk", ["vsv", "schoolverzuim"], budget=200_000)
    cells = {r[1].text: r[3].text for r in view.build_view(a, "nl").portfolio.outcomes.rows}
    assert cells["langdurig verzuim per 1.000 leerplichtigen"].endswith(
        "per 1.000 (bij het gebruikelijke niveau uit de catalogus, een aanname)")
    assert cells["thuiszitters per 1.000 leerplichtigen"].endswith("per 1.000")  # her own
