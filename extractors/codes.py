"""Classification codes: 类/款/项 joined, level and system."""

from __future__ import annotations

import re

CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
SPLIT_PART = re.compile(r"^\d{2}$")
# the header of a code column: 科目编码, 功能分类科目编码, 类 | 款 | 项 (under 科目编码 or alone)
CODE_HEADER = re.compile(r"编码|代码|^(科目)?[类款项]$")
# a code printed at the start of a label cell: "2010301 行政运行", "201 03 01 行政运行"
CODE_PREFIX = re.compile(r"^(\d{3}(?:\s?\d{2}){0,2})\s*(?=\D)")


def pad_parts(parts: list[str]) -> list[str]:
    """款/项 parts printed without their leading zero (301 | 2, a spreadsheet's number format)
    take it back; any other part is left as printed."""
    return [p if i == 0 or not re.fullmatch(r"\d", p) else "0" + p for i, p in enumerate(parts)]


def join_code(parts: list[str]) -> str | None:
    """类 | 款 | 项 cells (or one cell) → one code; None when they do not form a code. A part with
    a speck read as a separator (`0,1`) is read without it (`code_cell`)."""
    parts = [code_cell(p.replace(" ", "")) for p in parts if p and p.strip()]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0] if CODE.match(parts[0]) else None
    if len(parts[0]) == 3 and all(SPLIT_PART.match(p) for p in parts[1:]) and len(parts) <= 3:
        return "".join(parts)
    # a 5- or 7-digit code printed whole in the last cell, parents repeated before it
    last = parts[-1]
    if CODE.match(last) and all(last.startswith(p) for p in parts[:-1]):
        return last
    return None


def code_level(code: str | None) -> int | None:
    if not code:
        return None
    return {3: 1, 5: 2, 7: 3}.get(len(code))


def code_system_of(code: str | None, default: str | None) -> str | None:
    """The code's system from its first digit where that is unambiguous, else the spec's."""
    if not code:
        return None
    if code[0] == "2":
        return "function"
    if code[0] in "35":
        return "economic"
    if code[0] == "1":
        return "revenue"
    return default


def split_code_prefix(label: str) -> tuple[str | None, str]:
    """'201 03 01 行政运行' → ('2010301', '行政运行'); no code → (None, label)."""
    m = CODE_PREFIX.match(label.strip())
    if not m:
        return None, label
    code = m.group(1).replace(" ", "")
    if not CODE.match(code):
        return None, label
    return code, label.strip()[m.end() :]


def code_cell(text: str) -> str:
    """A code cell's text without the one separator a speck of a scan put between its digits
    (`208.05` → 20805, `0,1` → 01): a code has no separator. Any other text is left as it is."""
    m = re.fullmatch(r"(\d+)[.,](\d+)", text.strip())
    if m is None:
        return text
    joined = m.group(1) + m.group(2)
    return joined if CODE.match(joined) or SPLIT_PART.match(joined) else text
