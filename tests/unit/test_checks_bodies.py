"""Each check on realistic write-ups: the passing bodies pass every check of their stage, and each
failing body fails exactly its own check, naming the section and the line that is wrong."""

from __future__ import annotations

from datetime import UTC

import pytest
from helpers import CHECK_FIXTURES as FX

from cockpit.checks import CHECKS, CheckContext
from cockpit.checks.base import FAIL, PASS, SKIP
from cockpit.runbooks.lookup import LibraryRunbooks, library_lookup, runbook_key
from cockpit.sources.artifacts import read_artifacts

INVESTIGATE = (
    ("redis-counter-loss", (FX / "investigate-root-cause.md").read_text()),
    ("cert-chain-pinning", (FX / "investigate-cert-chain.md").read_text()),
)
OPS_CHECKS = [c for c in CHECKS if c.startswith(("ops.", "body."))]
RESOLVE_CHECKS = [c for c in CHECKS if c.startswith(("resolve.", "body."))] + ["ops.open-questions"]
POSTMORTEM_CHECKS = [c for c in CHECKS if c.startswith(("postmortem.", "body."))]


class Library:
    """A runbook library that knows some names and has lint opinions about some."""

    def __init__(self, names=("service-restart",), lint=None):
        self.names, self.lint = set(names), lint or {}

    def exists(self, name: str) -> bool:
        return runbook_key(name) in self.names

    def lint_errors(self, name: str) -> list[str]:
        return self.lint.get(runbook_key(name), [])


ARTIFACT_ROOT = FX / "operations" / "artifacts"  # the project tree the operations write-ups list files from


def context(runbooks=Library(), **kw) -> CheckContext:
    return CheckContext(
        unit=kw.get("unit", "u"),
        stage=kw.get("stage", "s"),
        siblings=kw.get("siblings", ("u",)),
        upstream=kw.get("upstream", {"investigate": INVESTIGATE}),
        runbooks=runbooks,
        artifacts=kw.get("artifacts"),
    )


def run(check_id: str, body: str, ctx: CheckContext | None = None):
    return CHECKS[check_id].run(body, ctx or context(artifacts=read_artifacts(body, ARTIFACT_ROOT)))


def fixture(name: str) -> str:
    return (FX / name).read_text()


@pytest.mark.parametrize(
    "name, ids",
    [
        ("operations/pass.md", OPS_CHECKS),
        ("operations/pass-forward-fix.md", OPS_CHECKS),
        ("resolve/pass.md", RESOLVE_CHECKS),
        ("resolve/pass-mitigation-stays.md", RESOLVE_CHECKS),
        ("postmortem/pass.md", POSTMORTEM_CHECKS),
    ],
)
def test_a_sound_write_up_passes_every_check_of_its_stage(name, ids):
    body = fixture(name)
    results = {check: run(check, body) for check in ids}
    assert {c: r.summary() for c, r in results.items() if r.status == FAIL} == {}
    assert all(r.status in (PASS, SKIP) for r in results.values())


