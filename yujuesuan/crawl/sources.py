"""Sources as data: one YAML file per portal, validated on load.

A source names its adapter (the portal's shape), where to start, what to keep and how
politely to fetch. Anything unknown or mistyped is an error naming the file and the field:

    data/sources/jiangsu-wuxi.yaml: limits.rate_per_second: Input should be a valid number

See docs/sources.md for every field.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from extractors.yamltext import load_yaml

ADAPTERS = ("generic_cms", "jiangsu_api")
ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")


class SourceError(ValueError):
    """A source file that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinkFilter(_Strict):
    """Which links to follow or keep. A link passes when its text or URL matches (empty = all)."""

    text_any: list[str] = Field(default_factory=list, description="link text contains any of these")
    text_none: list[str] = Field(default_factory=list, description="link text contains none of these")
    url_regex: str | None = Field(default=None, description="the absolute URL matches this regular expression")

    @field_validator("url_regex")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            re.compile(v)
        return v

    def accepts(self, text: str, url: str) -> bool:
        if self.text_any and not any(t in text for t in self.text_any):
            return False
        if any(t in text for t in self.text_none):
            return False
        return self.accepts_url(url)

    def accepts_url(self, url: str) -> bool:
        """The URL part of the filter alone (for a link whose text the list page cut short)."""
        return not (self.url_regex and not re.search(self.url_regex, url))


class IndexPages(_Strict):
    """The index pages that list the disclosures (the first is each start URL)."""

    max_pages: int = Field(default=50, ge=1, description="stop after this many index pages per start URL")
    follow: LinkFilter = Field(
        default_factory=lambda: LinkFilter(text_any=["预算", "决算"]),
        description="links on a list page that lead to a detail page (or straight to an attachment)",
    )


class DetailPages(_Strict):
    attachment_extensions: list[str] = Field(
        default_factory=lambda: ["pdf", "xls", "xlsx", "doc", "docx", "et", "wps", "zip"],
        description="link targets with these extensions are attachments (.et, .wps: WPS Office's own names)",
    )
    attachment_link_text: list[str] = Field(
        default_factory=lambda: ["下载", "附件"], description="links whose text holds one of these are attachments too"
    )
    html_report_markers: list[str] = Field(
        default_factory=list,
        description="titles of this portal's own tables, beyond the standard ones: a detail page with no "
        "attachment is itself the report when it holds an HTML table under a standard table's title or one of these",
    )


class Filters(_Strict):
    """What to keep, read from the link text, file name and page title (unknown passes)."""

    years: list[int] = Field(default_factory=list, description="fiscal years to keep (empty = all)")
    kinds: list[Literal["budget", "final"]] = Field(default_factory=list, description="预算 and/or 决算 (empty = both)")
    units: list[str] = Field(default_factory=list, description="keep only titles naming one of these units")


class Limits(_Strict):
    rate_per_second: float = Field(default=2.0, gt=0, description="requests per second per host")
    concurrency: int = Field(default=2, ge=1, le=16, description="requests in flight per host")
    timeout_seconds: float = Field(default=30.0, gt=0, description="connect/read timeout per request")
    deadline_seconds: float = Field(default=300.0, gt=0, description="a whole download must finish within this")
    max_bytes: int = Field(default=100 * 1024 * 1024, gt=0, description="larger files are refused")
    retries: int = Field(default=3, ge=0, le=10, description="retries on timeouts, connection errors and 5xx")
    backoff_seconds: float = Field(default=2.0, ge=0, description="first retry waits this long, then doubles")
    max_redirects: int = Field(default=5, ge=0, le=20)


# the health warnings a source's crawl raises, whose severity the source may set (health.severity);
# health.recovered is raised from the raw store's manifest, without the source's settings
HEALTH_WARNINGS = ("too_few_documents", "stale", "unreachable")


class Health(_Strict):
    min_documents: int = Field(default=1, ge=0, description="fewer documents found in a run raises a warning")
    stale_after_days: int | None = Field(
        default=400, ge=1, description="nothing new for longer than this raises a warning (null: never)"
    )
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict,
        description="a severity per health warning (too_few_documents, stale, unreachable), "
        "instead of extractors/specs/issues.yaml's",
    )

    @field_validator("severity")
    @classmethod
    def _known(cls, severity: dict[str, str]) -> dict[str, str]:
        for name in severity:
            if name not in HEALTH_WARNINGS:
                raise ValueError(f"unknown health warning {name!r}: one of {', '.join(HEALTH_WARNINGS)}")
        return severity


