"""Moving an intent from the studio definition it is pinned to onto the one on disk now.

An intent walks by the definition it pinned (cockpit.domain.studio_codec); when the files change,
`cockpit studio upgrade` shows what would change (`diff`) and refuses a change that would leave
recorded facts with nothing to stand on (`orphans`). Pure: both read definitions and a position.

The orphan rule — a recorded fact still counting for the walk must keep its place:
1. A stage that is removed must hold no units, findings or gate decisions.
2. A hat removed from a stage's `hats` must not have been worn (an iteration: ticks are made only
   on a worn hat) by a unit of that stage that is not done; a done unit's history stays readable.
3. A fix hat removed from a stage's `fix_hats` must not have been worn by an open finding of it.
4. A reviewer removed from a stage must hold no sign-off on its units unless the stage is complete.
Adding, reordering, changing a gate's kinds or a mandate's text orphans nothing: the walk re-reads
the facts by the new definition, and `diff` shows each such change before the person agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cockpit.domain.studio import Hat, ReviewAgent, Stage, Studio
from cockpit.domain.walk import Position


@dataclass(frozen=True)
class ListChange:
    """How an ordered list of names changed."""

    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(n for n in self.after if n not in self.before)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(n for n in self.before if n not in self.after)

    @property
    def reordered(self) -> bool:
        """The names both lists hold stand in another order."""
        kept = set(self.before) & set(self.after)
        return [n for n in self.before if n in kept] != [n for n in self.after if n in kept]

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def words(self, what: str) -> list[str]:
        out = [f"{what} added: {', '.join(self.added)}"] if self.added else []
        out += [f"{what} removed: {', '.join(self.removed)}"] if self.removed else []
        if self.reordered:
            out.append(f"{what} reordered: {' → '.join(self.before)}  ⇒  {' → '.join(self.after)}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "before": list(self.before),
            "after": list(self.after),
            "added": list(self.added),
            "removed": list(self.removed),
            "reordered": self.reordered,
        }


@dataclass(frozen=True)
class StageChange:
    """What changed in a stage both definitions have."""

    stage: str
    hats: ListChange
    fix_hats: ListChange
    gate: ListChange  # the gate's kinds
    reviewers: ListChange
    rewritten: tuple[str, ...]  # hats and reviewers in both whose mandate, checklist or checks changed

    @property
    def changed(self) -> bool:
        lists = (self.hats, self.fix_hats, self.gate, self.reviewers)
        return any(x.changed for x in lists) or bool(self.rewritten)

    def lines(self) -> list[str]:
        out = self.hats.words("hats") + self.fix_hats.words("fix hats")
        if self.gate.changed:
            out.append(f"gate: {', '.join(self.gate.before) or 'none'} → {', '.join(self.gate.after) or 'none'}")
        out += self.reviewers.words("reviewers")
        if self.rewritten:
            out.append(f"mandate, checklist or checks changed: {', '.join(self.rewritten)}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "hats": self.hats.as_json(),
            "fix_hats": self.fix_hats.as_json(),
            "gate": self.gate.as_json(),
            "reviewers": self.reviewers.as_json(),
            "rewritten": list(self.rewritten),
        }


@dataclass(frozen=True)
class StudioDiff:
    studio: str
    stages: ListChange
    changed_stages: tuple[StageChange, ...]  # stages in both that changed, in the new order
    reviewers: ListChange  # the studio's own (intent-scope) reviewers
    overlay: tuple[str, str] = ("", "")  # the project overlay before and after ("" for none)

    @property
    def structural(self) -> bool:
        """Stages, hats, gates or reviewers differ (not only texts elsewhere)."""
        return self.stages.changed or self.reviewers.changed or bool(self.changed_stages)

    def lines(self) -> list[str]:
        out = []
        if self.overlay[0] != self.overlay[1]:  # run from another folder than the project it was pinned in?
            before, after = (o or "none" for o in self.overlay)
            out.append(f"project overlay: {before} -> {after} (run cockpit inside the project to keep it)")
        out += self.stages.words("stages") + self.reviewers.words("studio reviewers")
        for change in self.changed_stages:
            out += [f"{change.stage}: {line}" for line in change.lines()]
        return out or ["no change to stages, hats, gates or reviewers (other text in the files changed)"]

    def as_json(self) -> dict[str, Any]:
        return {
            "studio": self.studio,
            "stages": self.stages.as_json(),
            "reviewers": self.reviewers.as_json(),
            "changed_stages": [c.as_json() for c in self.changed_stages],
            "overlay": {"before": self.overlay[0] or None, "after": self.overlay[1] or None},
        }


def _hat_text(hat: Hat | None) -> tuple[Any, ...]:
    return (hat.title, hat.body, hat.checklist) if hat is not None else ()


def _agent_text(agent: ReviewAgent) -> tuple[Any, ...]:
    return (agent.title, agent.body, agent.checks, agent.failure_modes)


def _stage_change(old: Stage, new: Stage) -> StageChange:
    rewritten = [
        name
        for name in dict.fromkeys((*new.hats, *new.fix_hats))
        if name in (*old.hats, *old.fix_hats) and _hat_text(old.hat(name)) != _hat_text(new.hat(name))
    ]
    old_agents = {a.name: a for a in old.reviewers}
    rewritten += [
        a.name for a in new.reviewers if a.name in old_agents and _agent_text(old_agents[a.name]) != _agent_text(a)
    ]
    return StageChange(
        new.name,
        ListChange(old.hats, new.hats),
        ListChange(old.fix_hats, new.fix_hats),
        ListChange(old.gate, new.gate),
        ListChange(old.reviewer_names, new.reviewer_names),
        tuple(rewritten),
    )


def diff(old: Studio, new: Studio) -> StudioDiff:
    """What moving from `old` to `new` changes in stages, hats, fix hats, gates and reviewers."""
    before = {s.name: s for s in old.stages}
    changes = [_stage_change(before[s.name], s) for s in new.stages if s.name in before]
    return StudioDiff(
        new.name,
        ListChange(old.stage_names, new.stage_names),
        tuple(c for c in changes if c.changed),
        ListChange(tuple(a.name for a in old.reviewers), tuple(a.name for a in new.reviewers)),
        (old.overlay, new.overlay),
    )


def _counted(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _listed(items: Sequence[str]) -> str:
    return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def orphans(position: Position, new: Studio) -> tuple[str, ...]:
    """Each recorded fact the move to `new` would orphan (the rule in the module docstring), in
    words; empty when the move is safe. `position`: the intent as its pinned definition walks it."""
    facts = position.facts
    wanted = {s.name: s for s in new.stages}
    found: list[str] = []
    for state in position.stages:
        name = state.name
        target = wanted.get(name)
        if target is None:
            held = [
                _counted(n, word)
                for n, word in (
                    (sum(u.stage == name for u in facts.units), "unit"),
                    (sum(f.stage == name for f in facts.feedback), "finding"),
                    (sum(d.stage == name for d in facts.decisions), "decision"),
                )
                if n
            ]
            if held:
                found.append(f"stage {name} is removed but holds {', '.join(held)}")
            continue
        unit_ids = {u.unit.id for u in state.units}
        for hat in (h for h in state.stage.hats if h not in target.hats):
            worn = [
                u.unit.slug
                for u in state.units
                if u.status != "done" and any(i.hat == hat for i in u.iterations)  # a tick needs one too
            ]
            if worn:
                found.append(f"{name}: hat {hat} is removed while unit {_listed(worn)} (not done) has worked on it")
        for hat in (h for h in state.stage.fix_hats if h not in target.fix_hats):
            held_by = [
                f.feedback.ref
                for f in position.findings
                if f.feedback.stage == name and f.is_open and any(i.hat == hat for i in f.iterations)
            ]
            if held_by:
                found.append(f"{name}: fix hat {hat} is removed while open {_listed(held_by)} has worked on it")
        if state.status != "complete":
            slugs = {u.unit.id: u.unit.slug for u in state.units}
            for role in (r for r in state.stage.reviewer_names if r not in target.reviewer_names):
                signed = sorted({slugs[s.unit_id] for s in facts.signoffs if s.role == role and s.unit_id in unit_ids})
                if signed:
                    found.append(
                        f"{name}: reviewer {role} is removed but signed off {_listed(signed)} and the stage is not complete"
                    )
    return tuple(found)


@dataclass(frozen=True)
class Drift:
    """The studio's files no longer match the definition an intent walks by."""

    slug: str
    studio: str
    pinned: str  # the digest it walks by
    current: str | None  # the digest of the files now; None: the studio does not load from disk
    problem: str = ""  # why it does not (gone, or the file and line that fail to load)
    # The project overlay (.haiku/studios/<studio>) the pinned definition was read with, and the
    # one loaded here: when they differ, cockpit runs from another folder than the project, and
    # nothing changed on disk (upgrading here would drop or swap the overlay).
    pinned_overlay: str = ""
    current_overlay: str = ""

    @property
    def elsewhere(self) -> bool:
        return self.current is not None and self.pinned_overlay != self.current_overlay

    @property
    def line(self) -> str:
        """One line for `cockpit status`: what happened and what to do."""
        if self.current is None:
            why = f" ({self.problem})" if self.problem else ""
            return f"studio {self.studio} does not load from disk{why}: {self.slug} walks by its pinned definition"
        if self.elsewhere:
            if not self.current_overlay:
                return (
                    f"studio {self.studio} loads here without the project overlay {self.pinned_overlay} it was "
                    f"pinned with: run cockpit inside that project; {self.slug} walks by its pinned definition"
                )
            was = f"the overlay {self.pinned_overlay}" if self.pinned_overlay else "no overlay"
            return (
                f"studio {self.studio} loads here with the overlay {self.current_overlay}, not {was} it was "
                f"pinned with; {self.slug} walks by its pinned definition"
            )
        return f"studio {self.studio} changed on disk: see cockpit studio upgrade {self.slug}"

    @property
    def warning(self) -> str:
        """The same, shorter, for the app's header."""
        if self.current is None:
            return "studio does not load from disk: walking by the pinned definition"
        if self.elsewhere:
            return "studio overlay differs here (another folder?): walking by the pinned definition"
        return f"studio changed on disk — cockpit studio upgrade {self.slug}"

    def as_json(self) -> dict[str, Any]:
        return {
            "studio": self.studio,
            "pinned": self.pinned,
            "current": self.current,
            "problem": self.problem or None,
            "pinned_overlay": self.pinned_overlay or None,
            "current_overlay": self.current_overlay or None,
            "text": self.line,
        }


def short(digest: str) -> str:
    """The first 12 hex digits of a digest, for people."""
    return digest.split(":", 1)[-1][:12]


@dataclass(frozen=True)
class UpgradePlan:
    """What `cockpit studio upgrade` would do to one intent."""

    slug: str
    intent_id: int
    studio: str
    pinned: str | None  # the digest it walks by; None: made before pins, it walks by the files
    current: str  # the digest of the definition on disk
    diff: StudioDiff
    orphans: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return self.pinned == self.current

    def as_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "studio": self.studio,
            "pinned": self.pinned,
            "current": self.current,
            "up_to_date": self.up_to_date,
            "changes": self.diff.as_json(),
            "lines": [] if self.up_to_date or self.pinned is None else self.diff.lines(),
            "orphans": list(self.orphans),
        }
