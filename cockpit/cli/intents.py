"""`cockpit studios`, `new`, `status` and `timeline`: opening intents and reading where they stand.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

import sys
from collections.abc import Callable

from cockpit.cli.common import add_root_argument, cli_config, engine_for, print_json

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

    from cockpit.app.engine import Engine
    from cockpit.domain.walk import Position


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
    p = cmd(
        "studios",
        "List studios: stages, hats with their hand-off items, reviewers with their checks, gate kinds, "
        "and which definition each id resolves to and from where (shadowed ones named).",
        _studios,
    )
    p.add_argument("--json", action="store_true")

    p = cmd("new", "Open a new intent (an incident or an operations change); prints its slug.", _new)
    p.add_argument("--studio", required=True, help="studio name or alias, e.g. incident-response")
    p.add_argument("--title", required=True)
    p.add_argument("--slug")
    p.add_argument("--description", default="")
    p.add_argument("--stages", metavar="A,B", help="walk only these stages (quick mode), in the studio's order")
    p.add_argument("--skip", metavar="A,B", help="stages this intent skips (shown as skipped, never pending)")

    p = cmd("status", "Where an intent stands (or every intent, most urgent first) and the next action.", _status)
    p.add_argument("slug", nargs="?")
    p.add_argument("--json", action="store_true")
    add_root_argument(p)


def register_timeline(sub: Any, cmd: Callable[..., Any]) -> None:
    """`cockpit timeline`, listed after the gate commands in `cockpit --help` (so registered apart)."""
    p = cmd(
        "timeline",
        "Every recorded action on an intent, oldest first: when (with its UTC offset, and how long ago), "
        "who, and hand-offs as giver → taker.",
        _timeline,
    )
    p.add_argument("slug")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, help="only the last N events")


def _studios(args) -> int:
    from cockpit.app import report
    from cockpit.sources.studios import load_catalog

    catalog = load_catalog([*cli_config().studios, *(args.studios or [])])
    studios = sorted(catalog.studios.values(), key=lambda s: s.name)
    shadowed = [
        {**report.studio_json(s.studio), "shadowed_by": list(s.by)}
        for s in sorted(catalog.shadowed, key=lambda s: s.studio.name)
    ]
    if args.json:
        print_json(
            {
                "studios": [report.studio_json(s) for s in studios],
                "resolves": catalog.resolutions(),
                "shadowed": shadowed,
                "problems": [str(p) for p in catalog.problems],
            }
        )
    else:
        import os
        import shutil

        # On a terminal, wrapped with a hanging indent (it would fold long items to column 0);
        # piped to a script or a file, one entry per line.
        on_screen = sys.stdout.isatty() or "COLUMNS" in os.environ
        width = shutil.get_terminal_size((80, 24)).columns if on_screen else 10_000
        print("\n\n".join(report.studio_text(s, width) for s in studios) or "no studios loaded")
        if studios:
            print("\nids (case-insensitive):")
            for ident, name in catalog.resolutions().items():
                print(report.wrapped(f"{ident} → {name}  {report.studio_origin(catalog.studios[name])}", 2, 6, width))
        for s in shadowed:
            print(
                report.wrapped(
                    f"shadowed: {s['name']} from {s['source']} (by {', '.join(s['shadowed_by'])})", 0, 2, width
                )
            )
    for problem in catalog.problems:
        print(f"cockpit: {problem}", file=sys.stderr)
    return 1 if catalog.problems else 0


def _new(args) -> int:
    def names(text: str | None) -> list[str]:
        return [n for n in (text or "").split(",") if n.strip()]

    print(
        engine_for(args).create_intent(
            studio=args.studio,
            title=args.title,
            slug=args.slug,
            description=args.description,
            stages=names(args.stages) if args.stages is not None else None,
            skip_stages=names(args.skip),
        )
    )
    return 0


def _status(args) -> int:
    from cockpit.app import report

    engine = engine_for(args)
    if args.slug:
        pos = engine.position(args.slug)
        drift = engine.studio_drift(args.slug)  # the studio's files differ from the definition it walks by
        missing = _missing_artifacts(engine, pos)  # required discovery / outputs not in the project
        if args.json:
            print_json(
                {
                    **report.position_json(pos),
                    "studio_drift": drift.as_json() if drift else None,
                    "missing_artifacts": missing,
                }
            )
        else:
            print(
                "\n".join(
                    [
                        report.position_text(pos),
                        *(f"holds   {line}" for line in missing),
                        *([drift.line] if drift else []),
                    ]
                )
            )
        return 0
    results = engine.overviews()
    overviews = sorted((o for o in results if not isinstance(o, Exception)), key=report.urgency_key)
    problems = [str(o) for o in results if isinstance(o, Exception)]
    if args.json:
        print_json({"intents": [report.overview_json(o) for o in overviews], "problems": problems})
    elif overviews:
        print("\n".join(report.table(report.overview_rows(overviews), indent="")))
    else:
        print("no intents yet: `cockpit new --studio incident-response --title ...` or `cockpit demo`")
    for problem in problems:
        print(f"cockpit: {problem}", file=sys.stderr)
    return 0


def _missing_artifacts(engine: Engine, pos: Position) -> list[str]:
    """`status`'s lines on the active stage's required artifacts missing from the project."""
    if engine.project is None:  # no project at hand: nothing looked for (and nothing imported)
        return []
    from cockpit.domain.required_artifacts import status_lines

    active = pos.active
    if active is None:
        return []
    found = engine.artifacts_on_disk(pos.studio, pos.facts.intent.slug)
    return status_lines(active.stage, active.phase, pos.facts.intent.slug, found, str(engine.project))


def _timeline(args) -> int:
    from cockpit.app.timeline import timeline_text

    engine = engine_for(args)
    events = engine.timeline(args.slug, args.limit)
    if args.json:
        from cockpit.app.steps import run_refs
        from cockpit.domain.record import kind_of, starred

        stars = starred(engine.timeline(args.slug) if args.limit else events)  # a star may predate --limit's window
        runs = run_refs(engine, args.slug)  # a run's output is in its row: `runbooks output SLUG EVENT` prints it
        marked = [
            {**e, "kind": kind_of(e["command"]), "starred": e["id"] in stars, **_run_ref(runs.get(e["id"]))}
            for e in events
        ]
        print_json({"slug": args.slug, "events": marked})
    else:
        print(timeline_text(events, engine.clock()))  # how long ago by the engine's clock, not the wall's
    return 0


def _run_ref(run_id: int | None) -> dict[str, int]:
    """A `runbook_run` event's reference to its run (`run_id`); other events have none."""
    return {} if run_id is None else {"run_id": run_id}
