"""From one H·AI·K·U intent folder (cockpit.domain.haiku_folder) and the studio it walks by to the
facts cockpit stores: units, their iterations and sign-offs, findings, and the stage decisions
that make cockpit's walk stand where the files stand. Pure: no file, no store.

What each generation gives (notes "H·AI·K·U intents on disk" §1 and §3):
- A/B keep the position (intent `active_stage`/`status`, state.json `phase`, unit `status`/`hat`/
  `bolt`): the hats' iterations are synthesized from them (one advance per hat before the current
  one, an open one at it; the send-backs behind a bolt above 1 are not in the files and are said
  lost), as are the review agents' sign-offs and the stage decisions the phase implies.
- B/C keep unit `iterations[]` (advance/advanced, reject/rejected); C keeps `reviews` and
  `approvals` per unit and role. C has no stored phase: it is read from the facts (§3.2), and the
  mapping adds only what cockpit's walk needs to read the same.

Cockpit's phases and the files' (the correspondence the tests hold the import to):
  A/B state.json phase  elaborate → elaborate, execute → execute, review → approve, gate → gate
  C derived phase       elaborate → elaborate, execute → execute, review → review, gate → approve
cockpit's pre-execute review has no record in A/B, nor in C while units execute: those sign-offs
are synthesized (note "synthesized"). A stage passed in the files gets an `approved` decision on the
path its gate allows ("ask" when it may, else its external kind with the review URL the files
record, if any); the evidence is the file named in the decision's timeline event and its digest in
`haiku_files`. A passed stage with open blocking findings is an override, its reason says so.

Findings: a B unit's `closes: [FB-NN]` makes it the target of finding NN of its stage (unless
the finding names its own `targets.unit`); severity absent → unset; `author_type: user` → human; authors and origins kept verbatim;
closed by C `closed_at` / `rejected_at`, or B `closed_by` / status closed, addressed, answered,
rejected. A `closed_at` that is not a time (the v4 migrator copies `closed_by` there) closes the
finding at its creation time, the text kept as the closure. Intent-scope findings get stage ''.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from cockpit import severity as sev
from cockpit.domain.commands.names import slugify, title_controls
from cockpit.domain.dag import find_cycle
from cockpit.domain.haiku_folder import IntentFolder, SourceFile, StageFolder, closes, feedback_number, generation
from cockpit.domain.haiku_sidecar import Sidecar, decode
from cockpit.domain.model import Intent, Iteration, author_type_of, clip_title
from cockpit.domain.stage_list import check_walk, walked_stages
from cockpit.domain.studio import EXTERNAL_GATE_KINDS, Stage, Studio
from cockpit.domain.walk import baton
from cockpit.errors import CockpitError, SourceError

SYNTHESIZED = "synthesized on import"
# Unit keys that become facts (iterations, sign-offs, the title and dependencies) or that the A/B
# engine owns (the position, synthesized into facts): the rest of the frontmatter is kept as meta.
_FACT_KEYS = frozenset(
    {
        "title",
        "depends_on",
        "iterations",
        "reviews",
        "approvals",
        "status",
        "hat",
        "bolt",
        "hat_started_at",
        "started_at",
        "completed_at",
        "iteration",
        "visit",
        "scope_reject_attempts",
    }
)
_DONE = frozenset({"completed", "complete", "skipped", "failed"})
_ACTIVE = frozenset({"active", "in_progress", "rejected"})
_CLOSED_B = frozenset({"closed", "addressed", "answered", "rejected"})
_RESULTS = {"advance": "advance", "advanced": "advance", "closed": "advance", "reject": "reject"}
_RESULTS |= {"rejected": "reject", "reopened": "reject"}
_AUTHOR_TYPES = {"human": "human", "user": "human", "agent": "agent", "system": "system"}
_AB_PHASES = {"decompose": "elaborate", "persist": "gate", "": "elaborate"}
# The files' phase → cockpit's, per generation (the module docstring).
COCKPIT_PHASE = {
    "A": {"elaborate": "elaborate", "execute": "execute", "review": "approve", "gate": "gate", "complete": "complete"},
    "C": {
        "elaborate": "elaborate",
        "execute": "execute",
        "review": "review",
        "gate": "approve",
        "user_gate": "gate",
        "complete": "complete",
    },
}
COCKPIT_PHASE["B"] = COCKPIT_PHASE["A"]
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


class PlannedIteration(NamedTuple):
    hat: str
    started_at: str
    completed_at: str | None
    result: str | None  # advance | reject | None (open)
    message: str | None


class PlannedSignoff(NamedTuple):
    role: str
    phase: str  # review | approve
    at: str
    note: str | None  # SYNTHESIZED when the files hold no record of it


class PlannedDecision(NamedTuple):
    stage: str
    kind: str  # elaborated | approved | revisited
    at: str
    path: str | None = None
    url: str | None = None
    reason: str | None = None
    source: str = ""  # the file it was read from (the evidence), relative to the intent folder


@dataclass(frozen=True)
class PlannedUnit:
    file: SourceFile
    stage: str
    slug: str
    title: str
    body: str
    depends_on: tuple[str, ...]
    meta_json: str
    created_at: str
    iterations: tuple[PlannedIteration, ...]
    signoffs: tuple[PlannedSignoff, ...] = ()


@dataclass(frozen=True)
class PlannedFinding:
    file: SourceFile
    stage: str  # '' for intent scope
    title: str
    body: str
    origin: str
    author: str
    author_type: str
    severity: str | None
    target: str | None  # unit slug
    invalidates: tuple[str, ...]
    created_at: str
    closed_at: str | None
    resolution: str | None
    closure_text: str | None
    fix_iterations: tuple[PlannedIteration, ...] = ()
    number: int | None = None  # cockpit's number of it (the sidecar's), else the next free one

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass
class ImportPlan:
    slug: str
    generation: str
    legacy: bool  # a C folder with A/B leftovers
    studio: str
    title: str
    description: str
    created_at: str
    stages: tuple[str, ...] | None
    skip_stages: tuple[str, ...]
    intent_file: SourceFile
    stage_files: list[tuple[SourceFile, str]] = field(default_factory=list)  # (state.json / elaboration.md, stage)
    units: list[PlannedUnit] = field(default_factory=list)
    findings: list[PlannedFinding] = field(default_factory=list)
    decisions: list[PlannedDecision] = field(default_factory=list)
    problems: list[SourceError] = field(default_factory=list)  # what could not be mapped, located
    notes: list[str] = field(default_factory=list)  # what was synthesized or lost, in words
    files_phase: dict[str, str] = field(default_factory=dict)  # stage → the files' own phase (or pending)
    sidecar: Sidecar | None = None  # what a cockpit export kept beside the files (haiku_sidecar)
    sidecar_file: SourceFile | None = None

    def expected_phase(self, stage: str) -> str:
        """Cockpit's phase for the files' phase of `stage` (COCKPIT_PHASE); 'pending' as is."""
        phase = self.files_phase.get(stage, "pending")
        return COCKPIT_PHASE[self.generation].get(phase, phase)


def moment(value: Any, fallback: str) -> str:
    """A time the files hold as cockpit stores times (UTC, `…Z`, no fraction); `fallback` when
    absent or not a time (a date alone reads as its midnight)."""
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    if not isinstance(value, str) or not _MOMENT.match(value.strip()):
        return fallback
    text = value.strip().replace(" ", "T").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text if "T" in text else text + "T00:00:00")
    except ValueError:
        return fallback
    return moment(parsed, fallback)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _names(file: SourceFile, key: str, problems: list[SourceError]) -> tuple[str, ...] | None:
    """A list of names at `key` (a lone string is a list of one); None, with a problem, otherwise."""
    value = file.meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(SourceError(file.path, file.line(key), f"`{key}:` must be a list of names"))
        return None
    return tuple(v.strip() for v in value if v.strip())


def _title(file: SourceFile, fallback: str) -> str:
    title = _text(file.meta.get("title"))
    if not title and file.doc is not None:
        heading = re.search(r"^#\s+(.+?)\s*$", file.doc.body, re.MULTILINE)
        title = heading.group(1) if heading else ""
        if title_controls(title):  # a heading is no title to keep then: the file's name is
            title = ""
    return clip_title(" ".join((title or fallback).split()))


def _body(file: SourceFile) -> str:
    return (file.doc.body if file.doc is not None else "").strip("\n")


def plan_import(
    folder: IntentFolder, studio: Studio, *, now: str, threshold: str = sev.DEFAULT_THRESHOLD
) -> ImportPlan:
    """The facts of `folder` walked by `studio` (already resolved by the caller, `studio: ""` too).
    Raises SourceError only when the intent itself cannot be mapped (its walk names no stage of the
    studio); anything smaller is a problem in the plan, and the rest maps."""
    gen, legacy = generation(folder)
    meta = folder.intent.meta
    created = moment(meta.get("created_at", meta.get("created")), now)
    description = _text(meta.get("description")) or _body(folder.intent)
    plan = ImportPlan(
        folder.slug,
        gen,
        legacy,
        studio.name,
        _title(folder.intent, folder.slug),
        description,
        created,
        None,
        (),
        folder.intent,
    )
    problems = plan.problems
    own = _names(folder.intent, "stages", problems)
    skip = _names(folder.intent, "skip_stages", problems)
    try:
        plan.stages, plan.skip_stages = check_walk(studio, own or None, skip or ())
    except CockpitError as exc:
        key = "skip_stages" if skip else "stages"
        raise SourceError(folder.intent.path, folder.intent.line(key), str(exc)) from None
    if folder.sidecar is not None:
        plan.sidecar_file = folder.sidecar
        plan.sidecar, unread = decode(folder.sidecar.text, folder.sidecar.path)
        problems += unread
        plan.sidecar = _checked_sidecar(plan.sidecar, folder.sidecar, problems)
    if legacy:
        plan.notes.append("a v4 folder with leftovers of an older engine: the v4 facts win, the old keys fill gaps")
    probe = Intent(0, folder.slug, plan.title, studio.name, created, 0, "", plan.stages, plan.skip_stages)
    walked = walked_stages(studio, probe)
    known = set(studio.stage_names)
    for stage_folder in folder.stages:
        if stage_folder.name not in known:
            files = [f for f in (stage_folder.state, *stage_folder.units, *stage_folder.feedback) if f is not None]
            if files:
                problems.append(
                    SourceError(
                        files[0].path, 1, f"studio {studio.name} has no stage {stage_folder.name!r}: not imported"
                    )
                )
            continue
        for extra in (stage_folder.state, stage_folder.elaboration):
            if extra is not None:
                plan.stage_files.append((extra, stage_folder.name))
    _map_units(plan, folder, studio, created)
    _map_findings(plan, folder, studio, created)
    if plan.sidecar is not None:
        _named_by_sidecar(plan, plan.sidecar)
    if gen == "C":
        _read_c(plan, folder, studio, walked, created)
    else:
        _read_ab(plan, folder, studio, walked, created)
    _decide(plan, folder, studio, walked, created, threshold)
    return plan


# ------------------------------------------------------------ units and their iterations


def _map_units(plan: ImportPlan, folder: IntentFolder, studio: Studio, created: str) -> None:
    """Units stage by stage in the studio's order. A unit's slug is its file's stem; a stem an
    earlier stage already uses (numbering is per stage folder) gets its stage as a prefix, since
    cockpit names a unit once per intent (its file stays its identity: haiku_files)."""
    taken: set[str] = set()
    named = {u.file: u.slug for u in plan.sidecar.units} if plan.sidecar is not None else {}
    for name in studio.stage_names:
        stage_folder = folder.stage(name)
        if stage_folder is None:
            continue
        stage = studio.stage(name)
        slugs: dict[str, str] = {}
        for file in stage_folder.units:
            own = named.get(file.rel, "")
            if own and own not in taken and slugify(own, 60) == own:  # cockpit's name for it
                slug = own
            else:
                slug = file.stem if file.stem not in taken else f"{name}-{file.stem}"
            if slug in taken:
                plan.problems.append(SourceError(file.path, 1, f"a unit named {slug!r} already exists: not imported"))
                continue
            if slug != file.stem and slug != own:
                plan.notes.append(f"{file.rel}: {file.stem} is also a unit of an earlier stage: named {slug} here")
            slugs[file.stem] = slug
            taken.add(slug)
        planned = []
        for file in stage_folder.units:
            if file.stem in slugs:
                unit = _unit(plan, file, stage, created)
                deps = tuple(slugs.get(d, d) for d in unit.depends_on)
                planned.append(_replace(unit, slug=slugs[file.stem], depends_on=deps))
        plan.units += _checked_dependencies(plan, planned)


def _unit(plan: ImportPlan, file: SourceFile, stage: Stage, created: str) -> PlannedUnit:
    deps = _names(file, "depends_on", plan.problems)
    if deps is None:
        deps = ()
    extra = {k: v for k, v in file.meta.items() if k not in _FACT_KEYS}
    started = moment(file.meta.get("started_at"), created)
    iterations = _unit_iterations(plan, file, stage, started)
    return PlannedUnit(
        file,
        stage.name,
        file.stem,
        _title(file, file.stem),
        _body(file),
        deps,
        json.dumps(extra, sort_keys=True, default=str),  # YAML dates become text
        started,
        iterations,
        _recorded_signoffs(plan, file, started),
    )


_SIGNOFF_PHASES = frozenset({"review", "approve"})
_DECISIONS = frozenset({"elaborated", "approved", "changes_requested", "resumed", "submitted", "revisited"})


def _checked_sidecar(sidecar: Sidecar, file: SourceFile, problems: list[SourceError]) -> Sidecar:
    """The sidecar less the records cockpit could not store as they are (a time that is not one, a
    sign-off phase or decision it does not know): each left out, located. Hostile text stays data."""

    rows: list[tuple[int, Any]] = []
    for n, raw in enumerate(file.text.split("\n"), start=1):
        try:
            rows.append((n, json.loads(raw)))
        except ValueError:
            continue

    def where(kind: str, record: NamedTuple) -> int:
        written = {"kind": kind, **{k: v for k, v in record._asdict().items() if v is not None}}
        return next((n for n, row in rows if _same_record(row, written)), 1)

    def keep(kind: str, record: Any, why: str | None) -> bool:
        if why:
            problems.append(SourceError(file.path, where(kind, record), f"{kind}: {why}: left out"))
        return not why

    def timed(at: str) -> str | None:
        return None if moment(at, "") == at else f"{at!r} is not a time (YYYY-MM-DDTHH:MM:SSZ)"

    events = tuple(e for e in sidecar.events if keep("event", e, timed(e.at)))
    signoffs = tuple(
        s
        for s in sidecar.signoffs
        if keep("signoff", s, timed(s.at) or (None if s.phase in _SIGNOFF_PHASES else f"unknown phase {s.phase!r}"))
    )
    decisions = tuple(
        d
        for d in sidecar.decisions
        if keep(
            "decision", d, timed(d.at) or (None if d.decision in _DECISIONS else f"unknown decision {d.decision!r}")
        )
    )
    return replace(sidecar, events=events, signoffs=signoffs, decisions=decisions)


def _same_record(row: Any, written: Mapping[str, Any]) -> bool:
    """A line of the file is the record read from it (optional keys absent or null)."""
    return isinstance(row, dict) and {k: v for k, v in row.items() if v is not None} == written


def _named_by_sidecar(plan: ImportPlan, sidecar: Sidecar) -> None:
    """What the sidecar keeps of cockpit's own account: each finding's number, each iteration's
    hand-off message, and the order cockpit made units and findings in (so the facts are stored
    as the exporting cockpit stored them). Units were named by it in _map_units."""
    messages = {(m.owner, m.nth): m.message for m in sidecar.messages}

    def told(rel: str, its: tuple[PlannedIteration, ...]) -> tuple[PlannedIteration, ...]:
        return tuple(it._replace(message=messages.get((rel, n), it.message)) for n, it in enumerate(its))

    numbers = {f.file: f.number for f in sidecar.findings}
    used: set[int] = set()
    findings = []
    for f in plan.findings:
        number = numbers.get(f.file.rel)
        if number is not None and (number < 1 or number in used):
            number = None
        if number is not None:
            used.add(number)
        findings.append(_replace_finding(f, number=number, fix_iterations=told(f.file.rel, f.fix_iterations)))
    units = [_replace(u, iterations=told(u.file.rel, u.iterations)) for u in plan.units]
    unit_order = {u.file: n for n, u in enumerate(sidecar.units)}
    finding_order = {f.file: n for n, f in enumerate(sidecar.findings)}
    last = len(unit_order) + len(finding_order)
    plan.units = sorted(units, key=lambda u: unit_order.get(u.file.rel, last))
    plan.findings = sorted(findings, key=lambda f: finding_order.get(f.file.rel, last))


def _replace_finding(finding: PlannedFinding, **changes: Any) -> PlannedFinding:
    return replace(finding, **changes)


def _checked_dependencies(plan: ImportPlan, units: list[PlannedUnit]) -> list[PlannedUnit]:
    """Dependencies on siblings that exist, with no self-reference and no cycle: a dependency the
    walk could never satisfy is dropped and reported (the unit would wait forever)."""
    names = {u.slug for u in units}
    out: list[PlannedUnit] = []
    for unit in units:
        keep = []
        for dep in unit.depends_on:
            if dep == unit.slug or dep not in names:
                why = "itself" if dep == unit.slug else f"unknown unit {dep!r} (not in stage {unit.stage})"
                plan.problems.append(
                    SourceError(unit.file.path, unit.file.line("depends_on"), f"depends on {why}: dependency dropped")
                )
            else:
                keep.append(dep)
        out.append(_replace(unit, depends_on=tuple(keep)))
    cycle = find_cycle({u.slug: list(u.depends_on) for u in out})
    while cycle:
        first = next(u for u in out if u.slug == cycle[0])
        plan.problems.append(
            SourceError(
                first.file.path,
                first.file.line("depends_on"),
                "dependency cycle " + " → ".join(cycle) + f": the dependencies of {first.slug} are dropped",
            )
        )
        out = [_replace(u, depends_on=()) if u is first else u for u in out]
        cycle = find_cycle({u.slug: list(u.depends_on) for u in out})
    return out


def _replace(unit: PlannedUnit, **changes: Any) -> PlannedUnit:
    return replace(unit, **changes)


def _status(file: SourceFile) -> str | None:
    value = _text(file.meta.get("status")).lower()
    return value or None


def _unit_iterations(plan: ImportPlan, file: SourceFile, stage: Stage, started: str) -> tuple[PlannedIteration, ...]:
    hats = stage.hats
    raw = file.meta.get("iterations")
    status = _status(file)
    if isinstance(raw, list) and raw:
        its = _iteration_list(plan, file, raw, started)
        for it in its:
            if hats and it.hat not in hats:
                plan.problems.append(
                    SourceError(
                        file.path,
                        file.line("iterations"),
                        f"hat {it.hat!r} is not a hat of {stage.name} ({', '.join(hats)}): the walk counts it as the first",
                    )
                )
                break
        if status in _DONE and not _finished(hats, its):  # an explicit legacy status wins (§3.2)
            position = baton(hats, _as_iterations(its))
            at = moment(file.meta.get("completed_at"), its[-1].completed_at or its[-1].started_at)
            opened = its[-1].result is None
            its = its[:-1] if opened else its
            its = (*its, *(PlannedIteration(h, at, at, "advance", None) for h in hats[position.index :]))
            plan.notes.append(f"{file.rel}: status {status} with its hats unfinished: completed as the status says")
        return tuple(its)
    if raw not in (None, []):
        plan.problems.append(SourceError(file.path, file.line("iterations"), "`iterations:` must be a list"))
    return _synthesized(plan, file, hats, status, started)


def _iteration_list(
    plan: ImportPlan, file: SourceFile, raw: list[Any], fallback: str, key: str = "iterations"
) -> tuple[PlannedIteration, ...]:
    out: list[PlannedIteration] = []
    at = fallback
    for number, entry in enumerate(raw, start=1):
        hat = _text(entry.get("hat")) if isinstance(entry, Mapping) else ""
        result = entry.get("result") if isinstance(entry, Mapping) else None
        mapped = _RESULTS.get(_text(result).lower()) if result is not None else None
        if not hat or (result is not None and mapped is None):
            why = "has no hat" if not hat else f"has result {result!r} (advance or reject)"
            plan.problems.append(SourceError(file.path, file.line(key), f"{key} entry {number} {why}: skipped"))
            continue
        assert isinstance(entry, Mapping)
        start = moment(entry.get("started_at"), at)
        end = moment(entry.get("completed_at"), start) if mapped is not None else None
        reason = entry.get("reason") or entry.get("message")
        out.append(PlannedIteration(hat, start, end, mapped, _text(reason) or None))
        at = end or start
    for it in out[:-1]:
        if it.result is None:  # only the last may be open: an earlier one was closed by what followed
            plan.problems.append(
                SourceError(file.path, file.line(key), f"{key}: an entry before the last is open: read as an advance")
            )
            break
    return tuple(
        it if it.result or it is out[-1] else it._replace(result="advance", completed_at=it.started_at) for it in out
    )


def _as_iterations(its: Sequence[PlannedIteration]) -> list[Iteration]:
    return [Iteration(0, 0, i.hat, i.started_at, i.completed_at, i.result, i.message, n) for n, i in enumerate(its)]


def _finished(hats: Sequence[str], its: Sequence[PlannedIteration]) -> bool:
    return baton(hats, _as_iterations(its)).finished if its else not hats


def _synthesized(
    plan: ImportPlan, file: SourceFile, hats: Sequence[str], status: str | None, started: str
) -> tuple[PlannedIteration, ...]:
    """Iterations from A/B's scalar state (§3.1): one advance per hat for a finished unit, advances
    up to its hat and an open one there for an active unit, none for a pending one."""
    if status is None or status == "pending" or not hats:
        return ()
    meta = file.meta
    hat_started = moment(meta.get("hat_started_at"), started)
    bolt = meta.get("bolt")
    if isinstance(bolt, int) and bolt > 1:
        plan.notes.append(
            f"{file.rel}: bolt {bolt}: the {bolt - 1} send-back(s) behind it are not in the files; imported as bolt 1"
        )
    if status in _DONE:
        if status in ("skipped", "failed"):
            plan.notes.append(f"{file.rel}: status {status}: no longer in flight, imported as finished")
        done = moment(meta.get("completed_at"), hat_started)
        head = [PlannedIteration(h, started, started, "advance", None) for h in hats[:-1]]
        return (*head, PlannedIteration(hats[-1], hat_started, done, "advance", None))
    if status not in _ACTIVE:
        plan.problems.append(
            SourceError(file.path, file.line("status"), f"unknown unit status {status!r}: read as pending")
        )
        return ()
    hat = _text(meta.get("hat"))
    if hat and hat not in hats:
        plan.problems.append(
            SourceError(file.path, file.line("hat"), f"hat {hat!r} is not a hat of this stage: read as {hats[0]}")
        )
    index = hats.index(hat) if hat in hats else 0
    head = [PlannedIteration(h, started, started, "advance", None) for h in hats[:index]]
    return (*head, PlannedIteration(hats[index], hat_started, None, None, None))


def _recorded_signoffs(plan: ImportPlan, file: SourceFile, fallback: str) -> tuple[PlannedSignoff, ...]:
    """C `reviews` (pre-execute) and `approvals` (post-execute): role → {at} (or true)."""
    out: list[PlannedSignoff] = []
    for key, phase in (("reviews", "review"), ("approvals", "approve")):
        raw = file.meta.get(key)
        if raw is None:
            continue
        if not isinstance(raw, Mapping):
            plan.problems.append(SourceError(file.path, file.line(key), f"`{key}:` must be a mapping of role → record"))
            continue
        for role, record in raw.items():
            if record is None or record is False:
                continue
            at = record.get("at", record.get("signed_at")) if isinstance(record, Mapping) else None
            out.append(PlannedSignoff(str(role), phase, moment(at, fallback), None))
    return tuple(out)


# ------------------------------------------------------------ findings


def _map_findings(plan: ImportPlan, folder: IntentFolder, studio: Studio, created: str) -> None:
    units = {(u.stage, u.file.stem): u.slug for u in plan.units} | {("", u.slug): u.slug for u in plan.units}
    scopes: list[tuple[str, Sequence[SourceFile]]] = [
        (s.name, s.feedback) for s in folder.stages if s.name in studio.stage_names
    ]
    scopes.append(("", folder.feedback))
    closers: dict[tuple[str, int], PlannedUnit] = {}  # B `closes: [FB-NN]`: (stage, number) → the unit
    for unit in plan.units:
        for number in closes(unit.file.meta):
            closers.setdefault((unit.stage, number), unit)
    for stage, files in scopes:
        for file in files:
            prefix = feedback_number(file.rel)
            closer = closers.get((stage, prefix)) if prefix is not None else None
            plan.findings.append(_finding(plan, file, stage, units, created, closer))


def _finding(
    plan: ImportPlan,
    file: SourceFile,
    stage: str,
    units: Mapping[tuple[str, str], str],
    created: str,
    closer: PlannedUnit | None = None,
) -> PlannedFinding:
    meta = file.meta
    origin = _text(meta.get("origin")) or "agent"
    author = _text(meta.get("author")) or "agent"
    raw_type = _text(meta.get("author_type")).lower()
    author_type = _AUTHOR_TYPES.get(raw_type) or author_type_of(origin)
    if raw_type and raw_type not in _AUTHOR_TYPES:
        plan.problems.append(
            SourceError(file.path, file.line("author_type"), f"unknown author_type {raw_type!r}: read as {author_type}")
        )
    severity = _text(meta.get("severity")).lower() or None
    if severity is not None and severity not in sev.RANK:
        plan.problems.append(
            SourceError(file.path, file.line("severity"), f"unknown severity {severity!r}: imported unclassified")
        )
        severity = None
    at = moment(meta.get("created_at"), created)
    raw_targets = meta.get("targets")
    targets: Mapping[str, Any] = raw_targets if isinstance(raw_targets, Mapping) else {}
    named = _text(targets.get("unit")) or None
    target = units.get((stage, named or ""), units.get(("", named or "")))  # its stage's unit, else any by slug
    if named is not None and target is None:
        plan.problems.append(SourceError(file.path, file.line("targets"), f"targets unknown unit {named!r}: no target"))
    if named is None and closer is not None:  # B: the unit made to close it is what it is about
        target = closer.slug
    invalidates = targets.get("invalidates") or []
    invalidates = tuple(str(r) for r in invalidates) if isinstance(invalidates, list) else ()
    closed_at, resolution, closure = _closure(meta, at)
    if closer is not None and closed_at is not None and not _text(meta.get("closed_by")) and not closure:
        closure = f"closed by {closer.file.stem}"  # B closes it by the unit that `closes` it
    fixes = meta.get("iterations")
    fix_its = _iteration_list(plan, file, fixes, at) if isinstance(fixes, list) and fixes else ()
    if closed_at is not None and fix_its and fix_its[-1].result is None:  # closed: nothing is being worn
        fix_its = (*fix_its[:-1], fix_its[-1]._replace(completed_at=closed_at))
    return PlannedFinding(
        file,
        stage,
        _title(file, file.stem),
        _body(file),
        origin,
        author,
        author_type,
        severity,
        target,
        invalidates,
        at,
        closed_at,
        resolution,
        closure,
        fix_its,
    )


def _closure(meta: Mapping[str, Any], created: str) -> tuple[str | None, str | None, str | None]:
    """(closed_at, resolution, closure text), all None while open."""
    reply = meta.get("closure_reply")
    reply_text = _text(reply.get("text")) if isinstance(reply, Mapping) else _text(reply)
    if _text(meta.get("rejected_at")):
        return moment(meta.get("rejected_at"), created), "rejected", reply_text or None
    closed = _text(meta.get("closed_at"))
    if closed:
        at = moment(meta.get("closed_at"), "")
        resolution = "non_actionable" if _text(meta.get("resolution")) == "non_actionable" else "closed"
        if not at:  # a migrated closure: the old `closed_by` copied into closed_at (§1.5); no text of its own
            return created, resolution, reply_text or None
        return at, resolution, reply_text or None
    status = _text(meta.get("status")).lower()
    closed_by = _text(meta.get("closed_by"))
    if closed_by or status in _CLOSED_B:
        resolution = "rejected" if status == "rejected" else "closed"
        text = reply_text or (f"closed by {closed_by}" if closed_by else f"status {status}")
        return created, resolution, text
    return None, None, None


# ------------------------------------------------------------ where each stage stands


def _units_of(plan: ImportPlan, stage: str) -> list[PlannedUnit]:
    return [u for u in plan.units if u.stage == stage]


def _read_ab(plan: ImportPlan, folder: IntentFolder, studio: Studio, walked: Sequence[str], created: str) -> None:
    """A/B: the intent's `status` and `active_stage`, each state.json's `status` and `phase` (§3.1)."""
    meta = folder.intent.meta
    done = _text(meta.get("status")).lower() in ("completed", "complete")
    active = _text(meta.get("active_stage")) or (walked[0] if walked else "")
    if active and active not in walked:
        plan.problems.append(
            SourceError(
                folder.intent.path,
                folder.intent.line("active_stage"),
                f"active_stage {active!r} is not a stage this intent walks ({', '.join(walked)}): the first unfinished one is",
            )
        )
        active = ""
    order = {name: n for n, name in enumerate(walked)}
    for name in walked:
        stage_folder = folder.stage(name) or StageFolder(name)
        state = stage_folder.state.meta if stage_folder.state is not None else {}
        status = _text(state.get("status")).lower()
        if done or status in ("completed", "complete") or (active and order[name] < order[active]):
            phase = "complete"
        elif name == active or (not active and name == walked[0]):
            raw = _text(state.get("phase")).lower()
            phase = "elaborate" if status == "pending" else _AB_PHASES.get(raw, raw)
            if phase not in ("elaborate", "execute", "review", "gate"):
                file = stage_folder.state
                where = (file.path, file.line("phase")) if file is not None else (folder.intent.path, 1)
                plan.problems.append(SourceError(*where, f"unknown phase {raw!r}: read as elaborate"))
                phase = "elaborate"
        else:
            phase = "pending"
        plan.files_phase[name] = phase
        if stage_folder.state is not None:
            _revisits(plan, stage_folder.state, name)


def _revisits(plan: ImportPlan, state: SourceFile, stage: str) -> None:
    """B: each stage iteration after the first is a revisit (trigger feedback, user-revisit …)."""
    raw = state.meta.get("iterations")
    if not isinstance(raw, list):
        return
    for entry in raw[1:]:
        if not isinstance(entry, Mapping):
            continue
        trigger = _text(entry.get("trigger")) or "revisit"
        reason = _text(entry.get("reason")) or f"the files record a revisit ({trigger})"
        at = moment(entry.get("started_at"), plan.created_at)
        plan.decisions.append(PlannedDecision(stage, "revisited", at, reason=reason, source=state.rel))


def _read_c(plan: ImportPlan, folder: IntentFolder, studio: Studio, walked: Sequence[str], created: str) -> None:
    """C: each stage's phase from its facts (§3.2): elaborate while elaboration.md is not verified
    or no unit exists, execute while a unit is not past its last hat, review while one misses a
    review role, gate while one misses an approval role; complete after. The engine's approval
    roles end with `user` (all but autopilot mode): a stage whose agents approved every unit but
    whose user did not is at its gate (`user_gate`), never passed. cockpit's auto gate has no user
    to sign, so there the agents' approvals pass it."""
    sealed = bool(_text(folder.intent.meta.get("sealed_at")))
    autopilot = _text(folder.intent.meta.get("mode")).lower() == "autopilot"
    for name in walked:
        stage = studio.stage(name)
        units = _units_of(plan, name)
        stage_folder = folder.stage(name) or StageFolder(name)
        elaboration = stage_folder.elaboration
        unverified = elaboration is not None and not _text(elaboration.meta.get("verified_at"))
        roles = stage.reviewer_names
        if sealed:
            phase = "complete"
        elif not units or unverified:
            phase = "elaborate"
        elif not all(_finished(stage.hats, u.iterations) for u in units):
            phase = "execute"
        elif any(_missing(u, roles, "review") for u in units):
            phase = "review"
        elif any(_missing(u, roles, "approve") for u in units):
            phase = "gate"
        elif not autopilot and not stage.is_auto and any(_missing(u, ("user",), "approve") for u in units):
            phase = "user_gate"
        else:
            phase = "complete"
        plan.files_phase[name] = phase


