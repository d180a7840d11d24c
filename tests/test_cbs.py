"""fetch_cbs against a recorded-shape StatLine response (no network), and its errors."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

import factormodel as fm

SAMPLE = json.loads((Path(__file__).parent / "data" / "cbs_83765NED_sample.json").read_text(
    encoding="utf-8"))


def fake_cbsodata(monkeypatch, *, fail: Exception | None = None) -> list:
    calls: list = []

    def get_data(table_id, filters=None, **kw):
        calls.append((table_id, filters))
        if fail is not None:
            raise fail
        assert table_id == SAMPLE["table"]
        return [dict(r) for r in SAMPLE["rows"]]

    def get_meta(table_id, name, **kw):
        assert name == "TableInfos"
        return SAMPLE["TableInfos"]

    mod = types.SimpleNamespace(get_data=get_data, get_meta=get_meta)
    monkeypatch.setitem(sys.modules, "cbsodata", mod)
    return calls


def test_fetch_returns_canonical_long_form(monkeypatch):
    calls = fake_cbsodata(monkeypatch)
    data = fm.fetch_cbs("83765NED", columns={
        "HuishoudensTotOnderOfRondSociaalMinimum_73": "pct_hh_onder_of_rond_sociaal_minimum",
        "GemiddeldInkomenPerInwoner_66": "gem_inkomen_per_inwoner_x1000_eur"})
    assert calls == [("83765NED", "substringof('0599',Codering_3)")]
    assert list(data.columns[:7]) == ["area", "level", "year", "indicator", "value",
                                      "population", "flag"]
    assert set(data["level"]) == {"buurt"} and set(data["year"]) == {2017}
    assert sorted(data["area"].unique()) == sorted(   # not BU03630599: another gemeente
        ["Stadsdriehoek", "Oude Westen", "Cool", "Onbekende buurt"])
    unknown = data[data["area"] == "Onbekende buurt"]
    assert unknown["value"].isna().all() and set(unknown["flag"]) == {"missing"}  # never 0
    # the same numbers as the shipped extract, so the shipped catalogue applies
    shipped = fm.load_example_data("cbs_kwb2017")
    key = ["area", "indicator"]
    both = data.merge(shipped, on=key, suffixes=("", "_shipped"))
    assert len(both) == 6
    assert (both["value"] == both["value_shipped"]).all()
    assert (both["population"] == both["population_shipped"]).all()
    assert "83765NED" in data["source"].iloc[0]
    prof = fm.profile(fm.load_model("rotterdam-jeugd"), data.dropna(subset=["value"]),
                      indicators=fm.load_example_indicators("cbs_kwb2017"))
    assert prof["armoede"].notna().sum() == 3


def test_gebied_level_and_default_columns(monkeypatch):
    fake_cbsodata(monkeypatch)
    data = fm.fetch_cbs("83765NED", level="gebied")
    assert set(data["area"]) == {"Stadscentrum"} and set(data["level"]) == {"gebied"}
    assert "GemiddeldInkomenPerInwoner_66" in set(data["indicator"])
    with pytest.raises(fm.InvalidParameterError, match="gebied"):
        fm.fetch_cbs("83765NED", level="wijk")
    with pytest.raises(fm.InvalidParameterError, match="GM0599"):
        fm.fetch_cbs("83765NED", region="Rotterdam")
    with pytest.raises(fm.DataError, match="no column"):
        fm.fetch_cbs("83765NED", columns=["NoSuchTopic_1"])


def test_offline_and_missing_package(monkeypatch):
    fake_cbsodata(monkeypatch, fail=ConnectionError("Name or service not known"))
    with pytest.raises(fm.OfflineError, match="cannot reach CBS StatLine"):
        fm.fetch_cbs("83765NED")
    monkeypatch.setitem(sys.modules, "cbsodata", None)   # import fails
    with pytest.raises(fm.MissingDependencyError, match=r"factormodel\[cbs\]"):
        fm.fetch_cbs("83765NED")
    with pytest.raises(ImportError):   # catchable as the built-in too
        fm.fetch_cbs("83765NED")
