"""The 江苏 unified 预决算公开 platform: a four-step JSON API (all POST, form-encoded UTF-8).

1. `front/department/getdepartmentname.do` pid, departmentName, date, typeid → [{iid, name}]
2. `front/budgetfinal/itemsandpag.do` page_num, groupid, typeid, date → {budgetTemplates: [{uuid, …}]}
   (paged: page_num 1, 2, … until a page brings nothing new)
3. `front/budgetfinal/getTemporaryFiles.do` body `uuid='<uuid>'` (quoted) → [{iid, t_oldname}]
4. GET `front/budgetfinal/download.do?iid=<iid>` → the file; its name is `t_oldname`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote, urljoin

from yujuesuan.crawl.adapters.base import Candidate, Visit, wanted
from yujuesuan.crawl.fetch import Fetcher, FetchError
from yujuesuan.crawl.pages import decode_html
from yujuesuan.crawl.sources import Source


def _call(fetcher: Fetcher, url: str, data: dict[str, str] | str, visit: Visit) -> object | None:
    try:
        got = fetcher.post(url, data)
    except FetchError as err:
        visit.pages_failed += 1
        visit.request_failed(err, url, f"API call failed: {err}")
        return None
    visit.pages_visited += 1
    text = decode_html(got.body, got.content_type).text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        visit.pages_failed += 1
        visit.problem("crawl.api_unreadable", url, f"the API answered something that is not JSON ({exc})")
        return None


def discover(source: Source, fetcher: Fetcher, visit: Visit) -> Iterator[Candidate]:
    api = source.jiangsu
    assert api is not None
    base = api.base_url.rstrip("/") + "/"
    for pid in api.regions:
        for year in api.years:
            for typeid in api.typeids:
                depts = _call(
                    fetcher,
                    urljoin(base, "front/department/getdepartmentname.do"),
                    {"pid": str(pid), "departmentName": "", "date": str(year), "typeid": str(typeid)},
                    visit,
                )
                if not isinstance(depts, list):
                    if depts is not None:
                        visit.problem("crawl.api_unreadable", base, "department list is not a JSON list")
                    continue
                for dept in depts:
                    if not isinstance(dept, dict) or "iid" not in dept:
                        visit.problem(
                            "crawl.api_unreadable", base, f"department entry without iid: {dept!r}", severity="warning"
                        )
                        continue
                    name = str(dept.get("name", ""))
                    if source.filters.units and not wanted(source.filters, name):
                        visit.filtered_out += 1
                        continue
                    yield from _department(fetcher, base, dept, name, year, typeid, api.max_item_pages, visit, source)


def _department(
    fetcher: Fetcher,
    base: str,
    dept: dict,
    name: str,
    year: int,
    typeid: int,
    max_pages: int,
    visit: Visit,
    source: Source,
) -> Iterator[Candidate]:
    seen: set[str] = set()
    referrer = f"{base}front/budgetfinal/itemsandpag.do?groupid={dept['iid']}&date={year}&typeid={typeid}"
    for page_num in range(1, max_pages + 1):
        items = _call(
            fetcher,
            urljoin(base, "front/budgetfinal/itemsandpag.do"),
            {"page_num": str(page_num), "groupid": str(dept["iid"]), "typeid": str(typeid), "date": str(year)},
            visit,
        )
        templates = items.get("budgetTemplates") if isinstance(items, dict) else None
        if not templates:
            break
        fresh = [t for t in templates if isinstance(t, dict) and t.get("uuid") and t["uuid"] not in seen]
        if not fresh:
            break
        for t in fresh:
            seen.add(t["uuid"])
            title = str(t.get("title") or t.get("name") or name)
            if not wanted(source.filters, title, f"{year}年"):
                visit.filtered_out += 1
                continue
            files = _call(
                fetcher, urljoin(base, "front/budgetfinal/getTemporaryFiles.do"), f"uuid='{t['uuid']}'", visit
            )
            if not isinstance(files, list):
                continue
            for f in files:
                if not isinstance(f, dict) or "iid" not in f:
                    continue
                url = urljoin(base, f"front/budgetfinal/download.do?iid={quote(str(f['iid']))}")
                yield Candidate(
                    url,
                    referrer,
                    f"{name} {title}".strip(),
                    str(f.get("t_oldname") or ""),
                    name_hint=f.get("t_oldname"),
                )
