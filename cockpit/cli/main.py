"""`cockpit` command line: the composition root.

Arguments are parsed before anything heavy is imported, so `--help` and usage errors cost only
argparse. Each handler imports what it needs. Errors print one line and exit 1 (75: the database was
busy, try again; 70: a bug, whose traceback goes to the log file, see cockpit/app/crashlog.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from cockpit.cli import assist as cli_assist
from cockpit.cli import checks as cli_checks
from cockpit.cli import runbooks as cli_runbooks
from cockpit.cli.common import cli_config, engine_for, print_json

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any, Concatenate, ParamSpec

    from cockpit.domain.change import Change, Ctx
    from cockpit.domain.walk import Position
    from screens.app import CockpitApp  # at run time through cockpit.cli.ui: installed, it is cockpit.screens

    P = ParamSpec("P")  # annotations only (postponed): never evaluated at run time

SEVERITIES = ("blocker", "high", "medium", "low")
DEMO_INCIDENT = "checkout-5xx-cert-rotation"  # demo.INCIDENT, named here so the screen opens before the core loads


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options every command takes. On subcommands their defaults are suppressed, so
    `cockpit --db X status` and `cockpit status --db X` both work (argparse would otherwise
    let the subcommand's default overwrite the value given before it)."""
    unset = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=unset,
        help="SQLite file (default: $COCKPIT_DB, config `db`, or $XDG_DATA_HOME/cockpit/cockpit.db)",
    )
    common.add_argument(
        "--studios", metavar="DIR", action="append", default=unset, help="extra studio folder (repeatable)"
    )
    common.add_argument(
        "--runbooks",
        metavar="DIR",
        action="append",
        dest="runbook_dirs",
        default=unset,
        help="runbook folder, indexed with the bundled samples and config `runbooks` (repeatable)",
    )
    common.add_argument(
        "--actor", metavar="NAME", default=unset, help="who is acting (default: $COCKPIT_ACTOR or your login)"
    )
    common.add_argument(
        "--read-only",
        action="store_true",
        default=unset if suppress else False,
        help="open the database read-only: reads work (also on a read-only mount), every write is refused",
    )
    return common


