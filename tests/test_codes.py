"""Errors, problems and warnings carry a code and fields; the text layer words them.

Every case raises the real error through the library (or the command line) and checks the
three things a code promises: the English message is the catalogue's English template made
from the error's fields (the raiser and ``text.messages.CODES`` cannot drift apart), the
Dutch comes from the catalogue (complete: no English left in it), and the HTTP API's
problem document carries the code.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

import factormodel as fm
from factormodel import errors
from factormodel.analysis.goals import parse_goal, resolve_goal
from factormodel.analysis.words import Lexicon, resolve_indicator, resolve_indicators, resolve_node
from factormodel.files.areas import normalize_area_data
from factormodel.text import messages

#: English words that must not survive in a Dutch message.
ENGLISH = re.compile(r"\b(did you mean|no close match|unknown|not in the|is neither|expected|"
                     r"valid values|measures the opposite|ambiguous|area data|line|column)\b")


def _raised(call) -> errors.FactorModelError:
    with pytest.raises(errors.FactorModelError) as info:
        call()
    return info.value


def _parts(value: object) -> list[errors.Message]:
    """The nested messages of a field value (a hint, listed items)."""
    if isinstance(value, errors.Message):
        return [value, *(p for v in value.fields.values() for p in _parts(v))]
    if isinstance(value, list):
        return [p for v in value for p in _parts(v)]
    return []


def check(e: errors.FactorModelError, code: str, dutch: str) -> str:
    """``e`` has ``code``, its English is its template, its Dutch contains ``dutch``."""
    assert e.code == code, (e.code, str(e))
    assert code in messages.CODES
    assert str(e) == messages.render(e.code, e.fields, "en")
    for part in _parts(list(e.fields.values())):  # nested messages: the same promise
        assert part.code in messages.CODES, part.code
        assert str(part) == messages.render(part.code, part.fields, "en")
    nl = messages.error(e, "nl")
    assert nl == messages.render(e.code, e.fields, "nl") and nl != str(e)
    assert dutch in nl, nl
    assert not ENGLISH.search(nl), nl
    return nl


@pytest.fixture(scope="module")
def model():
    return fm.load_model("rotterdam-jeugd")


@pytest.fixture(scope="module")
def cat(model):
    return fm.load_indicators(model)


# --------------------------------------------------------------------------- hints


def test_hints_are_messages_with_codes():
    hint = errors.close_matches("vsw", ["vsv", "neet", "geweld"])
    assert isinstance(hint, errors.Message) and hint.code == "did_you_mean"
    assert hint.fields == {"names": ["vsv"]}
    assert messages.render(hint.code, hint.fields, "nl") == "bedoelde u 'vsv'?"
    two = errors.close_matches("verzuim", ["schoolverzuim", "verzuim_meldingen", "neet"])
    assert " or " in two and messages.render(two.code, two.fields, "nl").count(" of ") == 1
    none = errors.close_matches("foo", ["vsv", "neet"])
    assert (none.code, messages.render(none.code, none.fields, "nl")) == (
        "no_close_match_valid", "geen geldige waarde lijkt erop; geldige waarden: 'neet', 'vsv'")
    many = errors.close_matches("foo", [f"node_{i}" for i in range(70)])
    assert messages.render(many.code, many.fields, "nl") == \
        "geen van de 70 geldige waarden lijkt erop"
    for h in (hint, two, none, many):
        assert str(h) == messages.render(h.code, h.fields, "en")


def test_a_hint_survives_pickling():
    import pickle

    hint = errors.close_matches("vsw", ["vsv"])
    back = pickle.loads(pickle.dumps(hint))
    assert (back, back.code, back.fields) == (hint, hint.code, hint.fields)


def test_an_unworded_part_leaves_the_whole_message_english():
    odd = errors.Message("something new", "brand_new_hint")
    e = errors.UnknownNodeError("unknown node 'x'; something new", code="unknown_node",
                                fields={"where": "", "name": "x", "hint": odd})
    assert str(e) == messages.render(e.code, e.fields, "en")
    assert messages.error(e, "nl") == str(e)


# --------------------------------------------------------------------------- names


def test_unknown_node(model):
    e = _raised(lambda: resolve_node(model, "vsw"))
    assert isinstance(e, errors.UnknownNodeError)
    check(e, "unknown_node", "onbekende knoop (factor of resultaat) 'vsw'; bedoelde u 'vsv'?")
    e = _raised(lambda: resolve_node(model, "vsw", where="--delta"))
    assert check(e, "unknown_node", "").startswith("--delta: onbekende knoop")


def test_unknown_indicator_without_a_close_match(cat):
    e = _raised(lambda: resolve_indicator(cat, "qqqqqqqqqqqq"))
    nl = check(e, "unknown_indicator", "onbekende indicator 'qqqqqqqqqqqq'; geen van de ")
    assert nl.endswith("indicatoren lijkt erop (id of omschrijving)")


def test_an_opposite_is_never_suggested_plainly(cat):
    e = _raised(lambda: resolve_indicator(cat, "% 18-22 jaar zonder startkwalificatie"))
    check(e, "unknown_indicator", "meet het tegendeel: is uw kolom het complement")
    assert e.fields["hint"].code == "measures_the_opposite"


def test_ambiguous_names():
    lex = Lexicon("node", {"a": ("Zelfde naam", "same"), "b": ("Zelfde naam", "other")})
    e = _raised(lambda: lex.resolve("zelfde naam", where="--delta"))
    assert isinstance(e, errors.AmbiguousNameError)
    check(e, "ambiguous_node_name", "--delta: de naam 'zelfde naam' is dubbelzinnig: hij past "
                                    "bij 'a' (Zelfde naam), 'b' (Zelfde naam); gebruik de id")


def test_names_not_understood_lists_each_in_dutch(cat):
    e = _raised(lambda: resolve_indicators(cat, ["vsv_nieuuw", "qqqqqqqqqqqq"],
                                           where="area data"))
    nl = check(e, "names_not_understood", "gebiedsdata: 2 indicatornaam/-namen niet begrepen: ")
    assert "onbekende indicator 'vsv_nieuuw'; bedoelde u 'vsv_nieuw'?; onbekende" in nl


def test_a_profile_of_data_with_a_misspelt_indicator(model):
    data = pd.DataFrame({"area": ["Bloemhof", "Rotterdam"], "level": ["wijk", "stad"],
                         "year": 2023, "indicator": "vsv_nieuuw", "value": [3.4, 2.6]})
    e = _raised(lambda: fm.profile(model, data))
    check(e, "names_not_understood", "gebiedsdata: 1 indicatornaam/-namen niet begrepen: "
                                     "onbekende indicator 'vsv_nieuuw'; bedoelde u 'vsv_nieuw'?")


def test_areas_not_in_the_registry():
    raw = pd.DataFrame({"wijk": ["Tarwewjik", "Nergenshuizen"], "jaar": 2022, "vsv_nieuw": 1})
    e = _raised(lambda: normalize_area_data(raw, areas=fm.load_areas("rotterdam")))
    nl = check(e, "not_in_area_registry", "2 gebied(en) niet in het gebiedenregister: ")
    assert "'Tarwewjik' (bedoelde u 'Tarwewijk'?)" in nl


# --------------------------------------------------------------------------- goals


def test_goal_syntax():
    e = _raised(lambda: parse_goal(":-2pp"))
    check(e, "goal_syntax", "--goal ':-2pp': verwacht DOEL[:VERANDERING][:JAREN][:GROEP]"
                            "[=PRIORITEIT], bijvoorbeeld schoolverzuim:-2pp:3j")


def test_goal_not_in_the_model(model):
    e = _raised(lambda: resolve_goal(model, "vsx"))
    check(e, "goal_not_in_model", "doel 'vsx' is geen factor, resultaat of indicator van model "
                                  "'rotterdam-jeugd' (id of Nederlandse/Engelse omschrijving); "
                                  "bedoelde u 'vsv'?")


# --------------------------------------------------------------------------- the API


def test_the_api_returns_the_codes_of_names_and_goals():
    pytest.importorskip("fastapi")
    pytest.importorskip("multipart")
    from fastapi.testclient import TestClient

    from factormodel.serve import create_app

    client = TestClient(create_app())
    r = client.post("/api/v1/models/rotterdam-jeugd/recommend",
                    json={"area": "Oud-Crooswijk", "goals": ["vsx"]})
    body = r.json()
    assert body["code"] == "goal_not_in_model", body
    assert body["fields"]["name"] == "vsx" and body["fields"]["hint"] == "did you mean 'vsv'?"
    assert body["detail"] == messages.render(body["code"], body["fields"], "en")


# --------------------------------------------------------------------------- problems


def _problems(e: errors.FactorModelError) -> list[errors.Problem]:
    assert isinstance(e, errors.ModelValidationError), e
    for p in e.problems:
        assert p.code in messages.CODES, (p.code, str(p))
        assert p.message == messages.render(p.code, p.fields, "en")
        if isinstance(p.where, errors.Message):
            assert p.where == messages.render(p.where.code, p.where.fields, "en")
    nl = messages.error(e, "nl")
    assert not ENGLISH.search(nl), nl
    return list(e.problems)


def test_the_shape_of_a_csv_file_is_worded_from_codes(tmp_path):
    short = tmp_path / "kort.csv"
    short.write_text("wijk;jaar;indicator;waarde\nBloemhof;2023;vsv_nieuw;5\nBloemhof;2023\n",
                     encoding="utf-8")
    e = _raised(lambda: fm.read_area_data(short))
    (p,) = _problems(e)
    assert (p.code, p.fields, p.where.code) == ("row_width", {"n": 2, "width": 4}, "place_line")
    assert messages.error(e, "nl").splitlines()[1] == \
        f"  - {short} regel 3: heeft 2 velden, de kopregel heeft er 4"
    twice = tmp_path / "dubbel.csv"
    twice.write_text("wijk;jaar;Wijk;indicator;waarde\nA;2023;A;x;1\n", encoding="utf-8")
    e = _raised(lambda: fm.read_area_data(twice))
    (p,) = _problems(e)
    assert p.code == "duplicate_header" and p.where.code == "place_file_column"
    assert messages.error(e, "nl").endswith(f"{twice} kolom 'Wijk': dubbele kolomnaam")
    empty = tmp_path / "leeg.csv"
    empty.write_text("", encoding="utf-8")
    e = _raised(lambda: fm.read_area_data(empty))
    assert [p.code for p in _problems(e)] == ["empty_file"]
    assert messages.error(e, "nl").endswith(": het bestand is leeg; verwacht een kopregel")


def test_places_of_tables_in_memory():
    from factormodel.tables._cells import TableSource

    src = TableSource("edges")
    assert messages.render("problem", {"where": src.where(3, "weight"), "message": "x"}, "en") \
        == "edges row 3, column 'weight': x"
    for where, nl in [(src.where(3, "weight"), "edges rij 3, kolom 'weight'"),
                      (src.where(3), "edges rij 3"), (src.where(None, "weight"),
                                                      "edges, kolom 'weight'")]:
        assert str(where) == messages.render(where.code, where.fields, "en")
        assert messages.render(where.code, where.fields, "nl") == nl


def test_missing_and_repeated_columns():
    from factormodel.tables._cells import TableSource, require_columns

    _, _, problems = require_columns(["Source", "source", "gewicht"], ("source", "weight"),
                                     TableSource("w.csv"), known=("source", "weight"))
    assert [p.code for p in problems] == ["column_twice", "missing_column"]
    nl = [messages.problem(p, "nl") for p in problems]
    assert nl == ["w.csv, kolom 'source': kolom 'source' komt meer dan eens voor",
                  "w.csv: verplichte kolom 'weight' ontbreekt (gevonden: Source, source, "
                  "gewicht)"]
    _, _, (p,) = require_columns([], ("source",), TableSource("w.csv"))
    assert p.message == "missing required column 'source' (found: none)"
    assert messages.problem(p, "nl") == "w.csv: verplichte kolom 'source' ontbreekt (gevonden: " \
                                        "geen)"
    for p in problems:
        assert p.message == messages.render(p.code, p.fields, "en")


def test_area_data_without_a_year_column(tmp_path):
    path = tmp_path / "zonder_jaar.csv"
    path.write_text("wijk;indicator;waarde\nBloemhof;vsv_nieuw;3,4\n", encoding="utf-8")
    e = _raised(lambda: fm.read_area_data(path))
    check(e, "missing_columns_no_year", "verplichte kolom 'year' ontbreekt (of een van jaar, "
                                        "perioden")
    assert messages.error(e, "nl").endswith("; geef het jaar van een tabel zonder jaarkolom met "
                                            "--year, bijvoorbeeld --year 2023")


def test_the_api_returns_the_codes_of_problems():
    pytest.importorskip("fastapi")
    pytest.importorskip("multipart")
    from fastapi.testclient import TestClient

    from factormodel.serve import create_app

    client = TestClient(create_app())
    r = client.post("/api/v1/models/rotterdam-jeugd/profile/upload",
                    files={"file": ("kort.csv", b"wijk;jaar;indicator;waarde\nA;2023;x;1\nA;2023\n",
                                    "text/csv")}, data={"request": "{}"})
    body = r.json()
    assert r.status_code == 422 and body["code"] == "model_validation", body
    (p,) = body["problems"]
    assert (p["where"], p["code"], p["fields"]) == ("kort.csv line 3", "row_width",
                                                    {"n": 2, "width": 4})
    r = client.post("/api/v1/models/rotterdam-jeugd/profile/upload",
                    files={"file": ("kaal.csv", b"wijk;indicator;waarde\nA;x;1\n", "text/csv")},
                    data={"request": "{}"})
    body = r.json()
    assert body["code"] == "missing_columns_no_year", body
    assert body["detail"].startswith("kaal.csv: missing required column 'year'")


# --------------------------------------------------------------------------- references


def test_a_profile_carries_its_reference_as_a_code(model):
    cbs = fm.profile(model, fm.load_example_data("cbs_kwb2017"),
                     indicators=fm.load_example_indicators("cbs_kwb2017"))
    assert (cbs.reference_code, cbs.reference_fields) == ("reference_weighted_mean", {"n": 75})
    assert isinstance(cbs.reference_source, errors.Message)
    assert cbs.reference_name("en") == str(cbs.reference_source)
    from factormodel.text import words

    assert words.source(cbs.reference_source, "nl") == cbs.reference_name("nl") == \
        "het naar bevolking gewogen gemiddelde van 75 gebieden in de data"
    city = fm.profile(model, fm.load_example_data("rotterdam"))
    assert (city.reference_code, city.reference_fields) == ("city", {})
    assert city.reference_name("nl") == "het stedelijk gemiddelde"


# --------------------------------------------------------------------------- warnings


def test_warnings_carry_codes(model):
    data = pd.DataFrame({"area": ["Bloemhof", "Bloemhof", "Rotterdam"],
                         "level": ["wijk", "wijk", "stad"], "year": 2023,
                         "indicator": ["vsv_nieuw", "eindtoets", "vsv_nieuw"],
                         "value": [3.4, 529.0, 2.6]})  # synthetic: the city lacks eindtoets
    with pytest.warns(errors.DataWarning) as caught:
        fm.profile(model, data)
    (w,) = [c.message for c in caught if getattr(c.message, "code", "") == "no_reference_value"]
    assert str(w) == messages.render(w.code, w.fields, "en")
    assert messages.warning(w, "nl") == ("geen referentiewaarde (stad) voor 1 indicator(en), "
                                         "die daarom als niet gemeten tellen: eindtoets")
    assert messages.warning(w, "en") == str(w)
    with pytest.warns(errors.DataWarning) as caught:
        fm.profile(model, data[data["area"] == "Bloemhof"], reference="target",
                   targets={"vsv_nieuw": 2.0})
    (w,) = [c.message for c in caught if getattr(c.message, "code", "") == "no_target"]
    assert str(w) == messages.render(w.code, w.fields, "en")
    assert messages.warning(w, "nl") == ("geen doelwaarde voor 1 indicator(en), die daarom als "
                                         "niet gemeten tellen: eindtoets")


def test_no_dutch_message_mentions_python():
    """The Dutch of every code is for the command line and the page: no Python arguments."""
    from factormodel.text.catalogue import tr

    for code, template in messages.CODES.items():
        assert "Python" not in tr(template, "nl"), code


# --------------------------------------------------------------------------- portfolio


def _reasons(p) -> dict[str, errors.Message]:
    out = {}
    for r in p.left_out.itertuples():
        why = r.reason
        assert isinstance(why, errors.Message) and why.code == r.reason_code
        assert why.code in messages.CODES
        assert str(why) == messages.render(why.code, why.fields, "en")
        from factormodel.text import words

        nl = words.reason(why, "nl")
        assert nl != str(why) and not ENGLISH.search(nl), nl
        out[r.intervention] = why
    return out


def test_left_out_reasons_carry_codes():
    from factormodel.analysis.portfolio import build_interventions
    from factormodel.tables._tables import TableSource
    from factormodel.text import words

    toy = fm.load_model("toy")
    shared = {"recognition": "goed onderbouwd", "phases": "4-12", "setting": "school",
              "unit": "u", "reach_per_unit": 100, "max_units": 1, "source": "test"}
    rows = [{**shared, "intervention": i, "name": i.upper(), "target": t, "effect": e,
             "cost_per_unit": c, **extra}
            for i, t, e, c, extra in [("good", "schoolverzuim", 0.4, 100, {}),
                                      ("same", "schoolverzuim", 0.1, 50, {}),
                                      ("pricey", "opvoedklimaat", 0.4, 10_000, {}),
                                      ("useless", "schoolprestaties", 0.0, 10, {}),
                                      ("small", "opvoedklimaat", 0.4, 1, {"phases": "0-4"})]]
    cat = build_interventions(pd.DataFrame(rows), toy, TableSource("c"))  # synthetic catalogue
    p = fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0, "opvoedklimaat": -1.0}),
                              cat, budget=200, outcomes=["vsv"], population=100, area="A",
                              one_per_factor=True, phases=["4-12"])
    why = _reasons(p)
    assert {k: w.code for k, w in why.items()} == {
        "same": "left_out_factor_served", "pricey": "left_out_budget",
        "useless": "left_out_no_improvement", "small": "left_out_age_group"}
    assert words.reason(why["pricey"], "nl") == ("past niet in het resterende budget (€ 100 "
                                                 "over, één eenheid kost € 10.000)")
    assert str(why["pricey"]) == ("does not fit the remaining budget (100 left, one unit costs "
                                  "10,000)")
    assert words.reason(why["same"], "nl", {"schoolverzuim": "Schoolverzuim"}) == (
        "een gekozen interventie (GOOD) richt zich al op Schoolverzuim (één interventie per "
        "factor)")


def test_the_threshold_reason_in_dutch(model):
    from factormodel.analysis.population import YoungPeople
    from factormodel.text import words

    prof = fm.profile(model, fm.load_example_data("rotterdam"))
    goals = [fm.parse_goal("schoolverzuim:-2pp:3j:12-18")]
    p = fm.optimize_portfolio(model, prof, fm.load_interventions(model), min_share=0.05,
                              budget=250_000, outcomes=goals,
                              population=YoungPeople(1500, "12-18"), area="Bloemhof",
                              one_per_factor=True, phases=fm.goal_phases(goals))
    tiny = [w for w in _reasons(p).values() if w.code == "left_out_below_threshold"]
    assert tiny
    nl = words.reason(tiny[0], "nl")
    assert re.fullmatch(r"verwacht effect op de gekozen doelen \(\d,\d{4} SD op zijn best\) is "
                        r"kleiner dan de drempel van 5% van de omvang van de doelen "
                        r"\(\d,\d{4} SD\): geen geld voor niets", nl), nl


def test_the_api_returns_the_codes_of_left_out_reasons():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from factormodel.serve import create_app

    client = TestClient(create_app())
    body = client.post("/api/v1/models/rotterdam-jeugd/portfolio", json={
        "area": "Oud-Crooswijk", "outcomes": {"vsv": 1}, "budget": 250_000,
        "one_per_factor": True}).json()
    rows = body["left_out"]
    assert rows and all(r["reason_code"] in messages.CODES for r in rows), rows[:2]
    for r in rows:  # the English reason column is unchanged: the code's template
        assert r["reason_code"].startswith("left_out_") and isinstance(r["reason"], str)


# --------------------------------------------------------------------------- progress


def test_the_problems_of_a_progress_table_carry_codes():
    from factormodel.workflow.progress import read_progress
    from factormodel.workflow.wijkplan import example_plan

    plan = example_plan()
    first = plan.intervention_ids[0]
    t = pd.DataFrame({  # synthetic progress rows, each with one problem
        "interventie": [first, "nope", first, first, first, first, "", first, first, first],
        "periode": ["2022", "2022", "22", "2099", "2022-H3", "2023", "2022", "2024", "2024",
                    "2025"],
        "eenheden": [1] * 10,
        "bereikt": [10, 10, 10, 10, 10, "-3", 10, 10, 10, 10],
        "afgerond": [12, 5, 5, 5, 5, 5, 5, 5, 5, 5],
        "uitgevallen": [0, 6, 0, 0, 0, 0, 0, 2, 2, 2],
        "reden_uitval": ["", "", "", "", "", "", "", "", "zomaar", "verhuisd:1; onbekend:2.5"],
    })
    e = _raised(lambda: read_progress(pd.concat([t, t.iloc[[0]]]), plan))
    got = [p.code for p in _problems(e)]
    for code in ["completed_above_reached", "intervention_not_in_plan", "period_format",
                 "period_outside_plan", "half_format", "count_negative", "no_intervention_id",
                 "dropout_without_reason", "dropout_reason_unknown", "count_not_whole",
                 "progress_row_twice"]:
        assert code in got, (code, got)
    nl = messages.error(e, "nl")
    assert "progress rij 0, kolom 'afgerond': afgerond (12) is meer dan bereikt (10)" in nl
    assert "kolom 'bereikt' moet een getal van 0 of meer zijn, niet '-3'" in nl
    assert "het aantal bij 'onbekend' moet een heel aantal jongeren zijn, niet '2.5'" in nl
    assert "staan er twee keer in (ook progress rij 0)" in nl


# --------------------------------------------------------------------------- files, plans


def test_models_and_files(tmp_path):
    e = _raised(lambda: fm.load_model("rotterdam-jeugt"))
    check(e, "unknown_model", "'rotterdam-jeugt' is geen meegeleverd model en geen bestaand "
                              "bestand of map; meegeleverde modellen: ")
    assert messages.error(e, "nl").endswith("; bedoelde u 'rotterdam-jeugd'?")
    table = tmp_path / "nodes.csv"
    table.write_text("id\n", encoding="utf-8")
    e = _raised(lambda: fm.read_model(table))
    check(e, "not_a_model_file", "verwacht een modelmap of een .json-bestand")
    cp = tmp_path / "kapot.csv"
    cp.write_bytes(b"wijk;jaar\n\x81\x8d;2023\n")  # bytes that neither encoding has
    e = _raised(lambda: fm.read_area_data(cp))
    check(e, "not_utf8", "niet te lezen als UTF-8 of Windows-1252 (byte ")
    book = tmp_path / "kapot.xlsx"
    book.write_bytes(b"not a zip file")
    e = _raised(lambda: fm.read_area_data(book))
    check(e, "not_a_workbook", "kapot.xlsx: geen leesbare Excel-werkmap (.xlsx): BadZipFile")


def test_a_report_needs_an_html_or_pdf_name(tmp_path):
    e = _raised(lambda: fm.report("rotterdam-jeugd", fm.load_example_data(), "Bloemhof",
                                  "vsv", out=tmp_path / "r.txt"))
    check(e, "report_suffix", "een rapport wordt als HTML of PDF geschreven; geef een "
                              "bestandsnaam die eindigt op .html, .htm of .pdf (niet .txt)")
    e = _raised(lambda: fm.report("rotterdam-jeugd", fm.load_example_data(), "Bloemhof",
                                  "vsv", out=tmp_path / "r"))
    check(e, "report_no_suffix", "(deze heeft geen extensie)")


def test_area_data_rows(tmp_path):
    header = tmp_path / "kop.csv"
    header.write_text("wijk;jaar;indicator;waarde\n", encoding="utf-8")
    e = _raised(lambda: fm.read_area_data(header))
    check(e, "no_data_rows", "geen gegevensrijen (alleen een kopregel: wijk, jaar, indicator, "
                             "waarde)")
    twice = tmp_path / "twee.csv"
    twice.write_text("wijk;jaar;indicator;waarde\nBloemhof;2023;vsv_nieuw;3\n"
                     "Bloemhof;2023;vsv_nieuw;4\n", encoding="utf-8")
    e = _raised(lambda: fm.read_area_data(twice))
    check(e, "duplicate_rows", "2 rijen hebben hetzelfde gebied, jaar en dezelfde indicator, "
                               "bijvoorbeeld Bloemhof 2023 vsv_nieuw")


def test_a_city_average_of_one_area_and_residents_are_refused(model):
    one = pd.DataFrame({"area": ["Bloemhof"], "level": ["wijk"], "year": 2023,
                        "indicator": ["vsv_nieuw"], "value": [3.4]})  # synthetic
    e = _raised(lambda: fm.profile(model, one))
    check(e, "city_from_one_area", "het stedelijk gemiddelde zou berekend worden uit één "
                                   "gebied ('Bloemhof')")
    from factormodel.analysis.population import young_people

    data = pd.DataFrame({"wijk": ["A", "B"], "jaar": [2023, 2023], "inwoners": [12000, 9000],
                         "vsv_nieuw": [3.0, 2.2]})  # synthetic
    p = fm.profile(fm.load_model("toy"), data)
    e = _raised(lambda: young_people(p, "A"))
    check(e, "population_counts_residents", "de kolom 'inwoners' van de data telt alle "
                                            "inwoners van 'A' (12000)")


def test_a_plan_of_another_model_version():
    from factormodel.workflow.wijkplan import check_plan, example_plan

    plan = example_plan()
    m = fm.load_model(plan.model_name)
    e = _raised(lambda: check_plan(plan.edit(model_version="0.0.1"), m))
    check(e, "plan_mismatch", "het plan is gemaakt met versie 0.0.1 van model ")
    assert messages.error(e, "nl").endswith(". Maak een nieuw plan met dit model en deze "
                                            "cijfers, of gebruik die waarmee het plan is "
                                            "gemaakt.")
    e = _raised(lambda: check_plan(plan.edit(model_hash="0" * 64), m))
    check(e, "plan_mismatch", "is veranderd sinds het plan is gemaakt (de inhoudshash "
                              "verschilt)")


# --------------------------------------------------------------------------- numbers


def test_numbers_typed_by_people():
    from factormodel.analysis.words import parse_number

    e = _raised(lambda: parse_number("veel", what="--budget"))
    check(e, "not_a_number", "--budget 'veel' is geen getal (verwacht een getal, niet 'veel')")
    e = _raised(lambda: parse_number("", what="--budget"))
    check(e, "not_a_number", "--budget '' is geen getal (geen getal gegeven)")
    e = _raised(lambda: parse_number("1,000", what="--delta", grouping=False))
    assert isinstance(e, errors.AmbiguousNameError)
    check(e, "not_a_number", "'1,000' is dubbelzinnig: 1000 (',' scheidt duizendtallen) of 1.0 "
                             "(',' als decimaalteken); schrijf 1000 voor het eerste, 1,0 voor "
                             "het tweede")
    e = _raised(lambda: parse_goal("vsv:-2pp=hoog"))
    check(e, "not_a_number", "--goal 'vsv:-2pp=hoog': prioriteit 'hoog' is geen getal")


@pytest.mark.parametrize("cell, code, dutch", [
    ("veel", "cell_not_a_number", "verwacht een getal, niet 'veel'"),
    ("1_0", "cell_underscore", "verwacht een getal, niet '1_0' ('_' scheidt geen cijfers in "
                               "tabellen)"),
    ("inf", "cell_not_finite", "verwacht een eindig getal, niet 'inf'"),
    ("nan", "cell_nan", "verwacht een getal, niet NaN ('nan')"),
    ("1e999", "cell_too_large", "verwacht een eindig getal, niet '1e999' (te groot)"),
    (True, "cell_boolean", "verwacht een getal, niet de waarheidswaarde True"),
    ("5%", "cell_percent_sign", "verwacht een getal, niet '5%'; een %-teken mag hier niet"),
])
def test_cells_that_are_not_numbers(cell, code, dutch):
    from factormodel.tables._cells import parse_number as parse_cell

    _, _, why = parse_cell(cell)
    assert isinstance(why, errors.Message) and why.code == code, why
    assert str(why) == messages.render(why.code, why.fields, "en")
    assert messages.render(why.code, why.fields, "nl").startswith(dutch)


def test_cells_with_thousands_where_none_are_allowed():
    from factormodel.tables._cells import parse_number as parse_cell

    for kwargs, code, dutch in [
            ({"decimal": ","}, "cell_column_decimal", "(de kolom gebruikt ',' als decimaalteken,"
                                                      " dus '.' scheidt duizendtallen"),
            ({}, "cell_thousands", "(scheidingstekens voor duizendtallen mogen hier niet; "
                                   "schrijf 1250000.0)")]:
        _, _, why = parse_cell("1.250.000" if code == "cell_thousands" else "1.250", **kwargs)
        assert why.code == code, why
        assert str(why) == messages.render(why.code, why.fields, "en")
        assert dutch in messages.render(why.code, why.fields, "nl")


def test_the_command_lines_own_number_errors(capsys):
    from factormodel.cli import main

    for argv, dutch in [
            (["propagate", "toy", "--delta", "schoolverzuim"],
             "--delta 'schoolverzuim': verwacht ID=WAARDE, bijvoorbeeld --delta "
             "schoolverzuim=-0.5"),
            (["propagate", "toy", "--delta", "schoolverzuim=veel"],
             "--delta 'schoolverzuim=veel': 'veel' is geen getal"),
            (["recommend", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk",
              "--outcome", "vsv=hoog"], "--outcome 'vsv=hoog': prioriteit 'hoog' is geen getal")]:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err == f"factormodel: fout: {dutch}\n", err


# --------------------------------------------------------------------------- issue 22: the
# last regex translations (codes raised where the message is made)


def test_errors_and_warnings_share_one_code_and_fields_init():
    assert errors.DataWarning.__init__ is errors.FactorModelError.__init__
    w = errors.ModelWarning("odd", fields={"x": 1})
    assert (w.code, w.fields) == ("model_warning", {"x": 1})


def test_percentages_given_as_fractions(model):
    d = pd.DataFrame({"area": ["Bloemhof", "Rotterdam"], "year": 2023,
                      "indicator": "neet_18_26", "value": [0.091, 0.068]})  # synthetic
    e = _raised(lambda: fm.profile(model, d))
    check(e, "percentages_as_fractions", "1 percentage-indicator(en) lijken breuken (0,091 in "
                                         "plaats van 9,1): neet_18_26 (grootste waarde 0,091; "
                                         "gebruikelijk niveau 9%). Een spreadsheetcel")


@pytest.mark.parametrize("text, word", [("schoolverzuim:2% minder", "minder"),
                                        ("vsv:3,5% meer", "meer")])
def test_an_ambiguous_goal_in_words(text, word):
    from factormodel.analysis.readback import read_goal

    e = _raised(lambda: read_goal(text))
    number = "2" if word == "minder" else "3,5"
    check(e, f"ambiguous_goal_{'less' if word == 'minder' else 'more'}",
          f"is óf {number} procentpunt {word} (--goal ")


def test_a_goal_on_a_node_with_several_indicators(model):
    e = _raised(lambda: resolve_goal(model, parse_goal("schoolverzuim:-2%:3j:12-18")))
    check(e, "goal_node_indicators", "doel schoolverzuim -2% in 3 jaar, 12-18-jarigen: "
                                     "'schoolverzuim' heeft 3 indicatoren (")


def test_a_goal_words_itself_as_a_coded_message():
    from factormodel.text import words

    g = parse_goal("schoolverzuim:-2,5pp:3j:12-18")
    m = g.message()
    assert (m, m.code) == ("schoolverzuim -2.5 pp in 3 years, ages 12-18", "goal_described")
    for part in _parts(m):
        assert str(part) == messages.render(part.code, part.fields, "en"), part.code
    assert words.goal(g, "nl") == "schoolverzuim -2,5 procentpunt in 3 jaar, 12-18-jarigen"
    assert words.goal(parse_goal("vsv:::ouders"), "nl") == "vsv doelgroep ouders"
    assert words.goal(parse_goal("vsv"), "nl", target=False) == ""
    assert g.describe() == str(m) and g.change_text() == str(g.size_message())
    with pytest.warns(DeprecationWarning, match="text.words.goal"):
        assert g.describe("nl") == str(m)  # the analysis words no Dutch


def test_an_assumed_sd_of_an_index_is_a_coded_source(model):
    from factormodel.text import words

    data = pd.DataFrame({"area": ["Bloemhof", "Rotterdam"], "level": ["wijk", "stad"],
                         "year": 2023, "indicator": "veerkracht",
                         "value": [6.4, 7.0]})  # synthetic
    (a,) = [a for a in fm.profile(model, data).assumptions
            if getattr(a, "code", "") == "assumed_sd_of_index"]
    assert str(a) == messages.render(a.code, a.fields, "en")
    # by its label in the reader's language, not its id
    label = model_label = fm.load_indicators(model).loc["veerkracht", "label_nl"]
    assert words.source(a, "nl") == (f"de SD tussen personen van {label} is aangenomen, niet "
                                     "uit een normtabel (zie sd_source in de "
                                     "indicatorcatalogus)")
    assert model_label != "veerkracht"


def test_problems_inside_an_area_data_file(tmp_path):
    rows = "".join(f"W{i};2022/2023;neet_18_26;9,{i};100\n" for i in range(14))
    path = tmp_path / "fout.csv"
    path.write_text("wijk;jaar;indicator;waarde;inwoners\n" + rows
                    + "Bloemhof;2023;vsv_nieuw;veel;-5\nBloemhof;2023;eindtoets;529;12a\n",
                    encoding="utf-8")
    e = _raised(lambda: fm.read_area_data(path))
    nl = check(e, "area_data_problems", f"{path}: 14 onleesbare jaartal(len) (verwacht "
                                        "bijvoorbeeld 2022, 2022JJ00 of 2022*): '2022/2023' "
                                        "(regels 2-15) in kolom 'jaar'")
    assert "1 waarde(n) zijn geen getal of CBS-symbool: 'veel' (regel 16, 'Bloemhof', " \
           "'vsv_nieuw') in kolom 'waarde': verwacht een getal, niet 'veel'" in nl
    assert "1 aantal(len) jongeren/inwoners zijn geen getal: '12a' (regel 17, 'Bloemhof') in " \
           "kolom 'inwoners'" in nl
    assert "aantal(len) jongeren/inwoners zijn negatief: '-5' (regel 16, 'Bloemhof') in kolom " \
           "'inwoners': een aantal kan niet negatief zijn" in nl
    raw = pd.DataFrame({"wijk": ["A", "B", "C"], "jaar": [2023, 2023, "x"],
                        "vsv": ["1", "veel", "2"]})  # in memory: rows, not lines
    e = _raised(lambda: normalize_area_data(raw))
    nl = check(e, "area_data_problems", "gegevens: 1 onleesbare jaartal(len)")
    assert "'x' (rij 3) in kolom 'jaar'" in nl and "'veel' (rij 2, 'B', 'vsv')" in nl


def test_a_long_listing_says_how_many_more():
    # synthetic: 30 bad cells in 30 columns, 25 named (one column's are named once)
    raw = pd.DataFrame({"wijk": ["W0"], "jaar": 2023, **{f"v{i}": "veel" for i in range(30)}})
    e = _raised(lambda: normalize_area_data(raw))
    nl = check(e, "area_data_problems", "30 waarde(n) zijn geen getal")
    assert nl.endswith("; ... en nog 5") and str(e).endswith("; ... and 5 more")


def test_the_problems_of_a_model_folder_are_dutch(tmp_path):
    from tests.conftest import CHAIN_EDGES, CHAIN_NODES, write_folder

    nodes = [*map(list, CHAIN_NODES), ["b", "riskk", "nergens", "", "", "all", "false",
                                       "hoger", ""],
             ["bad id", "risk", "thuis", "x", "x", "all", "false", "higher", ""],
             ["z", "outcome", "kansrijk", "z", "z", "all", "false", "", ""]]
    edges = [*map(list, CHAIN_EDGES), ["a", "a", "0.1", "matig", "-1", "", ""],
             ["a", "zz", "x", "wat", "", "expert judgement", ""],
             ["a", "b", "0.2", "matig", "0.1", "expert judgement", ""],
             ["b", "z", "0.2", "matig", "", "expert judgement", ""],
             ["", "y", "", "matig", "", "expert judgement", ""]]
    e = _raised(lambda: fm.read_model(write_folder(tmp_path / "kapot", nodes, edges)))
    problems = _problems(e)
    codes = {p.code for p in problems}
    assert {"duplicate_node_id", "unknown_kind", "unknown_setting_factor", "missing_label_nl",
            "missing_label_en", "unknown_desired", "node_id_format", "desired_contradicts_risk",
            "outcome_needs_desired", "self_loop", "sd_negative", "missing_source_ref",
            "unknown_node", "cell_not_a_number", "unknown_strength", "duplicate_edge",
            "missing_source_id", "missing_weight"} <= codes, codes
    nl = messages.error(e, "nl")
    assert "kolom 'target': lus 'a' -> 'a'; een knoop kan zichzelf niet rechtstreeks " \
           "beïnvloeden" in nl
    assert "de verbinding 'a' -> 'b' komt twee keer voor (eerst bij " in nl
    assert "kolom 'label_nl': de Nederlandse omschrijving ontbreekt" in nl


def test_unknown_nodes_and_edges_of_a_model():
    toy = fm.load_model("toy")
    e = _raised(lambda: toy.positions(["vsw", "armoed"]))
    check(e, "unknown_nodes_in_model", "2 onbekende knopen in model 'toy': 'vsw' (bedoelde u "
                                       "'vsv'?); 'armoed' (bedoelde u 'armoede'?)")
    e = _raised(lambda: toy.positions([f"x{i}" for i in range(10)]))
    assert check(e, "unknown_nodes_in_model", "10 onbekende knopen").endswith(" (en nog 2)")
    e = _raised(lambda: toy.edge_rows([("armoede", "vsv")]))
    check(e, "edge_not_in_model", "1 verbinding niet in model 'toy': 'armoede' -> 'vsv'; "
                                  "bedoelde u 'armoede -> opvoedklimaat'?")
    e = _raised(lambda: toy.with_weights(pd.DataFrame({"source": ["armoede"] * 2, "target": [
        "opvoedklimaat"] * 2, "weight": ["", 0.1], "gewicht": [1, 1]})))
    assert {p.code for p in _problems(e)} == {"unknown_column"}
    e = _raised(lambda: toy.with_weights(pd.DataFrame({"source": ["armoede"] * 2, "target": [
        "opvoedklimaat"] * 2, "weight": ["", 0.1]})))
    assert {p.code for p in _problems(e)} == {"duplicate_weight_row", "no_weight"}


def _toy_portfolio():
    from factormodel.analysis.portfolio import build_interventions
    from factormodel.tables._tables import TableSource

    toy = fm.load_model("toy")
    shared = {"recognition": "goed onderbouwd", "phases": "4-12", "setting": "school",
              "unit": "u", "reach_per_unit": 100, "max_units": 1, "source": "test",
              "target": "opvoedklimaat", "cost_per_unit": 50}
    rows = [{**shared, "intervention": i, "name": i.upper(), "effect": e}
            for i, e in [("good", 0.4), ("same", 0.1)]]  # synthetic catalogue
    cat = build_interventions(pd.DataFrame(rows), toy, TableSource("c"))
    p = fm.optimize_portfolio(toy, pd.Series({"opvoedklimaat": -1.0}), cat, budget=200,
                              outcomes=["vsv"], population=100, area="A", one_per_factor=True)
    return toy, p


def test_downloads_name_the_served_factor_by_its_label():
    import base64
    import io

    from factormodel.render.view import downloads

    toy, p = _toy_portfolio()
    assert p.left_out["reason_code"].tolist() == ["left_out_factor_served"]
    label_nl, label_en = toy.nodes.loc["opvoedklimaat", ["label_nl", "label_en"]]
    assert "opvoedklimaat" not in (label_en, label_nl)
    for lang, label in [("nl", label_nl), ("en", label_en)]:
        d = downloads(p.left_out, "niet_gekozen", lang, toy.nodes)
        book = pd.read_excel(io.BytesIO(base64.b64decode(d.xlsx.split(",", 1)[1])))
        (why,) = [c for c in book["reden" if lang == "nl" else "reason"] if "GOOD" in str(c)]
        assert (f"richt zich al op {label} (één interventie" if lang == "nl" else
                f"its target factor {label} is already served by GOOD") in why, why
        nl_csv = base64.b64decode((d.csv if lang == "nl" else d.csv_other).split(",", 1)[1])
        assert f"richt zich al op {label_nl} (één interventie" in nl_csv.decode("utf-8-sig")


# --------------------------------------------------------------------------- sources


def _source(value: object, code: str, dutch: str) -> None:
    from factormodel.text import words

    assert isinstance(value, errors.Message) and value.code == code, (value, code)
    assert str(value) == messages.render(value.code, value.fields, "en")
    for part in _parts(value):
        assert str(part) == messages.render(part.code, part.fields, "en"), part.code
    nl = words.source(value, "nl")
    assert nl == dutch, nl
    assert words.source(value, "en") == str(value)


@pytest.mark.filterwarnings("ignore::factormodel.errors.DataWarning")
def test_the_sources_and_assumptions_of_a_profile_are_coded(model, tmp_path):
    data = pd.DataFrame({"area": ["Bloemhof", "Bloemhof", "Tarwewijk", "Tarwewijk",
                                  "Rotterdam"], "level": ["wijk"] * 4 + ["stad"],
                         "year": 2023, "indicator": ["vsv_nieuw", "eindtoets"] * 2
                         + ["vsv_nieuw"], "value": [3.4, 529.0, 3.0, 530.0, 2.6]})  # synthetic
    p = fm.profile(model, data)
    _source(p.reference_source, "reference_city_row_filled",
            "de stadsrij 'Rotterdam' in de data (gemiddelde van 2 gebieden voor eindtoets)")
    _source(fm.profile(model, data[data["indicator"] == "vsv_nieuw"]).reference_source,
            "reference_city_row", "de stadsrij 'Rotterdam' in de data")
    p = fm.profile(model, data, reference="typical")
    _source(p.reference_source, "reference_typical_levels",
            "de typische niveaus uit de catalogus")
    _source(p.assumptions[0], "reference_typical_assumption", "de referentie is het typische "
            "niveau van elke indicator uit de catalogus: een aanname, geen meting van de stad")
    p = fm.profile(model, data, reference="target")
    _source(p.reference_source, "reference_targets", "de doelwaarden uit de catalogus")
    values = {"vsv_nieuw": 2.0, "eindtoets": 530}
    _source(fm.profile(model, data, reference="values", reference_values=values
                       ).reference_source, "reference_given", "de opgegeven referentiewaarden")
    path = tmp_path / "ref.csv"
    pd.DataFrame({"indicator": list(values), "value": list(values.values())}).to_csv(
        path, index=False)
    _source(fm.profile(model, data, reference="values", reference_values=path
                       ).reference_source, "reference_values_in",
            f"de referentiewaarden in {path}")
    two = pd.concat([data, data.assign(year=2022)])
    _source(fm.profile(model, two, reference="previous_year").reference_source,
            "reference_previous_year", "de eigen waarden van de gebieden in 2022")
    few = [a for a in fm.profile(model, data[data["area"] != "Rotterdam"]).assumptions
           if a.code == "reference_few_areas"]
    _source(few[0], "reference_few_areas", "de referentie is het gemiddelde van maar 2 "
            "gebieden in de data, niet van de hele stad: voeg een stadsrij toe, of geef de "
            "cijfers van de stad als referentiewaarden")


def test_the_example_catalogue_and_column_notes_are_coded_sources(model):
    p = fm.profile(model, fm.load_example_data("cbs_kwb2017"))
    (note,) = [a for a in p.assumptions if a.code == "example_catalogue"]
    _source(note, "example_catalogue", "indicatorcatalogus: die van de voorbeelddata "
            "'cbs_kwb2017' (fm.load_example_indicators('cbs_kwb2017')), genoemd in de kolom "
            "'catalogue' van de data")
    from factormodel.analysis.columns import as_columns

    cat = fm.load_indicators(model)
    mapping = as_columns(pd.DataFrame({
        "kolom": ["vsv", "verzuim"], "indicator": ["vsv_nieuw", "verzuim_meldingen"],
        "transformatie": ["fractie", "zoals"], "definitie": ["", "meldingen per leerling"],
        "jaar": ["2021", ""]}), cat)
    first, second = mapping.notes()
    _source(first, "column_read_as", "kolom 'vsv' gelezen als vsv_nieuw (fractie → % (× 100); "
                                     "jaar 2021)")
    _source(second, "column_read_as", "kolom 'verzuim' gelezen als verzuim_meldingen (zoals "
                                      "gegeven; haar definitie: meldingen per leerling)")
    with pytest.warns(DeprecationWarning):
        assert mapping.notes("nl") == (first, second)


def test_the_assumptions_of_a_goal_are_coded_sources(model):
    r = resolve_goal(model, parse_goal("verzuim_meldingen:+2pp"))
    (against,) = [a for a in r.assumptions if a.code == "goal_against_direction"]
    _source(against, "goal_against_direction",
            "het doel beweegt schoolverzuim tegen de gebruikelijke gewenste richting in")
    (level,) = [a for a in r.assumptions if a.code == "converted_at_typical_level"]
    assert words_nl(level).startswith("verzuim_meldingen omgerekend op het typische niveau ")


def words_nl(value: object) -> str:
    from factormodel.text import words

    return words.source(value, "nl")


def test_the_words_of_sources_have_no_pattern_table():
    import inspect

    from factormodel.text import words

    assert not hasattr(words, "_SOURCES") and "re.compile" not in inspect.getsource(words)


def test_graph_guard_rails_and_metadata_problems_are_dutch(tmp_path):
    from tests.conftest import CHAIN_EDGES, CHAIN_NODES, write_folder

    nodes = [*map(list, CHAIN_NODES), ["A", "risk", "thuis", "x", "x", "all", "false", "", ""],
             ["z", "outcome", "kansrijk", "z", "z", "all", "false", "lower", ""]]
    edges = [*map(list, CHAIN_EDGES), ["a", "y", "20", "matig", "", "expert judgement", ""]]
    e = _raised(lambda: fm.read_model(write_folder(tmp_path / "m", nodes, edges, meta={
        "name": "m", "version": "1", "status": "raar"})))
    assert [p.code for p in _problems(e)] == ["unknown_status", "outcome_without_edges",
                                              "id_differs_in_case", "beyond_weight_bound"]
    nl = messages.error(e, "nl")
    assert "metadata.json, veld 'status': onbekende status 'raar'; verwacht een van " in nl
    assert "  - knoop 'z': het resultaat heeft geen inkomende verbinding" in nl
    assert "de waarde 20 in kolom weight is in absolute waarde groter dan de grens 10" in nl
    e = _raised(lambda: fm.read_model(write_folder(tmp_path / "m2", meta={"name": "m2"})))
    assert {p.code for p in _problems(e)} == {"missing_field"}
    assert "veld 'version': verplicht veld 'version' ontbreekt" in messages.error(e, "nl")
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2] = "0.5"  # a risk factor that raises a protective one
    edges.append(["y", "a", "0.3", "matig", "", "expert judgement", ""])
    with pytest.warns(errors.ModelWarning):
        m = fm.read_model(write_folder(tmp_path / "m3", edges=edges))
    for p in m.warnings:
        assert p.message == messages.render(p.code, p.fields, "en"), p.code
    sign, back = m.warnings
    assert messages.problem(sign, "nl").endswith(
        "het gewicht +0,5 van 'a' (risicofactor) -> 'b' (beschermende factor) heeft het "
        "omgekeerde teken van wat de soorten doen verwachten; verwacht negatief")
    assert "het resultaat 'y' stuurt de risicofactor 'a', die op zijn beurt 'y' stuurt" in \
        messages.problem(back, "nl")


def test_phases_and_booleans_of_nodes_are_dutch(tmp_path):
    from tests.conftest import CHAIN_NODES, write_folder

    nodes = [list(r) for r in CHAIN_NODES]
    nodes[0][5], nodes[0][6] = "all 0-4", "misschien"
    nodes[1][5], nodes[1][6] = "4-12 99-100", ""
    nodes[2][5] = ""
    e = _raised(lambda: fm.read_model(write_folder(tmp_path / "m", nodes)))
    assert [p.code for p in _problems(e)] == ["all_and_phases", "not_a_bool", "unknown_phase",
                                              "bool_empty", "no_phase"]
    nl = messages.error(e, "nl")
    assert "kolom 'modifiable': verwacht true of false (ook ja/nee, yes/no, 1/0), niet " \
           "'misschien'" in nl
    assert "kolom 'phases': onbekende levensfase '99-100'; verwacht een of meer van " in nl


def test_goals_that_cannot_be_met_as_stated_are_dutch(model):
    from factormodel.analysis.goals import Goal, as_goals

    e = _raised(lambda: parse_goal("vsv:12-18:ouders"))
    check(e, "goal_part_unreadable", "--goal 'vsv:12-18:ouders': 'ouders' is niet te lezen; ")
    e = _raised(lambda: resolve_goal(model, parse_goal("jeugdcriminaliteit:-2pp")))
    check(e, "goal_node_no_percentage", "doel jeugdcriminaliteit -2 procentpunt: "
                                        "'jeugdcriminaliteit' heeft geen indicator in procenten")
    e = _raised(lambda: resolve_goal(model, parse_goal("misdrijven_per_1000:-2pp")))
    check(e, "goal_pp_needs_percent", "procentpunten vragen een indicator in procenten; "
                                      "'misdrijven_per_1000' is in 'per 1000'")
    e = _raised(lambda: resolve_goal(model, parse_goal("neet_18_26:-50pp")))
    check(e, "goal_impossible", "vanaf 9 % valt een verandering van -50 buiten het bereik van "
                                "'neet_18_26'")
    e = _raised(lambda: as_goals(model, [Goal("vsv", -1.0), Goal("vsv", 1.0)]))
    check(e, "goals_opposite", "twee doelen op 'vsv' vragen om tegengestelde richtingen")


def test_the_problems_of_an_intervention_catalogue_carry_codes(toy):
    # they were English in the Dutch CLI and page (issue 22)
    from factormodel.analysis.portfolio import build_interventions
    from factormodel.tables._cells import TableSource

    ev = {"effect_status": "published", "design": "rct", "comparison": "care as usual",
          "study_setting": "routine practice", "population": "indicated",
          "reach_counts": "selected children", "country": "NL", "follow_up": "1 year",
          "outcome_measured": "attendance", "mapping_caveat": "none",
          "effect_source": "Some (2020)", "effect_location": "Table 3", "confidence": "seen"}
    base = {"name": "X", "recognition": "goed onderbouwd", "phases": "4-12",
            "setting": "school", "unit": "kind", "cost_per_unit": 100.0, "reach_per_unit": 1.0,
            "max_units": 50.0, "source": "test"}
    rows = pd.DataFrame([
        {**base, "intervention": "", "target": "schoolverzuimm"},
        {**base, "intervention": "a", "target": "vsv", "recognition": "goed",
         "setting": "straat", "cost_per_unit": -1, "reach_per_unit": 0, "max_units": 1.5},
        {**base, "intervention": "b", "target": "armoede", "source": ""},
        {**base, "intervention": "c", "target": "schoolverzuim"},
        {**base, "intervention": "c", "target": "schoolverzuim", "name": "Y"},
        {**base, **ev, "intervention": "d", "target": "schoolverzuim", "effect": "0.2",
         "effect_status": "published null"},
        {**base, **ev, "intervention": "e", "target": "schoolverzuim", "effect": "",
         "effect_status": "published", "effect_low": "0.1"},
        {**base, **ev, "intervention": "f", "target": "schoolverzuim", "effect": "0.3",
         "effect_low": "0.4", "effect_high": "0.6", "effect_status": "maybe"},
        {**base, **ev, "intervention": "g", "target": "schoolverzuim", "effect": "",
         "effect_status": "", "effect_low": "0.1", "effect_high": "0.2"},
        {**base, **ev, "intervention": "h", "target": "schoolverzuim", "effect": "0.3",
         "confidence": "recalled", "design": "anecdote", "country": "", "comparison": ""},
    ])
    e = _raised(lambda: build_interventions(rows, toy, TableSource("c.csv")))
    codes = {p.code for p in _problems(e)}  # English = template, Dutch complete
    assert codes >= {"iv_missing_id", "iv_unknown_target", "iv_target_outcome",
                     "iv_target_context", "iv_target_twice", "iv_unknown_recognition",
                     "iv_unknown_setting", "iv_above_zero", "iv_at_least_zero",
                     "iv_whole_units", "iv_unknown_effect_status", "iv_null_not_zero",
                     "iv_published_no_effect", "iv_interval_one_end", "iv_interval_outside",
                     "iv_interval_no_effect", "iv_missing_evidence", "iv_missing_evidence_of",
                     "iv_unknown_confidence", "iv_unknown_value", "iv_missing", "iv_differs"}, \
        codes
    nl = messages.error(e, "nl")
    for dutch in ("'vsv' is een resultaat; interventies richten zich op factoren",
                  "interventie 'c' noemt factor 'schoolverzuim' twee keer",
                  "het interval [0,4; 0,6] moet het effect 0,3 bevatten",
                  "name van 'c' wijkt af van c.csv rij 3",
                  "onbekende confidence 'recalled'; verwacht een van seen, seen (abstract), "
                  "secondary (een getal uit het geheugen wordt niet ingevoerd)"):
        assert dutch in nl, nl
    empty = _raised(lambda: build_interventions(rows.iloc[:0], toy, TableSource("c.csv")))
    assert [p.code for p in _problems(empty)] == ["iv_none"]
    assert messages.error(empty, "nl").endswith("geen interventies")


def test_the_threshold_reason_never_reads_x_is_below_x():
    # "0,0003 SD op zijn best is kleiner dan de drempel ... (0,0003 SD)"
    from factormodel.analysis import portfolio

    digits = portfolio._telling_digits(0.00033, 0.00034)
    fields = {"best": 0.00033, "share": 0.01, "limit": 0.00034, "digits": digits,
              "of": errors.Message("best intervention", "threshold_of_best_intervention")}
    en = messages.render("left_out_below_threshold", fields, "en")
    nl = messages.render("left_out_below_threshold", fields, "nl")
    assert "(0.00033 SD at most)" in en and "(0.00034 SD)" in en
    assert "(0,00033 SD op zijn best)" in nl and "(0,00034 SD)" in nl
    assert portfolio._telling_digits(0.004, 0.02) == 4  # as before where 4 decimals tell


def test_an_ambiguous_area_name_is_said_in_dutch_with_the_fix():
    # "area 'Feijenoord' is ambiguous (...)" stayed English in the Dutch CLI
    data = pd.DataFrame({"area": ["Feijenoord", "Rotterdam"], "year": 2023,
                         "indicator": "vsv_nieuw", "value": [3.0, 2.4]})
    e = _raised(lambda: fm.read_area_data(data, areas="rotterdam"))
    nl = check(e, "area_ambiguous", "gebiedsnaam 'Feijenoord' is niet eenduidig (Feijenoord "
               "(gebied), Feijenoord (wijk))")
    assert "voeg een kolom 'niveau' (level) toe" in nl
