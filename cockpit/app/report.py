"""Positions, findings and timelines as JSON-ready dicts and as plain text (NO_COLOR-safe)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cockpit.domain.finding_detail import FindingDetail
from cockpit.domain.studio import Studio
from cockpit.domain.walk import FindingState, Overview, Position, StageState
from cockpit.severity import GLYPHS, STAGE_GLYPHS
from cockpit.text.terminal import safe


def finding_json(f: FindingState) -> dict[str, Any]:
    fb = f.feedback
    return {
        "id": fb.ref,
        "title": fb.title,
        "body": fb.body,
        "stage": fb.stage,
        "severity": fb.severity,
        "blocking": f.blocking,
        "overridden": f.overridden,
        "status": f.status,
        "hat": f.hat,
        "bolt": f.bolt,
        "unit": f.target,
        "origin": fb.origin,
        "author": fb.author,
        "created_at": fb.created_at,
        "closed_at": fb.closed_at,
        "resolution": fb.resolution,
        "closure": fb.closure_text,
    }


def finding_detail_json(d: FindingDetail) -> dict[str, Any]:
    """One finding with its severity history, fix loop, resumes, escalation and closure."""
    return {
        "id": d.ref,
        "title": d.title,
        "body": d.body,
        "stage": d.stage,
        "unit": d.target,
        "origin": d.origin,
        "author": d.author,
        "author_type": d.author_type,
        "created_at": d.created_at,
        "severity": d.severity,
        "blocking": d.blocking,
        "overridden": d.overridden,
        "status": d.status,
        "hat": d.hat,
        "bolt": d.bolt,
        "invalidates": list(d.invalidates),
        "severity_history": [
            {"severity": c.severity, "how": c.how, "at": c.at, "by": c.actor, "note": c.note, "ai": c.ai}
            for c in d.severity_history
        ],
        "fix_loop": [
            {
                "hat": s.hat,
                "bolt": s.bolt,
                "started_at": s.started_at,
                "completed_at": s.completed_at,
                "result": s.result,
                "outcome": s.outcome,
                "to": s.to,
                "message": s.message,
            }
            for s in d.fix_loop
        ],
        "resumes": [{"at": r.at, "by": r.actor, "reason": r.reason} for r in d.resumes],
        "escalated_because": d.escalated_because,
        "closure": None
        if d.closure is None
        else {
            "resolution": d.closure.resolution,
            "text": d.closure.text,
            "at": d.closure.at,
            "by": d.closure.actor,
            "cleared_signoffs": list(d.closure.clears),
        },
    }


def _indented(text: str, indent: str = "  ") -> list[str]:
    """Multi-line data, each line indented (control characters shown, never obeyed)."""
    return [indent + line for line in safe(text).splitlines()] or [indent + "(empty)"]


def finding_detail_text(d: FindingDetail) -> str:
    """`cockpit feedback show`: the finding as an engineer reads it, plain text (NO_COLOR-safe)."""
    label = (d.severity or "unset") + (", blocks the gate" if d.blocking else "")
    label += f", overridden at the {d.stage} gate" if d.overridden else ""
    lines = [safe(f"{d.ref}  {GLYPHS[d.severity]} {label}  {d.status.replace('_', '-')}  {d.title}", one_line=True)]
    held = f"; the {d.hat} hat holds it (bolt {d.bolt})" if d.hat and d.closure is None else ""
    rows = [
        ["stage", d.stage + (f", unit {d.target}" if d.target else ", no target unit")],
        ["filed", f"{d.created_at} by {d.author} ({d.author_type}, origin {d.origin})"],
        ["status", d.status.replace("_", "-") + held],
        ["clears", ", ".join(d.invalidates) + " sign-offs once fixed" if d.invalidates else "no sign-offs once fixed"],
    ]
    if d.escalated_because:
        rows.append(["escalated", d.escalated_because])
    lines += table(rows)
    lines += ["body", *_indented(d.body)] if d.body.strip() else ["body: none"]
    lines.append("severity")
    history = []
    for change in d.severity_history:
        who = f"{change.how} by {change.actor or '?'}" + (" with AI" if change.ai else "")
        note = f": {change.note}" if change.note else ""
        history.append([change.at or "?", GLYPHS[change.severity], change.severity or "unset", who + note])
    lines += table(history)
    if d.fix_loop:
        lines.append("fix loop")
        lines += table(
            [
                [
                    f"bolt {s.bolt}",
                    s.hat,
                    s.completed_at or s.started_at,
                    s.description + (f": {s.message}" if s.message else ""),
                ]
                for s in d.fix_loop
            ]
        )
    for r in d.resumes:
        lines.append(safe(f"resumed {r.at} by {r.actor}: {r.reason or '-'}", one_line=True))
    closure = d.closure
    if closure is not None:
        cleared = f" (cleared {', '.join(closure.clears)} sign-offs)" if closure.clears else ""
        how = closure.resolution.replace("_", "-")
        lines.append(safe(f"closure: {how} {closure.at} by {closure.actor or '?'}{cleared}", one_line=True))
        lines += _indented(closure.text or "")
    return "\n".join(lines)


def _gate_json(state: StageState) -> dict[str, Any]:
    gate = state.gate
    approval = gate.approval
    return {
        "kinds": list(gate.kinds),
        "approved": gate.approved,
        "blocked_by": [f.feedback.ref for f in gate.blockers],
        "approval": None
        if approval is None
        else {
            "at": approval.at,
            "by": approval.actor,
            "path": approval.path,
            "override": approval.reason,
            "url": approval.url,
        },
        "submission": None
        if gate.submission is None
        else {
            "at": gate.submission.at,
            "by": gate.submission.actor,
            "url": gate.submission.url,
            "branch": gate.submission.branch,
        },
    }


def position_json(pos: Position) -> dict[str, Any]:
    intent = pos.facts.intent
    active = pos.active
    return {
        "slug": intent.slug,
        "title": intent.title,
        "studio": pos.studio.name,
        "created_at": intent.created_at,
        "complete": pos.complete,
        "stage": active.name if active else None,
        "phase": active.phase if active else "complete",
        "gate": _gate_json(active) if active else None,
        "stages": [{"name": s.name, "status": s.status, "phase": s.phase, "reopened": s.reopened} for s in pos.stages],
        "units": [
            {
                "slug": u.unit.slug,
                "title": u.unit.title,
                "stage": s.name,
                "status": u.status,
                "hat": u.hat,
                "bolt": u.bolt,
                "depends_on": list(u.unit.depends_on),
            }
            for s in pos.stages
            for u in s.units
        ],
        "feedback": [finding_json(f) for f in pos.open_findings],
        "next": {
            "kind": pos.next.kind,
            "text": pos.next.text,
            "stage": pos.next.stage,
            "unit": pos.next.unit,
            "hat": pos.next.hat,
            "feedback": pos.next.feedback,
        },
    }


def overview_json(ov: Overview) -> dict[str, Any]:
    """One intent in the all-intents list: where it stands and what is open, not every finding."""
    return {
        "slug": ov.intent.slug,
        "title": ov.intent.title,
        "studio": ov.studio,
        "created_at": ov.intent.created_at,
        "complete": ov.complete,
        "stage": ov.stage,
        "phase": ov.phase,
        "blocking": ov.blocking,
        "open": {severity or "unset": n for severity, n in ov.open},
        "next": {"kind": ov.next.kind, "text": ov.next.text},
    }


def table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Aligned columns. Cells are data: each is one terminal-safe line (a newline or escape in a
    title would break the columns or drive the terminal)."""
    if not rows:
        return []
    rows = [[safe(cell, one_line=True) for cell in row] for row in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)).rstrip() for r in rows]


