"""The voortgangsrapportage (issue 26): Dutch, self-contained, honest about synthetic data
and area-level results; HTML written atomically, PDF through the pdf extra."""

from __future__ import annotations

import re

import pytest

import factormodel as fm
from factormodel.workflow.wijkplan import example_plan


@pytest.fixture(scope="module")
def evaluation():
    return fm.evaluate_plan(example_plan(), fm.load_example_data(), year=2023)


def test_page_is_dutch_self_contained_and_stamped(evaluation, tmp_path):
    path = fm.progress_report(evaluation, tmp_path / "v.html")
    page = path.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert not re.search(r"(src|href)=\"https?://", page)  # nothing from the internet
    captions = re.findall(r"<caption>(.*?)</caption>", page)
    assert len(captions) == 2 and all("SYNTHETISCHE" in c for c in captions)
    for words in ("Maatschappelijke resultaten", "Te bespreken", "Aannames en herkomst",
                  "geen effecten voor individuele kinderen", "reconstructie",
                  "geen voortgang opgegeven"):
        assert words in page, words
    assert "7,20" in page  # decimal comma


def test_real_data_are_not_stamped(tmp_path):
    data = fm.load_example_data().drop(columns=["status"])
    ev = fm.evaluate_plan(example_plan().edit(synthetic=False), data, year=2023)
    assert not ev.synthetic
    page = fm.progress_report(ev)
    assert "SYNTHETISCH" not in page and "individuele kinderen" in page


def test_pdf_or_a_clear_message(evaluation, tmp_path):
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        with pytest.raises(fm.InvalidParameterError, match=r"factormodel\[pdf\]"):
            fm.progress_report(evaluation, tmp_path / "v.pdf")
        assert not (tmp_path / "v.pdf").exists()
        return
    path = fm.progress_report(evaluation, tmp_path / "v.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
