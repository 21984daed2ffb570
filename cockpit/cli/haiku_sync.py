"""`cockpit haiku sync [SLUG] [--project PATH]` and `cockpit haiku resolve SLUG FILE --take
ours|theirs` (cockpit.app.haiku_sync), registered in the `haiku` group of cockpit.cli.haiku.
Imported by every `cockpit` run: keep it to the standard library at import time."""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

    from cockpit.app.haiku_sync import ConflictView, ProjectSync, SyncStatus


def register(group: Any, cmd: Callable[..., Any]) -> None:
    """Add `sync` and `resolve` to the `haiku` group's subparsers (`cmd` as in cli.build_parser)."""
    p = cmd(
        "sync",
        "Write intents back to their files, commit each intent's folder (one commit, saying what changed), and "
        "when the branch has an upstream pull with rebase, re-import and push. A file both sides changed is kept "
        "in both versions and must be resolved (cockpit haiku resolve) before anything is pushed. "
        "Exit 0 when everything synced, 1 otherwise.",
        _sync,
        group,
    )
    p.add_argument("slug", nargs="?", help="default: every intent that lives in a project (of --project)")
    p.add_argument(
        "--project", metavar="PATH", help="only this project's intents; intents the pull brings are imported"
    )
    p.add_argument("--json", action="store_true", help="what was committed, pulled, pushed and in conflict, as JSON")
    p = cmd(
        "resolve",
        "Decide a conflict a sync met: --take theirs writes the upstream's version over ours and imports it; "
        "--take ours keeps ours. The next sync merges the upstream with that side and pushes.",
        _resolve,
        group,
    )
    p.add_argument("slug")
    p.add_argument("file", help="the file as the sync named it (relative to the intent folder)")
    p.add_argument("--take", required=True, choices=("ours", "theirs"))


def _conflict_line(c: ConflictView) -> str:
    decided = f" (decided: {c.take}; the next sync merges it)" if c.take else ""
    return (
        f"conflict  {c.slug}: {c.file}{decided}\n"
        f"  ours:   {c.ours} ({c.ours_commit[:10]})\n"
        f"  theirs: {c.theirs} ({c.theirs_commit[:10]})\n"
        f"  cockpit haiku resolve {c.slug} {c.file} --take ours|theirs"
    )


def _lines(result: ProjectSync) -> list[str]:
    lines = []
    for i in result.intents:
        if i.export_conflicts:
            lines += [f"{i.slug}: not committed: the export left files alone"] + [f"  {c}" for c in i.export_conflicts]
        elif i.commit:
            lines.append(f"{i.slug}: committed {i.commit[:10]} {(i.message or '').splitlines()[0]}")
        else:
            lines.append(f"{i.slug}: nothing to commit")
    for r in result.imported:
        if r.status != "unchanged":
            lines.append(f"{r.slug}: {r.status} from the pulled files")
    lines += [_conflict_line(c) for c in result.conflicts]
    where = f"{result.branch or 'detached HEAD'}" + (f" → {result.upstream}" if result.upstream else " (no upstream)")
    done = ", ".join(w for w, did in (("pulled", result.pulled), ("pushed", result.pushed)) if did) or "not pulled"
    lines.append(f"{result.project} ({where}): {done}" + (f"; {result.problem}" if result.problem else ""))
    return lines


def _status_json(s: SyncStatus) -> dict[str, Any]:
    return {
        "slug": s.slug,
        "project": s.project,
        "branch": s.branch,
        "upstream": s.upstream,
        "ahead": s.ahead,
        "behind": s.behind,
        "last_sync_at": s.last_sync_at,
        "last_commit": s.last_commit,
        "conflicts": [_conflict_json(c) for c in s.conflicts],
    }


def _conflict_json(c: ConflictView) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "file": c.file,
        "ours": c.ours,
        "theirs": c.theirs,
        "ours_commit": c.ours_commit,
        "theirs_commit": c.theirs_commit,
        "take": c.take,
    }


def _sync(args) -> int:
    from cockpit.app.haiku_sync import sync, sync_status
    from cockpit.cli.common import engine_for, print_json

    engine = engine_for(args)
    results = sync(engine, args.slug, project=args.project)
    if args.json:
        print_json(
            [
                {
                    "project": r.project,
                    "branch": r.branch,
                    "upstream": r.upstream,
                    "pulled": r.pulled,
                    "pushed": r.pushed,
                    "problem": r.problem,
                    "intents": [
                        {
                            "slug": i.slug,
                            "commit": i.commit,
                            "message": i.message,
                            "export_conflicts": i.export_conflicts,
                            "status": _status_json(sync_status(engine, i.slug)),
                        }
                        for i in r.intents
                    ],
                    "imported": [{"slug": i.slug, "status": i.status} for i in r.imported],
                    "conflicts": [_conflict_json(c) for c in r.conflicts],
                }
                for r in results
            ]
        )
    else:
        for r in results:
            print("\n".join(_lines(r)))
    return 0 if all(r.ok for r in results) else 1


def _resolve(args) -> int:
    from cockpit.app.haiku_sync import resolve
    from cockpit.cli.common import engine_for

    c = resolve(engine_for(args), args.slug, args.file, args.take)
    kept = "the upstream's version is now the file, imported" if c.take == "theirs" else "our version stays"
    print(f"{c.slug}: {c.file}: took {c.take} ({kept}); the next cockpit haiku sync merges and pushes")
    return 0