def finding_rows(findings: Iterable[FindingState]) -> list[list[str]]:
    rows = [["", "id", "severity", "status", "hat", "unit", "title"]]
    for f in findings:
        fb = f.feedback
        label = fb.severity or "unset"
        rows.append(
            [
                GLYPHS[fb.severity],
                fb.ref,
                label + ("*" if f.blocking else ""),
                f.status,
                f.hat or "-",
                f.target or "-",
                fb.title,
            ]
        )
    return rows


def position_text(pos: Position) -> str:
    intent = pos.facts.intent
    lines = [safe(f"{intent.slug} — {intent.title}  [{pos.studio.name}]", one_line=True)]
    lines.append(
        "stages  "
        + "  ".join(
            f"{STAGE_GLYPHS[s.status]} {s.name}" + (f" ({s.phase})" if s.status == "active" else "") for s in pos.stages
        )
    )
    active = pos.active
    if active is not None and active.reopened:
        lines.append(safe(f"back    {active.name} moved back: {active.reopened}", one_line=True))
    if active is not None:
        gate = active.gate
        held = ", ".join(f.feedback.ref for f in gate.blockers)
        lines.append(
            f"gate    {'/'.join(gate.kinds)}"
            + (" — needs no human" if gate.is_auto else "")
            + (f"; blocking: {held}" if held else "")
        )
        if gate.submission is not None:
            sub = gate.submission
            branch = f" (branch {sub.branch})" if sub.branch else ""
            lines.append(safe(f"        awaiting external review: {sub.url}{branch}", one_line=True))
        if active.units:
            lines.append(f"units of {active.name}")
            rows = [["slug", "status", "hat", "bolt", "depends on"]]
            rows += [
                [u.unit.slug, u.status, u.hat or "-", str(u.bolt), ", ".join(u.unit.depends_on) or "-"]
                for u in active.units
            ]
            lines += table(rows)
    open_findings = pos.open_findings
    lines.append(f"open feedback ({len(open_findings)}; * blocks)" if open_findings else "open feedback: none")
    if open_findings:
        lines += table(finding_rows(open_findings))
    lines.append(f"next    {pos.next.text}")
    return "\n".join(lines)


