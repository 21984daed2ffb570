"""What an intent's H·AI·K·U files should say: a pure mapping from a cockpit Position to the
files of one on-disk generation (A, B or C/v4; /tmp notes "H·AI·K·U intents on disk" §1, §3).

`plan_export` returns one `Planned` file per engine file (intent.md; for A/B each reached stage's
state.json; for C each elaborated stage's elaboration.md; every unit; every finding for B/C) and
the sidecar. A file holds `wanted`: the engine-owned keys and the values they must have (plain
values, or a `Want` whose `same` accepts what already means the same: a legacy spelling, a
timestamp once set, a key the engine reads as absent), so the writer patches only the lines that
differ (cockpit.text.frontmatter_patch). `initial` keys and body are written only into a new file.

How cockpit's facts become engine facts:
- a unit's iterations are its hat iterations (results advance/reject; a reject's message is the
  engine's `reason`); A/B keep only the scalar state the engine derives from them: status
  (pending/active/completed), hat, bolt (1 + rejects), started_at, hat_started_at, completed_at;
- C sign-offs: `reviews` = each review agent's pre-execute sign-off, plus `spec` and `user` from
  the human's elaborated decision (the unit list declared ready); `approvals` = each agent's
  post-execute sign-off, `spec` and `quality_gates` when the unit finished its last hat, and `user`
  from the gate's approval (an auto gate: when the stage completed). A cleared sign-off is absent;
- a stage's A/B phase: elaborate and review → elaborate, execute, approve → review, gate and
  complete → gate; complete is `status: completed`, `gate_outcome: advanced`; a gate submitted
  for outside review is `awaiting`;
- a finding: status pending/fixing/closed/rejected (non-actionable is closed with `resolution:
  non_actionable`, rejected also `rejected_at`), `targets.unit` the target unit's file name,
  closure text as `closure_reply`, its fix iterations;
- whatever has no engine field (who signed and why, every decision and its reason, ticks, hand-off
  messages, the timeline, cockpit's unit slugs and finding numbers) goes to the sidecar
  (cockpit.domain.haiku_sidecar).

What a file already says in its own words is left alone, so importing and exporting an intent
changes no file: legacy spellings (`complete`, `advanced`, `decompose`, `author_type: user`, a
studio alias), a moment the engine did not store (a missing started_at or gate_entered_at is never
added to an existing file; a null one is filled), A/B scalars an older file lacks, B's optional
`iterations`, v4's `status` on findings, any non-empty `closed_at`, extra keys in sign-off records,
a larger bolt than cockpit's history shows, and the roles cockpit derives (spec, quality_gates,
and the review's user) where a file signs its review agents alone.

New files are numbered per directory (max + 1 over the names on disk and those given here): units
`unit-NN-<slug>.md`, findings `NN-<slug>.md`, two digits for A/B and three for C (v4's width; it
reads any), the slug made as the engine makes it from a title (`slug_of`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cockpit.domain import haiku_sidecar as sc
from cockpit.domain.haiku_folder import closes, feedback_number
from cockpit.domain.model import Feedback, Iteration, Unit, author_type_of, unit_meta
from cockpit.domain.walk import FindingState, Position, StageState, UnitState
from cockpit.text.frontmatter_patch import MISSING, REMOVE, Want

GENERATIONS = ("A", "B", "C")
NEWEST = "C"
PLUGIN_VERSION = "4.0.0"
INTENT_FILE = "intent.md"
_NUMBER = re.compile(r"^(?:unit-)?(\d+)-")
_UNIT_NAME = re.compile(r"unit-\d{2,}-[a-z0-9]+(?:-[a-z0-9]+)*")
# Unit keys the engine owns (A/B) or cockpit writes: never copied from a unit's stored frontmatter.
_OWNED_UNIT_KEYS = frozenset(
    {"title", "depends_on", "status", "hat", "bolt", "started_at", "hat_started_at", "completed_at"}
    | {"iterations", "reviews", "approvals", "iteration", "visit", "scope_reject_attempts"}
)


@dataclass(frozen=True)
class KnownFile:
    """A file the intent was read from or written to (a `haiku_files` row)."""

    path: str
    kind: str  # intent | stage | unit | feedback
    stage: str | None = None
    unit_id: int | None = None
    feedback_id: int | None = None


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the intent folder, '/'-separated
    kind: str  # intent | stage | unit | feedback (the sidecar: intent)
    format: str  # markdown | json | text (the sidecar: `body` is the whole file)
    wanted: Mapping[str, Any] = field(default_factory=dict)
    body: str | None = None  # markdown: the body (None: keep the file's)
    initial: Mapping[str, Any] = field(default_factory=dict)  # keys only a new file gets
    initial_body: str | None = None  # the body of a new file when `body` is None
    stage: str | None = None
    unit_id: int | None = None
    feedback_id: int | None = None


def slug_of(title: str, limit: int = 60) -> str:
    """The engine's file slug of a title: lower case, each run of other characters one dash, at
    most `limit` characters, no trailing dash (a leading one stays, as the engine leaves it)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower())[:limit].rstrip("-")
    return slug or "item"


