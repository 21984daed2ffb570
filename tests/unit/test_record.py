"""The timeline as the record (issue 16): stars, notes, kinds and sources, and the "since you left"
digest, all from the stored events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import NOW

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.app.timeline import add_note, digest, entries, local_time, set_star, timeline_text
from cockpit.clock import fixed_clock
from cockpit.domain.record import kind_of, note_moment, since_you_left, source_of, starred
from cockpit.errors import CockpitError, NotFound
from cockpit.store.database import Store


@pytest.fixture
def demo_engine(catalog, tmp_path) -> Engine:
    engine = Engine(Store(tmp_path / "r.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    return engine


def ev(i: int, actor: str, command: str, at: str, **data) -> dict:
    return {"id": i, "actor": actor, "command": command, "at": at, "stage": data.pop("stage", None), "data": data}


def test_the_latest_star_or_unstar_decides():
    events = [ev(1, "a", "note", "x"), ev(2, "a", "star", "x", event=1), ev(3, "a", "unstar", "x", event=1)]
    assert starred(events) == set()
    assert starred([*events, ev(4, "b", "star", "x", event=1)]) == {1}
    assert starred([ev(5, "a", "star", "x", event="1")]) == set()  # only a number names an event


def test_kinds_and_sources():
    assert [kind_of(c) for c in ("note", "unstar", "advance_fix", "approve_gate", "runbook_run", "x")] == [
        "note",
        "star",
        "finding",
        "gate",
        "runbook",
        "other",
    ]
    assert source_of({"command": "edit_unit", "data": {"ai": {"model": "m"}}}) == "ai"
    assert source_of({"command": "runbook_copy", "data": {}}) == "runbook"
    assert source_of({"command": "haiku_create", "data": {}}) == "import"
    assert source_of({"command": "run_checks", "data": {}}) == "system"
    assert source_of({"command": "note", "data": {}}) == "human"


def test_a_note_starting_with_a_time_happened_then_in_utc():
    assert note_moment("02:14 paged the database on-call", "2026-11-20T07:00:00Z") == (
        "2026-11-20T02:14:00Z",
        "02:14 paged the database on-call",
    )
    # later in the day than now: yesterday's
    assert note_moment("23:50 UTC first alert", "2026-11-20T07:00:00Z")[0] == "2026-11-19T23:50:00Z"
    assert note_moment("paged at 02:14", "2026-11-20T07:00:00Z")[0] is None  # only a leading time dates it
    assert note_moment("02:14", "2026-11-20T07:00:00Z")[0] is None  # a time alone is not a note
    assert note_moment("25:00 nope", "2026-11-20T07:00:00Z")[0] is None


def test_a_note_is_stored_redacted_on_one_line_without_controls(demo_engine):
    done = add_note(demo_engine, demo.INCIDENT, "02:14 paged db\x1b[31m on-call\n password=Zq8vLr2Kx9Tt4Wm")
    last = demo_engine.timeline(demo.INCIDENT)[-1]
    assert last["id"] == done.event_id and last["command"] == "note" and last["actor"] == "oncall"
    assert "Zq8vLr2Kx9Tt4Wm" not in last["message"] and "\x1b" not in last["message"] and "\n" not in last["message"]
    assert last["message"].startswith("02:14 paged db")
    assert last["data"] == {"happened_at": "2026-11-20T02:14:00Z"}
    assert last["stage"] == "resolve"  # the stage the intent was in
    with pytest.raises(CockpitError, match="required"):
        add_note(demo_engine, demo.INCIDENT, "   ")


def test_star_and_unstar_are_events_and_refuse_what_changes_nothing(demo_engine):
    slug = demo.INCIDENT
    first = demo_engine.timeline(slug)[0]["id"]
    done = set_star(demo_engine, slug, first, True)
    event = demo_engine.timeline(slug)[-1]
    assert (event["command"], event["data"], event["id"]) == ("star", {"event": first}, done.event_id)
    assert event["message"].startswith(f"#{first} create intent Checkout API 5xx")
    assert [e.starred for e in entries(demo_engine.timeline(slug), NOW) if e.id == first] == [True]
    assert timeline_text(demo_engine.timeline(slug), NOW).splitlines()[1].startswith(f"*{first} ")
    with pytest.raises(CockpitError, match="already starred"):
        set_star(demo_engine, slug, first, True)
    with pytest.raises(CockpitError, match="records a star itself"):
        set_star(demo_engine, slug, done.event_id, True)
    other = demo_engine.timeline(demo.OPERATIONS)[0]["id"]
    with pytest.raises(NotFound, match="no timeline event"):
        set_star(demo_engine, slug, other, True)  # another intent's event
    set_star(demo_engine, slug, first, False)
    assert first not in starred(demo_engine.timeline(slug))
    with pytest.raises(CockpitError, match="already not starred"):
        set_star(demo_engine, slug, first, False)


def test_times_read_in_utc_with_the_local_time_beside_them():
    from datetime import timezone

    berlin = timezone(timedelta(hours=1))
    assert local_time("2026-11-20T02:14:00Z", berlin) == "03:14 +01:00"
    assert local_time("2026-11-20T23:30:00Z", berlin) == "2026-11-21 00:30 +01:00"  # the local date differs
    assert local_time("2026-11-20T02:14:00Z", UTC) == ""  # UTC already: nothing beside it
    one = entries(
        [{**ev(1, "a", "note", "2026-11-20T05:00:00Z", happened_at="2026-11-20T02:14:00Z"), "message": "x"}],
        datetime(2026, 11, 20, 8, 0, tzinfo=berlin),
    )[0]
    assert (one.when, one.local, one.happened) == ("2026-11-20 05:00 +00:00", "06:00 +01:00", "02:14 +00:00")


T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_since_you_left_says_what_others_did_after_your_last_action():
    events = [
        ev(1, "me", "advance_hat", "2026-11-20T06:00:00Z"),
        ev(2, "priya", "advance_hat", "2026-11-20T06:10:00Z"),
        ev(3, "priya", "file_feedback", "2026-11-20T06:20:00Z", feedback="FB-008"),
        ev(4, "sam", "approve_gate", "2026-11-20T06:30:00Z", stage="mitigate"),
        ev(5, "priya", "note", "2026-11-20T06:40:00Z"),
        ev(6, "priya", "advance_hat", "2026-11-20T06:50:00Z"),
    ]
    found = since_you_left(events, "me", T)
    assert found is not None
    assert found.line() == (
        "Since your last action 3 h ago: priya 1 note, 2 hat moves, 1 finding action; sam 1 gate decision. "
        "Filed FB-008. Approved mitigate."
    )
    assert since_you_left(list(reversed(events)), "me", T) == found  # by event id, not list order


def test_since_you_left_stays_quiet_when_there_is_nothing_to_say():
    mine = ev(1, "me", "advance_hat", "2026-11-20T08:50:00Z")
    other = ev(2, "sam", "advance_hat", "2026-11-20T08:55:00Z")
    assert since_you_left([mine, other], "me", T) is None  # away ten minutes: not "left"
    assert since_you_left([other], "me", T) is None  # never acted here
    old = ev(1, "me", "advance_hat", "2026-11-20T06:00:00Z")
    assert since_you_left([old], "me", T) is None  # nobody else acted since
    before = ev(0, "sam", "advance_hat", "2026-11-20T05:00:00Z")
    assert since_you_left([before, old], "me", T) is None  # what others did before does not count


def test_the_engine_digest_is_for_its_own_actor(demo_engine):
    assert digest(demo_engine, demo.INCIDENT) is None  # the demo's actor did everything
    later = Engine(demo_engine.store, demo_engine.catalog, clock=fixed_clock(NOW), actor="priya")
    add_note(later, demo.INCIDENT, "took over as incident commander")
    found = digest(demo_engine, demo.INCIDENT)
    assert found is not None and found.line() == "Since your last action 2 h ago: priya 1 note."
