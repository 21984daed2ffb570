"""Running a stage's checks over its units, and turning results into finding rows.

Pure: a Position in, reports and writes out. The commands call this so that a verifier's advance
and the findings its checks file (or update, or close) are one Change, committed in one
transaction. A finding made by a check is an `engine-review` finding targeting the unit, titled
`[<check id>] <what the check asks>`: the bracketed id is how the next run finds it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cockpit import severity as sev
from cockpit.checks import markdown
from cockpit.checks.base import CheckContext, Refused, Result, RunbookLookup
from cockpit.checks.registry import CHECKS, GATE_PREFIX
from cockpit.domain.change import THIS_EVENT, Insert, Update
from cockpit.domain.model import Feedback, clip_title, finding_ref
from cockpit.domain.walk import Position, StageState, UnitState
from cockpit.text import redact

ORIGIN = "engine-review"
AUTHOR = "engine"
WAIVERS = frozenset({"rejected", "non_actionable"})  # a human said this failure does not apply
_TITLE = re.compile(r"^\[([a-z0-9][\w.:-]*)\] ")


@dataclass(frozen=True)
class UnitReport:
    stage: str
    unit: UnitState
    engaged: bool  # at its last hat or done: failures file findings
    results: tuple[Result, ...]

    @property
    def slug(self) -> str:
        return self.unit.unit.slug

    @property
    def failed(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.failed)


def is_engaged(state: StageState, unit: UnitState) -> bool:
    """Checks bind once the unit reaches its verifier (the last hat); before that the body is a draft."""
    hats = state.stage.hats
    return unit.status == "done" or (bool(hats) and unit.hat == hats[-1] and unit.status in ("active", "escalated"))


def base_context(pos: Position, state: StageState, runbooks: RunbookLookup | None) -> CheckContext:
    upstream: dict[str, tuple[tuple[str, str], ...]] = {}
    for earlier in pos.stages:
        if earlier.name == state.name:
            break
        upstream[earlier.name] = tuple((u.unit.slug, u.unit.body) for u in earlier.units)
    return CheckContext("", state.name, tuple(u.unit.slug for u in state.units), upstream, runbooks)


def evaluate_unit(
    state: StageState,
    unit: UnitState,
    context: CheckContext,
    body: str | None = None,
    artifacts: Mapping[str, str | Refused] | None = None,
) -> UnitReport:
    body = unit.unit.body if body is None else body
    parsed = markdown.sections(body)
    ctx = CheckContext(unit.unit.slug, context.stage, context.siblings, context.upstream, context.runbooks, artifacts)
    results = tuple(CHECKS[check_id].run(body, ctx, parsed) for check_id in state.stage.checks)
    return UnitReport(state.name, unit, is_engaged(state, unit), results)


def evaluate(
    pos: Position,
    runbooks: RunbookLookup | None = None,
    unit: str | None = None,
    stage: str | None = None,
    artifacts: Mapping[str, Mapping[str, str | Refused]] | None = None,
) -> list[UnitReport]:
    """Every unit of every stage that declares checks (or just `unit`, or one `stage`).

    `artifacts` (unit slug → listed path → text, or why it was refused) is given when a caller read the unit's files."""
    reports: list[UnitReport] = []
    for state in pos.stages:
        if not state.stage.checks or (stage and state.name != stage):
            continue
        wanted = [u for u in state.units if unit is None or u.unit.slug == unit]
        if not wanted:
            continue
        context = base_context(pos, state, runbooks)
        reports += [
            evaluate_unit(state, u, context, None, None if artifacts is None else artifacts.get(u.unit.slug, {}))
            for u in wanted
        ]
    return reports


# ------------------------------------------------------------------ findings


def check_id_of(feedback: Feedback) -> str | None:
    """The check a finding was filed by, or None for any other finding."""
    if feedback.origin != ORIGIN:
        return None
    match = _TITLE.match(feedback.title)
    return match.group(1) if match else None


def finding_title(check_id: str, title: str) -> str:
    full = f"[{check_id}] Not met: {title[:1].lower()}{title[1:]}"
    return clip_title(full)


def title_of(check_id: str) -> str:
    if check_id in CHECKS:
        return CHECKS[check_id].title
    if check_id.startswith(GATE_PREFIX):
        return f"Quality gate {check_id[len(GATE_PREFIX) :]} passes"
    return check_id


def finding_body(unit: str, result: Result, title: str) -> str:
    lines = [f"Engine check `{result.check}` failed on unit `{unit}` ({result.severity}): {title}.", ""]
    lines += [f"- {problem.located()}" for problem in result.problems]
    if result.detail:
        lines += ["", "```", result.detail, "```"]
    fix = "the command's cause" if result.check.startswith(GATE_PREFIX) else "the unit body"
    lines += ["", f"Fix {fix}; this finding closes by itself once the check passes."]
    return redact.redact("\n".join(lines)).text


def _problems_of(body: str) -> list[str]:
    """A finding's problem lines without their line numbers: what a waiver covers."""
    return [re.sub(r"\bline \d+", "line ?", line) for line in body.splitlines() if line.startswith("- ")]


def _first_problem(body: str) -> str:
    found = re.search(r"^- (.*)$", body, re.MULTILINE)
    return found.group(1) if found else ""


