"""`cockpit haiku import`: H·AI·K·U intent folders into the store, one transaction per intent.

Read the folder (cockpit.sources.haiku_intents), resolve its studio (the catalog resolves folder,
name, slug and alias; `studio: ""` needs --studio), map it (cockpit.domain.haiku_import), merge it
with what the store holds (cockpit.domain.haiku_merge) and write it (cockpit.store.haiku) with the
intent, its pin and its events, all or nothing. What cannot be mapped is a problem
`path:line: reason`; the rest imports. A folder a cockpit exported holds its sidecar: what it
keeps is restored first (cockpit.domain.haiku_restore; on a re-import only when the sidecar
changed), and the files' own facts are merged against the position that gives. The import's own
events are `haiku_*`, its creation event too, so no export's sidecar carries them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cockpit.clock import iso
from cockpit.errors import CockpitError, NotFound, SourceError

if TYPE_CHECKING:
    from cockpit.domain.haiku_folder import IntentFolder
    from cockpit.domain.haiku_import import ImportPlan
    from cockpit.domain.haiku_merge import Stored
    from cockpit.domain.haiku_sidecar import Sidecar
    from cockpit.domain.model import IntentFacts
    from cockpit.domain.studio import Studio
    from cockpit.sources.studios import Catalog
    from cockpit.store.database import Store


class Engine(Protocol):
    """What the import needs of cockpit.app.engine.Engine (which calls it: no import back)."""

    store: Store
    catalog: Catalog
    actor: str
    threshold: str

    def clock(self) -> datetime: ...

    def _walked_by(self, facts: IntentFacts, digest: str | None) -> Studio: ...

    def _pin(self, intent_id: int, studio: Studio, *, event_id: int, at: str) -> str: ...


@dataclass
class IntentImport:
    """What importing one intent folder did."""

    slug: str
    folder: str
    status: str  # imported | updated | unchanged | refused
    generation: str | None = None
    units: int = 0
    findings: int = 0
    stages: int = 0
    problems: list[SourceError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)  # files of stored facts gone from the folder

    @property
    def imported(self) -> bool:
        return self.status != "refused"


def import_haiku(
    engine: Engine, path: str | os.PathLike[str], *, slugs: Sequence[str] = (), studio: str | None = None
) -> list[IntentImport]:
    """Import the intent folder at `path`, or every intent of the project at or above `path`
    (only `slugs` when given). Raises CockpitError when there is nothing to import there."""
    from cockpit.sources.haiku_intents import intent_folders

    project, folders = intent_folders(path)
    if not folders:
        raise CockpitError(
            f"{path}: no H·AI·K·U intent here (a folder with intent.md, or a project with .haiku/intents)"
        )
    if slugs:
        wanted = set(slugs)
        unknown = wanted - {f.name for f in folders}
        if unknown:
            raise CockpitError(
                f"no intent {', '.join(sorted(unknown))} in {folders[0].parent} (intents: {', '.join(f.name for f in folders)})"
            )
        folders = [f for f in folders if f.name in wanted]
    where = str(project) if project is not None else str(Path(folders[0]).parent)
    return [_import_one(engine, folder, where, studio) for folder in folders]


def _import_one(engine: Engine, path: Path, project: str, studio_override: str | None) -> IntentImport:
    from cockpit.sources.haiku_intents import read_intent_folder

    folder, problems, present = read_intent_folder(path)
    result = IntentImport(path.name, str(path), "refused", problems=problems)
    if folder is None:
        return result
    try:
        _write(engine, folder, project, studio_override, present, result)
    except SourceError as exc:
        result.status = "refused"
        result.problems.append(exc)
    return result


def _studio_name(folder: IntentFolder, override: str | None) -> str:
    if override:
        return override
    intent = folder.intent
    raw = intent.meta.get("studio")
    name = "" if raw is None else str(raw).strip()
    if not name:
        raise SourceError(
            intent.path,
            intent.line("studio"),
            'no studio chosen (`studio: ""`): import it with --studio NAME',
        )
    return name


def _catalog_studio(engine: Engine, folder: IntentFolder, name: str) -> Studio:
    try:
        return engine.catalog.get(name)
    except NotFound as exc:
        raise SourceError(folder.intent.path, folder.intent.line("studio"), str(exc)) from None


def _write(
    engine: Engine,
    folder: IntentFolder,
    project: str,
    studio_override: str | None,
    present: set[str],
    result: IntentImport,
) -> None:
    from cockpit.domain.commands.names import slugify
    from cockpit.domain.haiku_import import plan_import
    from cockpit.domain.haiku_merge import Stored, merge
    from cockpit.domain.haiku_restore import beyond
    from cockpit.domain.haiku_sidecar import SIDECAR
    from cockpit.domain.walk import derive
    from cockpit.store import haiku, studio_pins

    slug = folder.slug
    if slugify(slug, 60) != slug:
        raise SourceError(
            folder.intent.path, 1, f"the folder name {slug!r} is not a cockpit slug (lowercase letters, digits, dashes)"
        )
    store = engine.store
    now = iso(engine.clock())
    with store.writing():
        stored: Stored | None = None
        if slug in store.slugs():
            facts = store.facts(slug)
            if haiku.link(store, facts.intent.id) is None:
                raise SourceError(
                    folder.intent.path,
                    1,
                    f"an intent {slug!r} already exists in {store.path}, not imported from H·AI·K·U files",
                )
            digest = studio_pins.pinned(store, facts.intent.id)
            studio = engine._walked_by(facts, digest)  # re-imports walk by the definition it is pinned to
            position = derive(studio, facts, engine.threshold)
            stored = Stored(facts, haiku.files(store, facts.intent.id), position)
        else:
            studio = _catalog_studio(engine, folder, _studio_name(folder, studio_override))
        plan = plan_import(folder, studio, now=now, threshold=engine.threshold)
        result.problems += plan.problems
        result.notes += plan.notes
        result.generation = plan.generation
        result.units, result.findings, result.stages = len(plan.units), len(plan.findings), len(plan.files_phase)
        first = stored is None
        absorbed = False  # a changed sidecar's new facts were written
        if stored is None:
            intent_id = store.create_intent(
                slug=slug,
                title=plan.title,
                studio=studio.name,
                description=plan.description,
                at=plan.created_at,
                actor=engine.actor,
                stages=plan.stages,
                skip_stages=plan.skip_stages,
                command="haiku_create",  # the import's own event: the sidecar leaves it out
            )
            engine._pin(intent_id, studio, event_id=store.intent(slug).event_id, at=now)
            if plan.sidecar is not None:  # exported by a cockpit: its own account first, then the files'
                stored = _restored(engine, plan, plan.sidecar, None, studio, present, now, folder.path)
                result.notes.append(f"{SIDECAR}: cockpit's names, sign-offs, decisions, ticks and timeline restored")
        else:
            intent_id = stored.facts.intent.id
            known = stored.files.get(SIDECAR)
            if plan.sidecar is not None and (known is None or known.sha256 != _sha(plan)):
                restored = _restored(engine, plan, plan.sidecar, stored, studio, present, now, folder.path)
                absorbed, stored = restored is not stored, restored
        if plan.sidecar is not None:  # the roles cockpit derives are its decisions, not sign-offs
            plan = beyond(plan)
        changes = merge(plan, stored, present, engine.threshold)
        result.vanished = changes.vanished
        data = {
            "folder": folder.path,
            "generation": plan.generation,
            "added": changes.added,
            "updated": changes.updated,
            "files": sorted(row.rel for row in changes.files),
        }
        message = f"imported from {folder.path} (generation {plan.generation})"
        event_id = haiku.write_import(store, intent_id, changes, at=now, actor=engine.actor, message=message, data=data)
        if event_id is None:
            haiku.write_files(store, intent_id, changes.files)
            event_id = store.intent(slug).event_id if first else None
        link = haiku.link(store, intent_id)
        if event_id is not None or link is None or (link.folder, link.generation) != (folder.path, plan.generation):
            haiku.set_link(
                store,
                intent_id,
                project=project,
                folder=folder.path,
                generation=plan.generation,
                event_id=event_id or (link.event_id if link else store.intent(slug).event_id),
            )
    result.status = "imported" if first else "updated" if changes.changed or absorbed else "unchanged"


def _restored(
    engine: Engine,
    plan: ImportPlan,
    sidecar: Sidecar,
    stored: Stored | None,
    studio: Studio,
    present: set[str],
    now: str,
    folder: str,
) -> Stored:
    """Inside the import's transaction: write what a cockpit export kept (haiku_restore: all of it
    on a first import, what is new in a changed sidecar on a re-import) with the files' facts, and
    read back the position it gives, for the files' own sign-offs and decisions to be merged against."""
    from cockpit.domain.haiku_merge import Stored
    from cockpit.domain.haiku_restore import restore
    from cockpit.domain.walk import derive
    from cockpit.store import haiku

    store = engine.store
    intent_id = store.intent(plan.slug).id
    timeline = store.timeline(intent_id) if stored is not None else []
    rows = restore(plan, sidecar, present, stored, timeline)
    if stored is not None and not rows.events and not rows.ops:
        haiku.write_files(store, intent_id, list(rows.files))  # nothing new: its digest only
        return stored
    haiku.write_restore(store, intent_id, rows, at=now, actor=engine.actor, folder=folder)
    facts = store.facts(plan.slug)
    return Stored(facts, haiku.files(store, intent_id), derive(studio, facts, engine.threshold))


def _sha(plan: ImportPlan) -> str | None:
    return plan.sidecar_file.sha256 if plan.sidecar_file is not None else None
