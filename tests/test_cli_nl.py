"""The command line in Dutch (the default --lang nl): error messages, notes, headers, help.

The library raises English errors; ``text.messages.error`` renders the common ones in Dutch at
the command line. Every test here triggers the real error through ``main([...])``, so a
changed library message that the Dutch rules no longer cover fails here (it would be
printed in English).
"""

from __future__ import annotations

import json
import re

import pytest

from factormodel.cli import main
from factormodel.errors import DataError, UnknownAreaError
from factormodel.text import messages as L

from .conftest import CHAIN_EDGES, write_folder

HEADER = "wijk;jaar;indicator;waarde"
WIJK = ["Bloemhof;2023;verzuim_meldingen;9,1", "Bloemhof;2023;langdurig_verzuim;7,5",
        "Bloemhof;2023;vsv_nieuw;3,4", "Bloemhof;2023;eindtoets;529"]
STAD = ["Rotterdam;2023;verzuim_meldingen;6,8", "Rotterdam;2023;langdurig_verzuim;5,2",
        "Rotterdam;2023;vsv_nieuw;2,6", "Rotterdam;2023;eindtoets;533"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def data(tmp_path, rows, name="bloemhof.csv", header=HEADER):
    p = tmp_path / name
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(p)


def dutch_error(err: str) -> str:
    """The message of a Dutch error line; fails when it is not one."""
    assert err.startswith("factormodel: fout: "), err
    assert "Python" not in err and "did you mean" not in err, err
    return err[len("factormodel: fout: "):]


def test_unknown_indicator_in_the_data(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, "Bloemhof;2023;verzuim_meldingn;9", *STAD])
    code, out, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                         "--goal", "vsv")
    assert code == 2 and out == ""
    msg = dutch_error(err)
    assert "1 indicatornaam/-namen niet begrepen" in msg
    assert "onbekende indicator 'verzuim_meldingn'; bedoelde u 'verzuim_meldingen'" in msg
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                       "--goal", "vsv", "--lang", "en")  # English stays as the library says
    assert code == 2 and "unknown indicator 'verzuim_meldingn'; did you mean" in err
    assert err.startswith("factormodel: error: ")


def test_single_area_city_average_names_the_options_not_python(capsys, tmp_path):
    path = data(tmp_path, WIJK)
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", path, "--area", "Bloemhof")
    msg = dutch_error(err)
    assert code == 2 and "uit één gebied ('Bloemhof')" in msg
    for option in ("--reference-values BESTAND", "--city NAAM", "--reference typical"):
        assert option in msg
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", path, "--area", "Bloemhof",
                       "--lang", "en")
    assert "single area" in err


def test_area_name_in_other_case_or_without_accents_is_the_area(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD])
    for typed in ("bloemhof", "BLOEMHOF", " Bloemhof"):
        code, out, err = run(capsys, "profile", "rotterdam-jeugd", path, "--area", typed)
        assert code == 0, err
        assert out.startswith("Bloemhof: profiel 2023")
    code, out, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "bloemhof",
                         "--goal", "vsv")
    assert code == 0, err
    assert out.startswith("Bloemhof: factoren om op in te zetten")
    code, out, err = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                         "--area", "oud crooswijk")
    assert code == 0 and out.startswith("Oud-Crooswijk, ")


def test_unknown_area(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD])
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", path, "--area", "Blomhof")
    assert code == 2
    assert dutch_error(err) == "geen gebied 'Blomhof' in de data; bedoelde u 'Bloemhof'?\n"


def test_goal_with_two_indicators(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD])
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                       "--goal", "schoolverzuim:-2%:3j")
    msg = dutch_error(err)
    assert code == 2
    assert msg.startswith("doel schoolverzuim -2% in 3 jaar: 'schoolverzuim' heeft 3 "
                          "indicatoren (verzuim_meldingen [%], langdurig_verzuim [per 1000], "
                          "thuiszitters")
    assert "bijvoorbeeld --goal verzuim_meldingen:-2%" in msg


