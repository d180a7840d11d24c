"""The text layer: the one number formatter, the gettext catalogues (the compiled .mo is
the .po; every marked text has its Dutch), errors with a code and fields, and the problem
codes of the HTTP API."""

from __future__ import annotations

import ast
import gettext
import io
import string
from pathlib import Path

import pandas as pd
import pytest

import factormodel as fm
from factormodel import errors
from factormodel.text import catalogue, messages, po, words
from factormodel.text import numbers as fmt

PACKAGE = Path(fm.__file__).parent


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("call, nl, en", [
    (lambda lang: fmt.number(1234567.891, 2, lang), "1.234.567,89", "1,234,567.89"),
    (lambda lang: fmt.number(-1234.5, 1, lang), "-1.234,5", "-1,234.5"),
    (lambda lang: fmt.number(0, 2, lang), "0,00", "0.00"),
    (lambda lang: fmt.number(-0.004, 2, lang), "0,00", "0.00"),  # never "-0,00"
    (lambda lang: fmt.number(-0.004, 2, lang, sign=True), "+0,00", "+0.00"),
    (lambda lang: fmt.number(2.675, 2, lang), "2,67", "2.67"),  # float rounding, as Python
    (lambda lang: fmt.number(0.125, 1, lang), "0,1", "0.1"),
    (lambda lang: fmt.number(0.0004, 2, lang, significant=True), "0,0004", "0.0004"),
    (lambda lang: fmt.number(12345.6, 1, lang, grouping=False), "12345,6", "12345.6"),
    (lambda lang: fmt.number(float("nan"), 2, lang), "n.v.t.", "n/a"),
    (lambda lang: fmt.number(None, 2, lang, missing="–"), "–", "–"),
    (lambda lang: fmt.number(float("inf"), 2, lang), "n.v.t.", "n/a"),
    (lambda lang: fmt.signed(0.25, 2, lang), "+0,25", "+0.25"),
    (lambda lang: fmt.signed(-1.5, 1, lang), "-1,5", "-1.5"),
    (lambda lang: fmt.count(2573, lang), "2.573", "2,573"),
    (lambda lang: fmt.count(-1999.6, lang), "-2.000", "-2,000"),
    (lambda lang: fmt.money(250_000, lang), "€ 250.000", "€250,000"),
    (lambda lang: fmt.money(249_800.4, lang), "€ 249.800", "€249,800"),
    (lambda lang: fmt.money(0, lang), "€ 0", "€0"),
    (lambda lang: fmt.money(-1250.5, lang, digits=2), "€ -1.250,50", "€-1,250.50"),
    (lambda lang: fmt.money(float("nan"), lang), "n.v.t.", "n/a"),
    (lambda lang: fmt.percent(9.14, 1, lang), "9,1%", "9.1%"),
    (lambda lang: fmt.percent(-0.04, 1, lang), "0,0%", "0.0%"),
    (lambda lang: fmt.points(2.515, lang, 3), "2,515 procentpunt", "2.515 pp"),
    (lambda lang: fmt.points(-2.25, lang, 2, sign=True), "-2,25 procentpunt", "-2.25 pp"),
    (lambda lang: fmt.sd(0.0278, lang, 4), "0,0278 SD", "0.0278 SD"),
    (lambda lang: fmt.sd(-0.0144, lang, 4, sign=True), "-0,0144 SD", "-0.0144 SD"),
])
def test_the_formatter_in_dutch_and_english(call, nl, en):
    assert (call("nl"), call("en")) == (nl, en)


def test_the_formatter_takes_numpy_and_refuses_nothing_silently():
    import numpy as np

    assert fmt.number(np.float32(1.5), 1, "nl") == "1,5"
    assert fmt.number("not a number", 1, "nl") == "n.v.t."


# --------------------------------------------------------------------------- catalogues


def _po() -> dict[tuple[str | None, str], str]:
    return po.parse_po(po.CATALOGUE.read_text(encoding="utf-8"))


def test_the_shipped_mo_is_the_compiled_po():
    """Compiling the .po now gives exactly the catalogue the shipped .mo holds (edit the
    .po, then run ``python -m factormodel.text.po``)."""
    mo = po.CATALOGUE.with_suffix(".mo")
    shipped = gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))._catalog  # type: ignore[attr-defined]
    fresh = gettext.GNUTranslations(io.BytesIO(po.mo_bytes(_po())))._catalog  # type: ignore[attr-defined]
    assert shipped == fresh
    assert mo.read_bytes() == po.mo_bytes(_po())


