"""`cockpit check` subcommand. Imported by every `cockpit` run: keep it to argparse at import time."""

from __future__ import annotations

import sys
from collections.abc import Callable

from cockpit.cli.common import engine_for, print_json

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

MARKS = {"pass": "✓ pass", "fail": "✗ FAIL", "skip": "- skip"}


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
    p = cmd(
        "check",
        "Run the engine's quality checks (and confirmed quality-gate commands) on an intent's units; "
        "files, updates or closes their findings. Exit 1 if a blocking check fails or a declared "
        "quality gate was not run.",
        _check,
    )
    p.add_argument("slug")
    p.add_argument("unit", nargs="?", help="only this unit (default: every unit of the stages that declare checks)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--dry-run", action="store_true", help="only report: file, update and close nothing, run no commands"
    )
    p.add_argument(
        "--yes", action="store_true", help="confirm the unit's quality-gate commands without asking (for scripts)"
    )
    p.add_argument(
        "--root",
        metavar="DIR",
        help="the project checkout: quality-gate `dir:` paths start here (default: the "
        "current directory), and the files units list under Artifacts produced are scanned for secrets; a path leading "
        "outside it (../, absolute, a symlink out) is refused",
    )
    p.add_argument(
        "--timeout", type=float, default=300.0, metavar="SECONDS", help="per quality-gate command (default 300)"
    )


# ------------------------------------------------------------------ handler (heavy imports inside)


def _check(args) -> int:
    from cockpit.domain import check_runs, commands
    from cockpit.errors import NotFound
    from cockpit.severity import is_blocking

    engine = engine_for(args)
    if args.runbook_dirs:  # bring those folders into the library the alert check consults
        from cockpit.runbooks.index import index_library, library_roots
        from cockpit.runbooks.lookup import library_lookup

        index_library(engine.store, library_roots(args.runbook_dirs), clock=engine.clock)
        engine.runbooks = library_lookup(engine.store)
    pos = engine.position(args.slug)
    if args.unit and not any(s.unit(args.unit) for s in pos.stages):
        raise NotFound(f"intent {args.slug} has no unit {args.unit!r}")
    gate_lines, gate_json, not_run = _quality_gates(engine, args)
    if not args.dry_run:
        pos = engine.position(args.slug)
    artifacts = None
    if args.root:
        from cockpit.sources.artifacts import read_all

        artifacts = read_all(
            {u.unit.slug: u.unit.body for s in pos.stages if s.stage.checks for u in s.units}, args.root
        )
    reports = check_runs.evaluate(pos, engine.runbooks, unit=args.unit, artifacts=artifacts)
    active = pos.active
    filing = active is not None and bool(active.stage.checks) and any(r.stage == active.name for r in reports)
    changes: dict[str, list[str]] = {"filed": [], "updated": [], "closed": [], "waived": []}
    if filing and active is not None:  # `filing` already says so; the type checker needs it spelt out
        # What run_checks would write; it re-decides inside its own transaction.
        preview = check_runs.reconcile(pos, [r for r in reports if r.stage == active.name], now="")
        changes = preview.data()
        if preview.writes and not args.dry_run:
            unit = args.unit if args.unit and active.unit(args.unit) else None
            engine.run(args.slug, commands.run_checks, unit=unit, artifacts=artifacts)
            pos = engine.position(args.slug)
    tracked = check_runs.latest_findings(pos)
    blocking = any(g.get("confirmed") and not g.get("passed") for g in gate_json)  # a failed gate is a blocker
    blocking = blocking or bool(not_run)  # a gate the unit declares is not passed by not running it
    units_json: list[dict[str, Any]] = []
    lines: list[str] = []
    for report in reports:
        lines.append(_unit_heading(report, active))
        rows = []
        for result in report.results:
            finding = tracked.get((report.unit.unit.id, result.check)) if result.failed else None
            waived = finding is not None and finding.resolution in check_runs.WAIVERS
            blocks = result.failed and is_blocking(result.severity, engine.threshold) and not waived
            blocking = blocking or blocks
            rows.append(_result_json(result, blocks, finding))
            lines += _result_lines(result, finding, waived)
        units_json.append(
            {
                "unit": report.slug,
                "stage": report.stage,
                "hat": report.unit.hat,
                "status": report.unit.status,
                "engaged": report.engaged,
                "results": rows,
            }
        )
    if args.json:
        print_json(
            {
                "slug": args.slug,
                "dry_run": args.dry_run,
                "units": units_json,
                "findings": changes,
                "quality_gates": gate_json,
                "gates_not_run": not_run,
                "blocking": blocking,
            }
        )
        return 1 if blocking else 0
    if not reports:
        lines.append(f"no checks to run: no stage of {pos.studio.name} with units declares `checks:`")
    if gate_lines:
        lines += ["quality gates", *gate_lines]
    if not_run:
        lines.append(f"quality gates not run{' (dry run)' if args.dry_run else ''}: {', '.join(not_run)}")
    done = ", ".join(f"{verb} {' '.join(refs)}" for verb, refs in changes.items() if refs)
    if args.dry_run:
        lines.append(
            f"findings (dry run, nothing written): would have {done}" if done else "findings: no change (dry run)"
        )
    elif filing:
        lines.append(f"findings: {done}" if done else "findings: no change")
    else:
        lines.append("findings: none filed (only the active stage's units file findings)")
    print("\n".join(lines))
    return 1 if blocking else 0


def _unit_heading(report: Any, active: Any) -> str:
    where = f"{report.stage}" + (
        "" if active is not None and active.name == report.stage else " (not the active stage)"
    )
    state = f"at {report.unit.hat}" if report.unit.hat else report.unit.status
    draft = "" if report.engaged else " — draft: findings are filed once it reaches its last hat"
    return f"{report.slug}  [{where}, {state}]{draft}"


