"""Engine rules at the stage level: the intent's own walk (stages, skip_stages), revisiting a stage,
and the external gate's "submitted, awaiting external review" state with its merged-branch signal.

Each test names the haiku-method engine file whose semantics it holds cockpit to."""

from __future__ import annotations

import pytest
from helpers import git, new_incident, repo_with_branch, to_gate

from cockpit.app.demo import complete_stage, sign_all
from cockpit.domain import commands as c
from cockpit.domain.stage_list import check_walk, walked_stages
from cockpit.errors import CockpitError, IllegalTransition, NotFound
from cockpit.sources.git_merge import merged

PR = "https://git.example/org/repo/pull/42"


# ------------------------------------------------------------ the intent's own walk


def test_skipped_stages_are_shown_skipped_and_passed_by(engine):
    """orchestrator/studio.ts resolveIntentStages: the studio's stages minus skip_stages, studio order."""
    engine.create_intent(studio="incident-response", title="Inc", slug="inc", skip_stages=["Investigate", "mitigate"])
    pos = engine.position("inc")
    assert [(s.name, s.status) for s in pos.stages] == [
        ("triage", "active"),
        ("investigate", "skipped"),
        ("mitigate", "skipped"),
        ("resolve", "pending"),
        ("postmortem", "pending"),
    ]
    complete_stage(engine, "inc", "triage", [("declare", "Declare", "", ())])
    assert engine.position("inc").active.name == "resolve"  # straight past the skipped stages


def test_quick_mode_walks_only_the_stages_it_names_in_the_studio_order(engine):
    """orchestrator/studio.ts resolveIntentStages (an explicit `stages` list is an allow-list kept in
    the studio's order) and tools/orchestrator/haiku_select_stage.ts (names matched case-insensitively)."""
    engine.create_intent(studio="incident-response", title="Inc", slug="q", stages=["POSTMORTEM", "triage"])
    intent = engine.position("q").facts.intent
    assert intent.stages == ("triage", "postmortem")  # stored as the studio spells them, in its order
    walked = [s.name for s in engine.position("q").stages if s.status != "skipped"]
    assert walked == ["triage", "postmortem"]
    complete_stage(engine, "q", "triage", [("declare", "Declare", "", ())])
    assert engine.position("q").active.name == "postmortem"


def test_unknown_stage_names_and_an_empty_walk_are_refused(catalog):
    """haiku_select_stage.ts refuses a stage the studio lacks, naming the available ones."""
    studio = catalog.get("incident-response")
    with pytest.raises(CockpitError, match=r"no stage 'triag'.*triage, investigate, mitigate, resolve, postmortem"):
        check_walk(studio, ["triag"])
    with pytest.raises(CockpitError, match="no stage left"):
        check_walk(studio, ["triage"], ["triage"])
    with pytest.raises(CockpitError, match="no stage left"):
        check_walk(studio, None, list(studio.stage_names))
    assert check_walk(studio, [], ["resolve"]) == (None, ("resolve",))  # an empty list: the whole walk


def test_the_walk_is_stored_and_read_back(engine, catalog):
    engine.create_intent(
        studio="incident-response", title="Inc", slug="inc", stages=["triage", "resolve"], skip_stages=["resolve"]
    )
    intent = engine.store.intent("inc")
    assert (intent.stages, intent.skip_stages) == (("triage", "resolve"), ("resolve",))
    assert walked_stages(catalog.get("incident-response"), intent) == ("triage",)


def test_a_skipped_stage_takes_no_finding_and_no_revisit(engine):
    engine.create_intent(studio="incident-response", title="Inc", slug="inc", skip_stages=["investigate"])
    complete_stage(engine, "inc", "triage", [("declare", "Declare", "", ())])
    with pytest.raises(IllegalTransition, match="skipped"):
        engine.run("inc", c.file_feedback, title="Gap", stage="investigate", severity="low")
    with pytest.raises(IllegalTransition, match="skipped"):
        engine.run("inc", c.revisit, stage="investigate", reason="missed the logs")


# ------------------------------------------------------------ revisit


