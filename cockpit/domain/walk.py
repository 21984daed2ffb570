"""The walk, derived: a pure function from stored facts to the position of an intent.

Nothing here is stored. Phase, current hat, bolt, escalation, finding status, gate state and
the next action are all recomputed from units, iterations, findings, sign-offs and decisions,
as the H·AI·K·U v4 cursor does (haiku-model §3). Changing a rule changes every intent at once,
and no column can drift out of step with the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from cockpit import severity as sev
from cockpit.domain.criteria import held_by_criteria, unchecked_criteria
from cockpit.domain.model import Decision, Feedback, Intent, IntentFacts, Iteration, Unit, ref_number
from cockpit.domain.stage_list import walked_stages
from cockpit.domain.studio import EXTERNAL_GATE_KINDS, Stage, Studio

# A unit's bolts between a human's decisions (start or resume): the engine refuses the reject that
# would start one more (haiku_unit_reject_hat: bolt + 1 > MAX_UNIT_BOLTS), and a human decides.
MAX_UNIT_BOLTS = 5
MAX_FIX_LOOP_BOLTS = 3  # the same cap for agent- and system-filed findings
PHASES: tuple[str, ...] = ("elaborate", "review", "execute", "approve", "gate")
CLEARING_RESOLUTION = "closed"  # the one resolution that clears sign-offs: a real fix


@dataclass(frozen=True)
class Baton:
    """Where a unit or finding stands on its chain of hats."""

    hat: str | None  # the hat being worn, or next to wear; None once the chain is finished
    index: int  # position of `hat` in the chain; len(chain) once finished
    bolt: int  # 1 + number of rejects: each reject starts a new pass
    started: bool
    finished: bool
    rejects_since_resume: int
    same_hat_rejected_twice: bool  # the last two closed iterations (since resume): one hat rejecting twice


def _moved(chain: Sequence[str], hat: str | None, result: str | None) -> int:
    """Where on `chain` the baton stands once `hat` closes with `result`: an advance hands it to
    the next hat (len(chain) after the last: finished), a reject one hat back (never before the
    first), an open iteration keeps it. A hat no longer on the chain counts as its first."""
    index = chain.index(hat) if hat is not None and hat in chain else 0
    if result == "advance":
        return index + 1
    if result == "reject":
        return max(index - 1, 0)
    return index


def next_hat(chain: Sequence[str], hat: str | None) -> str | None:
    """The hat an advance hands the baton to; None after the last hat (the baton finishes) or
    when no hat is worn."""
    if hat is None:
        return None
    index = _moved(chain, hat, "advance")
    return chain[index] if index < len(chain) else None


def hat_before(chain: Sequence[str], hat: str | None) -> str:
    """The hat a reject sends the baton back to."""
    return chain[_moved(chain, hat, "reject")]


def baton(chain: Sequence[str], iterations: Sequence[Iteration], resumed_at_event: int = 0) -> Baton:
    if not iterations:  # most findings and units: nothing to count (derive calls this once per finding)
        return Baton(chain[0], 0, 1, False, False, 0, False) if chain else Baton(None, 0, 1, False, True, 0, False)
    rejects = [i for i in iterations if i.result == "reject"]
    recent = [i for i in rejects if i.event_id > resumed_at_event]
    closed = [i for i in iterations if i.result is not None and i.event_id > resumed_at_event]
    # Stuck: the last two closed iterations are both rejects by one hat, nothing advanced between.
    twice = len(closed) >= 2 and all(i.result == "reject" for i in closed[-2:]) and closed[-1].hat == closed[-2].hat
    bolt = 1 + len(rejects)
    if not chain:
        return Baton(None, 0, bolt, bool(iterations), True, len(recent), twice)
    if not iterations:
        return Baton(chain[0], 0, bolt, False, False, 0, False)
    last = iterations[-1]
    index = _moved(chain, last.hat, last.result)
    finished = index >= len(chain)
    return Baton(None if finished else chain[index], index, bolt, True, finished, len(recent), twice)


@dataclass(frozen=True)
class UnitState:
    unit: Unit
    status: str  # waiting | ready | active | escalated | done
    hat: str | None
    bolt: int
    waiting_on: tuple[str, ...]
    iterations: tuple[Iteration, ...]
    ticked: frozenset[str] = frozenset()  # checklist items ticked on the current hat, this bolt
    rejects_since_resume: int = 0  # send-backs since it started or a human last resumed it

    @property
    def on_last_bolt(self) -> bool:
        """Working its last bolt before a human decides: a reject now is refused (commands.reject_hat)."""
        return self.status == "active" and self.rejects_since_resume + 1 >= MAX_UNIT_BOLTS

    @property
    def handoffs(self) -> tuple[Iteration, ...]:
        """Closed iterations: the messages earlier hats passed along (and reject reasons)."""
        return tuple(i for i in self.iterations if i.result is not None)

    @property
    def can_move(self) -> bool:
        """Its baton can move: it is being worked, or ready to start (not waiting on a dependency,
        not escalated, not done)."""
        return self.status in ("active", "ready")


@dataclass(frozen=True)
class FindingState:
    feedback: Feedback
    status: str  # pending | fixing | escalated | closed | non_actionable | rejected
    hat: str | None  # the fix hat holding it; None when closed or the stage has no fix chain
    bolt: int
    blocking: bool
    target: str | None  # target unit slug
    iterations: tuple[Iteration, ...]
    escalated_because: str | None = None  # the escalation rule that stopped its fix loop, in words
    # Open and severe enough to block, but its stage's gate was approved past it (an override,
    # with its recorded reason): it blocks nothing now, so `blocking` is False.
    overridden: bool = False

    @property
    def is_open(self) -> bool:
        return self.feedback.is_open


@dataclass(frozen=True)
class GateState:
    kinds: tuple[str, ...]
    approved: bool
    approval: Decision | None
    blockers: tuple[FindingState, ...]  # open blocking findings of this stage: approving needs an override
    overridden: tuple[FindingState, ...] = ()  # once passed: the open findings its approval overrode
    # Submitted for external review (`submitted` decision: its URL, and the branch whose merge can
    # approve it) and not approved since: the gate waits on the outside reviewer. None otherwise.
    submission: Decision | None = None

    @property
    def is_auto(self) -> bool:
        return self.kinds == ("auto",)


@dataclass(frozen=True)
class StageState:
    stage: Stage
    status: str  # complete | active | pending | skipped (not in the intent's walk: stage_list)
    phase: str  # one of PHASES, or "complete" (or "skipped")
    elaborated: bool
    units: tuple[UnitState, ...]
    missing_review: tuple[tuple[str, str], ...]  # (unit slug, reviewer) still to sign off, pre-execute
    missing_approval: tuple[tuple[str, str], ...]  # the same after execute
    gate: GateState
    # Why the stage stands at an earlier phase than it reached: fixes that cleared sign-offs it had
    # (review or approve due again), or what re-opened a gate approved once. None otherwise.
    reopened: str | None = None

    @property
    def name(self) -> str:
        return self.stage.name

    def unit(self, slug: str) -> UnitState | None:
        return next((u for u in self.units if u.unit.slug == slug), None)

    @property
    def missing_signoffs(self) -> tuple[tuple[str, str], ...]:
        """(unit slug, reviewer) pairs the open review waits on: the pre-execute review in the
        review phase, the approval after execute in the approve phase; none in any other phase."""
        if self.phase == "review":
            return self.missing_review
        if self.phase == "approve":
            return self.missing_approval
        return ()

    @property
    def movable(self) -> tuple[UnitState, ...]:
        """The units whose baton can move now: only in execute, and only those that can move."""
        return tuple(u for u in self.units if u.can_move) if self.phase == "execute" else ()


@dataclass(frozen=True)
class NextAction:
    kind: str
    text: str
    stage: str | None = None
    unit: str | None = None
    hat: str | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class Position:
    facts: IntentFacts
    studio: Studio
    stages: tuple[StageState, ...]
    findings: tuple[FindingState, ...]  # open first, in order_key order (blocking first); closed after
    next: NextAction
    threshold: str = field(default=sev.DEFAULT_THRESHOLD)

    @property
    def active(self) -> StageState | None:
        return next((s for s in self.stages if s.status == "active"), None)

    @property
    def complete(self) -> bool:
        return self.active is None

    @cached_property  # asked several times per position (next action, counts, panes)
    def open_findings(self) -> tuple[FindingState, ...]:
        return tuple(f for f in self.findings if f.is_open)

    def stage(self, name: str) -> StageState:
        for state in self.stages:
            if state.name == name:
                return state
        raise KeyError(name)

    def finding(self, ref: str) -> FindingState | None:
        """The finding `ref` names, however it is spelt (FB-007, fb7, 7): model.ref_number."""
        number = ref_number(ref)
        return next((f for f in self.findings if f.feedback.number == number), None)


@dataclass(frozen=True)
class _Index:
    """The facts of one intent grouped by owner, built once per derive (keeps it linear)."""

    iterations: dict[int, tuple[Iteration, ...]]
    fix_iterations: dict[int, tuple[Iteration, ...]]
    unit_slugs: dict[int, str]
    unit_resumed: dict[int, int]  # unit id → event id of its latest resume
    finding_resumed: dict[int, int]
    ticks: dict[tuple[int, str, int], frozenset[str]]  # (unit id, hat, bolt) → ticked items
    unit_batons: dict[int, Baton]  # unit id → where it stands on its stage's hats


def _group(iterations: Sequence[Iteration]) -> dict[int, tuple[Iteration, ...]]:
    grouped: dict[int, list[Iteration]] = {}
    for i in iterations:
        grouped.setdefault(i.owner_id, []).append(i)
    return {k: tuple(v) for k, v in grouped.items()}


def _revisits_by_stage(decisions: Iterable[Decision]) -> dict[str, int]:
    """Stage → the event of its latest revisit (sent back to elaborate)."""
    latest: dict[str, int] = {}
    for d in decisions:
        if d.kind == "revisited":
            latest[d.stage] = max(latest.get(d.stage, 0), d.event_id)
    return latest


def _revisit_epochs(walked: Sequence[str], decisions: Sequence[Decision]) -> dict[str, Decision]:
    """Stage → the revisit whose facts-before stop counting there: its own latest, or a later one
    of an earlier stage (the engine walks the stages after a revisited one again: revisit.ts,
    markDownstreamStagesStale). Units and their batons stay: only the stage's elaboration, its
    sign-offs and its gate's decisions from before the revisit count no more."""
    own: dict[str, Decision] = {}
    for d in decisions:
        if d.kind == "revisited" and (d.stage not in own or d.event_id > own[d.stage].event_id):
            own[d.stage] = d
    epochs: dict[str, Decision] = {}
    carried: Decision | None = None
    for name in walked:
        mine = own.get(name)
        if mine is not None and (carried is None or mine.event_id > carried.event_id):
            carried = mine
        if carried is not None:
            epochs[name] = carried
    return epochs