# fixture → (the check it fails, the section named, a fragment of the line it points at)
FAILING = {
    "operations/fail-sections.md": ("ops.sections", None, "# Roll out invoice-renderer"),
    "operations/fail-single-procedure.md": (
        "ops.single-procedure",
        "Action",
        "or, if the chart repository is unreachable",
    ),
    "operations/fail-postcondition-rows.md": (
        "ops.postcondition-rows",
        "Post-condition checks",
        "| Dashboards | Grafana | looks good |",
    ),
    "operations/fail-rollback.md": ("ops.rollback", "Rollback", "## Rollback"),
    "operations/fail-mutable-tags.md": ("ops.mutable-tags", "Preconditions", "invoice-renderer:latest"),
    "operations/fail-slo-table.md": ("ops.slo-table", "SLOs", "~36h / 30d"),
    "operations/fail-alert-runbooks.md": ("ops.alert-runbooks", "Alerts", "InvoiceRendererCrashLoop"),
    "operations/fail-open-questions.md": (
        "ops.open-questions",
        "Open Questions",
        "Who signs off the Friday change window?",
    ),
    "operations/fail-placeholders.md": ("body.placeholders", "Operational scope", "<region>"),
    "operations/fail-secrets.md": ("body.secrets", "Secrets and configuration", "DATABASE_URL="),
    "operations/fail-artifact-secrets.md": ("ops.artifact-secrets", "Artifacts produced", "values-staging.yaml"),
    "resolve/fail-root-cause.md": (
        "resolve.root-cause",
        "Root cause (from investigate)",
        "A scheduled Redis failover wiped",
    ),
    "resolve/fail-regression-test.md": ("resolve.regression-test", "Regression test", "## Regression test"),
    "resolve/fail-deployment-plan.md": ("resolve.deployment-plan", "Deployment plan", "## Deployment plan"),
    "resolve/fail-mitigation-lift.md": ("resolve.mitigation-lift", "Mitigation lift plan", "## Mitigation lift plan"),
    "resolve/fail-class-search.md": ("resolve.class-search", "Class search", "## Class search"),
    "resolve/fail-open-questions.md": ("ops.open-questions", "Open Questions", "Could the mobile BFF"),
    "resolve/fail-secrets.md": ("body.secrets", "Reproduction", "Authorization: Bearer"),
    "postmortem/fail-sections.md": ("postmortem.sections", None, "# Postmortem: checkout 5xx"),
    "postmortem/fail-timeline.md": ("postmortem.timeline", "Timeline (UTC)", "| 2026-11-20 01:02 |"),
    "postmortem/fail-action-items.md": ("postmortem.action-items", "Action items", "| Truststore at deploy time |"),
    "postmortem/fail-impact.md": ("postmortem.impact", "Impact", "## Impact"),
}


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_flawed_write_up_fails_exactly_its_check_at_the_right_line(name):
    check, section, fragment = FAILING[name]
    body = fixture(name)
    ids = {"operations": OPS_CHECKS, "postmortem": POSTMORTEM_CHECKS}.get(name.split("/")[0], RESOLVE_CHECKS)
    failed = {c: run(c, body) for c in ids if run(c, body).status == FAIL}
    assert list(failed) == [check]
    result = failed[check]
    assert result.severity == CHECKS[check].severity
    first = result.problems[0]
    assert first.section == section
    assert fragment in body.splitlines()[first.line - 1]
    assert f"line {first.line}" in result.summary()


def test_every_registered_check_has_a_failing_fixture():
    assert {check for check, _s, _f in FAILING.values()} == set(CHECKS)


# ------------------------------------------------------------------ operations, case by case


def test_the_error_budget_is_recomputed_from_target_and_window():
    body = fixture("operations/pass.md")
    assert run("ops.slo-table", body).status == PASS
    wrong = run("ops.slo-table", body.replace("14.4 min / 24h", "1.44 min / 24h"))
    assert wrong.status == FAIL and "allows 14.4 min" in wrong.problems[0].message
    assert (
        run("ops.slo-table", body.replace("~3.6h / 30d", "216 min / 30d")).status == PASS
    )  # the same budget in minutes
    assert run("ops.slo-table", body.replace("~3.6h / 30d", "0.5%")).status == PASS  # stated as a share
    assert run("ops.slo-table", body.replace("~3.6h / 30d", "n/a")).status == FAIL  # availability needs a budget
    assert (
        run(
            "ops.slo-table", body.replace("| 99.5% | 30d |", "| 99.9% | 30d |").replace("~3.6h / 30d", "43.2 min")
        ).status
        == PASS
    )


def test_an_slo_row_with_an_empty_cell_names_what_is_missing():
    body = fixture("operations/pass.md").replace("| `render_duration_seconds` |", "|  |")
    result = run("ops.slo-table", body)
    assert result.status == FAIL and "no source metric" in result.problems[0].message


def test_a_unit_without_slos_or_alerts_skips_those_checks_with_a_reason():
    body = fixture("operations/pass-forward-fix.md")
    for check in ("ops.slo-table", "ops.alert-runbooks"):
        result = run(check, body)
        assert result.status == SKIP and result.note.startswith("no `## ")


def test_a_runbook_missing_from_the_library_is_a_blocker_and_a_lint_failure_is_high():
    body = fixture("operations/pass.md")
    missing = run("ops.alert-runbooks", body, context(Library(names=())))
    assert missing.status == FAIL and missing.severity == "blocker"
    assert "not in the runbook library" in missing.problems[0].message
    linted = run("ops.alert-runbooks", body, context(Library(lint={"service-restart": ["no escalation path"]})))
    assert linted.status == FAIL and linted.severity == "high" and "no escalation path" in linted.problems[0].message


def test_without_a_runbook_library_references_are_not_silently_passed():
    result = run("ops.alert-runbooks", fixture("operations/pass.md"), context(runbooks=None))
    assert result.status == SKIP and "no runbook library" in result.note
    # ...but a pageable alert naming nothing fails with or without a library
    assert (
        run("ops.alert-runbooks", fixture("operations/fail-alert-runbooks.md"), context(runbooks=None)).status == FAIL
    )