def build_parser(*, lazy: bool = True) -> argparse.ArgumentParser:
    """`lazy`: each subcommand's parser is built when a command line reaches it (see lazy_parser.py)."""
    common = _common(suppress=True)
    parser = argparse.ArgumentParser(
        prog="cockpit",
        description="Terminal incident cockpit: stage walk, hat baton, severity-sorted feedback, gates. "
        "With no command it opens the cockpit screen.",
        epilog="Every command takes --db PATH. Run `cockpit demo` to try it on sample incidents. "
        "Exit status: 0 done; 1 refused or failed (one line says why); 2 bad usage; "
        "75 the database is busy (another process held its write lock past $COCKPIT_BUSY_TIMEOUT, "
        "default 15 s): try again; 70 internal error (the traceback is in "
        "$XDG_STATE_HOME/cockpit/cockpit.log).",
        parents=[_common(suppress=False)],
    )
    parser.set_defaults(handler=_tui)
    if lazy:
        from cockpit.cli.lazy_parser import LazySubParsers

        parser.register("action", "parsers", LazySubParsers)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name: str, help_text: str, handler: Callable, parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(handler=handler)
        return p

    p = cmd("studios", "List studios with their stages, hats, fix hats and gate kinds.", _studios)
    p.add_argument("--json", action="store_true")

    p = cmd("new", "Open a new intent (an incident or an operations change); prints its slug.", _new)
    p.add_argument("--studio", required=True, help="studio name or alias, e.g. incident-response")
    p.add_argument("--title", required=True)
    p.add_argument("--slug")
    p.add_argument("--description", default="")

    p = cmd("status", "Where an intent stands (or every intent, most urgent first) and the next action.", _status)
    p.add_argument("slug", nargs="?")
    p.add_argument("--json", action="store_true")

    units = sub.add_parser("unit", help="Add or edit units of work.").add_subparsers(
        dest="unit_command", metavar="ACTION", required=True
    )
    p = cmd("add", "Add a unit to the active stage (or --stage).", _unit_add, units)
    p.add_argument("slug")
    p.add_argument("--title", required=True)
    p.add_argument("--unit-slug", dest="unit_slug", help="the unit's own slug (default: from the title)")
    p.add_argument("--stage")
    p.add_argument("--depends-on", action="append", default=[], metavar="UNIT")
    p.add_argument("--body-file", metavar="FILE", help="markdown body ('-' reads standard input)")
    p = cmd(
        "import", "Import H·AI·K·U unit files (or folders of them); any problem imports nothing.", _unit_import, units
    )
    p.add_argument("slug")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--stage")
    p = cmd("edit", "Replace a unit's body from a file.", _unit_edit, units)
    p.add_argument("slug")
    p.add_argument("unit")
    p.add_argument("--body-file", metavar="FILE", required=True, help="markdown body ('-' reads standard input)")

    p = cmd("ready", "Declare the active stage's unit list ready (ends elaborate).", _ready)
    p.add_argument("slug")

    p = cmd("signoff", "Sign a unit off as one of the stage's review agents (review or approve phase).", _signoff)
    p.add_argument("slug")
    p.add_argument("unit", nargs="?", help="default: every unit still waiting on this reviewer")
    p.add_argument("--role", required=True, help="review agent, e.g. correctness")
    p.add_argument("--note")

    p = cmd(
        "advance", "Hand a unit's baton to its next hat (or start it); without UNIT, the one obvious step.", _advance
    )
    p.add_argument("slug")
    p.add_argument("unit", nargs="?")
    p.add_argument("--message", "-m", help="hand-off message for the next hat")

    p = cmd("reject", "Send a unit back one hat with a reason (starts a new bolt).", _reject)
    p.add_argument("slug")
    p.add_argument("unit")
    p.add_argument("--message", "-m", required=True)

    p = cmd("resume", "Let an escalated unit or finding continue, recording why.", _resume)
    p.add_argument("slug")
    p.add_argument("target", help="unit slug or finding id (FB-007)")
    p.add_argument("--reason", required=True)

    fb = sub.add_parser("feedback", help="File findings and walk their fix loop.").add_subparsers(
        dest="fb_command", metavar="ACTION", required=True
    )
    p = cmd("add", "File a finding (unclassified findings always block until classified).", _fb_add, fb)
    p.add_argument("slug")
    p.add_argument("--title", required=True)
    p.add_argument("--body", default="")
    p.add_argument("--severity", choices=SEVERITIES)
    p.add_argument("--unit")
    p.add_argument("--stage")
    p.add_argument("--origin", default="user-chat")
    p.add_argument("--role", help="for review findings: the review agent filing it (its review re-runs once fixed)")
    p = cmd("list", "Findings sorted blocker → low, then id (open only unless --all).", _fb_list, fb)
    p.add_argument("slug")
    p.add_argument("--all", action="store_true")
    p.add_argument("--json", action="store_true")
    p = cmd(
        "classify",
        "Set a finding's severity, target unit or invalidated roles (the classifier's call).",
        _fb_classify,
        fb,
    )
    p.add_argument("slug")
    p.add_argument("id")
    p.add_argument("--severity", choices=SEVERITIES)
    p.add_argument("--unit")
    p.add_argument("--invalidates", action="append", metavar="ROLE")
    p = cmd(
        "advance",
        "Hand a finding to its next fix hat; on the last hat, --message is the closure reply.",
        _fb_advance,
        fb,
    )
    p.add_argument("slug")
    p.add_argument("id")
    p.add_argument("--message", "-m")
    p = cmd("send-back", "Send a finding back one fix hat, naming what is still open (new bolt).", _fb_send_back, fb)
    p.add_argument("slug")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p = cmd("close", "Close a finding: fixed (--reply) or non-actionable (--non-actionable).", _fb_close, fb)
    p.add_argument("slug")
    p.add_argument("id")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--reply", help="what was done")
    how.add_argument("--non-actionable", dest="non_actionable", metavar="MESSAGE", help="why no fix applies")
    p = cmd("reject", "Close a finding as invalid, with a reason (clears no sign-offs).", _fb_reject, fb)
    p.add_argument("slug")
    p.add_argument("id")
    p.add_argument("--reason", required=True)

    p = cmd("approve", "Approve the active stage's gate; past blocking feedback only with --override.", _approve)
    p.add_argument("slug")
    p.add_argument("--override", metavar="REASON")
    p.add_argument(
        "--external", metavar="URL", help="record an external/await approval (PR, ticket) instead of the ask path"
    )

    p = cmd("request-changes", "Request changes at the gate: files a finding that runs the fix loop.", _request_changes)
    p.add_argument("slug")
    p.add_argument("--title", required=True)
    p.add_argument("--body", default="")
    p.add_argument("--unit")
    p.add_argument("--external", metavar="URL", help="changes requested on the external review")

    p = cmd("timeline", "Every recorded action on an intent, oldest first.", _timeline)
    p.add_argument("slug")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, help="only the last N events")

    # Runbooks, quality checks and assist keep their own subcommands beside their code.
    cli_runbooks.register(sub, cmd)
    cli_checks.register(sub, cmd)
    cli_assist.register(sub, cmd)

    p = cmd("demo", "Seed sample incidents (idempotent) into the demo database and open the cockpit on them.", _demo)
    p.add_argument("--no-tui", action="store_true", help="only seed and print the slugs")
    return parser


