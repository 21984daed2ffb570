"""A runbook step run as evidence (issue 16): one timeline event and its `runs` row in one
transaction, variables asked once per intent and remembered (never secrets), the library's last
run, read-only refusal, and a run on no intent."""

from __future__ import annotations

import json

import pytest
from helpers import new_incident

from cockpit.app.steps import last_run_text, last_runs, plan_step, run_of_event, run_planned
from cockpit.clock import parse_iso
from cockpit.domain.steps import StepRefused
from cockpit.runbooks.index import index_library
from cockpit.store.runs import intent_vars, runs_of_intent

RUNBOOK = """\
# Orders API

## Look

```sh
echo "pods in $NAMESPACE"; echo 'password=hunter2hunter2'
```

## Bounce

```sh
kubectl delete pod $POD
```
"""


@pytest.fixture
def library(engine, tmp_path):
    folder = tmp_path / "rb"
    folder.mkdir()
    (folder / "orders.md").write_text(RUNBOOK)
    (folder / "quiet.md").write_text("# Quiet\n\n```sh\necho hi\n```\n")
    index_library(engine.store, [folder], clock=engine.clock)
    return engine


def test_a_run_on_an_intent_is_one_event_and_its_row(library, tmp_path):
    engine = library
    slug = new_incident(engine, "investigate")
    plan = plan_step(engine, "orders", 1, slug=slug, cwd=str(tmp_path), environ={})
    assert plan.missing == ("NAMESPACE",) and plan.step.risk == "read"
    lines: list[str] = []
    recorded = run_planned(engine, plan.given({"NAMESPACE": "prod"}), on_line=lines.append)
    assert lines == ["pods in prod", "password=[SECRET_1]"]
    assert recorded.run.exit_code == 0 and recorded.event_id is not None
    event = engine.timeline(slug)[-1]
    assert event["id"] == recorded.event_id and event["command"] == "runbook_run" and event["actor"] == "tester"
    data = json.loads(event["data"]) if isinstance(event["data"], str) else event["data"]
    assert data["runbook"] == "orders" and data["block"] == 1 and data["exit_code"] == 0
    assert data["output_in"] == "runs" and "hunter2" not in json.dumps(data)
    assert event["message"].startswith("ran orders#1 (read): exit 0 in ")
    run = run_of_event(engine, recorded.event_id)
    assert run is not None and run.slug == slug and run.output == "pods in prod\npassword=[SECRET_1]\n"
    with engine.store.snapshot():
        rows = runs_of_intent(engine.store.conn, engine.store.intent(slug).id)
    assert [r.event_id for r in rows] == [recorded.event_id]
    assert rows[0].cwd == str(tmp_path) and rows[0].outcome == "exited" and rows[0].risk == "read"


def test_variables_are_asked_once_per_intent_and_secrets_never_kept(library, tmp_path):
    engine = library
    slug = new_incident(engine, "investigate")
    plan = plan_step(engine, "orders", 1, slug=slug, cwd=str(tmp_path), environ={})
    recorded = run_planned(engine, plan.given({"NAMESPACE": "prod"}))
    assert recorded.remembered == ("NAMESPACE",)
    again = plan_step(engine, "orders", 1, slug=slug, cwd=str(tmp_path), environ={})
    assert again.missing == () and again.values == {"NAMESPACE": "prod"}
    assert again.variables[0].source == f"remembered for {slug}"
    secret = plan_step(engine, "orders", 2, slug=slug, cwd=str(tmp_path), environ={})
    token = "ghp_" + "a1B2" * 9
    assert secret.given({"POD": token}).confirmation.expected == (token, "orders#2")
    run_planned(engine, plan.given({"NAMESPACE": token}))
    with engine.store.snapshot():
        kept = intent_vars(engine.store.conn, engine.store.intent(slug).id)
    assert kept == {"NAMESPACE": "prod"}  # the secret-looking value was used, not remembered
    assert token not in json.dumps(engine.timeline(slug))


def test_the_library_shows_each_runbooks_last_run_and_the_never_run(library, tmp_path):
    engine = library
    slug = new_incident(engine, "investigate")
    run_planned(engine, plan_step(engine, "orders", 1, slug=slug, cwd=str(tmp_path), given={"NAMESPACE": "x"}))
    last = last_runs(engine)
    assert set(last) == {"orders"}
    later = parse_iso(last["orders"].started_at).replace(day=parse_iso(last["orders"].started_at).day + 3)
    assert last_run_text(last["orders"], later) == "ran 3 d ago, exit 0"
    assert last_run_text(last.get("quiet"), later) == "never run"


def test_a_run_on_no_intent_is_a_row_alone(library, tmp_path):
    engine = library
    recorded = run_planned(engine, plan_step(engine, "quiet", cwd=str(tmp_path)))
    assert recorded.event_id is None and "no intent" in recorded.summary
    assert last_runs(engine)["quiet"].slug is None


def test_nothing_runs_in_read_only_mode(library, tmp_path):
    engine = library
    (tmp_path / "rb" / "quiet.md").write_text("# Quiet\n\n```sh\ntouch ran\n```\n")
    index_library(engine.store, [tmp_path / "rb"], clock=engine.clock)
    plan = plan_step(engine, "quiet", cwd=str(tmp_path))
    marker = tmp_path / "ran"
    engine.store.read_only = True
    try:
        refused = plan_step(engine, "quiet", cwd=str(tmp_path))
        assert refused.refusal and "read-only" in refused.refusal
        assert "refused: read-only" in refused.dry_run()[-1]
        with pytest.raises(StepRefused, match="read-only"):
            run_planned(engine, plan)  # even a plan made before: the runner's door checks again
    finally:
        engine.store.read_only = False
    assert not marker.exists()


def test_a_block_must_be_chosen_when_several_run(library, tmp_path):
    with pytest.raises(Exception, match="has 2 shell blocks: choose one with --block N"):
        plan_step(library, "orders", cwd=str(tmp_path))
    with pytest.raises(Exception, match="has no block 3"):
        plan_step(library, "orders", 3, cwd=str(tmp_path))


def test_the_guard_is_held_for_the_database_not_while_the_step_runs(engine, library):
    """The app's backend lock (the guard) serialises the engine's connection: held while a run is
    recorded, released while the step runs, so a minutes-long step never freezes the screen's reads
    (review of issue 16: the worker used the engine without the lock at all)."""
    slug = new_incident(engine, upto="resolve")

    class Guard:
        held = False
        entered = 0

        def __enter__(self):
            Guard.held, Guard.entered = True, Guard.entered + 1

        def __exit__(self, *exc):
            Guard.held = False

    seen: list[bool] = []
    plan = plan_step(engine, "quiet", 1, slug=slug)
    recorded = run_planned(engine, plan, on_line=lambda _line: seen.append(Guard.held), guard=Guard())
    assert seen == [False] and Guard.entered == 1 and not Guard.held
    assert recorded.event_id is not None
