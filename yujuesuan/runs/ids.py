"""Run ids: the time the run started (UTC) and a random tail, sortable and unique."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