def test_unknown_goal_and_node(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD])
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                       "--goal", "vsx")
    assert code == 2 and "doel 'vsx' is geen factor, resultaat of indicator" in dutch_error(err)
    assert "bedoelde u 'vsv'?" in err
    code, _, err = run(capsys, "propagate", "rotterdam-jeugd", "--delta", "schoolverzuimm=1")
    assert code == 2 and "onbekende knoop (factor of resultaat) 'schoolverzuimm'" in err


def test_no_population_says_the_option_and_the_column(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD])
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                       "--goal", "vsv", "--budget", "250.000")
    msg = dutch_error(err)
    assert code == 2 and msg.startswith("geen aantal jongeren voor 'Bloemhof' in de data")
    assert "--population AANTAL" in msg and "'jongeren'" in msg


def test_a_short_row_shows_the_problem_and_not_validate(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, "Bloemhof;2023;eindtoets", *STAD])
    code, out, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                         "--goal", "vsv")
    msg = dutch_error(err)
    assert code == 2 and out == ""
    assert msg.splitlines() == [f"{path} heeft 1 probleem:",
                                f"  - {path} regel 6: heeft 3 velden, de kopregel heeft er 4"]
    assert "validate" not in err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                       "--goal", "vsv", "--lang", "en")
    assert err.splitlines()[1] == f"  - {path} line 6: has 3 fields, the header has 4"


def test_every_problem_of_a_data_file_is_listed(capsys, tmp_path):
    rows = [*WIJK, "Bloemhof;2023;eindtoets", "Bloemhof;2023", *STAD]
    path = data(tmp_path, rows)
    code, out, err = run(capsys, "profile", "rotterdam-jeugd", path, "--format", "json")
    assert code == 2
    assert [p["where"] for p in json.loads(out)["problems"]] == [f"{path} line 6",
                                                                 f"{path} line 7"]
    assert json.loads(out)["message"].startswith(f"{path} heeft 2 problemen:")
    assert json.loads(out)["detail"].startswith(f"{path} has 2 problems:")
    assert err.count(" regel ") == 2


def test_a_broken_model_still_points_to_validate(capsys, tmp_path):
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2] = "x"
    folder = write_folder(tmp_path / "bad", edges=edges)
    code, _, err = run(capsys, "propagate", str(folder), "--delta", "armoede=1")
    assert code == 2 and err.count("\n") == 1
    assert "heeft 1 probleem:" in dutch_error(err)
    assert "voer 'factormodel validate' uit" in err


def test_missing_file_and_missing_column(capsys, tmp_path):
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", str(tmp_path / "geen.csv"))
    assert code == 2 and dutch_error(err).endswith("geen.csv: bestand niet gevonden\n")
    path = data(tmp_path, ["Bloemhof;vsv_nieuw;3,4"], header="wijk;indicator;waarde")
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", path)
    msg = dutch_error(err)
    assert code == 2 and "verplichte kolom 'year' ontbreekt (of een van jaar" in msg
    assert "gevonden: wijk, indicator, waarde" in msg


def test_values_and_years_that_are_not_numbers(capsys, tmp_path):
    path = data(tmp_path, ["Bloemhof;2023;vsv_nieuw;veel", "Bloemhof;2022/2023;eindtoets;529",
                           *STAD])
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", path)
    msg = dutch_error(err)
    assert code == 2
    assert ("1 waarde(n) zijn geen getal of CBS-symbool: 'veel' (regel 2, 'Bloemhof', "
            "'vsv_nieuw') in kolom 'waarde': verwacht een getal, niet 'veel'") in msg
    assert "1 onleesbare jaartal(len)" in msg and "'2022/2023' (regel 3) in kolom 'jaar'" in msg


def test_number_options(capsys):
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--goal", "vsv", "--budget", "25x")
    assert code == 2
    assert dutch_error(err) == "--budget '25x' is geen getal (verwacht een getal, niet '25x')\n"


def test_a_message_without_a_rule_stays_english():
    assert L.error(DataError("a new kind of problem"), "nl") == "a new kind of problem"
    # a known head with an unknown tail is not half translated
    odd = UnknownAreaError("no area 'X' in the profile; something else entirely")
    assert L.error(odd, "nl") == str(odd)
    assert L.error(DataError("the data has no rows"), "en") == "the data has no rows"


