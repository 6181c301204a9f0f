"""The one module that talks to the network: polite, bounded HTTP fetching.

Per host: a concurrency cap and a rate limit; robots.txt is read once and honoured. Per request:
only allowed hosts (checked on every redirect hop), redirects followed by hand with loops caught,
conditional GET (ETag / Last-Modified), retries with exponential backoff on timeouts, connection
errors, truncated bodies and 5xx, a size cap and an overall deadline (a server that drips bytes
cannot hold a worker forever). Failures raise `FetchError` with a `kind` the caller records.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from yujuesuan.crawl.inflate import ENCODINGS, InflateError, Inflater

log = logging.getLogger(__name__)

RETRYABLE = {"unreachable", "timeout", "connection", "truncated", "server_error"}
# robots.txt failing so means the host is not there (not that it refuses); then, like any unreachable
# host after its retries, it is not asked again this run
HOST_DOWN = {"unreachable", "timeout", "connection"}
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is cut to this


class FetchError(Exception):
    """A request that did not yield a usable body. `kind` is one of:
    unreachable (no connection could be made: DNS, refused, no route), timeout, connection,
    truncated, bad_response (not valid HTTP), server_error, http_status, too_large, deadline,
    redirect_loop, too_many_redirects, bad_url, host_not_allowed, robots_disallowed."""

    def __init__(self, kind: str, url: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.status = status
        self.attempts = 1
        self.retry_after: float | None = None  # seconds the server asked us to wait (Retry-After)


@dataclass
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    status: int  # 200, or 304 when not modified
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    attempts: int = 1
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class FetchPolicy:
    user_agent: str = "yujuesuan/0.1"
    rate_per_second: float = 2.0
    concurrency: int = 2
    timeout_seconds: float = 30.0
    deadline_seconds: float = 300.0
    max_bytes: int = 100 * 1024 * 1024
    retries: int = 3
    backoff_seconds: float = 2.0
    max_redirects: int = 5
    robots: bool = True


class _Host:
    def __init__(self, name: str, policy: FetchPolicy) -> None:
        self.slots = threading.BoundedSemaphore(policy.concurrency)
        self.lock = threading.Lock()
        self.next_at = 0.0
        self.interval = 1.0 / policy.rate_per_second
        self.robots: RobotFileParser | None = None
        self.robots_read = False
        self.robots_failure: str | None = None  # why robots.txt could not be read (then nothing is fetched)
        self.down: tuple[str, str] | None = None  # (kind, message): the host could not be reached this run
        loopback = _is_loopback(name)
        # proxies from the environment are for the outside world, never for 127.0.0.1
        # one connection per request: the deadline watchdog is handed each connection's socket, and bytes
        # a lying server sends past a body can never be read as the next response
        self.client = httpx.Client(
            follow_redirects=False,
            trust_env=not loopback,
            timeout=policy.timeout_seconds,
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"Connection": "close"},
        )

    def wait_turn(self) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Fetcher:
    """Thread-safe; share one per run so limits hold across sources on the same host."""

    def __init__(self, policy: FetchPolicy | None = None, allowed_hosts: set[str] | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self.requests = 0

    def close(self) -> None:
        for h in self._hosts.values():
            h.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host(self, netloc: str) -> _Host:
        with self._lock:
            if netloc not in self._hosts:
                self._hosts[netloc] = _Host(urlsplit("//" + netloc).hostname or netloc, self.policy)
            return self._hosts[netloc]

    # -- public -------------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        referrer: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if referrer:
            headers["Referer"] = referrer
        return self.request("GET", url, headers=headers, max_bytes=max_bytes)

    def post(self, url: str, data: dict[str, str] | str, *, referrer: str | None = None) -> Fetched:
        headers = {"Referer": referrer} if referrer else {}
        return self.request("POST", url, headers=headers, data=data)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        data: dict[str, str] | str | None = None,
        max_bytes: int | None = None,
    ) -> Fetched:
        p = self.policy
        attempt = 0
        while True:
            attempt += 1
            try:
                got = self._follow(method, url, headers or {}, data, max_bytes or p.max_bytes)
                got.attempts = attempt
                return got
            except FetchError as err:
                err.attempts = attempt
                if err.kind not in RETRYABLE or attempt > p.retries:
                    if err.kind == "unreachable":
                        self._mark_down(err)
                    raise
                wait = p.backoff_seconds * 2 ** (attempt - 1)
                if err.retry_after is not None:  # the server's own wish, within reason
                    wait = max(wait, min(err.retry_after, MAX_RETRY_AFTER))
                log.info("%s %s: %s; retry %d in %.1fs", method, url, err, attempt, wait)
                time.sleep(wait)

    # -- one attempt, following redirects -------------------------------------------------------------

    def _follow(
        self, method: str, url: str, headers: dict[str, str], data: dict[str, str] | str | None, max_bytes: int
    ) -> Fetched:
        seen: list[str] = []
        current = url
        while True:
            self._admit(current)
            if current in seen:
                raise FetchError("redirect_loop", url, f"redirect loop: {' → '.join([*seen, current])}")
            seen.append(current)
            if len(seen) > self.policy.max_redirects + 1:
                raise FetchError("too_many_redirects", url, f"more than {self.policy.max_redirects} redirects")
            status, resp_headers, body, location = self._once(method, current, headers, data, max_bytes)
            if location is not None:
                try:
                    current = urljoin(current, location)
                except ValueError as exc:
                    raise FetchError(
                        "bad_url", url, f"a redirect to no valid URL ({exc}): {location[:200]!r}"
                    ) from None
                if status in (301, 302, 303):
                    method, data = ("GET", None) if method == "POST" else (method, data)
                continue
            return Fetched(
                url=url,
                final_url=current,
                status=status,
                headers=resp_headers,
                body=body,
                fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
                redirects=seen[1:],
            )

    def _mark_down(self, err: FetchError) -> tuple[str, str]:
        """Remember that a host could not be reached: (kind, message) for every later URL on it."""
        parts = urlsplit(err.url)
        host = self._host(parts.netloc)
        with host.lock:
            if host.down is None:
                host.down = (err.kind, f"{parts.netloc} could not be reached: {err}")
                log.warning("%s: not asked again this run", host.down[1])
            return host.down

    def _admit(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            parts.hostname  # noqa: B018 - raises for what is no URL (http://[::1)
        except ValueError as exc:
            raise FetchError("bad_url", url, f"not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("host_not_allowed", url, f"not an http(s) URL: {url}")
        if self.allowed_hosts is not None and parts.hostname.lower() not in self.allowed_hosts:
            raise FetchError("host_not_allowed", url, f"host {parts.hostname} is not among the source's allowed hosts")
        down = self._host(parts.netloc).down
        if down is not None:
            raise FetchError(down[0], url, down[1])
        if self.policy.robots and parts.path != "/robots.txt" and not self._robots_allow(url):
            failure = self._host(parts.netloc).robots_failure
            if failure:
                raise FetchError("robots_disallowed", url, f"{failure}: nothing is fetched there (RFC 9309)")
            raise FetchError("robots_disallowed", url, f"robots.txt of {parts.netloc} disallows {parts.path}")

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        host = self._host(parts.netloc)
        with host.lock:
            known = host.robots_read
        if not known:
            rp = RobotFileParser()
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            try:
                got = self.request("GET", robots_url, max_bytes=512 * 1024)
                rp.parse(got.body.decode("utf-8", "replace").splitlines())
            except FetchError as err:
                if err.kind in HOST_DOWN:  # the host is not there: that is no refusal, say what it is
                    kind, message = self._mark_down(err)
                    raise FetchError(kind, url, message) from None
                if err.kind == "http_status" and err.status is not None and 400 <= err.status < 500:
                    rp.allow_all = True  # no robots.txt: everything allowed (RFC 9309 §2.3.1.3)
                else:
                    rp.disallow_all = True  # robots.txt unavailable (5xx …): nothing allowed (RFC 9309 §2.3.1.4)
                    host.robots_failure = f"robots.txt of {parts.netloc} could not be read ({err})"
                    log.warning("%s: nothing fetched there", host.robots_failure)
            with host.lock:
                host.robots, host.robots_read = rp, True
        assert host.robots is not None
        return host.robots.can_fetch(self.policy.user_agent, url)

    def _once(
        self, method: str, url: str, headers: dict[str, str], data: dict[str, str] | str | None, max_bytes: int
    ) -> tuple[int, dict[str, str], bytes, str | None]:
        host = self._host(urlsplit(url).netloc)
        p = self.policy
        with host.slots:
            host.wait_turn()
            self.requests += 1
            start = time.monotonic()
            send = {"User-Agent": p.user_agent, **headers}
            content = data if isinstance(data, str) else None
            form = data if isinstance(data, dict) else None
            if content is not None:
                send.setdefault("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
            with _Watchdog(p.deadline_seconds) as watchdog:
                try:
                    with host.client.stream(
                        method, url, headers=send, data=form, content=content, extensions={"trace": watchdog.trace}
                    ) as resp:
                        return self._read(resp, url, max_bytes, start, watchdog)
                except FetchError:
                    raise
                except httpx.InvalidURL as exc:  # a link, or a redirect's Location, httpx cannot send
                    raise FetchError("bad_url", url, f"not a valid URL: {exc}") from None
                except (httpx.TransportError, OSError) as exc:
                    raise _transport_error(exc, url, watchdog.expired, p.deadline_seconds) from None

    def _read(
        self, resp: httpx.Response, url: str, max_bytes: int, start: float, watchdog: _Watchdog
    ) -> tuple[int, dict[str, str], bytes, str | None]:
        p = self.policy
        hdrs = {k.lower(): v for k, v in resp.headers.items()}
        if resp.status_code in (301, 302, 303, 307, 308) and "location" in hdrs:
            return resp.status_code, hdrs, b"", hdrs["location"]
        if resp.status_code == 304:
            return 304, hdrs, b"", None
        if 500 <= resp.status_code < 600 or resp.status_code == 429:  # 429 Too Many Requests: wait, retry
            err = FetchError("server_error", url, f"HTTP {resp.status_code}", resp.status_code)
            err.retry_after = _retry_after(hdrs.get("retry-after"))
            raise err
        if not 200 <= resp.status_code < 400:
            raise FetchError("http_status", url, f"HTTP {resp.status_code}", resp.status_code)
        declared = hdrs.get("content-length", "").strip()
        length = int(declared) if declared.isdigit() and len(declared) < 19 else None
        if length is not None and length > max_bytes:
            raise FetchError("too_large", url, f"{length:,} bytes declared, over the {max_bytes:,} cap")
        encoding = hdrs.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            inflater = None
        elif encoding in ENCODINGS:
            inflater = Inflater(encoding, max_bytes)
        else:
            raise FetchError("http_status", url, f"unsupported content encoding {encoding!r}")
        chunks, size = [], 0
        try:
            for chunk in resp.iter_raw():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("too_large", url, f"more than the {max_bytes:,}-byte cap")
                if watchdog.expired or time.monotonic() - start > p.deadline_seconds:
                    raise FetchError("deadline", url, f"download not done after {p.deadline_seconds:g}s")
                if inflater is not None:
                    inflater.feed(chunk)
                else:
                    chunks.append(chunk)
            body = inflater.finish() if inflater is not None else b"".join(chunks)
        except InflateError as exc:
            raise FetchError("too_large" if exc.too_large else "truncated", url, str(exc)) from None
        if length is not None and size < length:
            raise FetchError("truncated", url, f"body ended after {size:,} of {length:,} bytes")
        if length is not None and _overran(resp):
            raise FetchError(
                "truncated", url, f"the server sent more than its Content-Length of {length:,} bytes: the body is cut"
            )
        return resp.status_code, hdrs, body, None


class _Watchdog:
    """Ends a request at its deadline wherever it is (dripped headers as much as a dripped body):
    the trace extension hands over the connection's stream, whose socket is shut when time is up."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._stream: object | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict) -> None:
        if event.endswith(".complete") and hasattr(info.get("return_value"), "get_extra_info"):
            self._stream = info["return_value"]  # connect_tcp, start_tls: the network stream

    def _expire(self) -> None:
        self.expired = True
        sock = self._stream.get_extra_info("socket") if self._stream is not None else None  # type: ignore[attr-defined]
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # a blocked recv returns at once

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _overran(resp: httpx.Response) -> bool:
    """Whether bytes followed the body its Content-Length framed: then the length lied and the body is
    cut. Read from h11's buffer of received, unparsed bytes (no public API says so), then the socket."""
    layer: object | None = resp.stream  # httpx's stream → httpcore's pool stream → its HTTP/1.1 connection
    for _ in range(8):
        if layer is None or hasattr(layer, "_h11_state"):
            break
        layer = next(
            (getattr(layer, a) for a in ("_stream", "_httpcore_stream", "_connection") if hasattr(layer, a)), None
        )
    trailing = getattr(getattr(layer, "_h11_state", None), "trailing_data", (b"", False))
    if trailing[0]:
        return True
    network = resp.extensions.get("network_stream")
    try:
        return bool(network.read(1, timeout=0.01)) if network is not None else False
    except Exception:  # noqa: BLE001 - nothing more to read (timeout, closed): nothing overran
        return False


def _transport_error(exc: Exception, url: str, expired: bool, deadline: float) -> FetchError:
    """A transport failure as the FetchError it means."""
    if expired:
        return FetchError("deadline", url, f"download not done after {deadline:g}s")
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return FetchError("unreachable", url, f"no connection ({type(exc).__name__}: {exc})")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout", url, f"timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.RemoteProtocolError):
        said = " ".join(str(exc).split())[:300]
        if said.startswith("Invalid URL in location header"):
            return FetchError("bad_url", url, f"a redirect to no valid URL: {said}")
        if "disconnected without sending a response" in said:
            return FetchError("connection", url, f"connection closed before a response: {said}")
        if "peer closed connection" in said:
            return FetchError("truncated", url, f"connection broke mid-response: {said}")
        return FetchError("bad_response", url, f"the answer is not valid HTTP: {said}")
    return FetchError("connection", url, f"{type(exc).__name__}: {exc}")


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (a number, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
