"""The first import of an intent folder a cockpit exported: its sidecar (cockpit/facts.jsonl,
cockpit.domain.haiku_sidecar) puts back what the engine's files have no field for, so that a
second cockpit stands where the first one did. Pure: the rows to write, for cockpit.store.haiku.

The facts the files hold (units, iterations, findings, fix iterations) come from the import plan
as a first import would write them (haiku_merge.merge with nothing stored), without the sign-offs
and decisions the plan reads or synthesizes from the files: the sidecar's own take their place,
with who signed or decided and why. The ticks and the timeline come back too. What the files say
beyond the sidecar (an agent's approval after the export, a stage the files re-open) is merged
afterwards, against the position these rows give (the caller's second step).

Order. The walk orders facts by the id of the event that wrote them (a gate approval counts only
when newer than what re-opened it), so each fact is written under the restored event that most
likely wrote it: the event at the fact's own moment that names it (its unit, its finding, the
command that makes such a fact), else any event at that moment, else the last event before it.
A fact older than every event (one the first cockpit imported from files: its import events are
not in the sidecar) goes under the import's own events, written before the restored ones (FACTS
for the files' facts, SIGNED for sign-offs, decisions and ticks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from cockpit.domain.haiku_export import DERIVED_ROLES
from cockpit.domain.haiku_import import ImportPlan
from cockpit.domain.haiku_merge import FACTS, SIGNED, FileRow, Op, Ref, merge
from cockpit.domain.haiku_sidecar import SIDECAR, EventNote, Sidecar
from cockpit.domain.model import finding_ref


class Restored(NamedTuple):
    """The `n`-th event of the sidecar, once written (the store fills in its id)."""

    n: int


@dataclass(frozen=True)
class Restore:
    events: tuple[EventNote, ...]  # written in this order, after the import's FACTS and SIGNED events
    ops: tuple[Op, ...]
    files: tuple[FileRow, ...]  # every file read, the sidecar included (kind intent, as export records it)
    added: Mapping[str, int]


# Which commands write which fact (cockpit.domain.commands): a preference among events at one moment.
_UNIT = frozenset({"add_unit", "import_units", "elaborate", "declare_ready"})
_ITERATION = frozenset({"start_unit", "advance_hat", "reject_hat", "resume", "verify_held"})
_SIGNOFF = frozenset({"signoff", "confirm_quality_gates", "quality_gates", "run_checks", "verify_held"})
_DECISION = {
    "elaborated": frozenset({"declare_ready"}),
    "approved": frozenset({"approve_gate"}),
    "changes_requested": frozenset({"request_changes"}),
    "submitted": frozenset({"submit_gate"}),
    "revisited": frozenset({"revisit_stage"}),
    "resumed": frozenset({"resume"}),
}


Names = Callable[[EventNote], bool]  # whether an event names the fact sought


class _Timeline:
    def __init__(self, events: Sequence[EventNote]) -> None:
        self.events = events

    def at(self, moment: str | None, fallback: Any, names: Names) -> Any:
        """The event that wrote a fact of `moment` (module docstring); `fallback` when older than all."""
        if not moment:
            return fallback
        same = [n for n, e in enumerate(self.events) if e.at == moment]
        named = [n for n in same if names(self.events[n])]
        if named:
            return Restored(named[0])
        if same:
            return Restored(same[-1])
        before = [n for n, e in enumerate(self.events) if e.at <= moment]
        return Restored(before[-1]) if before else fallback

    def severity_set(self, ref: str) -> Restored | None:
        """The last event that changed this finding's severity (a classify), if any."""
        found = None
        for n, e in enumerate(self.events):
            data = e.data or {}
            before, after = data.get("before"), data.get("after")
            if (
                data.get("feedback") == ref
                and isinstance(before, Mapping)
                and isinstance(after, Mapping)
                and before.get("severity") != after.get("severity")
            ):
                found = Restored(n)
        return found


def _about(ref: str) -> Names:
    return lambda e: (e.data or {}).get("feedback") == ref


def _unit_made(slug: str) -> Names:
    return lambda e: e.command in _UNIT and e.unit in (None, slug)


def _worn(slug: str, commands: frozenset[str]) -> Names:
    return lambda e: e.unit == slug and e.command in commands


def _decided(kinds: frozenset[str], stage: str) -> Names:
    return lambda e: e.command in kinds and e.stage == stage


