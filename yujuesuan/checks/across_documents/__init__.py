"""Checks across documents: the same body's 部门 and 单位 reports, its 预算 and 决算 of a year, this
year's 上年 figures and last year's, and the versions of one document.

`run_across_documents(warehouse)` runs after every extraction (pipeline.publish_derived) over the whole
warehouse, incrementally: the pairs are found from the documents table, and only an anchor whose pairs,
documents (their extraction) or rules changed is compared again. Per anchor document it writes
WAREHOUSE/cross_issues/<doc_id>.parquet (findings with both sides' provenance), cross_pairs (the pairs
compared) and revisions (what a later version changed, cell by cell). (The codes table follows, in publish.)"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from yujuesuan.checks.across_documents.catalogue import load_crossdoc
from yujuesuan.checks.across_documents.figures import figure_session
from yujuesuan.checks.across_documents.pairs import Pair, find_pairs, load_members
from yujuesuan.checks.across_documents.rules import (
    CrossFinding,
    Tally,
    department_units,
    final_budget,
    prior_year,
    revision,
)
from yujuesuan.checks.rules import DocData
from yujuesuan.checks.run import Rule
from yujuesuan.warehouse.store import Warehouse, release_memory

TABLES = ("cross_issues", "cross_pairs", "revisions")
RELEASE_EVERY = 200  # anchors compared between two returns of freed memory to the system
PREFETCH = 100  # anchors whose documents' rows are read at once
IMPLEMENTATIONS = {"department_units": department_units, "final_budget": final_budget, "prior_year": prior_year}


@dataclass
class CrossRun:
    pairs: dict[str, int] = field(default_factory=dict)  # pair kind → pairs present
    anchors_checked: int = 0  # anchors compared now (the others were unchanged)
    anchors_unchanged: int = 0
    issues: dict[str, int] = field(default_factory=dict)  # severity → findings written now
    revisions: int = 0
    anchors_left: int = 0  # anchors still due after this call (a call with `limit`)


@cache
def crossdoc_version() -> str:
    """Digest of these rules' code and catalogue."""
    h = hashlib.sha256()
    root = resources.files("yujuesuan.checks")
    h.update(root.joinpath("crossdoc.yaml").read_bytes())
    for entry in sorted(root.joinpath("across_documents").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            h.update(entry.name.encode() + entry.read_bytes())
    return h.hexdigest()[:12]


def _signature(pairs: list[Pair], docs: dict[str, dict], written: dict[str, str]) -> str:
    """What an anchor's findings depend on: the rules, its pairs and each document's rows (their
    extraction, and when they were last written)."""
    h = hashlib.sha256(crossdoc_version().encode())
    for p in sorted(pairs, key=lambda p: (p.pair, p.others)):
        h.update(repr((p.pair, p.others, p.missing, p.order_basis)).encode())
        for doc_id in (p.anchor, *p.others):
            d = docs[doc_id]
            h.update(repr([d.get(k) for k in ("doc_id", "extractor_version", "unit_id", "year", "kind", "scope",
                                              "is_current", "status")] + [written.get(doc_id)]).encode())
    return h.hexdigest()[:16]


def _rule_for(pair: Pair, anchor: DocData, rules: tuple[Rule, ...]) -> list[Rule]:
    wanted = {"department_units": "department_units", "final_budget": "final_budget", "prior_year": "prior_year",
              "revision": "revision"}[pair.pair]
    kind = anchor.document.get("kind")
    return [r for r in rules if r.rule == wanted and (not r.kinds or kind in r.kinds)]


def _issue_row(rule: Rule, f: CrossFinding, anchor: DocData, pair: Pair) -> dict:
    d = anchor.document
    others = f.others
    return {
        "doc_id": d["doc_id"],
        "check_id": rule.id,
        "severity": f.severity,
        "unit_id": d.get("unit_id"),
        "year": d.get("year"),
        "kind": d.get("kind"),
        "locator": f.locator,
        "message": f.message,
        "expected": f.expected,
        "actual": f.actual,
        "page": f.page,
        "printed": f.printed,
        "other_doc_ids": [o.doc_id for o in others] if others else list(pair.others),
        "other_pages": [o.page for o in others],
        "other_printed": [o.printed for o in others],
    }


def check_anchor(anchor: DocData, pairs: list[Pair], loaded: dict[str, DocData],
                 rules: tuple[Rule, ...] | None = None) -> tuple[list[dict], list[dict], list[dict]]:
    """(cross_issues rows, cross_pairs rows, revisions rows) of one anchor document and its pairs."""
    rules = rules or load_crossdoc()
    issues, pair_rows, revision_rows = [], [], []
    for pair in pairs:
        others = [loaded[o] for o in pair.others]
        found = []
        tally = Tally()
        for rule in _rule_for(pair, anchor, rules):
            if rule.rule == "revision":
                findings, rows = revision(anchor, others, pair, rule, tally)
                revision_rows += rows
            else:
                findings = IMPLEMENTATIONS[rule.rule](anchor, others, pair, rule, tally)
            found += [_issue_row(rule, f, anchor, pair) for f in findings]
        issues += found
        pair_rows.append({"doc_id": anchor.document["doc_id"], "pair": pair.pair, "other_doc_ids": list(pair.others),
                          "checked_with": None, "issues": len(found), "compared": tally.compared})
    return issues, pair_rows, revision_rows


def _fetched(wh: Warehouse) -> dict[str, str]:
    """sha256 → its first download (the downloads run table), to order two current versions."""
    out: dict[str, str] = {}
    for r in wh.read("downloads", ["sha256", "fetched_at"]).to_pylist():
        if r["sha256"] and r["fetched_at"]:
            t = r["fetched_at"].isoformat()
            out[r["sha256"]] = min(out.get(r["sha256"], t), t)
    return out


def _needed(pairs: list[Pair]) -> set[str]:
    """The documents an anchor's comparisons read: the anchor and every other side of its pairs."""
    return {doc_id for p in pairs for doc_id in (p.anchor, *p.others)}


class _Loaded:
    """Documents' rows while an anchor still due needs them: each is read once and dropped after the
    last anchor that needs it (holding every document's rows grew the writer's memory with the warehouse).
    Rows are read for the next PREFETCH anchors at a time: compacted documents come a group's file at once."""

    def __init__(self, wh: Warehouse, due: list[tuple[str, set[str]]]) -> None:
        self.wh, self.rows = wh, {}
        self.due, self.position = [needed for _, needed in due], 0
        self.uses: Counter[str] = Counter(d for _, needed in due for d in needed)

    def take(self, needed: set[str]) -> dict[str, DocData]:
        from yujuesuan.checks.apply import doc_data

        missing = needed - self.rows.keys()
        if missing:
            ahead = set().union(*self.due[self.position : self.position + PREFETCH])
            wanted = missing | {d for d in ahead if d not in self.rows and self.uses[d] > 0}
            for doc_id, rows in self.wh.read_documents(wanted).items():
                self.rows[doc_id] = doc_data(rows)
        self.position += 1
        return {d: self.rows[d] for d in needed}

    def release(self, needed: set[str]) -> None:
        for doc_id in needed:
            self.uses[doc_id] -= 1
            if self.uses[doc_id] <= 0:
                self.rows.pop(doc_id, None)


def _check_and_write(wh: Warehouse, run: CrossRun, anchor_id: str, pairs: list[Pair], signature: str,
                     rows: _Loaded) -> None:
    """Compare one anchor with its pairs and write its three files (cross_pairs last: the record it is done)."""
    needed = _needed(pairs)
    loaded = rows.take(needed)
    issues, pair_rows, revision_rows = check_anchor(loaded[anchor_id], pairs, loaded)
    rows.release(needed)
    for r in pair_rows:
        r["checked_with"] = signature
    wh.write_run_table("cross_issues", anchor_id, issues)
    wh.write_run_table("revisions", anchor_id, revision_rows)
    wh.write_run_table("cross_pairs", anchor_id, pair_rows)  # last: the record that it is done
    run.anchors_checked += 1
    run.revisions += len(revision_rows)
    for i in issues:
        run.issues[i["severity"]] = run.issues.get(i["severity"], 0) + 1


def run_across_documents(warehouse: str | os.PathLike[str], force: bool = False,
                         members: str | os.PathLike[str] | None = None, limit: int | None = None) -> CrossRun:
    """Compare the warehouse's documents pair by pair (only what changed, unless `force`); write
    cross_issues, cross_pairs and revisions. Holds the warehouse lock. With `limit`, only the first
    `limit` anchors due are compared (in the order below) and `anchors_left` says how many remain: each
    anchor's signature records it done, so calls in turn (a process each: memory that does not grow with
    the warehouse) finish the work, and a stopped run resumes where it was."""
    if force and limit is not None:
        raise ValueError("force compares every anchor at once: it takes no limit")
    wh = Warehouse(warehouse)
    run = CrossRun()
    with wh.lock():
        wh.init()
        documents = wh.read("documents").to_pylist()
        docs = {d["doc_id"]: d for d in documents}
        pairs = find_pairs(documents, load_members(members), _fetched(wh))
        by_anchor: dict[str, list[Pair]] = defaultdict(list)
        for p in pairs:
            by_anchor[p.anchor].append(p)
            run.pairs[p.pair] = run.pairs.get(p.pair, 0) + 1
        written = wh.revisions()  # each document's last write, as compaction leaves it
        stored: dict[str, set[str]] = defaultdict(set)
        for r in wh.read("cross_pairs", ["doc_id", "checked_with"]).to_pylist():
            stored[r["doc_id"]].add(r["checked_with"])
        due = []
        for anchor_id, its_pairs in sorted(by_anchor.items()):
            signature = _signature(its_pairs, docs, written)
            if not force and stored.get(anchor_id) == {signature}:
                run.anchors_unchanged += 1
            else:
                due.append((anchor_id, its_pairs, signature))
        del documents, stored
        # a unit's documents one after another, so each document's rows are read once and dropped soon
        due.sort(key=lambda a: (docs[a[0]].get("unit_id") or "", docs[a[0]].get("year") or 0, a[0]))
        if limit is not None:
            due, run.anchors_left = due[:limit], max(0, len(due) - limit)
        rows = _Loaded(wh, [(anchor_id, _needed(its_pairs)) for anchor_id, its_pairs, _ in due])
        with figure_session():  # each document's figure of a measure read once in the run
            for n, (anchor_id, its_pairs, signature) in enumerate(due, 1):
                _check_and_write(wh, run, anchor_id, its_pairs, signature, rows)
                if n % RELEASE_EVERY == 0:
                    release_memory()
        for table in TABLES:  # anchors that no longer have a pair
            for name in wh.files(table):
                if name[: -len(".parquet")] not in by_anchor:
                    wh.fs.delete(table, name)
    return run


__all__ = ["CrossRun", "check_anchor", "crossdoc_version", "run_across_documents"]
