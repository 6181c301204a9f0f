"""A portal server for tests, on 127.0.0.1: routes are functions of the request, so a test can
make a path time out, fail then succeed, drip, lie about its type, redirect in circles …"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Route = Callable[["Handler"], None]
REPO = Path(__file__).resolve().parents[1]


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, Route]
    hits: defaultdict[str, int]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def reply(self, status: int, body: bytes = b"", ctype: str = "text/html", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path
        self.hits[path] += 1
        route = self.routes.get(path) or self.routes.get(path.split("?")[0])
        if route is None:
            self.reply(404, "<html><body>404 页面不存在</body></html>".encode())
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_POST = do_GET


class LocalPortal:
    def __init__(self, routes: dict[str, Route]) -> None:
        handler = type("H", (Handler,), {"routes": routes, "hits": defaultdict(int)})
        self.handler = handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def hits(self) -> defaultdict[str, int]:
        return self.handler.hits

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- route helpers ---------------------------------------------------------------------------------


def static(body: bytes, ctype: str = "application/pdf", headers: dict | None = None) -> Route:
    return lambda h: h.reply(200, body, ctype, headers)


def sleeping(seconds: float, body: bytes) -> Route:
    def route(h: Handler) -> None:
        time.sleep(seconds)
        h.reply(200, body, "application/pdf")

    return route


def failing_then(times: int, body: bytes, status: int = 503) -> Route:
    count = {"n": 0}

    def route(h: Handler) -> None:
        count["n"] += 1
        if count["n"] <= times:
            h.reply(status, b"<html><body>Service Unavailable</body></html>")
        else:
            h.reply(200, body, "application/pdf")

    return route


def truncated(body: bytes) -> Route:
    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: len(body) // 3])
        h.wfile.flush()
        h.close_connection = True

    return route


def dripping(interval: float, chunks: int) -> Route:
    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", str(chunks))
        h.end_headers()
        h.wfile.write(b"%")
        for _ in range(chunks - 1):
            time.sleep(interval)
            h.wfile.write(b"P")
            h.wfile.flush()

    return route


def redirect(to: str) -> Route:
    return lambda h: h.reply(302, b"", "text/html", {"Location": to})


def chunked_forever(chunk: bytes) -> Route:
    """A body with no Content-Length that never ends (an oversized stream)."""

    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for _ in range(100_000):
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    return route


def run_bounded(code: str, mem_mb: int = 1500, seconds: float = 60) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh Python whose address space is capped at `mem_mb` (RLIMIT_AS) and its time at
    `seconds`: a test of hostile input fails there with a MemoryError, not by swapping the machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 1024 * 1024, mem_mb * 1024 * 1024))

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=cap,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