_RESET_BY_REVISIT = frozenset({"elaborated", "approved", "submitted"})


def _since_revisits(facts: IntentFacts, epochs: dict[str, Decision]) -> IntentFacts:
    """`facts` without what a revisit voided: each stage's elaboration, gate approvals and
    submissions, and its units' sign-offs (review and approve), from before its revisit epoch."""
    stage_of = {u.id: u.stage for u in facts.units}

    def before(stage: str | None, event_id: int) -> bool:
        epoch = epochs.get(stage) if stage is not None else None
        return epoch is not None and event_id < epoch.event_id

    decisions = tuple(d for d in facts.decisions if not (d.kind in _RESET_BY_REVISIT and before(d.stage, d.event_id)))
    signoffs = tuple(s for s in facts.signoffs if not before(stage_of.get(s.unit_id), s.event_id))
    return replace(facts, decisions=decisions, signoffs=signoffs)


def _revisit_reason(name: str, cause: Decision) -> str:
    if cause.stage == name:
        return f"sent back to elaborate: {cause.reason or 'no reason given'}"
    return f"{cause.stage} was sent back to elaborate ({cause.reason or 'no reason given'}): the stages after it are walked again"


def _index(facts: IntentFacts, studio: Studio) -> _Index:
    unit_resumed: dict[int, int] = {}
    finding_resumed: dict[int, int] = {}
    for d in facts.decisions:
        if d.kind == "resumed" and d.unit_id is not None:
            unit_resumed[d.unit_id] = max(unit_resumed.get(d.unit_id, 0), d.event_id)
        if d.kind == "resumed" and d.feedback_id is not None:
            finding_resumed[d.feedback_id] = max(finding_resumed.get(d.feedback_id, 0), d.event_id)
    revisited = _revisits_by_stage(facts.decisions)
    for fb in facts.feedback:  # a revisit restarts the fix-loop budget of its stage's open findings
        if fb.is_open and revisited.get(fb.stage, 0) > fb.event_id:
            finding_resumed[fb.id] = max(finding_resumed.get(fb.id, 0), revisited[fb.stage])
    latest: dict[tuple[int, str, int, str], bool] = {}
    for t in facts.ticks:  # in id order: the last row per box wins
        latest[(t.unit_id, t.hat, t.bolt, t.item)] = t.ticked
    ticks: dict[tuple[int, str, int], set[str]] = {}
    for (unit_id, hat, bolt, item), on in latest.items():
        if on:
            ticks.setdefault((unit_id, hat, bolt), set()).add(item)
    iterations = _group(facts.iterations)
    hats = {s.name: s.hats for s in studio.stages}
    unit_batons = {
        u.id: baton(hats[u.stage], iterations.get(u.id, ()), unit_resumed.get(u.id, 0))
        for u in facts.units
        if u.stage in hats
    }
    return _Index(
        iterations,
        _group(facts.fix_iterations),
        {u.id: u.slug for u in facts.units},
        unit_resumed,
        finding_resumed,
        {k: frozenset(v) for k, v in ticks.items()},
        unit_batons,
    )


