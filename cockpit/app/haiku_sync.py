"""`cockpit haiku sync` and `cockpit haiku resolve`: an intent's files shared through git (issue 15).

A sync, per project: write each intent back to its files (cockpit.sources.haiku_writer), commit
each intent's folder alone with a message that says what changed since its last sync (one commit
per intent per sync; cockpit.domain.haiku_sync_message), then, when the branch has an upstream,
pull with rebase, re-import the project's intents so teammates' work appears, and push
(cockpit.sources.haiku_git). Everything before the pull works offline.

Conflicts are never lost and never written over:
* the export's own (a file edited on disk since cockpit last read or wrote it): nothing of that
  project is committed, pulled or pushed; cockpit's version is in `cockpit/conflicts/<file>`;
  `cockpit haiku import` takes the files' version in, or edit them, then sync again.
* the pull's (both sides changed one file): the rebase is aborted, so our commit stays and the
  file holds our version; the upstream's version is copied beside it, to
  `<intent>/cockpit/conflicts/<file>.theirs` (never committed), and the conflict is recorded
  (m010 `haiku_conflicts`: file, our commit, their commit, the copy). Nothing is pushed while a
  conflict is undecided. `cockpit haiku resolve SLUG FILE --take theirs` writes the upstream's
  version over ours and imports it; `--take ours` keeps ours. The next sync merges the upstream
  with a merge commit that takes the decided side of each file, and pushes.

The last sync of each intent (when, the commit, ahead/behind) is recorded for the app's header:
`sync_status` reads it with the repository's counts against its upstream as last fetched
(`git rev-list --left-right --count HEAD...@{upstream}`: no network).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.clock import iso
from cockpit.errors import CockpitError, NotFound

if TYPE_CHECKING:
    from cockpit.app.engine import Engine
    from cockpit.app.haiku import IntentImport
    from cockpit.sources.haiku_git import Repo
    from cockpit.store.haiku_sync import Linked


@dataclass(frozen=True)
class ConflictView:
    slug: str
    file: str  # relative to the intent folder
    ours: str  # where our version is: the file itself
    theirs: str  # where the upstream's version is: its copy beside ours
    ours_commit: str
    theirs_commit: str
    take: str | None  # ours | theirs once decided; the next sync merges it


@dataclass(frozen=True)
class SyncStatus:
    """Where an intent's files live and how they stand with the remote, for the app's header."""

    slug: str
    project: str | None  # None: the intent lives in the database only
    branch: str | None
    upstream: str | None
    ahead: int | None  # None without an upstream
    behind: int | None
    last_sync_at: str | None
    last_commit: str | None
    conflicts: tuple[ConflictView, ...] = ()


@dataclass
class IntentSync:
    slug: str
    folder: str
    commit: str | None = None  # the sync's commit of this intent, None when nothing changed
    message: str | None = None
    export_conflicts: list[str] = field(default_factory=list)  # what the export left alone, with why


@dataclass
class ProjectSync:
    project: str
    branch: str | None
    upstream: str | None
    intents: list[IntentSync] = field(default_factory=list)
    pulled: bool = False
    pushed: bool = False
    imported: list[IntentImport] = field(default_factory=list)
    conflicts: list[ConflictView] = field(default_factory=list)
    problem: str | None = None  # why it stopped short (offline, push refused, conflicts to resolve)

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.conflicts


def _targets(engine: Engine, slug: str | None, project: str | None) -> dict[str, list[Linked]]:
    from cockpit.store.haiku_sync import linked

    with engine.store.snapshot():
        links = linked(engine.store)
    if slug is not None:
        engine.position(slug)  # NotFound names the intent
        links = [row for row in links if row.slug == slug]
        if not links:
            raise CockpitError(
                f"{slug} lives in the database only: write it into a project first (cockpit haiku export {slug} PATH)"
            )
    if project is not None:
        root = os.path.realpath(project)
        links = [row for row in links if os.path.realpath(row.project) == root]
    groups: dict[str, list[Linked]] = {}
    for row in links:
        groups.setdefault(os.path.realpath(row.project), []).append(row)
    if project is not None and not groups:
        groups[os.path.realpath(project)] = []
    if not groups:
        raise CockpitError("no intent lives in a H·AI·K·U project here: name one with --project PATH")
    return groups


def sync(engine: Engine, slug: str | None = None, *, project: str | None = None) -> list[ProjectSync]:
    """Sync `slug`, or every linked intent (of `project` when given; with `project`, intents the
    pull brings that this database has never seen are imported too)."""
    return [
        _sync_project(engine, Path(root), rows, import_new=project is not None and slug is None)
        for root, rows in _targets(engine, slug, project).items()
    ]


def _sync_project(engine: Engine, root: Path, rows: Sequence[Linked], *, import_new: bool) -> ProjectSync:
    from cockpit.domain.haiku_sync_message import commit_message
    from cockpit.sources import haiku_git
    from cockpit.sources.haiku_writer import export_intent
    from cockpit.store import haiku_sync as db

    repo = haiku_git.open_repo(root)
    result = ProjectSync(str(root), repo.branch, repo.upstream)
    for row in rows:
        position = engine.position(row.slug)
        timeline = engine.timeline(row.slug)
        report = export_intent(
            engine.store, position, root, timeline=timeline, at=iso(engine.clock()), actor=engine.actor
        )
        done = IntentSync(row.slug, row.folder)
        result.intents.append(done)
        done.export_conflicts = [
            f"{o.path}: {o.reason}" + (f" (cockpit's version: {o.kept})" if o.kept else "") for o in report.conflicts
        ]
        if done.export_conflicts:
            continue
        with engine.store.snapshot():
            last = db.last_sync(engine.store, row.intent_id)
        since = [e for e in engine.timeline(row.slug) if last is None or e["id"] > last.event_id]
        done.message = commit_message(row.slug, since)
        done.commit = haiku_git.commit_folder(repo, Path(row.folder), done.message)
    if any(i.export_conflicts for i in result.intents):
        result.problem = "files edited on disk since cockpit last read them: not pulled or pushed"
    elif repo.upstream is not None:
        _exchange(engine, repo, rows, result, import_new=import_new)
    new = {r.slug for r in result.imported} - {row.slug for row in rows}
    if new:  # intents the pull brought: synced from now on, their story so far not ours to tell again
        with engine.store.snapshot():
            arrived = [row for row in db.linked(engine.store) if row.slug in new]
        rows = [*rows, *arrived]
        result.intents += [IntentSync(row.slug, row.folder) for row in arrived]
    _record(engine, repo, rows, result)
    return result


def _exchange(engine: Engine, repo: Repo, rows: Sequence[Linked], result: ProjectSync, *, import_new: bool) -> None:
    """Pull (rebase, or merge once conflicts are decided), re-import, push."""
    from cockpit.sources import haiku_git
    from cockpit.store import haiku_sync as db

    with engine.store.snapshot():
        pending = {row.slug: db.conflicts(engine.store, row.intent_id) for row in rows}
    undecided = [(slug, c) for slug, cs in pending.items() for c in cs if c.take is None]
    if undecided:
        result.conflicts = [_view(slug, c) for slug, c in undecided]
        result.problem = "conflicts to resolve before anything is pulled or pushed"
        return
    folder_of = {_repo_rel(repo, row.folder): row for row in rows}
    take = {
        f"{rel}/{c.path}": c.take for rel, row in folder_of.items() for c in pending[row.slug] if c.take is not None
    }
    if take:
        sides = "; ".join(f"took {side} of {path}" for path, side in sorted(take.items()))
        pulled = haiku_git.merge(repo, take, f"cockpit: merged {repo.upstream}: {sides}")
    else:
        pulled = haiku_git.pull(repo)
    if pulled.error:
        result.problem = f"not pulled: {pulled.error}"
        return
    if pulled.conflicts:
        _record_conflicts(engine, repo, folder_of, pulled, result)
        return
    result.pulled = True
    now = iso(engine.clock())
    with engine.store.writing():
        for row in rows:
            db.settle(engine.store, row.intent_id, now)
    result.imported = _reimport(engine, repo, rows, pulled.ours, import_new=import_new)
    for attempt in range(2):
        said = haiku_git.push(repo)
        if said is None:
            result.pushed = True
            return
        again = haiku_git.pull(repo) if attempt == 0 else None
        if again is not None and again.ok:  # the upstream moved since the pull: once more
            result.imported += _reimport(engine, repo, rows, again.ours, import_new=import_new)
            continue
        result.problem = f"not pushed: {said}"
        return


def _repo_rel(repo: Repo, folder: str) -> str:
    return Path(folder).resolve().relative_to(repo.root.resolve()).as_posix()


def _record_conflicts(
    engine: Engine, repo: Repo, folder_of: dict[str, Linked], pulled: object, result: ProjectSync
) -> None:
    from cockpit.sources import git_repo
    from cockpit.sources.haiku_git import CONFLICT_COPIES, Pulled
    from cockpit.sources.haiku_writer import write_atomic
    from cockpit.store import haiku_sync as db

    assert isinstance(pulled, Pulled)
    now = iso(engine.clock())
    outside = []
    with engine.store.writing():
        for path in pulled.conflicts:
            owner = next((rel for rel in folder_of if path.startswith(rel + "/")), None)
            if owner is None:
                outside.append(path)
                continue
            row, rel = folder_of[owner], path[len(owner) + 1 :]
            copy = f"{CONFLICT_COPIES}/{rel}.theirs"
            theirs = git_repo.blob(repo.root, pulled.theirs, path)
            write_atomic(Path(row.folder) / copy, theirs if theirs is not None else b"")
            db.add_conflict(
                engine.store, row.intent_id, path=rel, ours=pulled.ours, theirs=pulled.theirs, theirs_copy=copy, at=now
            )
            result.conflicts.append(
                _view(row.slug, db.Conflict(0, rel, pulled.ours, pulled.theirs, copy, now, None, None), row.folder)
            )
    if outside:
        result.problem = (
            f"the pull stopped on files outside cockpit's intents ({', '.join(outside)}): "
            "nothing was pulled; pull and resolve them with git"
        )
    else:
        result.problem = "conflicts to resolve: nothing was pulled or pushed"


def _view(slug: str, c: object, folder: str | None = None) -> ConflictView:
    from cockpit.store.haiku_sync import Conflict

    assert isinstance(c, Conflict)
    base = Path(folder) if folder else None
    ours = str(base / c.path) if base else c.path
    theirs = str(base / c.theirs_copy) if base else c.theirs_copy
    return ConflictView(slug, c.path, ours, theirs, c.ours_commit, c.theirs_commit, c.take)


def _reimport(
    engine: Engine, repo: Repo, rows: Sequence[Linked], before: str, *, import_new: bool
) -> list[IntentImport]:
    """Take in what the pull brought (since our commit `before`): the linked intents whose folder
    it changed, and (import_new) the project's intents this database does not hold; the sidecar
    as pulled counts as read (the import does not read it)."""
    from cockpit.domain.haiku_sidecar import SIDECAR
    from cockpit.sources import haiku_git
    from cockpit.sources.haiku_intents import intent_folders
    from cockpit.store import haiku_sync as db

    _, folders = intent_folders(repo.root)
    known = {row.slug for row in rows}
    with engine.store.snapshot():
        slugs = set(engine.store.slugs())
    wanted = [
        f.name
        for f in folders
        if (f.name in known and haiku_git.changed_since(repo, before, f)) or (import_new and f.name not in slugs)
    ]
    results = engine.import_haiku(repo.root, slugs=wanted) if wanted else []
    root = os.path.realpath(repo.root)
    with engine.store.writing():
        for row in db.linked(engine.store):
            if os.path.commonpath([root, os.path.realpath(row.folder)]) != root:
                continue
            sidecar = Path(row.folder) / SIDECAR
            if sidecar.is_file():
                digest = hashlib.sha256(sidecar.read_bytes()).hexdigest()
                db.mark_read(engine.store, row.intent_id, SIDECAR, digest)
    return results


def _record(engine: Engine, repo: Repo, rows: Sequence[Linked], result: ProjectSync) -> None:
    from cockpit.sources import haiku_git
    from cockpit.store import haiku_sync as db

    now = iso(engine.clock())
    counted = haiku_git.counts(repo)
    tip = haiku_git.head(repo)
    with engine.store.writing():
        last_event = engine.store.last_event_id()
        for row, done in zip(rows, result.intents, strict=True):
            if done.export_conflicts:
                continue
            what = done.message if done.commit else "nothing to commit"
            message = f"synced with git ({repo.branch or 'detached'}): {what}"
            engine.store.append_event(
                at=now,
                actor=engine.actor,
                command="haiku_sync",
                intent_id=row.intent_id,
                message=message,
                data={
                    "commit": done.commit,
                    "pulled": result.pulled,
                    "pushed": result.pushed,
                    "problem": result.problem,
                },
            )
            db.record_sync(
                engine.store,
                row.intent_id,
                db.SyncRow(
                    now,
                    repo.branch,
                    repo.upstream,
                    tip,
                    counted[0] if counted else None,
                    counted[1] if counted else None,
                    last_event,
                ),
            )


def sync_status(engine: Engine, slug: str, guard: AbstractContextManager[object] | None = None) -> SyncStatus:
    """Where `slug` lives, how far its branch is ahead of and behind its upstream as last
    fetched (no network), its last sync and its unsettled conflicts. `guard` (the app's backend
    lock) is held while the store is read, not while git answers."""
    from cockpit.sources import haiku_git
    from cockpit.store import haiku_files
    from cockpit.store import haiku_sync as db

    with guard or nullcontext(), engine.store.snapshot():
        intent = engine.store.intent(slug)
        link = haiku_files.link(engine.store, intent.id)
        last = db.last_sync(engine.store, intent.id)
        open_ = db.conflicts(engine.store, intent.id)
    if link is None:
        return SyncStatus(slug, None, None, None, None, None, None, None)
    try:
        repo = haiku_git.open_repo(link.project)
    except CockpitError:
        branch = upstream = None
        counted = None
    else:
        branch, upstream, counted = repo.branch, repo.upstream, haiku_git.counts(repo)
    return SyncStatus(
        slug,
        link.project,
        branch,
        upstream,
        counted[0] if counted else None,
        counted[1] if counted else None,
        last.at if last else None,
        last.commit if last else None,
        tuple(_view(slug, c, link.folder) for c in open_),
    )


def resolve(engine: Engine, slug: str, file: str, take: str) -> ConflictView:
    """Decide a conflict: `theirs` writes the upstream's version over ours and imports it; `ours`
    keeps ours. The next sync merges the upstream with that side and pushes."""
    from cockpit.sources import git_repo, haiku_git
    from cockpit.sources.haiku_writer import write_atomic
    from cockpit.store import haiku_files
    from cockpit.store import haiku_sync as db

    if take not in ("ours", "theirs"):
        raise CockpitError(f"--take {take!r}: say ours or theirs")
    with engine.store.snapshot():
        intent = engine.store.intent(slug)
        link = haiku_files.link(engine.store, intent.id)
        open_ = db.conflicts(engine.store, intent.id)
    if link is None:
        raise CockpitError(f"{slug} lives in the database only: it has no files in conflict")
    wanted = Path(file).as_posix()
    found = [c for c in open_ if c.path == wanted or wanted.endswith("/" + c.path)]
    if not found:
        listed = ", ".join(c.path for c in open_) or "none"
        raise NotFound(f"no conflict on {file} in {slug} (conflicts: {listed})")
    conflict = found[0]
    if take == "theirs":
        repo = haiku_git.open_repo(link.project)
        path = f"{_repo_rel(repo, link.folder)}/{conflict.path}"
        theirs = git_repo.blob(repo.root, conflict.theirs_commit, path)
        target = Path(link.folder) / conflict.path
        if theirs is None:
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, theirs)
        engine.import_haiku(link.folder)
    now = iso(engine.clock())
    with engine.store.writing():
        db.decide(engine.store, conflict.id, take, now)
        engine.store.append_event(
            at=now,
            actor=engine.actor,
            command="haiku_resolve",
            intent_id=intent.id,
            message=f"conflict on {conflict.path}: took {take}",
            data={"path": conflict.path, "take": take, "theirs": conflict.theirs_commit},
        )
    return _view(slug, conflict._replace(take=take), link.folder)