def test_a_runbook_can_live_in_the_unit_body_itself():
    body = fixture("operations/fail-alert-runbooks.md").replace(
        "| billing on-call | — |", "| billing on-call | [below](#runbook-invoicerenderercrashloop) |"
    )
    assert run("ops.alert-runbooks", body).status == FAIL  # the anchor leads nowhere yet
    body += "\n## Runbook: InvoiceRendererCrashLoop\n1. `kubectl logs deploy/invoice-renderer -n billing --previous`\n"
    assert run("ops.alert-runbooks", body).status == PASS


def test_the_library_lookup_answers_from_indexed_runbooks(tmp_path):
    from datetime import datetime

    from cockpit.clock import fixed_clock
    from cockpit.runbooks.index import index_library
    from cockpit.store.database import Store

    store = Store(tmp_path / "lib.db")
    assert library_lookup(store) is None  # nothing indexed: the check says so rather than failing
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "service-restart.md").write_text("# Restart\n\nSee [failover](db-failover.md).\n")
    index_library(store, [tmp_path / "ops"], clock=fixed_clock(datetime(2026, 11, 20, tzinfo=UTC)))
    library = library_lookup(store)
    assert isinstance(library, LibraryRunbooks)
    assert library.exists("runbooks/Service-Restart.md#triage") and not library.exists("db-failover")
    errors = library.lint_errors("service-restart")
    assert any("[broken-link]" in e for e in errors) and any("[missing-section]" in e for e in errors)
    (tmp_path / "ops" / "service-restart.md").unlink()
    index_library(store, [tmp_path / "ops"], clock=fixed_clock(datetime(2026, 11, 21, tzinfo=UTC)))
    assert library_lookup(store) is None  # gone files do not count


def test_alert_runbooks_pass_against_the_indexed_library(tmp_path):
    from datetime import datetime

    from cockpit.clock import fixed_clock
    from cockpit.runbooks.index import bundled_runbooks_dir, index_library
    from cockpit.store.database import Store

    store = Store(tmp_path / "lib.db")  # the bundled samples: service-restart passes its lint
    index_library(store, [bundled_runbooks_dir()], clock=fixed_clock(datetime(2026, 11, 20, tzinfo=UTC)))
    result = run("ops.alert-runbooks", fixture("operations/pass.md"), context(library_lookup(store)))
    assert result.status == PASS, result


@pytest.mark.parametrize(
    "line, flagged",
    [
        ("image: registry.internal/orders-api:latest", True),
        ("uses: actions/checkout@main", True),
        ("helm upgrade orders charts/orders --set image.tag=latest", True),
        ("image: registry.internal/orders-api@sha256:9d4b6e2a51c07f3e", False),
        ("image: registry.internal/orders-api:4.12.0", False),
        ("Merge to main once the canary holds.", False),
        ("runbooks live under docs/main/runbooks", False),
    ],
)
def test_mutable_tags(line, flagged):
    body = f"## Preconditions\n- {line}\n"
    assert (run("ops.mutable-tags", body).status == FAIL) is flagged


def test_a_forward_fix_needs_its_rationale():
    bare = "## Rollback\nNo rollback — forward-fix only.\n"
    assert run("ops.rollback", bare).status == FAIL
    assert (
        run("ops.rollback", "## Rollback\n\n## Secrets\nVault\n").problems[0].message == "the rollback section is empty"
    )


# ------------------------------------------------------------------ resolve, case by case


def test_the_root_cause_must_come_from_investigate():
    body = fixture("resolve/pass.md")
    no_output = run("resolve.root-cause", body, context(upstream={"investigate": ()}))
    assert no_output.status == FAIL and "has no output to cite" in no_output.problems[0].message
    wrong_unit = fixture("resolve/pass-mitigation-stays.md").replace(
        "investigate/cert-chain-pinning", "investigate/made-up"
    )
    result = run("resolve.root-cause", wrong_unit)
    assert result.status == FAIL and "no unit of the investigate stage" in result.problems[0].message
    # quoting the other unit's root cause while citing this one fails too
    cited_elsewhere = body.replace("(from investigate)", "(from investigate/cert-chain-pinning)")
    assert run("resolve.root-cause", cited_elsewhere).status == FAIL


def test_a_studio_without_an_investigate_stage_may_cite_any_earlier_stage():
    ctx = context(upstream={"diagnose": INVESTIGATE})
    assert run("resolve.root-cause", fixture("resolve/pass.md"), ctx).status == PASS


def test_a_fix_section_is_required_beside_the_root_cause():
    body = fixture("resolve/pass.md").replace("## Fix\n", "## Change\n")
    result = run("resolve.root-cause", body)
    assert result.status == FAIL and "Fix" in result.problems[0].message


