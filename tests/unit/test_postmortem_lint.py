"""`cockpit postmortem lint` and the postmortem stage's checks (issue 16): each rule with a failing
and a passing case, on documents in any of the three layouts."""

from __future__ import annotations

import pytest
from helpers import CHECK_FIXTURES, NOW

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.app.postmortem import lint
from cockpit.checks.base import CheckContext
from cockpit.checks.registry import POSTMORTEM_CHECKS, get
from cockpit.clock import fixed_clock
from cockpit.store.database import Store

GOOD = (CHECK_FIXTURES / "postmortem" / "pass.md").read_text()  # also the walk tests' postmortem body


def run(check: str, text: str):
    return get(check).run(text, CheckContext())


def failing(check: str, text: str) -> list[str]:
    result = run(check, text)
    assert result.failed, result
    return [p.message for p in result.problems]


def test_a_complete_postmortem_passes_every_rule():
    assert [r.status for r in lint(GOOD)] == ["pass"] * len(POSTMORTEM_CHECKS)


def test_sections_every_required_part_and_the_layouts_names_for_it():
    messages = failing(
        "postmortem.sections", GOOD.replace("## Lessons learned", "## Notes").replace("## Impact", "## Effect")
    )
    assert messages == ["no `## Impact` section", "no `## Lessons learned` section (or `how we did`, `learnings`)"]
    empty = GOOD.replace("Pinned the previous intermediate.\n", "")
    assert failing("postmortem.sections", empty) == ["`## Resolution` is empty"]
    other = (
        GOOD.replace("## Summary", "## Overview")
        .replace("## Root causes", "## Contributors")
        .replace("## Resolution", "## Mitigators")
        .replace("## Action items", "## Follow-ups")
        .replace("## Lessons learned", "## Learnings and risks")
    )
    assert run("postmortem.sections", other).status == "pass"  # incident.io's names


def test_timeline_in_utc_and_in_order():
    assert run("postmortem.timeline", GOOD).status == "pass"
    shuffled = GOOD.replace("2026-11-20 03:02", "2026-11-20 01:02")
    assert failing("postmortem.timeline", shuffled)[0].startswith("timeline out of order")
    local = (
        GOOD.replace("## Timeline (UTC)", "## Timeline")
        .replace("| Time (UTC) |", "| Time |")
        .replace("2026-11-20 02:10", "2026-11-20 03:10 CET")
    )
    messages = failing("postmortem.timeline", local)
    assert messages[0].startswith("timeline entry in CET, not UTC")
    assert messages[1].startswith("timeline entry without a zone")
    listed = "## Timeline\n- 02:10 UTC first errors\n- 03:02Z back to baseline\n"
    assert run("postmortem.timeline", listed).status == "pass"  # list items with their zone
    assert failing("postmortem.timeline", "## Timeline\n- first errors\n")[0].startswith(
        "timeline entry without a time"
    )


def test_every_action_item_has_an_owner_and_a_due_date():
    assert run("postmortem.action-items", GOOD).status == "pass"
    unowned = GOOD.replace("| checkout team | 2026-11-27 |", "| — | next week |")
    assert failing("postmortem.action-items", unowned) == [
        "action item without an owner: 'Truststore at deploy time'",
        "action item without a due date (YYYY-MM-DD): 'Truststore at deploy time'",
    ]
    no_columns = GOOD.replace("| Action | Owner | Due | Tracker |", "| Action | Who | When | Tracker |")
    assert failing("postmortem.action-items", no_columns) == ["the action items table needs Owner and Due columns"]
    listed = "## Action items\n- Truststore at deploy time (owner: checkout team, due: 2026-11-27)\n"
    assert run("postmortem.action-items", listed).status == "pass"
    assert failing("postmortem.action-items", "## Action items\n- Truststore at deploy time\n") == [
        "action item without an owner: 'Truststore at deploy time'",
        "action item without a due date (YYYY-MM-DD): 'Truststore at deploy time'",
    ]
    assert failing("postmortem.action-items", "## Action items\nNone yet.\n") == [
        "no action items: name each with an owner and a due date"
    ]


def test_impact_is_quantified():
    assert run("postmortem.impact", GOOD).status == "pass"
    vague = GOOD.replace("38% of checkout requests failed for 52 minutes.", "Many checkouts failed for a while.")
    assert failing("postmortem.impact", vague)[0].startswith("the impact is not quantified")
    assert run("postmortem.impact", "## Impact\n4,100 failed checkouts.\n").status == "pass"


def test_the_postmortem_stage_runs_the_checks(catalog):
    stage = catalog.get("incident-response").stage("postmortem")
    assert set(POSTMORTEM_CHECKS) <= set(stage.checks)


@pytest.fixture
def demo_engine(catalog, tmp_path) -> Engine:
    engine = Engine(Store(tmp_path / "l.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    return engine


def test_the_cli_lints_the_demo_postmortem_and_a_file(cli, tmp_path):
    from cockpit.cli.main import main

    db = tmp_path / "c.db"
    engine = Engine(
        Store(db),
        __import__("cockpit.sources.studios", fromlist=["x"]).load_catalog(),
        clock=fixed_clock(NOW),
        actor="oncall",
    )
    demo.seed(engine)
    engine.store.close()
    assert main(["postmortem", "lint", demo.INCIDENT, "--db", str(db)]) == 0
    bad = tmp_path / "pm.md"
    bad.write_text(GOOD.replace("38% of checkout requests failed for 52 minutes.", "Some failed."))
    assert main(["postmortem", "lint", demo.INCIDENT, "--db", str(db), "--file", str(bad)]) == 1
