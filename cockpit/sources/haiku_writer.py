"""Write an intent into a H·AI·K·U project: `PATH/.haiku/intents/<slug>/` (issue 15 export).

The files come from the pure mapping (cockpit.domain.haiku_export); this module reads what is on
disk, patches only the lines that differ (cockpit.text.frontmatter_patch), and writes each changed
file atomically (a temporary file in the same folder, then a rename). Nothing is written outside
the intent folder: a slug that is not one plain name, a path that climbs out, or a symbolic link
anywhere from `.haiku` down refuses the export before any write.

A file changed on disk since cockpit last read or wrote it (its sha256 differs from the one in
`haiku_files`, or it was deleted) is a conflict: it is left exactly as it is, and cockpit's version
is written to `cockpit/conflicts/<its path>` inside the intent folder (the engine reads nothing
under `cockpit/`), so both versions are there to compare; the export reports each one. A file
cockpit never wrote that is already where a new one would go is a conflict in the same way. An
intent folder holding an intent.md cockpit did not write (another intent of the same slug) is
refused whole.

`.fsm_checksum` follows cockpit.domain.haiku_checksum.resealed. What was written is recorded with
its digest (cockpit.store.haiku_files) with one timeline event, only when something changed: an
unchanged intent exported again writes no file and no row.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.domain.haiku_checksum import CHECKSUM_FILE, PROTECTED, resealed
from cockpit.domain.haiku_export import INTENT_FILE, NEWEST, KnownFile, Planned, plan_export, protected_kind
from cockpit.errors import CockpitError
from cockpit.sources.project import first_link, intents_dir
from cockpit.store import haiku_files
from cockpit.text.frontmatter_patch import (
    REMOVE,
    PatchError,
    Want,
    frontmatter_values,
    new_markdown,
    patch_json,
    patch_markdown,
)

if TYPE_CHECKING:
    from cockpit.domain.walk import Position
    from cockpit.store.database import Store

CONFLICTS = "cockpit/conflicts"  # where cockpit's version of a conflicting file goes, in the intent folder
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class Outcome:
    path: str  # relative to the intent folder
    status: str  # created | written | unchanged | conflict | refused
    reason: str = ""
    kept: str | None = None  # a conflict: where cockpit's version was written instead


@dataclass(frozen=True)
class ExportReport:
    slug: str
    folder: str
    generation: str
    files: tuple[Outcome, ...]

    def having(self, *statuses: str) -> tuple[Outcome, ...]:
        return tuple(o for o in self.files if o.status in statuses)

    @property
    def conflicts(self) -> tuple[Outcome, ...]:
        return self.having("conflict", "refused")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def intent_folder(project: str | os.PathLike[str], slug: str) -> Path:
    """`project/.haiku/intents/<slug>`, refusing a slug that is not one plain folder name."""
    if not _SLUG.fullmatch(slug) or slug in (".", ".."):
        raise CockpitError(f"cannot export intent {slug!r}: its slug is not a plain folder name")
    return intents_dir(os.path.abspath(project)) / slug


def refuse_links(project: Path, folder: Path, rel: str = "") -> None:
    """No symbolic link from `.haiku` down to `rel` (a link could lead a write out of the folder)."""
    parts = [*folder.relative_to(project).parts, *(rel.split("/") if rel else ())]
    if any(p in ("", ".", "..") for p in parts) or rel.startswith("/") or "\\" in rel:
        raise CockpitError(f"refusing to write {rel!r}: not a plain path inside {folder}")
    link = first_link(project, parts)
    if link is not None:
        raise CockpitError(f"refusing to write under {link}: it is a symbolic link (it could lead outside {folder})")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise CockpitError(f"cannot read {path}: {exc.strerror or exc}") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` at once: a reader sees the old bytes or the new, never half.
    A failure (a full disk, a read-only folder, a file where a folder should be) names the file."""
    try:
        _replace(path, data)
    except OSError as exc:
        raise CockpitError(f"cannot write {path}: {exc.strerror or exc}") from None


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render(planned: Planned, current: str | None) -> tuple[str, tuple[str, ...]]:
    """The file's new text and the keys that changed (a new file: all of them)."""
    if planned.format == "text":
        return planned.body or "", ()
    if planned.format == "json":
        base = current if current is not None else json.dumps(dict(planned.initial), indent=2) + "\n"
        patched = patch_json(base, planned.wanted)
        return patched.text, tuple(planned.wanted) if current is None else patched.changed
    if current is None:
        # plain values first (title, studio…), then what only a new file gets, then the rest
        first = {k: v for k, v in planned.wanted.items() if not isinstance(v, Want) and v is not REMOVE}
        body = planned.body if planned.body is not None else planned.initial_body or ""
        base = new_markdown({**first, **{k: v for k, v in planned.initial.items() if k not in first}}, body)
        return patch_markdown(base, planned.wanted, planned.body).text, tuple(planned.wanted)
    patched = patch_markdown(current, planned.wanted, planned.body)
    return patched.text, patched.changed


