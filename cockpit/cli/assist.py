"""`cockpit assist` subcommands. Imported by every `cockpit` run: keep it to argparse at import time.

`assist preview` prints what an assist request would send, after redaction, built by the same
path as the app's (cockpit/app/assist_context.py). It never imports the SDK, so it cannot send anything.
"""

from __future__ import annotations

from collections.abc import Callable

from cockpit.assist.tasks import TASKS
from cockpit.cli.common import engine_for, print_json

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
    assist = sub.add_parser(
        "assist",
        help="LLM assist from the command line: see what a request would send.",
        description="LLM assist from the command line. Requests themselves are made from the cockpit screen.",
    ).add_subparsers(dest="assist_command", metavar="ACTION", required=True)

    p = cmd(
        "preview",
        "Print exactly what an assist request would send (after redaction), with what was masked. Sends nothing.",
        _preview,
        assist,
    )
    p.add_argument("slug")
    p.add_argument("unit", nargs="?", help="the unit (draft needs one; review and ask focus on it)")
    p.add_argument("--task", required=True, choices=TASKS)
    p.add_argument("--question", metavar="TEXT", help="the question (ask)")
    p.add_argument("--finding", metavar="REF", help="the finding to classify, e.g. FB-003 (classify)")
    p.add_argument("--reviewer", metavar="NAME", help="the review agent (review; default: the stage's first)")
    p.add_argument("--json", action="store_true", help="the request's blocks, the counts and the suspects as JSON")


def _preview(args) -> int:
    from cockpit.app.assist_context import prompt_for, read_context
    from cockpit.errors import CockpitError

    if args.task == "classify" and not args.finding:
        raise CockpitError("classify needs --finding REF (e.g. FB-003)")
    if args.task == "ask" and not (args.question or "").strip():
        raise CockpitError("ask needs --question TEXT")
    engine = engine_for(args, read_only=True)  # a preview writes nothing
    prompt = prompt_for(
        read_context(engine, args.slug),
        args.task,
        unit=args.unit,
        ref=args.finding,
        reviewer=args.reviewer,
        question=args.question,
    )
    if args.json:
        print_json(_as_json(prompt))
    else:
        print("\n".join(_summary(prompt)) + "\n")
        print(prompt.preview)
    return 0


def _summary(prompt) -> list[str]:
    about = ", ".join(
        f"{label} {value}"
        for label, value in (("unit", prompt.unit), ("finding", prompt.ref), ("reviewer", prompt.reviewer))
        if value
    )
    counts = prompt.redactions
    masked = (
        ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) if counts else "nothing matched a secret pattern"
    )
    lines = [
        f"assist {prompt.task} on {prompt.slug}" + (f" ({about})" if about else "") + ": nothing was sent",
        f"redacted: {masked}",
        f"{len(prompt.preview):,} characters",
    ]
    if prompt.suspects:
        lines.append(
            f"suspects: {len(prompt.suspects)} high-entropy token(s) no pattern explained; the cockpit asks you "
            "to type `send` before sending this"
        )
        lines += [f"  line {s.line}, column {s.column + 1}: {s.shown}, {s.entropy} bits/char" for s in prompt.suspects]
    return lines


def _as_json(prompt) -> dict[str, Any]:
    return {
        "sent": False,
        "task": prompt.task,
        "slug": prompt.slug,
        "unit": prompt.unit,
        "finding": prompt.ref,
        "reviewer": prompt.reviewer,
        "chars": len(prompt.preview),
        "redactions": dict(sorted(prompt.redactions.items())),
        "suspects": [
            {"line": s.line, "column": s.column + 1, "length": s.length, "shown": s.shown, "entropy": s.entropy}
            for s in prompt.suspects
        ],
        "request": {
            "system": list(prompt.system),
            "messages": list(prompt.messages),
            "tools": list(prompt.tools),
            "tool_choice": prompt.tool_choice,
        },
        "preview": prompt.preview,
    }