def _missing(unit: PlannedUnit, roles: Sequence[str], phase: str) -> list[str]:
    have = {s.role for s in unit.signoffs if s.phase == phase}
    return [r for r in roles if r not in have]


# ------------------------------------------------------------ what cockpit's walk needs to read the same


def _decide(
    plan: ImportPlan, folder: IntentFolder, studio: Studio, walked: Sequence[str], created: str, threshold: str
) -> None:
    """Per stage, from the files' phase: the `elaborated` decision, the sign-offs the files do not
    record, and the gate's `approved` decision for a stage the files passed."""
    c = plan.generation == "C"
    by_slug = {u.slug: n for n, u in enumerate(plan.units)}
    for name in walked:
        phase = plan.files_phase.get(name, "pending")
        if phase == "pending":
            continue
        stage = studio.stage(name)
        units = _units_of(plan, name)
        past_elaborate = phase != "elaborate"
        if past_elaborate and units:
            at = min((u.created_at for u in units), default=created)
            plan.decisions.append(PlannedDecision(name, "elaborated", at, source=_evidence(folder, name, plan)))
        for unit in units:
            wanted: list[tuple[str, bool]] = []  # (signoff phase, synthesize the missing roles)
            if past_elaborate:
                wanted.append(("review", not c or phase in ("execute", "complete")))
            if (phase in ("gate", "complete") and not c) or phase == "complete":
                wanted.append(("approve", True))
            added = list(unit.signoffs)
            for signoff_phase, synthesize in wanted:
                if not synthesize:
                    continue
                ended = unit.iterations[-1].completed_at if signoff_phase == "approve" and unit.iterations else None
                for role in _missing(unit, stage.reviewer_names, signoff_phase):
                    added.append(PlannedSignoff(role, signoff_phase, ended or unit.created_at, SYNTHESIZED))
            if len(added) > len(unit.signoffs):
                plan.units[by_slug[unit.slug]] = _replace(unit, signoffs=tuple(added))
            if phase in ("review", "gate", "complete") and not _finished(stage.hats, unit.iterations):
                plan.notes.append(
                    f"{unit.file.rel}: not finished while the files put {name} at {phase}: cockpit reads execute"
                )
        if phase == "complete":
            _approve(plan, folder, stage, threshold)
    if any(s.note == SYNTHESIZED for u in plan.units for s in u.signoffs):
        plan.notes.append(
            "review-agent sign-offs the files do not record were synthesized where the phase implies them"
        )


