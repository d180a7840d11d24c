"""Issue 27 (library items 9-14) and issue 24's validate city-row leak.

Each test fails on the code before the fix; the maths tests name the
independent reference they check against.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import factormodel as fm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rotterdam():
    return fm.load_model("rotterdam-jeugd")


@pytest.fixture(scope="module")
def toy():
    return fm.load_model("toy")


# ------------------------------------------------------------ 9. with_weights(m.edges)


def test_with_weights_takes_the_models_own_edge_table(rotterdam):
    assert "association" in rotterdam.edges.columns  # the column that was refused
    assert rotterdam.with_weights(rotterdam.edges) == rotterdam
    edited = rotterdam.edges.copy()
    edited.loc[0, "weight"] = -0.3
    edited.loc[0, "association"] = "A999"
    changed = rotterdam.with_weights(edited)
    assert changed.edges.loc[0, "weight"] == -0.3
    assert changed.edges.loc[0, "association"] == "A999"  # carried column kept, as given
    assert changed.edges.loc[1:, "weight"].tolist() == rotterdam.edges.loc[1:, "weight"].tolist()


def test_with_weights_still_refuses_a_column_the_model_does_not_carry(rotterdam):
    with pytest.raises(fm.ModelValidationError, match=r"column 'wieght': unknown column; "
                                                      r"allowed: .*association"):
        rotterdam.with_weights(rotterdam.edges.rename(columns={"note": "wieght"}))


# ------------------------------------------------------------ 10. write_model, temp files


def test_write_model_refuses_a_folder_with_tables_the_model_does_not_carry(tmp_path, toy,
                                                                          rotterdam):
    folder = tmp_path / "m"
    fm.write_model(rotterdam, folder)
    (folder / "README.md").write_text("notes", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(fm.ModelFileError, match=r"holds associations.csv, interventions.csv, "
                                                r"sources.csv, which this model does not "
                                                r"carry.*nothing was written"):
        fm.write_model(toy, folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert fm.read_model(folder) == rotterdam
    for name in ("associations.csv", "interventions.csv", "sources.csv"):
        (folder / name).unlink()
    fm.write_model(toy, folder)
    assert fm.read_model(folder) == toy  # exactly the new model
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["README.md", "nodes.csv", "edges.csv", "metadata.json", "indicators.csv"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


_KILLED_WRITER = textwrap.dedent("""
    import sys, time
    import networkx as nx
    import factormodel as fm

    def slow(graph, path):
        with open(path, "w") as handle:
            handle.write("<?xml version='1.0'?><graphml>")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

    nx.write_graphml = slow
    fm.export_model(fm.load_model("toy"), sys.argv[1])
