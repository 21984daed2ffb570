"""`cockpit signoff`, `advance`, `reject` and `resume`: moving a unit's hat baton.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

from cockpit.cli.common import add_root_argument, engine_for, run_command

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
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
    add_root_argument(p)

    p = cmd("reject", "Send a unit back one hat with a reason (starts a new bolt).", _reject)
    p.add_argument("slug")
    p.add_argument("unit")
    p.add_argument("--message", "-m", required=True)

    p = cmd("resume", "Let an escalated unit or finding continue, recording why.", _resume)
    p.add_argument("slug")
    p.add_argument("target", help="unit slug or finding id (FB-007)")
    p.add_argument("--reason", required=True)


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
        return run_command(args, c.advance_hat, unit=args.unit, message=args.message)
    pos = engine_for(args).position(args.slug)
    active = pos.active
    if active is not None and active.phase == "elaborate" and active.units:
        return run_command(args, c.declare_ready)
    movable = [u.unit.slug for u in active.movable] if active else []
    if len(movable) == 1:
        return run_command(args, c.advance_hat, unit=movable[0], message=args.message)
    if movable:
        raise IllegalTransition(f"name the unit to advance: {', '.join(movable)}")
    raise IllegalTransition(f"nothing to advance without a unit: {pos.next.text}")


def _reject(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.reject_hat, unit=args.unit, message=args.message)


def _resume(args) -> int:
    from cockpit.domain import commands as c
    from cockpit.domain.model import ref_number

    is_finding = ref_number(args.target, bare=False) is not None  # a bare number may be a unit's slug
    return run_command(
        args,
        c.resume,
        reason=args.reason,
        unit=None if is_finding else args.target,
        ref=args.target if is_finding else None,
    )
