"""The commit message of `cockpit haiku sync`, derived from the timeline since the last sync."""

from __future__ import annotations

from cockpit.domain.haiku_sync_message import SUBJECT_WIDTH, changes, commit_message


def ev(command: str, unit: str | None = None, stage: str | None = "triage", **data) -> dict:
    return {"command": command, "stage": stage, "unit": unit, "hat": data.pop("hat", None), "data": data}


def test_a_unit_walked_several_hats_is_named_once_where_it_ended():
    events = [
        ev("start_unit", "unit-02", hat="engineer"),
        ev("advance_hat", "unit-02", to="verifier", bolt=1),
        ev("haiku_export", stage=None),
        ev("advance_fix", "unit-02", feedback="FB-004", to="reviewer"),
        ev("advance_hat", "unit-02", to="reviewer", bolt=1),
        ev("close_feedback", "unit-02", feedback="FB-004", to=None),
    ]
    assert (
        commit_message("checkout-5xx", events) == "cockpit: checkout-5xx — advanced unit-02 to reviewer; FB-004 closed"
    )


def test_each_kind_of_change_has_its_words():
    events = [
        ev("add_unit", "cause"),
        ev("declare_ready", units=["cause"]),
        ev("signoff", "cause", role="correctness", phase="review"),
        ev("reject_hat", "page", to="engineer", bolt=2),
        ev("advance_hat", "cause", to=None, bolt=1),
        ev("file_feedback", "cause", feedback="FB-001", severity="major"),
        ev("approve_gate"),
    ]
    assert changes(events) == [
        "completed cause",
        "triage gate approved",
        "correctness signed off cause",
        "sent page back to engineer",
        "FB-001 filed",
    ]


def test_no_change_of_the_intent_says_files_updated():
    assert commit_message("inc", [ev("haiku_import", stage=None)]) == "cockpit: inc — files updated"
    assert commit_message("inc", []) == "cockpit: inc — files updated"


def test_what_the_subject_cannot_hold_is_counted_there_and_listed_in_the_body():
    events = [ev("add_unit", f"unit-with-a-rather-long-name-{n:02d}") for n in range(8)]
    message = commit_message("inc", events)
    subject, blank, *body = message.split("\n")
    assert len(subject) <= SUBJECT_WIDTH and blank == ""
    shown = subject.count("added ")
    assert 0 < shown < 8 and subject.endswith(f"; and {8 - shown} more")
    assert body == [f"- added unit-with-a-rather-long-name-{n:02d} to triage" for n in range(8)]


def test_control_characters_never_reach_the_message():
    assert "\x1b" not in commit_message("inc", [ev("add_unit", "x\x1b[2Jy")])