def test_a_deployment_plan_of_standard_pipeline_names_the_phrase_and_each_gap():
    result = run("resolve.deployment-plan", fixture("resolve/fail-deployment-plan.md"))
    messages = [p.message for p in result.problems]
    assert len(messages) == 3 and all('"Merge to main"' in m for m in messages)
    thresholdless = fixture("resolve/pass.md").replace(
        "if the gateway 429 rate rises above 2% or p99 latency exceeds 250 ms for 10 minutes",
        "if the dashboards look bad",
    )
    assert "name no threshold" in run("resolve.deployment-plan", thresholdless).problems[0].message


def test_class_search_deferrals_must_point_at_a_real_unit_or_ticket():
    body = fixture("resolve/pass.md").replace("tracked as follow-up PLAT-412", "split into unit `webhook-limiter`")
    assert run("resolve.class-search", body, context(siblings=("u", "webhook-limiter"))).status == PASS
    result = run("resolve.class-search", body, context(siblings=("u",)))
    assert result.status == FAIL and "`webhook-limiter`" in result.problems[0].message
    untracked = fixture("resolve/pass.md").replace("tracked as follow-up PLAT-412", "deferred for now")
    assert run("resolve.class-search", untracked).status == FAIL


def test_regression_test_needs_path_layer_and_proof_it_fails_before_the_fix():
    body = fixture("resolve/pass.md")
    assert run("resolve.regression-test", body.replace("It fails\non the pre-fix build", "It passes")).status == FAIL
    assert run("resolve.regression-test", body.replace("(integration layer:", "(because")).status == FAIL
    assert len(run("resolve.regression-test", fixture("resolve/fail-regression-test.md")).problems) == 3


def test_a_mitigation_lift_needs_criteria_procedure_and_owner():
    body = fixture("resolve/pass.md")
    assert (
        run(
            "resolve.mitigation-lift",
            body.replace("- Owner: platform on-call (Dana), the day after the verification window closes.\n", ""),
        ).status
        == FAIL
    )
    assert len(run("resolve.mitigation-lift", fixture("resolve/fail-mitigation-lift.md")).problems) == 3


# ------------------------------------------------------------------ body checks


def test_placeholders_spare_html_autolinks_and_code_but_catch_markers_and_empty_sections():
    body = "## Notes\nline one<br>two, see <https://wiki.internal/x> and `a < b`\n"
    assert run("body.placeholders", body).status == PASS
    body = "## Notes\nSee TODO later.\n\n## Empty\n\n## Last\ntext\n"
    result = run("body.placeholders", body)
    assert [(p.line, p.section) for p in result.problems] == [(2, "Notes"), (4, "Empty")]
    assert run("body.placeholders", "").problems[0].message == "the body is empty"


def test_a_secret_finding_never_repeats_the_value():
    secret = "Wq7rT2x9kL"
    result = run("body.secrets", fixture("operations/fail-secrets.md"))
    assert secret in fixture("operations/fail-secrets.md")
    assert all(secret not in p.message for p in result.problems) and secret not in result.summary()


def test_listed_artifacts_are_scanned_only_when_read():
    body = fixture("operations/fail-artifact-secrets.md")
    unread = run("ops.artifact-secrets", body, context())
    assert unread.status == SKIP and unread.note == "3 listed artifacts not read: `cockpit check --root DIR` scans them"
    result = run("ops.artifact-secrets", body)
    assert [p.message for p in result.problems] == [
        "`deploy/invoice-renderer/values-staging.yaml` line 5: hardcoded secret assigned inline: reference a secret store"
    ]
    assert "St4ging" not in result.summary()
    missing = run("ops.artifact-secrets", body, context(artifacts={}))
    assert missing.severity == "high" and len(missing.problems) == 3
    assert (
        missing.problems[0].message
        == "listed artifact `deploy/invoice-renderer/values-prod.yaml` is not there to check"
    )


def test_emails_are_personal_data_not_hardcoded_secrets():
    assert run("body.secrets", "## Owner\npriya@example.com\n").status == PASS


# ------------------------------------------------------------------ markdown helpers


def test_sections_ignore_headings_in_code_and_tables_keep_pipes_inside_code():
    from cockpit.checks import markdown

    body = "# Title\n## Action\n```sh\n# not a heading\n```\n| Check | How to run |\n|---|---|\n| grep | `ps aux | grep x` |\n"
    found = markdown.sections(body)
    assert [(s.title, s.line) for s in found] == [("Title", 1), ("Action", 2)]
    [table] = markdown.find(found, "action").tables()
    assert table.rows[0].cells == ("grep", "`ps aux | grep x`") and table.rows[0].line == 8