# ------------------------------------------------------------------ wiring


def _read_body(path: str | None) -> str:
    if path is None:
        return ""
    if path == "-":
        return sys.stdin.read()
    from cockpit.errors import CockpitError

    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CockpitError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None


def _run(args, command: Callable[Concatenate[Position, Ctx, P], Change], *a: P.args, **kwargs: P.kwargs) -> int:
    """Apply `command` (a function of cockpit.domain.commands, its keywords checked by the type
    checker) to the intent `args.slug` and say what it did and what comes next."""
    done = engine_for(args).run(args.slug, command, *a, **kwargs)
    print(done.summary)
    print(f"next: {done.position.next.text}")
    return 0


# ------------------------------------------------------------------ handlers


def _studios(args) -> int:
    from cockpit.app import report
    from cockpit.sources.studios import load_catalog

    catalog = load_catalog([*cli_config().studios, *(args.studios or [])])
    studios = sorted(catalog.studios.values(), key=lambda s: s.name)
    if args.json:
        print_json(
            {"studios": [report.studio_json(s) for s in studios], "problems": [str(p) for p in catalog.problems]}
        )
    else:
        print("\n\n".join(report.studio_text(s) for s in studios) or "no studios loaded")
    for problem in catalog.problems:
        print(f"cockpit: {problem}", file=sys.stderr)
    return 1 if catalog.problems else 0


def _new(args) -> int:
    print(
        engine_for(args).create_intent(
            studio=args.studio, title=args.title, slug=args.slug, description=args.description
        )
    )
    return 0


def _status(args) -> int:
    from cockpit.app import report

    engine = engine_for(args)
    if args.slug:
        pos = engine.position(args.slug)
        if args.json:
            print_json(report.position_json(pos))
        else:
            print(report.position_text(pos))
        return 0
    results = engine.overviews()
    overviews = sorted((o for o in results if not isinstance(o, Exception)), key=report.urgency_key)
    problems = [str(o) for o in results if isinstance(o, Exception)]
    if args.json:
        print_json({"intents": [report.overview_json(o) for o in overviews], "problems": problems})
    elif overviews:
        print("\n".join(report.table(report.overview_rows(overviews), indent="")))
    else:
        print("no intents yet: `cockpit new --studio incident-response --title ...` or `cockpit demo`")
    for problem in problems:
        print(f"cockpit: {problem}", file=sys.stderr)
    return 0