# ------------------------------------------------------------ what "the same" means


def _absent_is(value: Any) -> Want:
    """`value`, and a missing key reads as it."""
    return Want(value, same=lambda old, new: old is MISSING)


def _kept_once_set(value: Any) -> Want:
    """`value` when the key is missing or empty; a value already there stays (a first start, a
    creation time: the file's own account is kept)."""
    return Want(value, same=lambda old, new: old not in (MISSING, None, "", [], {}))


def _filled(value: Any) -> Want:
    """A moment the engine may not have stored: written where the key is null or empty (a file
    cockpit made holds it as null until known), kept once set, and never added to a file that
    lacks the key (the engine's own records often do)."""
    return Want(value, same=lambda old, new: old not in (None, "", [], {}))


def _spelled(value: Any, *also: Any) -> Want:
    return Want(value, same=lambda old, new: any(old == a for a in also))


def _or_absent(wanted: Any) -> Want:
    """`wanted`, or no key at all: for what an older engine's file may simply not hold."""
    inner = wanted if isinstance(wanted, Want) else Want(wanted)
    return Want(inner.value, same=lambda old, new: old is MISSING or (inner.same is not None and inner.same(old, new)))


def _at_least(value: int) -> Want:
    """A bolt: a file may count more cycles than the history cockpit holds (an import keeps
    what the files show), so a larger count stays."""
    return Want(value, same=lambda old, new: isinstance(old, int) and not isinstance(old, bool) and old >= new)


Check = Callable[[Any, Any], bool]  # Want.same

_RESULTS = {"advanced": "advance", "rejected": "reject", "closed": "advance"}


def _iteration_key(entry: Any) -> tuple[Any, ...]:
    if not isinstance(entry, Mapping):
        return (entry,)
    result = entry.get("result")
    spelled = _RESULTS.get(result, result) if isinstance(result, str) else result
    return (entry.get("hat"), entry.get("started_at"), entry.get("completed_at"), spelled)


def _same_iterations(old: Any, new: Any) -> bool:
    """The same hats, times and results (legacy spellings and extra keys allowed); none = absent."""
    if old is MISSING:
        return not new
    return isinstance(old, list) and [_iteration_key(e) for e in old] == [_iteration_key(e) for e in new]


DERIVED_ROLES = frozenset({"spec", "quality_gates", "user"})  # cockpit derives these from decisions
# Derived roles a file may go without once it holds other signatures (an older engine's or a
# hand-written file): the review's spec and user (the elaborated decision), the approval's spec and
# quality_gates (the unit's finished baton, which its iterations already show). The approval's
# user is the gate: always written.
_REVIEW_OPTIONAL = frozenset({"spec", "user"})
_APPROVAL_OPTIONAL = frozenset({"spec", "quality_gates"})


