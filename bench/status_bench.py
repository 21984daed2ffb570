"""How fast do the everyday read commands answer on a big database?

Builds (once, cached at bench/out/big.db) a database of 1,000 incident-response intents holding
50,000 findings, through the real engine and named commands, then times each command as a fresh
subprocess of this interpreter, like a person at a shell would run it:

    python bench/status_bench.py              # build if missing, then 15 runs of each command
    python bench/status_bench.py --runs 30    # more runs
    python bench/status_bench.py --rebuild    # rebuild big.db first

Prints min / median / max wall-clock ms per command and each median as a multiple of the bare
`python -c pass` start-up, and writes the same to bench/out/status_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
OUT = HERE / "out"
DB = OUT / "big.db"

INTENTS = 1_000
FINDINGS_PER_INTENT = 50
UNITS_PER_INTENT = 3
INTENTS_PER_TRANSACTION = 25
SLUG_FORMAT = "bench-incident-{:04d}"
SEVERITIES = ("blocker", "high", "medium", "low", None)  # None: unclassified (a human filed it)
SCRIPT = Path(sys.executable).parent / "cockpit"  # the console script of this interpreter's environment
HEAVY_MODULES = ("sqlite_utils", "yaml", "textual", "rich", "anthropic", "httpx")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_") and k != "PYTHONDONTWRITEBYTECODE"}
    # Compiled modules are cached (outside the tree), as for an installed cockpit: with
    # PYTHONDONTWRITEBYTECODE set in the environment every run would recompile every cockpit module.
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    env["XDG_CONFIG_HOME"] = str(OUT / "no-config")  # a user config must not change what is measured
    env["XDG_CACHE_HOME"] = str(OUT / "cache")  # the studio cache the warm-up run fills, as a second run finds it
    env["COCKPIT_ACTOR"] = "bench"
    return env


# ------------------------------------------------------------------ the database


def _counts(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT (SELECT count(*) FROM intents), (SELECT count(*) FROM feedback)").fetchone()
    finally:
        conn.close()


def _fill_intent(engine, rng: random.Random, n: int) -> None:
    from cockpit.domain import commands as c

    slug = engine.create_intent(
        studio="incident-response",
        title=f"Bench incident {n}: checkout 5xx in region {n % 7}",
        slug=SLUG_FORMAT.format(n),
    )
    units = [f"unit-{k}" for k in range(UNITS_PER_INTENT)]
    for k, unit in enumerate(units):
        engine.run(
            slug,
            c.add_unit,
            title=f"Triage step {k} of incident {n}",
            unit=unit,
            body=f"## Step {k}\nWhat was checked, and what it showed.\n",
            depends_on=tuple(units[:k][-1:]),
        )
    if n % 2:  # half of the intents have moved on to review
        engine.run(slug, c.declare_ready)
    for i in range(1, FINDINGS_PER_INTENT + 1):
        severity = rng.choice(SEVERITIES)
        origin = "user-chat" if severity is None else rng.choice(("user-chat", "adversarial-review", "agent"))
        engine.run(
            slug,
            c.file_feedback,
            title=f"Finding {i} on incident {n}",
            severity=severity,
            origin=origin,
            unit=rng.choice(units) if rng.random() < 0.5 else None,
            body="Observed during the bench build.",
            role="severity-accuracy" if origin == "adversarial-review" else None,
        )
        ref = f"FB-{i:03d}"
        if severity is None and rng.random() < 0.5:
            engine.run(slug, c.classify, ref=ref, severity=rng.choice(SEVERITIES[:4]))
        roll = rng.random()
        if roll < 0.25:
            resolution = rng.choice(("closed", "non_actionable", "rejected"))
            engine.run(
                slug, c.close_finding, ref=ref, resolution=resolution, text=f"{resolution} during the bench build"
            )
        elif roll < 0.35 and severity is not None:
            engine.run(slug, c.advance_fix, ref=ref, message="routed by the classifier")  # opens the fix loop


def build(path: Path) -> None:
    from cockpit.app.engine import Engine
    from cockpit.clock import stepping_clock
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store

    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    rng = random.Random(1234)
    clock = stepping_clock(datetime(2026, 1, 1, tzinfo=UTC), timedelta(seconds=7))
    store = Store(tmp)
    engine = Engine(store, load_catalog(), clock=clock, actor="bench")
    started = time.perf_counter()
    for first in range(0, INTENTS, INTENTS_PER_TRANSACTION):
        with store.writing():  # the commands of a batch share one transaction (each a savepoint)
            for n in range(first, min(first + INTENTS_PER_TRANSACTION, INTENTS)):
                _fill_intent(engine, rng, n)
        done = first + INTENTS_PER_TRANSACTION
        if done % 100 == 0:
            print(
                f"  built {done}/{INTENTS} intents ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True
            )
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("ANALYZE")
    store.close()
    os.replace(tmp, path)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    print(
        f"built {path} in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr
    )


def ensure_db(rebuild: bool) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if DB.exists() and not rebuild:
        try:
            if _counts(DB) == (INTENTS, INTENTS * FINDINGS_PER_INTENT):
                return
        except sqlite3.DatabaseError:
            pass
        print(f"{DB} is not the expected bench database: rebuilding", file=sys.stderr)
    for old in (DB, Path(f"{DB}-wal"), Path(f"{DB}-shm")):
        old.unlink(missing_ok=True)
    sys.path.insert(0, str(REPO_ROOT))
    build(DB)


# ------------------------------------------------------------------ timing


def cases() -> list[tuple[str, list[str]]]:
    slug = SLUG_FORMAT.format(INTENTS // 2)
    db = str(DB)
    return [
        ("python -c pass", ["-c", "pass"]),
        ("cockpit --help", ["-m", "cockpit", "--help"]),
        # The installed console script, what a person runs: no runpy, the script's own `import re`.
        *([("cockpit --help (script)", [str(SCRIPT), "--help"])] if SCRIPT.is_file() else []),
        ("cockpit status --json (all)", ["-m", "cockpit", "status", "--json", "--db", db]),
        ("cockpit status SLUG --json", ["-m", "cockpit", "status", slug, "--json", "--db", db]),
        ("cockpit feedback list SLUG", ["-m", "cockpit", "feedback", "list", slug, "--db", db]),
    ]


def time_case(argv: list[str], runs: int) -> list[float]:
    cmd = [sys.executable, *argv]
    first = subprocess.run(cmd, capture_output=True, text=True, env=_env())  # warm-up: page cache, .pyc files
    if first.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({first.returncode}):\n{first.stderr}")
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


# ------------------------------------------------------------------ what gets imported

PROBE = """
import contextlib, io, json, sys
from cockpit.cli import main as cli
argv = json.loads(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        cli.main(argv)
    except SystemExit:
        pass
print(json.dumps({m: m in sys.modules for m in json.loads(sys.argv[2])}))
"""


def imported_modules(argv: list[str]) -> dict[str, bool]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY_MODULES)],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def top_imports(argv: list[str], n: int = 6) -> list[tuple[str, float]]:
    """The top-level imports that cost the most (cumulative ms), from one `python -X importtime` run."""
    out = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, env=_env())
    costs: dict[str, float] = {}
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:") :].split("|")
        try:
            cumulative = int(parts[1])
        except ValueError:
            continue  # the header line
        name = parts[2].rstrip()
        if name.startswith(" ") and not name.startswith("  "):  # top level: one space of indentation
            costs[name.strip()] = costs.get(name.strip(), 0) + cumulative / 1000
    return sorted(costs.items(), key=lambda kv: -kv[1])[:n]


# ------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild bench/out/big.db")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    ensure_db(args.rebuild)
    intents, findings = _counts(DB)
    print(
        f"database: {DB.relative_to(REPO_ROOT)} — {intents} intents, {findings} findings, {DB.stat().st_size / 1e6:.1f} MB"
    )
    print(f"python:   {sys.executable} ({platform.python_version()}), {args.runs} runs each\n")

    results = []
    for name, argv in cases():
        samples = time_case(argv, args.runs)
        results.append(
            {
                "name": name,
                "argv": argv,
                "min_ms": round(min(samples), 1),
                "median_ms": round(statistics.median(samples), 1),
                "max_ms": round(max(samples), 1),
                "samples_ms": [round(s, 1) for s in samples],
            }
        )
    baseline = results[0]["median_ms"]
    for r in results:
        r["ratio_to_python"] = round(r["median_ms"] / baseline, 2)

    width = max(len(r["name"]) for r in results)
    print(f"{'command':<{width}}  {'min ms':>8}  {'median ms':>9}  {'max ms':>8}  {'× python':>8}")
    for r in results:
        print(
            f"{r['name']:<{width}}  {r['min_ms']:>8.1f}  {r['median_ms']:>9.1f}  {r['max_ms']:>8.1f}  {r['ratio_to_python']:>8.2f}"
        )

    slug = SLUG_FORMAT.format(INTENTS // 2)
    imports = {
        "--help": imported_modules(["--help"]),
        "status SLUG --json": imported_modules(["status", slug, "--json", "--db", str(DB)]),
    }
    costly = {
        "--help": top_imports(["-m", "cockpit", "--help"]),
        "status SLUG --json": top_imports(["-m", "cockpit", "status", slug, "--json", "--db", str(DB)]),
    }
    print("\nheavy modules imported (by running cockpit.cli.main.main in-process):")
    for what, found in imports.items():
        print(f"  {what:<20} " + "  ".join(f"{m}={'yes' if hit else 'no'}" for m, hit in found.items()))
    print("\ncostliest top-level imports (python -X importtime, cumulative ms, one run):")
    for what, top in costly.items():
        print(f"  {what:<20} " + ", ".join(f"{m} {ms:.0f}" for m, ms in top))

    report = {
        "python": sys.executable,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "db": str(DB),
        "intents": intents,
        "findings": findings,
        "runs": args.runs,
        "results": results,
        "imports": imports,
        "top_imports_ms": {k: dict(v) for k, v in costly.items()},
    }
    (OUT / "status_bench.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten: {(OUT / 'status_bench.json').relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
