"""A deterministic, seeded mutator of disclosure documents, for fuzzing the extractors.

`inputs(n, seed)` yields `(name, bytes)` pairs: the generator's PDFs and their HTML reports,
mutated (byte flips, truncations, stream bombs, huge coordinates, nested form XObjects, huge
numbers, unmapped fonts, colspan/rowspan bombs, odd charsets …). The same `n` and `seed` give
the same inputs. `scripts/fuzz.py` runs them through the extractor in child processes with a
time and memory limit; `tests/test_extract_fuzz.py` runs a few hundred cheap ones; the pipeline
can feed them end to end (the names end in .pdf or .html).

The builders used by the mutators (`assemble`, `objects_of`, `flate_bomb_pdf`, `nested_forms_pdf`
…) also make the single hostile documents of the extractor tests.
"""

from __future__ import annotations

import multiprocessing
import random
import re
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.connection import Connection

from yujuesuan.samples.demo import html_report
from yujuesuan.samples.generator import Layout, generate

MIB = 1024 * 1024

# -- a minimal PDF writer ---------------------------------------------------------------------

CJK_FONT = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
    b"/DescendantFonts [ << /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 0 >> /DW 1000 "
    b"/FontDescriptor << /Type /FontDescriptor /FontName /STSongStd-Light /Flags 6 "
    b"/FontBBox [ -25 -254 1000 880 ] /ItalicAngle 0 /Ascent 752 /Descent -271 /CapHeight 737 "
    b"/StemV 58 >> >> ] >>"
)


