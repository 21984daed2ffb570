"""How long does a person's write wait while a big runbook library is indexed?

Generates 2,500 markdown runbooks in a temporary folder, then, for the landed indexer (one write
transaction for the whole run, loaded from git at LANDED) and for the current one (short batches),
in the same run and on fresh databases:

- the index runs in this process on a connection of its own, as the app's background index does
  (cockpit/app/backend.py `index_runbooks`);
- a second process files a finding through the engine's named command (`file_feedback`, what
  `cockpit feedback add` runs) every ~50 ms, and records how long each write took, including any
  wait for the lock, and whether it failed ("database is locked" after the 15 s busy timeout).

    python bench/index_write_wait_bench.py                 # 2,500 runbooks, both indexers
    python bench/index_write_wait_bench.py --runbooks 500  # quicker
    python bench/index_write_wait_bench.py --landed REV    # compare against another commit
    python bench/index_write_wait_bench.py --rounds 5      # more rounds (default 3), interleaved

Prints, per indexer: the index's wall time, and for the writes that started while it ran their
count, failures, median and worst wait; with the same for writes on an idle database as the floor.
Then what `PRAGMA quick_check` (Store.check_integrity: the app's background check, and the CLI's
before its first write) costs on the indexed database, warm. Writes bench/out/index_write_wait_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(REPO_ROOT))

LANDED = "230929e^"  # the last commit with the one-transaction indexer (230929e made it batched)
SLUG = "bench-index"
WORDS = (
    "restart",
    "failover",
    "replica",
    "latency",
    "certificate",
    "rotate",
    "drain",
    "node",
    "queue",
    "backlog",
    "timeout",
    "upstream",
    "checkout",
    "payments",
    "gateway",
    "cache",
    "invalidate",
    "rollback",
    "deploy",
    "canary",
    "error",
    "budget",
    "page",
    "alert",
    "dashboard",
    "postgres",
    "redis",
    "kafka",
    "consumer",
    "lag",
)


# ------------------------------------------------------------------ the library


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate(folder: Path, count: int, seed: int = 7) -> None:
    """`count` runbooks of about 2-4 KB each: frontmatter, headings, prose, code blocks, links."""
    rng = random.Random(seed)
    for number in range(count):
        team = folder / f"team-{number % 25:02d}"
        team.mkdir(parents=True, exist_ok=True)
        title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} runbook {number}"
        parts = [f"---\nshape: alert\nalert: Alert{number}\n---\n# {title}\n", paragraph(rng, 40)]
        for section in ("Symptoms", "Diagnosis", "Mitigation", "Rollback", "Escalation"):
            parts.append(f"\n## {section}\n\n{paragraph(rng, 60)}\n")
            parts.append(
                f"```sh\nkubectl -n {rng.choice(WORDS)} rollout restart deploy/{rng.choice(WORDS)}-{number}\n```\n"
            )
            parts.append(f"See [the {rng.choice(WORDS)} runbook](../team-{rng.randrange(25):02d}/x.md).\n")
        (team / f"runbook-{number:05d}.md").write_text("\n".join(parts), encoding="utf-8")


# ------------------------------------------------------------------ the writer process


def writer(db: str, stop: str, interval: float) -> None:
    """File a finding every `interval` s until `stop` exists; print one JSON line per write."""
    import sqlite3

    from cockpit.app.engine import Engine
    from cockpit.domain import commands
    from cockpit.errors import CockpitError
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store

    engine = Engine(Store(db), load_catalog(), actor="oncall")
    print(json.dumps({"ready": True}), flush=True)
    number = 0
    next_at = time.monotonic()
    while not os.path.exists(stop):
        number += 1
        started = time.monotonic()
        error = None
        try:
            engine.run(
                SLUG,
                commands.file_feedback,
                title=f"Finding {number} filed while indexing",
                body="Seen on the dashboard.",
            )
        except (CockpitError, sqlite3.Error) as exc:
            error = str(exc)
        ended = time.monotonic()
        print(json.dumps({"started": started, "seconds": ended - started, "error": error}), flush=True)
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))


# ------------------------------------------------------------------ one measurement


def landed_indexer(rev: str):
    """The `index_library` of commit `rev`, imported from its source as it was then."""
    from landed import landed_module

    return landed_module(rev, "cockpit/runbook_index.py", "landed_runbook_index").index_library


def measure(label: str, index_library, library: Path, work: Path, interval: float, idle: float) -> dict:
    from cockpit.app.engine import Engine
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store

    work.mkdir(exist_ok=True)
    db = work / f"{label}.db"
    stop = work / f"{label}.stop"
    setup = Store(db)
    Engine(setup, load_catalog(), actor="setup").create_intent(
        studio="incident-response", title="Bench incident", slug=SLUG
    )
    setup.close()

    process = subprocess.Popen(
        [sys.executable, __file__, "--writer", str(db), str(stop), str(interval)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert json.loads(process.stdout.readline())["ready"]
    time.sleep(idle)  # writes on an idle database first: the floor
    store = Store(db)  # the index's own connection, as the app's background index opens one
    started = time.monotonic()
    report = index_library(store, [library])
    ended = time.monotonic()
    store.close()
    time.sleep(2 * interval)
    stop.touch()
    out, _ = process.communicate(timeout=60)
    writes = [json.loads(line) for line in out.splitlines() if line.strip()]
    during = [w for w in writes if started <= w["started"] <= ended]
    before = [w for w in writes if w["started"] < started]
    return {
        "indexer": label,
        "index_seconds": round(ended - started, 3),
        "added": len(report.added),
        "problems": len(report.problems),
        "idle": summary(before),
        "during": summary(during),
        "samples": [
            {"at": round(w["started"] - started, 4), "seconds": round(w["seconds"], 4), "error": w["error"]}
            for w in writes
        ],
    }


def quick_check_cost(db: Path, runs: int = 7) -> dict:
    """Store.check_integrity on `db`, each run on a fresh Store, as each CLI process pays it."""
    from cockpit.store.database import Store

    each = []
    for _ in range(runs):
        store = Store(db)
        started = time.perf_counter()
        assert store.check_integrity() is None
        each.append((time.perf_counter() - started) * 1000)
        store.close()
    return {
        "mb": round(db.stat().st_size / 1e6, 1),
        "median_ms": round(statistics.median(each), 1),
        "worst_ms": round(max(each), 1),
        "each_ms": [round(ms, 1) for ms in each],
    }


def merge(runs: list[dict]) -> dict:
    """One indexer's rounds as one row: index time is the median round; writes are pooled."""
    samples = [s for r in runs for s in r["samples"]]
    during = [
        {"seconds": s["seconds"], "error": s["error"]}
        for r in runs
        for s in r["samples"]
        if 0 <= s["at"] <= r["index_seconds"]
    ]
    idle = [{"seconds": s["seconds"], "error": s["error"]} for s in samples if s["at"] < 0]
    return {
        "indexer": runs[0]["indexer"],
        "index_seconds": statistics.median(r["index_seconds"] for r in runs),
        "index_seconds_each": [r["index_seconds"] for r in runs],
        "added": runs[0]["added"],
        "idle": summary(idle),
        "during": summary(during),
        "rounds": runs,
    }


