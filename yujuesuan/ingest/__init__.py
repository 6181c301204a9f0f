"""Ingest: documents (files, folders, the raw store) through the extractors into the warehouse,
one worker process per document, with progress on the screen and the debug view of one page."""