def overview_rows(overviews: list[Overview]) -> list[list[str]]:
    rows = [["slug", "studio", "stage", "phase", "blocking", "open", "title"]]
    for ov in overviews:
        rows.append(
            [
                ov.intent.slug,
                ov.studio,
                ov.stage or "-",
                ov.phase,
                str(ov.blocking),
                str(sum(n for _, n in ov.open)),
                ov.intent.title,
            ]
        )
    return rows


def urgency_key(item: Position | Overview) -> tuple:
    """Most urgent first: unfinished before complete, more open blockers, then the oldest."""
    if isinstance(item, Overview):
        complete, blocking, intent = item.complete, item.blocking, item.intent
    else:
        complete, blocking = item.complete, sum(1 for f in item.open_findings if f.blocking)
        intent = item.facts.intent
    return (complete, -blocking, intent.created_at, intent.slug)


def studio_json(studio: Studio) -> dict[str, Any]:
    """A studio as `cockpit studios --json` lists it: where its definition came from (source folder,
    project overlay and the files taken from it, digest), and per stage each hat's hand-off items
    and each reviewer's checks."""
    return {
        "name": studio.name,
        "ids": list(studio.ids()),
        "aliases": list(studio.aliases),
        "category": studio.category,
        "description": studio.description,
        "source": studio.source,
        "path": studio.path,
        "digest": studio.digest,
        "overlay": studio.overlay or None,
        "overlaid": list(studio.overlaid),
        "stages": [
            {
                "name": s.name,
                "hats": list(s.hats),
                "fix_hats": list(s.fix_hats),
                "gate": list(s.gate),
                "elaboration": s.elaboration,
                "review_agents": list(s.reviewer_names),
                "outputs": [t.name for t in s.templates if t.kind == "output"],
                "phases": sorted(s.phases),
                "hat_items": {
                    name: list(hat.checklist)
                    for name in dict.fromkeys((*s.hats, *s.fix_hats))
                    if (hat := s.hat(name)) is not None
                },
                "reviewer_checks": {agent.name: list(agent.checks) for agent in s.reviewers},
            }
            for s in studio.stages
        ],
        "studio_reviewers": {agent.name: list(agent.checks) for agent in studio.reviewers},
    }


