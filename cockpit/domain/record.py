"""The timeline as the record of an incident: what kind each event is and where it came from, which
events are starred for the postmortem, when a note says it happened, and the "since you left"
digest. Pure functions of the stored events (dicts as Store.timeline returns them)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cockpit.clock import ago, iso, parse_iso

# Each recorded command by the kind a reader filters on. Unknown commands are "other".
KINDS: dict[str, str] = {
    "note": "note",
    "star": "star",
    "unstar": "star",
    "create_intent": "intent",
    "haiku_create": "intent",
    "revisit_stage": "intent",
    "studio_upgrade": "intent",
    "add_unit": "unit",
    "edit_unit": "unit",
    "import_units": "unit",
    "declare_ready": "unit",
    "start_unit": "hat",
    "advance_hat": "hat",
    "reject_hat": "hat",
    "resume": "hat",
    "tick": "hat",
    "file_feedback": "finding",
    "classify": "finding",
    "advance_fix": "finding",
    "reject_fix": "finding",
    "close_feedback": "finding",
    "signoff": "gate",
    "approve_gate": "gate",
    "request_changes": "gate",
    "submit_gate": "gate",
    "verify_held": "gate",
    "run_checks": "check",
    "quality_gates": "check",
    "confirm_quality_gates": "check",
    "runbook_copy": "runbook",
    "runbook_run": "runbook",
}
KIND_ORDER = ("note", "star", "intent", "unit", "hat", "finding", "gate", "check", "runbook", "other")
STAR_COMMANDS = ("star", "unstar")
SOURCES = ("human", "runbook", "ai", "import", "system")


def kind_of(command: str) -> str:
    if command in KINDS:
        return KINDS[command]
    return "runbook" if command.startswith("runbook") else "other"


def source_of(event: Mapping[str, Any]) -> str:
    """Who produced the event, as the export names it: an AI-assisted action (ai), a runbook step
    (runbook), an import from a H·AI·K·U project (import), the engine's own checks (system), or a
    person (human)."""
    command = event.get("command") or ""
    if (event.get("data") or {}).get("ai"):
        return "ai"
    if command.startswith("runbook"):
        return "runbook"
    if command.startswith("haiku"):
        return "import"
    if command in ("run_checks", "quality_gates"):
        return "system"
    return "human"


def starred(events: Iterable[Mapping[str, Any]]) -> set[int]:
    """The ids of the events starred now: each star or unstar event decides for the event it names,
    the latest one winning (events come oldest first)."""
    out: set[int] = set()
    for event in events:
        if event.get("command") in STAR_COMMANDS:
            target = (event.get("data") or {}).get("event")
            if isinstance(target, int):
                (out.add if event["command"] == "star" else out.discard)(target)
    return out


def happened_at(event: Mapping[str, Any]) -> str:
    """When the event says it happened: a note's own time ("02:14 paged ...") or when it was recorded."""
    return str((event.get("data") or {}).get("happened_at") or event["at"])


_LEADING_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)(?:\s*(?:UTC|Z))?\b[\s:,-]*")


def without_time(text: str) -> str:
    """A note's words without the time of day it starts with (shown beside it once it is parsed)."""
    match = _LEADING_TIME.match(text)
    return text[match.end() :] if match is not None and text[match.end() :].strip() else text


def note_moment(text: str, now: str) -> tuple[str | None, str]:
    """A note that starts with a time of day ("12:03 paged the database on-call") happened then, in
    UTC: the latest such moment not after `now` (an ISO moment). Returns (that moment or None, the text)."""
    match = _LEADING_TIME.match(text)
    if match is None or not text[match.end() :].strip():
        return None, text.strip()
    current = parse_iso(now)
    moment = current.replace(hour=int(match[1]), minute=int(match[2]), second=0)
    if moment > current:
        moment -= timedelta(days=1)
    return iso(moment), text.strip()


# ------------------------------------------------------------------ since you left

AWAY = timedelta(minutes=30)  # a shorter absence is not "leaving"
_PHRASES = {
    "note": ("note", "notes"),
    "star": ("star", "stars"),
    "intent": ("intent change", "intent changes"),
    "unit": ("unit change", "unit changes"),
    "hat": ("hat move", "hat moves"),
    "finding": ("finding action", "finding actions"),
    "gate": ("gate decision", "gate decisions"),
    "check": ("check run", "check runs"),
    "runbook": ("runbook step", "runbook steps"),
    "other": ("other action", "other actions"),
}


@dataclass(frozen=True)
class Digest:
    """What others did on an intent since `actor`'s last action there."""

    actor: str
    since: str  # the moment of the actor's last action
    away: str  # "2 h ago"
    count: int
    by_actor: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # (who, ((kind, n), ...)), first to act first
    filed: tuple[str, ...]  # findings others filed meanwhile
    approved: tuple[str, ...]  # stages whose gate others approved meanwhile

    def line(self) -> str:
        """One line: 'Since your last action 2 h ago: priya 3 hat moves, 1 note; sam 1 gate
        decision. Filed FB-008. Approved mitigate.'"""
        people = "; ".join(
            f"{who} " + ", ".join(f"{n} {_PHRASES[kind][n != 1]}" for kind, n in kinds) for who, kinds in self.by_actor
        )
        text = f"Since your last action {self.away}: {people}."
        if self.filed:
            text += f" Filed {', '.join(self.filed)}."
        if self.approved:
            text += f" Approved {', '.join(self.approved)}."
        return text


def since_you_left(
    events: Iterable[Mapping[str, Any]], actor: str, now: datetime, away: timedelta = AWAY
) -> Digest | None:
    """The digest for `actor` reopening the intent at `now`: None when they never acted on it, when
    their last action is more recent than `away`, or when nobody else has acted since."""
    ordered = sorted(events, key=lambda e: e["id"])
    mine = [i for i, e in enumerate(ordered) if e["actor"] == actor]
    if not mine:
        return None
    last = ordered[mine[-1]]
    if now - parse_iso(last["at"]) < away:
        return None
    others = [e for e in ordered[mine[-1] + 1 :] if e["actor"] != actor]
    if not others:
        return None
    counts: dict[str, dict[str, int]] = {}
    for e in others:
        kinds = counts.setdefault(e["actor"], {})
        kind = kind_of(e["command"])
        kinds[kind] = kinds.get(kind, 0) + 1
    by_actor = tuple(
        (who, tuple(sorted(kinds.items(), key=lambda kv: KIND_ORDER.index(kv[0])))) for who, kinds in counts.items()
    )
    filed = tuple(
        str(e["data"]["feedback"])
        for e in others
        if e["command"] == "file_feedback" and (e.get("data") or {}).get("feedback")
    )
    approved = tuple(str(e["stage"]) for e in others if e["command"] == "approve_gate" and e.get("stage"))
    return Digest(actor, last["at"], ago(last["at"], now), len(others), by_actor, filed, approved)