def restore(plan: ImportPlan, sidecar: Sidecar, present: set[str]) -> Restore:
    """The rows of a first import of `plan` with what `sidecar` keeps."""
    assert plan.sidecar_file is not None
    bare = replace(plan, units=[replace(u, signoffs=()) for u in plan.units], decisions=[])
    base = merge(bare, None, present)
    timeline = _Timeline(sidecar.events)
    slug_of = {Ref("unit", u.file.rel): u.slug for u in plan.units}
    ref_of: dict[Ref, str] = {}
    ops: list[Op] = []
    for op in base.ops:
        values = dict(op.values)
        if op.table == "units":
            values["event_id"] = timeline.at(values["created_at"], FACTS, _unit_made(values["slug"]))
        elif op.table == "iterations":
            slug = slug_of.get(values["unit_id"], "")
            values["event_id"] = timeline.at(values["started_at"], FACTS, _worn(slug, _ITERATION))
        elif op.table == "feedback":
            ref = finding_ref(values["number"])
            assert op.key is not None
            ref_of[op.key] = ref
            values["event_id"] = timeline.at(values["created_at"], FACTS, _about(ref))
            if values["closed_at"] is not None:
                values["closed_event_id"] = timeline.at(values["closed_at"], FACTS, _about(ref))
            if values["severity"] is not None:
                values["severity_event_id"] = timeline.severity_set(ref)
        elif op.table == "fix_iterations":
            ref = ref_of.get(values["feedback_id"], "")
            values["event_id"] = timeline.at(values["started_at"], FACTS, _about(ref))
        ops.append(replace(op, values=values))
    units = {u.file.rel: Ref("unit", u.file.rel) for u in plan.units}
    findings = {f.file.rel: Ref("feedback", f.file.rel) for f in plan.findings}
    slugs = {u.file.rel: u.slug for u in plan.units}
    for s in sidecar.signoffs:
        if s.unit not in units:
            continue  # its unit's file is gone: nothing to sign
        slug = slugs[s.unit]
        row = {
            "unit_id": units[s.unit],
            "role": s.role,
            "phase": s.phase,
            "at": s.at,
            "actor": s.actor,
            "note": s.note,
            "event_id": timeline.at(s.at, SIGNED, _worn(slug, _SIGNOFF)),
        }
        ops.append(Op("insert", "signoffs", row))
    for d in sidecar.decisions:
        if d.stage not in plan.files_phase:
            continue  # a stage this intent does not walk here
        kinds = _DECISION.get(d.decision)
        if kinds is None:
            continue
        row = {
            "stage": d.stage,
            "kind": d.decision,
            "at": d.at,
            "actor": d.actor,
            "path": d.path,
            "reason": d.reason,
            "url": d.url,
            "unit_id": units.get(d.unit) if d.unit else None,
            "feedback_id": findings.get(d.finding) if d.finding else None,
            "branch": d.branch,
            "event_id": timeline.at(d.at, SIGNED, _decided(kinds, d.stage)),
        }
        ops.append(Op("insert", "decisions", row))
    ticks = [n for n, e in enumerate(sidecar.events) if e.command == "tick"]
    for t in sidecar.ticks:
        if t.unit not in units:
            continue
        slug = slugs[t.unit]
        match = next(
            (
                n
                for n in ticks
                if (e := sidecar.events[n]).unit == slug
                and e.hat == t.hat
                and e.message == t.item
                and (e.data or {}).get("ticked") == t.ticked
            ),
            None,
        )
        if match is not None:
            ticks.remove(match)
        row = {
            "unit_id": units[t.unit],
            "hat": t.hat,
            "bolt": t.bolt,
            "item": t.item,
            "ticked": int(t.ticked),
            "event_id": SIGNED if match is None else Restored(match),
        }
        ops.append(Op("insert", "ticks", row))
    files = [*base.files, FileRow(SIDECAR, "intent", None, None, plan.sidecar_file.sha256)]
    return Restore(tuple(sidecar.events), tuple(ops), tuple(files), dict(base.added))


def beyond(plan: ImportPlan) -> ImportPlan:
    """The plan to merge after a restore: the files' sign-offs but those of the roles cockpit
    derives from its decisions (spec, quality_gates, user), which its export wrote from the
    decisions the sidecar just restored."""
    units = [replace(u, signoffs=tuple(s for s in u.signoffs if s.role not in DERIVED_ROLES)) for u in plan.units]
    return replace(plan, units=units)