def _signatures_alike(optional: frozenset[str]) -> Check:
    """Whether a file's reviews (or approvals) already say what cockpit's do: the same review
    agents at the same moments (a record may carry more than `at`); the derived roles by presence,
    their moment as the file has it; an `optional` role may be absent from a file holding others."""

    def same(old: Any, new: Any) -> bool:
        if old is MISSING or old is None:
            old = {}
        if not isinstance(old, Mapping):
            return False
        signed = {r: v.get("at") if isinstance(v, Mapping) else v for r, v in old.items()}
        if signed:
            new = {r: v for r, v in new.items() if r in signed or r not in optional}
        if signed.keys() != new.keys():
            return False
        return all(signed[r] == v["at"] for r, v in new.items() if r not in DERIVED_ROLES)

    return same


def _same_targets(old: Any, new: Any) -> bool:
    if old is MISSING or old is None:
        return new["unit"] is None and not new["invalidates"]
    return (
        isinstance(old, Mapping)
        and old.get("unit") == new["unit"]
        and list(old.get("invalidates") or []) == new["invalidates"]
    )


# ------------------------------------------------------------ naming new files


class _Names:
    """File names: known ones kept, new ones numbered max + 1 per directory."""

    def __init__(self, known: Sequence[KnownFile], on_disk: Mapping[str, Sequence[str]], width: int) -> None:
        self.width = width
        self.unit = {k.unit_id: k.path for k in known if k.kind == "unit" and k.unit_id is not None}
        self.feedback = {k.feedback_id: k.path for k in known if k.kind == "feedback" and k.feedback_id is not None}
        self.taken: dict[str, set[str]] = {folder: set(names) for folder, names in on_disk.items()}
        for k in known:
            folder, _, name = k.path.rpartition("/")
            self.taken.setdefault(folder, set()).add(name)

    def _next(self, folder: str) -> int:
        numbers = [int(m.group(1)) for n in self.taken.get(folder, ()) if (m := _NUMBER.match(n))]
        return max(numbers, default=0) + 1

    def _take(self, folder: str, name: str) -> str:
        self.taken.setdefault(folder, set()).add(name)
        return f"{folder}/{name}" if folder else name

    def of_unit(self, unit: Unit) -> str:
        if unit.id in self.unit:
            return self.unit[unit.id]
        folder = f"stages/{unit.stage}/units"
        if _UNIT_NAME.fullmatch(unit.slug) and f"{unit.slug}.md" not in self.taken.get(folder, ()):
            name = f"{unit.slug}.md"  # already an engine name (a unit read from a unit file)
        else:
            slug = slug_of(unit.slug).strip("-") or "unit"
            name = f"unit-{self._next(folder):0{self.width}d}-{slug}.md"
        self.unit[unit.id] = path = self._take(folder, name)
        return path

    def of_finding(self, fb: Feedback) -> str:
        if fb.id in self.feedback:
            return self.feedback[fb.id]
        folder = f"stages/{fb.stage}/feedback" if fb.stage else "feedback"
        name = f"{self._next(folder):0{self.width}d}-{slug_of(fb.title)}.md"
        self.feedback[fb.id] = path = self._take(folder, name)
        return path


def _stem(path: str) -> str:
    return path.rpartition("/")[2].removesuffix(".md")


# ------------------------------------------------------------ the plan


