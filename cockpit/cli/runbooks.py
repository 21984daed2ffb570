"""`cockpit runbooks` subcommands. Imported by every `cockpit` run: keep it to argparse at import time."""

from __future__ import annotations

import sys
from collections.abc import Callable

from cockpit.cli.common import cli_config, engine_for, print_json

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
    runbooks = sub.add_parser(
        "runbooks",
        help="The offline runbook library: index, sync, search, show, list, lint.",
        description="The team's runbooks, kept in the cockpit database so they can be searched and read with no network.",
    ).add_subparsers(dest="runbooks_command", metavar="ACTION", required=True)

    p = cmd(
        "index",
        "Index runbook folders (config `runbooks`, --runbooks, DIR; the demo database adds the bundled samples); "
        "only changed files are re-read.",
        _index,
        runbooks,
    )
    p.add_argument("dirs", nargs="*", metavar="DIR", help="more folders, as with --runbooks")
    p.add_argument("--json", action="store_true")

    p = cmd(
        "sync",
        "Fetch markdown runbooks over HTTP into the library (ETag / Last-Modified aware; keeps the last good copy).",
        _sync,
        runbooks,
    )
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument(
        "--timeout", type=float, default=15.0, metavar="SECONDS", help="read timeout per attempt (default 15)"
    )
    p.add_argument("--retries", type=int, default=3, metavar="N", help="retries after the first attempt (default 3)")
    p.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help="overall time for one URL, every attempt included (default: config [runbook_sync] deadline, else 30)",
    )
    p.add_argument(
        "--allow-redirect-host",
        action="append",
        default=[],
        metavar="HOST",
        help="follow redirects to this host too (repeatable; also config [runbook_sync] allow_redirect_hosts)",
    )
    p.add_argument("--json", action="store_true")

    p = cmd(
        "search",
        "Full-text search (bm25): title beats headings beats code beats body; the last word matches as a prefix.",
        _search,
        runbooks,
    )
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=int, default=10, metavar="N")
    p.add_argument("--json", action="store_true")

    p = cmd("show", "Print a runbook: rendered on a terminal, raw markdown when piped (or --raw).", _show, runbooks)
    p.add_argument("name")
    p.add_argument("--raw", action="store_true", help="print the markdown as stored")

    p = cmd("list", "Every runbook with how fresh its copy is (last indexed / last synced).", _list, runbooks)
    p.add_argument("--all", action="store_true", help="include runbooks whose file is gone")
    p.add_argument("--json", action="store_true")

    p = cmd(
        "lint", "Check runbooks against the seed's quality signals; exit 1 on any error-level finding.", _lint, runbooks
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help="lint this folder's files (default: the indexed library)")
    p.add_argument("--json", action="store_true")

    p = cmd(
        "run",
        "Run one code block of a runbook behind its safety gate: a dry run first, then the confirmation "
        "its risk tier needs (read: one key; write: confirm; destructive: type its target); the run is recorded.",
        _run,
        runbooks,
    )
    p.add_argument("name")
    p.add_argument("--block", type=int, metavar="N", help="the block's number (as `runbooks show` numbers them)")
    p.add_argument("--intent", metavar="SLUG", help="record the run in this intent's timeline")
    p.add_argument("--dry-run", action="store_true", help="say exactly what would run, and run nothing")
    p.add_argument("--yes", action="store_true", help="confirm a read or write step (never a destructive one)")
    p.add_argument("--confirm", metavar="TEXT", help="confirm a destructive step by its target (or the block's name)")
    p.add_argument("--cwd", metavar="DIR", help="working directory (default: here)")
    p.add_argument(
        "--timeout", type=float, default=300.0, metavar="S", help="seconds before it is killed (default 300)"
    )
    p.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="give a variable the block uses (repeatable)"
    )
    p.add_argument("--json", action="store_true", help="no live output: the plan and the run as JSON")

    p = cmd(
        "output",
        "A recorded run of a runbook step: what ran, its tier, where and as whom, how it ended, and its "
        "redacted output (head and tail). EVENT is its number in `cockpit timeline SLUG`.",
        _output,
        runbooks,
    )
    p.add_argument("slug")
    p.add_argument("event", type=int, metavar="EVENT")
    p.add_argument("--json", action="store_true")

    p = cmd(
        "relevant",
        "Runbooks for an intent: linked from its units (★), then strong matches of its title (★), then weak ones.",
        _relevant,
        runbooks,
    )
    p.add_argument("slug")
    p.add_argument("--limit", type=int, default=10, metavar="N")
    p.add_argument("--json", action="store_true")


