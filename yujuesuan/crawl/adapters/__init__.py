"""Adapters: one per portal shape. Each turns a Source into Candidates through a Fetcher."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from yujuesuan.crawl.adapters.base import Candidate, CrawlProblem, Visit
from yujuesuan.crawl.adapters.generic_cms import discover as generic_cms
from yujuesuan.crawl.adapters.jiangsu_api import discover as jiangsu_api
from yujuesuan.crawl.fetch import Fetcher
from yujuesuan.crawl.sources import Source

Adapter = Callable[[Source, Fetcher, Visit], Iterator[Candidate]]
ADAPTERS: dict[str, Adapter] = {"generic_cms": generic_cms, "jiangsu_api": jiangsu_api}

__all__ = ["ADAPTERS", "Adapter", "Candidate", "CrawlProblem", "Visit"]
