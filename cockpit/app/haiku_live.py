"""Live with the team (issue 15): an intent linked to a H·AI·K·U project keeps its files current.

Write-through: `write_back` exports a linked intent right after a command commits (Engine.run
calls it, so the CLI and the app behave the same). The export compares digests, so files whose
facts did not change are not touched; a conflict or a refused write is returned as a problem to
show, and the database change stays.

Watching: `Watcher` notes the size and modification time of the files the importer reads, per
intent folder; `changes()` says which moved since the last scan (a stat of each, no read).
`refresh` then digests only those and re-imports an intent whose files differ from the digests
cockpit last read or wrote (`haiku_files`): cockpit's own exports record their digests, so they
never set off a re-import.

`Location` says where an intent lives: the database only, or a project folder with its branch,
how far it is ahead of or behind its upstream, the last sync, and conflicts left to resolve.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from cockpit.errors import CockpitError

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Protocol

    from cockpit.app.haiku import IntentImport
    from cockpit.domain.walk import Position
    from cockpit.sources.haiku_writer import ExportReport
    from cockpit.store import haiku_files
    from cockpit.store.database import Store

    class Engine(Protocol):
        """What this module needs of cockpit.app.engine.Engine (which calls it: no import back)."""

        store: Store
        actor: str

        def clock(self) -> datetime: ...

        def position(self, slug: str) -> Position: ...

        def timeline(self, slug: str, limit: int | None = None) -> list[dict[str, Any]]: ...

        def import_haiku(self, path: str | os.PathLike[str]) -> list[IntentImport]: ...


Stamp = tuple[int, int]  # (st_mtime_ns, st_size): a file changed if either moved
CONFLICTS = "cockpit/conflicts"  # cockpit.sources.haiku_writer.CONFLICTS: kept versions of conflicting files


class WriteBack(NamedTuple):
    """What writing a linked intent back to its files did after a command."""

    folder: str
    report: ExportReport | None  # None when the export was refused whole (`error`)
    error: str | None = None

    @property
    def problem(self) -> str | None:
        """One line to show when something was not written; None when every file is current."""
        if self.error:
            return f"not written to {self.folder}: {self.error}"
        conflicts = self.report.conflicts if self.report else ()
        if not conflicts:
            return None
        names = ", ".join(o.path for o in conflicts)
        return (
            f"{len(conflicts)} file(s) of {self.folder} not written, changed there since cockpit read them "
            f"(cockpit's version is in {CONFLICTS}/): {names}"
        )


def write_back(engine: Engine, slug: str, link: haiku_files.Link | None = None) -> WriteBack | None:
    """Export `slug` to the project it is linked with (`link`, when the caller has read it); None
    when it lives in the database only."""
    from cockpit.clock import iso
    from cockpit.sources.haiku_writer import export_intent, intent_folder
    from cockpit.store import haiku_files

    if link is None:
        with engine.store.snapshot():
            link = haiku_files.link(engine.store, engine.store.intent(slug).id)
    if link is None:
        return None
    try:
        if os.path.realpath(intent_folder(link.project, slug)) != os.path.realpath(link.folder):
            raise CockpitError(
                f"the intent was imported from a folder outside {link.project}/.haiku/intents: "
                f"write it with cockpit haiku export {slug} PATH"
            )
        report = export_intent(
            engine.store,
            engine.position(slug),
            link.project,
            timeline=engine.timeline(slug),
            at=iso(engine.clock()),
            actor=engine.actor,
            quiet=True,  # the command's own event is the record; no bookkeeping line per command
        )
    except CockpitError as exc:  # a symbolic link, a read-only folder, a full disk
        return WriteBack(link.folder, None, str(exc))
    return WriteBack(link.folder, report)


# ---------------------------------------------------------------- watching the files


def read_by_import(rel: str) -> bool:
    """Whether the importer reads the file at `rel` (relative to the intent folder): only those
    can change what cockpit holds (cockpit.sources.haiku_intents.read_intent_folder)."""
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts):  # the writer's temporary files, .fsm_checksum
        return False
    if parts == ["intent.md"]:
        return True
    if len(parts) == 2:
        return parts[0] == "feedback" and parts[1].endswith(".md")
    if len(parts) == 3 and parts[0] == "stages":
        return parts[2] in ("state.json", "elaboration.md")
    return len(parts) == 4 and parts[0] == "stages" and parts[2] in ("units", "feedback") and parts[3].endswith(".md")


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as listing:
            return list(listing)
    except OSError:  # absent, or not a folder: nothing the importer reads there
        return []


def _files(folder: Path) -> Iterable[tuple[str, os.stat_result]]:
    """The files the importer reads, where it reads them (not a walk of the whole folder)."""
    candidates: list[tuple[str, Path]] = [("intent.md", folder / "intent.md")]
    candidates += [(f"feedback/{e.name}", Path(e.path)) for e in _entries(folder / "feedback")]
    for stage in _entries(folder / "stages"):
        if not stage.is_dir(follow_symlinks=False):
            continue
        base = f"stages/{stage.name}"
        candidates += [(f"{base}/{name}", Path(stage.path, name)) for name in ("state.json", "elaboration.md")]
        for sub in ("units", "feedback"):
            candidates += [(f"{base}/{sub}/{e.name}", Path(e.path)) for e in _entries(Path(stage.path, sub))]
    for rel, path in candidates:
        if not read_by_import(rel):
            continue
        try:
            st = path.stat()
        except OSError:  # absent (elaboration.md), or removed while scanned: the next scan sees it
            continue
        yield rel, st


def stamps(folder: Path) -> dict[str, Stamp]:
    """Size and modification time of every file the importer reads in the intent folder."""
    return {rel: (st.st_mtime_ns, st.st_size) for rel, st in _files(folder)}


class Watcher:
    """The intent folders of some projects (or single intent folders), scanned for files that moved.

    `prime()` takes the first picture (before the first import: a change made while importing
    is then seen by the next scan); each `changes()` compares with the previous picture. An intent
    folder that appears later (a teammate's new intent, pulled) is all changes."""

    def __init__(self, paths: Sequence[str | os.PathLike[str]]) -> None:
        self.paths = [Path(os.path.expanduser(p)) for p in paths]
        self._seen: dict[Path, dict[str, Stamp]] = {}

    def folders(self) -> list[Path]:
        from cockpit.sources.haiku_intents import intent_folders

        found: dict[Path, None] = {}
        for path in self.paths:
            try:
                found.update(dict.fromkeys(intent_folders(path)[1]))
            except OSError:  # the project is unreachable now (an unmounted disk): try again next time
                continue
        return list(found)

    def prime(self) -> None:
        self._seen = {folder: stamps(folder) for folder in self.folders()}

    def changes(self) -> dict[Path, set[str]]:
        """Per intent folder, the files (relative paths) added, removed or changed since the last scan."""
        out: dict[Path, set[str]] = {}
        now = {folder: stamps(folder) for folder in self.folders()}
        for folder, files in now.items():
            before = self._seen.get(folder, {})
            moved = {rel for rel in files.keys() | before.keys() if files.get(rel) != before.get(rel)}
            if moved:
                out[folder] = moved
        self._seen = now
        return out


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def needs_import(engine: Engine, folder: Path, changed: Iterable[str]) -> bool:
    """Whether a file among `changed` holds bytes other than those cockpit last read or wrote
    (or is new, or is gone): the only changes worth a re-import. Cockpit's own export recorded its
    digests, so it is never one."""
    from cockpit.store import haiku_files

    store = engine.store
    with store.snapshot():
        if folder.name not in store.slugs():
            return True
        known = {row.path: row.sha256 for row in haiku_files.files(store, store.intent(folder.name).id)}
    for rel in changed:
        digest = _sha256(folder / rel)
        if digest is None:
            if rel in known:
                return True
        elif known.get(rel) != digest:
            return True
    return False


def refresh(engine: Engine, changes: dict[Path, set[str]]) -> list[IntentImport]:
    """Re-import each intent folder of `changes` whose files differ from what cockpit holds."""
    done: list[IntentImport] = []
    for folder, changed in changes.items():
        if not needs_import(engine, folder, changed):
            continue
        try:
            done += engine.import_haiku(folder)
        except CockpitError as exc:  # the folder went away between scan and import
            from cockpit.app.haiku import IntentImport

            done.append(IntentImport(folder.name, str(folder), "refused", notes=[str(exc)]))
    return done


def import_lines(results: Sequence[IntentImport]) -> list[str]:
    """What an import (at start, or of a change) has to say: the problems of each intent, one a line."""
    lines = []
    for r in results:
        lines += [f"{r.slug}: {p}" for p in r.problems]
        if r.status == "refused" and not r.problems:
            lines += [f"{r.slug}: not imported: {note}" for note in r.notes] or [f"{r.slug}: not imported"]
    return lines


# ---------------------------------------------------------------- where an intent lives


class Location(NamedTuple):
    """Where an intent lives, for the header: Backend.location fills it from the sync's status
    (cockpit.app.haiku_sync.sync_status: branch, ahead/behind, last sync, its conflicts) and the
    write-back's conflicts and problems."""

    project: str | None = None  # None: the intent lives in the database only
    branch: str | None = None  # None: not in a git work tree
    ahead: int | None = None  # None: the branch tracks no upstream
    behind: int | None = None
    last_sync: str | None = None  # ISO time of the last `cockpit haiku sync`, when known
    conflicts: tuple[str, ...] = ()  # files to resolve: a pull that met ours, or a write-back that met theirs
    problem: str | None = None  # the last write-back that failed in this session


def kept_versions(folder: str | os.PathLike[str]) -> tuple[str, ...]:
    """The files a write-back left alone because they changed on disk (cockpit's version waits in
    cockpit/conflicts/ until the engineer settles it), by their path in the intent folder."""
    kept = Path(folder) / CONFLICTS
    if not kept.is_dir():
        return ()
    return tuple(sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*") if p.is_file()))
