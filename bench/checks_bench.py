"""Engine-run checks on 1,000 units: the issue's bar is under one second.

Two figures, best and median of --runs timed runs each:
- `pure`: every check of the unit's stage over 1,000 bodies (half operations, half resolve write-ups
  from tests/fixtures/checks, a third of them flawed), as `cockpit check` runs them;
- `engine`: the same through `check_runs.evaluate` + `reconcile` on one intent whose operations stage
  holds 1,000 units (the position is derived once, as a command receives it).

Run from the repository root: `python bench/checks_bench.py [--runs 7]`. Writes bench/out/checks_bench.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cockpit.app.demo import complete_stage
from cockpit.app.engine import Engine
from cockpit.checks import CHECKS, CheckContext, markdown
from cockpit.clock import stepping_clock
from cockpit.domain import check_runs
from cockpit.domain import commands as c
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store

FX = REPO / "tests" / "fixtures" / "checks"
UNITS = 1000


def bodies(stage: str) -> list[str]:
    files = sorted((FX / stage).glob("*.md"))
    return [f.read_text() for f in files]


def timed(fn, runs: int) -> dict:
    """Wall clock, and CPU time of this process (steadier on a machine other jobs share)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return {
        "best_s": min(wall),
        "median_s": statistics.median(wall),
        "cpu_best_s": min(cpu),
        "cpu_median_s": statistics.median(cpu),
        "samples_s": wall,
    }


def pure_run() -> None:
    catalog = load_catalog()
    ops_ids = catalog.get("software").stage("operations").checks
    resolve_ids = catalog.get("incident-response").stage("resolve").checks
    investigate = (("redis-counter-loss", (FX / "investigate-root-cause.md").read_text()),)
    ctx = CheckContext("u", "s", ("u",), {"investigate": investigate}, None)
    ops, resolve = bodies("operations"), bodies("resolve")
    # Every body distinct (a trailing comment), so no cache can carry work from one unit to the next.
    work = [
        (ops[i % len(ops)] + f"\n<!-- unit {i} -->\n", ops_ids)
        if i % 2
        else (resolve[i % len(resolve)] + f"\n<!-- unit {i} -->\n", resolve_ids)
        for i in range(UNITS)
    ]

    def run() -> None:
        for body, ids in work:
            parsed = markdown.sections(body)  # once per body, as check_runs.evaluate_unit does
            for check in ids:
                CHECKS[check].run(body, ctx, parsed)

    return run


def engine_run():
    catalog = load_catalog()
    engine = Engine(
        Store(":memory:"),
        catalog,
        clock=stepping_clock(datetime(2026, 1, 1, tzinfo=UTC), timedelta(seconds=1)),
        actor="bench",
    )
    engine.create_intent(studio="software", title="Bench", slug="bench")
    with engine.store.writing():
        for stage in ("inception", "design", "product", "development"):
            complete_stage(
                engine,
                "bench",
                stage,
                [(f"{stage}-work", f"{stage} work", "", ())],
                evidence="https://git.example/pr/1",
            )
        ops = bodies("operations")
        for i in range(UNITS):
            engine.run(
                "bench",
                c.add_unit,
                title=f"Ops unit {i}",
                unit=f"ops-{i:04d}",
                body=ops[i % len(ops)] + f"\n<!-- unit {i} -->\n",
            )
    pos = engine.position("bench")
    assert pos.active.name == "operations" and len(pos.active.units) == UNITS

    def run() -> None:
        reports = check_runs.evaluate(pos, None, stage="operations")
        check_runs.reconcile(pos, reports, "2026-01-01T00:00:00Z")

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results = {
        "units": UNITS,
        "pure": timed(pure_run(), args.runs),
        "engine": timed(engine_run(), args.runs),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    for name in ("pure", "engine"):
        r = results[name]
        verdict = "under" if r["median_s"] < 1 else "OVER"
        print(
            f"{name:<7} {UNITS} units: best {r['best_s'] * 1000:.0f} ms, median {r['median_s'] * 1000:.0f} ms wall "
            f"(CPU median {r['cpu_median_s'] * 1000:.0f} ms) — {verdict} 1 s"
        )
    out = REPO / "bench" / "out" / "checks_bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