def finding_state(feedback: Feedback, stage: Stage | None, index: _Index, threshold: str) -> FindingState:
    iterations = index.fix_iterations.get(feedback.id, ())
    chain = stage.fix_hats if stage else ()
    position = baton(chain, iterations, index.finding_resumed.get(feedback.id, 0))
    target = index.unit_slugs.get(feedback.target_unit_id) if feedback.target_unit_id is not None else None
    if not feedback.is_open:
        status = feedback.resolution or "closed"
        return FindingState(feedback, status, None, position.bolt, False, target, iterations)
    reason = fix_loop_escalation(feedback, position, iterations)
    if reason is not None:
        status = "escalated"
    else:
        status = "fixing" if position.started else "pending"
    # A finding of the whole intent (imported from a H·AI·K·U project: no stage) holds no stage's
    # gate; the engine weighs it at intent completion, which cockpit does not walk.
    blocking = stage is not None and sev.is_blocking(feedback.severity, threshold)
    return FindingState(feedback, status, position.hat, position.bolt, blocking, target, iterations, reason)


def fix_loop_escalation(feedback: Feedback, position: Baton, iterations: Sequence[Iteration]) -> str | None:
    """Why an open finding's fix loop stops for a human, in words, or None while it may go on.

    A human's finding never escalates (its author decides); an agent's or the system's does after
    MAX_FIX_LOOP_BOLTS send-backs since it was filed or last resumed, or as soon as one hat sends
    it back twice in a row with nothing handed on between."""
    if feedback.author_type == "human":
        return None
    if position.rejects_since_resume >= MAX_FIX_LOOP_BOLTS:
        total = sum(1 for i in iterations if i.result == "reject")
        since = "since it was resumed" if position.rejects_since_resume < total else "since it was filed"
        author = "an agent" if feedback.author_type == "agent" else "the system"
        return (
            f"sent back {position.rejects_since_resume} times {since}: the fix loop of a finding filed by "
            f"{author} goes to a human after {MAX_FIX_LOOP_BOLTS} send-backs"
        )
    if position.same_hat_rejected_twice:
        hat = next((i.hat for i in reversed(iterations) if i.result == "reject"), "same")
        return f"the {hat} hat sent it back twice in a row with nothing handed on between: a human decides"
    return None