def test_the_text_layer_words_messages_by_code_not_by_patterns():
    """Issue 22: no regex turns English back into Dutch; every message is worded from its
    code and fields (the rule tables and their machinery are gone)."""
    import inspect

    source = inspect.getsource(L)
    assert "re.compile" not in source and "import re" not in source
    for name in ("_ERROR_RULES", "_WHERE", "_translate", "_goal_nl", "_split_items"):
        assert not hasattr(L, name), name


def test_warnings_are_dutch_notes_not_python_lines(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD[:3]])  # the city row lacks eindtoets
    code, out, err = run(capsys, "profile", "rotterdam-jeugd", path, "--area", "Bloemhof")
    assert code == 0 and out
    assert err == ("factormodel: let op: geen referentiewaarde (stad) voor 1 indicator(en), "
                   "die daarom als niet gemeten tellen: eindtoets\n")
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", path, "--area", "Bloemhof",
                       "--lang", "en")
    assert err == ("factormodel: warning: no reference value (city) for 1 indicator(s), "
                   "left unmeasured: eindtoets\n")


def test_dutch_outputs_have_no_english_words(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD])
    code, out, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                         "--goal", "vsv", "--budget", "250000", "--population", "1200")
    assert code == 0, err
    assert "[reconstructie, niet het officiële model]" in out.splitlines()[0]
    assert "reconstruction" not in out and "False" not in out
    words = " ".join(out.split())  # explanations are wrapped
    assert "Als deze factor terugkomt op het stedelijk gemiddelde, verbeteren" in words
    assert "Terug naar" not in words
    code, out, err = run(capsys, "recommend", "rotterdam-jeugd", path, "--area", "Bloemhof",
                         "--goal", "vsv", "--budget", "250000", "--population", "1200",
                         "--format", "csv-nl")
    assert code == 0, err
    head = out.splitlines()[0].split(";")
    assert "effect_is_default" not in head and "effectgrootte aangenomen (standaard)" in head
    assert "True" not in out and "False" not in out and ";ja;" in out
    paths = [c for c in head if c.startswith("sterkste pad")]
    assert paths and re.search(r"\([+-]\d+,\d{3}\)", out)  # path weights: decimal comma
    assert not re.search(r"\([+-]\d+\.\d{3}\)", out)
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", path, "--area",
                       "Bloemhof")
    assert "[reconstructie, niet het officiële model]" in out.splitlines()[0]


