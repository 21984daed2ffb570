"""`cockpit haiku import PATH [--slug SLUG]... [--studio NAME]`: H·AI·K·U intents into the
database (cockpit.app.haiku), registered in the `haiku` group of cockpit.cli.haiku. Imported by
every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

import sys
from collections.abc import Callable

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any


def register(group: Any, cmd: Callable[..., Any]) -> None:
    """Add `import` to the `haiku` group's subparsers (`cmd` as in cli.build_parser)."""
    p = cmd(
        "import",
        "Import H·AI·K·U intents: PATH is a project (holding .haiku/intents, found upward) or one intent "
        "folder. Re-importing updates, never duplicates. Exit 0 when anything imported, 1 when nothing did.",
        _import,
        group,
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--slug", action="append", default=[], metavar="SLUG", help="only this intent (repeatable)")
    p.add_argument("--studio", metavar="NAME", help='the studio of an intent whose intent.md says `studio: ""`')


def _import(args) -> int:
    from cockpit.cli.common import engine_for

    results = engine_for(args).import_haiku(args.path, slugs=args.slug, studio=args.studio)
    for r in results:
        if r.imported:
            counts = f"{r.units} units, {r.findings} findings, {r.stages} stages"
            print(f"{r.slug}: {r.status} (generation {r.generation}): {counts}")
        else:
            print(f"{r.slug}: not imported")
        for problem in r.problems:
            print(f"  {problem}", file=sys.stderr)
        for note in r.notes:
            print(f"  note: {note}")
        for rel in r.vanished:
            print(f"  gone: {rel}: its file is no longer in the folder (its facts are kept)")
    return 0 if any(r.imported for r in results) else 1
