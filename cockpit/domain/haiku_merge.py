"""An import plan (cockpit.domain.haiku_import) against what the store already holds for that
intent: the rows to write so that a re-import updates, never duplicates. Pure.

Facts are matched by the file that holds them (`haiku_files`: path relative to the intent folder).
A file whose digest is unchanged is skipped; a changed one updates its row, and its iterations and
sign-offs are brought to what the file says (the common prefix stays, the rest is replaced). A new
file adds its rows. A fact whose file vanished is reported, never deleted.

Two events order the rows, both written in the import's one transaction (cockpit.store.haiku):
FACTS (units, iterations, findings, closures, revisits) and then SIGNED (sign-offs and stage
decisions). The walk counts a gate approval only when it is newer than the stage's units and open
blocking findings, and a sign-off only when newer than a fix that clears it, so what the files
record as signed must come after what it signs. A stage decision or sign-off is written when the
stored position does not count it already; a stage the files re-open (passed or elaborated in
cockpit, not in the files) gets a `revisited` decision, which voids what came before it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cockpit import severity as sev
from cockpit.domain.haiku_import import ImportPlan, PlannedDecision, PlannedFinding, PlannedIteration, PlannedUnit
from cockpit.domain.model import IntentFacts, Iteration, Signoff
from cockpit.domain.walk import Position, StageState


class _Event:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


FACTS: Any = _Event("FACTS")  # the id of the import's first event (filled in by the store)
SIGNED: Any = _Event("SIGNED")  # the id of its second event


class Ref(NamedTuple):
    """A unit or finding row written by this import, named by its file (the store fills in its id)."""

    kind: str  # unit | feedback
    rel: str


@dataclass(frozen=True)
class Op:
    action: str  # insert | update | delete
    table: str
    values: Mapping[str, Any] = field(default_factory=dict)
    id: int | Ref | None = None  # the row updated or deleted
    key: Ref | None = None  # an inserted row others refer to


class StoredFile(NamedTuple):
    kind: str
    stage: str | None
    unit_id: int | None
    feedback_id: int | None
    sha256: str


class FileRow(NamedTuple):
    rel: str
    kind: str  # intent | stage | unit | feedback
    stage: str | None
    owner: int | Ref | None  # the unit or finding the file holds
    sha256: str


@dataclass
class Merge:
    ops: list[Op] = field(default_factory=list)
    files: list[FileRow] = field(default_factory=list)  # haiku_files rows to insert or update
    vanished: list[str] = field(default_factory=list)  # files of stored facts no longer on disk
    added: dict[str, int] = field(default_factory=lambda: {"units": 0, "findings": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"units": 0, "findings": 0})
    intent_values: dict[str, Any] = field(default_factory=dict)  # changed intent columns

    @property
    def changed(self) -> bool:
        return bool(self.ops or self.intent_values)


@dataclass(frozen=True)
class Stored:
    """What the store holds for an intent linked to this folder (None for a first import)."""

    facts: IntentFacts
    files: Mapping[str, StoredFile]
    position: Position


def merge(plan: ImportPlan, stored: Stored | None, present: set[str], threshold: str = sev.DEFAULT_THRESHOLD) -> Merge:
    """The writes that bring the store to `plan`. `present`: every path read in the folder, broken
    ones included (a broken file is reported by the reader, not taken for vanished)."""
    out = Merge()
    files = stored.files if stored is not None else {}
    facts = stored.facts if stored is not None else None
    if stored is not None:
        out.intent_values = _intent_changes(plan, stored.facts)
    units = {u.id: u for u in facts.units} if facts else {}
    by_slug = {u.slug: u.id for u in facts.units} if facts else {}
    linked_units = {f.unit_id for f in files.values() if f.unit_id is not None}
    iterations = _grouped(facts.iterations if facts else ())
    signoffs: dict[int, list[Signoff]] = {}
    for s in facts.signoffs if facts else ():
        signoffs.setdefault(s.unit_id, []).append(s)
    unit_ref: dict[str, int | Ref] = {}  # slug → id or ref
    fresh_stages: set[str] = set()  # a unit (or open blocking finding) added: its gate is due again
    resign: set[str] = set()  # unit slugs whose planned sign-offs are all written again
    changed: set[str] = set()  # unit slugs whose file changed: their sign-offs are the file's
    for unit in plan.units:
        rel = unit.file.rel
        known = files.get(rel)
        unit_id = known.unit_id if known is not None and known.unit_id in units else None
        if unit_id is None and unit.slug in by_slug and by_slug[unit.slug] not in linked_units:
            unit_id = by_slug[unit.slug]  # the same unit made here before (or linked under another path)
        if unit_id is None:
            ref = Ref("unit", rel)
            unit_ref[unit.slug] = ref
            out.ops.append(Op("insert", "units", _unit_row(unit, with_stage=True), key=ref))
            out.ops += [_iteration_op("iterations", ref, it) for it in unit.iterations]
            out.added["units"] += 1
            fresh_stages.add(unit.stage)
            resign.add(unit.slug)
        else:
            unit_ref[unit.slug] = unit_id
            if known is not None and known.sha256 == unit.file.sha256:
                out.files.append(FileRow(rel, "unit", unit.stage, unit_id, unit.file.sha256))
                continue
            out.ops += _unit_update(unit, units[unit_id])
            out.ops += _sync_iterations("iterations", unit_id, iterations.get(unit_id, ()), unit.iterations)
            wanted = {(s.role, s.phase, s.at) for s in unit.signoffs}
            mine = signoffs.get(unit_id, ())
            out.ops += [Op("delete", "signoffs", id=s.id) for s in mine if (s.role, s.phase, s.at) not in wanted]
            out.updated["units"] += 1
            changed.add(unit.slug)
        out.files.append(FileRow(rel, "unit", unit.stage, unit_ref[unit.slug], unit.file.sha256))
    _findings(plan, facts, files, unit_ref, out, fresh_stages, resign, threshold)
    revisited = _revisits(plan, stored, out)
    _signed(plan, stored, unit_ref, resign, changed, fresh_stages, revisited, out)
    out.files.append(FileRow(plan.intent_file.rel, "intent", None, None, plan.intent_file.sha256))
    out.files += [FileRow(f.rel, "stage", stage, None, f.sha256) for f, stage in plan.stage_files]
    out.files = [
        row
        for row in out.files
        if files.get(row.rel) is None or files[row.rel].sha256 != row.sha256 or _owner_moved(files[row.rel], row)
    ]
    out.vanished = sorted(rel for rel, f in files.items() if rel not in present and f.kind in ("unit", "feedback"))
    return out


def _owner_moved(known: StoredFile, row: FileRow) -> bool:
    owner = known.unit_id if row.kind == "unit" else known.feedback_id if row.kind == "feedback" else None
    return owner != row.owner


def _intent_changes(plan: ImportPlan, facts: IntentFacts) -> dict[str, Any]:
    intent = facts.intent
    wanted = {
        "title": plan.title,
        "description": plan.description,
        "stages": None if plan.stages is None else json.dumps(list(plan.stages)),
        "skip_stages": json.dumps(list(plan.skip_stages)),
    }
    have = {
        "title": intent.title,
        "description": intent.description,
        "stages": None if intent.stages is None else json.dumps(list(intent.stages)),
        "skip_stages": json.dumps(list(intent.skip_stages)),
    }
    return {k: v for k, v in wanted.items() if have[k] != v}


def _grouped(rows: Sequence[Iteration]) -> dict[int, tuple[Iteration, ...]]:
    out: dict[int, list[Iteration]] = {}
    for row in rows:
        out.setdefault(row.owner_id, []).append(row)
    return {k: tuple(v) for k, v in out.items()}


def _unit_row(unit: PlannedUnit, *, with_stage: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {
        "title": unit.title,
        "body": unit.body,
        "depends_on": json.dumps(list(unit.depends_on)),
        "meta": unit.meta_json,
    }
    if with_stage:
        row |= {"stage": unit.stage, "slug": unit.slug, "created_at": unit.created_at, "event_id": FACTS}
    return row


def _unit_update(unit: PlannedUnit, have: Any) -> list[Op]:
    now = {
        "title": have.title,
        "body": have.body,
        "depends_on": json.dumps(list(have.depends_on)),
        "meta": have.meta_json,
    }
    values = {k: v for k, v in _unit_row(unit).items() if now[k] != v}
    return [Op("update", "units", values, id=have.id)] if values else []


def _iteration_op(table: str, owner: int | Ref, it: PlannedIteration) -> Op:
    column = "unit_id" if table == "iterations" else "feedback_id"
    row = {
        column: owner,
        "hat": it.hat,
        "started_at": it.started_at,
        "completed_at": it.completed_at,
        "result": it.result,
        "message": it.message,
        "event_id": FACTS,
    }
    return Op("insert", table, row)


def _same(have: Iteration, it: PlannedIteration) -> bool:
    return (have.hat, have.started_at, have.completed_at, have.result, have.message) == tuple(it)


def _sync_iterations(table: str, owner: int, have: Sequence[Iteration], wanted: Sequence[PlannedIteration]) -> list[Op]:
    """Keep the common prefix; an open iteration the file now closes is updated; the rest of the
    stored ones are deleted and the rest of the file's inserted."""
    n = 0
    while n < min(len(have), len(wanted)) and _same(have[n], wanted[n]):
        n += 1
    ops: list[Op] = []
    if (
        n < len(have)
        and n < len(wanted)
        and have[n].result is None
        and have[n].hat == wanted[n].hat
        and n == len(have) - 1
    ):
        it = wanted[n]
        ops.append(
            Op(
                "update",
                table,
                {"completed_at": it.completed_at, "result": it.result, "message": it.message},
                id=have[n].id,
            )
        )
        n += 1
        return ops + [_iteration_op(table, owner, it) for it in wanted[n:]]
    ops += [Op("delete", table, id=row.id) for row in have[n:]]
    return ops + [_iteration_op(table, owner, it) for it in wanted[n:]]


