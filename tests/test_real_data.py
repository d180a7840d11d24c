"""The REAL CBS youth-care example data, their catalogues, and the README's real-data table."""

from __future__ import annotations

import importlib.util
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.files.folders import jeugdzorg_wijken_table

ROOT = Path(__file__).resolve().parent.parent
M = fm.load_model("rotterdam-jeugd")


def _script():
    spec = importlib.util.spec_from_file_location(
        "readme_real_validation_table", ROOT / "scripts" / "readme_real_validation_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize(("name", "areas", "level"), [
    ("cbs_jeugdzorg_gemeenten_2022", 342, "gemeente"),
    ("cbs_jeugdzorg_wijken_2021_2022", 2573, "wijk")])
def test_example_data_are_real_credited_and_mapped(name, areas, level):
    data = fm.load_example_data(name)
    assert data["area"].nunique() == areas and set(data["level"]) == {level}
    assert set(data["status"]) == {"real"}
    assert data["source"].str.startswith("Bron: CBS").all()
    assert "CC BY 4.0" in data["source"].iloc[0]
    cat = fm.load_example_indicators(name)
    for col in ("measure", "link", "sd_individual", "sd_source", "scale"):
        assert col in cat.columns
    nodes = dict(zip(cat.index, cat["node"], strict=True))
    assert nodes["kwb2021_bijstand_per_1000_inw"] == "armoede"
    assert nodes["kwb2021_ww_per_1000_inw"] == "werkloosheid_ouders"
    assert nodes["kwb2021_pct_laagopgeleid_15_75"] == "laag_opleidingsniveau_ouders"
    per_1000 = cat["unit"] == "per 1000"
    assert (cat.loc[per_1000, "measure"] == "rate").all()
    assert (cat.loc[cat["unit"] == "%", "measure"] == "share").all()
    assert not any("jeugdhulp" in k for k in cat.index)   # descriptive only: no node
    # the catalogue's scale is the SD across the areas of the data, as its basis says
    raw = data.pivot_table(index="area", columns="indicator", values="value")
    np.testing.assert_allclose(cat["scale"], raw[cat.index].std().round(3), atol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero counts have no liability: said in a warning
        prof = fm.profile(M, data)
    assert len(prof.deltas) == areas and prof.status == "real"


def test_a_table_of_gemeenten_alone_has_no_city_row():
    """Rotterdam is one of the gemeenten, not the reference of the others."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Ameland's 0 bijstand: no liability, said
        prof = fm.profile(M, fm.load_example_data("cbs_jeugdzorg_gemeenten_2022"))
    assert "Rotterdam" in prof.deltas.index
    assert prof.reference_values["kwb2021_bijstand_per_1000_inw"] < 30   # not Rotterdam's 54.9


def test_a_one_decimal_share_below_one_percent_is_not_read_as_a_fraction():
    d = pd.DataFrame({"area": [f"w{i}" for i in range(6)], "year": 2021,
                      "indicator": "kinderen_laag_inkomen",
                      "value": [0.1, 6.0, 7.5, 8.0, 9.0, 10.0]})
    prof = fm.profile(M, d, reference_values={"kinderen_laag_inkomen": 7.0})
    assert prof.values.loc["w0", "kinderen_laag_inkomen"] == 0.1
    with pytest.raises(fm.DataError, match="looks like a fraction"):
        fm.profile(M, d.assign(value=[0.091, 6.0, 7.5, 8.0, 9.0, 10.0]),
                   reference_values={"kinderen_laag_inkomen": 7.0})


def test_wijken_table_rates_are_per_1000_young_people():
    t = jeugdzorg_wijken_table()
    youth = t["kwb2021_inwoners_0_14"] + t["kwb2021_inwoners_15_24"]
    assert (youth >= 200).all()
    ok = t["jz2021_trajecten_verwijzer_gecertificeerde_instelling"].notna()
    np.testing.assert_allclose(
        t.loc[ok, "jeugdbescherming_per_1000_0_24"],
        t.loc[ok, "jz2021_trajecten_verwijzer_gecertificeerde_instelling"] / youth[ok] * 1000,
        atol=1e-3)


def test_group_mean_is_the_mean_of_the_other_training_areas_of_the_group():
    data = fm.load_example_data("rotterdam")
    registry = fm.load_areas("rotterdam")
    groups = registry[registry["level"] == "wijk"].set_index("area")["parent"]
    v = fm.validate(M, data, outcomes="vsv", folds=4, seed=3, groups=groups)
    p = v.predictions
    p = p[(p["method"] == "group mean") & (p["target"] == "level")]
    oos = p[p["sample"] == "out-of-sample"].set_index("area")
    # the folds of the other methods' rows: each area's fold from validate's own assignment
    city = v.predictions.query("method == 'city mean' and target == 'level' "
                               "and sample == 'out-of-sample'").set_index("area")["predicted"]
    fold = city.round(12).rank(method="dense")  # areas of one fold share one training mean
    y = oos["observed"]
    for area in oos.index:
        mates = [a for a in oos.index if groups.get(a) == groups.get(area)
                 and fold[a] != fold[area]]
        expected = y[mates].mean() if mates else city[area]
        assert oos.loc[area, "predicted"] == pytest.approx(expected, abs=1e-9)
    ins = p[p["sample"] == "in-sample"].set_index("area")
    for area in ins.index[:10]:
        mates = [a for a in ins.index if groups.get(a) == groups.get(area) and a != area]
        if mates:
            assert ins.loc[area, "predicted"] == pytest.approx(y[mates].mean(), abs=1e-9)


def test_validate_calibration_method_is_checked():
    with pytest.raises(fm.InvalidParameterError, match="calibration"):
        fm.validate(M, fm.load_example_data("rotterdam"), outcomes="vsv", calibrate=1.0,
                    calibration="ols")


def test_readme_real_validation_table_is_what_validate_measures():
    """The real-data numbers in README's 'How good is this model?' come from the script."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"^\| (?:gemeenten|wijken) \|.*\|$", readme, re.M)
    mod = _script()
    expected = [line for ds in mod.DATASETS for line in mod.rows(ds, mod.validation(ds))]
    assert shown == expected
    r, n = mod.persistence()
    assert f"r = {r:.3f}, n = {n}" in readme
