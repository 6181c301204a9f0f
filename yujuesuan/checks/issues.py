"""Every issue id in one list: the issue registry (extractors/specs/issues.yaml) and the two check
catalogues (catalogue.yaml, crossdoc.yaml), which carry their rules' severity and meaning themselves."""

from __future__ import annotations

from extractors.issues import Issue, registry
from yujuesuan.checks.across_documents.catalogue import load_crossdoc
from yujuesuan.checks.run import load_catalogue


def all_issues() -> list[Issue]:
    """Catalogue rules, rules across documents, then the registry's ids, each in file order."""
    out = [
        Issue(r.id, r.severity, r.meaning, source="catalogue", tolerance=r.tolerance,
              applies_to=", ".join([*r.kinds, *r.families]) or "all documents")
        for r in load_catalogue()
    ]
    out += [
        Issue(r.id, r.severity, r.meaning, source="crossdoc", tolerance=r.tolerance,
              applies_to=", ".join(r.kinds) or "all documents")
        for r in load_crossdoc()
    ]
    return out + list(registry().values())
