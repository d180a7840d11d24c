"""The bounded load test of ``factormodel serve`` (benchmarks/serve_load.py) at a small
size, as part of the normal suite: a mix with reports at 8 concurrent gives no error
(issue 27: reports failed under load when pyplot's figures piled up); a full render queue
answers 503 with ``Retry-After`` at once, never an error; two worker processes serve."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
pytest.importorskip("uvicorn", reason="the serve extra is not installed (uvicorn)")

from benchmarks import serve_load


def test_a_small_mixed_load_with_reports_has_no_errors():
    m = serve_load.run(requests=24, concurrency=8, report_share=0.25, max_seconds=120)
    assert m["not_sent"] == 0
    assert m["by_kind"]["report"]["n"] == 6 and m["report_requests"] == 6
    assert m["distinct_reports"] == 3  # half of them repeat one of the other three
    for kind, s in m["by_kind"].items():
        assert s["errors"] == 0 and set(s["statuses"]) <= {200, 503}, (kind, s)
        assert s["ok"] + s["busy"] == s["n"], (kind, s)
    for kind in ("recommend", "propagate"):  # only reports queue
        assert m["by_kind"][kind]["busy"] == 0
    assert m["by_kind"]["report"]["ok"] >= 1
    assert m["rss_mib"]["peak"] > 0  # the server's memory was sampled


def test_two_worker_processes_serve_the_same_mix():
    m = serve_load.run(requests=16, concurrency=4, report_share=0.25, max_seconds=120,
                       workers=2, reports_waiting=2)
    assert m["workers"] == 2 and m["not_sent"] == 0
    for kind, s in m["by_kind"].items():
        assert s["errors"] == 0 and s["ok"] + s["busy"] == s["n"], (kind, s)
    # three processes (uvicorn's supervisor and two workers) hold more than one would
    assert m["rss_mib"]["before"] > 200


def test_the_plan_mixes_distinct_and_repeated_reports():
    plan = serve_load._plan(200, seed=3, report_share=0.2, report_repeats=0.25)
    reports = [repr(sorted(b.items())) for k, b in plan if k == "report"]
    assert len(reports) == 40 and len(set(reports)) == 30
    with pytest.raises(ValueError, match="distinct report requests"):
        serve_load._plan(2000, seed=3, report_share=0.5, report_repeats=0.0)