def _finding_row(f: PlannedFinding, target: int | Ref | None) -> dict[str, Any]:
    return {
        "stage": f.stage,
        "title": f.title,
        "body": f.body,
        "origin": f.origin,
        "author": f.author,
        "author_type": f.author_type,
        "severity": f.severity,
        "target_unit_id": target,
        "invalidates": json.dumps(list(f.invalidates)),
        "created_at": f.created_at,
        "closed_at": f.closed_at,
        "resolution": f.resolution,
        "closure_text": f.closure_text,
    }


def _findings(
    plan: ImportPlan,
    facts: IntentFacts | None,
    files: Mapping[str, StoredFile],
    unit_ref: Mapping[str, int | Ref],
    out: Merge,
    fresh_stages: set[str],
    resign: set[str],
    threshold: str,
) -> None:
    stored = {f.id: f for f in facts.feedback} if facts else {}
    fixes = _grouped(facts.fix_iterations if facts else ())
    used = {f.number for f in stored.values()}
    reserved = used | {f.number for f in plan.findings if f.number is not None}  # the sidecar's numbers
    for f in plan.findings:
        rel = f.file.rel
        known = files.get(rel)
        target = unit_ref.get(f.target) if f.target else None
        fb_id = known.feedback_id if known is not None and known.feedback_id in stored else None
        row = _finding_row(f, target)
        blocking = f.is_open and sev.is_blocking(f.severity, threshold)
        if fb_id is None:
            number = f.number if f.number is not None and f.number not in used else max(reserved, default=0) + 1
            used.add(number)
            reserved.add(number)
            ref = Ref("feedback", rel)
            row |= {"number": number, "event_id": FACTS, "closed_event_id": None if f.is_open else FACTS}
            out.ops.append(Op("insert", "feedback", row, key=ref))
            out.ops += [_iteration_op("fix_iterations", ref, it) for it in f.fix_iterations]
            out.added["findings"] += 1
            out.files.append(FileRow(rel, "feedback", f.stage or None, ref, f.file.sha256))
            if blocking:
                fresh_stages.add(f.stage)
            elif f.resolution == "closed" and f.target and f.invalidates:
                resign.add(f.target)
            continue
        out.files.append(FileRow(rel, "feedback", f.stage or None, fb_id, f.file.sha256))
        if known is not None and known.sha256 == f.file.sha256:
            continue
        have = stored[fb_id]
        now = _finding_row(
            PlannedFinding(
                f.file,
                have.stage,
                have.title,
                have.body,
                have.origin,
                have.author,
                have.author_type,
                have.severity,
                None,
                have.invalidates,
                have.created_at,
                have.closed_at,
                have.resolution,
                have.closure_text,
            ),
            have.target_unit_id,
        )
        values = {k: v for k, v in row.items() if now[k] != v}
        if "severity" in values:
            values["severity_event_id"] = FACTS
            if blocking:
                fresh_stages.add(f.stage)
        if "closed_at" in values or "resolution" in values:
            values["closed_event_id"] = None if f.is_open else FACTS
            if f.is_open and blocking:
                fresh_stages.add(f.stage)
            if f.resolution == "closed" and f.target and f.invalidates:
                resign.add(f.target)
        if values:
            out.ops.append(Op("update", "feedback", values, id=fb_id))
        out.ops += _sync_iterations("fix_iterations", fb_id, fixes.get(fb_id, ()), f.fix_iterations)
        out.updated["findings"] += 1