def _evidence(folder: IntentFolder, stage: str, plan: ImportPlan) -> str:
    found = folder.stage(stage)
    if found is not None and found.state is not None:
        return found.state.rel
    if found is not None and found.elaboration is not None:
        return found.elaboration.rel
    return plan.intent_file.rel


def _approve(plan: ImportPlan, folder: IntentFolder, stage: Stage, threshold: str) -> None:
    """The gate decision of a stage the files passed, on the path its gate allows."""
    open_blocking = [
        f.file.rel
        for f in plan.findings
        if f.stage == stage.name and f.is_open and sev.is_blocking(f.severity, threshold)
    ]
    source = _evidence(folder, stage.name, plan)
    units = _units_of(plan, stage.name)
    if stage.is_auto and units:
        if open_blocking:
            plan.notes.append(
                f"{stage.name}: passed in the files with blocking findings open ({', '.join(open_blocking)}); "
                "its auto gate holds it in cockpit until they close"
            )
        return
    state = folder.stage(stage.name)
    meta = state.state.meta if state is not None and state.state is not None else {}
    ends = [u.iterations[-1].completed_at or "" for u in units if u.iterations]
    at = moment(meta.get("completed_at"), max(ends, default="") or plan.created_at)
    url = next(
        (
            str(meta[k])
            for k in ("external_review_url", "gate_review_url")
            if re.match(r"https?://\S+$", _text(meta.get(k)))
        ),
        None,
    )
    if stage.is_auto:  # passed with no units: the walk reads the decision (walk._stage_state)
        path, url = "auto", None
    elif "ask" in stage.gate:
        path, url = "ask", None
    else:
        path = next(k for k in stage.gate if k in EXTERNAL_GATE_KINDS)
    reason = (
        f"imported: the files pass {stage.name} with these findings open: {', '.join(open_blocking)}"
        if open_blocking
        else None
    )
    plan.decisions.append(PlannedDecision(stage.name, "approved", at, path, url, reason, source))
