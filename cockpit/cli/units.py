"""`cockpit unit add|import|edit` and `cockpit ready`: the active stage's unit list.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

import sys
from collections.abc import Callable

from cockpit.cli.common import add_root_argument, run_command

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
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
    add_root_argument(p)


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


def _unit_add(args) -> int:
    from cockpit.domain import commands as c

    return run_command(
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
    return run_command(args, c.import_units, files=tuple(files), stage=args.stage)


def _unit_edit(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.edit_unit, unit=args.unit, body=_read_body(args.body_file))


def _ready(args) -> int:
    from cockpit.domain import commands as c

    return run_command(args, c.declare_ready)
