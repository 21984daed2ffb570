"""The timeline as the record: a free note from the engineer, and a star (or its removal) on an
event the postmortem should tell. Both write nothing but their event: the timeline is the record."""

from __future__ import annotations

from cockpit.domain.change import Change, Ctx, Event
from cockpit.domain.commands._common import _redacted, _required
from cockpit.domain.record import note_moment
from cockpit.domain.walk import Position
from cockpit.errors import CockpitError
from cockpit.text.terminal import strip

MAX_NOTE = 2000  # characters: a note is a line in the record, not a document


def add_note(pos: Position, ctx: Ctx, *, text: str) -> Change:
    """Record the engineer's note ("12:03 paged the database on-call"). Redacted before it is
    stored, one line without control characters; a leading time of day (UTC) says when it happened."""
    cleaned = " ".join(strip(_redacted(_required(text, "a note's text"))).split())
    if len(cleaned) > MAX_NOTE:
        raise CockpitError(f"a note holds at most {MAX_NOTE} characters ({len(cleaned)} given): file a finding instead")
    moment, cleaned = note_moment(cleaned, ctx.now)
    stage = pos.active.name if pos.active else None
    data = {"happened_at": moment} if moment else {}
    return Change(Event("note", cleaned, stage, data=data), (), "noted in the timeline")


def star_event(pos: Position, ctx: Ctx, *, event: int, starred: bool, about: str = "") -> Change:
    """Star (or unstar) timeline event `event` of this intent, checked by the caller to be one
    (cockpit.app.timeline.set_star). `about`: a few words of the event, for the record."""
    if event <= 0:
        raise CockpitError(f"an event is named by its number, not {event!r}")
    verb = "star" if starred else "unstar"
    words = " ".join(strip(about).split())[:80]
    message = f"#{event}" + (f" {words}" if words else "")
    return Change(Event(verb, message, data={"event": event}), (), f"{verb}red event #{event}")
