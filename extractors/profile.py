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
REGION = re.compile(
    r"^(?:中共|中国共产党)?("
    r"(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,7}?(?:市|州|盟|地区))?(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?"
    r")"
)
PROVINCES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass
class Profile:
    kind: str = "unknown"
    scope: str = "unknown"
    unit_name: str | None = None
    region: str | None = None
    year: int | None = None


def read_profile(page_texts: list[str]) -> Profile:
    """Profile from page texts (cover, TOC and table title blocks carry it)."""
    prof = Profile()
    allt = [NOT_SCOPE.sub("", compact(t)) for t in page_texts]
    head = [t for t in allt if t][:6]
    kinds = Counter()
    scopes = Counter()
    for i, t in enumerate(allt):
        w = 10 if i < 2 else 1
        for scope, kind in KIND.findall(t):
            kinds[kind] += w
            scopes[scope] += w
    if kinds:
        kind = kinds.most_common(1)[0][0]
        prof.kind = "final" if kind == "决算" else "budget"
    if scopes:
        # 单位预算 documents still say 部门 in places; 单位 on the cover decides
        cover = head[0] if head else ""
        if re.search(r"单位(决算|预算)", cover) and not re.search(r"部门(决算|预算)", cover):
            prof.scope = "unit"
        elif re.search(r"部门(决算|预算)", cover):
            prof.scope = "department"
        else:
            prof.scope = "department" if scopes["部门"] >= scopes["单位"] else "unit"
    years = Counter()
    for i, t in enumerate(allt):
        for y in YEAR_KIND.findall(t):
            years[int(y)] += 10 if i < 2 else 1
    if not years:
        for y in YEAR_COVER.findall(head[0] if head else ""):
            years[int(y)] += 1
    if not years:
        for i, t in enumerate(allt):
            for y in YEAR_AFTER.findall(t):
                years[int(y)] += 3 if i < 3 else 1
    if not years:
        for t in allt:
            for y in YEAR_TITLE.findall(t):
                years[int(y)] += 1
    if years:
        prof.year = years.most_common(1)[0][0]
    names = Counter()
    for t in allt:
        for m in UNIT_LABEL.finditer(t):
            name = _clean_name(m.group(1))
            if name:
                names[name] += 1
    for t in head:
        m = UNIT_BEFORE_YEAR.search(t)
        if m:
            name = _clean_name(m.group(1))
            if name:
                names[name] += 2
    if not names:
        # the cover may be an image: fall back to the organisation the text names most often
        orgs = Counter(m.group(0) for t in allt for m in ORG_NAME.finditer(t))
        if orgs and orgs.most_common(1)[0][1] >= 3:
            names[orgs.most_common(1)[0][0]] += 1
    if names:
        prof.unit_name = names.most_common(1)[0][0]
        prof.region = region_of(prof.unit_name)
    if prof.region is None:
        for t in head:
            r = region_of(t)
            if r:
                prof.region = r
                break
    return prof


SECTION_HEADING = re.compile(expand(r"^第[一二三四五六七八九十百\d]+{section_words}[:：、.]?"))


def _clean_name(name: str) -> str | None:
    name = re.sub(r"(?:19|20)\d{2}年.*$", "", name)
    name = SECTION_HEADING.sub("", name)  # 第二部分XX局2024年部门预算: the part heading is no name
    name = name.strip("：:，,。 ")
    if len(name) < 3 or re.search(r"万元|元$|单位$", name):
        return None
    return name


def region_of(name: str) -> str | None:
    """The administrative prefix of a unit name: 上海市普陀区人民政府办公室 → 上海市普陀区."""
    m = REGION.match(name)
    if not m or not m.group(1):
        return None
    region = m.group(1)
    rest = name[len(m.group(0)) :]
    if region.endswith("州") and rest.startswith("市"):
        region += "市"  # 孟州市, not 孟州
    # a municipality's district: 上海市普陀区; a bare 县级市: 孟州市
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
