"""Runbook lint: every rule has a case that trips it and one that does not; the samples pass."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.clock import fixed_clock
from cockpit.errors import CockpitError, NotFound
from cockpit.runbooks.doc import parse_runbook
from cockpit.runbooks.generate import long_runbook
from cockpit.runbooks.index import bundled_runbooks_dir, index_library
from cockpit.runbooks.lint import ERROR, WARNING, check_runbook, has_errors, lint_folder, lint_library, lint_runbook
from cockpit.runbooks.shapes import detect_shape, entries, kind_of
from cockpit.store.database import Store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "runbooks"
CLOCK = fixed_clock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))

SCENARIO = """\
---
shape: scenario
---
# Scenario

## Symptom

Users see errors.

## Diagnostic steps

1. Check the error rate: `curl -s localhost:9090/metrics | grep errors`.

## Remediation

1. Roll back: `kubectl rollout undo deploy/web -n production`.

## Escalation criteria

- If errors persist for 10 minutes, page the web on-call.

## Rollback procedure

1. Redeploy: `kubectl rollout undo deploy/web -n production`.
"""


def lint(text: str, source: str = "/lib/x.md") -> list:
    return lint_runbook(parse_runbook(text, source=source))


def rules(text: str, source: str = "/lib/x.md") -> list[str]:
    return [f.rule for f in lint(text, source)]


def with_section(name: str, body: str) -> str:
    """The clean scenario with one section's body replaced."""
    head, _, rest = SCENARIO.partition(f"## {name}\n")
    _, _, tail = rest.partition("\n## ")
    return f"{head}## {name}\n\n{body}\n\n## {tail}" if tail else f"{head}## {name}\n\n{body}\n"


def test_the_clean_scenario_has_no_findings():
    assert lint(SCENARIO) == []


# ------------------------------------------------------------------ fixtures: good ones pass, each broken one trips its rule


def test_the_good_fixtures_pass():
    assert lint_folder(FIXTURES / "good") == []


@pytest.mark.parametrize(
    "fixture, rule, level, line",
    [
        ("missing-sections", "missing-section", ERROR, 1),
        ("remediation-first", "diagnosis-after-remediation", ERROR, 10),
        ("vague-steps", "step-without-command", WARNING, 12),
        ("vague-escalation", "vague-escalation", ERROR, 20),
        ("placeholders", "placeholder", ERROR, 4),
        ("empty-section", "empty-section", ERROR, 14),
        ("broken-links", "broken-link", ERROR, 6),
    ],
)
def test_each_broken_fixture_trips_its_rule_and_only_it(fixture, rule, level, line):
    findings = [f for f in lint_folder(FIXTURES / "broken") if Path(f.path).stem == fixture]
    assert {f.rule for f in findings} == {rule}
    assert findings[0].level == level and findings[0].line == line
    assert findings[0].path.endswith(f"broken/{fixture}.md")


def test_the_bundled_samples_pass_their_own_lint():
    assert lint_folder(bundled_runbooks_dir()) == []


def test_the_long_generated_runbook_is_clean_and_long():
    text = long_runbook(2000)
    assert len(text.splitlines()) >= 2000
    assert lint(text) == []


# ------------------------------------------------------------------ missing sections and shapes


def test_missing_section_names_the_shape_and_the_heading():
    findings = lint(SCENARIO.replace("## Rollback procedure", "## Afterwards"))
    assert [(f.rule, f.line) for f in findings] == [("missing-section", 4)]
    assert "'Rollback procedure' section (failure-scenario entry shape, declared)" in findings[0].message


def test_headings_match_tolerantly():
    assert (
        kind_of("Diagnosis") == kind_of("Diagnostic steps") == kind_of("3. Initial triage (5 minutes)") == "diagnosis"
    )
    assert kind_of("MITIGATIONS (in order of reversibility)") == kind_of("Remediation steps") == "remediation"
    assert kind_of("Post-mortem") == kind_of("Postmortem checklist") == "postmortem"
    assert kind_of("Roll back") == kind_of("Rollback procedure") == "rollback"
    assert kind_of("Verify the fix worked") is None and kind_of("Background") is None
    tolerant = (
        SCENARIO.replace("## Diagnostic steps", "## DIAGNOSIS")
        .replace("## Escalation criteria", "## When to escalate")
        .replace("## Symptom\n", "## Symptoms\n")
    )
    assert lint(tolerant) == []


