"""The timeline as people read it: date, time and UTC offset, how long ago by the injected clock,
and hand-offs that say who passed what to whom (never `→ reviewer`, which read as "to reviewer")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from helpers import NOW

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.app.timeline import entries, timeline_text
from cockpit.clock import ago, fixed_clock, stamp
from cockpit.domain.handoff import event_handoff, iteration_handoff
from cockpit.store.database import Store


def test_a_moment_reads_with_its_date_time_and_utc_offset():
    assert stamp("2026-12-06T05:04:59Z", NOW) == "2026-12-06 05:04 +00:00"
    berlin = datetime(2026, 12, 6, 9, 0, tzinfo=timezone(timedelta(hours=1)))  # a clock in another zone
    assert stamp("2026-12-06T05:04:00Z", berlin) == "2026-12-06 06:04 +01:00"
    assert stamp("2026-12-06T23:30:00Z", datetime(2026, 12, 7, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))) == (
        "2026-12-06 18:00 -05:30"
    )


def test_how_long_ago_is_measured_by_the_clock_given():
    now = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    assert ago("2026-11-20T06:48:00Z", now) == "12 min ago"
    assert ago("2026-11-20T02:00:00Z", now) == "5 h ago"
    assert ago("2026-11-18T06:00:00Z", now) == "2 d ago"
    assert ago("2026-11-20T06:59:30Z", now) == "just now"
    assert ago("2026-11-20T08:00:00Z", now) == "just now"  # a clock behind the event: never negative


def event(command: str, hat: str | None, to: str | None = None, message: str | None = "m", **data) -> dict:
    return {"command": command, "hat": hat, "message": message, "data": {"to": to, **data}}


def test_every_hand_off_names_the_giver_and_the_taker():
    lines = [
        event_handoff(e).line()
        for e in (
            event("advance_hat", "engineer", "reviewer", "tests added"),
            event("reject_hat", "reviewer", "engineer", "the class search misses refunds-worker"),
            event("advance_hat", "verifier", None, "all checks hold"),
            event("advance_fix", "classifier", "engineer", None, feedback="FB-001"),
            event("reject_fix", "feedback-assessor", "engineer", "unchanged", feedback="FB-006"),
            event("close_feedback", "feedback-assessor", None, "verified", feedback="FB-006"),
        )
    ]
    assert lines == [
        "engineer → reviewer: tests added",
        "reviewer ↩ engineer (sent back): the class search misses refunds-worker",
        "verifier → done: all checks hold",
        "classifier → engineer: (no message)",
        "feedback-assessor ↩ engineer (sent back): unchanged",
        "feedback-assessor → closed: verified",
    ]


def test_events_that_pass_nothing_are_not_hand_offs():
    closed = {
        "command": "close_feedback",
        "hat": "classifier",
        "message": "owned by comms",
        "data": {"resolution": "x"},
    }
    assert event_handoff(closed) is None  # a closure by the classifier: nothing passed on
    assert event_handoff(event("start_unit", "engineer")) is None
    assert event_handoff(event("add_unit", None)) is None


def test_the_baton_reads_from_its_iterations_as_the_timeline_reads_from_events(engine):
    demo.seed(engine)
    stage = engine.position(demo.INCIDENT).stage("resolve")
    unit = stage.unit("truststore-at-deploy")
    assert [iteration_handoff(stage.stage.hats, i).arrow for i in unit.handoffs] == [
        "engineer → reviewer",
        "reviewer ↩ engineer (sent back)",
        "engineer → reviewer",
    ]
    from_events = [
        event_handoff(e).arrow
        for e in engine.timeline(demo.INCIDENT)
        if e["unit"] == "truststore-at-deploy" and e["command"] in ("advance_hat", "reject_hat")
    ]
    assert from_events == [iteration_handoff(stage.stage.hats, i).arrow for i in unit.handoffs]


def test_the_cli_table_shows_when_how_long_ago_and_who_passed_what_to_whom(catalog, tmp_path):
    engine = Engine(Store(tmp_path / "t.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)  # the story starts 5 h before NOW, an event every 2 min
    text = timeline_text(engine.timeline(demo.INCIDENT), engine.clock())
    header, first = text.splitlines()[:2]
    assert header.split()[:4] == ["#", "when", "ago", "actor"]
    assert first.split()[1:6] == ["2026-11-20", "02:00", "+00:00", "5", "h"]
    reject = next(line for line in text.splitlines() if " reject_hat " in line)
    assert "reviewer ↩ engineer (sent back): Regression test only covers checkout-api" in reject
    found = entries(engine.timeline(demo.INCIDENT), engine.clock())
    assert found[-1].ago == "2 h ago" and found[-1].when.endswith("+00:00")
