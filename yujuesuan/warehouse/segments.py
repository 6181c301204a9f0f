"""The compacted part of the warehouse: groups of documents, each stored as one Parquet file per table.

    WAREHOUSE/_compacted.json              {"generation": n, "groups": {"2024-1a2b3c4d": [doc_id, ...], ...}}
    WAREHOUSE/<table>/part-<group>.parquet one file per table and group (a year's documents, a few thousand)

The manifest is the commit of a compaction: a group's files count only once the manifest names the
group (it is replaced by one rename). A document with a file of its own in `documents/`
(`<doc_id>.parquet`, written since) is newer than its compacted rows: readers take its own files
and leave its rows in the groups aside, in every table.
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

    @classmethod
    def of(cls, generation: int, groups: dict[str, list[str]]) -> Manifest:
        return cls(generation, groups, {d: g for g, docs in groups.items() for d in docs})

    def to_json(self) -> str:
        return json.dumps({"generation": self.generation, "groups": self.groups}, separators=(",", ":"))


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
    manifest = Manifest.of(int(data.get("generation", 0)), {g: list(d) for g, d in data.get("groups", {}).items()})
    _CACHE[name] = (key, manifest)
    return manifest