def test_revisiting_the_active_stage_keeps_units_and_restarts_review_and_gate(engine):
    """orchestrator/revisit.ts revisitCurrentStage: phase back to elaborate, the pre-execute review and
    the gate reset, units NOT reset (completed work stays completed)."""
    slug = new_incident(engine, upto="resolve")
    to_gate(engine, slug)
    assert engine.run(slug, c.revisit, stage="resolve", reason="the fix misses the retry path").position
    resolve = engine.position(slug).stage("resolve")
    assert (resolve.status, resolve.phase) == ("active", "elaborate")
    assert [u.status for u in resolve.units] == ["done"]  # the unit and its baton are kept
    assert resolve.reopened == "sent back to elaborate: the fix misses the retry path"
    engine.run(slug, c.declare_ready)
    resolve = engine.position(slug).stage("resolve")
    assert resolve.phase == "review" and resolve.missing_review  # the earlier sign-offs no longer count
    sign_all(engine, slug)
    assert engine.position(slug).stage("resolve").phase == "approve"  # execute: its unit is still done
    sign_all(engine, slug)
    gate = engine.position(slug).stage("resolve").gate
    assert engine.position(slug).stage("resolve").phase == "gate" and not gate.approved


def test_revisiting_an_earlier_stage_walks_every_later_stage_again(engine):
    """orchestrator/revisit.ts revisitEarlierStage + markDownstreamStagesStale: the target goes back
    to elaborate and every stage after it is reset too, their units kept."""
    slug = new_incident(engine, upto="resolve")
    done = engine.run(slug, c.revisit, stage="investigate", reason="the root cause names the wrong CA")
    assert "sent investigate back to elaborate (it was complete)" in done.summary  # not "in complete"
    assert "mitigate, resolve will be walked again" in done.summary
    pos = engine.position(slug)
    assert pos.active.name == "investigate" and pos.active.phase == "elaborate"
    assert pos.stage("mitigate").status == "pending" and pos.stage("mitigate").units  # units kept
    assert pos.stage("triage").status == "complete"  # before the target: untouched
    with pytest.raises(IllegalTransition, match="paused"):
        engine.run(slug, c.add_unit, title="Later", stage="mitigate")
    engine.run(slug, c.declare_ready)
    sign_all(engine, slug)
    sign_all(engine, slug)
    assert engine.position(slug).stage("investigate").status == "complete"  # an auto gate
    mitigate = engine.position(slug).stage("mitigate")
    assert (mitigate.status, mitigate.phase) == ("active", "elaborate")
    assert "investigate was sent back to elaborate" in mitigate.reopened


def test_a_revisit_restarts_the_fix_loop_budget_of_the_stages_open_findings(engine):
    """orchestrator/revisit.ts resetFixLoopBolts: a human's revisit is a deliberate "try again"."""
    slug = new_incident(engine, upto="resolve")
    to_gate(engine, slug)
    engine.run(slug, c.file_feedback, title="Retry path", severity="high", origin="agent", unit="resolve-work")
    pos = engine.position(slug)
    ref = pos.open_findings[0].feedback.ref
    hats = pos.stage("resolve").stage.fix_hats
    engine.run(slug, c.advance_fix, ref=ref)
    for n in range(3):  # three send-backs, by alternating hats: the agent cap
        engine.run(slug, c.advance_fix, ref=ref, message="ok")
        engine.run(slug, c.reject_fix, ref=ref, reason=f"not yet {n}")
    assert engine.position(slug).finding(ref).status == "escalated", hats
    engine.run(slug, c.revisit, stage="resolve", reason="rethink the fix")
    assert engine.position(slug).finding(ref).status == "fixing"


@pytest.mark.parametrize(
    ("stage", "reason", "error", "message"),
    [
        ("postmortem", "x", IllegalTransition, "comes after the active stage resolve"),
        ("resolve", "x", IllegalTransition, "already in elaborate"),
        ("mitigate", "  ", CockpitError, "reason for the revisit is required"),
        ("nowhere", "x", NotFound, "no stage 'nowhere'"),
    ],
)
def test_revisits_that_are_refused(engine, stage, reason, error, message):
    """orchestrator/revisit.ts revisit: a stage ahead of the active one cannot be revisited."""
    slug = new_incident(engine, upto="resolve")
    with pytest.raises(error, match=message):
        engine.run(slug, c.revisit, stage=stage, reason=reason)


def test_a_complete_intent_can_be_revisited(engine):
    """orchestrator/revisit.ts uncompleteIntent: a revisit revives a completed intent."""
    slug = new_incident(engine)
    assert engine.position(slug).complete
    engine.run(slug, c.revisit, stage="postmortem", reason="action items lack owners")
    assert engine.position(slug).active.name == "postmortem"


# ------------------------------------------------------------ submitted, awaiting external review


