"""Every check by its stable id. Studios name these in STAGE.md `checks:`; an unknown id is a load
error. Ids never change meaning once shipped: findings are found again by them."""

from __future__ import annotations

from cockpit.checks import body, operations, postmortem, resolve
from cockpit.checks.base import Check

CHECKS: dict[str, Check] = {
    check.id: check
    for check in (
        Check("ops.sections", "blocker", "Preconditions, action and post-condition checks", operations.sections),
        Check("ops.single-procedure", "high", "The action is one unambiguous procedure", operations.single_procedure),
        Check(
            "ops.postcondition-rows",
            "high",
            "Every post-condition check has a command and a pass criterion",
            operations.postcondition_rows,
        ),
        Check(
            "ops.rollback", "blocker", "A rollback procedure, or forward-fix only with a rationale", operations.rollback
        ),
        Check("ops.mutable-tags", "high", "Images and artifacts pinned, not latest/main", operations.mutable_tags),
        Check("ops.slo-table", "high", "Every SLO complete, with a correct error budget", operations.slo_table),
        Check(
            "ops.alert-runbooks",
            "blocker",
            "Every pageable alert links to a runbook that exists",
            operations.alert_runbooks,
        ),
        Check("ops.open-questions", "high", "Open questions answered, defaulted or flagged", operations.open_questions),
        Check("body.placeholders", "high", "No placeholders, template slots or empty sections", body.placeholders),
        Check("body.secrets", "blocker", "No hardcoded secrets", body.secrets),
        Check(
            "ops.artifact-secrets",
            "blocker",
            "No hardcoded secrets in the artifacts the unit lists",
            operations.artifact_secrets,
        ),
        Check(
            "resolve.root-cause",
            "blocker",
            "Cites investigate's root cause verbatim and names the fix",
            resolve.root_cause,
        ),
        Check(
            "resolve.regression-test",
            "blocker",
            "Regression test: file, layer, red on the pre-fix code",
            resolve.regression_test,
        ),
        Check(
            "resolve.deployment-plan",
            "high",
            "Deployment plan: rollout shape, rollback thresholds, verification window",
            resolve.deployment_plan,
        ),
        Check(
            "resolve.mitigation-lift", "high", "Mitigation lift: criteria, procedure, owner", resolve.mitigation_lift
        ),
        Check(
            "resolve.class-search",
            "high",
            "Class search: method, surfaces checked, follow-ups tracked",
            resolve.class_search,
        ),
        Check(
            "postmortem.sections",
            "blocker",
            "Postmortem sections: summary, impact, root causes, resolution, action items, lessons, timeline",
            postmortem.sections,
        ),
        Check("postmortem.timeline", "high", "Timeline in UTC and in order", postmortem.timeline),
        Check(
            "postmortem.action-items",
            "blocker",
            "Every action item has an owner and a due date",
            postmortem.action_items,
        ),
        Check("postmortem.impact", "high", "Impact quantified", postmortem.impact),
    )
}

# What `cockpit postmortem lint` runs, and the postmortem stage declares (its STAGE.md `checks:`).
POSTMORTEM_CHECKS = ("postmortem.sections", "postmortem.timeline", "postmortem.action-items", "postmortem.impact")

# Quality-gate commands (unit frontmatter `quality_gates`) file findings under `gate:<name>`.
GATE_PREFIX = "gate:"


def known_ids() -> tuple[str, ...]:
    return tuple(CHECKS)


def get(check_id: str) -> Check:
    return CHECKS[check_id]
