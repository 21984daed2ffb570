"""`cockpit feedback add|list|show|classify|advance|send-back|close|reject`: findings and their fix loop.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

from cockpit.cli.common import engine_for, print_json, run_command

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

SEVERITIES = ("blocker", "high", "medium", "low")


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
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
    p = cmd(
        "list", "Findings, blocking ones first, then blocker → low, then id (open only unless --all).", _fb_list, fb
    )
    p.add_argument("slug")
    p.add_argument("--all", action="store_true")
    p.add_argument("--json", action="store_true")
    p = cmd(
        "show",
        "One finding in full: body, origin, severity history, fix loop, escalation and closure.",
        _fb_show,
        fb,
    )
    p.add_argument("slug")
    p.add_argument("id", help="the finding: FB-007, fb7 or 7")
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


def _fb_add(args) -> int:
    from cockpit.domain import commands as c

    return run_command(
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


def _fb_show(args) -> int:
    from cockpit.app import report
    from cockpit.domain.finding_detail import finding_detail

    engine = engine_for(args)
    with engine.store.snapshot():  # the position and its events from one moment
        detail = finding_detail(engine.position(args.slug), args.id, engine.timeline(args.slug))
    if args.json:
        print_json({"slug": args.slug, "feedback": report.finding_detail_json(detail)})
    else:
        print(report.finding_detail_text(detail))
    return 0


def _fb_classify(args) -> int:
    from cockpit.domain import commands as c

    invalidates = tuple(args.invalidates) if args.invalidates is not None else None
    return run_command(args, c.classify, ref=args.id, severity=args.severity, unit=args.unit, invalidates=invalidates)


def _fb_advance(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.advance_fix, ref=args.id, message=args.message)


def _fb_send_back(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.reject_fix, ref=args.id, reason=args.reason)


def _fb_close(args) -> int:
    from cockpit.domain import commands as c

    if args.non_actionable is not None:
        return run_command(args, c.close_finding, ref=args.id, resolution="non_actionable", text=args.non_actionable)
    return run_command(args, c.close_finding, ref=args.id, resolution="closed", text=args.reply)


def _fb_reject(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.close_finding, ref=args.id, resolution="rejected", text=args.reason)