def order_key(fb: Feedback, threshold: str = sev.DEFAULT_THRESHOLD) -> tuple[int, int, int]:
    """The order of open findings: every blocking one first, then severity rank (unclassified with
    medium), then number (severity.sort_key)."""
    return (*sev.sort_key(fb.severity, threshold), fb.number)


def gate_mark(fb: Feedback) -> int:
    """The event at which an open blocking finding (re)opened its stage's gate: filed, or raised
    to blocking. An approval must be newer."""
    return max(fb.event_id, fb.severity_event_id or 0)


def clears_signoffs(fb: Feedback) -> bool:
    """A closed finding that clears the sign-offs it names (`invalidates`): only a real fix
    (`closed`); a non-actionable or rejected finding changed nothing."""
    return fb.resolution == CLEARING_RESOLUTION and fb.closed_event_id is not None


def _sort_key(state: FindingState, threshold: str) -> tuple[int, int, int, int]:
    """Open before closed, each in order_key order; an overridden finding blocks nothing now, so it
    sorts with the open findings that do not block."""
    fb = state.feedback
    if state.overridden:
        return (0, 1, sev.rank(fb.severity), fb.number)
    return (0 if state.is_open else 1, *order_key(fb, threshold))


SignoffKey = tuple[int, str]  # (unit id, reviewer role)


def _valid_signoffs(
    facts: IntentFacts, phase: str, done_units: set[int]
) -> tuple[set[SignoffKey], dict[SignoffKey, Feedback]]:
    """(unit id, role) pairs signed in `phase` and not cleared since by a fixed finding; and the
    pairs that were signed but are cleared now, each with the fix that cleared it (why a stage
    moved back: StageState.reopened).

    Only a real fix (`closed`) clears: a non-actionable or rejected finding changed nothing.
    Once a unit has finished its baton, a fix clears the post-execute approval only; the
    pre-execute review of its spec stands.
    """
    cleared: dict[SignoffKey, Feedback] = {}
    for fb in facts.feedback:
        if not clears_signoffs(fb) or fb.target_unit_id is None or fb.closed_event_id is None:
            continue
        if phase == "review" and fb.target_unit_id in done_units:
            continue
        for role in fb.invalidates:
            key = (fb.target_unit_id, role)
            held = cleared.get(key)
            if held is None or fb.closed_event_id > (held.closed_event_id or 0):
                cleared[key] = fb
    valid: set[SignoffKey] = set()
    voided: dict[SignoffKey, Feedback] = {}
    for s in facts.signoffs:
        if s.phase != phase:
            continue
        key = (s.unit_id, s.role)
        by = cleared.get(key)
        if by is None or s.event_id > (by.closed_event_id or 0):
            valid.add(key)
        else:
            voided[key] = by
    return valid, {key: fb for key, fb in voided.items() if key not in valid}