def test_the_po_reader_refuses_a_broken_line_and_skips_fuzzy_entries():
    with pytest.raises(ValueError, match="line 2"):
        po.parse_po('msgid "a"\nnonsense\n')
    entries = po.parse_po('#, fuzzy\nmsgid "a"\nmsgstr "b"\n\nmsgid "c"\nmsgstr ""\n"d"\n')
    assert entries == {(None, "c"): "d"}


def _marked() -> set[tuple[str | None, str]]:
    """Every text marked with N_/NC_ anywhere in the package (string literals only)."""
    out: set[tuple[str | None, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                args = node.args
                if node.func.id == "N_" and args and isinstance(args[0], ast.Constant):
                    out.add((None, args[0].value))
                elif node.func.id == "NC_" and len(args) == 2 and all(
                        isinstance(a, ast.Constant) for a in args):
                    out.add((args[0].value, args[1].value))
    return out


def _names(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_marked_text_and_error_code_has_its_dutch():
    entries = _po()
    marked = _marked()
    assert len(marked) > 150
    missing = sorted(m for m in marked if not entries.get(m))
    assert not missing, f"not in the Dutch catalogue (or empty): {missing[:5]}"
    for key, dutch in entries.items():
        if key[1]:
            assert dutch, f"untranslated: {key}"
            # the Dutch fills the same fields as the English source
            assert _names(dutch) == _names(key[1]), key
    for code, template in messages.CODES.items():
        assert (getattr(template, "context", None), str(template)) in marked, code


def test_catalogue_of_a_missing_language_is_an_error():
    with pytest.raises(FileNotFoundError):
        catalogue.translation("fr")


def test_the_wheel_ships_the_catalogues():
    text = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"factormodel/text/locale/*/LC_MESSAGES/*.mo"' in text


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("cls, code", [
    (errors.DataError, "data"), (errors.UnknownAreaError, "unknown_area"),
    (errors.UnknownNodeError, "unknown_node"), (errors.ModelFileError, "model_file"),
    (errors.InvalidParameterError, "invalid_parameter"),
    (errors.NotConvergentError, "not_convergent"), (errors.TooFewAreasError, "too_few_areas"),
])
def test_every_error_has_a_code_and_fields(cls, code):
    e = cls("something")
    assert e.code == code and isinstance(e.fields, dict)
    assert isinstance(e, errors.FactorModelError)


def test_validation_and_divergence_errors_carry_their_fields():
    p = errors.Problem("edges.csv line 3", "bad weight")
    e = errors.ModelValidationError([p, p], source="edges.csv")
    assert (e.code, e.fields) == ("model_validation", {"source": "edges.csv", "n": 2})
    d = errors.NotConvergentError("diverges", spectral_radius=1.05, loop=("a", "b"))
    assert d.fields["spectral_radius"] == 1.05 and d.fields["loop"] == ["a", "b"]


def _raised(call) -> errors.FactorModelError:
    with pytest.raises(errors.FactorModelError) as info:
        call()
    return info.value


def test_coded_errors_are_worded_from_code_and_fields(tmp_path):
    """The raiser's English is the catalogue's source made from the same fields; the Dutch
    comes from the catalogue, not from a pattern over the English."""
    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")
    cases = [
        _raised(lambda: fm.read_area_data(tmp_path / "geen.csv")),
        _raised(lambda: fm.profile(m, data, year=1999)),
    ]
    cases.append(_raised(lambda: fm.profile(m, data).row("Blomhof")))
    cases.append(_raised(lambda: fm.profile(m, data).row("qqqqqqqqqq")))
    assert [e.code for e in cases] == ["no_such_file", "no_data_for_year",
                                       "area_not_in_profile_at_level",
                                       "area_not_in_profile_at_level"]
    for e in cases:
        assert str(e) == messages.render(e.code, e.fields, "en")
        dutch = messages.error(e, "nl")
        assert dutch == messages.render(e.code, e.fields, "nl") and dutch != str(e)
    assert messages.error(cases[1], "nl").startswith("geen data voor het jaar 1999; jaren")
    assert messages.error(cases[0], "nl").endswith("geen.csv: bestand niet gevonden")
    assert messages.error(cases[2], "nl").startswith("geen gebied 'Blomhof' in de data (niveau ")
    assert "; bedoelde u " in messages.error(cases[2], "nl")
    assert "; geen van de " in messages.error(cases[3], "nl")


def test_an_error_without_a_known_code_stays_english():
    e = errors.DataError("a new kind of problem", code="brand_new", fields={"x": 1})
    assert messages.error(e, "nl") == "a new kind of problem"


# --------------------------------------------------------------------------- HTTP API


def test_the_api_problem_carries_code_and_fields():
    pytest.importorskip("fastapi")
    pytest.importorskip("multipart")
    from fastapi.testclient import TestClient

    from factormodel.serve import create_app

    client = TestClient(create_app())
    r = client.post("/api/v1/models/rotterdam-jeugd/profile", json={"year": 1999})
    body = r.json()
    assert r.status_code == 422 and body["error"] == "DataError"
    assert body["code"] == "no_data_for_year" and body["fields"]["year"] == 1999
    assert body["detail"] == messages.render(body["code"], body["fields"], "en")
    r = client.post("/api/v1/models/rotterdam-jeugd/recommend",
                    json={"area": "Oud-Croswijk", "outcomes": {"vsv": 1}})
    body = r.json()
    assert r.status_code == 404 and body["code"] == "area_not_in_profile_at_level"
    assert body["fields"]["name"] == "Oud-Croswijk" and "Oud-Crooswijk" in body["fields"]["hint"]
    r = client.get("/api/v1/models/nope")  # not found: a code for tools as well
    assert r.status_code == 404 and r.json()["code"] == "unknown_model"


# --------------------------------------------------------------------------- layers


def test_nothing_below_the_text_layer_imports_it_but_the_noted_ones():
    """The maths return numbers, ids and codes; the text layer words them. Only the
    pending imports noted in ``test_architecture.PENDING`` remain, beside the one number
    formatter ``text.numbers`` (a leaf in the base layer that every result's ``summary``
    writes its numbers with); the spreadsheet writer, the tables, the core, the files and
    the estimation import no words at all."""
    from tests.test_architecture import BASE, PENDING, _imports, _modules, layer_of

    mods = _modules()
    known = set(mods)
    text = layer_of("factormodel.text.words")
    found = {(a, b) for a, tree in mods.items() if a != "factormodel"
             for b in _imports(a, tree, known)
             if b.startswith("factormodel.text") and b not in BASE and layer_of(a) < text}
    assert found <= PENDING, sorted(found - PENDING)
    assert not any(a.startswith(("factormodel.tables.", "factormodel.core.",
                                 "factormodel.files.", "factormodel.estimation."))
                   for a, _ in found)
    assert len(known) > 60  # the walk saw the package


def test_the_ranking_download_names_its_strongest_paths_by_label():
    # the Dutch csv read "schoolsucces → vsv (-0,180)" under "sterkste pad naar vsv"
    import base64

    from factormodel.render import view

    m = fm.load_model("rotterdam-jeugd")
    a = fm.analyse(m, fm.load_example_data(), "Oud-Crooswijk", ["vsv"])
    table = view.build_view(a, lang="nl", with_downloads=True).ranking.table
    csv = base64.b64decode(table.downloads.csv.split(",", 1)[1]).decode("utf-8-sig")
    head, first = csv.splitlines()[:2]
    vsv, factor = m.nodes.loc["vsv", "label_nl"], a.ranking.ranked["factor"].iloc[0]
    assert f"sterkste pad naar {vsv}" in head.split(";")
    assert f"{m.nodes.loc[factor, 'label_nl']} → {vsv} (" in first
    product = a.ranking.table["path_vsv"].iloc[0].rsplit("(", 1)[1].rstrip(")")
    assert f"({product.replace('.', ',')})" in first  # the same product, a decimal comma
    # the library's own table keeps the ids (for programs)
    assert a.ranking.table["path_vsv"].iloc[0].startswith(f"{factor} → vsv (")


def test_a_path_cell_that_is_not_a_path_is_left_as_it_is():
    frame = pd.DataFrame({"path_vsv": ["geen pad", "a → vsv (x)", "a → vsv (0.5)"]})
    out = words.translate_frame(frame, "nl", {"a": "A"}).iloc[:, 0].tolist()
    assert out == ["geen pad", "a → vsv (x)", "A → vsv (+0,500)"]
