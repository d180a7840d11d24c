"""Property-based fuzzing of every reader with a small budget (issue 15).

For any mutated seed file or random bytes, a reader returns or raises a
FactorModelError; nothing else escapes and no case runs longer than its time
limit. ``scripts/fuzz_readers.py`` runs the same cases for longer.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_harness import READERS, Seeds, run_case

EXAMPLES = 50  # per reader: about 1-2 s each on a shared two-core machine
LIMIT = 10.0  # seconds before a case counts as a hang


@pytest.fixture(scope="module")
def seeds():
    s = Seeds()
    yield s
    s.close()


@pytest.mark.parametrize("reader", sorted(READERS))
def test_seed_files_are_valid(seeds, reader):
    """The fuzzer starts from inputs the reader accepts (else it tests nothing)."""
    r = READERS[reader]
    if r.kind == "folder":
        path = seeds.root / "seed_model"
    else:
        path = seeds.root / f"seed-{reader}{r.suffix}"
        seed = seeds.seeds[reader]
        path.write_bytes(seed if isinstance(seed, bytes) else seed.encode("utf-8"))
    assert run_case(reader, path, LIMIT).kind == "ok"


@pytest.mark.parametrize("reader", sorted(READERS))
@settings(max_examples=EXAMPLES, deadline=timedelta(seconds=LIMIT + 5),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=st.integers(0, 2 ** 32 - 1), raw=st.one_of(st.none(), st.binary(max_size=300)))
def test_only_factormodel_errors_escape(seeds, reader, seed, raw):
    path = seeds.make_case(reader, random.Random(seed), raw if seed % 10 == 0 else None)
    outcome = run_case(reader, path, LIMIT)
    assert outcome.kind in ("ok", "error"), (
        f"{reader} {outcome.label} on {path}: {outcome.detail} (replay with "
        f"scripts/fuzz_readers.py; the case file is shown above)")


def test_harness_reports_crashes_and_hangs(tmp_path, monkeypatch):
    """The checks above can fail: a non-FactorModelError is a crash, a slow case a hang."""
    import time

    from tests import fuzz_harness

    def crash(path):
        raise ValueError("boom")

    def hang(path):
        time.sleep(5)

    for name, run in (("crash", crash), ("hang", hang)):
        monkeypatch.setitem(fuzz_harness.READERS, name, fuzz_harness.Reader(
            name, ".csv", run, lambda tmp: ""))
    assert run_case("crash", tmp_path, 1.0).label == "crash:ValueError"
    start = time.monotonic()
    assert run_case("hang", tmp_path, 0.3).kind == "hang"
    assert time.monotonic() - start < 3


def test_reliability_table_is_current():
    """docs/reliability.md lists every reader and reports no crash or hang."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "reliability.md").read_text(
        encoding="utf-8")
    table = text.split("| reader |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    rows = {line.split("|")[1].strip(): line for line in table}
    assert set(rows) == set(READERS), "rerun scripts/fuzz_readers.py --table docs/reliability.md"
    for line in rows.values():
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert int(cells[1]) > 0 and cells[-2:] == ["0", "0"], line
