"""The compacted part of the warehouse: groups of documents, each stored as one Parquet file per table.

    WAREHOUSE/_compacted.json              {"generation": n, "groups": {"2024-1a2b3c4d": [doc_id, ...], ...},
                                            "revisions": {doc_id: revision, ...}}
    WAREHOUSE/<table>/part-<group>.parquet one file per table and group (a year's documents, a few thousand)

The manifest is the commit of a compaction: a group's files count only once the manifest names the
group (it is replaced by one rename). A document with a file of its own in `documents/`
(`<doc_id>.parquet`, written since) is newer than its compacted rows: readers take its own files
and leave its rows in the groups aside, in every table.

A document's revision (`Warehouse.revision`) is the stamp of its last write: its own documents
file's while it has one, and, once compacted, the one the manifest carried over from that file, so
a compaction (which moves rows, never changes them) leaves every revision as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from yujuesuan.warehouse.fs import Folder, Local, Remote, folder

MANIFEST = "_compacted.json"
PART_PREFIX = "part-"


@dataclass(frozen=True)
class Manifest:
    generation: int = 0
    groups: dict[str, list[str]] = field(default_factory=dict)
    group_of: dict[str, str] = field(default_factory=dict)  # doc_id → group
    revisions: dict[str, str] = field(default_factory=dict)  # doc_id → its revision when it was compacted

    @classmethod
    def of(cls, generation: int, groups: dict[str, list[str]], revisions: dict[str, str] | None = None) -> Manifest:
        group_of = {d: g for g, docs in groups.items() for d in docs}
        kept = {d: r for d, r in (revisions or {}).items() if d in group_of}
        return cls(generation, groups, group_of, kept)

    def revision(self, doc_id: str) -> str | None:
        """A compacted document's revision (a manifest of older code kept none: its group stands in)."""
        group = self.group_of.get(doc_id)
        return None if group is None else self.revisions.get(doc_id, f"group:{group}")

    def to_json(self) -> str:
        return json.dumps({"generation": self.generation, "groups": self.groups, "revisions": self.revisions},
                          separators=(",", ":"))


def part_name(group: str) -> str:
    return f"{PART_PREFIX}{group}.parquet"


def is_part(path: Path) -> bool:
    return path.name.startswith(PART_PREFIX)


def group_year(group: str) -> str:
    return group.rsplit("-", 1)[0]


_CACHE: dict[str, tuple[tuple, Manifest]] = {}


def load_manifest(root: Path | Folder) -> Manifest:
    """The warehouse's manifest (an empty one before its first compaction); cached while unchanged."""
    where = root if isinstance(root, Local | Remote) else folder(root)
    key = where.stamp(MANIFEST)  # each manifest is a new file (renamed into place, or put whole)
    if key is None:
        return Manifest()
    name = where.url_of(MANIFEST)
    hit = _CACHE.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    try:
        data = json.loads(where.read(MANIFEST).decode("utf-8"))
    except FileNotFoundError:
        return Manifest()
    manifest = Manifest.of(int(data.get("generation", 0)), {g: list(d) for g, d in data.get("groups", {}).items()},
                           {d: str(r) for d, r in (data.get("revisions") or {}).items()})
    _CACHE[name] = (key, manifest)
    return manifest