@pytest.mark.parametrize("command", ["recommend", "wijkanalyse", "profile", "propagate"])
def test_help_of_the_adviseur_commands_is_dutch_first(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "naam van de wijk" in out or "voorspel" in out
    if command in ("recommend", "wijkanalyse"):
        assert "aantal jongeren in de wijk" in out and "AANTAL" in out


def test_validate_reads_a_data_file_and_lists_its_problems(capsys, tmp_path):
    good = data(tmp_path, [*WIJK, *STAD])
    code, out, err = run(capsys, "validate", good)
    assert code == 0, err
    assert out.startswith(f"OK: {good}: area data, 8 values; areas: Bloemhof, Rotterdam; "
                          "years: 2023; 4 indicators")
    code, out, _ = run(capsys, "validate", good, "--format", "json")
    assert json.loads(out)["areas"] == ["Bloemhof", "Rotterdam"]
    bad = data(tmp_path, [*WIJK, "Bloemhof;2023;eindtoets", *STAD], name="short.csv")
    code, out, err = run(capsys, "validate", bad)
    assert code == 2 and out == ""
    assert err.splitlines() == [f"factormodel: error: {bad} has 1 problem:",
                                f"  - {bad} line 6: has 3 fields, the header has 4"]


def test_wijkanalyse_in_dutch(capsys, tmp_path):
    path = data(tmp_path, [*WIJK, *STAD[:3]])  # the city row lacks eindtoets
    out_file = tmp_path / "rapport.html"
    code, out, err = run(capsys, "wijkanalyse", "rotterdam-jeugd", path, "--area", "bloemhof",
                         "--goal", "vsv", "--draws", "20", "--out", str(out_file))
    assert code == 0, err
    assert out.strip() == str(out_file)
    assert err == ("factormodel: let op: geen referentiewaarde (stad) voor 1 indicator(en), "
                   "die daarom als niet gemeten tellen: eindtoets\n")  # not a Python warning
    page = out_file.read_text(encoding="utf-8")
    assert "Bloemhof" in page and "citeren als (Engelstalige bronvermelding)" in page
    code, _, err = run(capsys, "wijkanalyse", "rotterdam-jeugd", path, "--area", "Blomhof",
                       "--goal", "vsv", "--out", str(tmp_path / "x.html"))
    assert code == 2 and "geen gebied 'Blomhof'" in dutch_error(err)


def test_goal_syntax_errors(capsys):
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--goal", ":-2pp")
    assert code == 2 and dutch_error(err) == (
        "--goal ':-2pp': verwacht DOEL[:VERANDERING][:JAREN][:GROEP][=PRIORITEIT], "
        "bijvoorbeeld schoolverzuim:-2pp:3j\n")
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--goal", "vsv=veel")
    assert code == 2 and dutch_error(err) == (
        "--goal 'vsv=veel': prioriteit 'veel' is geen getal (verwacht een getal, niet 'veel')\n")


def test_the_units_column_of_a_wijk_is_dutch(capsys):
    # the table said 'procentpunt' but 'per 1000' (a Dutch reader writes 'per 1.000')
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example", "--area",
                       "Oud-Crooswijk")
    assert code == 0 and "procentpunt" in out
    assert "per 1.000" in out and not re.search(r"per 1000\b", out)


def test_a_budgeted_recommendation_reads_in_names_and_dutch(capsys):
    # the review found ids (swpbs, pad, antisociaal_gedrag, vsv) and English kinds
    # ("published with interval") where she reads names, and "+0,00" for -0,004 SD
    import factormodel as fm

    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--goal", "vsv", "--budget", "200000")
    assert code == 0
    cat = fm.load_interventions(fm.load_model("rotterdam-jeugd")).drop_duplicates("intervention")
    left = out.split("Niet gekozen:", 1)[1]
    names = dict(zip(cat["intervention"], cat["name"], strict=True))
    listed = [line.strip().split(":", 1)[0] for line in left.strip().splitlines()]
    assert listed and all(name in names.values() for name in listed), listed
    assert not any(i in listed for i in names if i != names[i])
    assert "published with interval" not in out and "stated default" not in out
    table = out.split("regels:", 1)[1].split("\n     * ", 1)[0]
    assert "SWPBS (Schoolwide Positive Behavior Support)" in table and " swpbs " not in table
    assert "vroeg en aanhoudend antisociaal gedrag" in table
    gaps = out.split("Wat levert het sluiten van de gaten op?", 1)[1].split("samen is", 1)[0]
    assert "schoolsucces (doorstroom / diploma / startkwalificatie)" in gaps
    assert not re.search(r"alleen deze factor .* \+0,00 ", gaps), gaps


def test_the_cli_says_when_a_goal_change_is_converted_at_an_assumed_level(capsys, tmp_path):
    # the page and report said it; the CLI's table of the portfolio's outcomes did not
    import factormodel as fm

    data = fm.load_example_data()
    path = tmp_path / "zonder.csv"
    data[data["indicator"] != "langdurig_verzuim"].to_csv(path, index=False)
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", str(path), "--area",
                       "Oud-Crooswijk", "--goal", "schoolverzuim", "--budget", "200000")
    table = out.split("Voorspelde verandering van de doelen:", 1)[1].split("Niet gekozen", 1)[0]
    row = next(line for line in table.splitlines() if "langdurig_verzuim" in line)
    assert code == 0 and row.rstrip().endswith(
        "bij het gebruikelijke niveau uit de catalogus, een aanname")
    assert not next(line for line in table.splitlines() if "thuiszitters" in line).rstrip() \
        .endswith("aanname")
