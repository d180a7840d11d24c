"""One analysis behind the four faces: the same question gives the same numbers in Python,
the wijkrapport, the command line and the HTTP API (issue 22's drift)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

import factormodel as fm
from factormodel.cli import main
from factormodel.serve import create_app

AREA = "Oud-Crooswijk"
GOALS = ["schoolverzuim:-2pp:3j:12-18", "vsv"]
BUDGET = 250_000


@pytest.fixture(scope="module")
def analysis():
    return fm.analyse("rotterdam-jeugd", fm.load_example_data(), AREA, GOALS, budget=BUDGET,
                      options=fm.Options(n_draws=200))


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def _chosen(rows):
    return sorted((r["intervention"], int(r["units"])) for r in rows)


def test_analyse_parts_and_json(analysis):
    a = analysis
    assert a.population_source == "the data"
    assert a.population == a.profile.population_of(AREA)
    assert a.portfolio.constraints["one_per_factor"] is fm.DEFAULT_OPTIONS.one_per_factor
    # goals are resolved at the area's own level of their indicator
    g = a.resolved.set_index("target").loc["schoolverzuim"]
    assert g["level"] == a.profile.area_levels(AREA)[g["indicator"]]
    assert g["change_sd"] == pytest.approx(fm.resolve_goal(
        a.model, fm.parse_goal(GOALS[0]), level=g["level"]).change_sd)
    doc = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert doc["portfolio"]["total_cost"] == pytest.approx(a.portfolio.total_cost)
    assert "individual children" in doc["caveat"]
    assert "Oud-Crooswijk" in a.summary("nl") and "wijkniveau" in a.summary("nl")
    with pytest.raises(fm.InvalidParameterError, match="unknown part"):
        a.to_frame("nope")
    with pytest.raises(fm.InvalidParameterError, match="unknown option"):
        fm.Options().with_(budget=1)


def test_the_four_faces_give_the_same_numbers(analysis, client, capsys):
    a = analysis
    want = _chosen(a.portfolio.chosen.to_dict("records"))
    # the API's analysis and its portfolio endpoint (same defaults: fm.Options)
    r = client.post("/api/v1/models/rotterdam-jeugd/analyse",
                    json={"area": AREA, "goals": GOALS, "budget": BUDGET, "n_draws": 200})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert _chosen(doc["portfolio"]["chosen"]) == want
    assert doc["portfolio"]["total_cost"] == pytest.approx(a.portfolio.total_cost)
    assert [f["factor"] for f in doc["ranking"]] == a.ranking["factor"].tolist()
    r = client.post("/api/v1/models/rotterdam-jeugd/portfolio",
                    json={"area": AREA, "goals": GOALS, "budget": BUDGET})  # the default
    assert r.status_code == 200, r.text
    assert r.json()["total_cost"] == pytest.approx(a.portfolio.total_cost)
    # the command line
    code = main(["recommend", "rotterdam-jeugd", "example", "--area", AREA,
                 *[x for g in GOALS for x in ("--goal", g)], "--budget", "250.000",
                 "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    cli = json.loads(out)
    assert cli["portfolio"]["total_cost"] == pytest.approx(a.portfolio.total_cost)
    assert _chosen(cli["portfolio"]["chosen"]) == want
    # the wijkrapport
    html = fm.report(a.model, fm.load_example_data(), AREA, [fm.parse_goal(g) for g in GOALS],
                     budget=BUDGET, n_draws=200)
    text = re.sub(r"<[^>]+>", "", html)
    spent = re.search(r"Kosten € ([\d.]+) van € 250\.000", text).group(1)
    assert int(spent.replace(".", "")) == pytest.approx(a.portfolio.total_cost)


def test_the_cli_takes_its_monte_carlo_defaults_from_options():
    """No command-line option writes fm.Options' draws or seed again: every --draws and
    --seed defaults to None, so an unset option means fm.Options (the one set of defaults)."""
    import argparse

    from factormodel import cli

    def walk(parser):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from walk(sub)
            elif action.dest in ("draws", "seed"):
                yield parser.prog, action

    found = list(walk(cli._parser()))
    progs = {prog for prog, _ in found}
    assert any("wijkanalyse" in p for p in progs) and any("maak" in p for p in progs)
    for prog, action in found:
        if "wijkanalyse" in prog or "maak" in prog:
            assert action.default is None, (prog, action.dest, action.default)


# --------------------------------------------------------------------------- one view, two faces


def _rows(html, table_id):
    """The cells of the table with ``table_id`` (header first), as text."""
    import html as htmllib

    part = html[html.index(f'id="{table_id}"'):]
    part = part[:part.index("</table>")]
    return [[htmllib.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)]


@pytest.fixture(scope="module")
def page_and_report(client):
    """The same question on the page and in the wijkrapport (fm.Options' defaults in both)."""
    page = client.post("/", data={"model": "rotterdam-jeugd", "dataset": "example",
                                  "area": AREA, "goals": "\n".join(GOALS),
                                  "budget": "250.000"})
    assert page.status_code == 200, page.text[-2000:]
    report = fm.report("rotterdam-jeugd", fm.load_example_data(), AREA,
                       [fm.parse_goal(g) for g in GOALS], budget=BUDGET)
    return page.text, report


def test_the_page_and_the_report_show_the_same_figures(page_and_report):
    page, report = page_and_report
    for table in ("indicator-table", "ranking", "portfolio-table", "left-out",
                  "not-measured"):
        shown = _rows(page, table)
        assert len(shown) > 1, table
        assert shown == _rows(report, table), table
    # the key figures themselves: the first factor, its interval, what the portfolio costs
    ranking = _rows(page, "ranking")
    assert ranking[1][0] == "1" and re.fullmatch(r"[\d,]+ – [\d,]+", ranking[1][3])
    spent = re.search(r"Kosten (€ [\d.]+) van € 250\.000", page).group(1)
    assert f"Kosten {spent} van € 250.000" in report


def test_the_partials_are_the_ones_both_faces_use(page_and_report):
    """A partial rendered alone from the view of the same analysis is found, as it is, in
    the page and in the report; every shared partial marks its part in both."""
    from factormodel.render.view import build_view, render

    page, report = page_and_report
    a = fm.analyse("rotterdam-jeugd", fm.load_example_data(), AREA, GOALS, budget=BUDGET)
    view = build_view(a, "nl")
    for partial in ("_caveats.html", "_uncertainty.html"):
        alone = render(partial, view=view).strip()
        assert len(alone) > 100 and "<p>" in alone, partial
        assert alone in page and alone in report, partial
    for part in ("profile", "goals", "ranking", "uncertainty", "portfolio", "unmeasured",
                 "caveats"):
        assert f'class="partial-{part}"' in page and f'class="partial-{part}"' in report


def test_a_hostile_area_name_is_escaped_in_both_faces(client):
    hostile = 'Oud "&" <img src=x onerror=alert(1)>'
    data = fm.load_example_data()
    data = data[data["area"].isin([AREA, "Rotterdam"])].replace({"area": {AREA: hostile}})
    html = fm.report("rotterdam-jeugd", data, hostile, ["vsv"], n_draws=50)
    csv = data.to_csv(index=False).encode()
    page = client.post("/", data={"area": hostile, "outcome": "vsv"},
                       files={"file": ("wijk.csv", csv, "text/csv")})
    assert page.status_code == 200, page.text[-2000:]
    for doc in (html, page.text):
        assert "<img src=x" not in doc
        assert "&lt;img src=x onerror=alert(1)&gt;" in doc
    assert "<h1>Wijkrapport Oud &#34;&amp;&#34; &lt;img" in html