def assemble(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF file of the given objects (number → body), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    size = max(objects, default=0) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def stream(body: bytes, extra: bytes = b"") -> bytes:
    """A stream object's text: its dictionary (with `extra` entries) and its bytes."""
    return b"<< /Length %d %s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def text_op(x: float, y: float, text: str, size: float = 10.0, font: bytes = b"F2") -> bytes:
    """Content operators printing `text` at (x, y) with the CJK font (UCS-2 codes)."""
    hex_codes = text.encode("utf-16-be").hex().encode()
    return b"BT /%s %s Tf %s %s Td <%s> Tj ET\n" % (font, _num(size), _num(x), _num(y), hex_codes)


def _num(v: float) -> bytes:
    """A PDF number (no exponent: 1e9 is written 1000000000)."""
    return b"%d" % v if float(v).is_integer() else (b"%.4f" % v).rstrip(b"0")


def pages_pdf(contents: list[bytes], *, media_box: bytes = b"[0 0 595 842]", xobjects: bytes = b"") -> bytes:
    """A PDF with one page per content stream, the CJK font as /F2 and Helvetica as /F1.
    `xobjects` is the body of the pages' /XObject dictionary (e.g. b"/X1 10 0 R")."""
    objects: dict[int, bytes] = {3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", 4: CJK_FONT}
    kids = []
    for i, content in enumerate(contents):
        page, body = 100 + 2 * i, 101 + 2 * i
        objects[body] = stream(content)
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents %d 0 R /Resources << /Font << /F1 3 0 R "
            b"/F2 4 0 R >> /XObject << %s >> >> >>" % (media_box, body, xobjects)
        )
        kids.append(b"%d 0 R" % page)
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return assemble(objects)


OBJECT = re.compile(rb"(?ms)^(\d+) 0 obj\r?\n(.*?)\r?\nendobj")
ROOT = re.compile(rb"/Root (\d+) 0 R")


def objects_of(pdf: bytes) -> tuple[dict[int, bytes], int]:
    """The objects of a simple PDF (one written by reportlab or `assemble`) and its root."""
    objects = {int(m.group(1)): m.group(2) for m in OBJECT.finditer(pdf)}
    root = ROOT.search(pdf)
    return objects, int(root.group(1)) if root else 1


# -- single hostile documents -----------------------------------------------------------------


@cache
def _deflated(byte: bytes, size: int) -> bytes:
    z = zlib.compressobj(9)
    chunk = byte * MIB
    parts = [z.compress(chunk) for _ in range(size // MIB)]
    return b"".join([*parts, z.compress(byte * (size % MIB)), z.flush()])


def flate_bomb_pdf(size: int, byte: bytes = b"\0", *, bad_checksum: bool = False) -> bytes:
    """One page whose content stream inflates to `size` bytes of `byte`."""
    body = _deflated(byte, size)
    if bad_checksum:
        body = body[:-4] + bytes(b ^ 0xFF for b in body[-4:])
    pdf = pages_pdf([b"BT ET"])
    objects, root = objects_of(pdf)
    objects[101] = stream(body, b"/Filter /FlateDecode")
    return assemble(objects, root)


def nested_forms_pdf(depth: int, fanout: int, leaf: bytes | None = None) -> bytes:
    """Form XObjects nested `depth` deep, each drawing the next `fanout` times: fanout**depth
    copies of the leaf (a line of text) on one page."""
    leaf = leaf or text_op(50, 400, "一般公共服务支出 123.45")
    objects: dict[int, bytes] = {}
    resources = b"/Resources << /Font << /F2 4 0 R >> /XObject << /X 10 0 R >> >>"
    for level in range(depth):
        num = 10 + level
        if level == depth - 1:
            body, res = leaf, b"/Resources << /Font << /F2 4 0 R >> >>"
        else:
            body, res = b"/X Do\n" * fanout, resources.replace(b"10 0 R", b"%d 0 R" % (num + 1))
        objects[num] = stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] " + res)
    pdf = pages_pdf([b"/X Do\n" * fanout], xobjects=b"/X 10 0 R")
    base, root = objects_of(pdf)
    base.update(objects)
    return assemble(base, root)


def blank_pages_pdf(n: int) -> bytes:
    return pages_pdf([b""] * n)


def unmapped_fonts(pdf: bytes) -> bytes:
    """The PDF with its fonts' character maps made unknown (no ToUnicode, an unknown CID
    ordering): its text reads as (cid:N). Lengths are kept, so the cross-references hold."""
    return (
        pdf.replace(b"/ToUnicode", b"/ToUnicodX")
        .replace(b"/UniGB-UCS2-H", b"/Identity-H  ")
        .replace(b"(GB1)", b"(XX1)")
    )


# -- mutators ---------------------------------------------------------------------------------


@cache
def _pdf_bases() -> tuple[bytes, ...]:
    layouts = [
        Layout(currency="万元", rules="grid"),
        Layout(currency="元", rules="horizontal"),
        Layout(currency="万元", split_codes=True, rules="none", rows_per_page=8),
    ]
    return tuple(generate(seed, layout).pdf for seed, layout in zip((1, 2, 3), layouts, strict=True))


def html_page(body: str, charset: str = "utf-8") -> str:
    return f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>决算</title></head><body>{body}</body></html>'


@cache
def _html_bases() -> tuple[str, ...]:
    return tuple(html_page(html_report(generate(seed, Layout(currency=cur)))) for seed, cur in ((4, "万元"), (5, "元")))


def _flip(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _splice(rng: random.Random, data: bytes) -> bytes:
    a, b = sorted(rng.randrange(len(data)) for _ in range(2))
    if rng.random() < 0.5:
        return data[:a] + data[b:]  # a chunk cut out
    return data[:b] + data[a:b] * rng.randint(2, 5) + data[b:]  # a chunk repeated


def _streams(data: bytes, fn: Callable[[bytes], bytes]) -> bytes:
    """The PDF with every ASCII85+Flate content stream (reportlab's) decoded, passed through
    `fn` and written back uncompressed."""
    import base64

    objects, root = objects_of(data)
    for num, body in objects.items():
        m = re.match(rb"(?s)<<(.*?)>>\r?\nstream\r?\n(.*?)endstream", body)
        if not m or b"/ASCII85Decode /FlateDecode" not in m.group(1):
            continue
        try:
            plain = zlib.decompress(base64.a85decode(m.group(2).strip().removesuffix(b"~>")))
        except Exception:
            continue
        objects[num] = stream(fn(plain))
    return assemble(objects, root)


# a figure as reportlab prints it with the CJK font: its place, then its UCS-2 digits
FIGURE = re.compile(rb"1 0 0 1 (-?[\d.]+) (-?[\d.]+) Tm (/F\d+ [\d.]+ Tf [\d.]+ TL )\(((?:\\000[\d,.])+)\) Tj")


def _ucs2(text: str) -> bytes:
    return b"".join(b"\\000" + ch.encode() for ch in text)


def map_figures(pdf: bytes, fn: Callable[[int, bytes, bytes, bytes], tuple[bytes, bytes, bytes]]) -> bytes:
    """The generated PDF with each printed figure's (x, y, text) replaced by `fn(index, x, y,
    text)`; text is the figure's digits as printed (e.g. b"17,351.66")."""
    count = 0

    def one(m: re.Match[bytes]) -> bytes:
        nonlocal count
        text = m.group(4).replace(b"\\000", b"")
        x, y, new = fn(count, m.group(1), m.group(2), text)
        count += 1
        return b"1 0 0 1 %s %s Tm %s(%s) Tj" % (x, y, m.group(3), _ucs2(new.decode()))

    return _streams(pdf, lambda plain: FIGURE.sub(one, plain))


def move_figure(pdf: bytes, x: bytes, index: int = 0) -> bytes:
    """The generated PDF with its `index`-th figure printed at x (e.g. b"1000000000")."""
    return map_figures(pdf, lambda i, x0, y, t: (x if i == index else x0, y, t))


def _huge_number(rng: random.Random, data: bytes) -> bytes:
    digits = rng.choice([16, 20, 26, 40, 400])
    return map_figures(data, lambda i, x, y, t: (x, y, b"9" * digits + b".00" if rng.random() < 0.2 else t))


def _huge_coordinate(rng: random.Random, data: bytes) -> bytes:
    value = rng.choice([b"1000000000", b"100000000", b"-100000000", b"99999999999", b"0.000001"])
    axis = rng.random() < 0.7
    return map_figures(
        data, lambda i, x, y, t: ((value, y, t) if axis else (x, value, t)) if rng.random() < 0.05 else (x, y, t)
    )


def _unmapped(rng: random.Random, data: bytes) -> bytes:
    return unmapped_fonts(data)


def _blank_pages(rng: random.Random, data: bytes) -> bytes:
    return blank_pages_pdf(rng.choice([1, 50, 300]))


def _stream_bomb(rng: random.Random, data: bytes) -> bytes:
    byte = rng.choice([b"\0", b" ", b"0", b"1 "])
    return flate_bomb_pdf(rng.choice([40, 64]) * MIB, byte, bad_checksum=rng.random() < 0.5)


def _nested_forms(rng: random.Random, data: bytes) -> bytes:
    return nested_forms_pdf(rng.choice([5, 9, 20]), rng.choice([10, 2]))


def _html_text(rng: random.Random, data: bytes) -> str:
    return data.decode("utf-8")


def _html_span_bomb(rng: random.Random, data: bytes) -> bytes:
    span = rng.choice([100, 1000, 99999, -1, 0])
    cell = f'<td colspan="{span}" rowspan="{span}">1.00</td>'
    rows = "".join("<tr>" + cell * rng.choice([5, 50]) + "</tr>" for _ in range(rng.choice([5, 40])))
    text = _html_text(rng, data)
    return text.replace("</body>", f'<p>公开04表</p><table border="1">{rows}</table></body>').encode("utf-8")


def _html_huge_number(rng: random.Random, data: bytes) -> bytes:
    digits = rng.choice([16, 26, 60])
    text = re.sub(r"<td>\d[\d,]*\.\d\d</td>", lambda m: f"<td>{'9' * digits}.00</td>", _html_text(rng, data), count=3)
    return text.encode("utf-8")


def _html_charset(rng: random.Random, data: bytes) -> bytes:
    text = _html_text(rng, data)
    declared = rng.choice(["gbk", "utf-16", "big5", "x-unknown", "latin-1", "utf-8"])
    actual = rng.choice(["gbk", "utf-8", "utf-16-le", "gb18030"])
    return text.replace('charset="utf-8"', f'charset="{declared}"').encode(actual, errors="replace")


def _html_tags(rng: random.Random, data: bytes) -> bytes:
    text = _html_text(rng, data)
    junk = rng.choice(["<table>" * 500, "<td>" * 2000, "<!--", "<script>", "<tr><td>" * 3000, "</table>" * 100])
    at = rng.randrange(len(text))
    return (text[:at] + junk + text[at:]).encode("utf-8")


def _html_big_text(rng: random.Random, data: bytes) -> bytes:
    text = _html_text(rng, data)
    size = rng.choice([200_000, 2_000_000])
    return text.replace("</body>", "<p>" + "支出" * (size // 2) + "</p></body>").encode("utf-8")


PDF_MUTATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip": _flip,
    "truncate": _truncate,
    "splice": _splice,
    "huge_number": _huge_number,
    "huge_coordinate": _huge_coordinate,
    "unmapped_fonts": _unmapped,
    "blank_pages": _blank_pages,
    "stream_bomb": _stream_bomb,
    "nested_forms": _nested_forms,
}
HTML_MUTATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip": _flip,
    "truncate": _truncate,
    "splice": _splice,
    "span_bomb": _html_span_bomb,
    "huge_number": _html_huge_number,
    "charset": _html_charset,
    "tags": _html_tags,
    "big_text": _html_big_text,
}
EXPENSIVE = {"stream_bomb", "nested_forms", "blank_pages", "big_text"}  # seconds each, not milliseconds


def inputs(n: int, seed: int = 0, *, cheap: bool = False) -> Iterator[tuple[str, bytes]]:
    """`n` mutated documents as (name, bytes); `cheap` leaves out the mutators that take
    seconds to extract even when capped (bombs, big pages)."""
    rng = random.Random(seed)
    pdf_ops = sorted(k for k in PDF_MUTATORS if not (cheap and k in EXPENSIVE))
    html_ops = sorted(k for k in HTML_MUTATORS if not (cheap and k in EXPENSIVE))
    for i in range(n):
        if rng.random() < 0.6:
            op = rng.choice(pdf_ops)
            base = rng.choice(_pdf_bases())
            data = PDF_MUTATORS[op](rng, base)
            yield f"{i:05d}-pdf-{op}.pdf", data
        else:
            op = rng.choice(html_ops)
            base = rng.choice(_html_bases()).encode("utf-8")
            data = HTML_MUTATORS[op](rng, base)
            yield f"{i:05d}-html-{op}.html", data


# -- running one input bounded ----------------------------------------------------------------


@dataclass
class Outcome:
    """What extracting one input did: `status` and `issues` (check ids) when it returned,
    `crash` (the exception) when one came out of the extractor, `budget` when the child hit
    the time or memory limit."""

    name: str
    status: str | None = None
    issues: list[str] = field(default_factory=list)
    crash: str | None = None
    budget: str | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0


def _child(conn: Connection, name: str, data: bytes, memory_mb: int) -> None:
    import resource
    import traceback

    from extractors.document import extract_document

    with open("/proc/self/statm") as fh:  # what the forked child already maps (virtual) is not its budget
        mapped = int(fh.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_mb * MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        ex = extract_document(data, name)
        result: dict = {"status": ex.document.status, "issues": [i.check_id for i in ex.issues]}
    except MemoryError:
        result = {"budget": f"memory > {memory_mb} MB"}
    except BaseException as exc:  # what the test is looking for
        result = {"crash": f"{type(exc).__name__}: {exc}".splitlines()[0][:300], "trace": traceback.format_exc()}
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send(result)
    conn.close()


def run_bounded(name: str, data: bytes, *, seconds: float = 60.0, memory_mb: int = 2048) -> Outcome:
    """Extract one input in a forked child under a wall-time limit and an address-space limit
    of `memory_mb` beyond what the child inherits (Linux)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    started = time.monotonic()
    proc = ctx.Process(target=_child, args=(child, name, data, memory_mb), daemon=True)
    proc.start()
    child.close()
    out = Outcome(name)
    if parent.poll(seconds):
        try:
            result = parent.recv()
        except EOFError:
            result = {"budget": f"child died (exit {proc.exitcode}), likely memory > {memory_mb} MB"}
    else:
        result = {"budget": f"time > {seconds:g} s"}
    proc.join(1)
    if proc.is_alive():
        proc.kill()
        proc.join()
    out.seconds = time.monotonic() - started
    out.status, out.issues = result.get("status"), result.get("issues", [])
    out.crash, out.budget, out.peak_mb = result.get("crash"), result.get("budget"), result.get("peak_mb", 0.0)
    return out
