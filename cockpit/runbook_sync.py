"""Fetch remote markdown runbooks into the store, so they can be read later with no network.

Each URL is fetched with timeouts and a bounded number of retries (connect errors, timeouts,
5xx and 429 are retried with exponential backoff; other 4xx are not: asking again will not
help). A stored copy is revalidated with its ETag / Last-Modified, so an unchanged page costs a
304 and no download. A failed sync never touches the stored copy: it records the error, and
the message says when the copy being kept was fetched.

httpx is imported inside `sync_runbooks`: it costs ~0.2 s and only this command needs it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from cockpit.clock import Clock, iso, system_clock
from cockpit.runbook_doc import MAX_RUNBOOK_BYTES, RunbookReadError, decode_runbook, name_from_url, parse_runbook
from cockpit.runbook_index import content_hash, free_name, write_fts
from cockpit.runbook_library import ago
from cockpit.store import Store

USER_AGENT = "cockpit-runbook-sync/0.1"


@dataclass(frozen=True)
class SyncPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    retries: int = 3  # attempts after the first
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    max_backoff: float = 8.0  # also caps a server's Retry-After


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


def sync_runbooks(store: Store, urls: Sequence[str], *, clock: Clock = system_clock, policy: SyncPolicy = SyncPolicy(),
                  sleep: Callable[[float], None] = time.sleep, transport: Any = None) -> list[SyncResult]:
    """Fetch each URL into the library; one result per URL, in order. `sleep` and `transport`
    are for tests (no real waiting; an httpx transport double)."""
    import httpx

    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/markdown, text/plain;q=0.9, */*;q=0.5"}
    results: list[SyncResult] = []
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=True, transport=transport) as client:
        for url in urls:
            with store.snapshot():
                row = store.db.execute("SELECT etag, last_modified FROM runbooks WHERE source = ?", [url]).fetchone()
            etag, last_modified = row if row else (None, None)
            fetched = _fetch(httpx, client, url, etag, last_modified, policy, sleep)
            results.append(_store(store, url, fetched, clock()))
    return results


def _fetch(httpx: Any, client: Any, url: str, etag: str | None, last_modified: str | None,
           policy: SyncPolicy, sleep: Callable[[float], None]) -> _Fetched:
    conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
    attempt = 0
    while True:
        attempt += 1
        retry_after: float | None = None
        try:
            with client.stream("GET", url, headers=conditional) as response:
                if response.status_code == 304:
                    return _Fetched("not_modified", attempt, etag=response.headers.get("etag", etag),
                                    last_modified=response.headers.get("last-modified", last_modified))
                if response.is_success:
                    return _body(response, url, attempt)
                error = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                retryable = response.status_code >= 500 or response.status_code == 429
                retry_after = _seconds(response.headers.get("retry-after"))
        except httpx.TimeoutException as exc:
            error, retryable = f"timed out ({type(exc).__name__})", True
        except httpx.TransportError as exc:
            error, retryable = f"connection failed ({exc or type(exc).__name__})", True
        except httpx.HTTPError as exc:  # e.g. an invalid URL or too many redirects: retrying cannot help
            error, retryable = str(exc) or type(exc).__name__, False
        if not retryable or attempt > policy.retries:
            tries = f" after {attempt} attempts" if attempt > 1 else ""
            return _Fetched("failed", attempt, error=error + tries)
        wait = policy.backoff * 2 ** (attempt - 1)
        sleep(min(policy.max_backoff, max(wait, retry_after or 0.0)))


def _body(response: Any, url: str, attempt: int) -> _Fetched:
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) > MAX_RUNBOOK_BYTES:
            return _Fetched("failed", attempt, error=f"too large (over {MAX_RUNBOOK_BYTES / 1e6:.0f} MB)")
    try:
        text = decode_runbook(bytes(data), url)
    except RunbookReadError as exc:
        return _Fetched("failed", attempt, error=str(exc).removeprefix(f"{url}: "))
    if "html" in response.headers.get("content-type", "") and text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        return _Fetched("failed", attempt, error="got an HTML page, not markdown (a login page? link to the raw file)")
    return _Fetched("ok", attempt, text=text, etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"))


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:  # an HTTP date: the capped backoff is close enough
        return None


def _store(store: Store, url: str, fetched: _Fetched, moment: datetime) -> SyncResult:
    now = iso(moment)
    with store.writing():
        row = store.db.execute("SELECT id, name, sha256, fetched_at FROM runbooks WHERE source = ?", [url]).fetchone()
        if fetched.status == "failed" or (fetched.status == "not_modified" and row is None):
            error = fetched.error or "HTTP 304 Not Modified, but no copy is stored"
            if row is None:
                return SyncResult(url, None, "failed", f"{url}: {error}; no copy stored", fetched.attempts)
            store.db.execute("UPDATE runbooks SET last_error = ?, last_error_at = ? WHERE id = ?", [error, now, row[0]])
            kept = f"keeping the copy fetched {row[3]} ({ago(row[3], moment)})"
            return SyncResult(url, row[1], "failed", f"{url}: {error}; {kept}", fetched.attempts)
        validators = [fetched.etag, fetched.last_modified, now]
        if fetched.status == "not_modified":
            store.db.execute("UPDATE runbooks SET etag = ?, last_modified = ?, fetched_at = ?, last_error = NULL, "
                             "last_error_at = NULL WHERE id = ?", [*validators, row[0]])
            return SyncResult(url, row[1], "unchanged", f"{row[1]}: not modified (304)", fetched.attempts)
        sha = content_hash(fetched.text)
        if row is not None and row[2] == sha:
            store.db.execute("UPDATE runbooks SET etag = ?, last_modified = ?, fetched_at = ?, last_error = NULL, "
                             "last_error_at = NULL WHERE id = ?", [*validators, row[0]])
            return SyncResult(url, row[1], "unchanged", f"{row[1]}: unchanged", fetched.attempts)
        name = row[1] if row else free_name(store, name_from_url(url), url)
        doc = parse_runbook(fetched.text, source=url, name=name)
        if row is None:
            runbook_id = store.db.execute(
                "INSERT INTO runbooks (name, kind, source, title, content, sha256, indexed_at, etag, last_modified, fetched_at) "
                "VALUES (?, 'url', ?, ?, ?, ?, ?, ?, ?, ?)", [name, url, doc.title, fetched.text, sha, now, *validators],
            ).lastrowid
        else:
            runbook_id = row[0]
            store.db.execute("UPDATE runbooks SET title = ?, content = ?, sha256 = ?, indexed_at = ?, etag = ?, "
                             "last_modified = ?, fetched_at = ?, last_error = NULL, last_error_at = NULL WHERE id = ?",
                             [doc.title, fetched.text, sha, now, *validators, runbook_id])
        write_fts(store, runbook_id, doc)
        status = "added" if row is None else "changed"
        return SyncResult(url, name, status, f"{name}: {status} ({doc.title})", fetched.attempts)
