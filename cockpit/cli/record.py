"""`cockpit star`, `unstar` and `note`: the timeline as the incident's record (what the postmortem
tells is what is starred; a note is the engineer's own line in it).
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

from cockpit.cli.common import engine_for

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
    for name, text, handler in (
        ("star", "Star timeline events (their numbers in `cockpit timeline SLUG`) for the postmortem.", _star),
        ("unstar", "Take the star off timeline events.", _unstar),
    ):
        p = cmd(name, text, handler)
        p.add_argument("slug")
        p.add_argument("events", metavar="EVENT", type=int, nargs="+")
    p = cmd(
        "note",
        "Add a note to the timeline, redacted: `cockpit note SLUG 02:14 paged the database on-call` "
        "(a leading time of day, UTC, says when it happened).",
        _note,
    )
    p.add_argument("slug")
    p.add_argument("text", nargs="+")


def _star(args) -> int:
    return _set_stars(args, True)


def _unstar(args) -> int:
    return _set_stars(args, False)


def _set_stars(args, on: bool) -> int:
    from cockpit.app.timeline import set_star

    engine = engine_for(args)
    for event in args.events:
        print(set_star(engine, args.slug, event, on).summary)
    return 0


def _note(args) -> int:
    from cockpit.app.timeline import add_note

    print(add_note(engine_for(args), args.slug, " ".join(args.text)).summary)
    return 0
