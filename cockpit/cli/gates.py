"""`cockpit approve`, `request-changes` and `submit`: the active stage's gate; `revisit`: send a
stage back to elaborate.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

from cockpit.cli.common import engine_for, run_command
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

    p = cmd(
        "submit",
        "Submit the gate for external review (its PR or ticket URL); with --check, approve it once its branch is merged.",
        _submit,
    )
    p.add_argument("slug")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--url", help="the http(s) URL of the PR, MR or ticket the reviewer decides on")
    what.add_argument(
        "--check",
        action="store_true",
        help="ask git whether the submitted branch is merged into the default branch; approve the gate if it is",
    )
    p.add_argument("--branch", help="the branch under review: its merge into the default branch approves the gate")
    p.add_argument("--repo", default=".", help="the git repository holding the branch (--check; default: here)")
    p.add_argument("--into", help="the branch it must be merged into (--check; default: the default branch)")

    p = cmd(
        "revisit", "Send a stage back to elaborate with a reason; its units stay, its reviews start over.", _revisit
    )
    p.add_argument("slug")
    p.add_argument("stage")
    p.add_argument("--reason", required=True)


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


def _submit(args) -> int:
    from cockpit.domain import commands as c
    from cockpit.errors import CockpitError

    if not args.check:
        if args.into or args.repo != ".":
            raise CockpitError("--repo and --into go with --check")
        return run_command(args, c.submit, url=args.url, branch=args.branch)
    if args.branch:
        raise CockpitError("--branch goes with --url: the submission names the branch")
    return _check_merged(args)


def _check_merged(args) -> int:
    """The git half of `submit --check`: the domain never starts a process (sources.git_merge does)."""
    from cockpit.domain import commands as c
    from cockpit.errors import IllegalTransition
    from cockpit.sources.git_merge import merged

    engine = engine_for(args)
    gate = engine.position(args.slug).active
    submission = gate.gate.submission if gate is not None else None
    if gate is None or submission is None or not submission.branch:
        raise IllegalTransition(
            f"{args.slug}: no submitted gate names a branch to check (cockpit submit {args.slug} --url URL --branch NAME)"
        )
    into = c.check_branch(args.into) if args.into else None
    found = merged(args.repo, submission.branch, into)
    if found is None:
        print(f"{submission.branch} is not merged yet: the {gate.name} gate still awaits {submission.url}")
        return 1
    done = engine.run(args.slug, c.approve_merged, branch=found.branch, into=found.into, commit=found.commit)
    print(done.summary)
    print(f"next: {done.position.next.text}")
    return 0


def _revisit(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.revisit, stage=args.stage, reason=args.reason)
