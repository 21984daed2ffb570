"""Sync against a real HTTP server on 127.0.0.1: 200, 304 (ETag, Last-Modified), 404, 5xx, 429, timeouts."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cockpit.clock import stepping_clock
from cockpit.runbook_library import get_runbook
from cockpit.runbook_search import search_runbooks
from cockpit.runbook_sync import SyncPolicy, sync_runbooks
from cockpit.store import Store

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
RUNBOOK = "# Failover drill\n\nPromote the replica with `patronictl failover`.\n"


@dataclass
class Reply:
    status: int = 200
    body: bytes = RUNBOOK.encode()
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Server:
    """Serves scripted replies per path (the last one repeats) and records every request."""

    def __init__(self) -> None:
        self.script: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                replies = server.script.get(self.path) or [Reply(404, b"not here")]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.delay:
                    server.release.wait(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    body = b"" if reply.status == 304 else reply.body
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "c.db")


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def sync(store, sleeps):
    clock = stepping_clock(T0, timedelta(minutes=10))
    policy = SyncPolicy(connect_timeout=1.0, read_timeout=2.0, retries=3, backoff=0.5)

    def run(*urls: str, **overrides):
        return sync_runbooks(store, list(urls), clock=clock, policy=overrides.pop("policy", policy), sleep=sleeps.append)

    return run


def test_200_stores_the_page_with_its_validators(server, store, sync):
    server.script["/rb/failover.md"] = [Reply(headers={"ETag": '"v1"', "Last-Modified": "Fri, 20 Nov 2026 01:00:00 GMT"})]
    (result,) = sync(server.url("/rb/failover.md"))
    assert (result.status, result.name, result.attempts) == ("added", "failover", 1)
    stored = get_runbook(store, "failover")
    assert stored.content == RUNBOOK and stored.kind == "url" and stored.title == "Failover drill"
    assert (stored.etag, stored.last_modified, stored.fetched_at) == ('"v1"', "Fri, 20 Nov 2026 01:00:00 GMT", "2026-11-20T02:00:00Z")
    assert [h.name for h in search_runbooks(store, "patronictl")] == ["failover"]


def test_304_with_etag_does_not_download_again(server, store, sync):
    server.script["/failover.md"] = [Reply(headers={"ETag": '"v1"'}), Reply(304, headers={"ETag": '"v1"'})]
    sync(server.url("/failover.md"))
    (result,) = sync(server.url("/failover.md"))
    assert result.status == "unchanged" and "304" in result.message
    assert server.requests[1][1]["if-none-match"] == '"v1"'
    stored = get_runbook(store, "failover")
    assert stored.content == RUNBOOK and stored.fetched_at == "2026-11-20T02:10:00Z"  # confirmed fresh


def test_304_with_last_modified(server, store, sync):
    stamp = "Fri, 20 Nov 2026 01:00:00 GMT"
    server.script["/failover.md"] = [Reply(headers={"Last-Modified": stamp}), Reply(304)]
    sync(server.url("/failover.md"))
    (result,) = sync(server.url("/failover.md"))
    assert result.status == "unchanged"
    assert server.requests[1][1]["if-modified-since"] == stamp and "if-none-match" not in server.requests[1][1]


def test_a_changed_page_replaces_the_copy(server, store, sync):
    server.script["/failover.md"] = [Reply(), Reply(body=b"# Failover drill v2\n\nNew: wombats.\n")]
    sync(server.url("/failover.md"))
    (result,) = sync(server.url("/failover.md"))
    assert result.status == "changed"
    assert get_runbook(store, "failover").title == "Failover drill v2"
    assert [h.name for h in search_runbooks(store, "wombats")] == ["failover"]
    assert search_runbooks(store, "patronictl") == []


def test_404_is_not_retried_and_stores_nothing(server, store, sync, sleeps):
    (result,) = sync(server.url("/missing.md"))
    assert result.failed and result.attempts == 1 and sleeps == []
    assert result.message.endswith("HTTP 404 Not Found; no copy stored") and result.name is None


def test_500_then_success_retries_with_backoff(server, store, sync, sleeps):
    server.script["/flaky.md"] = [Reply(500), Reply(503), Reply()]
    (result,) = sync(server.url("/flaky.md"))
    assert (result.status, result.attempts) == ("added", 3)
    assert sleeps == [0.5, 1.0]


def test_500_always_keeps_the_last_good_copy_and_says_when_it_was_fetched(server, store, sync, sleeps):
    server.script["/failover.md"] = [Reply(), Reply(500)]
    sync(server.url("/failover.md"))
    (result,) = sync(server.url("/failover.md"))
    assert result.failed and result.attempts == 4 and sleeps == [0.5, 1.0, 2.0]
    assert "HTTP 500 Internal Server Error after 4 attempts" in result.message
    assert "keeping the copy fetched 2026-11-20T02:00:00Z (10 min ago)" in result.message
    kept = get_runbook(store, "failover")
    assert kept.content == RUNBOOK and kept.fetched_at == "2026-11-20T02:00:00Z"
    assert kept.last_error.startswith("HTTP 500") and kept.last_error_at == "2026-11-20T02:10:00Z"


def test_404_after_a_good_copy_keeps_it(server, store, sync):
    server.script["/failover.md"] = [Reply(), Reply(404, b"gone")]
    sync(server.url("/failover.md"))
    (result,) = sync(server.url("/failover.md"))
    assert result.failed and "keeping the copy fetched" in result.message
    assert get_runbook(store, "failover").content == RUNBOOK


def test_429_is_retried_honouring_retry_after_within_the_cap(server, store, sync, sleeps):
    server.script["/busy.md"] = [Reply(429, headers={"Retry-After": "30"}), Reply()]
    (result,) = sync(server.url("/busy.md"))
    assert result.status == "added" and sleeps == [8.0]  # 30 s asked, capped at max_backoff


def test_a_timeout_is_retried_then_reported(server, store, sync, sleeps):
    server.script["/slow.md"] = [Reply(delay=5.0)]
    policy = SyncPolicy(connect_timeout=1.0, read_timeout=0.2, retries=1, backoff=0.1)
    (result,) = sync(server.url("/slow.md"), policy=policy)
    assert result.failed and result.attempts == 2 and sleeps == [0.1]
    assert "timed out (ReadTimeout) after 2 attempts; no copy stored" in result.message


def test_a_refused_connection_is_retried(store, sync, sleeps):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (result,) = sync(f"http://127.0.0.1:{port}/x.md")
    assert result.failed and result.attempts == 4 and "connection failed" in result.message


def test_an_html_page_or_bad_bytes_are_not_stored(server, store, sync):
    server.script["/login.md"] = [Reply(body=b"<!DOCTYPE html><html>Sign in</html>", headers={"Content-Type": "text/html"})]
    server.script["/latin1.md"] = [Reply(body="# Caf\xe9".encode("latin-1"))]
    html, latin = sync(server.url("/login.md"), server.url("/latin1.md"))
    assert html.failed and "HTML page, not markdown" in html.message
    assert latin.failed and "not UTF-8 text" in latin.message


def test_two_urls_with_the_same_file_name_get_distinct_names(server, store, sync):
    server.script["/a/failover.md"] = [Reply()]
    server.script["/b/failover.md"] = [Reply(body=b"# Other failover\n")]
    first, second = sync(server.url("/a/failover.md"), server.url("/b/failover.md"))
    assert (first.name, second.name) == ("failover", "failover-2")