def plan_export(
    position: Position,
    generation: str,
    known: Sequence[KnownFile] = (),
    on_disk: Mapping[str, Sequence[str]] | None = None,
    timeline: Sequence[Mapping[str, Any]] = (),
) -> tuple[Planned, ...]:
    """Every file of the intent in `generation`. `known`: the files it was read from or written
    to (kept by name); `on_disk`: the names already in each folder (relative, e.g.
    `stages/resolve/units`), so new files take fresh numbers; `timeline`: its events, oldest
    first (Store.timeline rows), for the sidecar."""
    if generation not in GENERATIONS:
        raise ValueError(f"unknown generation {generation!r}")
    names = _Names(known, on_disk or {}, 3 if generation == "C" else 2)
    facts = position.facts
    units = {u.id: u for u in facts.units}
    unit_paths = {u.id: names.of_unit(u) for u in facts.units}
    finding_paths = {fb.id: names.of_finding(fb) for fb in facts.feedback}
    iterations = _by_owner(facts.iterations)
    fixes = _by_owner(facts.fix_iterations)
    states = {u.unit.id: (s, u) for s in position.stages for u in s.units}
    known_stage_files = {k.stage for k in known if k.kind == "stage"}
    known_paths = {k.path for k in known}
    known_units = {k.unit_id for k in known if k.kind == "unit"}
    out = [_intent_file(position, generation)]
    for state in position.stages:
        if state.status == "skipped":
            continue
        # A/B: a reached stage's state.json; a finished stage with no units may go without (the
        # engine reads an earlier stage with neither as completed)
        reached = state.status == "active" or (state.status == "complete" and bool(state.units))
        if generation in ("A", "B") and (reached or state.name in known_stage_files):
            out.append(_state_json(state, position, iterations))
        elaboration = f"stages/{state.name}/elaboration.md"
        # v4's elaboration.md: patched where it is; made for a stage whose units cockpit elaborated
        # (none of their files known yet), or where only it can say the stage is still elaborating
        fresh = not any(u.unit.id in known_units for u in state.units)
        needed = fresh or (state.phase == "elaborate" and state.status == "active")
        if generation == "C" and ((state.units and needed) or elaboration in known_paths):
            out.append(_elaboration(state, position))
    for unit in facts.units:
        stage_state, unit_state = states.get(unit.id, (None, None))
        out.append(
            _unit_file(
                unit, unit_paths, units, stage_state, unit_state, iterations.get(unit.id, ()), position, generation
            )
        )
    by_id = {f.feedback.id: f for f in position.findings}
    for fb in facts.feedback:
        path = finding_paths[fb.id]
        named = _closed_by_its_unit(fb, units, path)
        out.append(_finding_file(by_id[fb.id], path, unit_paths, fixes.get(fb.id, ()), generation, named))
    out.append(_sidecar(position, unit_paths, finding_paths, iterations, fixes, timeline))
    return tuple(out)


def _by_owner(rows: Iterable[Iteration]) -> dict[int, tuple[Iteration, ...]]:
    grouped: dict[int, list[Iteration]] = {}
    for row in rows:
        grouped.setdefault(row.owner_id, []).append(row)
    return {k: tuple(v) for k, v in grouped.items()}


# ------------------------------------------------------------ times the engine keeps


def _stage_started(state: StageState, position: Position) -> str | None:
    moments = [u.unit.created_at for u in state.units]
    moments += [d.at for d in position.facts.decisions if d.stage == state.name]
    return min(moments, default=None)


def _stage_finished_work(state: StageState, position: Position) -> str | None:
    """When the last unit finished or the last post-execute sign-off came: the gate's entry."""
    ids = {u.unit.id for u in state.units}
    moments = [i.completed_at for u in state.units for i in u.iterations if i.completed_at]
    moments += [s.at for s in position.facts.signoffs if s.unit_id in ids and s.phase == "approve"]
    return max(moments, default=None)


def _stage_completed(state: StageState, position: Position) -> str | None:
    if state.status != "complete":
        return None
    if state.gate.approval is not None:
        return state.gate.approval.at
    return _stage_finished_work(state, position)


def _intent_times(position: Position) -> tuple[str | None, str | None]:
    """(first work, completion) of the intent."""
    starts = [i.started_at for i in position.facts.iterations]
    started = min(starts, default=None)
    if not position.complete:
        return started, None
    ends = [_stage_completed(s, position) for s in position.stages if s.status == "complete"]
    return started, max((e for e in ends if e), default=None)


# ------------------------------------------------------------ intent.md


