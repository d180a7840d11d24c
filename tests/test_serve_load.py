"""The bounded load test of ``factormodel serve`` (benchmarks/serve_load.py) at a small
size, as part of the normal suite: a mix with reports at 8 concurrent gives no error
(issue 27: reports failed under load when pyplot's figures piled up)."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
pytest.importorskip("uvicorn", reason="the serve extra is not installed (uvicorn)")

from benchmarks import serve_load


def test_a_small_mixed_load_with_reports_has_no_errors():
    m = serve_load.run(requests=24, concurrency=8, report_share=0.25, max_seconds=120)
    assert m["not_sent"] == 0
    assert m["by_kind"]["report"]["n"] == 6
    for kind, s in m["by_kind"].items():
        assert s["errors"] == 0 and s["statuses"] == [200], (kind, s)
    assert m["rss_mib"]["peak"] > 0  # the server's memory was sampled