def test_shape_is_detected_when_not_declared():
    undeclared = SCENARIO.split("---\n", 2)[2]
    assert detect_shape(parse_runbook(undeclared)) == "scenario" and lint(undeclared) == []
    alert = (FIXTURES / "good" / "queue-backlog.md").read_text()
    assert detect_shape(parse_runbook(alert)) == "alert"


def test_reference_documents_skip_the_shape_rules_and_unknown_shapes_are_errors():
    assert lint("---\nshape: reference\n---\n# Glossary\n\nPDB: pod disruption budget.\n") == []
    assert "unknown-shape" in rules("---\nshape: novel\n---\n# X\n\nText.\n")


def test_bad_frontmatter_is_a_finding():
    assert "frontmatter" in rules("---\nshape: [unclosed\n---\n" + SCENARIO.split("---\n", 2)[2])


def test_each_alert_in_a_file_is_checked_on_its_own():
    text = (FIXTURES / "good" / "queue-backlog.md").read_text()
    second = "\n## Runbook: Other\n\n### What this alert means\n\nText.\n\n### Initial triage\n\n1. Check: `true`.\n"
    doc = parse_runbook(text + second, source="/lib/x.md")
    assert [e.parent.text for e in entries(doc)] == ["Runbook: OrdersQueueBacklog", "Runbook: Other"]
    missing = [f for f in lint_runbook(doc) if f.rule == "missing-section"]
    assert {f.line for f in missing} == {doc.headings[-3].line} and len(missing) == 4


# ------------------------------------------------------------------ diagnosis before remediation


def test_remediation_after_diagnosis_passes_and_before_fails():
    assert "diagnosis-after-remediation" not in rules(SCENARIO)
    swapped = (
        SCENARIO.replace("## Diagnostic steps", "## TMP")
        .replace("## Remediation", "## Diagnostic steps")
        .replace("## TMP", "## Remediation")
    )
    assert "diagnosis-after-remediation" in rules(swapped)


# ------------------------------------------------------------------ steps without a command


@pytest.mark.parametrize(
    "step",
    [
        "1. Restart the service.",
        "1. **Roll back** the last deploy.",
        "- [ ] Check the logs for errors.",
    ],
)
def test_a_vague_action_step_warns(step):
    findings = [f for f in lint(with_section("Remediation", step)) if f.rule == "step-without-command"]
    assert findings and findings[0].level == WARNING


@pytest.mark.parametrize(
    "step",
    [
        "1. Restart the service: `kubectl rollout restart deploy/web -n production`.",
        "1. Restart the service:\n\n   ```sh\n   systemctl restart web\n   ```",
        "1. Restart the service:\n\n```sh\nsystemctl restart web\n```",
        "1. Check the [web dashboard](https://grafana.internal/d/web).",
        "1. Restart the pods:\n   - first the canary: `kubectl delete pod web-canary-0`\n   - then the rest: `kubectl rollout restart deploy/web`",
        "1. The service restarts on its own within a minute.",  # not an instruction
    ],
)
def test_a_concrete_or_non_action_step_passes(step):
    assert "step-without-command" not in rules(with_section("Remediation", step))


def test_steps_outside_action_sections_are_not_judged():
    assert "step-without-command" not in rules(SCENARIO + "\n## Notes\n\n1. Restart the service.\n")


# ------------------------------------------------------------------ escalation


@pytest.mark.parametrize(
    "line, missing",
    [
        ("- Escalate if needed.", "no one to page"),
        ("- Page the database on-call.", "no condition"),
        ("- Escalate.", "no condition (if/when/after …) and no one to page"),
    ],
)
def test_vague_escalation_fails(line, missing):
    findings = [f for f in lint(with_section("Escalation criteria", line)) if f.rule == "vague-escalation"]
    assert findings and missing in findings[0].message and findings[0].level == ERROR


@pytest.mark.parametrize(
    "body",
    [
        "- If error rate exceeds 5% after restart, page the database on-call.",
        "- When replication lag is above 30 s, call @dba-oncall.",
        "- Page the incident commander if:\n  - more than 20% of checkouts fail\n  - or it lasts 15 minutes",
        "Escalate to the payments team lead when the gateway is down for 10 minutes.",  # prose, no list
    ],
)
def test_specific_escalation_passes(body):
    assert "vague-escalation" not in rules(with_section("Escalation criteria", body))