def _intent_file(position: Position, generation: str) -> Planned:
    intent = position.facts.intent
    started, completed = _intent_times(position)
    ids = {i.lower() for i in position.studio.ids()}
    wanted: dict[str, Any] = {
        "title": intent.title,
        "studio": Want(intent.studio, same=lambda old, new: isinstance(old, str) and old.lower() in ids),
    }
    if intent.stages is not None:
        wanted["stages"] = list(intent.stages)
    wanted["skip_stages"] = list(intent.skip_stages) if intent.skip_stages else _spelled([], MISSING)
    initial: dict[str, Any] = {"mode": "continuous"}
    walked = [s for s in position.stages if s.status != "skipped"]
    if generation == "C":
        if intent.description:
            wanted["description"] = intent.description
        initial = {"plugin_version": PLUGIN_VERSION, **initial, "approvals": {}, "created_at": intent.created_at}
        initial |= {"started_at": None, "sealed_at": None}  # as the v4 migrator leaves a new intent
        wanted["started_at"] = _filled(started) if started else _absent_is(None)
        wanted["sealed_at"] = _kept_once_set(completed) if position.complete else _absent_is(None)
    else:
        initial |= {"status": "active", "created_at": intent.created_at, "started_at": None, "completed_at": None}
        active = position.active
        wanted["status"] = _spelled("completed", "complete") if position.complete else _absent_is("active")
        if active is not None:
            wanted["active_stage"] = active.name
        elif walked:
            wanted["active_stage"] = _filled(walked[-1].name)
        wanted["started_at"] = _filled(started) if started else _absent_is(None)
        wanted["completed_at"] = _filled(completed) if position.complete else _absent_is(None)
    body = intent.description if generation != "C" else ""
    return Planned(INTENT_FILE, "intent", "markdown", wanted, None, initial, body)


# ------------------------------------------------------------ stages


_AB_PHASE = {
    "elaborate": ("elaborate", "decompose"),
    "review": ("elaborate", "decompose"),
    "execute": ("execute",),
    "approve": ("review",),
    "gate": ("gate", "persist"),
}


def _state_json(state: StageState, position: Position, iterations: Mapping[int, Sequence[Iteration]]) -> Planned:
    started = _stage_started(state, position)
    wanted: dict[str, Any] = {"stage": state.name}
    if state.status == "complete":
        wanted["status"] = _spelled("completed", "complete")
        wanted["phase"] = Want("gate", same=lambda old, new: old not in (MISSING, None, ""))  # any phase it ended in
        wanted["gate_outcome"] = "advanced"
        wanted["completed_at"] = _filled(_stage_completed(state, position))
    else:
        wanted["status"] = _absent_is("pending") if state.status == "pending" else "active"
        phase, *also = _AB_PHASE[state.phase] if state.status == "active" else ("",)
        wanted["phase"] = _spelled(phase, *also)
        wanted["gate_outcome"] = "awaiting" if state.gate.submission is not None else _absent_is(None)
        wanted["completed_at"] = _absent_is(None)
    wanted["started_at"] = _filled(started) if started and state.status != "pending" else _absent_is(None)
    entered = _stage_finished_work(state, position) if state.phase in ("gate", "complete") else None
    wanted["gate_entered_at"] = _filled(entered) if entered else _absent_is(None)
    initial: dict[str, Any] = {"stage": state.name, "status": "pending", "phase": ""}
    initial |= dict.fromkeys(("started_at", "completed_at", "gate_entered_at", "gate_outcome"))
    return Planned(f"stages/{state.name}/state.json", "stage", "json", wanted, None, initial, stage=state.name)


def _elaboration(state: StageState, position: Position) -> Planned:
    """v4's record of a stage's elaboration: sealed (`verified_at`) once the unit list was declared ready."""
    ready = [d.at for d in position.facts.decisions if d.stage == state.name and d.kind == "elaborated"]
    verified = ready[-1] if state.elaborated and ready else None
    wanted = {"verified_at": _kept_once_set(verified) if verified else None}
    initial = {"intent": position.facts.intent.slug, "stage": state.name}
    body = f"Units of {state.name} elaborated in cockpit."
    return Planned(
        f"stages/{state.name}/elaboration.md", "stage", "markdown", wanted, None, initial, body, stage=state.name
    )


# ------------------------------------------------------------ units