def _revisits(plan: ImportPlan, stored: Stored | None, out: Merge) -> set[str]:
    """Revisits to write now (the files' own, and a stage the files re-open); the stages whose
    sign-offs and decisions they void, which are written again after them."""
    have = {(d.stage, d.at) for d in stored.facts.decisions if d.kind == "revisited"} if stored else set()
    wanted = [d for d in plan.decisions if d.kind == "revisited" and (d.stage, d.at) not in have]
    if stored is not None:
        for state in stored.position.stages:
            expected = plan.expected_phase(state.name)
            passed = state.status == "complete" and state.gate.approval is not None and expected != "complete"
            unelaborated = state.elaborated and expected == "elaborate"
            if passed or unelaborated:
                reason = f"the files put {state.name} back at {plan.files_phase.get(state.name, 'pending')}"
                wanted.append(PlannedDecision(state.name, "revisited", plan.created_at, reason=reason))
    walked = [s for s in (stored.position.stages if stored else ()) if s.status != "skipped"]
    names = [s.name for s in walked] or list(plan.files_phase)
    voided: set[str] = set()
    for d in wanted:
        row = {"stage": d.stage, "kind": "revisited", "at": d.at, "reason": d.reason, "event_id": FACTS}
        out.ops.append(Op("insert", "decisions", row))
        if stored is not None and d.stage in names:
            voided |= set(names[names.index(d.stage) :])
    return voided


