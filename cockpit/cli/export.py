"""`cockpit export` (the postmortem and the incident as data) and `cockpit postmortem lint`.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

from cockpit.cli.common import engine_for

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

LAYOUTS = ("google", "pagerduty", "incident-io")  # cockpit.app.postmortem.LAYOUTS (not imported for --help)


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add `cockpit export` and `cockpit postmortem lint` (`cmd` as in cli.build_parser)."""
    p = cmd(
        "export",
        "Export an incident: postmortem.md in a layout's sections, incident.json (the whole incident) and "
        "timeline.jsonl (one event per line), redacted; the same database gives the same bytes.",
        _export,
    )
    p.add_argument("slug")
    p.add_argument("--format", choices=("md", "json", "jsonl", "all"), default="all")
    p.add_argument("--out", metavar="DIR", default=".", help="folder to write into (made if missing; default: here)")
    p.add_argument("--layout", choices=LAYOUTS, default="google", help="the postmortem's sections (default: google)")
    postmortem = sub.add_parser("postmortem", help="The postmortem of an incident.").add_subparsers(
        dest="postmortem_command", metavar="ACTION", required=True
    )
    p = cmd(
        "lint",
        "Lint an incident's postmortem (as `cockpit export` writes it, or a file): required sections, timeline "
        "in UTC and in order, every action item with an owner and a due date, impact quantified.",
        _lint,
        postmortem,
    )
    p.add_argument("slug")
    p.add_argument("--layout", choices=LAYOUTS, default="google")
    p.add_argument("--file", metavar="PATH", help="lint this postmortem.md instead of the one the export would write")


def _export(args) -> int:
    from cockpit.app.export import FORMATS, export

    formats = FORMATS if args.format == "all" else (args.format,)
    for path in export(engine_for(args), args.slug, formats, args.out, args.layout):
        print(f"wrote {path}")
    return 0


def _lint(args) -> int:
    from cockpit.app.postmortem import lint

    if args.file:
        from pathlib import Path

        from cockpit.errors import CockpitError

        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CockpitError(f"{args.file}: cannot read the postmortem ({exc})") from None
        where = args.file
    else:
        from cockpit.app.export import rendered

        text = rendered(engine_for(args), args.slug, ["md"], args.layout)["postmortem.md"]
        where = f"{args.slug} postmortem.md ({args.layout})"
    failed = 0
    for result in lint(text):
        print(f"{result.status:4}  {result.check}  {result.note if not result.failed else ''}".rstrip())
        for problem in result.problems:
            print(f"      {where}: {problem.located()}")
        failed += result.failed
    return 1 if failed else 0
