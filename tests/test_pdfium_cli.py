"""`yujuesuan extract --layout pdfium|pdfminer` chooses the PDF layout stage (pdfium by default)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds

from yujuesuan.cli import build_parser
from yujuesuan.samples.generator import Layout, generate

REPO = Path(__file__).resolve().parent.parent


def test_layout_option_is_parsed() -> None:
    parser = build_parser()
    assert parser.parse_args(["extract", "x.pdf"]).layout is None
    assert parser.parse_args(["extract", "x.pdf", "--layout", "pdfminer"]).layout == "pdfminer"


def test_extract_with_each_layout_reads_the_same_items(tmp_path: Path) -> None:
    gen = generate(11, Layout(rules="grid"))
    pdf = tmp_path / "in" / "g.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(gen.pdf)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("YUJUESUAN_LAYOUT", None)
    got = {}
    for layout in ("pdfium", "pdfminer"):
        wh = tmp_path / layout
        out = subprocess.run(
            [sys.executable, "-m", "yujuesuan.cli", "extract", str(pdf), "--warehouse", str(wh), "--jobs", "1",
             "--layout", layout],
            capture_output=True, text=True, env=env, timeout=120,
        )
        assert out.returncode == 0, out.stderr
        rows = ds.dataset(wh / "line_items", partitioning="hive").to_table().to_pylist()
        got[layout] = sorted((r["table_code"], r["row_label"], r["column"], str(r["value"])) for r in rows)
    assert got["pdfium"] == got["pdfminer"] and len(got["pdfium"]) == len(gen.expected)