@dataclass
class Reconciled:
    """The writes a set of results calls for, and what they did, by finding ref."""

    writes: list[Insert | Update] = field(default_factory=list)
    filed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    waived: list[str] = field(default_factory=list)  # failing, but a human closed it as not applicable
    refs: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, check) → the finding now tracking it
    severities: dict[str, str] = field(default_factory=dict)  # ref → the severity filed or set (severity history)

    def data(self) -> dict[str, Any]:
        return {"filed": self.filed, "updated": self.updated, "closed": self.closed, "waived": self.waived}

    def describe(self) -> str:
        parts = [
            f"{verb} {', '.join(refs)}"
            for verb, refs in (
                ("filed", self.filed),
                ("updated", self.updated),
                ("closed", self.closed),
                ("waived", self.waived),
            )
            if refs
        ]
        return "; ".join(parts)


def latest_findings(pos: Position) -> dict[tuple[int, str], Feedback]:
    """(unit id, check id) → the newest engine-review finding for it."""
    latest: dict[tuple[int, str], Feedback] = {}
    for state in pos.findings:
        fb = state.feedback
        check = check_id_of(fb)
        if check is None or fb.target_unit_id is None:
            continue
        key = (fb.target_unit_id, check)
        if key not in latest or fb.number > latest[key].number:
            latest[key] = fb
    return latest


def reconcile(pos: Position, reports: Iterable[UnitReport], now: str, *, file_new: bool = True) -> Reconciled:
    """File, update or close engine-review findings so they match these results.

    A failing check files a finding, or updates the open one (never a second); a passing check
    closes its open finding with a reply saying what changed. A skipped check leaves its finding
    alone (it could not judge). A failure a human closed as rejected or non-actionable stays
    closed while the problems are the same ones.
    """
    out = Reconciled()
    latest = latest_findings(pos)
    fix_iterations = {f.feedback.id: f.iterations for f in pos.findings}
    number = max((f.feedback.number for f in pos.findings), default=0)
    for report in reports:
        unit = report.unit.unit
        for result in report.results:
            existing = latest.get((unit.id, result.check))
            title = title_of(result.check)
            if result.failed and report.engaged:
                body = finding_body(unit.slug, result, title)
                if existing is not None and existing.is_open:
                    values: dict[str, Any] = {}
                    if existing.body != body:
                        values["body"] = body
                    if existing.severity != result.severity:
                        values.update(severity=result.severity, severity_event_id=THIS_EVENT)
                        out.severities[existing.ref] = result.severity
                    if values:
                        out.writes.append(Update("feedback", existing.id, values))
                        out.updated.append(existing.ref)
                    out.refs[(unit.slug, result.check)] = existing.ref
                elif (
                    existing is not None
                    and existing.resolution in WAIVERS
                    and _problems_of(existing.body) == _problems_of(body)
                ):
                    out.waived.append(existing.ref)
                    out.refs[(unit.slug, result.check)] = existing.ref
                elif file_new:
                    number += 1
                    out.writes.append(
                        Insert(
                            "feedback",
                            {
                                "number": number,
                                "stage": report.stage,
                                "title": finding_title(result.check, title),
                                "body": body,
                                "origin": ORIGIN,
                                "author": AUTHOR,
                                "author_type": "system",
                                "severity": result.severity,
                                "target_unit_id": unit.id,
                                "invalidates": [],
                                "created_at": now,
                            },
                        )
                    )
                    ref = finding_ref(number)
                    out.filed.append(ref)
                    out.severities[ref] = result.severity
                    out.refs[(unit.slug, result.check)] = ref
            elif result.status == "pass" and existing is not None and existing.is_open:
                was = _first_problem(existing.body)
                reply = f"Check {result.check} passes now: {result.note}." + (
                    f" It had failed with: {was}" if was else ""
                )
                open_fix = fix_iterations.get(existing.id, ())
                if open_fix and open_fix[-1].result is None:
                    out.writes.append(Update("fix_iterations", open_fix[-1].id, {"completed_at": now}))
                out.writes.append(
                    Update(
                        "feedback",
                        existing.id,
                        {
                            "closed_at": now,
                            "resolution": "closed",
                            "closure_text": redact.redact(reply).text,
                            "closed_event_id": THIS_EVENT,
                        },
                    )
                )
                out.closed.append(existing.ref)
    return out


def holding(pos: Position, report: UnitReport, reconciled: Reconciled) -> list[str]:
    """Refs of the blocking engine-review findings that keep this unit at its verifier.

    Its failing checks (unless waived), plus any open blocking finding of a quality-gate command
    on the unit, which a body check cannot close.
    """
    held: list[str] = []
    for result in report.failed:
        ref = reconciled.refs.get((report.slug, result.check))
        if ref is not None and ref not in reconciled.waived and sev.is_blocking(result.severity, pos.threshold):
            held.append(ref)
    checked = {r.check for r in report.results if r.status != "skip"}  # a skipped check's finding still stands
    for state in pos.open_findings:
        check = check_id_of(state.feedback)
        if (
            check
            and check not in checked
            and state.feedback.target_unit_id == report.unit.unit.id
            and state.blocking
            and state.feedback.ref not in held
        ):
            held.append(state.feedback.ref)
    return held
