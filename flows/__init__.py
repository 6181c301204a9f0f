"""Prefect flows (crawl, extract, check, nightly). Prefect is imported only here, never by
`extractors/`. The flows arrive with the crawl issue; local extraction runs through
`yujuesuan.pipeline` today."""
