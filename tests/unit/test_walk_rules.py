"""One place per walk rule, and commands called as typed functions.

Each rule the CLI, the demo, the screens and the commands used to work out again now has one
definition (the walk, the model, cockpit.severity); these tests pin each one. The dispatch tests
pin that a command is the function itself (or a bound Call), never a name looked up at run time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from helpers import REPO, new_incident, to_execute

from cockpit.app import report
from cockpit.domain import commands as c
from cockpit.domain.call import Call, call
from cockpit.domain.check_runs import finding_title
from cockpit.domain.model import MAX_TITLE, clip_title, finding_ref, ref_number
from cockpit.domain.walk import hat_before, next_hat
from cockpit.errors import CockpitError
from cockpit.severity import STAGE_GLYPHS

CHAIN = ("engineer", "reviewer", "verifier")


# ------------------------------------------------------------------ the next hat


def test_next_hat_hands_on_along_the_chain_and_none_after_the_last():
    assert next_hat(CHAIN, "engineer") == "reviewer"
    assert next_hat(CHAIN, "reviewer") == "verifier"
    assert next_hat(CHAIN, "verifier") is None  # the baton finishes
    assert next_hat(CHAIN, None) is None  # no hat worn: a finished baton


def test_hat_before_goes_back_one_never_before_the_first():
    assert hat_before(CHAIN, "verifier") == "reviewer"
    assert hat_before(CHAIN, "engineer") == "engineer"


def test_the_commands_hand_the_baton_to_the_walks_next_hat(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.advance_hat, unit="fix")
    done = engine.run(slug, c.advance_hat, unit="fix", message="done")
    hats = done.position.active.stage.hats
    assert done.position.active.unit("fix").hat == next_hat(hats, hats[0])
    back = engine.run(slug, c.reject_hat, unit="fix", message="not yet")
    assert back.position.active.unit("fix").hat == hat_before(hats, hats[1])


# ------------------------------------------------------------------ missing sign-offs, movable units


def test_missing_signoffs_follow_the_phase(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.add_unit, title="Fix", unit="fix")
    assert engine.position(slug).active.missing_signoffs == ()  # elaborate: no review open
    engine.run(slug, c.declare_ready)
    review = engine.position(slug).active
    assert review.phase == "review"
    assert review.missing_signoffs == review.missing_review == (("fix", "correctness"),)
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    execute = engine.position(slug).active
    assert execute.phase == "execute"
    assert execute.missing_approval and execute.missing_signoffs == ()  # approval waits for execute


def test_movable_units_are_the_active_and_ready_ones_in_execute_only(engine):
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("a", ()), ("b", ("a",)), ("c", ())])
    engine.run(slug, c.advance_hat, unit="a")
    stage = engine.position(slug).active
    assert {u.unit.slug: u.status for u in stage.units} == {"a": "active", "b": "waiting", "c": "ready"}
    assert [u.unit.slug for u in stage.movable] == ["a", "c"]
    assert [u.unit.slug for u in stage.units if u.can_move] == ["a", "c"]
    assert stage.unit("b") is not None and not stage.unit("b").can_move

    slug = new_incident(engine, upto="resolve", slug="other")
    engine.run(slug, c.add_unit, title="Fix", unit="fix")
    elaborate = engine.position(slug).active
    assert elaborate.units[0].can_move and elaborate.movable == ()  # ready, but nothing moves before execute


# ------------------------------------------------------------------ finding references


@pytest.mark.parametrize("text", ["FB-007", "fb-7", "FB7", "007", "7", " fb-0007 "])
def test_a_finding_reference_is_read_however_it_is_spelt(text):
    assert ref_number(text) == 7


def test_a_bare_number_is_not_a_reference_where_the_prefix_is_wanted():
    assert ref_number("7", bare=False) is None
    assert ref_number("fb7", bare=False) == 7
    assert ref_number("fix-7") is None
    assert finding_ref(7) == "FB-007"


def test_the_position_finds_a_finding_by_any_spelling(engine):
    slug = new_incident(engine, upto="resolve")
    engine.run(slug, c.file_feedback, title="Wrong port", severity="high")
    pos = engine.position(slug)
    assert pos.findings[0].feedback.ref == "FB-001"
    assert {pos.finding(r).feedback.ref for r in ("FB-001", "fb1", "1")} == {"FB-001"}
    assert pos.finding("FB-002") is None
    assert pos.finding("nothing") is None


# ------------------------------------------------------------------ title caps


def test_one_title_cap_for_titles_written_and_titles_cut():
    assert clip_title("x" * MAX_TITLE) == "x" * MAX_TITLE
    long = clip_title("x" * (MAX_TITLE + 40))
    assert len(long) == MAX_TITLE and long.endswith("…")
    assert len(finding_title("body.secrets", "y" * 300)) == MAX_TITLE  # a check's finding title
    assert c.check_title("t" * MAX_TITLE) == "t" * MAX_TITLE
    with pytest.raises(CockpitError, match=f"at most {MAX_TITLE} characters"):
        c.check_title("t" * (MAX_TITLE + 1))  # a person's title over the cap is refused, not cut


# ------------------------------------------------------------------ stage glyphs


def test_the_report_and_the_screen_show_the_same_stage_glyphs(engine):
    from screens.render import stage_walk

    slug = new_incident(engine, upto="investigate")
    pos = engine.position(slug)
    text, walk = report.position_text(pos), stage_walk(pos).plain
    for state in pos.stages:
        mark = f"{STAGE_GLYPHS[state.status]} {state.name}"
        assert mark in text and mark in walk


# ------------------------------------------------------------------ typed dispatch


def test_a_command_named_by_a_string_is_refused_and_writes_nothing(engine):
    slug = new_incident(engine, upto="triage")
    engine.run(slug, c.add_unit, title="Page the owner", unit="page")
    before = engine.timeline(slug)
    with pytest.raises(TypeError, match="not looked up by name"):
        engine.run(slug, "declare_ready")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not looked up by name"):
        call("declare_ready")  # type: ignore[arg-type]
    assert engine.timeline(slug) == before
    assert engine.position(slug).active.phase == "elaborate"


def test_a_bound_call_runs_in_the_engines_one_transaction(engine):
    slug = new_incident(engine, upto="triage")
    bound = call(c.add_unit, title="Page the owner", unit="page")
    assert isinstance(bound, Call) and bound.name == "add_unit"
    done = engine.run(slug, bound)
    assert done.summary == "added unit page to triage"
    assert engine.timeline(slug)[-1]["command"] == "add_unit"
    with pytest.raises(TypeError, match="keyword arguments only"):
        call(c.add_unit, "Page the owner")  # type: ignore[call-arg]


def test_the_backend_takes_a_bound_call_not_a_name(engine):
    from cockpit.app.backend import Backend

    slug = new_incident(engine, upto="triage")
    backend = Backend(engine)
    with pytest.raises(TypeError, match="not looked up by name"):
        backend.run(slug, "add_unit")  # type: ignore[arg-type]
    done, position = backend.run(slug, call(c.add_unit, title="Page the owner", unit="page"))
    assert position.active.unit("page") is not None and done.summary.startswith("added unit page")


def test_a_wrong_keyword_or_a_name_fails_the_type_check(tmp_path):
    """What the dispatch change is for: mypy, not the engineer, finds a misspelt keyword."""
    pytest.importorskip("mypy")
    snippet = tmp_path / "callers.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from cockpit.app.engine import Engine
            from cockpit.domain import commands
            from cockpit.domain.call import call

            def callers(engine: Engine) -> None:
                engine.run("inc", commands.advance_hat, unit="fix", message="handed on")
                call(commands.approve, override="known risk")
                engine.run("inc", commands.advance_hat, unit="fix", mesage="typo")
                call(commands.approve, overide="typo")
                engine.run("inc", "advance_hat")
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir=/dev/null", "--follow-imports=silent", str(snippet)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["9", "10", "11"], result.stdout
    assert '"mesage"' in errors[0] and '"overide"' in errors[1] and '"str"' in errors[2]