def _listed(items: Sequence[str], most: int = 3) -> str:
    return ", ".join(items[:most]) + (f" and {len(items) - most} more" if len(items) > most else "")


def _signoffs_reopened(phase: str, cleared: Sequence[tuple[str, str, Feedback]]) -> str:
    """Why review (or approve) is due again: fixes closed after the sign-offs they name."""
    refs = sorted({fb.ref for _, _, fb in cleared})
    signed = [f"{role} signed off {unit}" for unit, role, _ in cleared]
    what = "the review" if phase == "review" else "the approval after execute"
    verb = "was" if len(refs) == 1 else "were"
    return f"{_listed(refs)} {verb} fixed after {_listed(signed)}: a fix clears the sign-offs it names, so {what} is due again"


def _gate_reopened(
    units: Sequence[Unit], findings: Sequence[FindingState], decisions: Sequence[Decision], approved_at: int
) -> str | None:
    """Why a gate approved once is due again: what happened after the approval (_gate_epoch's facts)."""
    causes = [f"unit {u.slug} was added" for u in units if u.event_id > approved_at]
    for f in findings:
        fb = f.feedback
        if f.is_open and f.blocking and gate_mark(fb) > approved_at:
            label = fb.severity or "unclassified"
            causes.append(f"{fb.ref} ({label}) was filed" if fb.event_id > approved_at else f"{fb.ref} became {label}")
        elif clears_signoffs(fb) and "user" in fb.invalidates and (fb.closed_event_id or 0) > approved_at:
            causes.append(f"{fb.ref} was fixed (a fix asks the human again)")
    if any(d.kind == "changes_requested" and d.event_id > approved_at for d in decisions):
        causes.append("changes were requested")
    if not causes:
        return None
    return f"{_listed(causes)} after the gate was approved: the gate is due again"


def _gate_epoch(
    stage: str, units: Sequence[Unit], findings: Sequence[FindingState], decisions: Sequence[Decision]
) -> int:
    """The newest fact that (re)opens the gate: an approval must be newer to count."""
    marks = [u.event_id for u in units]
    for f in findings:
        fb = f.feedback
        if f.is_open and f.blocking:
            marks.append(gate_mark(fb))
        elif clears_signoffs(fb) and "user" in fb.invalidates and fb.closed_event_id is not None:
            marks.append(fb.closed_event_id)
    marks += [d.event_id for d in decisions if d.stage == stage and d.kind == "changes_requested"]
    return max(marks, default=0)


def _stage_state(
    stage: Stage,
    units: Sequence[Unit],
    decisions: Sequence[Decision],
    index: _Index,
    findings: Sequence[FindingState],
    review: tuple[set[SignoffKey], dict[SignoffKey, Feedback]],
    approve: tuple[set[SignoffKey], dict[SignoffKey, Feedback]],
    first_unfinished: bool,
) -> StageState:
    """One stage's phase and gate; `units`, `decisions` and `findings` are this stage's own.
    `first_unfinished`: no stage before it is unfinished (it is the active one unless complete)."""
    done: set[str] = set()
    states: list[UnitState] = []
    batons = {}
    for unit in units:
        batons[unit.slug] = (index.unit_batons[unit.id], index.iterations.get(unit.id, ()))
        if batons[unit.slug][0].finished:
            done.add(unit.slug)
    for unit in units:
        position, iterations = batons[unit.slug]
        waiting_on = tuple(d for d in unit.depends_on if d not in done)
        if position.finished:
            status = "done"
        elif position.rejects_since_resume >= MAX_UNIT_BOLTS:
            status = "escalated"
        elif position.started:
            status = "active"
        else:
            status = "waiting" if waiting_on else "ready"
        ticked = index.ticks.get((unit.id, position.hat, position.bolt), frozenset()) if position.hat else frozenset()
        states.append(
            UnitState(
                unit, status, position.hat, position.bolt, waiting_on, iterations, ticked, position.rejects_since_resume
            )
        )

    roles = stage.reviewer_names
    review_ok, approve_ok = review[0], approve[0]
    missing_review = tuple((u.slug, r) for u in units for r in roles if (u.id, r) not in review_ok)
    missing_approval = tuple((u.slug, r) for u in units for r in roles if (u.id, r) not in approve_ok)
    blockers = tuple(f for f in findings if f.is_open and f.blocking)
    submitted: list[Decision] = []
    if stage.is_auto:
        approval, approved = None, not blockers
    else:
        epoch = _gate_epoch(stage.name, units, findings, decisions)
        approvals = [d for d in decisions if d.kind == "approved" and d.event_id > epoch]
        approval = approvals[-1] if approvals else None
        approved = approval is not None
        submitted = [d for d in decisions if d.kind == "submitted" and not approved and d.event_id > epoch]
    gate = GateState(stage.gate, approved, approval, blockers, submission=submitted[-1] if submitted else None)
    elaborated = any(d.kind == "elaborated" for d in decisions) and bool(units)
    if not elaborated:
        # A stage passed with no units (H·AI·K·U completes an empty earlier stage; imported
        # intents, cockpit.domain.haiku_import) is complete once a gate decision says so.
        phase = "complete" if not units and any(d.kind == "approved" for d in decisions) else "elaborate"
    elif missing_review:
        phase = "review"
    elif len(done) < len(units):
        phase = "execute"
    elif missing_approval:
        phase = "approve"
    elif not approved:
        phase = "gate"
    else:
        phase = "complete"
    status = "complete" if phase == "complete" else "active" if first_unfinished else "pending"
    reopened = None
    if phase in ("review", "approve"):
        missing, voided = (missing_review, review[1]) if phase == "review" else (missing_approval, approve[1])
        if voided:
            ids = {u.slug: u.id for u in units}
            cleared = [(slug, role, voided[ids[slug], role]) for slug, role in missing if (ids[slug], role) in voided]
            reopened = _signoffs_reopened(phase, cleared) if cleared else None
    elif phase == "gate" and not stage.is_auto:
        approved_at = max((d.event_id for d in decisions if d.kind == "approved"), default=0)
        reopened = _gate_reopened(units, findings, decisions, approved_at) if approved_at else None
    return StageState(stage, status, phase, elaborated, tuple(states), missing_review, missing_approval, gate, reopened)