def _result_lines(result: Any, finding: Any, waived: bool) -> list[str]:
    head = f"  {MARKS[result.status]}  {result.check:<24}"
    if not result.failed:
        return [f"{head}  {'skipped: ' if result.status == 'skip' else ''}{result.note}"]
    if finding is None:
        ref = ""
    elif waived:
        ref = f" — waived: {finding.ref} {finding.resolution.replace('_', '-')}"
    else:
        ref = f" → {finding.ref}" + ("" if finding.is_open else f" ({finding.resolution})")
    out = [f"{head}  {result.severity}{ref}"]
    out += [f"      {problem.located()}" for problem in result.problems]
    return out


def _result_json(result: Any, blocks: bool, finding: Any) -> dict[str, Any]:
    return {
        "check": result.check,
        "status": result.status,
        "severity": result.severity,
        "blocking": blocks,
        "problems": [{"message": p.message, "section": p.section, "line": p.line} for p in result.problems],
        "note": result.note,
        "finding": finding.ref if finding is not None else None,
    }


def _quality_gates(engine: Any, args: Any) -> tuple[list[str], list[dict[str, Any]], list[str]]:
    """Run the confirmed quality-gate commands of the named unit (or of every unit of the active
    stage) and record them. An unconfirmed command is shown and asked about, or confirmed by --yes;
    declined or unanswerable (no terminal) ones are listed, never run. A malformed entry, a command
    with control characters or a dir outside the root is refused before anyone is asked.

    Returns the report lines, the JSON rows, and `unit: gate (why)` for each declared gate that
    did not run (--dry-run runs none): `check` fails on those, so a skipped gate never reads as passed."""
    from cockpit.domain import commands
    from cockpit.domain.gates import gate_entries
    from cockpit.domain.model import unit_meta
    from cockpit.sources.quality_gates import refusal, run_gate
    from cockpit.text.terminal import safe

    pos = engine.position(args.slug)
    if args.unit:
        units = [u for s in pos.stages for u in s.units if u.unit.slug == args.unit]
    else:
        units = list(pos.active.units) if pos.active is not None else []
    root = args.root or "."
    confirmed: dict[str, set[str]] = {}
    wanted = [(u, *gate_entries(unit_meta(u.unit))) for u in units]
    if any(specs for _u, specs, _p in wanted):
        for event in engine.timeline(args.slug):
            if event["command"] == "confirm_quality_gates":
                confirmed.setdefault(event["unit"], set()).update(g["digest"] for g in event["data"]["gates"])
    lines: list[str] = []
    shown: list[dict[str, Any]] = []
    not_run: list[str] = []
    for unit, specs, problems in wanted:
        slug = unit.unit.slug
        for index, problem in problems:
            lines.append(f"  ✗ refused  {slug}: {problem}")
            not_run.append(
                f"{slug}: " + (f"quality gate #{index + 1}" if index is not None else "quality_gates") + " (refused)"
            )
        refused = {s.digest: reason for s in specs if (reason := refusal(s, root)) is not None}
        for spec in specs:
            if spec.digest in refused:
                lines.append(f"  ✗ refused  {slug}: {spec.describe()} — {refused[spec.digest]}")
                shown.append(
                    {
                        "unit": slug,
                        "name": spec.name,
                        "check": spec.check_id,
                        "confirmed": False,
                        "refused": refused[spec.digest],
                    }
                )
                not_run.append(f"{slug}: {safe(spec.name, one_line=True)} (refused)")
        specs = [s for s in specs if s.digest not in refused]
        if not specs:
            continue
        if args.dry_run:
            not_run += [f"{slug}: {safe(s.name, one_line=True)} (dry run)" for s in specs]
            continue
        fresh = [s for s in specs if s.digest not in confirmed.get(slug, set())]
        # The prompt shows the command through `safe` (describe): every byte that would run, controls as pictures.
        allowed = fresh if args.yes else [s for s in fresh if _ask(f"{slug}: run quality gate {s.describe()}? [y/N] ")]
        if allowed:
            gates = tuple(
                {"name": s.name, "command": s.command, "dir": s.dir, "expect": s.expect, "digest": s.digest}
                for s in allowed
            )
            engine.run(args.slug, commands.confirm_quality_gates, unit=slug, gates=gates)
            confirmed.setdefault(slug, set()).update(s.digest for s in allowed)
        runs = [run_gate(s, root, args.timeout) for s in specs if s.digest in confirmed.get(slug, set())]
        for spec in specs:
            if spec.digest not in confirmed.get(slug, set()):
                lines.append(
                    f"  ? gate  {slug}: {spec.describe()} — not confirmed, not run (confirm at a terminal, or --yes)"
                )
                shown.append({"unit": slug, "name": spec.name, "check": spec.check_id, "confirmed": False})
                not_run.append(f"{slug}: {safe(spec.name, one_line=True)} (not confirmed)")
        if runs:
            done = engine.run(
                args.slug, commands.record_quality_gates, unit=slug, runs=tuple(r.to_json() for r in runs)
            )
            for run in runs:
                mark = MARKS["pass" if run.passed else "fail"]
                lines.append(f"  {mark}  {run.check:<24}  {slug}: `{safe(run.to_json()['command'])}` {run.outcome()}")
                if not run.passed and run.tail:
                    lines += [f"      | {line}" for line in run.tail.splitlines()[-5:]]
                shown.append({"unit": slug, "confirmed": True, **run.to_json()})
            lines.append(f"  recorded: {done.summary}")
    return lines, shown, not_run


def _ask(prompt: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input(prompt).strip().lower() in ("y", "yes")
    except EOFError:
        return False
