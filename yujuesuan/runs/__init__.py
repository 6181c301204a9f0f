"""Runs: run ids, what a run publishes into the warehouse (crawl records, revisions, recovery),
and the run's report and overview page."""