def derive(studio: Studio, facts: IntentFacts, threshold: str = sev.DEFAULT_THRESHOLD) -> Position:
    """The whole position of one intent. Pure: same facts and studio, same answer."""
    stage_defs = {s.name: s for s in studio.stages}
    walked = walked_stages(studio, facts.intent)
    epochs = _revisit_epochs(walked, facts.decisions)
    given, facts = facts, _since_revisits(facts, epochs) if epochs else facts
    index = _index(facts, studio)
    findings = sorted(
        (finding_state(fb, stage_defs.get(fb.stage), index, threshold) for fb in facts.feedback),
        key=lambda state: _sort_key(state, threshold),
    )
    by_stage: dict[str, list[FindingState]] = {}
    for f in findings:
        by_stage.setdefault(f.feedback.stage, []).append(f)
    done_units = {unit_id for unit_id, b in index.unit_batons.items() if b.finished}
    review = _valid_signoffs(facts, "review", done_units)
    approve = _valid_signoffs(facts, "approve", done_units)
    units: dict[str, list[Unit]] = {}
    for unit in facts.units:
        units.setdefault(unit.stage, []).append(unit)
    decisions: dict[str, list[Decision]] = {}
    for decision in facts.decisions:
        decisions.setdefault(decision.stage, []).append(decision)
    stages: list[StageState] = []
    active_seen = False
    for stage in studio.stages:
        name = stage.name
        if name not in walked:  # skip_stages or the intent's own list: passed by, never pending
            stages.append(
                StageState(stage, "skipped", "skipped", False, (), (), (), GateState(stage.gate, False, None, ()))
            )
            continue
        state = _stage_state(
            stage,
            units.get(name, ()),
            decisions.get(name, ()),
            index,
            by_stage.get(name, ()),
            review,
            approve,
            not active_seen,
        )
        active_seen = active_seen or state.status == "active"
        if name in epochs and state.phase in ("elaborate", "review") and state.reopened is None:
            state = replace(state, reopened=_revisit_reason(name, epochs[name]))
        stages.append(state)
    passed = {s.name for s in stages if s.status == "complete"}
    if any(f.blocking and f.feedback.stage in passed for f in findings):  # rare: an approval overrode some
        findings, stages = _overrides(findings, stages, passed, threshold)
    position = Position(given, studio, tuple(stages), tuple(findings), NextAction("none", ""), threshold)
    return Position(given, studio, position.stages, position.findings, next_action(position), threshold)


def _overrides(
    findings: Sequence[FindingState], stages: Sequence[StageState], passed: set[str], threshold: str
) -> tuple[list[FindingState], list[StageState]]:
    """An open blocking finding of a stage whose gate has passed was overridden by the approval
    (an approval counts only when newer than every blocker: _gate_epoch): it no longer blocks,
    holds no gate and is no next action; its gate lists it as overridden."""
    marked = [
        replace(f, blocking=False, overridden=True) if f.blocking and f.feedback.stage in passed else f
        for f in findings
    ]
    marked.sort(key=lambda state: _sort_key(state, threshold))
    by_stage: dict[str, list[FindingState]] = {}
    for f in marked:
        if f.overridden:
            by_stage.setdefault(f.feedback.stage, []).append(f)
    stages = [
        replace(s, gate=replace(s.gate, blockers=(), overridden=tuple(by_stage[s.name]))) if s.name in by_stage else s
        for s in stages
    ]
    return marked, stages