""")


@pytest.mark.parametrize("form", ["toy.graphml", "folder"])
def test_a_killed_writer_leaves_no_temporary_after_the_next_write(tmp_path, toy, form):
    target = tmp_path / form
    if form == "folder":
        script = _KILLED_WRITER.replace("nx.write_graphml = slow\n", "").replace(
            'fm.export_model(fm.load_model("toy"), sys.argv[1])',
            "import factormodel.tables._safewrite as s\n"
            "real = s.os.fsync\n"
            "def hang(fd):\n"
            "    print('writing', flush=True); time.sleep(60)\n"
            "s.os.fsync = hang\n"
            "fm.write_model(fm.load_model('toy'), sys.argv[1])")
    else:
        script = _KILLED_WRITER
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    left = [p.name for p in tmp_path.iterdir() if ".tmp" in p.name]
    assert left  # SIGKILL leaves it: nothing in-process can remove it
    if form == "folder":
        fm.write_model(toy, target)
        assert fm.read_model(target) == toy
    else:
        fm.export_model(toy, target)
        assert target.read_text(encoding="utf-8").count("<edge ") == len(toy.edges)
    assert sorted(p.name for p in tmp_path.iterdir()) == [form]


def test_a_live_writers_temporary_is_left_alone(tmp_path, toy):
    target = tmp_path / "toy.dot"
    live = tmp_path / f".toy.dot.{os.getppid()}-abc.tmp.dot"  # a running process's id
    live.write_text("partial", encoding="utf-8")
    fm.export_model(toy, target)
    assert live.exists() and target.exists()


# ------------------------------------------------------------ 11. maths


def _chain():
    from .reference import matrix_model

    W = np.zeros((3, 3))
    W[0, 1], W[1, 2] = 0.3, 0.5
    return matrix_model(W, ["a", "b", "c"])


def _finite_difference_jacobian(r_ab: float, r_ac: float) -> np.ndarray:
    """Independent reference: the implied correlations of a -> b -> c by hand (standardised
    chain: r_ab = w1, r_ac = w1 w2) differentiated numerically at the least-squares solution
    (w1 = r_ab, w2 = r_ac / r_ab)."""
    def implied(w):
        return np.array([w[0], w[0] * w[1]])
    w = np.array([r_ab, r_ac / r_ab])
    h = 1e-7
    return np.column_stack([(implied(w + h * e) - implied(w - h * e)) / (2 * h)
                            for e in np.eye(2)])


@pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")
def test_fit_to_correlations_calls_a_nearly_singular_jacobian_not_identified():
    m = _chain()
    weak = pd.DataFrame({"a": ["a", "a"], "b": ["b", "c"], "value": [1e-7, 5e-8], "n": 1000})
    sv = np.linalg.svd(_finite_difference_jacobian(1e-7, 5e-8), compute_uv=False)
    assert sv[-1] / sv[0] < 1e-6  # the reference says: numerically singular
    with pytest.raises(fm.InvalidParameterError, match=r"not identified.*singular value of "
                                                       r"the Jacobian 8\.0e-08.*b -> c"):
        fm.fit_to_correlations(m, weak)
    # well identified: the SEs are the Gauss-Newton ones of the reference Jacobian
    from factormodel.estimation.fitting import to_correlations

    ok = pd.DataFrame({"a": ["a", "a"], "b": ["b", "c"], "value": [0.3, 0.15], "n": 1000})
    res = fm.fit_to_correlations(m, ok)
    J = _finite_difference_jacobian(0.3, 0.15) * np.sqrt(1 / to_correlations(ok)["var_r"]
                                                         .to_numpy())[:, None]
    se = np.sqrt(np.diag(np.linalg.inv(J.T @ J)))
    assert res.edges["se"].to_numpy() == pytest.approx(se, rel=1e-5)


def _validation_data(with_city: bool, city_level: str = "wijk") -> pd.DataFrame:
    d = fm.load_example_data("rotterdam")
    city = d[d["area"] == "Rotterdam"]
    d = d[d["area"] != "Rotterdam"]
    if with_city:
        d = pd.concat([d, city.assign(level=city_level)], ignore_index=True)
    return d


def test_validate_never_scores_the_city_row(rotterdam):
    """Issue 24: a city row at the wijk level was scored by the baselines (one row more
    than the model)."""
    v = fm.validate(rotterdam, _validation_data(True), outcomes="vsv", folds=5)
    t = v.to_frame("out-of-sample")
    level = t[t["target"] == "level"]
    assert set(level["n"]) == {level["n"].iloc[0]}, level[["method", "n"]]
    assert "Rotterdam" not in set(v.predictions["area"])
    n_areas = _validation_data(False).query("level == 'wijk' and indicator == 'vsv_nieuw' "
                                            "and year == year.max()").dropna(
        subset=["value"])["area"].nunique()  # suppressed small counts are not scored
    assert level["n"].iloc[0] == n_areas


def test_validate_reference_comes_from_the_training_fold_only(rotterdam):
    """Independent reference: the invariance a held-out prediction must have. Without a
    city row, an area's predicted outcome may depend on the training areas and its own
    data only, so changing another held-out area of the same fold changes nothing."""
    d = _validation_data(False)
    last = d["year"].max()
    wijken = sorted(d[(d["level"] == "wijk") & (d["year"] == last)]["area"].unique())
    folds = {a: ("test" if i < 6 else f"g{i % 4}") for i, a in enumerate(wijken)}
    a, b = wijken[0], wijken[1]
    base = fm.validate(rotterdam, d, outcomes="vsv", folds=folds)
    factor_inds = [k for k, node in fm.load_indicators(rotterdam)["node"].items()
                   if node not in rotterdam.outcomes]
    moved = d.copy()
    hit = (moved["area"] == b) & moved["indicator"].isin(factor_inds)
    moved.loc[hit, "value"] = (moved.loc[hit, "value"] * 1.3).clip(upper=99.0)  # still a share
    after = fm.validate(rotterdam, moved, outcomes="vsv", folds=folds)

    def prediction(v, area):
        p = v.predictions
        return p[(p["area"] == area) & (p["method"] == "model") & (p["target"] == "level")
                 & (p["sample"] == "out-of-sample")]["predicted"].iloc[0]

    assert prediction(after, b) != prediction(base, b)  # b's own prediction moves
    assert prediction(after, a) == pytest.approx(prediction(base, a), abs=1e-12)


def _clamped_by_hand(W: np.ndarray, held: dict[int, float]) -> np.ndarray:
    """Independent reference: the clamped linear solve written out with numpy. Held nodes
    keep their value; every other node is the weighted sum of its causes:
    x_F = (I - W_FF^T)^-1 W_HF^T x_H."""
    n = W.shape[0]
    h = np.array(sorted(held))
    f = np.array([i for i in range(n) if i not in held])
    x = np.zeros(n)
    x[h] = [held[i] for i in h]
    x[f] = np.linalg.solve(np.eye(len(f)) - W[np.ix_(f, f)].T, W[np.ix_(h, f)].T @ x[h])
    return x


def test_gap_effects_alone_is_the_same_clamped_solve_as_together():
    from .reference import matrix_model

    W = np.zeros((3, 3))
    W[0, 1] = W[1, 0] = 0.5  # a <-> b: a loop
    W[0, 2] = 0.5            # a -> o
    m = matrix_model(W, ["a", "b", "o"])
    prof = pd.Series({"a": 1.0, "b": 0.4})
    t = fm.gap_effects(m, prof, ["o"], ["a"])
    alone = t[t["way"] == "alone"]["change_sd"].iloc[0]
    together = t[t["way"] == "together"]["change_sd"].iloc[0]
    assert alone == pytest.approx(_clamped_by_hand(W, {0: -1.0})[2], abs=1e-12)  # -0.5
    assert alone == together  # was -0.667 (unclamped) against -0.5
    why = t[t["way"] == "together"]["why"].iloc[0]
    assert why.startswith("together equals the sum")
    both = fm.gap_effects(m, prof, ["o"], ["a", "b"])
    by = both.set_index(["way", "factor"])["change_sd"]
    assert by[("alone", "b")] == pytest.approx(_clamped_by_hand(W, {1: -0.4})[2], abs=1e-12)
    assert by[("together", "")] == pytest.approx(
        _clamped_by_hand(W, {0: -1.0, 1: -0.4})[2], abs=1e-12)
    from factormodel.text import messages

    for why in both["why"].tolist():
        for lang in ("en", "nl"):
            text = messages.render(why.code, why.fields, lang) if why else ""
            assert ": ." not in text  # never an empty list of overlaps


@pytest.mark.parametrize("rho", [1e-100, 1e-300, 3e-200])
def test_power_bound_of_a_tiny_matrix_is_still_an_upper_bound(rho):
    import scipy.sparse as sp

    from factormodel.core import _linalg

    W = np.array([[0.0, rho], [rho, 0.0]])
    true = float(np.abs(np.linalg.eigvals(W)).max())  # reference: LAPACK eigenvalues
    assert true == pytest.approx(rho, rel=1e-12)
    for form in (W, sp.csr_matrix(W)):
        bound = _linalg.power_bound(form, 1.0)
        assert bound is not None and true <= bound < 1.0  # was 0.0: not an upper bound
        assert bound == pytest.approx(true, rel=1e-9)


# ------------------------------------------------------------ 12/14. divergence first, LU


def _ring_model(n: int, ring: int, gain: float, negatives: int, seed: int = 4):
    """n nodes (above the dense limit): a loop of ``ring`` nodes whose per-step weight
    gives spectral radius ``gain`` (``negatives`` of its edges negative), feeding a random
    acyclic rest."""
    from .reference import matrix_model

    rng = np.random.default_rng(seed)
    W = np.zeros((n, n))
    idx = np.arange(ring)
    W[idx, (idx + 1) % ring] = gain
    W[idx[:negatives], (idx[:negatives] + 1) % ring] = -gain
    src = rng.integers(0, n - 1, 3 * n)
    dst = np.maximum(src + 1, rng.integers(ring, n, 3 * n))
    ok = dst < n
    W[src[ok], dst[ok]] = rng.uniform(-0.3, 0.3, ok.sum())
    W[idx, (idx + 1) % ring] = np.where(idx < negatives, -gain, gain)
    return matrix_model(W, [f"n{i}" for i in range(n)]), W


def test_divergence_is_found_before_any_series_sweep(monkeypatch):
    from factormodel.core import _linalg

    model, W = _ring_model(1600, 40, 1.05, negatives=2)  # two negatives: reinforcing
    assert model.n_nodes > _linalg.DENSE_LIMIT
    sweeps = []
    real = _linalg._series
    monkeypatch.setattr(_linalg, "_series", lambda *a: sweeps.append(1) or real(*a))
    with pytest.raises(fm.NotConvergentError) as err:
        fm.total_effects(model)
    assert sweeps == []  # was: up to 20,000 terms of series before the check
    assert err.value.spectral_radius == pytest.approx(1.05, rel=1e-6)
    assert "(reinforcing)" in str(err.value)
    loop = err.value.loop
    gain = np.prod([W[model.node_ids.index(a), model.node_ids.index(b)]
                    for a, b in zip(loop, [*loop[1:], loop[0]], strict=True)])
    assert gain > 0 and len(loop) == 40


@pytest.mark.parametrize("seed", range(12))
def test_the_named_loop_of_a_positive_divergence_is_reinforcing(seed):
    """Reference: numpy's eigenvalues. When the dominant eigenvalue is real and positive
    (a divergence by amplification), the loop named has a positive gain, even when a
    balancing loop has the larger per-step gain."""
    from .reference import matrix_model

    rng = np.random.default_rng(seed)
    found = 0
    while found < 3:
        n = int(rng.integers(3, 9))
        W = rng.uniform(-1, 1, (n, n)) * (rng.random((n, n)) < 0.5)
        np.fill_diagonal(W, 0)
        ev = np.linalg.eigvals(W)
        if np.abs(ev).max() == 0:
            continue
        W *= 1.05 / np.abs(ev).max()
        ev = np.linalg.eigvals(W)
        top = ev[np.argmax(np.abs(ev))]
        if abs(top.imag) > 1e-9 or top.real < 0:
            continue
        found += 1
        model = matrix_model(W)
        with pytest.raises(fm.NotConvergentError) as err:
            fm.total_effects(model)
        loop = [model.node_ids.index(a) for a in err.value.loop]
        gain = np.prod([W[a, b] for a, b in zip(loop, [*loop[1:], loop[0]], strict=True)])
        assert gain > 0, (seed, str(err.value))
        assert "(reinforcing)" in str(err.value)


def test_a_loop_with_no_reinforcing_partner_is_called_overshooting():
    from .reference import matrix_model

    W = np.zeros((3, 3))
    W[0, 1], W[1, 0], W[1, 2] = 1.2, -1.2, 0.5  # balancing, |gain| 1.44: oscillating growth
    with pytest.raises(fm.NotConvergentError, match=r"balancing: there is no reinforcing "
                                                    r"loop here, so this one overshoots"):
        fm.total_effects(matrix_model(W, ["a", "b", "c"]))


def test_all_columns_of_a_large_cyclic_model_match_the_dense_inverse(monkeypatch):
    from factormodel.core import _linalg

    model, W = _ring_model(1600, 40, 0.9, negatives=1)
    sweeps = []
    real = _linalg._series
    monkeypatch.setattr(_linalg, "_series", lambda *a: sweeps.append(1) or real(*a))
    T = fm.total_effects(model)
    reference = np.linalg.inv(np.eye(len(W)) - W)  # independent: the dense inverse
    assert np.abs(T.to_numpy() - reference).max() < 1e-12
    assert sweeps == []  # one LU, not hundreds of series sweeps over 1,600 columns


# ------------------------------------------------------------ 13. hot spots


def test_propagate_with_a_dict_of_numbers_skips_the_cell_parser(toy, monkeypatch):
    import importlib

    prop = importlib.import_module("factormodel.core.propagate")

    expected = fm.propagate(toy, pd.Series({"armoede": 0.5, "schoolverzuim": 1}))

    def refuse(*a, **k):
        raise AssertionError("plain numbers were sent through the cell parser")

    monkeypatch.setattr(prop, "parse_numbers", refuse)
    got = fm.propagate(toy, {"armoede": 0.5, "schoolverzuim": np.int64(1)})
    pd.testing.assert_series_equal(got.deltas, expected.deltas)
    with pytest.raises(AssertionError, match="cell parser"):  # text still goes through it
        fm.propagate(toy, {"armoede": "0,5"})
    monkeypatch.undo()
    assert fm.propagate(toy, {"armoede": "0,5"}).deltas.equals(
        fm.propagate(toy, {"armoede": 0.5}).deltas)
    with pytest.raises(fm.InvalidDeltaError):
        fm.propagate(toy, {"armoede": True})  # a bool is not a number here


def test_goal_names_resolve_exactly_before_any_fuzzy_matching(rotterdam, monkeypatch):
    from factormodel import errors
    from factormodel.analysis import words

    prof = fm.profile(rotterdam, fm.load_example_data("rotterdam"))
    area = prof.deltas.index[3]
    expected = fm.recommend(rotterdam, prof, ["vsv", "jeugdcriminaliteit"], area=area)
    cat = fm.load_indicators(rotterdam)
    assert words.indicator_lexicon(cat) is words.indicator_lexicon(cat)  # cached

    def refuse(*a, **k):
        raise AssertionError("fuzzy matching on an exact id")

    monkeypatch.setattr(errors, "similarity", refuse)
    got = fm.recommend(rotterdam, prof, ["vsv", "jeugdcriminaliteit"], area=area)
    pd.testing.assert_frame_equal(got.table, expected.table)
    monkeypatch.undo()
    with pytest.raises(fm.UnknownNodeError, match="vsv"):  # a miss still gets its hint
        fm.recommend(rotterdam, prof, ["vsw"], area=area)
    changed = cat.copy()
    changed.loc[changed.index[0], "label_nl"] = "een nieuw label"
    assert words.indicator_lexicon(changed).find("een nieuw label") == str(changed.index[0])


_ABSENT = textwrap.dedent("""
    import json, sys
    from factormodel.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit as exit:
        assert not exit.code, exit.code
    print(json.dumps(sorted(m for m in ("networkx", "scipy.optimize") if m in sys.modules)))
""")


@pytest.mark.parametrize("command, absent", [
    (["recommend", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk", "--goal", "vsv"],
     ["networkx", "scipy.optimize"]),
    (["wijkanalyse", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk", "--goal", "vsv=2",
      "--out", "{tmp}/r.html"], ["networkx", "scipy.optimize"]),
])
def test_paths_that_do_not_need_them_import_neither_networkx_nor_scipy_optimize(
        tmp_path, command, absent):
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", _ABSENT, *args], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert not set(loaded) & set(absent), loaded
