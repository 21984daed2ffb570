"""How much does streaming an answer cost us per chunk, before any widget sees it?

The fake Anthropic API (tests/fake_anthropic.py) streams a --tokens-long answer, one text_delta per
token with no delay (faster than the real API ever sends), through the real SDK and
`Assistant.stream`. Per run it records: time to the first piece, total time, pieces per second, the
gap between consecutive `on_text` calls (p50 / p95 / max) — the event-loop time the SDK, SSE parsing
and our handler take per chunk — and the time spent inside the handler itself. The SDK import
(`load_sdk`, done off the loop) is timed once, separately. The fake serves from a thread of this
process, so it shares the GIL: the gaps are an upper bound on our per-chunk cost.

Run from the repository root: `python bench/assist_bench.py [--runs 7] [--tokens 2000]`.
Writes bench/out/assist_bench.json.

To time a real handler (e.g. posting to a Textual widget), import `measure` and pass `handler`:
`await measure(handler=my_on_text, tokens=2000)`; the handler's own cost shows as `handler_*`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the fake API lives with the tests

import itertools

from fake_anthropic import FakeAnthropic

from cockpit.assist.client import Assistant, load_sdk
from cockpit.assist.settings import LLMSettings
from cockpit.assist.types import Prompt

PROMPT = Prompt(
    task="ask",
    slug="bench",
    system=({"type": "text", "text": "You help on-call engineers."},),
    messages=({"role": "user", "content": "Summarise the incident."},),
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def measure(
    handler: Callable[[str], Any] | None = None, tokens: int = 2000, fake: FakeAnthropic | None = None
) -> dict[str, Any]:
    """One streamed answer of `tokens` pieces; figures in milliseconds."""
    own = fake is None
    server = fake or FakeAnthropic().start()
    try:
        server.text([f"tok{i} " for i in range(tokens)])
        assistant = Assistant(
            LLMSettings(api_key="bench-key", base_url=server.url, max_retries=0, model="claude-haiku-4-5")
        )
        arrivals: list[float] = []
        in_handler: list[float] = []

        def on_text(piece: str) -> None:
            now = time.perf_counter()
            arrivals.append(now)
            if handler is not None:
                handler(piece)
                in_handler.append(time.perf_counter() - now)

        started = time.perf_counter()
        reply = await assistant.stream(PROMPT, on_text)
        total = time.perf_counter() - started
        await assistant.aclose()
    finally:
        if own:
            server.stop()
    assert reply.ok and len(arrivals) == tokens, reply.error
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(arrivals)]
    return {
        "tokens": tokens,
        "first_piece_ms": (arrivals[0] - started) * 1000,
        "total_ms": total * 1000,
        "pieces_per_s": tokens / total,
        "gap_p50_ms": _pct(gaps, 0.5),
        "gap_p95_ms": _pct(gaps, 0.95),
        "gap_max_ms": max(gaps, default=0.0),
        "handler_p50_ms": _pct([h * 1000 for h in in_handler], 0.5),
        "handler_max_ms": max((h * 1000 for h in in_handler), default=0.0),
    }


async def main(runs: int, tokens: int) -> dict[str, Any]:
    started = time.perf_counter()
    await load_sdk()
    import_ms = (time.perf_counter() - started) * 1000
    with FakeAnthropic() as fake:
        await measure(tokens=50, fake=fake)  # warm-up: connection set-up, first-use costs
        samples = [await measure(tokens=tokens, fake=fake) for _ in range(runs)]
    summary = {key: statistics.median(s[key] for s in samples) for key in samples[0] if key != "tokens"}
    return {
        "sdk_import_ms": import_ms,
        "runs": runs,
        "tokens": tokens,
        "median": summary,
        "samples": samples,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tokens", type=int, default=2000)
    args = parser.parse_args()
    result = asyncio.run(main(args.runs, args.tokens))
    print(f"SDK import (off the loop): {result['sdk_import_ms']:.0f} ms")
    print(f"{args.tokens} pieces, median of {args.runs} runs:")
    for key, value in result["median"].items():
        print(f"  {key:<16} {value:10.3f}")
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "assist_bench.json").write_text(json.dumps(result, indent=2))
