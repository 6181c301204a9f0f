"""The second producer's corpus (XLSX and DOCX, and what LibreOffice makes of them: PDF and HTML)
scored like the first's: the table engine must read documents it did not draw itself."""

from __future__ import annotations

import pytest

from extractors.word import soffice
from yujuesuan.samples.bench import bench
from yujuesuan.samples.office import SAMPLE_OFFICES, write_converted

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("office-corpus")
    docs = write_converted(folder)
    return docs, bench(folder, tmp_path_factory.mktemp("office-wh"), jobs=2)


def test_the_corpus_holds_every_format(scored) -> None:
    docs, result = scored
    formats = {d.suffix for d in docs}
    assert formats == {".xlsx", ".docx", ".pdf", ".html"} and result.documents == 6 * len(SAMPLE_OFFICES)


def test_the_corpus_holds_budgets_and_final_accounts_in_every_format(scored) -> None:
    """Issue #13: 决算 and 预算, each as XLSX, DOCX and their PDF and HTML conversions."""
    docs, result = scored
    held = {(result.kind_of[d.name], d.suffix) for d in docs}
    assert held == {(k, f) for k in ("部门决算", "部门预算") for f in (".xlsx", ".docx", ".pdf", ".html")}
    assert result.by_kind["部门预算"].want > 0


def test_cells_are_read_as_from_the_first_producer(scored) -> None:
    _, result = scored
    # with its families: narrow Word columns wrapping figures (a lone last digit), a Word row the page
    # break cuts in two, a sheet of several tables under the unit's heading exported as one HTML table
    assert result.total.recall >= 0.999 and result.total.precision >= 0.999, result.by_family
    assert result.errors == [], result.errors


def test_the_narrative_of_word_files_is_read_in_every_unit(scored) -> None:
    """The 情况说明 typed into the Word files (万元 and 元, with and without separators) and what LibreOffice
    makes of them (PDF, HTML): each stated figure is a fact of the truth, and is read."""
    _, result = scored
    offices = [o for o in SAMPLE_OFFICES if o.narrative]
    assert {o.narrative for o in offices} == {"万元", "元"} and {o.separators for o in offices} == {True, False}
    assert result.facts_want >= 3 * len(offices) * 10, result.facts_want
    assert result.facts_found / result.facts_want >= 0.95, (result.facts_found, result.facts_want)