def _unit_add(args) -> int:
    from cockpit.domain import commands as c

    return _run(
        args,
        c.add_unit,
        title=args.title,
        unit=args.unit_slug,
        stage=args.stage,
        depends_on=tuple(args.depends_on),
        body=_read_body(args.body_file),
    )


def _unit_import(args) -> int:
    from cockpit.domain import commands as c
    from cockpit.sources.unit_files import read_unit_files

    files, problems = read_unit_files(args.paths)
    if not files and not problems:
        problems_text = "no unit files (*.md) found in " + ", ".join(args.paths)
        print(f"cockpit: {problems_text}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"cockpit: {problem}", file=sys.stderr)
    if problems:
        print("cockpit: nothing imported", file=sys.stderr)
        return 1
    return _run(args, c.import_units, files=tuple(files), stage=args.stage)


def _unit_edit(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.edit_unit, unit=args.unit, body=_read_body(args.body_file))


def _ready(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.declare_ready)


def _signoff(args) -> int:
    from cockpit.domain import commands
    from cockpit.errors import IllegalTransition

    engine = engine_for(args)
    if args.unit:
        units = [args.unit]
    else:
        active = engine.position(args.slug).active
        units = [u for u, role in (active.missing_signoffs if active else ()) if role == args.role]
        if not units:
            where = f" ({active.name} is in {active.phase})" if active else ""
            raise IllegalTransition(f"no unit waits on a sign-off from {args.role}{where}")
    for unit in units:
        done = engine.run(args.slug, commands.signoff, unit=unit, role=args.role, note=args.note)
        print(done.summary)
    print(f"next: {done.position.next.text}")
    return 0


def _advance(args) -> int:
    from cockpit.domain import commands as c
    from cockpit.errors import IllegalTransition

    if args.unit:
        return _run(args, c.advance_hat, unit=args.unit, message=args.message)
    pos = engine_for(args).position(args.slug)
    active = pos.active
    if active is not None and active.phase == "elaborate" and active.units:
        return _run(args, c.declare_ready)
    movable = [u.unit.slug for u in active.movable] if active else []
    if len(movable) == 1:
        return _run(args, c.advance_hat, unit=movable[0], message=args.message)
    if movable:
        raise IllegalTransition(f"name the unit to advance: {', '.join(movable)}")
    raise IllegalTransition(f"nothing to advance without a unit: {pos.next.text}")


def _reject(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.reject_hat, unit=args.unit, message=args.message)


def _resume(args) -> int:
    from cockpit.domain import commands as c
    from cockpit.domain.model import ref_number

    is_finding = ref_number(args.target, bare=False) is not None  # a bare number may be a unit's slug
    return _run(
        args,
        c.resume,
        reason=args.reason,
        unit=None if is_finding else args.target,
        ref=args.target if is_finding else None,
    )


def _fb_add(args) -> int:
    from cockpit.domain import commands as c

    return _run(
        args,
        c.file_feedback,
        title=args.title,
        body=args.body,
        severity=args.severity,
        unit=args.unit,
        origin=args.origin,
        stage=args.stage,
        role=args.role,
    )


def _fb_list(args) -> int:
    from cockpit.app import report

    pos = engine_for(args).position(args.slug)
    findings = pos.findings if args.all else pos.open_findings
    if args.json:
        print_json({"slug": args.slug, "feedback": [report.finding_json(f) for f in findings]})
    elif findings:
        print("\n".join(report.table(report.finding_rows(findings), indent="")))
        print("* blocks the gate")
    else:
        print("no open findings" if not args.all else "no findings")
    return 0


def _fb_classify(args) -> int:
    from cockpit.domain import commands as c

    invalidates = tuple(args.invalidates) if args.invalidates is not None else None
    return _run(args, c.classify, ref=args.id, severity=args.severity, unit=args.unit, invalidates=invalidates)


def _fb_advance(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.advance_fix, ref=args.id, message=args.message)


def _fb_send_back(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.reject_fix, ref=args.id, reason=args.reason)


def _fb_close(args) -> int:
    from cockpit.domain import commands as c

    if args.non_actionable is not None:
        return _run(args, c.close_finding, ref=args.id, resolution="non_actionable", text=args.non_actionable)
    return _run(args, c.close_finding, ref=args.id, resolution="closed", text=args.reply)


def _fb_reject(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.close_finding, ref=args.id, resolution="rejected", text=args.reason)


def _approve(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.approve, override=args.override, external_url=args.external)


def _request_changes(args) -> int:
    from cockpit.domain import commands as c

    return _run(args, c.request_changes, title=args.title, body=args.body, unit=args.unit, external_url=args.external)


def _timeline(args) -> int:
    from cockpit.app import report

    events = engine_for(args).timeline(args.slug, args.limit)
    if args.json:
        print_json({"slug": args.slug, "events": events})
    else:
        print(report.timeline_text(events))
    return 0


def _demo(args) -> int:
    from cockpit.app.config import default_db_path

    db = str(default_db_path().with_name("demo.db"))
    if args.no_tui:
        from cockpit.app import demo

        engine = engine_for(args, default_db=db, read_only=False)  # seeding writes, whatever --read-only says
        for slug, created in demo.seed(engine):
            print(f"{slug}\t{'seeded' if created else 'already there'}")
        print(f"database: {engine.store.path}  (try: cockpit status --db {engine.store.path})")
        return 0

    def open_seeded():
        from cockpit.app import demo

        engine = engine_for(args, default_db=db, read_only=False, warn=False)  # --read-only then holds in the screen
        demo.seed(engine)
        return engine

    return _launch(open_seeded, args, open_slug=DEMO_INCIDENT)


def _tui(args) -> int:
    return _launch(lambda: engine_for(args, warn=False), args)


def _launch(open_engine: Callable[[], Any], args, open_slug: str | None = None) -> int:
    """Open the cockpit screen at once; the engine opens in a worker after the first frame."""
    from cockpit.errors import CockpitError

    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise CockpitError("the cockpit screen needs a terminal; for scripts use a command (cockpit --help)")
    config = cli_config()
    from cockpit.cli.ui import ui_module  # the UI is imported only here

    if config.keys:  # a typo in [keys] is said at start, not found when the key does nothing
        from cockpit.app.config import check_keys

        check_keys(config, ui_module("keymap").binding_ids())
    cockpit_app: type[CockpitApp] = ui_module("app").CockpitApp

    runbook_dirs = [*config.runbooks, *(args.runbook_dirs or [])]
    app = cockpit_app(
        open_engine, read_only=args.read_only, open_slug=open_slug, keymap=config.keys, runbook_dirs=runbook_dirs
    )
    app.run()
    if app.startup_error is not None:
        raise app.startup_error
    if app.crash_line is not None:  # a bug ended the app: its traceback is in the log
        print(app.crash_line, file=sys.stderr)
        from cockpit.errors import EX_SOFTWARE

        return EX_SOFTWARE
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cli_config.cache_clear()  # read once per invocation, afresh for each
    from cockpit.errors import CockpitError
    from cockpit.text.terminal import safe, safe_stdio

    try:
        with safe_stdio():  # whatever a handler prints from data reaches the terminal inert
            return args.handler(args)
    except CockpitError as exc:
        for line in str(exc).splitlines():  # one line per problem (usually exactly one); they quote data
            print(f"cockpit: {safe(line)}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)  # a StoreBusy says 75: try again
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cockpit timeline x | head`
        return 0
    except Exception as exc:  # a bug: one line here, the traceback in the log
        from cockpit.app import crashlog
        from cockpit.errors import EX_SOFTWARE

        print(crashlog.record(exc), file=sys.stderr)
        return EX_SOFTWARE