# ------------------------------------------------------------------ handlers (heavy imports inside)


def _warn(line: str) -> None:
    print(f"cockpit: {line}", file=sys.stderr)


def _index(args) -> int:
    import time

    from cockpit.runbooks.index import index_library, library_roots

    engine = engine_for(args)
    roots = library_roots(cli_config().runbooks, args.runbook_dirs or [], args.dirs)
    started = time.perf_counter()
    report = index_library(engine.store, roots, clock=engine.clock)
    elapsed = time.perf_counter() - started
    if args.json:
        print_json(
            {
                "roots": [str(r) for r in roots],
                "added": report.added,
                "changed": report.changed,
                "unchanged": report.unchanged,
                "gone": report.gone,
                "back": report.back,
                "problems": report.problems,
                "notes": report.notes,
                "removed": report.removed,
                "seconds": round(elapsed, 3),
            }
        )
    else:
        print(f"indexed {len(roots)} folder{'s' if len(roots) != 1 else ''} in {elapsed:.2f} s: {report.summary()}")
        for label, names in (
            ("added", report.added),
            ("changed", report.changed),
            ("gone", report.gone),
            ("back", report.back),
            ("samples removed (they belong to the demo database)", report.removed),
        ):
            if names:
                print(f"  {label}: {', '.join(names)}")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in report.problems:
        _warn(problem)
    return 1 if report.problems else 0


def _sync(args) -> int:
    from cockpit.runbooks.sync import SyncPolicy, sync_runbooks
    from cockpit.text.terminal import safe

    deadline, hosts = _sync_settings(args)
    engine = engine_for(args)
    policy = SyncPolicy(
        read_timeout=args.timeout, retries=max(0, args.retries), deadline=deadline, redirect_hosts=hosts
    )
    results = sync_runbooks(engine.store, args.urls, clock=engine.clock, policy=policy)
    if args.json:
        print_json(
            {
                "results": [
                    {"url": r.url, "name": r.name, "status": r.status, "message": r.message, "attempts": r.attempts}
                    for r in results
                ]
            }
        )
    for result in results:  # a message carries a URL, a title or a reason phrase the server chose
        if result.failed:
            _warn(safe(result.message, one_line=True))
        elif not args.json:
            print(f"{result.status:9}  {safe(result.message, one_line=True)}")
    return 1 if any(r.failed for r in results) else 0


