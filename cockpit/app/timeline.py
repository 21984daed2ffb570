"""The timeline as people read it, one reading for `cockpit timeline` and the timeline screen:
when (date, time and UTC offset, the local time beside it when the local zone is not UTC, and how
long ago by the engine's clock), who, what, where, and the message, a hand-off saying who passed
what to whom (cockpit.domain.handoff); its kind (for the filter) and whether it is starred.

And the timeline as the record: starring an event and adding a note (domain commands, through
Engine.run), and the "since you left" digest (cockpit.domain.record)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from cockpit.clock import ago, parse_iso, stamp
from cockpit.domain.handoff import Handoff, event_handoff
from cockpit.domain.record import Digest, happened_at, kind_of, since_you_left, starred, without_time
from cockpit.errors import CockpitError, NotFound

if TYPE_CHECKING:
    from cockpit.app.engine import Done, Engine

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
    kind: str = "other"  # cockpit.domain.record.KINDS: what the filter picks by
    starred: bool = False
    local: str = ""  # "03:04 +01:00": the same moment in the local zone, when it is not UTC
    happened: str = ""  # a note's own time ("02:14 +00:00") when it differs from when it was written

    @property
    def what(self) -> str:
        """ "advance hat FB-006": the command in words, with the finding it concerns."""
        return " ".join(x for x in (self.command.replace("_", " "), self.feedback) if x)

    @property
    def where(self) -> str:
        return " ".join(x for x in (self.stage, self.unit, self.hat) if x)


def local_zone(now: datetime) -> tzinfo:
    """The zone local times are shown in: the clock's own when it is not UTC, else the machine's."""
    zone = now.tzinfo
    if zone is not None and now.utcoffset():
        return zone
    return datetime.now().astimezone().tzinfo or UTC


def local_time(moment: str, zone: tzinfo) -> str:
    """'03:04 +01:00' (with the date when it differs from UTC's), or '' when `zone` is UTC then."""
    at = parse_iso(moment)
    local = at.astimezone(zone)
    if not local.utcoffset():
        return ""
    offset = local.strftime("%z")
    day = f"{local:%Y-%m-%d} " if local.date() != at.date() else ""
    return f"{day}{local:%H:%M} {offset[:3]}:{offset[3:]}"


def _words(event: Mapping[str, Any], happened: str) -> str | None:
    """The event's message; a dated note's without its leading time (shown once, beside it)."""
    message = event.get("message")
    return without_time(message) if message and happened != event["at"] else message


def entry(event: Mapping[str, Any], now: datetime, stars: Iterable[int] = (), zone: tzinfo | None = None) -> Entry:
    from cockpit.app.report import ai_note

    handoff = event_handoff(event)
    data = event.get("data") or {}
    utc_now = now.astimezone(UTC)
    happened = happened_at(event)
    return Entry(
        id=event["id"],
        when=stamp(event["at"], utc_now),
        ago=ago(event["at"], now),
        actor=event["actor"],
        command=event["command"],
        feedback=data.get("feedback"),
        note=ai_note(dict(event)),
        stage=event.get("stage"),
        unit=event.get("unit"),
        hat=event.get("hat"),
        handoff=handoff,
        message=handoff.line() if handoff else _words(event, happened),
        kind=kind_of(event["command"]),
        starred=event["id"] in stars,
        local=local_time(event["at"], zone or local_zone(now)),
        happened=stamp(happened, utc_now)[11:] if happened != event["at"] else "",
    )


def entries(events: Iterable[Mapping[str, Any]], now: datetime, zone: tzinfo | None = None) -> list[Entry]:
    """Every event as read, oldest first, each marked starred as the star events left it."""
    events = list(events)
    stars = starred(events)
    zone = zone or local_zone(now)
    return [entry(e, now, stars, zone) for e in events]


def kinds(found: Iterable[Entry]) -> list[str]:
    """The kinds present, in the filter's order."""
    from cockpit.domain.record import KIND_ORDER

    present = {e.kind for e in found}
    return [k for k in KIND_ORDER if k in present]


# ------------------------------------------------------------------ the record: stars and notes


def set_star(engine: Engine, slug: str, event_id: int, on: bool) -> Done:
    """Star (or unstar) event `event_id` of intent `slug`: refused when the intent has no such
    event, when it is itself a star, or when it is already so. One transaction with the check."""
    from cockpit.domain.commands.record import star_event

    with engine.store.writing():
        events = engine.timeline(slug)
        event = next((e for e in events if e["id"] == event_id), None)
        if event is None:
            raise NotFound(f"{slug} has no timeline event #{event_id} (`cockpit timeline {slug}` lists them)")
        if kind_of(event["command"]) == "star":
            raise CockpitError(f"event #{event_id} records a star itself: star the event it names")
        if (event_id in starred(events)) == on:
            raise CockpitError(f"event #{event_id} is already {'starred' if on else 'not starred'}: nothing changed")
        about = " ".join(x for x in (event["command"].replace("_", " "), event.get("message") or "") if x)
        return engine.run(slug, star_event, event=event_id, starred=on, about=about)


def add_note(engine: Engine, slug: str, text: str) -> Done:
    from cockpit.domain.commands.record import add_note as note

    return engine.run(slug, note, text=text)


def digest(engine: Engine, slug: str) -> Digest | None:
    """What others did on `slug` since the engine's actor last acted there (None: nothing to say)."""
    return since_you_left(engine.timeline(slug), engine.actor, engine.clock())


def timeline_text(events: Iterable[Mapping[str, Any]], now: datetime) -> str:
    """`cockpit timeline`: one row per event, oldest first."""
    from cockpit.app.report import table

    rows = [["#", "when", "ago", "actor", "command", "stage", "unit", "hat", "message"]]
    for e in entries(events, now):
        ident = f"*{e.id}" if e.starred else str(e.id)
        what = " ".join(x for x in (e.command, e.feedback) if x) + (f" ({e.note})" if e.note else "")
        message = " ".join((e.message or "").split())
        cut = message[:MESSAGE_WIDTH] + ("…" if len(message) > MESSAGE_WIDTH else "")
        rows.append(
            [
                ident,
                e.when + (f" ({e.local})" if e.local else ""),
                e.ago,
                e.actor,
                what,
                e.stage or "-",
                e.unit or "-",
                e.hat or "-",
                cut,
            ]
        )
    return "\n".join(table(rows, indent=""))