def summary(writes: list[dict]) -> dict:
    ok = [w["seconds"] for w in writes if not w["error"]]
    return {
        "writes": len(writes),
        "failed": sum(1 for w in writes if w["error"]),
        "median_ms": round(statistics.median(ok) * 1000, 1) if ok else None,
        "worst_ms": round(max(w["seconds"] for w in writes) * 1000, 1) if writes else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runbooks", type=int, default=2500)
    parser.add_argument("--rounds", type=int, default=3, help="fresh databases per indexer, interleaved (default 3)")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between a person's writes (default 0.05)")
    parser.add_argument(
        "--landed", default=LANDED, metavar="REV", help=f"the commit to compare against (default {LANDED})"
    )
    parser.add_argument("--writer", nargs=3, metavar=("DB", "STOP", "INTERVAL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer:
        writer(args.writer[0], args.writer[1], float(args.writer[2]))
        return 0

    from cockpit.runbooks.index import index_library

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="index-bench-") as temp:
        work = Path(temp)
        library = work / "library"
        generate(library, args.runbooks)
        size = sum(p.stat().st_size for p in library.rglob("*.md"))
        print(
            f"{args.runbooks} runbooks, {size / 1e6:.1f} MB; a finding filed every {args.interval * 1000:.0f} ms "
            f"from another process\n"
        )
        landed = landed_indexer(args.landed)
        rounds = []
        for round_number in range(args.rounds):  # interleaved, so drift on the machine hits both alike
            rounds.append(
                [
                    measure(f"landed ({args.landed})", landed, library, work / f"r{round_number}", args.interval, 1.0),
                    measure("batched (now)", index_library, library, work / f"r{round_number}", args.interval, 1.0),
                ]
            )
        check = quick_check_cost(work / "r0" / "batched (now).db")
    results = [merge([r[i] for r in rounds]) for i in range(2)]
    header = f"{'indexer':<22} {'index s':>8} {'writes':>7} {'failed':>7} {'median ms':>10} {'worst ms':>9}   idle median / worst ms"
    print(header)
    print("-" * len(header))
    for r in results:
        d, i = r["during"], r["idle"]
        print(
            f"{r['indexer']:<22} {r['index_seconds']:>8.2f} {d['writes']:>7} {d['failed']:>7} {d['median_ms']!s:>10} "
            f"{d['worst_ms']!s:>9}   {i['median_ms']} / {i['worst_ms']}"
        )
    errors = sorted({s["error"] for r in results for run in r["rounds"] for s in run["samples"] if s["error"]})
    print(f"\nindex s: median of {args.rounds} rounds; writes pooled over the rounds")
    for error in errors:
        print(f"  failed write: {error}")
    print(
        f"quick_check on the indexed database ({check['mb']} MB): median {check['median_ms']} ms, "
        f"worst {check['worst_ms']} ms over {len(check['each_ms'])} runs (warm)"
    )
    (OUT / "index_write_wait_bench.json").write_text(
        json.dumps(
            {
                "runbooks": args.runbooks,
                "rounds": args.rounds,
                "interval": args.interval,
                "landed": args.landed,
                "python": sys.version,
                "platform": platform.platform(),
                "results": results,
                "quick_check": check,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
