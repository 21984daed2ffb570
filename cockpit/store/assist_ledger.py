"""The LLM request ledger (`llm_requests`): what each request cost and how it ended.

Telemetry, not workflow state, so it is written beside the command/event path (like the runbook
library), one transaction per row. Stored: ids, token counts, outcome and the redaction counts —
never the key, the prompt or the answer text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from cockpit.store.database import Store


# What the ledger reads of cockpit.assist.types' Prompt and Reply, spelled out here: the store sits
# beneath assist and never imports it, and these say exactly which fields a ledger row keeps.
class _Prompt(Protocol):
    @property
    def task(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def ref(self) -> str | None: ...
    @property
    def redactions(self) -> Mapping[str, int]: ...


class _Usage(Protocol):
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cache_write_tokens(self) -> int: ...
    @property
    def cache_read_tokens(self) -> int: ...


class _Error(Protocol):
    @property
    def kind(self) -> str: ...


class _Reply(Protocol):
    @property
    def model(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def usage(self) -> _Usage: ...
    @property
    def stop_reason(self) -> str | None: ...
    @property
    def latency_ms(self) -> int: ...
    @property
    def cost_usd(self) -> float: ...
    @property
    def error(self) -> _Error | None: ...
    @property
    def cancelled(self) -> bool: ...


_TOTALS = (
    "count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
    "coalesce(sum(cache_write_tokens), 0), coalesce(sum(cache_read_tokens), 0), coalesce(sum(cost_usd), 0.0)"
)


def record_request(store: Store, reply: _Reply, prompt: _Prompt, at: str) -> None:
    """Append one request (finished, failed or cancelled); `at` is an ISO UTC time (cockpit.clock.iso)."""
    u = reply.usage
    with store.writing():
        store.conn.execute(
            "INSERT INTO llm_requests (slug, task, unit, ref, model, request_id, input_tokens, output_tokens, "
            "cache_write_tokens, cache_read_tokens, stop_reason, latency_ms, cost_usd, error_type, cancelled, "
            "redactions, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                prompt.slug,
                prompt.task,
                prompt.unit,
                prompt.ref,
                reply.model,
                reply.request_id,
                u.input_tokens,
                u.output_tokens,
                u.cache_write_tokens,
                u.cache_read_tokens,
                reply.stop_reason,
                reply.latency_ms,
                reply.cost_usd,
                reply.error.kind if reply.error else None,
                int(reply.cancelled),
                json.dumps(dict(sorted(prompt.redactions.items()))),
                at,
            ],
        )


def usage_totals(store: Store, slug: str, day: str) -> dict[str, dict[str, Any]]:
    """Totals for the intent (all time) and for the UTC day `YYYY-MM-DD` (all intents)."""
    return {
        "intent": _totals(store, "slug = ?", slug),
        "day": _totals(store, "at >= ? AND at < ?", day, day + "\uffff"),
    }  # a range, so the index serves it


def has_requests(store: Store, slug: str) -> bool:
    """Whether any request was made about this intent (the first one gets a redaction preview)."""
    return store.conn.execute("SELECT 1 FROM llm_requests WHERE slug = ? LIMIT 1", [slug]).fetchone() is not None


def _totals(store: Store, where: str, *params: str) -> dict[str, Any]:
    n, inp, out, write, read, cost = store.conn.execute(
        f"SELECT {_TOTALS} FROM llm_requests WHERE {where}", list(params)
    ).fetchone()
    return {
        "requests": n,
        "input": inp,
        "output": out,
        "cache_write": write,
        "cache_read": read,
        "cost_usd": round(cost, 6),
    }