def _iteration_entries(rows: Sequence[Iteration]) -> list[dict[str, Any]]:
    out = []
    for i in rows:
        entry: dict[str, Any] = {
            "hat": i.hat,
            "started_at": i.started_at,
            "completed_at": i.completed_at,
            "result": i.result,
        }
        if i.result == "reject" and i.message:
            entry["reason"] = i.message
        out.append(entry)
    return out


def _signatures(position: Position, state: StageState | None, unit: Unit) -> tuple[dict[str, Any], dict[str, Any]]:
    """(reviews, approvals) of a unit in v4's shape, from cockpit's valid sign-offs and decisions."""
    if state is None:
        return {}, {}
    missing_review = {role for slug, role in state.missing_review if slug == unit.slug}
    missing_approval = {role for slug, role in state.missing_approval if slug == unit.slug}
    latest: dict[tuple[str, str], str] = {}
    for s in position.facts.signoffs:
        if s.unit_id == unit.id:
            latest[s.phase, s.role] = s.at
    reviews: dict[str, Any] = {}
    approvals: dict[str, Any] = {}
    ready = [d.at for d in position.facts.decisions if d.stage == state.name and d.kind == "elaborated"]
    if state.elaborated and ready:
        reviews["spec"] = {"at": ready[-1]}
    for role in sorted(state.stage.reviewer_names):
        if role not in missing_review and ("review", role) in latest:
            reviews[role] = {"at": latest["review", role]}
        if role not in missing_approval and ("approve", role) in latest:
            approvals[role] = {"at": latest["approve", role]}
    if state.elaborated and ready:
        reviews["user"] = {"at": ready[-1]}
    unit_state = state.unit(unit.slug)
    finished = unit_state is not None and unit_state.status == "done"
    done_at = unit_state.iterations[-1].completed_at if finished and unit_state and unit_state.iterations else None
    if done_at:
        approvals = {"spec": {"at": done_at}, "quality_gates": {"at": done_at}, **approvals}
    if state.status == "complete":
        approved = _stage_completed(state, position)
        if approved:
            approvals["user"] = {"at": approved}
    return reviews, approvals


def _unit_file(
    unit: Unit,
    paths: Mapping[int, str],
    units: Mapping[int, Unit],
    state: StageState | None,
    unit_state: UnitState | None,
    rows: Sequence[Iteration],
    position: Position,
    generation: str,
) -> Planned:
    siblings = {u.slug: paths[u.id] for u in units.values() if u.stage == unit.stage}
    depends = [_stem(siblings[d]) if d in siblings else d for d in unit.depends_on]
    wanted: dict[str, Any] = {"title": unit.title, "depends_on": depends if depends else _spelled([], MISSING)}
    first = rows[0].started_at if rows else None
    if generation in ("A", "B"):
        wanted.update(_scalar_unit_state(unit_state, rows))
    else:
        wanted["started_at"] = _or_absent(first) if first else _absent_is(None)
    if generation in ("B", "C"):
        iterations = Want(_iteration_entries(rows), same=_same_iterations)
        wanted["iterations"] = iterations if generation == "C" else _or_absent(iterations)  # B: optional
    if generation == "C":
        reviews, approvals = _signatures(position, state, unit)
        wanted["reviews"] = Want(reviews, same=_signatures_alike(_REVIEW_OPTIONAL))
        auto = state is not None and state.stage.is_auto  # nobody signs an auto gate: its user may be absent
        optional = _APPROVAL_OPTIONAL | {"user"} if auto else _APPROVAL_OPTIONAL
        wanted["approvals"] = Want(approvals, same=_signatures_alike(optional))
    meta = unit_meta(unit)
    initial = {k: v for k, v in meta.items() if k not in _OWNED_UNIT_KEYS}
    if generation in ("A", "B"):
        initial |= {"status": "pending", "hat": "", "bolt": 0}  # a new A/B unit's stored baton
        initial |= dict.fromkeys(("started_at", "hat_started_at", "completed_at"))
    else:
        initial["started_at"] = None  # a v4 unit not started yet
    if generation in ("B", "C"):
        initial["iterations"] = []
    return Planned(paths[unit.id], "unit", "markdown", wanted, unit.body, initial, stage=unit.stage, unit_id=unit.id)


