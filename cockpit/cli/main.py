"""`cockpit` command line: the composition root.

Arguments are parsed before anything heavy is imported, so `--help` and usage errors cost only
argparse. This module holds the top-level parser, the dispatch and the exit codes; each command group
registers its subcommands and keeps its handlers in its own module (intents, units, baton, feedback,
gates, runbooks, checks, assist, tui), and each handler imports what it needs. Errors print one line
and exit 1 (75: the database was busy, try again; 70: a bug, whose traceback goes to the log file,
see cockpit/app/crashlog.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from cockpit.cli import assist as cli_assist
from cockpit.cli import baton as cli_baton
from cockpit.cli import checks as cli_checks
from cockpit.cli import export as cli_export
from cockpit.cli import feedback as cli_feedback
from cockpit.cli import gates as cli_gates
from cockpit.cli import haiku as cli_haiku
from cockpit.cli import intents as cli_intents
from cockpit.cli import record as cli_record
from cockpit.cli import runbooks as cli_runbooks
from cockpit.cli import studio as cli_studio
from cockpit.cli import tui as cli_tui
from cockpit.cli import units as cli_units
from cockpit.cli.common import cli_config

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


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
        help="runbook folder, indexed with config `runbooks` (repeatable)",
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
    parser.add_argument(
        "--haiku",
        metavar="PATH",
        action="append",
        help="open the intents of the H·AI·K·U project at PATH with config `haiku`: imported at start, "
        "written back after every change, re-read when their files change (repeatable)",
    )
    parser.set_defaults(handler=cli_tui.open_cockpit)
    if lazy:
        from cockpit.cli.lazy_parser import LazySubParsers

        parser.register("action", "parsers", LazySubParsers)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name: str, help_text: str, handler: Callable, parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(handler=handler)
        return p

    # Each command group keeps its subcommands beside its handlers; the order is `cockpit --help`'s.
    cli_intents.register(sub, cmd)  # studios, new, status
    cli_units.register(sub, cmd)  # unit add|import|edit, ready
    cli_baton.register(sub, cmd)  # signoff, advance, reject, resume
    cli_feedback.register(sub, cmd)  # feedback ...
    cli_gates.register(sub, cmd)  # approve, request-changes
    cli_intents.register_timeline(sub, cmd)
    cli_record.register(sub, cmd)  # star, unstar, note
    cli_export.register(sub, cmd)  # export, postmortem lint
    cli_studio.register(sub, cmd)  # studio upgrade
    cli_haiku.register(sub, cmd)  # haiku import|export
    cli_runbooks.register(sub, cmd)
    cli_checks.register(sub, cmd)
    cli_assist.register(sub, cmd)
    cli_tui.register(sub, cmd)  # demo
    return parser


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
