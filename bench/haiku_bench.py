"""How fast does cockpit read a H·AI·K·U project, and how soon does a change to its files show?

1. Import: a generated project of 20 intents / 130 units / 75 findings (made in cockpit and
   written out by the exporter, so the files are what the engine and cockpit write), imported by
   `cockpit haiku import PROJECT` as a fresh subprocess into a fresh database; then the same
   import again into the filled database (nothing changed: what `--haiku` pays at every start).
   Baseline in the same run, interleaved: `python -c pass`.
2. Latency: the cockpit screen (headless, Textual's Pilot) open on one intent of the project with
   `--haiku` at its default look every second; a finding's title is edited in its file, and the
   time until the feedback pane lists the new title is taken. Edits are spaced by a random
   fraction of a second so they fall anywhere between two looks. Also: one look at the 20
   intents' files when nothing changed (the watcher's standing cost).

    python bench/haiku_bench.py [--runs 9] [--edits 9]

Writes bench/out/haiku_bench.json. Figures are medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
OUT = HERE / "out"

INTENTS, UNITS, FINDINGS = 20, 130, 75


def build_project(root: Path) -> Path:
    """20 incident-response intents in cockpit, exported to `root/.haiku/intents`: 130 units
    (7 in ten intents, 6 in the others), 75 findings (4 in fifteen, 3 in five), some hats advanced."""
    from cockpit.app.engine import Engine
    from cockpit.clock import iso, system_clock
    from cockpit.domain import commands as c
    from cockpit.sources.haiku_writer import export_intent
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store

    root.mkdir(parents=True, exist_ok=True)
    engine = Engine(Store(root.parent / "build.db"), load_catalog(), clock=system_clock, actor="bench")
    severities = ("blocker", "high", "medium", "low", None)
    for i in range(INTENTS):
        slug = engine.create_intent(
            studio="incident-response", title=f"Incident {i:02d}: checkout errors", slug=f"inc-{i:02d}"
        )
        units = 7 if i < 10 else 6
        for u in range(units):
            engine.run(slug, c.add_unit, title=f"Step {u} of incident {i}", unit=f"step-{u}", body=f"Do step {u}.\n")
        engine.run(slug, c.declare_ready)
        for unit, role in engine.position(slug).active.missing_review:
            engine.run(slug, c.signoff, unit=unit, role=role)
        for u in range(0, units, 2):
            engine.run(slug, c.advance_hat, unit=f"step-{u}", message="started")
        for f in range(4 if i < 15 else 3):
            engine.run(
                slug,
                c.file_feedback,
                title=f"Finding {f} of incident {i}",
                severity=severities[(i + f) % 5],
                unit="step-1",
            )
        export_intent(
            engine.store,
            engine.position(slug),
            root,
            timeline=engine.timeline(slug),
            at=iso(system_clock()),
            actor="bench",
        )
    engine.store.close()
    return root


def bench_env() -> dict[str, str]:
    """As bench/status_bench.py: compiled modules and the studio catalog cached, as on a second run."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(OUT / "pycache"), "XDG_CACHE_HOME": str(OUT / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["XDG_CONFIG_HOME"] = str(OUT / "no-config")  # the user's config (its `haiku` list, its db) stays out
    return env


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr}")
    return elapsed


def bench_import(project: Path, work: Path, runs: int) -> dict:
    env = bench_env()
    py = sys.executable
    cockpit = [py, "-m", "cockpit", "haiku", "import", str(project)]
    samples: dict[str, list[float]] = {"python -c pass": [], "import (fresh database)": [], "re-import (unchanged)": []}
    filled = work / "filled.db"
    first = subprocess.run([*cockpit, "--db", str(filled)], env=env, capture_output=True, text=True, check=False)
    imported = [line for line in first.stdout.splitlines() if ": imported (" in line]  # untimed: fills the caches too
    if first.returncode != 0 or len(imported) != INTENTS:
        raise SystemExit(f"the generated project did not import whole:\n{first.stdout}{first.stderr}")
    timed([py, "-c", "pass"], env)
    for n in range(runs):
        samples["python -c pass"].append(timed([py, "-c", "pass"], env))
        samples["import (fresh database)"].append(timed([*cockpit, "--db", str(work / f"fresh-{n}.db")], env))
        samples["re-import (unchanged)"].append(timed([*cockpit, "--db", str(filled)], env))
    base = statistics.median(samples["python -c pass"])
    rows = {}
    for name, values in samples.items():
        median = statistics.median(values)
        rows[name] = {
            "min": min(values),
            "median": median,
            "max": max(values),
            "ratio": median / base,
            "samples": values,
        }
    return rows