# ------------------------------------------------------------ the overview of many intents


def blocking_severities(threshold: str = sev.DEFAULT_THRESHOLD) -> tuple[str | None, ...]:
    """The severities that block at `threshold`, None (unclassified) included."""
    return tuple(s for s in (*sev.SEVERITIES, None) if sev.is_blocking(s, threshold))


def deciding(findings: Iterable[Feedback], threshold: str = sev.DEFAULT_THRESHOLD) -> set[int]:
    """The ids of the findings of one intent that decide its stages, phases, gates and next
    action: derived from these alone, its position is the same but for the findings it lists.
    They are, per stage, the first open blocking finding in order (the next action names the
    first in a reached stage) and one with the newest gate mark (the gate epoch), and every
    closed finding that clears sign-offs it names. Any other open finding only counts
    (`Overview.open`): one that does not block changes nothing, and more blocking ones in a stage
    change neither its gate's epoch nor whether it is held. The store reads these in SQL
    (`Store.overview_facts`); tests/unit/test_overview.py holds the two to the same answer."""
    first: dict[str, Feedback] = {}
    newest: dict[str, Feedback] = {}
    ids: set[int] = set()
    for fb in findings:
        if fb.is_open:
            if not sev.is_blocking(fb.severity, threshold):
                continue
            held = first.get(fb.stage)
            if held is None or order_key(fb, threshold) < order_key(held, threshold):
                first[fb.stage] = fb
            held = newest.get(fb.stage)
            if held is None or gate_mark(fb) > gate_mark(held):
                newest[fb.stage] = fb
        elif clears_signoffs(fb) and fb.invalidates:
            ids.add(fb.id)
    return ids | {fb.id for fb in first.values()} | {fb.id for fb in newest.values()}


# Open findings of one intent, one severity and one stage: (severity, how many, the lowest number, stage).
OpenCount = tuple[str | None, int, int, str]


@dataclass(frozen=True)
class Overview:
    """One intent in the all-intents list: where it stands and how much is open, not every finding."""

    intent: Intent
    studio: str
    complete: bool
    stage: str | None  # the active stage; None once complete
    phase: str  # the active stage's phase, or "complete"
    next: NextAction
    open: tuple[tuple[str | None, int], ...]  # open findings by severity, in the order they are listed
    blocking: int  # open findings that block (none in a stage whose gate passed: overridden)


def _overview(position: Position, open_counts: Iterable[OpenCount]) -> Overview:
    threshold = position.threshold
    passed = {s.name for s in position.stages if s.status == "complete"}
    walked = set(position.studio.stage_names)  # a finding of the whole intent (stage '') holds no gate
    by_severity: dict[str | None, list[int]] = {}
    blocking = 0
    for severity, n, lowest, stage in open_counts:
        count = by_severity.setdefault(severity, [0, lowest])
        count[0] += n
        count[1] = min(count[1], lowest)
        if stage not in passed and stage in walked and sev.is_blocking(severity, threshold):
            blocking += n
    # each severity where its first finding sorts (order_key)
    ordered = sorted(by_severity.items(), key=lambda item: (*sev.sort_key(item[0], threshold), item[1][1]))
    active = position.active
    return Overview(
        position.facts.intent,
        position.studio.name,
        active is None,
        active.name if active else None,
        active.phase if active else "complete",
        position.next,
        tuple((severity, n) for severity, (n, _lowest) in ordered),
        blocking,
    )


def overview(position: Position) -> Overview:
    """The overview of a position derived from all its facts."""
    counts: dict[tuple[str | None, str], list[int]] = {}
    for f in position.open_findings:
        fb = f.feedback
        count = counts.setdefault((fb.severity, fb.stage), [0, fb.number])
        count[0] += 1
        count[1] = min(count[1], fb.number)
    return _overview(position, [(severity, n, lowest, stage) for (severity, stage), (n, lowest) in counts.items()])


def derive_overview(
    studio: Studio, facts: IntentFacts, open_counts: Iterable[OpenCount], threshold: str = sev.DEFAULT_THRESHOLD
) -> Overview:
    """`overview(derive(studio, all facts, threshold))`, from facts whose findings are only (at least)
    the `deciding` ones and the counts of every open finding by severity and stage."""
    return _overview(derive(studio, facts, threshold), open_counts)


def _sev_label(fb: Feedback) -> str:
    return fb.severity or "unclassified"