def _scalar_unit_state(unit_state: UnitState | None, rows: Sequence[Iteration]) -> dict[str, Any]:
    """A/B's stored baton: what the engine derives its walk from. Status is the engine's truth and
    always written; the hat, the bolt and the moments are kept out of a file that lacks them (an
    older engine's, or one whose `iterations` say it all)."""
    status = unit_state.status if unit_state is not None else ("done" if rows and rows[-1].result else "ready")
    last = rows[-1] if rows else None
    if status == "done" and last is not None:
        return {
            "status": _spelled("completed", "complete"),
            "hat": Want("", same=lambda old, new: old in (MISSING, last.hat)),  # engines leave either
            "bolt": _or_absent(_at_least(1 + sum(1 for i in rows if i.result == "reject"))),
            "started_at": _or_absent(rows[0].started_at),
            "hat_started_at": _or_absent(last.started_at),
            "completed_at": _or_absent(last.completed_at),
        }
    if status in ("active", "escalated") and last is not None and unit_state is not None:
        return {
            "status": "active",
            "hat": _or_absent(unit_state.hat or last.hat),
            "bolt": _or_absent(_at_least(unit_state.bolt)),
            "started_at": _or_absent(rows[0].started_at),
            "hat_started_at": _or_absent(last.started_at if last.result is None else last.completed_at),
            "completed_at": _absent_is(None),
        }
    return {
        "status": _absent_is("pending"),
        "hat": _spelled("", MISSING),
        "bolt": _spelled(0, MISSING),
        "started_at": _absent_is(None),
        "hat_started_at": _absent_is(None),
        "completed_at": _absent_is(None),
    }


# ------------------------------------------------------------ findings


def _finding_status(state: FindingState) -> Want | str:
    fb = state.feedback
    if fb.is_open:
        return "fixing" if state.status in ("fixing", "escalated") else "pending"
    if fb.resolution == "rejected":
        return "rejected"
    return _spelled("closed", "addressed", "answered")


def _closed_by_its_unit(fb: Feedback, units: Mapping[int, Unit], path: str) -> bool:
    """Whether the finding's target unit is a B unit whose `closes: [FB-NN]` names this finding's
    file: the import reads that as the target, so the finding file needs no `targets` of its own."""
    unit = units.get(fb.target_unit_id) if fb.target_unit_id is not None else None
    return unit is not None and unit.stage == fb.stage and feedback_number(path) in closes(unit_meta(unit))


def _finding_file(
    state: FindingState,
    path: str,
    unit_paths: Mapping[int, str],
    rows: Sequence[Iteration],
    generation: str,
    named_by_closes: bool = False,
) -> Planned:
    fb = state.feedback
    target_id = fb.target_unit_id
    target = _stem(unit_paths[target_id]) if target_id is not None and target_id in unit_paths else None
    author_type = fb.author_type
    wanted: dict[str, Any] = {
        "title": fb.title,
        # v4 closes by closed_at: a status is kept where the file has one
        "status": _finding_status(state) if generation != "C" else _or_absent(_finding_status(state)),
        "origin": Want(fb.origin, same=lambda old, new: old is MISSING and new == "agent"),
        "author": Want(fb.author, same=lambda old, new: old is MISSING and new == "agent"),
        "author_type": Want(
            author_type,
            same=lambda old, new: (
                (old == "user" and new == "human") or (old is MISSING and new == author_type_of(fb.origin))
            ),
        ),
        "severity": fb.severity if fb.severity else Want(REMOVE, same=lambda old, new: old in (MISSING, None)),
        "targets": Want(
            {"unit": target, "invalidates": list(fb.invalidates)},
            same=lambda old, new: (
                _same_targets(old, new) or (named_by_closes and old is MISSING and not new["invalidates"])
            ),
        ),
    }
    # Any non-empty closed_at means closed (a migrated file may hold `closed_at: unit-03-foo`); B
    # closes by status, so a closure time is an extra it may lack.
    wanted["closed_at"] = Want(
        fb.closed_at,
        same=lambda old, new: (
            (old is MISSING and (new is None or generation == "B"))
            or (bool(old) and isinstance(old, str) and bool(new))
        ),
    )
    wanted["rejected_at"] = fb.closed_at if fb.resolution == "rejected" else _absent_is(None)
    if fb.resolution == "non_actionable":
        wanted["resolution"] = "non_actionable"
    reply = {"text": fb.closure_text, "at": fb.closed_at} if fb.closure_text else None
    wanted["closure_reply"] = Want(
        reply,
        same=lambda old, new: (
            (old is MISSING and (new is None or generation == "B"))  # B has no such field
            or (isinstance(old, Mapping) and new is not None and old.get("text") == new["text"])
        ),
    )
    wanted["iterations"] = Want(_iteration_entries(rows), same=_same_iterations)
    status = _finding_status(state)
    initial = {"status": status.value if isinstance(status, Want) else status}  # v4's creator writes one too
    initial |= {"created_at": fb.created_at, "closed_at": None}
    return Planned(path, "feedback", "markdown", wanted, fb.body, initial, stage=fb.stage or None, feedback_id=fb.id)


