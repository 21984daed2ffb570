"""Sync against a real HTTP server on 127.0.0.1: 200, 304 (ETag, Last-Modified), 404, 5xx, 429, timeouts."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from runbook_server import RUNBOOK, Reply, Server, Trickler

from cockpit.clock import stepping_clock
from cockpit.runbooks import sync as runbook_sync
from cockpit.runbooks.library import get_runbook
from cockpit.runbooks.search import search_runbooks
from cockpit.runbooks.sync import SyncPolicy, sync_runbooks
from cockpit.store.database import Store

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


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
        return sync_runbooks(
            store, list(urls), clock=clock, policy=overrides.pop("policy", policy), sleep=sleeps.append
        )

    return run


def test_200_stores_the_page_with_its_validators(server, store, sync):
    server.script["/rb/failover.md"] = [
        Reply(headers={"ETag": '"v1"', "Last-Modified": "Fri, 20 Nov 2026 01:00:00 GMT"})
    ]
    (result,) = sync(server.url("/rb/failover.md"))
    assert (result.status, result.name, result.attempts) == ("added", "failover", 1)
    stored = get_runbook(store, "failover")
    assert stored.content == RUNBOOK and stored.kind == "url" and stored.title == "Failover drill"
    assert (stored.etag, stored.last_modified, stored.fetched_at) == (
        '"v1"',
        "Fri, 20 Nov 2026 01:00:00 GMT",
        "2026-11-20T02:00:00Z",
    )
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
    server.script["/login.md"] = [
        Reply(body=b"<!DOCTYPE html><html>Sign in</html>", headers={"Content-Type": "text/html"})
    ]
    server.script["/latin1.md"] = [Reply(body="# Caf\xe9".encode("latin-1"))]
    html, latin = sync(server.url("/login.md"), server.url("/latin1.md"))
    assert html.failed and "HTML page, not markdown" in html.message
    assert latin.failed and "not UTF-8 text" in latin.message


def test_two_urls_with_the_same_file_name_get_distinct_names(server, store, sync):
    server.script["/a/failover.md"] = [Reply()]
    server.script["/b/failover.md"] = [Reply(body=b"# Other failover\n")]
    first, second = sync(server.url("/a/failover.md"), server.url("/b/failover.md"))
    assert (first.name, second.name) == ("failover", "failover-2")


# ------------------------------------------------------------------ deadline, schemes, redirects, one URL two spellings


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_server_that_trickles_bytes_is_cut_off_at_the_deadline_and_not_retried(store, sync, sleeps, where):
    trickler = Trickler(where)
    try:
        # Each byte comes well within the 2 s read timeout: only the overall deadline can end this.
        policy = SyncPolicy(connect_timeout=1.0, read_timeout=2.0, retries=3, backoff=0.1, deadline=0.4)
        (result,) = sync(trickler.url(), policy=policy)
    finally:
        trickler.close()
    assert result.failed and result.attempts == 1 and sleeps == [] and trickler.connections == 1
    assert result.message == f"{trickler.url()}: no complete answer within the 0.4 s deadline; no copy stored"


def test_no_retry_is_started_that_the_deadline_cannot_finish(server, store, sync, sleeps):
    server.script["/flaky.md"] = [Reply(503)]
    policy = SyncPolicy(connect_timeout=1.0, read_timeout=2.0, retries=3, backoff=5.0, deadline=3.0)
    (result,) = sync(server.url("/flaky.md"), policy=policy)
    assert result.failed and result.attempts == 1 and sleeps == []
    assert "HTTP 503 Service Unavailable; no time left to retry within the 3 s deadline" in result.message


@pytest.mark.parametrize(
    "url, scheme",
    [
        ("file:///etc/passwd", "file"),
        ("ftp://example.com/rb.md", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("gopher://example.com/1", "gopher"),
        ("FILE:///etc/shadow", "file"),
    ],
)
def test_schemes_other_than_http_and_https_are_refused_at_once(store, sync, sleeps, url, scheme):
    (result,) = sync(url)
    assert (result.failed, result.attempts, sleeps) == (True, 0, [])
    assert result.message == f"{url}: only http and https URLs are synced, not {scheme}:"


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://[::1", "not a valid URL (Invalid IPv6 URL)"),
        ("http://host:99999/x.md", "not a valid URL (Port out of range 0-65535)"),
        ("http:///x.md", "not a valid URL (no host)"),
        ("example.com/x.md", "not a URL (no http:// or https://)"),
    ],
)
def test_a_malformed_url_is_one_failed_result_and_the_others_still_sync(server, store, sync, url, reason):
    server.script["/ok.md"] = [Reply()]
    bad, good = sync(url, server.url("/ok.md"))
    assert bad.failed and bad.attempts == 0 and bad.message == f"{url}: {reason}"
    assert good.status == "added"


def test_a_redirect_on_the_same_host_is_followed(server, store, sync):
    server.script["/old.md"] = [Reply(301, headers={"Location": "/new/failover.md"})]
    server.script["/new/failover.md"] = [Reply()]
    (result,) = sync(server.url("/old.md"))
    assert result.status == "added" and result.name == "old"  # the runbook is the URL asked for
    assert [path for path, _ in server.requests] == ["/old.md", "/new/failover.md"]


def test_a_redirect_to_another_host_is_refused_naming_both_unless_allowed(server, store, sync):
    port = server.httpd.server_address[1]
    server.script["/moved.md"] = [Reply(302, headers={"Location": f"http://localhost:{port}/elsewhere.md"})]
    server.script["/elsewhere.md"] = [Reply()]
    (result,) = sync(server.url("/moved.md"))
    assert result.failed and result.attempts == 1
    assert (
        "redirected from 127.0.0.1 to another host, localhost: refused (allow it with --allow-redirect-host localhost)"
        in result.message
    )
    assert [path for path, _ in server.requests] == ["/moved.md"]  # the other host was never asked
    allowed = SyncPolicy(connect_timeout=1.0, read_timeout=2.0, retries=0, redirect_hosts=frozenset({"localhost"}))
    (result,) = sync(server.url("/moved.md"), policy=allowed)
    assert result.status == "added"


def test_a_redirect_to_another_scheme_or_down_to_http_is_refused(server, store, sync):
    server.script["/file.md"] = [Reply(302, headers={"Location": "file:///etc/passwd"})]
    (result,) = sync(server.url("/file.md"))
    assert (
        result.failed
        and "redirected to file:///etc/passwd: refused, only http and https URLs are synced, not file:"
        in result.message
    )
    _target, refusal = runbook_sync._redirect(
        "https://wiki.example/a.md", "http://wiki.example/a.md", "https://wiki.example/a.md", SyncPolicy()
    )
    assert refusal == "redirected from https to http://wiki.example/a.md: refused (plain http)"


def test_endless_redirects_stop(server, store, sync):
    server.script["/loop.md"] = [Reply(302, headers={"Location": "/loop.md"})]
    (result,) = sync(server.url("/loop.md"))
    assert result.failed and "more than 5 redirects" in result.message and len(server.requests) == 6


@pytest.mark.parametrize(
    "spelling",
    [
        "HTTP://Wiki.Example.COM/Runbooks/Failover.md",
        "http://wiki.example.com./Runbooks/Failover.md",
        "http://wiki.example.com:80/Runbooks/Failover.md",
        "http://wiki.example.com/%52unbooks/Failover%2emd",
        "http://wiki.example.com/Runbooks/Failover.md#rollback",
        " http://wiki.example.com/Runbooks/Failover.md ",
    ],
)
def test_spellings_of_one_url_normalise_to_one(spelling):
    assert runbook_sync.normalize_url(spelling) == "http://wiki.example.com/Runbooks/Failover.md"


def test_normalising_keeps_what_changes_the_resource():
    normalize = runbook_sync.normalize_url
    assert normalize("https://wiki.example.com") == "https://wiki.example.com/"
    assert normalize("https://wiki.example.com:443/a") == "https://wiki.example.com/a"
    assert normalize("https://wiki.example.com:8443/a") == "https://wiki.example.com:8443/a"
    assert normalize("http://h/a%2fb%3F?q=%7e%2a") == "http://h/a%2Fb%3F?q=~%2A"  # reserved escapes stay escapes
    assert normalize("http://h/a b/ü.md") == "http://h/a%20b/%C3%BC.md"
    assert normalize("http://[::1]:8080/x") == "http://[::1]:8080/x"
    assert normalize("http://h/path/Case.md") != normalize("http://h/path/case.md")  # paths are case-sensitive


def test_two_spellings_of_one_url_are_one_runbook(server, store, sync):
    server.script["/rb/failover.md"] = [Reply(headers={"ETag": '"v1"'}), Reply(304, headers={"ETag": '"v1"'})]
    port = server.httpd.server_address[1]
    (first,) = sync(server.url("/rb/failover.md"))
    (second,) = sync(f"HTTP://127.0.0.1.:{port}/rb/%66ailover.md#top")
    assert (first.status, second.status, second.name) == ("added", "unchanged", "failover")
    assert server.requests[1][0] == "/rb/failover.md" and server.requests[1][1]["if-none-match"] == '"v1"'
    assert store.db.execute("SELECT count(*) FROM runbooks").fetchone()[0] == 1


def test_a_row_stored_under_an_older_spelling_is_found_and_rekeyed(server, store, sync):
    server.script["/rb/failover.md"] = [Reply(headers={"ETag": '"v1"'}), Reply(304, headers={"ETag": '"v1"'})]
    sync(server.url("/rb/failover.md"))
    port = server.httpd.server_address[1]
    older = f"HTTP://127.0.0.1:{port}/rb/failover.md#top"  # as sync stored URLs before it normalised them
    store.db.execute("UPDATE runbooks SET source = ?", [older])
    store.db.conn.commit()
    (result,) = sync(server.url("/rb/failover.md"))
    assert result.status == "unchanged" and server.requests[1][1]["if-none-match"] == '"v1"'
    rows = store.db.execute("SELECT name, source FROM runbooks").fetchall()
    assert rows == [("failover", server.url("/rb/failover.md"))]
