"""The LLM request ledger: migration m006, one row per request, totals per intent and per day."""

from __future__ import annotations

import json
import sqlite3

import pytest

from cockpit.assist.types import AssistError, Prompt, Reply, Usage
from cockpit.store import schema
from cockpit.store.assist_ledger import has_requests, record_request, usage_totals
from cockpit.store.database import Store

SECRET_TEXT = "the answer mentions db-password=hunter2"


def prompt(slug: str = "inc", task: str = "ask", **kw) -> Prompt:
    return Prompt(
        task=task,
        slug=slug,
        system=({"type": "text", "text": "sys"},),
        messages=({"role": "user", "content": "q"},),
        preview="user: token=[REDACTED:token]",
        redactions={"token": 2, "email": 1},
        **kw,
    )


def reply(inp=100, out=20, write=0, read=0, cost=0.001, **kw) -> Reply:
    return Reply(
        task="ask",
        text=SECRET_TEXT,
        model="claude-sonnet-4-5",
        request_id="req_1",
        usage=Usage(inp, out, write, read),
        stop_reason="end_turn",
        latency_ms=900,
        cost_usd=cost,
        **kw,
    )


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "c.db")
    yield s
    s.close()


def test_m006_applies_on_a_fresh_database(store):
    assert "m006_llm_requests" in store.schema_version
    assert set(store.schema_version) == schema.known_migrations()
    assert {"slug", "task", "request_id", "cache_write_tokens", "cancelled", "redactions", "at"} <= set(
        store.db["llm_requests"].columns_dict
    )


def test_m006_applies_to_a_database_from_before_it(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)  # roll the file back to what the previous cockpit wrote
    conn.execute("DROP TABLE llm_requests")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_llm_requests'")
    conn.execute("INSERT INTO events (at, actor, command) VALUES ('2026-11-19T01:00:00Z', 'old', 'note')")
    conn.commit()
    conn.close()

    store = Store(path)
    assert "m006_llm_requests" in store.schema_version
    assert store.db.execute("SELECT count(*) FROM events WHERE actor = 'old'").fetchone()[0] == 1
    record_request(store, reply(), prompt(), "2026-11-20T02:00:00Z")
    assert has_requests(store, "inc")
    store.close()


def test_a_request_row_holds_counts_and_outcome_but_no_text(store):
    assert not has_requests(store, "inc")
    record_request(store, reply(write=50, read=400), prompt(unit="mitigate-rollback", ref="F2"), "2026-11-20T02:00:00Z")
    [row] = list(store.db["llm_requests"].rows)
    assert row["slug"] == "inc" and row["task"] == "ask"
    assert (row["unit"], row["ref"], row["model"], row["request_id"]) == (
        "mitigate-rollback",
        "F2",
        "claude-sonnet-4-5",
        "req_1",
    )
    assert (row["input_tokens"], row["output_tokens"], row["cache_write_tokens"], row["cache_read_tokens"]) == (
        100,
        20,
        50,
        400,
    )
    assert (row["stop_reason"], row["latency_ms"], row["error_type"], row["cancelled"]) == ("end_turn", 900, None, 0)
    assert json.loads(row["redactions"]) == {"email": 1, "token": 2}
    dump = json.dumps(list(store.db["llm_requests"].rows))
    assert "hunter2" not in dump and "REDACTED" not in dump and "sys" not in dump
    assert has_requests(store, "inc") and not has_requests(store, "other")


def test_failed_and_cancelled_requests_are_recorded_with_their_kind(store):
    record_request(store, reply(error=AssistError("overloaded", "busy")), prompt(), "2026-11-20T02:00:00Z")
    record_request(store, reply(cancelled=True), prompt(), "2026-11-20T02:01:00Z")
    rows = [(r["error_type"], r["cancelled"]) for r in store.db["llm_requests"].rows]
    assert rows == [("overloaded", 0), (None, 1)]


def test_totals_per_intent_and_per_day(store):
    record_request(store, reply(100, 10, 5, 50, 0.25), prompt("inc"), "2026-11-20T02:00:00Z")
    record_request(store, reply(200, 20, 0, 0, 0.5), prompt("inc"), "2026-11-21T00:10:00Z")
    record_request(store, reply(1000, 100, 0, 7, 1.0), prompt("other"), "2026-11-20T23:59:59Z")
    totals = usage_totals(store, "inc", "2026-11-20")
    assert totals["intent"] == {
        "requests": 2,
        "input": 300,
        "output": 30,
        "cache_write": 5,
        "cache_read": 50,
        "cost_usd": 0.75,
    }
    assert totals["day"] == {
        "requests": 2,
        "input": 1100,
        "output": 110,
        "cache_write": 5,
        "cache_read": 57,
        "cost_usd": 1.25,
    }
    empty = usage_totals(store, "nobody", "2026-01-01")
    assert empty["intent"]["requests"] == 0 and empty["day"] == {
        "requests": 0,
        "input": 0,
        "output": 0,
        "cache_write": 0,
        "cache_read": 0,
        "cost_usd": 0,
    }


def test_a_failed_write_leaves_no_row(store):
    with pytest.raises(sqlite3.IntegrityError):
        record_request(store, reply(), prompt(), None)  # type: ignore[arg-type]  # `at` is NOT NULL
    assert not has_requests(store, "inc")
    assert not store.db.conn.in_transaction