# ------------------------------------------------------------ the sidecar


def _sidecar(
    position: Position,
    unit_paths: Mapping[int, str],
    finding_paths: Mapping[int, str],
    iterations: Mapping[int, Sequence[Iteration]],
    fixes: Mapping[int, Sequence[Iteration]],
    timeline: Sequence[Mapping[str, Any]],
) -> Planned:
    facts = position.facts
    messages = [
        sc.MessageNote(paths[owner], n, i.message)
        for rows, paths in ((iterations, unit_paths), (fixes, finding_paths))
        for owner, owned in sorted(rows.items())
        if owner in paths
        for n, i in enumerate(owned)
        if i.message
    ]
    sidecar = sc.Sidecar(
        units=tuple(sc.UnitName(unit_paths[u.id], u.slug) for u in facts.units),
        findings=tuple(sc.FindingName(finding_paths[f.id], f.number) for f in facts.feedback if f.id in finding_paths),
        signoffs=tuple(
            sc.SignoffNote(unit_paths[s.unit_id], s.role, s.phase, s.at, s.actor, s.note)
            for s in facts.signoffs
            if s.unit_id in unit_paths
        ),
        decisions=tuple(
            sc.DecisionNote(
                d.stage,
                d.kind,
                d.at,
                d.actor,
                d.path,
                d.reason,
                d.url,
                unit_paths.get(d.unit_id) if d.unit_id is not None else None,
                finding_paths.get(d.feedback_id) if d.feedback_id is not None else None,
                d.branch,
            )
            for d in facts.decisions
        ),
        ticks=tuple(
            sc.TickNote(unit_paths[t.unit_id], t.hat, t.bolt, t.item, t.ticked)
            for t in facts.ticks
            if t.unit_id in unit_paths
        ),
        messages=tuple(messages),
        events=tuple(_event(e) for e in timeline if not str(e.get("command", "")).startswith(HAIKU_COMMANDS)),
    )
    return Planned(sc.SIDECAR, "intent", "text", body=sc.encode(sidecar))


# Events of linking an intent to its files: not part of the intent's story in the sidecar (an
# export would otherwise change the sidecar it just wrote, and the next export would write again).
HAIKU_COMMANDS = ("haiku_",)


def _event(row: Mapping[str, Any]) -> sc.EventNote:
    data = row.get("data")
    return sc.EventNote(
        str(row["at"]),
        str(row["actor"]),
        str(row["command"]),
        row.get("stage"),
        row.get("unit"),
        row.get("hat"),
        row.get("message"),
        dict(data) if isinstance(data, Mapping) and data else None,
    )


def protected_kind(planned: Planned) -> str | None:
    """Which `.fsm_checksum` group ("intent", "stage", "unit") a file's protected fields are in."""
    if planned.path == INTENT_FILE:
        return "intent"
    if planned.kind == "stage" and planned.format == "json":
        return "stage"
    if planned.kind == "unit":
        return "unit"
    return None