class JiangsuApi(_Strict):
    """The 江苏 unified 预决算公开 platform's JSON API (four steps; see docs/sources.md)."""

    base_url: str
    regions: list[int] = Field(min_length=1, description="region pids, e.g. 122 for 无锡市")
    years: list[int] = Field(min_length=1)
    typeids: list[int] = Field(default_factory=lambda: [2], description="document type ids to ask for")
    max_item_pages: int = Field(default=20, ge=1)


class Source(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="the file name without .yaml")
    name: str = Field(min_length=1, description="the portal's name, for people")
    adapter: Literal["generic_cms", "jiangsu_api"]
    region: str | None = Field(default=None, description="the region the portal publishes for, e.g. 上海市普陀区")
    start_urls: list[str] = Field(default_factory=list, description="list pages to start from (generic_cms)")
    allowed_hosts: list[str] = Field(
        default_factory=list, description="hosts that may be fetched (default: those of the start URLs)"
    )
    robots: bool = Field(default=True, description="honour robots.txt")
    encoding: Literal["auto", "utf-8", "gbk", "gb18030", "gb2312"] = "auto"
    user_agent: str = "yujuesuan/0.1 (+https://github.com/yujuesuan; open budget data)"
    index: IndexPages = Field(default_factory=IndexPages)
    detail: DetailPages = Field(default_factory=DetailPages)
    filters: Filters = Field(default_factory=Filters)
    limits: Limits = Field(default_factory=Limits)
    health: Health = Field(default_factory=Health)
    jiangsu: JiangsuApi | None = None

    @field_validator("start_urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for u in urls:
            parts = urlsplit(u)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an http(s) URL: {u!r}")
        return urls

    @model_validator(mode="after")
    def _adapter_needs(self) -> Source:
        if self.adapter == "generic_cms" and not self.start_urls:
            raise ValueError("adapter generic_cms needs start_urls")
        if self.adapter == "jiangsu_api" and self.jiangsu is None:
            raise ValueError("adapter jiangsu_api needs a jiangsu: section")
        return self

    def hosts(self) -> set[str]:
        """Hosts this source may fetch from."""
        hosts = {h.lower() for h in self.allowed_hosts}
        urls = list(self.start_urls) + ([self.jiangsu.base_url] if self.jiangsu else [])
        if not self.allowed_hosts:
            hosts |= {(urlsplit(u).hostname or "").lower() for u in urls}
        return hosts


def _expand(value: object, path: Path) -> object:
    """${VAR} in strings comes from the environment (a missing variable is an error)."""
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in os.environ:
                raise SourceError(f"{path}: environment variable {m.group(1)} is not set")
            return os.environ[m.group(1)]

        return ENV_VAR.sub(sub, value)
    if isinstance(value, list):
        return [_expand(v, path) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, path) for k, v in value.items()}
    return value


def load_source(path: str | os.PathLike[str]) -> Source:
    path = Path(path)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SourceError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text") from None
    if not isinstance(raw, dict):
        raise SourceError(f"{path}: expected a mapping of fields, got {type(raw).__name__}")
    raw = _expand(raw, path)
    raw.setdefault("id", path.stem)
    if raw["id"] != path.stem:
        raise SourceError(f"{path}: id: {raw['id']!r} differs from the file name {path.stem!r}")
    try:
        return Source.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{path}: {field}: {msg}")
        raise SourceError("\n".join(lines)) from None


def load_sources(folder: str | os.PathLike[str], only: list[str] | None = None) -> list[Source]:
    """Every *.yaml source in a folder (sorted by id); all errors are reported together."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder of sources")
    sources, errors = [], []
    for f in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        try:
            sources.append(load_source(f))
        except SourceError as exc:
            errors.append(str(exc))
    if errors:
        raise SourceError("\n".join(errors))
    if only:
        unknown = set(only) - {s.id for s in sources}
        if unknown:
            raise SourceError(f"{folder}: no source named {', '.join(sorted(unknown))}")
        sources = [s for s in sources if s.id in only]
    return sources