def test_escalation_prose_without_a_condition_fails():
    assert "vague-escalation" in rules(with_section("Escalation criteria", "Ask someone for help."))


# ------------------------------------------------------------------ placeholders


@pytest.mark.parametrize(
    "text",
    [
        "Users see errors. TODO: add the dashboard.",
        "Users see errors on <dashboard>.",
        "Users see <alert name> firing.",
        "Owner: TBD",
        "<!-- FIXME: wording -->Users see errors.",
    ],
)
def test_placeholders_fail(text):
    assert "placeholder" in rules(with_section("Symptom", text))


@pytest.mark.parametrize(
    "text",
    [
        "Users see errors.<br/>Latency < 200ms is normal; p99 > 2 s is not.",
        "See <https://status.example.com> or mail <oncall@example.com>.",
        "Run `grep TODO src/` and `kubectl logs <pod>` for details.",  # inline code is literal
        "<details><summary>More</summary>Users see errors.</details>",
        "Users see errors.\n\n```sh\npsql orders < restore.sql\ncat <<EOF > /tmp/x\nEOF\nkubectl get pods -n <namespace>\n```",
        "Todo lists and tbd-style words in lower case are fine.",
    ],
)
def test_non_placeholders_pass(text):
    assert "placeholder" not in rules(with_section("Symptom", text))


def test_a_todo_comment_inside_code_is_a_placeholder():
    text = with_section(
        "Remediation", "1. Roll back:\n\n```sh\n# TODO: pick the revision\nkubectl rollout undo deploy/web\n```"
    )
    findings = [f for f in lint(text) if f.rule == "placeholder"]
    assert findings and "code block" in findings[0].message


# ------------------------------------------------------------------ empty sections


def test_empty_section_fails_and_a_parent_of_subsections_passes():
    assert "empty-section" in rules(with_section("Symptom", "<!-- to be written -->"))
    parent = with_section("Symptom", "### From the dashboard\n\nErrors rise.")
    assert "empty-section" not in rules(parent)


def test_an_empty_last_section_fails():
    assert [f.line for f in lint(SCENARIO + "\n## Notes\n") if f.rule == "empty-section"] == [26]


# ------------------------------------------------------------------ links


def test_links_to_existing_files_and_headings_pass(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## Steps\n\nText.\n")
    (tmp_path / "image.png").write_bytes(b"png")
    text = (
        SCENARIO
        + "\nSee [other](other.md#steps), [top](#scenario), ![diagram](image.png) and [web](https://example.com/x).\n"
    )
    assert "broken-link" not in rules(text, source=str(tmp_path / "x.md"))


def test_broken_relative_links_fail(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n")
    text = SCENARIO + "\nSee [a](missing.md), [b](other.md#nope) and [c](#nowhere).\n"
    messages = [f.message for f in lint(text, source=str(tmp_path / "x.md")) if f.rule == "broken-link"]
    assert len(messages) == 3
    assert "missing.md does not exist" in messages[0] and "no heading #nope in other.md" in messages[1]


# ------------------------------------------------------------------ folders, the library, and one runbook by name


def test_lint_folder_reports_unreadable_files(tmp_path):
    (tmp_path / "ok.md").write_text(SCENARIO)
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe")
    findings = lint_folder(tmp_path)
    assert [(f.rule, Path(f.path).name) for f in findings] == [("unreadable", "bad.md")]
    with pytest.raises(CockpitError, match="not a folder"):
        lint_folder(tmp_path / "nope")


def test_lint_library_and_check_runbook_by_name(tmp_path):
    store = Store(tmp_path / "c.db")
    index_library(store, [FIXTURES / "good", FIXTURES / "broken"], clock=CLOCK)
    findings = lint_library(store)
    assert {Path(f.path).parent.name for f in findings} == {"broken"}
    assert check_runbook(store, "queue-backlog") == [] and not has_errors([])
    assert has_errors(check_runbook(store, "empty-section"))
    assert not has_errors(check_runbook(store, "vague-steps"))  # warnings only
    with pytest.raises(NotFound, match="did you mean: queue-backlog"):
        check_runbook(store, "queue-backlg")
