"""Progress tables of a wijkplan (issue 26 step 5): read against the plan, every
problem located; the template for the partners."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel.errors import FactorModelError, ModelValidationError
from factormodel.tables._spreadsheet import table_bytes
from factormodel.workflow.progress import DROPOUT_REASONS
from factormodel.workflow.wijkplan import example_plan

HEAD = "interventie;periode;eenheden;bereikt;afgerond;uitgevallen;reden_uitval;toelichting\n"


@pytest.fixture(scope="module")
def plan():
    return example_plan()  # SYNTHETIC example plan


def _write(tmp_path, body, name="v.csv"):
    path = tmp_path / name
    path.write_text(HEAD + body, "utf-8")
    return path


def test_two_periods_are_read_and_summed(plan, tmp_path):
    path = _write(tmp_path, "swpbs;2022;3;900;700;50;\"verhuisd:30; onbekend:20\";\n"
                            "swpbs;2023;3;850;600;40;praktisch;\n"
                            "schoolweigering_behandeling;2022-h1;10;10;4;1;anders;wachtlijst\n")
    p = fm.read_progress(path, plan)
    tot = p.totals()
    assert tot.loc["swpbs", "reached"] == 1750 and tot.loc["swpbs", "dropped_out"] == 90
    assert p.totals(until=2022).loc["swpbs", "reached"] == 900
    assert p.reasons_of("swpbs") == {"verhuisd": 30, "onbekend": 20, "praktisch": 40}
    assert list(p.table["period"]) == ["2022", "2023", "2022-H1"]
    assert p.to_dict()["table"][0]["completed"] == 700


def test_english_headers_and_xlsx(plan, tmp_path):
    frame = pd.DataFrame({"intervention": ["swpbs"], "period": [2022], "units": [2],
                          "reached": [100], "completed": [80], "dropped_out": [0]})
    path = tmp_path / "v.xlsx"
    path.write_bytes(table_bytes(frame, "xlsx"))
    assert fm.read_progress(path, plan).totals().loc["swpbs", "completed"] == 80


def test_bad_rows_are_all_located(plan, tmp_path):
    path = _write(tmp_path, "swpbs;2022;3;900;700;50;verhuisd;\n"          # line 2: ok
                            "buurtsport;2022;1;10;5;0;;\n"                 # line 3: unknown
                            "swpbs;2031;1;10;5;0;;\n"                      # line 4: outside
                            "swpbs;2023;1;-5;0;0;;\n"                      # line 5: negative
                            "swpbs;2024;1;10;12;0;;\n"                     # line 6: completed>
                            "swpbs;2022;1;10;5;0;;\n"                      # line 7: twice
                            "swpbs;2023-H1;1;10;5;2;;\n"                   # line 8: no reason
                            "swpbs;2023-H2;1;10;5;2;ruzie;\n"              # line 9: not listed
                            "swpbs;2023-Q1;1;10,5;5;0;;\n")                # line 10: fraction
    with pytest.raises(ModelValidationError) as e:
        fm.read_progress(path, plan)
    text = str(e.value)
    for line, words in [(3, "'buurtsport' is not in the plan"), (4, "outside the plan"),
                        (5, "must be a number >= 0"), (6, "completed (12) is more than reached"),
                        (7, "appear twice"), (8, "without a reason"), (9, "not on the list"),
                        (10, "whole number")]:
        assert f"v.csv line {line}" in text and words in text, (line, words)
    assert "v.csv line 2, column" not in text


def test_missing_columns_and_files(plan, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("interventie;bereikt\nswpbs;3\n", "utf-8")
    with pytest.raises(ModelValidationError, match="missing required column 'period'"):
        fm.read_progress(path, plan)
    with pytest.raises(fm.errors.ModelFileError, match="no such file"):
        fm.read_progress(tmp_path / "none.csv", plan)


def test_template_reads_back_as_nothing_delivered(plan, tmp_path):
    t = fm.progress_template(plan)
    assert len(t) == len(plan.interventions) * (plan.horizon - plan.data_year)
    path = tmp_path / "sjabloon.xlsx"
    path.write_bytes(table_bytes(t, "xlsx"))
    p = fm.read_progress(path, plan)
    assert (p.totals()["reached"] == 0).all()
    with pytest.raises(fm.InvalidParameterError, match="outside"):
        fm.progress_template(plan, periods=[2030])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(max_size=8), min_size=8, max_size=8),
       reason=st.sampled_from([*DROPOUT_REASONS, "", "x"]))
def test_any_row_returns_or_refuses_cleanly(plan, cells, reason):
    row = dict(zip(["interventie", "periode", "eenheden", "bereikt", "afgerond",
                    "uitgevallen", "reden_uitval", "toelichting"], cells, strict=True))
    row["reden_uitval"] = reason or row["reden_uitval"]
    try:
        p = fm.read_progress(pd.DataFrame([row]), plan)
    except FactorModelError:
        return
    r = p.table.iloc[0]
    assert r["completed"] + r["dropped_out"] <= r["reached"]
    assert r["intervention"] in plan.intervention_ids
