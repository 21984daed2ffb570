"""`cockpit studio upgrade SLUG`: move an intent onto its studio's definition on disk.

An intent walks by the studio definition it was pinned to; this shows what the files on disk
change (stages, hats, fix hats, gates, reviewers), refuses a change that would orphan recorded
facts (cockpit.domain.studio_upgrade), and re-pins only when the person agrees (or --yes).
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

import sys
from collections.abc import Callable

from cockpit.cli.common import engine_for, print_json

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

    from cockpit.domain.studio_upgrade import UpgradePlan


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add `cockpit studio ...` to the top-level parser (`cmd` as in cli.build_parser)."""
    studio = sub.add_parser("studio", help="Move an intent onto its studio's files as they are now.").add_subparsers(
        dest="studio_command", metavar="ACTION", required=True
    )
    p = cmd(
        "upgrade",
        "Show what the studio's files on disk change for an intent (stages, hats, gates, reviewers) and, "
        "once agreed, walk it by them; refused when recorded facts would be orphaned.",
        _upgrade,
        studio,
    )
    p.add_argument("slug")
    p.add_argument("--yes", action="store_true", help="upgrade without asking")
    p.add_argument("--json", action="store_true", help="the changes as JSON; upgrades only with --yes")


def _short(digest: str | None) -> str:
    from cockpit.domain.studio_upgrade import short

    return short(digest) if digest else "none"


def _describe(plan: UpgradePlan) -> list[str]:
    if plan.pinned is None:
        return [
            f"{plan.slug} was made before cockpit pinned studio definitions: it walks by studio {plan.studio} "
            f"as the files are now ({_short(plan.current)}); pinning it there changes nothing in its walk"
        ]
    lines = [f"{plan.slug}: studio {plan.studio} {_short(plan.pinned)} → {_short(plan.current)}"]
    return lines + [f"  {line}" for line in plan.diff.lines()]


def _confirm(question: str) -> bool:
    print(f"{question} [y/N] ", end="", flush=True)
    try:
        answer = sys.stdin.readline()
        if not sys.stdin.isatty():  # nobody typed Enter: end the prompt's line
            print()
    except (OSError, ValueError):
        return False
    return answer.strip().lower() in ("y", "yes")


def _upgrade(args) -> int:
    from cockpit.errors import CockpitError

    engine = engine_for(args)
    plan = engine.studio_upgrade_plan(args.slug)
    if args.json:
        print_json(plan.as_json())
    elif plan.up_to_date:
        print(
            f"{args.slug} is up to date: it walks by studio {plan.studio} as its files are now ({_short(plan.current)})"
        )
    else:
        print("\n".join(_describe(plan)))
    if plan.up_to_date:
        return 0
    if plan.orphans:
        raise CockpitError(
            f"{args.slug} was not upgraded: it would orphan recorded facts:\n"
            + "\n".join(f"  {o}" for o in plan.orphans)
        )
    agreed = args.yes or (
        not args.json and _confirm(f"walk {args.slug} by studio {plan.studio} {_short(plan.current)}?")
    )
    if not agreed:
        print("nothing was changed", file=sys.stderr)
        return 1
    print(engine.upgrade_studio(args.slug, to=plan.current).summary)
    return 0
