"""`cockpit feedback show` and the body in `feedback list --json`."""

from __future__ import annotations

import json

import pytest


def incident_with_a_finding(cli) -> None:
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("feedback", "add", "inc", "--title", "Probe too coarse", "--body", "It polls\nevery 5 min", "--origin", "agent",
        "--severity", "high")  # fmt: skip
    cli("feedback", "classify", "inc", "FB-001", "--severity", "blocker")
    cli("feedback", "advance", "inc", "FB-001", "-m", "route to engineer")
    cli("feedback", "advance", "inc", "FB-001", "-m", "interval 30 s")
    cli("feedback", "send-back", "inc", "FB-001", "--reason", "still 5 min in prod")


def test_feedback_show_prints_the_body_history_and_fix_loop(cli):
    incident_with_a_finding(cli)
    code, out, err = cli("feedback", "show", "inc", "fb1")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "FB-001  ■ blocker, blocks the gate  fixing  Probe too coarse"
    assert "  It polls" in lines and "  every 5 min" in lines
    assert any(line.endswith("filed by oncall") and " high " in line for line in lines)
    assert any(line.endswith("classified by oncall") and " blocker " in line for line in lines)
    assert any("bolt 1  feedback-assessor" in line and "sent back to incident-commander: still 5 min in prod" in line
               for line in lines)  # fmt: skip
    assert lines[-1].startswith("  bolt 2  incident-commander") and lines[-1].endswith("holds it now")


def test_feedback_show_json_carries_everything(cli):
    incident_with_a_finding(cli)
    code, out, _ = cli("feedback", "show", "inc", "FB-001", "--json")
    data = json.loads(out)["feedback"]
    assert code == 0
    assert (data["id"], data["body"], data["author_type"], data["severity"], data["bolt"]) == (
        "FB-001",
        "It polls\nevery 5 min",
        "agent",
        "blocker",
        2,
    )
    assert [(h["severity"], h["how"], h["by"]) for h in data["severity_history"]] == [
        ("high", "filed", "oncall"),
        ("blocker", "classified", "oncall"),
    ]
    assert [(s["bolt"], s["hat"], s["outcome"], s["to"]) for s in data["fix_loop"]] == [
        (1, "classifier", "handed_on", "incident-commander"),
        (1, "incident-commander", "handed_on", "feedback-assessor"),
        (1, "feedback-assessor", "sent_back", "incident-commander"),
        (2, "incident-commander", "holding", None),
    ]
    assert (data["escalated_because"], data["closure"]) == (None, None)


def test_feedback_show_tells_the_closure_and_a_missing_finding_fails(cli):
    incident_with_a_finding(cli)
    cli("feedback", "reject", "inc", "FB-001", "--reason", "duplicate")
    code, out, _ = cli("feedback", "show", "inc", "FB-001")
    assert code == 0 and "closure: rejected" in out and out.rstrip().endswith("  duplicate")
    code, out, err = cli("feedback", "show", "inc", "FB-042")
    assert (code, out) == (1, "") and "no finding 'FB-042'" in err


def test_feedback_list_json_carries_each_body(cli):
    incident_with_a_finding(cli)
    _, out, _ = cli("feedback", "list", "inc", "--json")
    assert [f["body"] for f in json.loads(out)["feedback"]] == ["It polls\nevery 5 min"]


def test_send_back_on_the_first_fix_hat_is_refused_with_the_reason(cli):
    cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("feedback", "add", "inc", "--title", "t", "--severity", "high")
    code, out, err = cli("feedback", "send-back", "inc", "FB-001", "--reason", "cannot route")
    assert (code, out) == (1, "")
    assert err == (
        "cockpit: FB-001 is with classifier, the first fix hat: there is no hat to send it back to; "
        "hand it on, close it or reject it\n"
    )


def test_request_changes_takes_a_severity(cli, catalog, tmp_path):
    from helpers import new_incident, to_execute

    from cockpit.app.demo import sign_all
    from cockpit.app.engine import Engine
    from cockpit.domain import commands as c
    from cockpit.store.database import Store

    engine = Engine(Store(tmp_path / "c.db"), catalog, actor="oncall")  # the file the cli fixture uses
    new_incident(engine, upto="resolve")
    to_execute(engine, "inc", [("work", ())])
    for _ in range(len(engine.position("inc").active.stage.hats) + 1):
        engine.run("inc", c.advance_hat, unit="work", message="done")
    sign_all(engine, "inc")
    engine.store.close()
    code, out, _ = cli("request-changes", "inc", "--title", "No rollback", "--severity", "medium")
    assert code == 0 and "filed FB-001 (medium) in resolve" in out
    _, out, _ = cli("feedback", "list", "inc", "--json")
    [finding] = json.loads(out)["feedback"]
    assert (finding["severity"], finding["blocking"]) == ("medium", False)
    with pytest.raises(SystemExit):  # argparse refuses it before anything runs
        cli("request-changes", "inc", "--title", "x", "--severity", "critical")
    code, out, _ = cli("request-changes", "inc", "--title", "Still unclassified by default")
    assert code == 0 and "filed FB-002 (unclassified)" in out
