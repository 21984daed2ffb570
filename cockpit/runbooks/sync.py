"""Fetch remote markdown runbooks into the store, so they can be read later with no network.

Each URL is fetched with timeouts and a bounded number of retries (connect errors, timeouts,
5xx and 429 are retried with exponential backoff; other 4xx are not: asking again will not
help). A stored copy is revalidated with its ETag / Last-Modified, so an unchanged page costs a
304 and no download. A failed sync never touches the stored copy: it records the error, and
the message says when the copy being kept was fetched.

A URL is data from a wiki page or a config file, so it is checked before anything is sent: http and
https only (file:, ftp:, javascript: … are refused at once, without retries), and a malformed URL is
one line, not a traceback. Each URL has an overall deadline (default 30 s) over all its attempts,
redirects and backoff, enforced on every socket read: a server trickling a byte a second never
trips the per-read timeout, but it cannot outlast the deadline. Redirects are followed to the same
host only, unless the host is allowed (`--allow-redirect-host`), and never from https to http.
Two spellings of one URL are one runbook: the stored identity is the normalised URL (see
`normalize_url`), and a row stored under an older spelling is found and re-keyed on the next sync.

httpx is imported inside `sync_runbooks`: it costs ~0.2 s and only this command needs it.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from cockpit.clock import Clock, ago, iso, system_clock
from cockpit.runbooks.doc import MAX_RUNBOOK_BYTES, RunbookReadError, decode_runbook, name_from_url, parse_runbook
from cockpit.runbooks.index import content_hash, free_name, write_fts
from cockpit.store import runbooks as stored
from cockpit.store.database import Store

USER_AGENT = "cockpit-runbook-sync/0.1"
SCHEMES = {"http": 80, "https": 443}  # scheme → default port
MAX_REDIRECTS = 5
DEFAULT_DEADLINE = 30.0


@dataclass(frozen=True)
class SyncPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    retries: int = 3  # attempts after the first
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    max_backoff: float = 8.0  # also caps a server's Retry-After
    deadline: float = DEFAULT_DEADLINE  # seconds for one URL: every attempt, redirect and backoff
    redirect_hosts: frozenset[str] = frozenset()  # hosts a redirect may lead to besides the URL's own


class BadURL(ValueError):
    """A URL that is refused before any request: the message is the reason, without the URL."""


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _escapes(part: str) -> str:
    """RFC 3986 6.2.2: escape what must be escaped, decode escaped unreserved characters, upper-case
    the hex of the rest, so `%7e`, `%7E` and `~` are one spelling."""
    part = quote(part, safe="/:@!$&'()*+,;=?%~")

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(one, part)


def normalize_url(url: str) -> str:
    """The one spelling of `url` that identifies its runbook, or BadURL.

    Scheme and host in lower case, the host's trailing dot and the scheme's default port dropped,
    escapes normalised, an empty path made `/`, the fragment dropped (it never reaches the server)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:  # `http://[::1`, `http://host:99999`
        raise BadURL(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise BadURL(
            f"only http and https URLs are synced, not {scheme}:" if scheme else "not a URL (no http:// or https://)"
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL("not a valid URL (no host)")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != SCHEMES[scheme]:
        netloc += f":{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, _escapes(parts.path) or "/", _escapes(parts.query), ""))


@dataclass(frozen=True)
class SyncResult:
    url: str
    name: str | None  # None when nothing is stored for the URL
    status: str  # added | changed | unchanged | failed
    message: str
    attempts: int

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass(frozen=True)
class _Fetched:
    status: str  # ok | not_modified | failed
    attempts: int
    text: str = ""
    etag: str | None = None
    last_modified: str | None = None
    error: str = ""


def sync_runbooks(
    store: Store,
    urls: Sequence[str],
    *,
    clock: Clock = system_clock,
    policy: SyncPolicy = SyncPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    transport: Any = None,
) -> list[SyncResult]:
    """Fetch each URL into the library; one result per URL, in order. `sleep` and `transport`
    are for tests (no real waiting; an httpx transport double)."""
    import httpx

    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/markdown, text/plain;q=0.9, */*;q=0.5"}
    # Redirects are followed here, one hop at a time, so each hop's host can be checked. No
    # keep-alive: every request opens its own connection, whose socket the deadline can cut.
    limits = httpx.Limits(max_keepalive_connections=0)
    results: list[SyncResult] = []
    with httpx.Client(
        timeout=timeout, headers=headers, follow_redirects=False, limits=limits, transport=transport
    ) as client:
        for given in urls:
            try:
                url = normalize_url(given)
            except BadURL as exc:
                results.append(SyncResult(given, None, "failed", f"{given}: {exc}", 0))
                continue
            with store.snapshot():
                row = _stored(store, url)
            etag, last_modified = (row.etag, row.last_modified) if row else (None, None)
            fetched = _fetch(httpx, client, url, etag, last_modified, policy, sleep)
            results.append(_store(store, url, fetched, clock()))
    return results


def _stored(store: Store, url: str) -> stored.SyncState | None:
    """The runbook synced from `url` (normalised), also when it was stored under another
    spelling of the URL before sync normalised them."""
    row = stored.stored_sync_state(store.conn, url)
    if row is not None:
        return row
    for row in stored.url_sync_states(store.conn):
        try:
            if normalize_url(row.source) == url:
                return row
        except BadURL:
            continue
    return None


class _Deadline:
    """One URL's overall deadline. Each request's connect and read timeouts are cut to the time
    left, and a watchdog shuts the open socket down when the time is up, which wakes a read
    blocked on a server that sends a byte at a time. The socket is learnt from httpcore's `trace`
    extension as each connection opens."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()

    def left(self) -> float:
        return self.at - time.monotonic()

    def message(self) -> str:
        return f"no complete answer within the {self.seconds:g} s deadline"

    def timeout(self, httpx: Any, policy: SyncPolicy) -> Any:
        left = max(0.001, self.left())
        return httpx.Timeout(min(policy.read_timeout, left), connect=min(policy.connect_timeout, left))

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete") and info.get("return_value"):
            with self._lock:
                self._socket = info["return_value"].get_extra_info("socket")
            if self.expired:
                self._cut()

    def _cut(self) -> None:
        with self._lock:
            sock = self._socket
        if sock is not None:
            try:
                # The plain socket's shutdown, also under TLS: the read in progress sees EOF and
                # fails as a transport error, with no SSL object pulled from under it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: the request finished as the time ran out

    def _expire(self) -> None:
        self.expired = True
        self._cut()

    @contextmanager
    def watch(self) -> Iterator[None]:
        timer = threading.Timer(max(0.0, self.left()), self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            with self._lock:
                self._socket = None


def _fetch(
    httpx: Any,
    client: Any,
    url: str,
    etag: str | None,
    last_modified: str | None,
    policy: SyncPolicy,
    sleep: Callable[[float], None],
) -> _Fetched:
    conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
    deadline = _Deadline(policy.deadline)
    attempt = 0
    while True:
        attempt += 1
        retry_after: float | None = None
        try:
            outcome = _get(httpx, client, url, conditional, policy, deadline, attempt)
            if isinstance(outcome, _Fetched):
                return outcome
            error, retryable, retry_after = outcome
        except Exception as exc:
            if deadline.expired:  # whatever the cut socket raised, the reason is the deadline
                return _Fetched("failed", attempt, error=deadline.message())
            if isinstance(exc, httpx.InvalidURL):  # what urlsplit let through and httpx would not send
                return _Fetched("failed", attempt, error=f"not a valid URL ({exc})")
            if isinstance(exc, httpx.TimeoutException):
                error, retryable = f"timed out ({type(exc).__name__})", True
            elif isinstance(exc, httpx.TransportError):
                error, retryable = f"connection failed ({exc or type(exc).__name__})", True
            elif isinstance(exc, httpx.HTTPError):  # e.g. an invalid URL: retrying cannot help
                error, retryable = str(exc) or type(exc).__name__, False
            else:
                raise
        tries = f" after {attempt} attempts" if attempt > 1 else ""
        if not retryable or attempt > policy.retries:
            return _Fetched("failed", attempt, error=error + tries)
        wait = min(policy.max_backoff, max(policy.backoff * 2 ** (attempt - 1), retry_after or 0.0))
        if wait >= deadline.left():
            return _Fetched(
                "failed",
                attempt,
                error=f"{error}{tries}; no time left to retry within the {policy.deadline:g} s deadline",
            )
        sleep(wait)


def _get(
    httpx: Any,
    client: Any,
    url: str,
    conditional: dict[str, str],
    policy: SyncPolicy,
    deadline: _Deadline,
    attempt: int,
) -> _Fetched | tuple[str, bool, float | None]:
    """One attempt, following allowed redirects: a final _Fetched, or (error, retryable, retry-after)."""
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        if deadline.left() <= 0:
            return _Fetched("failed", attempt, error=deadline.message())
        with (
            deadline.watch(),
            client.stream(
                "GET",
                current,
                headers=conditional,
                timeout=deadline.timeout(httpx, policy),
                extensions={"trace": deadline.trace},
            ) as response,
        ):
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                target, refusal = _redirect(current, response.headers["location"], url, policy)
                if refusal:
                    return _Fetched("failed", attempt, error=refusal)
                current = target
                continue
            if response.status_code == 304:
                return _Fetched(
                    "not_modified",
                    attempt,
                    etag=response.headers.get("etag", conditional.get("If-None-Match")),
                    last_modified=response.headers.get("last-modified", conditional.get("If-Modified-Since")),
                )
            if response.is_success:
                return _body(response, url, attempt, deadline)
            error = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            retryable = response.status_code >= 500 or response.status_code == 429
            return error, retryable, _seconds(response.headers.get("retry-after"))
    return _Fetched("failed", attempt, error=f"more than {MAX_REDIRECTS} redirects")


def _redirect(current: str, location: str, url: str, policy: SyncPolicy) -> tuple[str, str | None]:
    """(where a redirect leads, normalised; or a refusal saying why it is not followed)."""
    try:
        target = normalize_url(urljoin(current, location))
    except BadURL as exc:
        return "", f"redirected to {location}: refused, {exc}"
    here, there = urlsplit(current), urlsplit(target)
    if here.scheme == "https" and there.scheme == "http":
        return "", f"redirected from https to {target}: refused (plain http)"
    origin, host = urlsplit(url).hostname, there.hostname
    if host != origin and host not in policy.redirect_hosts:
        return (
            "",
            f"redirected from {origin} to another host, {host}: refused (allow it with --allow-redirect-host {host})",
        )
    return target, None


def _body(response: Any, url: str, attempt: int, deadline: _Deadline) -> _Fetched:
    data = bytearray()
    for chunk in response.iter_bytes():
        if deadline.expired:
            return _Fetched("failed", attempt, error=deadline.message())
        data += chunk
        if len(data) > MAX_RUNBOOK_BYTES:
            return _Fetched("failed", attempt, error=f"too large (over {MAX_RUNBOOK_BYTES / 1e6:.0f} MB)")
    try:
        text = decode_runbook(bytes(data), url)
    except RunbookReadError as exc:
        return _Fetched("failed", attempt, error=str(exc).removeprefix(f"{url}: "))
    if "html" in response.headers.get("content-type", "") and text.lstrip()[:15].lower().startswith(
        ("<!doctype html", "<html")
    ):
        return _Fetched("failed", attempt, error="got an HTML page, not markdown (a login page? link to the raw file)")
    return _Fetched(
        "ok", attempt, text=text, etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
    )


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:  # an HTTP date: the capped backoff is close enough
        return None


def _store(store: Store, url: str, fetched: _Fetched, moment: datetime) -> SyncResult:
    now = iso(moment)
    with store.writing():
        row = _stored(store, url)
        if row is not None:  # stored under another spelling before: keyed by the normalised URL from now on
            stored.rekey_source(store.conn, row.id, url)
        if fetched.status == "failed" or (fetched.status == "not_modified" and row is None):
            error = fetched.error or "HTTP 304 Not Modified, but no copy is stored"
            if row is None:
                return SyncResult(url, None, "failed", f"{url}: {error}; no copy stored", fetched.attempts)
            stored.record_error(store.conn, row.id, error, now)
            kept = f"keeping the copy fetched {row.fetched_at} ({ago(row.fetched_at, moment)})"
            return SyncResult(url, row.name, "failed", f"{url}: {error}; {kept}", fetched.attempts)
        etag, last_modified = fetched.etag, fetched.last_modified
        if fetched.status == "not_modified" and row is not None:  # without a row it failed above
            stored.mark_fetched(store.conn, row.id, etag=etag, last_modified=last_modified, fetched_at=now)
            return SyncResult(url, row.name, "unchanged", f"{row.name}: not modified (304)", fetched.attempts)
        sha = content_hash(fetched.text)
        if row is not None and row.sha256 == sha:
            stored.mark_fetched(store.conn, row.id, etag=etag, last_modified=last_modified, fetched_at=now)
            return SyncResult(url, row.name, "unchanged", f"{row.name}: unchanged", fetched.attempts)
        name = row.name if row else free_name(store, name_from_url(url), url)
        doc = parse_runbook(fetched.text, source=url, name=name)
        if row is None:
            runbook_id = stored.insert_url(
                store.conn,
                name=name,
                source=url,
                title=doc.title,
                content=fetched.text,
                sha256=sha,
                now=now,
                etag=etag,
                last_modified=last_modified,
            )
        else:
            runbook_id = row.id
            stored.update_fetched(
                store.conn,
                runbook_id,
                title=doc.title,
                content=fetched.text,
                sha256=sha,
                now=now,
                etag=etag,
                last_modified=last_modified,
            )
        write_fts(store, runbook_id, doc)
        status = "added" if row is None else "changed"
        return SyncResult(url, name, status, f"{name}: {status} ({doc.title})", fetched.attempts)
