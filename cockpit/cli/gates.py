"""`cockpit approve` and `request-changes`: the active stage's gate.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

from cockpit.cli.common import run_command
from cockpit.cli.feedback import SEVERITIES

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
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
    p.add_argument(
        "--severity",
        choices=SEVERITIES,
        help="the finding's severity (default: unclassified, which blocks until classified)",
    )
    p.add_argument("--external", metavar="URL", help="changes requested on the external review")


def _approve(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.approve, override=args.override, external_url=args.external)


def _request_changes(args) -> int:
    from cockpit.domain import commands as c

    return run_command(
        args,
        c.request_changes,
        title=args.title,
        body=args.body,
        unit=args.unit,
        external_url=args.external,
        severity=args.severity,
    )