async def bench_latency(project: Path, work: Path, edits: int) -> dict:
    from cockpit.app.engine import Engine
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store
    from screens.app import CockpitApp

    engine = Engine(Store(work / "live.db"), load_catalog(), actor="bench")
    engine.import_haiku(project)
    slug = "inc-03"
    app = CockpitApp(engine, open_slug=slug, haiku=[str(project)])  # the defaults: a look every second
    feedback_dir = project / ".haiku" / "intents" / slug / "stages"
    finding = next(p for p in sorted(feedback_dir.rglob("feedback/*.md")))
    latencies: list[float] = []

    def listed(title: str) -> bool:
        options = app.screen.feedback.options
        return any(title in str(options.get_option_at_index(i).prompt) for i in range(options.option_count))

    async with app.run_test(size=(160, 48)) as pilot:
        while not app.backend.projects_open:
            await pilot.pause(0.05)
        await pilot.pause(1.0)
        from cockpit.app.haiku_live import Watcher

        watcher = Watcher([project])
        watcher.prime()
        scans = []
        for _ in range(20):
            started = time.perf_counter()
            watcher.changes()
            scans.append((time.perf_counter() - started) * 1000)
        for n in range(edits):
            await pilot.pause(random.random())  # anywhere between two looks
            text = finding.read_text()
            old = text.split("title: ", 1)[1].split("\n", 1)[0]
            new = f"Finding retitled {n}"
            finding.write_text(text.replace(f"title: {old}", f"title: {new}", 1))
            started = time.perf_counter()
            while not listed(new):
                await pilot.pause(0.005)
                if time.perf_counter() - started > 10:
                    raise SystemExit(f"the edit {n} did not show within 10 s")
            latencies.append((time.perf_counter() - started) * 1000)
    return {
        "edits": latencies,
        "median": statistics.median(latencies),
        "max": max(latencies),
        "scan_ms_median": statistics.median(scans),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--edits", type=int, default=9)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="haiku-bench-", dir=OUT))
    try:
        project = build_project(work / "project")
        files = sum(1 for p in (project / ".haiku" / "intents").rglob("*") if p.is_file())
        print(f"project: {INTENTS} intents, {UNITS} units, {FINDINGS} findings, {files} files")
        rows = bench_import(project, work, args.runs)
        print(f"\n{'what':<26}{'min':>9}{'median':>9}{'max':>9}{'× python':>10}   ({args.runs} runs, ms)")
        for name, row in rows.items():
            print(f"{name:<26}{row['min']:>9.1f}{row['median']:>9.1f}{row['max']:>9.1f}{row['ratio']:>10.2f}")
        latency = asyncio.run(bench_latency(project, work, args.edits))
        print(
            f"\nfile change → shown on the intent screen (look every 1 s): median {latency['median']:.0f} ms, "
            f"worst {latency['max']:.0f} ms over {args.edits} edits"
        )
        print(f"one look at the 20 intents' files, nothing changed: {latency['scan_ms_median']:.2f} ms (median of 20)")
        result = {
            "python": sys.version,
            "platform": sys.platform,
            "import": rows,
            "latency": latency,
            "project": {"intents": INTENTS, "units": UNITS, "findings": FINDINGS, "files": files},
        }
        (OUT / "haiku_bench.json").write_text(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
