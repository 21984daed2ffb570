"""How long indexing and searching a big runbook library take, against SQLite's own floor.

Indexes N generated runbooks (cockpit.runbooks.generate) into a fresh database, then runs the
search-as-you-type queries the library screen sends. Baseline in the same run and on the same
database: one indexed point query (`SELECT … WHERE name = ?`), the least a search could cost.
Figures are medians over --rounds; ratios are search / baseline.

Run from the repository root: `python bench/runbook_search_bench.py [--runbooks 1000] [--rounds 20]`.
Writes bench/out/runbook_search_bench.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cockpit.clock import fixed_clock
from cockpit.runbooks.generate import write_library
from cockpit.runbooks.index import index_library
from cockpit.runbooks.search import search_runbooks
from cockpit.store.database import Store

QUERIES = ("checkout latency", "kubectl rollout", "pool", "incident commander", "consumer lag", "rb")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runbooks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="runbook-search-"))
    write_library(work / "library", args.runbooks)
    store = Store(work / "bench.db")
    started = time.perf_counter()
    report = index_library(store, [work / "library"], clock=fixed_clock(datetime(2026, 11, 20, tzinfo=UTC)))
    index_s = time.perf_counter() - started
    name = report.added[0]
    floor, searches = [], {q: [] for q in QUERIES}
    for _ in range(args.rounds):
        started = time.perf_counter()
        store.db.execute("SELECT name FROM runbooks WHERE name = ?", [name]).fetchall()
        floor.append(time.perf_counter() - started)
        for query in QUERIES:
            started = time.perf_counter()
            search_runbooks(store, query, limit=20)
            searches[query].append(time.perf_counter() - started)
    base = statistics.median(floor)
    result = {
        "runbooks": args.runbooks,
        "index_s": round(index_s, 3),
        "baseline_point_query_ms": round(base * 1000, 3),
        "search_ms": {q: round(statistics.median(t) * 1000, 3) for q, t in searches.items()},
        "search_vs_baseline": {q: round(statistics.median(t) / base, 1) for q, t in searches.items()},
    }
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "runbook_search_bench.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
