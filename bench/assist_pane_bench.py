"""How far does the assist pane lag behind the stream, and do keys stay under a frame meanwhile?

The fake Anthropic API (tests/fake_anthropic.py) streams a --tokens answer, one text_delta per
token with no delay, through the real SDK into the real assist pane of a headless app (the demo
incident, 120x40). Measured per run:

- pane lag: for every delta, the time from its arrival (`on_text`) to the repaint that shows it
  (the pane batches deltas and repaints at most 30 times a second, so ~33 ms is the design
  bound), median and worst; and the lag of the very last delta;
- keys: a `j` key event is posted every 10 ms while the answer streams; the time from posting to
  its binding's action running, median / p95 / worst, against one 60 Hz frame (16.7 ms);
- the same key probe on the idle pane afterwards, as the baseline of the same run.

The SDK is imported once before the runs (timed separately): the first request's import happens
while the engineer reads the send preview, not while text streams.

Run from the repository root: `python bench/assist_pane_bench.py [--runs 5] [--tokens 2000]`.
Writes bench/out/assist_pane_bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the fake API lives with the tests

from fake_anthropic import FakeAnthropic
from textual import events

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.assist.client import Assistant, load_sdk
from cockpit.assist.settings import LLMSettings
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.assist import AssistScreen

FRAME_MS = 1000 / 60


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def summary(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(pct(ms, 0.95), 2),
        "max_ms": round(max(ms), 2),
    }


class Probe:
    """Instruments the pane: arrival time of each delta, time of each repaint, key handling times."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.flushes: list[tuple[float, int]] = []  # (time, deltas arrived so far)
        self.flush_costs: list[float] = []  # seconds inside each repaint call (widget update)
        self.key_posted: list[float] = []
        self.key_handled: list[float] = []

    def install(self) -> None:
        arrived, flush, cursor = AssistScreen._arrived, AssistScreen._flush, AssistScreen.action_cursor
        probe = self

        def on_arrived(screen, delta: str) -> None:
            probe.arrivals.append(time.perf_counter())
            arrived(screen, delta)

        def on_flush(screen) -> None:
            pending = bool(screen._pending)
            began = time.perf_counter()
            flush(screen)
            if pending:
                done = time.perf_counter()
                probe.flushes.append((done, len(probe.arrivals)))
                probe.flush_costs.append(done - began)

        def on_cursor(screen, where: str) -> None:
            probe.key_handled.append(time.perf_counter())
            cursor(screen, where)

        AssistScreen._arrived, AssistScreen._flush, AssistScreen.action_cursor = on_arrived, on_flush, on_cursor

    def lags(self) -> list[float]:
        """Per delta: arrival → the first repaint that included it."""
        out, f = [], 0
        for i, arrived in enumerate(self.arrivals):
            while f < len(self.flushes) and self.flushes[f][1] <= i:
                f += 1
            if f < len(self.flushes):
                out.append(self.flushes[f][0] - arrived)
        return out

    def key_latencies(self) -> list[float]:
        return [handled - posted for posted, handled in zip(self.key_posted, self.key_handled, strict=False)]


async def post_keys(app, probe: Probe, stop: asyncio.Event) -> None:
    while not stop.is_set():
        probe.key_posted.append(time.perf_counter())
        app.post_message(events.Key("j", "j"))
        await asyncio.sleep(0.01)


async def one_run(db: Path, tokens: int) -> dict:
    probe = Probe()
    probe.install()
    with FakeAnthropic() as fake:
        fake.text([f"tok{i} " + ("\n" if i % 12 == 11 else "") for i in range(tokens)])
        settings = LLMSettings(api_key="bench-key", base_url=fake.url, model="claude-haiku-4-5", max_retries=0)
        engine = Engine(Store(db), load_catalog(), actor="bench")
        app = CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=3600, assistant=Assistant(settings))
        app.previewed.add(demo.INCIDENT)  # the preview is a human step: not part of the stream
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            stop = asyncio.Event()
            app.post_message(events.Key("w", "w"))  # not pilot.press: it would wait out the whole stream
            started = time.perf_counter()
            while not probe.arrivals:  # keys are probed from the first delta on: "while streaming"
                await asyncio.sleep(0.001)
            keys = asyncio.create_task(post_keys(app, probe, stop))
            while not isinstance(app.screen, AssistScreen) or app.screen.reply is None:
                await asyncio.sleep(0.005)
            streamed_s = time.perf_counter() - started
            stop.set()
            await keys
            await pilot.pause(0.1)
            during = probe.key_latencies()
            screen = app.screen
            shown = screen.query_one("#as-text").text.count("tok")
            # Baseline, same run: the same key probe on the idle pane.
            probe.key_posted, probe.key_handled = [], []
            stop = asyncio.Event()
            keys = asyncio.create_task(post_keys(app, probe, stop))
            await asyncio.sleep(0.5)
            stop.set()
            await keys
            await pilot.pause(0.1)
            idle = probe.key_latencies()
    lags = probe.lags()
    return {
        "tokens_shown": shown,
        "stream_s": round(streamed_s, 3),
        "repaints": len(probe.flushes),
        "lag": summary(lags),
        "flush_cost": summary(probe.flush_costs),
        "last_delta_lag_ms": round(lags[-1] * 1000, 2),
        "keys_while_streaming": summary(during),
        "keys_idle": summary(idle),
    }


async def main(runs: int, tokens: int) -> dict:
    started = time.perf_counter()
    await load_sdk()
    sdk_s = time.perf_counter() - started
    db = Path(tempfile.mkdtemp()) / "bench.db"
    demo.seed(Engine(Store(db), load_catalog(), actor="bench"))
    results = [await one_run(db, tokens) for _ in range(runs)]
    return {
        "tokens": tokens,
        "runs": results,
        "sdk_import_s": round(sdk_s, 3),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def report(result: dict) -> None:
    print(f"SDK import (once, off the loop): {result['sdk_import_s'] * 1000:.0f} ms")
    for i, r in enumerate(result["runs"], 1):
        lag, busy, idle = r["lag"], r["keys_while_streaming"], r["keys_idle"]
        print(
            f"run {i}: {r['tokens_shown']}/{result['tokens']} tokens in {r['stream_s'] * 1000:.0f} ms, {r['repaints']} repaints; "
            f"pane lag median {lag['median_ms']} ms, worst {lag['max_ms']} ms, last delta {r['last_delta_lag_ms']} ms "
            f"(repaint call median {r['flush_cost']['median_ms']} / max {r['flush_cost']['max_ms']} ms); "
            f"keys while streaming median {busy['median_ms']} / p95 {busy['p95_ms']} / max {busy['max_ms']} ms "
            f"(idle median {idle['median_ms']} / p95 {idle['p95_ms']} ms); "
            f"p95 under one frame: {busy['p95_ms'] < FRAME_MS}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=2000)
    args = parser.parse_args()
    out = asyncio.run(main(args.runs, args.tokens))
    report(out)
    path = REPO / "bench" / "out" / "assist_pane_bench.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
