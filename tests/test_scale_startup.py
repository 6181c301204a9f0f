"""Start-up: `--help` and argument errors load none of the heavy libraries (issue #15, item 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pyarrow", "pandas", "numpy", "prefect", "pydantic", "duckdb", "pdfplumber", "extractors", "httpx", "rich")
PROBE = """
import contextlib, io, json, sys
from yujuesuan.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["extract", "--help"], ["nightly", "--help"], ["query", "--help"], ["compact", "--help"], []],
)
def test_help_imports_no_heavy_library(argv: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, cwd=REPO,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


WORKER = """
import importlib, json, sys
from pathlib import Path
for m in {preload!r}:
    importlib.import_module(m)
from extractors.document import extract_document
from yujuesuan.checks.apply import apply_checks
from yujuesuan.warehouse.store import encode_rows, extraction_rows
out = {{}}
for path in map(Path, sys.argv[1:]):
    before = set(sys.modules)
    rows = extraction_rows(extract_document(path.read_bytes(), path.name))  # what a worker does (worker._child)
    apply_checks(rows, None)
    encode_rows(rows)
    assert rows["line_items"], path.name
    out[path.name] = sorted(set(sys.modules) - before)
print(json.dumps(out))
"""


def _imported_by_workers(paths: list[Path], preload: list[str]) -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = WORKER.format(preload=[m for m in preload if m != "__main__"])
    out = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True, env=env,
                         cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_a_worker_imports_nothing_its_fork_server_has_not(tmp_path: Path) -> None:
    """What the fork server preloads (yujuesuan.ingest.worker._PRELOAD) every worker has, forked: a library
    a worker imports itself costs that import in every document's process (pyarrow's first conversion of
    Python rows imports pandas, 0.2-0.3 s; openpyxl, xlrd, lxml a tenth each). A PDF, a workbook, a Word
    file and an HTML page, each from the generator, are read as a worker reads them: nothing is imported."""
    from yujuesuan.ingest.worker import _PRELOAD
    from yujuesuan.samples.demo import html_report
    from yujuesuan.samples.fuzz import html_page
    from yujuesuan.samples.generator import generate
    from yujuesuan.samples.office import write_docx, write_xlsx

    gen = generate(7)
    files = {"d.pdf": gen.pdf, "w.xlsx": write_xlsx(3).data, "d.docx": write_docx(4).data,
             "p.html": html_page(html_report(generate(8))).encode("utf-8")}
    paths = []
    for name, data in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    imported = _imported_by_workers(paths, _PRELOAD)
    assert imported == {name: [] for name in files}, imported


def test_with_page_images_the_fork_server_has_the_ocr_libraries(tmp_path: Path) -> None:
    """A run with more page images than workers has its fork server load OCR's libraries (a second) once:
    a worker that reads a scan then imports none of them."""
    from yujuesuan.ingest.files import images_named, preload_ocr
    from yujuesuan.ingest.worker import preload_modules
    from yujuesuan.samples.generator import Layout, generate
    from yujuesuan.samples.scans import Scan, scan_png

    png = tmp_path / "scan.png"
    png.write_bytes(scan_png(generate(23, Layout(currency="万元", rules="grid")).pdf, 3, Scan(dpi=160)))
    (tmp_path / "two.png").write_bytes(png.read_bytes())
    (tmp_path / ".hidden.png").write_bytes(b"")
    assert images_named([tmp_path], 9) == 2 and images_named([tmp_path], 1) == 1 and images_named([png], 9) == 1
    assert preload_ocr(2, 1) and not preload_ocr(2, 2) and not preload_ocr(0, 1)
    imported = _imported_by_workers([png], preload_modules(True))["scan.png"]
    assert not [m for m in imported if m.split(".")[0] in ("rapidocr", "onnxruntime", "cv2", "omegaconf")], imported


def test_the_extraction_workers_fork_server_loads_neither_duckdb_nor_prefect() -> None:
    """DuckDB and Prefect are the readers' and the flows', never a worker's."""
    from yujuesuan.ingest.worker import _PRELOAD

    probe = f"import importlib, json, sys\nfor m in {[m for m in _PRELOAD if m != '__main__']!r}: " \
            "importlib.import_module(m)\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert "extractors" in loaded and "pyarrow" in loaded
    assert not loaded & {"duckdb", "prefect"}, sorted(loaded & {"duckdb", "prefect"})