def _signed(
    plan: ImportPlan,
    stored: Stored | None,
    unit_ref: Mapping[str, int | Ref],
    resign: set[str],
    changed: set[str],
    fresh_stages: set[str],
    voided: set[str],
    out: Merge,
) -> None:
    """Sign-offs and stage decisions (event SIGNED), each when the stored position does not count it."""
    states: dict[str, StageState] = {s.name: s for s in stored.position.stages} if stored else {}
    rows = {(s.unit_id, s.role, s.phase, s.at) for s in stored.facts.signoffs} if stored else set()
    for unit in plan.units:
        state = states.get(unit.stage)
        owner = unit_ref[unit.slug]
        redo = state is None or unit.stage in voided or unit.slug in resign
        counted = _counted(state, unit.slug) if state is not None and not redo and unit.slug not in changed else set()
        for s in unit.signoffs:
            if (s.role, s.phase) in counted or (not redo and (owner, s.role, s.phase, s.at) in rows):
                continue  # counted by the walk, or recorded as the file says
            row = {"unit_id": owner, "role": s.role, "phase": s.phase, "at": s.at, "note": s.note, "event_id": SIGNED}
            out.ops.append(Op("insert", "signoffs", row))
    for d in plan.decisions:
        if d.kind == "revisited":
            continue
        state = states.get(d.stage)
        if state is not None and d.stage not in voided:
            if d.kind == "elaborated" and state.elaborated:
                continue
            if d.kind == "approved" and state.status == "complete" and d.stage not in fresh_stages:
                continue
        row = {
            "stage": d.stage,
            "kind": d.kind,
            "at": d.at,
            "path": d.path,
            "url": d.url,
            "reason": d.reason,
            "event_id": SIGNED,
        }
        out.ops.append(Op("insert", "decisions", row))


def _counted(state: StageState, slug: str) -> set[tuple[str, str]]:
    """(role, phase) sign-offs of `slug` the stored position counts (not missing, not voided)."""
    roles = state.stage.reviewer_names
    missing_review = {r for u, r in state.missing_review if u == slug}
    missing_approve = {r for u, r in state.missing_approval if u == slug}
    return {(r, "review") for r in roles if r not in missing_review} | {
        (r, "approve") for r in roles if r not in missing_approve
    }
