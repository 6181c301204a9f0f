"""Imported by the extraction workers' fork server (yujuesuan.ingest.worker), last: what every worker
would otherwise load again for each document is loaded once, before the fork: the front ends'
libraries (extractors.document.preload), pandas (pyarrow imports it on its first conversion of
Python rows, which every worker's encode_rows makes), the check catalogue, its rules' code lists
and the shipped code catalogue. What is loaded is then frozen out of the workers' garbage collections."""

from __future__ import annotations

import gc

import pyarrow as pa

from extractors.document import preload
from yujuesuan.checks.apply import apply_checks  # noqa: F401 - imported for the fork server
from yujuesuan.checks.run import load_catalogue
from yujuesuan.codes import shipped

preload()
pa.array([0])  # pyarrow's first conversion of Python objects imports pandas (0.2 s a worker otherwise)
load_catalogue()
shipped()
# gc.freeze: a collection in a forked worker would otherwise visit, and so copy, the pages of every
# object it inherited (measured on the real corpus: workers' CPU down by a tenth)
gc.freeze()
