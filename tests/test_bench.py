"""`yujuesuan bench`: the generated corpus and any folder with ground truth, scored the shared way."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import shared_path
from yujuesuan.cli import main
from yujuesuan.samples.bench import bench, report, write_corpus
from yujuesuan.samples.generator import Layout, generate


def test_the_generated_corpus_scores_exactly_with_no_findings(tmp_path) -> None:
    docs = write_corpus(tmp_path / "corpus")
    result = bench(tmp_path / "corpus", tmp_path / "w", planted=6)
    assert result.documents == len(docs) >= 12
    assert {"summary", "income", "expenditure", "sangong"} <= set(result.by_family)
    assert result.total.recall == 1.0 and result.total.precision == 1.0
    assert result.errors == []
    assert sum(n for k, (_, n) in result.planted.items() if k != "narrative") == 6
    assert result.planted["narrative"] == [1, 1]  # a stated total off by some 万元 is caught
    assert result.facts_want > 0 and result.facts_found == result.facts_want
    text = report(result)
    assert "cell_recall=1.0000 cell_precision=1.0000 errors=0" in text and "planted errors caught" in text
    budget = result.by_kind["部门预算"]  # the 部门预算 documents, scored apart from the 部门决算 ones
    assert budget.want > 0 and budget.recall == 1.0 and budget.precision == 1.0
    assert sum(k == "部门预算" for k in result.kind_of.values()) >= 3
    assert f"部门预算: {sum(k == '部门预算' for k in result.kind_of.values())} document(s)" in text


def test_a_misread_lowers_the_score_of_its_family(tmp_path) -> None:
    gen = generate(3, Layout())
    (tmp_path / "d.pdf").write_bytes(gen.pdf)
    from yujuesuan.samples.bench import truth_of

    truth = truth_of(gen, "d.pdf")
    income = next(t for t in truth["tables"] if t["family"] == "income")
    first = income["rows"][0]
    key = next(iter(first["values"]))
    first["values"][key] += 1  # the truth disagrees with what is printed: one cell missed
    (tmp_path / "d.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    result = bench(tmp_path)
    assert result.by_family["income"].recall < 1.0 and result.by_family["summary"].recall == 1.0


def test_the_truth_is_the_shared_format(tmp_path) -> None:
    score = shared_path("tools", "score.py")
    write_corpus(tmp_path / "c")
    bench(tmp_path / "c", tmp_path / "w")
    out = subprocess.run([sys.executable, str(score), "--warehouse", str(tmp_path / "w"), "--truth",
                          str(tmp_path / "c")], capture_output=True, text=True, timeout=300)
    assert "cell_recall=1.0000 cell_precision=1.0000" in out.stdout, out.stdout + out.stderr


def test_the_command_without_a_folder_benches_the_generated_corpus(capsys) -> None:
    assert main(["bench", "--planted", "3"]) == 0
    out = capsys.readouterr().out
    assert "the generated corpus" in out and "cell_recall=1.0000" in out


def test_a_folder_without_truth_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["bench", str(tmp_path), "--planted", "0"]) == 1
    assert "no document with a ground-truth JSON" in capsys.readouterr().err
    assert main(["bench", str(tmp_path / "nope")]) == 2


def test_the_truth_of_a_budget_says_so() -> None:
    from yujuesuan.samples.bench import truth_of

    truth = truth_of(generate(4, Layout(kind="budget", currency="元")), "b.pdf")
    assert truth["kind"] == "部门预算" and truth["currency_unit"] == "元"
    summary = next(t for t in truth["tables"] if t["code"] == "公开01表")
    assert summary["family"] == "summary" and {c for r in summary["rows"] for c in r["values"]} == {"预算数"}
    assert truth_of(generate(4), "f.pdf")["kind"] == "部门决算"
