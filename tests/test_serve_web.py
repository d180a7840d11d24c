"""The web page with a gebiedsadviseur's own file (review /work/reviews/adviseur.md, findings
1, 5, 8, 9, 11, 12): population, goals as on the command line, the upload format and its
template, the uploaded file kept for the next request (never the synthetic example),
Dutch downloads, assumed effect sizes, Dutch amounts. Every error path has a test."""

from __future__ import annotations

import base64
import html as htmllib
import io
import re
import shutil

import numpy as np
import pandas as pd
import pytest

import factormodel as fm

pytest.importorskip("fastapi", reason="the serve extra is not installed: "
                                      "pip install 'factormodel[serve]'")
pytest.importorskip("multipart", reason="the serve extra is not installed (python-multipart)")
from fastapi.testclient import TestClient

from factormodel.serve import create_app
from factormodel.serve.web import template_csv
from factormodel.text import words as L

GOAL = "schoolverzuim:-2pp:3j:12-18"
INDICATORS = ("verzuim_meldingen", "vsv_nieuw", "kinderen_bijstand", "gepest_op_school",
              "lid_sportvereniging", "eindtoets")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.fixture(scope="module")
def model() -> fm.FactorModel:
    return fm.load_model("rotterdam-jeugd")


def bloemhof_csv(model: fm.FactorModel, population: bool = False) -> bytes:
    """Her file: ';', decimal commas, cp1252, CRLF, Bloemhof one SD above the city's typical
    levels plus a Rotterdam row at them; no population column unless asked."""
    cat = fm.load_indicators(model)
    head = "wijk;jaar;indicator;waarde" + (";jongeren" if population else "")
    lines = [head]
    for area, sds in (("Bloemhof", 1.0), ("Rotterdam", 0.0)):
        for i in INDICATORS:
            value = bloemhof_value(cat, i, sds).replace(".", ",")
            pop = (";2450" if area == "Bloemhof" else ";") if population else ""
            lines.append(f"{area};2023;{i};{value}{pop}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def bloemhof_value(cat: pd.DataFrame, indicator: str, sds: float = 1.0) -> str:
    """An indicator's value in her file: the typical level plus ``sds`` scales, 1 decimal."""
    return f"{cat.loc[indicator, 'typical'] + sds * cat.loc[indicator, 'scale']:.1f}"


def alert(page: str) -> str | None:
    found = re.search(r'role="alert">.*?<p>(.*?)</p>', page, re.S)
    return htmllib.unescape(found.group(1)) if found else None


def hidden(page: str, name: str) -> str:
    return htmllib.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


def data_uri(page: str, download: str) -> bytes:
    href = re.search(rf'href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)" '
                     rf'download="{re.escape(download)}"', page).group(1)
    return base64.b64decode(href)


def her_form(**extra: str) -> dict[str, str]:
    return {"model": "rotterdam-jeugd", "area": "Bloemhof", "outcome": "vsv",
            "lang": "nl", **extra}


# ------------------------------------------------------------------ finding 1: population


def test_a_budget_without_population_is_refused_in_dutch_naming_field_and_columns(
        client, model):
    upload = {"file": ("bloemhof.csv", bloemhof_csv(model), "text/csv")}
    for action in ("", "report"):
        r = client.post("/", data=her_form(budget="250.000", action=action), files=upload)
        assert r.status_code == 422 and "<html" in r.text.lower()
        message = alert(r.text)
        assert message is not None and "wijkrapport" not in r.headers.get(
            "content-disposition", "")
        assert "Aantal jongeren voor het pakket" in message and "bloemhof.csv" in message
        assert "kolom 'jongeren'" in message  # the column that counts young people
        assert "Python" not in message and "--population" not in message
    r = client.post("/", data=her_form(budget="250.000", lang="en"), files=upload)
    assert r.status_code == 422 and "number of young people" in alert(r.text)


def test_the_population_field_gives_the_portfolio_of_the_library(client, model):
    data = bloemhof_csv(model)
    r = client.post("/", data=her_form(budget="250.000", population="2.450"),
                    files={"file": ("bloemhof.csv", data, "text/csv")})
    assert r.status_code == 200, alert(r.text)
    prof = fm.profile(model, _read(data))
    expected = fm.optimize_portfolio(model, prof, fm.load_interventions(model),
                                     budget=250_000, outcomes={"vsv": 1}, area="Bloemhof",
                                     population=2450, one_per_factor=True)
    table = pd.read_csv(io.BytesIO(data_uri(r.text, "pakket-en.csv")))
    assert table["intervention"].tolist() == expected.chosen["intervention"].tolist()
    assert table["units"].tolist() == expected.chosen["units"].tolist()
    # a population column in the file is used when the field is empty
    r = client.post("/", data=her_form(budget="250000"),
                    files={"file": ("pop.csv", bloemhof_csv(model, True), "text/csv")})
    assert r.status_code == 200, alert(r.text)
    again = pd.read_csv(io.BytesIO(data_uri(r.text, "pakket-en.csv")))
    assert again["units"].tolist() == expected.chosen["units"].tolist()


def _read(data: bytes) -> pd.DataFrame:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bloemhof.csv"
        path.write_bytes(data)
        return fm.read_area_data(path)


# ------------------------------------------------------------------ finding 12: amounts


@pytest.mark.parametrize("typed, amount", [("250.000", "250.000"), ("€ 247.500", "247.500"),
                                           ("247500", "247.500"), ("250000", "250.000")])
def test_dutch_and_round_budgets_are_accepted(client, typed, amount):
    r = client.post("/", data={"area": "Oud-Crooswijk", "outcome": "vsv", "budget": typed})
    assert r.status_code == 200, alert(r.text)
    assert f"van € {amount}" in r.text
    assert f'value="{htmllib.escape(typed, quote=True)}"' in r.text  # kept as typed
    # the portfolio table is the wijkrapport's (one partial): a numeric column, right-aligned
    assert re.search(r'<th scope="col"[^>]*>kosten \(€\)</th>', r.text) and ">Kosten<" not in r.text


def test_bad_amounts_are_refused_all_at_once(client):
    r = client.post("/", data={"area": "Oud-Crooswijk", "outcome": "vsv", "budget": "veel",
                               "population": "2,5"})
    message = alert(r.text)
    assert r.status_code == 422 and "budget: 'veel'" in message
    assert "aantal jongeren: '2,5'" in message  # both problems in one message
    for bad in ("0", "-5", "1.000,50"):
        r = client.post("/", data={"area": "Oud-Crooswijk", "outcome": "vsv", "budget": bad})
        assert r.status_code == 422 and "geen heel bedrag" in alert(r.text), bad


# ------------------------------------------------------------------ finding 5: goals, format


def test_a_goal_typed_as_on_the_command_line_gives_the_librarys_ranking(client, model):
    r = client.post("/", data={"area": "Oud-Crooswijk", "goals": GOAL + "\r\n"})
    assert r.status_code == 200, alert(r.text)
    prof = fm.profile(model, fm.load_example_data("rotterdam"))
    rec = fm.recommend(model, prof, [fm.parse_goal(GOAL)], area="Oud-Crooswijk")
    table = pd.read_csv(io.BytesIO(data_uri(r.text, "aanbeveling-en.csv")))
    assert table["factor"].tolist() == rec["factor"].tolist()
    assert np.allclose(table["score"], rec["score"], equal_nan=True)
    title = re.search(r'id="results-title">(.*?)</h2>', r.text).group(1)
    assert htmllib.unescape(title) == f"Oud-Crooswijk – {L.goal(fm.parse_goal(GOAL), 'nl')}"
    assert f">{GOAL}</textarea>" in r.text  # the goal stays in the form


def test_bad_goals_are_refused_with_their_line(client):
    r = client.post("/", data={"area": "Oud-Crooswijk", "goals": "vsv\nschoolverzuim:-2xx"})
    assert r.status_code == 422 and "doel 2 ('schoolverzuim:-2xx')" in alert(r.text)
    r = client.post("/", data={"area": "Oud-Crooswijk", "goals": "schoolverzuimm:-2pp"})
    assert r.status_code >= 400 and "schoolverzuim" in alert(r.text)  # a suggestion
    r = client.post("/", data={"area": "Oud-Crooswijk"})
    assert r.status_code == 422 and "typ een doel" in alert(r.text)


def test_the_page_explains_the_upload_format_with_a_template(client):
    page = client.get("/").text
    assert 'id="format"' in page and "wijk, jaar, indicator en waarde" in page
    assert "Rotterdam" in page and "decimale komma" in page and 'id="goals"' in page
    assert 'href="/template.csv?model=rotterdam-jeugd&amp;lang=nl"' in page


def test_the_template_lists_every_indicator_and_reads_back(client, model, tmp_path):
    r = client.get("/template.csv", params={"model": "rotterdam-jeugd"})
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    assert 'filename="sjabloon-rotterdam-jeugd.csv"' in r.headers["content-disposition"]
    assert r.content == template_csv(model, "nl")
    frame = pd.read_csv(io.BytesIO(r.content), sep=";", encoding="utf-8-sig", dtype=str)
    cat = fm.load_indicators(model)
    assert sorted(frame.loc[frame["wijk"] == "Rotterdam", "indicator"]) == sorted(cat.index)
    assert frame["waarde"].isna().all()  # nothing invented: the values are hers to fill in
    frame["waarde"] = frame["indicator"].map(cat["typical"]).map(
        lambda v: f"{v:g}".replace(".", ","))
    frame.loc[frame["wijk"] != "Rotterdam", "jongeren"] = "2450"
    (tmp_path / "filled.csv").write_text(frame.to_csv(sep=";", index=False), "utf-8")
    prof = fm.profile(model, fm.read_area_data(tmp_path / "filled.csv"))
    assert np.allclose(prof.row("Mijnwijk").dropna(), 0.0)  # filled at the city's level
    assert prof.population_of("Mijnwijk") == 2450
    en = client.get("/template.csv", params={"model": "rotterdam-jeugd", "lang": "en"})
    assert en.text.splitlines()[0] == "area,year,indicator,value,population,label,unit"
    bad = client.get("/template.csv", params={"model": "rotterdam-jeugdd"})
    assert bad.status_code == 404 and "rotterdam-jeugd" in bad.text
    assert client.get("/template.csv", params={"model": "../x"}).status_code == 422


# ------------------------------------------------------------------ finding 8: whose data


def test_an_upload_is_kept_named_and_used_by_the_next_report(client, model):
    data = bloemhof_csv(model)
    # her first try fails for want of a population: the page keeps her file
    r = client.post("/", data=her_form(budget="250.000", goals=GOAL),
                    files={"file": ("bloemhof.csv", data, "text/csv")})
    assert r.status_code == 422
    assert base64.b64decode(hidden(r.text, "upload_data")) == data
    assert hidden(r.text, "upload_name") == "bloemhof.csv"
    assert '<option value="upload" selected>uw bestand: bloemhof.csv</option>' in r.text
    assert re.search(r'<option value="example"\s+>', r.text)  # the example is not selected
    assert '<option value="Bloemhof">' in r.text  # her wijken are offered
    kept = {"dataset": "upload", "upload_name": "bloemhof.csv",
            "upload_data": hidden(r.text, "upload_data")}
    # the next analysis uses her file and says so
    r = client.post("/", data=her_form(budget="250.000", population="2450", goals=GOAL, **kept))
    assert r.status_code == 200, alert(r.text)
    assert "gegevens: bloemhof.csv" in r.text and "SYNTHETISCHE gegevens" not in r.text
    # ...and so does the wijkrapport: her file's name and her numbers, not the example's
    r = client.post("/", data=her_form(budget="250.000", population="2450", goals=GOAL,
                                       action="report", **kept))
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", r.text))
    assert re.search(r"data\s+bloemhof\.csv", text)
    assert "in Python is meegegeven" not in text and "SYNTHETISCH" not in text
    her_verzuim = bloemhof_value(fm.load_indicators(model), "verzuim_meldingen")
    assert her_verzuim.replace(".", ",") + "%" in text


def test_a_report_from_the_example_says_so(client):
    r = client.post("/", data={"area": "Oud-Crooswijk", "outcome": "vsv", "action": "report",
                               "dataset": "example"})
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", r.text))
    assert r.status_code == 200 and "SYNTHETISCHE voorbeeld (example)" in text
    assert "in Python is meegegeven" not in text


def test_the_downloaded_report_says_where_its_young_people_came_from(client):
    # the page read the data's column, then the wijkrapport said "door u opgegeven"
    form = {"area": "Oud-Crooswijk", "outcome": "vsv", "action": "report",
            "dataset": "example", "budget": "250000"}
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", client.post("/", data=form).text))
    assert "uit de kolom 'population' van de data" in text and "door u opgegeven" not in text
    given = htmllib.unescape(client.post("/", data={**form, "population": "2000"}).text)
    assert "door u opgegeven" in given


@pytest.mark.parametrize("kept, words", [
    ({"dataset": "upload"}, "zit niet meer in het formulier"),
    ({"dataset": "upload", "upload_name": "bloemhof.csv"}, "zit niet meer in het formulier"),
    ({"dataset": "upload", "upload_name": "bloemhof.csv", "upload_data": "@@not base64@@"},
     "is beschadigd"),
])
@pytest.mark.parametrize("action", ["", "report"])
def test_a_lost_upload_is_refused_never_replaced(client, kept, words, action):
    r = client.post("/", data=her_form(action=action, **kept))
    assert r.status_code == 422 and words in alert(r.text)
    assert "attachment" not in r.headers.get("content-disposition", "")
    assert 'id="results"' not in r.text


def test_a_kept_upload_is_checked_like_an_upload(client):
    bad = base64.b64encode(b"\x00\x01 not a table").decode()
    r = client.post("/", data=her_form(dataset="upload", upload_name="x.exe", upload_data=bad))
    assert r.status_code == 415 and "x.exe" in alert(r.text)


# ------------------------------------------------------------------ finding 9, 11: downloads


def test_portfolio_download_is_dutch_and_assumed_effects_are_said(client, model):
    r = client.post("/", data={"area": "Oud-Crooswijk", "outcome": "vsv", "budget": "250.000"})
    assert r.status_code == 200
    raw = data_uri(r.text, "pakket.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    first = raw.decode("utf-8-sig").splitlines()
    assert first[0].startswith("interventie;naam;aantal eenheden;kosten (€)")
    assert ";ja" in first[1] and "True" not in raw.decode("utf-8-sig")
    from factormodel.text import words as _lang

    header = first[0].split(";")
    assert header[-1] == "effectgrootte"
    assert {_lang.header("effect_is_default", "nl"), _lang.header("effect_evidence", "nl")} \
        <= set(header)
    table = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    prof = fm.profile(model, fm.load_example_data("rotterdam"))
    p = fm.optimize_portfolio(model, prof, fm.load_interventions(model), budget=250_000,
                              outcomes={"vsv": 1}, area="Oud-Crooswijk",
                              population=prof.population_of("Oud-Crooswijk"),
                              one_per_factor=True)
    assert np.allclose(table["kosten (€)"], p.chosen["cost"])
    n, k = int(p.chosen["effect_is_default"].sum()), len(p.chosen)
    note = htmllib.unescape(re.search(r'id="effects-note"[^>]*>(.*?)</p>', r.text, re.S)
                            .group(1))
    assert f"{n} van de {k} gekozen interventies hebben geen gepubliceerde effectgrootte" in note
    assert "standaardwaarde (aanname)" in r.text.split('id="portfolio-table"')[1][:5000]


def test_published_effect_sizes_are_not_called_assumed(tmp_path, model):
    """A catalogue with a published effect for every intervention: the note says so."""
    from factormodel.files import datasets

    folder = tmp_path / "rj-published"
    shutil.copytree(datasets.bundled_model_path("rotterdam-jeugd"), folder)
    ivs = pd.read_csv(folder / "interventions.csv", dtype=str, keep_default_na=False)
    from factormodel.analysis.portfolio import EVIDENCE_COLUMNS, EVIDENCE_VOCABULARY

    # every intervention without an effect gets one, documented as the reader asks
    todo = (ivs["effect"] == "") & (ivs["effect_status"] != "published null")
    assert todo.any()
    ivs.loc[todo, "effect"] = "0.1"
    ivs.loc[todo, "effect_status"] = "published"
    for c in EVIDENCE_COLUMNS:
        fill = EVIDENCE_VOCABULARY[c][0] if c in EVIDENCE_VOCABULARY else "test"
        ivs.loc[todo & (ivs[c] == ""), c] = fill
    ivs.to_csv(folder / "interventions.csv", index=False)
    c = TestClient(create_app(models_dir=tmp_path))
    r = c.post("/", data={"model": "rj-published", "area": "Oud-Crooswijk", "outcome": "vsv",
                          "budget": "250.000"})
    assert r.status_code == 200, alert(r.text)
    note = htmllib.unescape(re.search(r'id="effects-note"[^>]*>(.*?)</p>', r.text, re.S)
                            .group(1))
    assert "hebben een gepubliceerde effectgrootte" in note and "geen" not in note
    assert "standaardwaarde (aanname)" not in r.text


def test_the_english_page_offers_plain_csv_first(client):
    r = client.post("/", data={"area": "Oud-Crooswijk", "outcome": "vsv", "lang": "en"})
    raw = data_uri(r.text, "recommendation.csv")
    assert raw.splitlines()[0].startswith(b"rank,factor,")
    assert data_uri(r.text, "recommendation-nl.csv").startswith(b"\xef\xbb\xbfrang;")


def test_her_goal_group_limits_the_portfolio_as_in_the_report(client, model):
    """The page's portfolio is the library's with the goal's age group (as the CLI and the
    wijkrapport), and the ranking says that her goal is not its own lever."""
    data = bloemhof_csv(model)
    r = client.post("/", data=her_form(outcome="", goals=GOAL, budget="250.000",
                                       population="2450"),
                    files={"file": ("bloemhof.csv", data, "text/csv")})
    assert r.status_code == 200, alert(r.text)
    goals = [fm.parse_goal(GOAL)]
    expected = fm.optimize_portfolio(model, fm.profile(model, _read(data)),
                                     fm.load_interventions(model), budget=250_000,
                                     outcomes=goals, area="Bloemhof", population=2450,
                                     one_per_factor=True, phases=fm.goal_phases(goals))
    table = pd.read_csv(io.BytesIO(data_uri(r.text, "pakket-en.csv")))
    assert table["intervention"].tolist() == expected.chosen["intervention"].tolist()
    left = pd.read_csv(io.BytesIO(data_uri(r.text, "niet_gekozen-en.csv")))
    assert left["reason"].str.contains("age group").any()
    assert "is zelf het gekozen doel" in htmllib.unescape(r.text)
    assert 'id="no-drivers"' in r.text  # her goal is a factor: no outcome drivers to show


def test_library_errors_are_worded_in_the_pages_language(client):
    """The Dutch page words the library's errors in Dutch (the CLI's one translation,
    text.messages.error), also the problems of an uploaded file; the English page keeps English."""
    r = client.post("/", data={"area": "Oud-Croswijk", "outcome": "vsv"})
    assert r.status_code == 404
    assert alert(r.text).startswith("geen gebied 'Oud-Croswijk'") and "Oud-Crooswijk" in alert(
        r.text)
    short = (b"wijk;jaar;indicator;waarde\nBloemhof;2023;vsv_nieuw;5\nBloemhof;2023;eindtoets\n"
             b"Rotterdam;2023;vsv_nieuw;2\n")
    r = client.post("/", data=her_form(), files={"file": ("kort.csv", short, "text/csv")})
    assert r.status_code == 422 and "kort.csv regel 3" in alert(r.text)
    r = client.post("/", data=her_form(lang="en"), files={"file": ("kort.csv", short, "text/csv")})
    assert r.status_code == 422 and "kort.csv" in alert(r.text) and "regel" not in alert(r.text)
    r = client.post("/", data={"area": "Oud-Croswijk", "outcome": "vsv", "lang": "en"})
    assert alert(r.text).startswith("no area 'Oud-Croswijk'")


def test_the_profiles_assumptions_are_on_the_page(client, model):
    # no city row, two wijken: the reference is their mean, which the page must say
    data = bloemhof_csv(model).replace(b"Rotterdam;", b"Hillesluis;")
    r = client.post("/", data=her_form(), files={"file": ("twee.csv", data, "text/csv")})
    assert r.status_code == 200, alert(r.text)
    notes = [htmllib.unescape(n) for n in
             re.findall(r'<p class="note assumption">(.*?)</p>', r.text, re.S)]
    assert notes and notes[0].startswith("Aanname: de referentie is het gemiddelde van maar 2 "
                                          "gebieden in de data, niet van de hele stad")
    r = client.post("/", data=her_form(), files={"file": ("bloemhof.csv", bloemhof_csv(model),
                                                          "text/csv")})
    notes = [htmllib.unescape(n) for n in
             re.findall(r'<p class="note assumption">(.*?)</p>', r.text, re.S)]
    # with a city row the reference assumes nothing; an index's assumed SD is said, in Dutch
    assert not any("referentie" in n for n in notes)
    assert all(n.startswith("Aanname: de SD tussen personen van ") for n in notes)


def test_a_goal_with_a_size_shows_the_change_needed_on_the_page(client, model, tmp_path):
    goal = "schoolverzuim:-2pp:3j:12-18"
    mine = tmp_path / "bloemhof.csv"
    mine.write_bytes(bloemhof_csv(model))
    levels = fm.profile(model, mine).area_levels("Bloemhof")  # her wijk's own levels
    r = client.post("/", data=her_form(goals=goal),
                    files={"file": ("bloemhof.csv", bloemhof_csv(model), "text/csv")})
    assert r.status_code == 200, alert(r.text)
    assert "Nodig om het doel te halen (schoolverzuim (ongeoorloofd / langdurig): -2 " \
           "procentpunt in 3 jaar, 12-18-jarigen)" in htmllib.unescape(r.text)
    needed = fm.required_change(model, fm.parse_goal(goal), levels=levels).to_frame()
    start = r.text.index('class="needed"')
    cells = [htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r.text[start:])]
    first = cells[:6]  # factor, way, indicator, change (in its unit), SD, within the spread
    assert first[0] == model.nodes.loc[needed["factor"][0], "label_nl"] and first[1] == "alleen"
    assert float(first[4].replace(",", ".")) == pytest.approx(needed["change_sd"][0], abs=0.006)
    assert first[5] == ("ja" if needed["within_spread"][0] else "nee: meer dan 2 SD")


def test_her_figures_come_first_on_the_page(client, model, tmp_path):
    r = client.post("/", data=her_form(), files={"file": ("bloemhof.csv", bloemhof_csv(model),
                                                          "text/csv")})
    assert r.status_code == 200, alert(r.text)
    text = r.text
    assert text.index('id="her-figures"') < text.index('id="profile"')
    mine = tmp_path / "bloemhof.csv"
    mine.write_bytes(bloemhof_csv(model))
    t = fm.indicator_table(model, fm.profile(model, mine), "Bloemhof")
    table = text[text.index('id="indicator-table"'):]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:1 + len(t)]
    cells = [[htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
             for row in rows]
    assert [c[0] for c in cells] == t["label_nl"].tolist()
    first = t.iloc[0]
    unit = "%" if first["unit"] == "%" else f" {first['unit']}"
    assert cells[0][1] == f"{first['value']:.1f}".replace(".", ",") + unit
    assert cells[0][4] in ("beter", "slechter", "gelijk")


def test_inwoners_is_not_the_portfolios_young_people_on_the_page(client):
    """A column of all residents is refused for the portfolio, in Dutch, naming it; with the
    number typed in, the page says the number used, its source and the budget left, and
    every left-out reason is Dutch."""
    csv = ("wijk;jaar;inwoners;% leerplichtigen met een verzuimmelding\n"
           "Bloemhof;2016;14.020;8,4\nTarwewijk;2016;12.313;9,1\nRotterdam;2016;629.606;6,0\n")
    files = {"file": ("mijnwijk.csv", csv.encode("cp1252"), "text/csv")}
    form = {"area": "Bloemhof", "goals": "verzuim_meldingen:-2pp:3j:12-18",
            "budget": "250.000"}
    r = client.post("/", data=form, files=files)
    assert r.status_code == 422 and "telt alle inwoners" in alert(r.text)
    r = client.post("/", data={**form, "population": "1500"}, files=files)
    assert r.status_code == 200, alert(r.text)
    text = htmllib.unescape(r.text)
    assert "1.500 jongeren van 12-18 jaar (door u opgegeven)" in text
    assert "Over van het budget: €" in text
    left = text.split("Niet gekozen, en waarom")[1].split("</table>")[0]
    for english in ("does not", "its expected effect", "less improvement"):
        assert english not in left


#: A goal written as the page writes its examples: target:change[:horizon][:group][=prio].
_EXAMPLE_GOAL = re.compile(r"\b[a-z_0-9]+:[+-][\d,.]+(?:pp|%|sd)(?::\d+j)?(?::\d+-\d+)?"
                           r"(?:=\d+)?")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_example_goal_the_page_shows_runs(client, lang):
    """Each example goal in the page's texts (its help, in both languages) is typed into the
    form as she would, with the example data and a budget: the page answers, never refuses."""
    from factormodel.serve.web import TEXT

    shown = sorted({m for text in TEXT[lang].values() for m in _EXAMPLE_GOAL.findall(text)})
    assert len(shown) >= 3 and "startkwalificatie_18_22:+3pp=2" in shown
    for goal in shown:
        r = client.post("/", data={"model": "rotterdam-jeugd", "area": "Oud-Crooswijk",
                                   "goals": goal, "budget": "250.000", "lang": lang})
        assert r.status_code == 200, (goal, alert(r.text))
        assert alert(r.text) is None, (goal, alert(r.text))


def test_an_ambiguous_goal_on_the_page_is_asked_with_both_readings(client):
    r = client.post("/", data={"model": "rotterdam-jeugd", "area": "Oud-Crooswijk",
                               "goals": "verzuim_meldingen:2% minder", "lang": "nl"})
    message = alert(r.text)
    assert r.status_code == 422 and message is not None
    assert "verzuim_meldingen:-2pp" in message and "verzuim_meldingen:-2%" in message
    assert "procentpunt" in message and "huidige niveau" in message
