"""Imported by the extraction workers' fork server before yujuesuan.ingest.preload when the run has
page images to read (`start_fork_server(ocr=True)`): the OCR libraries (rapidocr, onnxruntime; a
second to import) loaded once, not in each worker that meets a scan. The recogniser's models are
still loaded in the worker (onnxruntime's sessions are not shared across a fork)."""

from __future__ import annotations

from extractors.document import preload

preload(ocr=True)
