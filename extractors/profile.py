"""Document profile read from the document itself: kind, scope, unit, region, year.

What is not printed stays None; the caller turns every None into a quality issue.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extractors.text import compact
from extractors.vocabulary import expand

KIND = re.compile(r"(部门|单位)(决算|预算)")
YEAR_KIND = re.compile(r"((?:19|20)\d{2})年度?(?:区级|市级|省级|县级)?(?:部门|单位|预算单位)(?:决算|预算)")
YEAR_COVER = re.compile(r"((?:19|20)\d{2})年度[^\d]{2,40}?(?:部门|单位)(?:决算|预算)")
YEAR_AFTER = re.compile(r"年度?(?:部门|单位)(?:决算|预算)表?((?:19|20)\d{2})")
YEAR_TITLE = re.compile(r"((?:19|20)\d{2})年度?(?:部门|单位|预算单位)?[^，。；]{0,30}?表")
NOT_SCOPE = re.compile(r"部门预算经济分类|单位预算经济分类")
UNIT_LABEL = re.compile(
    r"(?:编制部门|预算主管部门|主管部门|部门名称|编制单位|单位名称|部门)[:：]([^\s:：]{3,40}?)(?=单位[:：]|金额单位|\d{4}年|$)"
)
UNIT_BEFORE_YEAR = re.compile(r"^([\u4e00-\u9fff（）()]{4,40}?)(?:(?:19|20)\d{2})?年度?(?:部门|单位)(?:决算|预算)")
ORG_NAME = re.compile(
    r"(?:中共)?[\u4e00-\u9fff]{2,6}(?:省|市|区|县)[\u4e00-\u9fff]{1,12}?(?:办公厅|办公室|委员会|局|院|厅|部|中心|处|所|站)"
)
# a region is its administrative levels in order (province, city, county), each ending in a
# level word of specs/vocabulary.yaml; the longest level word wins (孟州市, not 孟州)
REGION = re.compile(
    expand(
        r"^(?:中共|中国共产党)?("
        r"(?:[\u4e00-\u9fff]{2,7}?{province_level})?"
        r"(?:[\u4e00-\u9fff]{1,7}?{city_level})?"
        r"(?:[\u4e00-\u9fff]{1,6}?{county_level})?"
        r")"
    )
)


@dataclass
class Profile:
    kind: str = "unknown"
    scope: str = "unknown"
    unit_name: str | None = None
    region: str | None = None
    year: int | None = None


def read_profile(page_texts: list[str]) -> Profile:
    """Profile from page texts (cover, TOC and table title blocks carry it)."""
    allt = [NOT_SCOPE.sub("", compact(t)) for t in page_texts]
    head = [t for t in allt if t][:6]  # the first pages with text: cover, contents
    prof = Profile()
    prof.kind, prof.scope = _kind_and_scope(allt, head[0] if head else "")
    prof.year = _year(allt, head)
    prof.unit_name = _unit_name(allt, head)
    prof.region = region_of(prof.unit_name) if prof.unit_name else None
    if prof.region is None:
        prof.region = next((r for r in map(region_of, head) if r), None)
    return prof


def _kind_and_scope(allt: list[str], cover: str) -> tuple[str, str]:
    """决算 or 预算, and 部门 or 单位, by the votes of every 部门决算/单位预算 … printed (the first
    two pages count tenfold); a cover that says 单位 and not 部门 is a 单位 report whatever the
    rest says (单位预算 documents still say 部门 in places)."""
    kinds: Counter[str] = Counter()
    scopes: Counter[str] = Counter()
    for i, t in enumerate(allt):
        weight = 10 if i < 2 else 1
        for scope, kind in KIND.findall(t):
            kinds[kind] += weight
            scopes[scope] += weight
    if not kinds:
        return "unknown", "unknown"
    kind = "final" if kinds.most_common(1)[0][0] == "决算" else "budget"
    if re.search(r"单位(决算|预算)", cover) and not re.search(r"部门(决算|预算)", cover):
        return kind, "unit"
    if re.search(r"部门(决算|预算)", cover):
        return kind, "department"
    return kind, "department" if scopes["部门"] >= scopes["单位"] else "unit"


def _year(allt: list[str], head: list[str]) -> int | None:
    """The year the document is for, from the most telling way it is printed that it uses:
    2024年度部门决算, then a cover's 2024年度…部门决算, 部门决算2024, a table title's 2024年…表."""
    cover = head[0] if head else ""
    votes: list[Counter[int]] = [Counter(), Counter(), Counter(), Counter()]
    for i, t in enumerate(allt):
        for y in YEAR_KIND.findall(t):
            votes[0][int(y)] += 10 if i < 2 else 1
        for y in YEAR_AFTER.findall(t):
            votes[2][int(y)] += 3 if i < 3 else 1
        for y in YEAR_TITLE.findall(t):
            votes[3][int(y)] += 1
    for y in YEAR_COVER.findall(cover):
        votes[1][int(y)] += 1
    years = next((v for v in votes if v), None)
    return years.most_common(1)[0][0] if years else None


def _unit_name(allt: list[str], head: list[str]) -> str | None:
    """The reporting unit: named by a label (编制部门：…, 单位名称：…) or before the year on the
    cover; where the cover is an image, the organisation the text names most often (3 times or more)."""
    names: Counter[str] = Counter()
    for t in allt:
        for m in UNIT_LABEL.finditer(t):
            name = _clean_name(m.group(1))
            if name:
                names[name] += 1
    for t in head:
        before_year = UNIT_BEFORE_YEAR.search(t)
        name = _clean_name(before_year.group(1)) if before_year else None
        if name:
            names[name] += 2
    if names:
        return names.most_common(1)[0][0]
    orgs = Counter(m.group(0) for t in allt for m in ORG_NAME.finditer(t))
    if orgs and orgs.most_common(1)[0][1] >= 3:
        return orgs.most_common(1)[0][0]
    return None


SECTION_HEADING = re.compile(expand(r"^第[一二三四五六七八九十百\d]+{section_words}[:：、.]?"))


def _clean_name(name: str) -> str | None:
    name = re.sub(r"(?:19|20)\d{2}年.*$", "", name)
    name = SECTION_HEADING.sub("", name)  # 第二部分XX局2024年部门预算: the part heading is no name
    name = name.strip("：:，,。 ")
    if len(name) < 3 or re.search(r"万元|元$|单位$", name):
        return None
    return name


def region_of(name: str) -> str | None:
    """The administrative prefix of a unit name: 上海市普陀区人民政府办公室 → 上海市普陀区,
    孟州市人民政府办公室 → 孟州市; None where there is none or the name is a region itself."""
    m = REGION.match(name)
    if not m or not m.group(1):
        return None
    region = m.group(1)
    if len(region) < 2 or region == name:
        return None
    return region


def unit_id_of(unit_name: str | None, region: str | None) -> str | None:
    """A stable id: the unit name with its region prefix, whitespace and brackets normalised."""
    if not unit_name:
        return None
    name = compact(unit_name).replace("(", "（").replace(")", "）")
    if region and region not in name:
        name = region + name
    return name
