"""The bundled demo portal served on 127.0.0.1: a small Chinese government CMS (data/demo_portal/,
written by `yujuesuan.samples.demo.build`) that `yujuesuan nightly --demo` crawls.

Serving needs nothing but the standard library (no reportlab): the runtime install runs the demo.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

DEMO_URL_VAR = "YUJUESUAN_DEMO_URL"
LAST_MODIFIED = "Mon, 01 Sep 2025 08:00:00 GMT"
ZIP_NAME = "部门决算公开文件（压缩包）.zip"


def gbk(text: str) -> bytes:
    return text.encode("gbk")


def page_html(title: str, body: str, charset: str = "gb2312") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/css/main.css">
</head>
<body>
<div class="header"><a href="/index.html">示例市人民政府门户网站</a>
<ul class="nav"><li><a href="/index.html">首页</a></li><li><a href="/czj/yjsgk/index.html">财政预决算</a></li>
<li><a href="/zwgk/index.html">政务公开</a></li><li><a href="/hdjl/index.html">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/czj/yjsgk/index.html">财政预决算</a></div>
{body}
<div class="footer">主办：示例市财政局　网站标识码：0000000000　ICP备案号：示ICP备00000000号</div>
</body>
</html>
"""




class DemoHandler(BaseHTTPRequestHandler):
    root: Path
    server_version = "DemoCMS/1.0"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _file(self, rel: str, extra: dict[str, str] | None = None) -> None:
        path = (self.root / rel).resolve()
        if self.root.resolve() not in path.parents or not path.is_file() or rel.startswith("sources/"):
            missing = gbk(page_html("404 页面不存在", "<p>您访问的页面不存在</p>"))
            self._send(404, missing, {"Content-Type": "text/html"})
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, **(extra or {})}
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        suffix = path.suffix.lower()
        ctype = {
            ".html": "text/html; charset=utf-8"
            if b'charset="utf-8"' in data[:400] or b"charset=utf-8" in data[:400]
            else "text/html",
            ".pdf": "application/pdf",
            ".zip": "application/zip",
            ".json": "application/json;charset=UTF-8",
            ".txt": "text/plain",
        }.get(suffix, "application/octet-stream")
        headers.setdefault("Content-Type", ctype)
        if rel.startswith("attach/") and suffix == ".zip":
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(ZIP_NAME)}"
        self._send(200, data, headers)

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        rel = parts.path.lstrip("/") or "index.html"
        if rel.endswith("/"):
            rel += "index.html"
        if rel == "jiangsu/front/budgetfinal/download.do":
            iid = (parse_qs(parts.query).get("iid") or [""])[0]
            name = self._jiangsu_name(iid)
            if name is None:
                self._send(404, b"{}", {"Content-Type": "application/json"})
                return
            raw_name = name.encode("gbk").decode("latin-1")  # raw GBK bytes, as such servers send them
            self._file(f"jiangsu/download/{iid}.pdf", {"Content-Disposition": f'attachment; filename="{raw_name}"'})
            return
        self._file(rel)

    do_HEAD = do_GET

    def _jiangsu_name(self, iid: str) -> str | None:
        for f in (self.root / "jiangsu").glob("files_*.json"):
            for entry in json.loads(f.read_text(encoding="utf-8")):
                if str(entry["iid"]) == iid:
                    return entry["t_oldname"]
        return None

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        path = urlsplit(self.path).path
        answer: object
        if path.endswith("getdepartmentname.do"):
            answer = self._json(f"departments_{form.get('pid')}_{form.get('date')}_{form.get('typeid')}.json", [])
        elif path.endswith("itemsandpag.do"):
            key = f"items_{form.get('groupid')}_{form.get('date')}_{form.get('typeid')}_p{form.get('page_num')}.json"
            answer = self._json(key, {"budgetTemplates": []})
        elif path.endswith("getTemporaryFiles.do"):
            uuid = body.removeprefix("uuid=").strip("'")
            answer = self._json(f"files_{uuid}.json", [])
        else:
            self._send(404, b"{}", {"Content-Type": "application/json"})
            return
        self._send(200, json.dumps(answer, ensure_ascii=False).encode("utf-8"), {"Content-Type": "application/json"})

    def _json(self, name: str, default: object) -> object:
        path = self.root / "jiangsu" / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


DEMO_PORT_VAR = "YUJUESUAN_DEMO_PORT"
DEMO_PORT = 8731  # fixed, so that the demo's URLs (and conditional GETs) are the same run after run


class DemoPortal:
    """The demo portal served on 127.0.0.1 in a background thread (a context manager).

    The port is $YUJUESUAN_DEMO_PORT, else 8731; if that is taken, any free port (then the
    URLs differ from the last run's, and the documents are fetched again, but not re-extracted)."""

    def __init__(self, folder: str | os.PathLike[str], port: int | None = None) -> None:
        handler = type("Handler", (DemoHandler,), {"root": Path(folder)})
        wanted = port if port is not None else int(os.environ.get(DEMO_PORT_VAR, DEMO_PORT))
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", wanted), handler)
        except OSError:
            self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="demo-portal")

    def __enter__(self) -> DemoPortal:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


