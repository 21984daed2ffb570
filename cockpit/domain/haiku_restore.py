"""The import of an intent folder a cockpit exported: its sidecar (cockpit/facts.jsonl,
cockpit.domain.haiku_sidecar) puts back what the engine's files have no field for, so that a
second cockpit stands where the first one did — on a first import all of it, on a re-import what
a changed sidecar holds that the store does not (a teammate's cockpit exported since: events by
moment, actor, command and message; sign-offs, decisions and ticks by their content). Pure: the
rows to write, for cockpit.store.haiku.

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

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any, NamedTuple

from cockpit.domain.haiku_export import DERIVED_ROLES
from cockpit.domain.haiku_import import ImportPlan
from cockpit.domain.haiku_merge import FACTS, SIGNED, FileRow, Op, Ref, Stored, merge
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
    """The restored events, looked up by moment (an intent's thousands of facts, each a lookup)."""

    def __init__(self, events: Sequence[EventNote]) -> None:
        self.events = events
        self.by_moment: dict[str, list[int]] = {}
        for n, e in enumerate(events):
            self.by_moment.setdefault(e.at, []).append(n)
        # moments in order, each with the last event at or before it (the ids' order, not the clock's)
        self.moments = sorted(self.by_moment)
        self.last_by: list[int] = list(accumulate((self.by_moment[m][-1] for m in self.moments), max))
        self.severity: dict[str, int] = {}  # finding ref → the last event that changed its severity
        for n, e in enumerate(events):
            data = e.data or {}
            before, after = data.get("before"), data.get("after")
            if not (isinstance(before, Mapping) and isinstance(after, Mapping)):
                continue
            if before.get("severity") != after.get("severity") and isinstance(data.get("feedback"), str):
                self.severity[data["feedback"]] = n

    def at(self, moment: str | None, fallback: Any, names: Names) -> Any:
        """The event that wrote a fact of `moment` (module docstring); `fallback` when older than all."""
        if not moment:
            return fallback
        same = self.by_moment.get(moment, [])
        named = next((n for n in same if names(self.events[n])), None)
        if named is not None:
            return Restored(named)
        if same:
            return Restored(same[-1])
        place = bisect_right(self.moments, moment)
        return Restored(self.last_by[place - 1]) if place else fallback

    def severity_set(self, ref: str) -> Restored | None:
        """The last event that changed this finding's severity (a classify), if any."""
        n = self.severity.get(ref)
        return None if n is None else Restored(n)


def _about(ref: str) -> Names:
    return lambda e: (e.data or {}).get("feedback") == ref


def _unit_made(slug: str) -> Names:
    return lambda e: e.command in _UNIT and e.unit in (None, slug)


def _worn(slug: str, commands: frozenset[str]) -> Names:
    return lambda e: e.unit == slug and e.command in commands


def _decided(kinds: frozenset[str], stage: str) -> Names:
    return lambda e: e.command in kinds and e.stage == stage


def restore(
    plan: ImportPlan,
    sidecar: Sidecar,
    present: set[str],
    stored: Stored | None = None,
    timeline: Sequence[Mapping[str, Any]] = (),
) -> Restore:
    """The rows that bring the store to `plan` with what `sidecar` keeps: everything for a first
    import (`stored` None); for a re-import whose sidecar changed (a second cockpit exported since),
    the sidecar's events `timeline` lacks, in their order after it, the files' changes, and the
    sign-offs, decisions and ticks the store lacks. The files' own sign-offs and decisions are
    merged afterwards (module docstring)."""
    assert plan.sidecar_file is not None
    bare = replace(plan, units=[replace(u, signoffs=()) for u in plan.units], decisions=[])
    # Without its sign-offs and decisions the plan would void the stored ones: those ops are the
    # second step's, against the position the sidecar gives.
    base = merge(bare, stored, present)
    kept_ops = [op for op in base.ops if op.table not in ("signoffs", "decisions")]
    seen = Counter(_event_key(e) for e in timeline)
    fresh: list[EventNote] = []
    for e in sidecar.events:
        key = _event_key(e._asdict())
        if seen[key] > 0:
            seen[key] -= 1
        else:
            fresh.append(e)
    clock = _Timeline(fresh)
    facts = stored.facts if stored is not None else None
    slug_of: dict[int | Ref, str] = {Ref("unit", u.file.rel): u.slug for u in plan.units}
    slug_of |= {u.id: u.slug for u in facts.units} if facts else {}
    ref_of: dict[int | Ref, str] = {f.id: f.ref for f in facts.feedback} if facts else {}
    ops: list[Op] = []
    for op in kept_ops:
        values = dict(op.values)
        if op.table == "units" and op.action == "insert":
            values["event_id"] = clock.at(values["created_at"], FACTS, _unit_made(values["slug"]))
        elif op.table == "iterations" and op.action == "insert":
            slug = slug_of.get(values["unit_id"], "")
            values["event_id"] = clock.at(values["started_at"], FACTS, _worn(slug, _ITERATION))
        elif op.table == "feedback":
            if op.action == "insert":
                assert op.key is not None
                ref_of[op.key] = ref = finding_ref(values["number"])
                values["event_id"] = clock.at(values["created_at"], FACTS, _about(ref))
            else:
                assert op.id is not None
                ref = ref_of.get(op.id, "")
            if values.get("closed_at") is not None:
                values["closed_event_id"] = clock.at(values["closed_at"], FACTS, _about(ref))
            if values.get("severity") is not None and (set_by := clock.severity_set(ref)) is not None:
                values["severity_event_id"] = set_by
        elif op.table == "fix_iterations" and op.action == "insert":
            ref = ref_of.get(values["feedback_id"], "")
            values["event_id"] = clock.at(values["started_at"], FACTS, _about(ref))
        ops.append(replace(op, values=values))
    files = dict(stored.files) if stored is not None else {}
    units: dict[str, int | Ref] = {rel: f.unit_id for rel, f in files.items() if f.kind == "unit" and f.unit_id}
    findings: dict[str, int | Ref] = {
        rel: f.feedback_id for rel, f in files.items() if f.kind == "feedback" and f.feedback_id
    }
    for op in kept_ops:
        if op.action == "insert" and op.key is not None:
            (units if op.key.kind == "unit" else findings)[op.key.rel] = op.key
    slugs = {u.file.rel: u.slug for u in plan.units}
    have = _Have()
    if facts is not None:
        have = _Have(
            {(s.unit_id, s.role, s.phase, s.at) for s in facts.signoffs},
            {(d.stage, d.kind, d.at) for d in facts.decisions},
            Counter((t.unit_id, t.hat, t.bolt, t.item, t.ticked) for t in facts.ticks),
        )
    ops += _kept(sidecar, clock, units, slugs, findings, set(plan.files_phase), have)
    rows = [*base.files, FileRow(SIDECAR, "intent", None, None, plan.sidecar_file.sha256)]
    return Restore(tuple(fresh), tuple(ops), tuple(rows), dict(base.added))


@dataclass
class _Have:
    """What the store already holds of the sidecar's cockpit facts (a re-import): not written again."""

    signoffs: set[tuple[Any, ...]] = field(default_factory=set)  # (unit id, role, phase, at)
    decisions: set[tuple[str, str, str]] = field(default_factory=set)  # (stage, kind, at)
    ticks: Counter[tuple[Any, ...]] = field(default_factory=Counter)  # (unit id, hat, bolt, item, ticked)


def _kept(
    sidecar: Sidecar,
    timeline: _Timeline,
    units: Mapping[str, int | Ref],
    slugs: Mapping[str, str],
    findings: Mapping[str, int | Ref],
    stages: set[str],
    have: _Have,
) -> list[Op]:
    """The sign-offs, decisions and ticks of the sidecar, for the units and findings read (by file),
    less what the store already has, each under the event that made it."""
    ops: list[Op] = []
    for s in sidecar.signoffs:
        if s.unit not in units or (units[s.unit], s.role, s.phase, s.at) in have.signoffs:
            continue  # its unit's file is gone (nothing to sign), or signed already
        row = {
            "unit_id": units[s.unit],
            "role": s.role,
            "phase": s.phase,
            "at": s.at,
            "actor": s.actor,
            "note": s.note,
            "event_id": timeline.at(s.at, SIGNED, _worn(slugs[s.unit], _SIGNOFF)),
        }
        ops.append(Op("insert", "signoffs", row))
    for d in sidecar.decisions:
        kinds = _DECISION.get(d.decision)
        if d.stage not in stages or kinds is None or (d.stage, d.decision, d.at) in have.decisions:
            continue  # a stage this intent does not walk here, a kind this cockpit does not know, or known
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
    ticks = [n for n, e in enumerate(timeline.events) if e.command == "tick"]
    for t in sidecar.ticks:
        if t.unit not in units:
            continue
        key = (units[t.unit], t.hat, t.bolt, t.item, t.ticked)
        if have.ticks[key] > 0:
            have.ticks[key] -= 1
            continue
        slug = slugs[t.unit]
        match = next(
            (
                n
                for n in ticks
                if (e := timeline.events[n]).unit == slug
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
    return ops


def _event_key(e: Mapping[str, Any]) -> tuple[Any, ...]:
    return (e.get("at"), e.get("actor"), e.get("command"), e.get("stage"), e.get("unit"), e.get("message"))


def beyond(plan: ImportPlan) -> ImportPlan:
    """The plan to merge after a restore: the files' sign-offs but those of the roles cockpit
    derives from its decisions (spec, quality_gates, user), which its export wrote from the
    decisions the sidecar just restored."""
    units = [replace(u, signoffs=tuple(s for s in u.signoffs if s.role not in DERIVED_ROLES)) for u in plan.units]
    return replace(plan, units=units)