def _sync_settings(args) -> tuple[float, frozenset[str]]:
    """(deadline, redirect hosts) from the flags, else the config file's `[runbook_sync]` table."""
    from cockpit.app.config import config_path
    from cockpit.errors import CockpitError
    from cockpit.runbooks.sync import DEFAULT_DEADLINE

    table = cli_config().raw.get("runbook_sync", {})
    where = f"{config_path()}: [runbook_sync]"
    if not isinstance(table, dict):
        raise CockpitError(f"{where} must be a table, e.g. [runbook_sync] deadline = 30")
    deadline = table.get("deadline", DEFAULT_DEADLINE) if args.deadline is None else args.deadline
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or deadline <= 0:
        source = "--deadline" if args.deadline is not None else f"{where} deadline"
        raise CockpitError(f"{source} must be a positive number of seconds, not {deadline!r}")
    hosts = table.get("allow_redirect_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise CockpitError(f'{where} allow_redirect_hosts must be a list of host names, e.g. ["cdn.example.com"]')
    return float(deadline), frozenset(
        h.strip().lower().rstrip(".") for h in [*hosts, *args.allow_redirect_host] if h.strip()
    )


def _search(args) -> int:
    from cockpit.app.steps import last_run_text, last_runs
    from cockpit.runbooks.search import search_runbooks
    from cockpit.text.terminal import safe

    query = " ".join(args.query)
    engine = engine_for(args)
    hits = search_runbooks(engine.store, query, limit=args.limit)
    ran, now = last_runs(engine), engine.clock()
    if args.json:
        print_json(
            {
                "query": query,
                "hits": [
                    {
                        "name": h.name,
                        "title": h.title,
                        "kind": h.kind,
                        "source": h.source,
                        "score": round(h.score, 4),
                        "snippet": h.snippet(),
                        "last_run": last_run_text(ran.get(h.name), now),
                    }
                    for h in hits
                ],
            }
        )
        return 0
    if not hits:
        print(f"no runbook matches {query!r}")
        return 0
    for hit in hits:  # titles and snippets are data: printed through safe()
        print(safe(f"{hit.name}  {hit.title}", one_line=True))
        print(f"    {safe(hit.snippet(), one_line=True)}  · {last_run_text(ran.get(hit.name), now)}")
    return 0


def _show(args) -> int:
    from cockpit.runbooks.library import freshness, get_runbook

    engine = engine_for(args)
    runbook = get_runbook(engine.store, args.name)
    if runbook.gone:
        _warn(f"{runbook.name}: its file {runbook.source} is gone; showing the last copy")
    if args.raw or not sys.stdout.isatty():
        sys.stdout.write(runbook.content if runbook.content.endswith("\n") else runbook.content + "\n")
        return 0
    from rich.console import Console  # only for a person at a terminal
    from rich.markdown import Markdown

    from cockpit.text.terminal import safe, styled_stdout

    # Rich writes escape codes of its own, so it gets the stream under the safe one, and only text
    # already made safe; no OSC 8 hyperlinks either (a runbook's link target is data).
    console = Console(file=styled_stdout())
    # Freshness first, the source on its own line: a long install path must not push it off line 1.
    console.print(
        safe(f"{runbook.name} · {freshness(runbook, engine.clock())}"), style="dim", markup=False, highlight=False
    )
    console.print(safe(runbook.source), style="dim", markup=False, highlight=False, soft_wrap=True)
    body = numbered_blocks(runbook.content.splitlines(), runbook.doc)[runbook.doc.body_start - 1 :]
    console.print(Markdown(safe("\n".join(body)), hyperlinks=False))
    return 0


def numbered_blocks(lines: list[str], doc) -> list[str]:
    """The runbook's lines with a line above each fenced block giving its number (what
    `runbooks run --block N` takes) and its risk tier, indented as the fence is."""
    from cockpit.runbooks.steps import steps_of

    out = list(lines)
    for step in reversed(steps_of(doc)):
        fence = out[step.line - 1]
        indent = fence[: len(fence) - len(fence.lstrip())]
        tier = step.risk if step.refusal() is None else "not run"
        out[step.line - 1 : step.line - 1] = [f"{indent}**block {step.number}** · {tier}", ""]
    return out


def _list(args) -> int:
    from cockpit.app.report import table
    from cockpit.app.steps import last_run_text, last_runs
    from cockpit.runbooks.library import freshness, library_freshness, list_runbooks

    engine = engine_for(args)
    now = engine.clock()
    infos = list_runbooks(engine.store, include_gone=args.all)
    ran = last_runs(engine)
    if args.json:
        print_json(
            {
                "library": library_freshness(engine.store, now),
                "runbooks": [
                    {
                        "name": i.name,
                        "title": i.title,
                        "kind": i.kind,
                        "source": i.source,
                        "indexed_at": i.indexed_at,
                        "checked_at": i.checked_at,
                        "fetched_at": i.fetched_at,
                        "gone_at": i.gone_at,
                        "last_error": i.last_error,
                        "freshness": freshness(i, now),
                        "last_run": last_run_text(ran.get(i.name), now),
                    }
                    for i in infos
                ],
            }
        )
        return 0
    if not infos:
        print("no runbooks yet: `cockpit runbooks index` (or `cockpit runbooks sync URL`)")
        return 0
    print(library_freshness(engine.store, now))
    rows = [["name", "title", "from", "freshness", "last run"]]
    rows += [[i.name, i.title, i.kind, freshness(i, now), last_run_text(ran.get(i.name), now)] for i in infos]
    print("\n".join(table(rows, indent="")))
    return 0


def _lint(args) -> int:
    from cockpit.runbooks.library import list_runbooks
    from cockpit.runbooks.lint import ERROR, lint_folder, lint_library

    if args.dir:
        findings = lint_folder(args.dir)
    else:
        engine = engine_for(args)
        if not list_runbooks(engine.store):
            _warn("the library is empty: `cockpit runbooks index` first, or name a folder")
            return 1
        findings = lint_library(engine.store)
    errors = sum(f.level == ERROR for f in findings)
    warnings = len(findings) - errors
    if args.json:
        print_json({"findings": [f.to_json() for f in findings], "errors": errors, "warnings": warnings})
    else:
        for finding in findings:
            print(finding)
        print(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    return 1 if errors else 0


def _run(args) -> int:
    """Plan, show, confirm, run, record; the exit code mirrors the step's (124 timed out, 130 cancelled)."""
    from cockpit.app.steps import plan_step, run_planned
    from cockpit.errors import CockpitError

    given = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CockpitError(f"--var {item!r}: give NAME=VALUE")
        given[name.strip()] = value
    engine = engine_for(args)
    plan = plan_step(engine, args.name, args.block, slug=args.intent, cwd=args.cwd, timeout=args.timeout, given=given)
    interactive = sys.stdin.isatty() and not args.json
    if plan.missing and interactive and not args.dry_run and not plan.refusal:
        plan = plan.given({name: input(f"${name} = ").strip() for name in plan.missing})
    if args.json and args.dry_run:
        print_json({"plan": plan.to_json()})
        return 0
    if not args.json:
        print("\n".join(plan.dry_run()))
    if args.dry_run:
        return 0
    if plan.refusal:
        raise CockpitError(plan.refusal)
    if plan.missing:
        raise CockpitError(f"not run: give {', '.join(f'--var {m}=VALUE' for m in plan.missing)}")
    rule = plan.confirmation
    if args.yes or args.confirm is not None or not interactive:
        refused = rule.from_script(yes=args.yes, confirm=args.confirm)
        if refused:
            raise CockpitError(f"not run: {refused}")
    elif not _confirmed(rule):
        _warn("not run: not confirmed")
        return 1
    lines = None if args.json else (lambda line: print(line, flush=True))
    recorded = run_planned(engine, plan, on_line=lines)
    run = recorded.run
    if args.json:
        print_json(
            {
                "plan": plan.to_json(),
                "run": {
                    "outcome": run.outcome,
                    "exit_code": run.exit_code,
                    "duration_ms": run.duration_ms,
                    "output": run.output,
                    "output_bytes": run.output_bytes,
                    "truncated": run.truncated,
                    "event_id": recorded.event_id,
                },
            }
        )
    print(f"cockpit: {recorded.summary}", file=sys.stderr)
    if run.interrupted:
        raise KeyboardInterrupt
    return _exit_code(run.outcome, run.exit_code)


def _output(args) -> int:
    from dataclasses import asdict

    from cockpit.app.steps import run_of_event, run_text
    from cockpit.errors import NotFound
    from cockpit.text.terminal import safe

    engine = engine_for(args)
    record = run_of_event(engine, args.event)
    if record is None or record.slug != args.slug:
        raise NotFound(
            f"{args.slug} has no run recorded by event #{args.event} (`cockpit timeline {args.slug}` numbers its events)"
        )
    if args.json:
        print_json({"run": asdict(record)})
    else:  # the output was redacted before it was stored; safe() keeps what it printed from driving this terminal
        sys.stdout.write(safe(run_text(record, engine.clock())))
    return 0


def _confirmed(rule) -> bool:
    """Ask at the terminal as the tier says: one key (Enter or y), a yes, or the target typed."""
    if rule.kind == "key":
        return input(f"{rule.prompt} [Y/n] ").strip().lower() in ("", "y", "yes")
    if rule.kind == "confirm":
        return input(f"{rule.prompt} [y/N] ").strip().lower() in ("y", "yes")
    return rule.accepts(input(f"{rule.prompt}: "))


def _exit_code(outcome: str, code: int | None) -> int:
    if outcome == "exited" and code is not None:
        return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell says
    return {"timeout": 124, "cancelled": 130, "not_started": 127}.get(outcome, 1)


def _relevant(args) -> int:
    from cockpit.runbooks.relevance import relevant_runbooks
    from cockpit.text.terminal import safe

    engine = engine_for(args)
    found = relevant_runbooks(engine.store, engine.store.facts(args.slug), limit=args.limit)
    if args.json:
        print_json(
            {
                "slug": args.slug,
                "runbooks": [
                    {"name": r.name, "title": r.title, "reason": r.reason, "starred": r.starred, "detail": r.detail}
                    for r in found
                ],
            }
        )
        return 0
    if not found:
        print("no runbook is linked from or matches this intent")
    for r in found:  # a title, a link and a unit slug are data: printed through safe()
        print(safe(f"{'★' if r.starred else ' '} {r.name}  {r.title}  ({r.reason}: {r.detail})", one_line=True))
    return 0
