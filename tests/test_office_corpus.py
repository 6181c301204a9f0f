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


def test_cells_are_read_as_from_the_first_producer(scored) -> None:
    _, result = scored
    # known misreads left: a Word table row the page break cuts in two (its wrapped figures
    # part on each page), and a sheet of several tables exported as one HTML table
    assert result.total.recall >= 0.995 and result.total.precision >= 0.995, result.by_family
    assert len(result.errors) <= 15, result.errors
