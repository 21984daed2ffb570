"""The timeline as people read it, one reading for `cockpit timeline` and the timeline screen:
when (date, time and UTC offset, and how long ago by the engine's clock), who, what, where, and
the message, a hand-off saying who passed what to whom (cockpit.domain.handoff)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cockpit.clock import ago, stamp
from cockpit.domain.handoff import Handoff, event_handoff

MESSAGE_WIDTH = 80  # of the message column in `cockpit timeline`'s table


@dataclass(frozen=True)
class Entry:
    id: int
    when: str  # "2026-12-06 05:04 +00:00"
    ago: str  # "12 min ago"
    actor: str
    command: str  # as recorded: advance_hat
    feedback: str | None  # the finding it concerns: FB-001
    note: str | None  # an AI-assisted action's provenance (cockpit.app.report.ai_note)
    stage: str | None
    unit: str | None
    hat: str | None
    handoff: Handoff | None
    message: str | None  # the hand-off's line for a hand-off, else the event's message

    @property
    def what(self) -> str:
        """ "advance hat FB-006": the command in words, with the finding it concerns."""
        return " ".join(x for x in (self.command.replace("_", " "), self.feedback) if x)

    @property
    def where(self) -> str:
        return " ".join(x for x in (self.stage, self.unit, self.hat) if x)


def entry(event: Mapping[str, Any], now: datetime) -> Entry:
    from cockpit.app.report import ai_note

    handoff = event_handoff(event)
    data = event.get("data") or {}
    return Entry(
        id=event["id"],
        when=stamp(event["at"], now),
        ago=ago(event["at"], now),
        actor=event["actor"],
        command=event["command"],
        feedback=data.get("feedback"),
        note=ai_note(dict(event)),
        stage=event.get("stage"),
        unit=event.get("unit"),
        hat=event.get("hat"),
        handoff=handoff,
        message=handoff.line() if handoff else event.get("message"),
    )


def entries(events: Iterable[Mapping[str, Any]], now: datetime) -> list[Entry]:
    return [entry(e, now) for e in events]


def timeline_text(events: Iterable[Mapping[str, Any]], now: datetime) -> str:
    """`cockpit timeline`: one row per event, oldest first."""
    from cockpit.app.report import table

    rows = [["#", "when", "ago", "actor", "command", "stage", "unit", "hat", "message"]]
    for e in entries(events, now):
        what = " ".join(x for x in (e.command, e.feedback) if x) + (f" ({e.note})" if e.note else "")
        message = " ".join((e.message or "").split())
        cut = message[:MESSAGE_WIDTH] + ("…" if len(message) > MESSAGE_WIDTH else "")
        rows.append([str(e.id), e.when, e.ago, e.actor, what, e.stage or "-", e.unit or "-", e.hat or "-", cut])
    return "\n".join(table(rows, indent=""))
