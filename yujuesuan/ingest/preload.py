"""Imported by the extraction workers' fork server (yujuesuan.ingest.worker): what every worker
would otherwise load again for each document (the check catalogue, its rules' code lists and
the shipped code catalogue) is loaded once, before the fork."""

from __future__ import annotations

from yujuesuan.checks.apply import apply_checks  # noqa: F401 - imported for the fork server
from yujuesuan.checks.run import load_catalogue
from yujuesuan.codes import shipped

load_catalogue()
shipped()
