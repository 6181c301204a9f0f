"""What a later version of a document changed, cell by cell (the warehouse's revisions table)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from yujuesuan.checks.rules import DocData
from yujuesuan.checks.rules.base import label_key


def _cells(doc: DocData) -> dict[tuple, dict]:
    """Each figure keyed by where it stands: table family, side, code (else row label), column and,
    for rows printed twice, their order."""
    seen: dict[tuple, int] = defaultdict(int)
    out: dict[tuple, dict] = {}
    for i in sorted(doc.items, key=lambda i: (i.get("page") or 0, i.get("row_index") or 0, i.get("panel") or 0)):
        base = (i["table_family"], i.get("section"), i.get("code") or label_key(i.get("row_label")), i["column"])
        n = seen[base]
        seen[base] += 1
        out[(*base, n)] = i
    return out


def diff(earlier: DocData, later: DocData, order_basis: str) -> list[dict]:
    """Rows of the revisions table: every figure changed, added or removed between two versions.
    A table family only one version holds at all is compared too (its figures added or removed)."""
    old, new = _cells(earlier), _cells(later)
    d = later.document
    rows = []
    for key in sorted(set(old) | set(new), key=lambda k: tuple("" if v is None else str(v) for v in k)):
        a, b = old.get(key), new.get(key)
        va = Decimal(a["value"]) if a and a.get("value") is not None else None
        vb = Decimal(b["value"]) if b and b.get("value") is not None else None
        if a and b and va == vb:
            continue
        change = "changed" if a and b else "added" if b else "removed"
        ref = b or a
        rows.append(
            {
                "doc_id": d["doc_id"],
                "previous_doc_id": earlier.document["doc_id"],
                "order_basis": order_basis,
                "unit_id": d.get("unit_id"),
                "year": d.get("year"),
                "kind": d.get("kind"),
                "scope": d.get("scope"),
                "table_family": key[0],
                "section": key[1],
                "code": ref.get("code"),
                "row_label": ref.get("row_label"),
                "column": key[3],
                "change": change,
                "previous_value": va,
                "value": vb,
                "previous_page": a.get("page") if a else None,
                "page": b.get("page") if b else None,
                "previous_printed": a.get("printed") if a else None,
                "printed": b.get("printed") if b else None,
            }
        )
    return rows