def _on_disk(folder: Path, stages: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rel in ["feedback", *(f"stages/{s}/{kind}" for s in stages for kind in ("units", "feedback"))]:
        here = folder / rel
        if here.is_dir() and not here.is_symlink():
            out[rel] = sorted(p.name for p in here.iterdir())
    return out


def export_intent(
    store: Store,
    position: Position,
    project: str | os.PathLike[str],
    *,
    timeline: Sequence[Mapping[str, Any]] = (),
    at: str,
    actor: str,
    generation: str | None = None,
    quiet: bool = False,
) -> ExportReport:
    """Write the intent into `project` in the generation it is linked with (the newest, C, for
    an intent born in cockpit; `generation` chooses another for an intent not linked yet) and
    record what was written. `quiet`: no timeline event when the link stays as it is (the
    write-through after a command, whose own event says what changed)."""
    intent = position.facts.intent
    folder = intent_folder(project, intent.slug)
    root = Path(os.path.abspath(project))
    if not root.is_dir():
        raise CockpitError(f"cannot export {intent.slug}: {root} is not a folder")
    refuse_links(root, folder)
    with store.snapshot():
        linked = haiku_files.link(store, intent.id)
        rows = haiku_files.files(store, intent.id)
    here = linked is not None and os.path.realpath(linked.folder) == os.path.realpath(folder)
    if (folder / INTENT_FILE).exists() and not here:
        where = f" (it is linked to {linked.folder})" if linked else ""
        raise CockpitError(
            f"{folder} already holds an intent cockpit did not write{where}: import it, or export to another project"
        )
    generation = linked.generation if linked else generation or NEWEST
    baseline = {r.path: r for r in rows} if here else {}
    known = [KnownFile(r.path, r.kind, r.stage, r.unit_id, r.feedback_id) for r in rows]
    stages = [s.name for s in position.stages]
    plan = plan_export(position, generation, known, _on_disk(folder, stages) if folder.is_dir() else {}, timeline)
    for planned in plan:
        refuse_links(root, folder, planned.path)
        refuse_links(root, folder, f"{CONFLICTS}/{planned.path}")

    outcomes: list[Outcome] = []
    recorded: list[haiku_files.FileRow] = []
    texts: dict[str, str] = {}
    protected_changed = False
    for planned in plan:
        target = folder / planned.path
        current = _read(target)
        try:
            text, changed = _render(planned, current.decode("utf-8") if current is not None else None)
        except (PatchError, UnicodeDecodeError) as exc:
            outcomes.append(Outcome(planned.path, "refused", f"cannot be patched safely: {exc}"))
            continue
        data = text.encode("utf-8")
        texts[planned.path] = text
        row = haiku_files.FileRow(
            planned.path, planned.kind, planned.stage, planned.unit_id, planned.feedback_id, sha256(data)
        )
        before = baseline.get(planned.path)
        if current == data:
            outcomes.append(Outcome(planned.path, "unchanged"))
            recorded.append(row)
            continue
        if before is None:
            edited = "already on disk, and cockpit never read it" if current is not None else ""
        elif current is None:
            edited = "deleted on disk since cockpit last read or wrote it"
        else:
            edited = "edited on disk since cockpit last read or wrote it" if sha256(current) != before.sha256 else ""
        if edited:
            kept = f"{CONFLICTS}/{planned.path}"
            if _read(folder / kept) != data:
                write_atomic(folder / kept, data)
            outcomes.append(Outcome(planned.path, "conflict", edited, kept))
            continue
        write_atomic(target, data)
        outcomes.append(Outcome(planned.path, "created" if current is None else "written"))
        recorded.append(row)
        group = protected_kind(planned)
        protected_changed = protected_changed or bool(group and PROTECTED[group] & set(changed))
    outcomes += _reseal(folder, texts, protected_changed)

    changed_rows = [r for r in recorded if (b := baseline.get(r.path)) is None or b != r]
    if changed_rows or not here or generation != (linked.generation if linked else None):
        wrote = [o for o in outcomes if o.status in ("created", "written")]
        with store.writing():
            haiku_files.record_export(
                store,
                intent_id=intent.id,
                link_to=haiku_files.Link(str(root), str(folder), generation),
                rows=recorded,
                at=at,
                actor=actor,
                message=f"exported to {folder} ({len(wrote)} files written)",
                data={"folder": str(folder), "generation": generation, "written": [o.path for o in wrote]},
                quiet=quiet,
            )
    return ExportReport(intent.slug, str(folder), generation, tuple(sorted(outcomes, key=lambda o: o.path)))


def _reseal(folder: Path, texts: Mapping[str, str], protected_changed: bool) -> list[Outcome]:
    """`.fsm_checksum` as the engine would accept it after this export (haiku_checksum.resealed)."""
    path = folder / CHECKSUM_FILE
    current = _read(path)
    intent = _values(texts.get(INTENT_FILE))
    stage_name = intent.get("active_stage")
    stage = json.loads(texts[f"stages/{stage_name}/state.json"]) if f"stages/{stage_name}/state.json" in texts else {}
    combined = {
        "intent": {k: v for k, v in intent.items() if k in PROTECTED["intent"]},
        "stage": {k: v for k, v in stage.items() if k in PROTECTED["stage"]},
        "unit": {},
    }
    seal = resealed(current.decode("utf-8", "replace") if current is not None else None, protected_changed, combined)
    if seal is None:
        return []
    write_atomic(path, seal.encode("ascii"))
    return [Outcome(CHECKSUM_FILE, "written", "resealed: it held no seal the engine accepts")]


def _values(text: str | None) -> dict[str, Any]:
    try:
        return frontmatter_values(text) if text else {}
    except PatchError:
        return {}