def studio_origin(studio: Studio) -> str:
    """Where a definition came from, in one line: source, digest prefix, and the overlay if any."""
    line = f"from {studio.source or studio.path} · digest {studio.digest[:12] or '-'}"
    if studio.overlay:
        line += f" · overlay {studio.overlay} ({', '.join(studio.overlaid) or 'no files'})"
    return line


def _wrap(text: str, indent: int, hang: int, width: int) -> list[str]:
    """`text` wrapped to `width` columns: the first line indented `indent`, the rest `hang` (so a
    long item reads as one item at 80 columns instead of the terminal folding it to column 0)."""
    import textwrap

    return textwrap.wrap(
        text,
        width=max(width, indent + 20),
        initial_indent=" " * indent,
        subsequent_indent=" " * hang,
        break_on_hyphens=False,
        break_long_words=False,  # a path or URL stays whole, to be copied
    ) or [" " * indent]


def wrapped(text: str, indent: int, hang: int, width: int) -> str:
    """`_wrap` joined into one string, for the CLI's one-line entries."""
    return "\n".join(_wrap(text, indent, hang, width))


def studio_text(studio: Studio, width: int = 80) -> str:
    """A studio for people, wrapped to `width`: origin, then per stage its gate, hats, fix hats,
    reviewers and phase guidance, each hat's hand-off items and each reviewer's checks."""
    aliases = f" (aliases: {', '.join(studio.aliases)})" if studio.aliases else ""
    lines = _wrap(f"{studio.name}{aliases} — {studio.description}", 0, 2, width)
    lines += _wrap(studio_origin(studio), 2, 4, width)
    for s in studio.stages:
        lines.append(f"  {s.name} · gate {'/'.join(s.gate)}")
        lines += _wrap(f"hats      {' → '.join(s.hats)}", 4, 14, width)
        lines += _wrap(f"fix hats  {' → '.join(s.fix_hats) or '-'}", 4, 14, width)
        lines += _wrap(f"reviewers {', '.join(s.reviewer_names) or '-'}", 4, 14, width)
        if s.phases:
            lines += _wrap(f"phase guidance: {', '.join(sorted(s.phases))}", 4, 6, width)
        for name in dict.fromkeys((*s.hats, *s.fix_hats)):
            hat = s.hat(name)
            if hat is not None:
                lines.append(f"    hat {name}: {len(hat.checklist)} items")
                for item in hat.checklist:
                    lines += _wrap(f"[ ] {item}", 6, 10, width)
        for agent in s.reviewers:
            lines.append(f"    reviewer {agent.name}: {len(agent.checks)} checks")
            for check in agent.checks:
                lines += _wrap(f"- {check}", 6, 8, width)
    for agent in studio.reviewers:
        lines.append(f"  studio reviewer {agent.name}: {len(agent.checks)} checks")
        for check in agent.checks:
            lines += _wrap(f"- {check}", 6, 8, width)
    return "\n".join(lines)


AI_LABELS = {"edit_unit": "AI-drafted revision", "file_feedback": "proposed by AI", "classify": "classified with AI"}


def ai_note(event: dict[str, Any]) -> str | None:
    """How the timeline marks an AI-assisted action ("AI-drafted revision · <model>"), or None.

    The provenance is `event["data"]["ai"]` ({model, request_id, task, ...}), written by the command."""
    ai = (event.get("data") or {}).get("ai")
    if not ai:
        return None
    label = AI_LABELS.get(event.get("command", ""), "AI-assisted")
    if isinstance(ai, dict) and ai.get("edited"):
        label += ", edited"
    model = ai.get("model") if isinstance(ai, dict) else None
    return f"{label} · {model}" if model else label
