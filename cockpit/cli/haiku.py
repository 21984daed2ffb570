"""`cockpit haiku ...`: an intent and its files in a H·AI·K·U project (`.haiku/intents/<slug>/`).

`export SLUG PATH` writes the intent into the project at PATH in the generation it came from (the
newest, v4, for an intent born in cockpit): cockpit.sources.haiku_writer. Imported by every
`cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

from cockpit.cli.common import engine_for, print_json

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

    from cockpit.sources.haiku_writer import ExportReport


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add `cockpit haiku ...` to the top-level parser (`cmd` as in cli.build_parser)."""
    haiku = sub.add_parser("haiku", help="Intents as files in a H·AI·K·U project (.haiku/intents).").add_subparsers(
        dest="haiku_command", metavar="ACTION", required=True
    )
    p = cmd(
        "export",
        "Write an intent into the H·AI·K·U project at PATH (PATH/.haiku/intents/SLUG), changing only what "
        "differs; a file edited there since cockpit last wrote it is left alone and reported as a conflict.",
        _export,
        haiku,
    )
    p.add_argument("slug")
    p.add_argument("path", help="the project folder (it holds, or will hold, .haiku/intents)")
    p.add_argument("--json", action="store_true", help="what was written, unchanged and conflicting, as JSON")
    from cockpit.cli import haiku_import

    haiku_import.register(haiku, cmd)  # haiku import
    from cockpit.cli import haiku_sync

    haiku_sync.register(haiku, cmd)  # haiku sync, haiku resolve


def report_lines(report: ExportReport) -> list[str]:
    """One line per file that was not left unchanged, then a summary line."""
    lines = []
    for o in report.files:
        if o.status == "unchanged":
            continue
        detail = f": {o.reason}" if o.reason else ""
        if o.kept:
            detail += f"; cockpit's version is in {o.kept}"
        lines.append(f"{o.status:<9} {o.path}{detail}")
    counts = [(len(report.having(s)), s) for s in ("created", "written", "unchanged", "conflict", "refused")]
    summary = ", ".join(f"{n} {s}" for n, s in counts if n)
    lines.append(f"{report.slug} → {report.folder} (generation {report.generation}): {summary or 'nothing to write'}")
    return lines


def _export(args) -> int:
    from cockpit.clock import iso
    from cockpit.sources.haiku_writer import export_intent

    engine = engine_for(args)
    position = engine.position(args.slug)
    report = export_intent(
        engine.store,
        position,
        args.path,
        timeline=engine.timeline(args.slug),
        at=iso(engine.clock()),
        actor=engine.actor,
    )
    if args.json:
        print_json(
            {
                "slug": report.slug,
                "folder": report.folder,
                "generation": report.generation,
                "files": [
                    {"path": o.path, "status": o.status, "reason": o.reason or None, "kept": o.kept}
                    for o in report.files
                ],
            }
        )
    else:
        print("\n".join(report_lines(report)))
    return 1 if report.conflicts else 0