def test_a_submitted_external_gate_waits_on_its_reviewer_with_the_url(engine):
    """plugin/providers/git.md (External Gate Signal Detection) and haiku_await_gate's
    external_review_requested → awaiting_external_review: the gate waits on the outside review."""
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    done = engine.run(slug, c.submit, url=PR, branch="haiku/inc/postmortem")
    assert "submitted the postmortem gate for external review (external)" in done.summary
    gate = engine.position(slug).active.gate
    assert gate.submission is not None and (gate.submission.url, gate.submission.branch) == (PR, "haiku/inc/postmortem")
    assert not gate.approved
    nxt = engine.position(slug).next.text
    assert "awaiting external review at " + PR in nxt and "merging haiku/inc/postmortem approves it" in nxt
    engine.run(slug, c.approve, external_url=PR)
    assert engine.position(slug).complete


def test_changes_requested_on_a_submission_clear_it(engine):
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    engine.run(slug, c.submit, url=PR)
    engine.run(slug, c.request_changes, title="Timeline misses 02:08", external_url=PR, severity="low")
    assert engine.position(slug).active.gate.submission is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "see the PR"}, "not the URL of a decision"),
        ({"url": PR, "branch": "-delete"}, "not a branch name"),
        ({"url": PR, "branch": "a..b"}, "not a branch name"),
    ],
)
def test_submissions_that_are_refused(engine, kwargs, message):
    """commands/gates.py decision_url: the URL is the gate's evidence; a branch goes to git as one argument."""
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    with pytest.raises(CockpitError, match=message):
        engine.run(slug, c.submit, **kwargs)


def test_an_ask_gate_takes_no_submission_and_blockers_come_first(engine):
    slug = new_incident(engine, upto="resolve")
    to_gate(engine, slug)
    with pytest.raises(IllegalTransition, match="takes no external review"):
        engine.run(slug, c.submit, url=PR)
    slug = new_incident(engine, upto="postmortem", slug="pm")
    to_gate(engine, slug)
    engine.run(slug, c.file_feedback, title="Owner missing", severity="blocker", unit="postmortem-work")
    with pytest.raises(IllegalTransition, match="blocking feedback"):
        engine.run(slug, c.submit, url=PR)


# ------------------------------------------------------------ a merged branch approves it (real git)


@pytest.fixture
def repo(tmp_path):
    root = repo_with_branch(tmp_path / "repo", "haiku/inc/postmortem")
    (root / "c").write_text("c")
    git(root, "add", "c")
    git(root, "commit", "-q", "-m", "meanwhile")
    return root


def test_git_says_whether_the_submitted_branch_is_merged(repo):
    """plugin/providers/git.md tier 1: `git merge-base --is-ancestor` on the stage's branch."""
    assert merged(repo, "haiku/inc/postmortem") is None
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge postmortem", "haiku/inc/postmortem")
    found = merged(repo, "haiku/inc/postmortem")
    assert found is not None and found.into == "main"
    assert found.commit == git(repo, "rev-parse", "HEAD")  # the merge commit, not the branch tip
    with pytest.raises(CockpitError, match="no branch 'nope'"):
        merged(repo, "nope")
    with pytest.raises(CockpitError, match="not a git repository"):
        merged(repo.parent, "main")


def test_a_merged_branch_approves_the_submitted_gate(engine, repo):
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    engine.run(slug, c.submit, url=PR, branch="haiku/inc/postmortem")
    with pytest.raises(IllegalTransition, match="names branch haiku/inc/postmortem, not other"):
        engine.run(slug, c.approve_merged, branch="other", into="main", commit="abcdef1")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge postmortem", "haiku/inc/postmortem")
    found = merged(repo, "haiku/inc/postmortem")
    done = engine.run(slug, c.approve_merged, branch=found.branch, into=found.into, commit=found.commit)
    assert f"merged haiku/inc/postmortem into main at {found.commit}" in done.summary
    assert done.position.complete
    approval = done.position.stage("postmortem").gate.approval
    assert (approval.path, approval.url) == ("external", PR)
    event = engine.timeline(slug)[-1]
    assert event["data"]["merged"]["commit"] == found.commit


def test_an_external_gate_names_submitting_for_review_as_its_next_step(engine):
    """Review of issue 14: the next step at an external gate said only 'record the external
    decision'; submitting it for review (then waiting) is the usual first move."""
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    text = engine.position(slug).next.text
    assert "submit it for external review with the review's URL" in text and "record the external decision" in text