def next_action(position: Position) -> NextAction:
    """Exactly one next step, in priority order: blocking feedback first, then the stage walk."""
    active = position.active
    if active is None:
        return NextAction("complete", "Every stage is complete.")
    reached = {s.name for s in position.stages[: position.stages.index(active) + 1]}
    for f in position.open_findings:
        if not f.blocking or f.feedback.stage not in reached:
            continue
        fb = f.feedback
        label = f"{fb.ref} ({_sev_label(fb)})"
        if f.status == "escalated":
            return NextAction(
                "decide_finding",
                f"{label} is escalated after {f.bolt - 1} rejects: a human decides (close, reject, or resume).",
                fb.stage,
                f.target,
                f.hat,
                fb.ref,
            )
        if f.hat is None:
            return NextAction(
                "decide_finding",
                f"{label} has no fix chain in {fb.stage}: close or reject it.",
                fb.stage,
                f.target,
                None,
                fb.ref,
            )
        if fb.severity is None:
            return NextAction(
                "classify",
                f"Classify {fb.ref}: set its severity and target unit ({f.hat}).",
                fb.stage,
                f.target,
                f.hat,
                fb.ref,
            )
        return NextAction(
            "fix",
            f'Fix {label} "{fb.title}": the {f.hat} hat holds it (bolt {f.bolt}).',
            fb.stage,
            f.target,
            f.hat,
            fb.ref,
        )
    return _stage_action(active)


def criteria_hold(state: StageState, unit: UnitState) -> str | None:
    """Why the unit's last hat cannot complete it (unchecked completion criteria), or None."""
    if unit.status != "active" or not state.stage.hats or unit.hat != state.stage.hats[-1]:
        return None
    unchecked = unchecked_criteria(unit.unit.body)
    return held_by_criteria(unit.unit.slug, unchecked) if unchecked else None


def _stage_action(state: StageState) -> NextAction:
    name = state.name
    if state.phase == "elaborate":
        if not state.units:
            return NextAction("add_units", f"Elaborate {name}: add the units of work.", name)
        return NextAction(
            "declare_ready",
            f"Elaborate {name}: declare the {len(state.units)}-unit list ready, or add more units.",
            name,
        )
    if state.phase in ("review", "approve"):
        unit, role = state.missing_signoffs[0]
        when = "before execute" if state.phase == "review" else "after execute"
        return NextAction(
            "signoff", f"Review {unit} as {role} ({when}): sign it off or file findings against it.", name, unit, role
        )
    if state.phase == "execute":
        escalated = [u for u in state.units if u.status == "escalated"]
        if escalated:
            u = escalated[0]
            return NextAction(
                "resume_unit",
                f"{u.unit.slug} is escalated after {MAX_UNIT_BOLTS} rejects: resume it with a reason, or rescope it.",
                name,
                u.unit.slug,
                u.hat,
            )
        movable = state.movable
        if not movable:
            return NextAction("none", f"Every unit of {name} waits on a dependency.", name)
        order: dict[str | None, int] = {hat: i for i, hat in enumerate(state.stage.hats)}
        holds = {u.unit.slug: criteria_hold(state, u) for u in movable}
        u = min(movable, key=lambda s: (bool(holds[s.unit.slug]), order.get(s.hat, 0), s.status != "active"))
        if holds[u.unit.slug]:  # every unit that can move is held: the first one says why
            return NextAction(
                "tick_criteria",
                f"{holds[u.unit.slug]}. Tick them (- [x]) in its body before {u.hat} completes it.",
                name,
                u.unit.slug,
                u.hat,
            )
        verb = "Work" if u.status == "active" else "Start"
        last = (
            f" Bolt {u.bolt} is its last: a reject is refused, and a human decides (resume it with a reason, or rescope it)."
            if u.on_last_bolt
            else ""
        )
        return NextAction(
            "advance_hat",
            f"{verb} {u.unit.slug} as {u.hat} (bolt {u.bolt}), then hand the baton on.{last}",
            name,
            u.unit.slug,
            u.hat,
        )
    gate = state.gate
    held = ", ".join(f.feedback.ref for f in gate.blockers)
    if gate.is_auto:
        return NextAction(
            "fix", f"The auto gate of {name} is held by {held}: it advances by itself once they close.", name
        )
    paths = []
    if "ask" in gate.kinds:
        paths.append("approve or request changes")
    if EXTERNAL_GATE_KINDS & set(gate.kinds):
        external = "/".join(k for k in gate.kinds if k in EXTERNAL_GATE_KINDS)
        paths.append(
            f"submit it for external review with the review's URL, or record the external decision ({external})"
        )
    text = f"Gate of {name} ({', '.join(gate.kinds)}): " + ", or ".join(paths) + "."
    if gate.submission is not None:  # submitted: the outside reviewer holds it (haiku_await_gate)
        sub = gate.submission
        branch = f" (merging {sub.branch} approves it)" if sub.branch else ""
        text = (
            f"Gate of {name}: awaiting external review at {sub.url}{branch}; "
            "approve with that URL once it passes, or request changes."
        )
    if held:
        text += f" Blocked by {held}: approving needs an override reason."
    return NextAction("approve", text, name)
