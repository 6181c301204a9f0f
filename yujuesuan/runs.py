"""Run ids and the documents a raw store holds (what the nightly extracts)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from yujuesuan.crawl.rawstore import SUCCESS, RawStore
from yujuesuan.pipeline import StoredDocument


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def stored_documents(store: RawStore) -> list[StoredDocument]:
    """Every document the raw store holds (ZIP archives stand for their members), each named by
    the first fetch that brought it, and whether any URL serves it now (is_current)."""
    superseded = store.superseded()
    out: dict[str, StoredDocument] = {}
    for row in store.rows():
        sha = row.get("sha256")
        if row["outcome"] not in SUCCESS or not sha or row.get("format") == "zip" or sha in out:
            continue
        if not store.has(sha):
            continue
        out[sha] = StoredDocument(
            sha256=sha,
            file_name=row.get("file_name") or sha,
            source_url=row["url"],
            referrer=row.get("referrer"),
            referrer_title=row.get("referrer_title"),
            source_id=row.get("source_id"),
            is_current=sha not in superseded,
        )
    return sorted(out.values(), key=lambda d: d.sha256)
