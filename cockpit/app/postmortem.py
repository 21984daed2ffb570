"""postmortem.md: the incident told in a layout's sections, from the exported data alone.

Layouts differ in the names and order of their sections, not in what the record holds:
- google (the default, after Google's SRE book): summary, impact, root causes, trigger,
  resolution, detection, action items, lessons learned, timeline in UTC, supporting information;
- pagerduty (after PagerDuty's public template): overview, what happened, contributing factors,
  resolution, impact, responders, timeline, how we did, action items, supporting information;
- incident-io (after incident.io's contributors / mitigators template): summary, impact, timeline,
  contributors, mitigators, learnings and risks, follow-ups, supporting information.

Each part comes first from what a postmortem unit wrote under that heading; else it is drawn from
the earlier stages (triage's brief, investigate's root cause, mitigate's stop-gap, resolve's fix),
the starred timeline, the decisions and overrides, the commands run and the AI provenance. What the
record does not hold is said plainly ("Not recorded"), never made up. Input is already redacted and
terminal-safe (cockpit.app.export.Cleaner).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cockpit.checks import markdown
from cockpit.domain.record import without_time

Incident = Mapping[str, Any]
Records = list[dict[str, Any]]

NOT_RECORDED = "_Not recorded in cockpit yet._"

# ------------------------------------------------------------------ reading the units


def _units(incident: Incident, *stages: str) -> list[dict[str, Any]]:
    return [u for s in incident["stages"] if not stages or s["name"] in stages for u in s["units"]]


def _demoted(lines: Iterable[str]) -> list[str]:
    """Lines quoted from a unit body, its headings made bold so they never open a section here."""
    out = []
    for line in lines:
        match = re.match(r"^#{1,6}\s+(.*)$", line)
        out.append(f"**{match[1].strip()}**" if match else line)
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return out


def _section_text(body: str, *prefixes: str) -> list[str] | None:
    section = markdown.find(markdown.sections(body), *prefixes)
    if section is None or section.is_empty:
        return None
    return _demoted(line.text for line in section.content)


def _written(incident: Incident, stages: tuple[str, ...], *prefixes: str) -> list[str] | None:
    """What units of `stages` (every stage when empty) wrote under a heading starting with `prefixes`."""
    found: list[str] = []
    for unit in _units(incident, *stages):
        text = _section_text(unit["body"], *prefixes)
        if text:
            found += [*([""] if found else []), *text]
    return found or None


def _first_paragraph(body: str) -> list[str]:
    lines = [line for line in body.splitlines() if not line.startswith("#")]
    text = "\n".join(lines).strip().split("\n\n")[0]
    return _demoted(text.splitlines())


_OWNER = re.compile(r"\bOwner:\s*([^·\n|]+)", re.I)
_DUE = re.compile(r"\bDue:\s*(\d{4}-\d{2}-\d{2})", re.I)
_TRACKER = re.compile(r"\b(?:Ticket|Tracker):\s*(\S+)", re.I)


def _cell(text: object) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|") or "—"


def _day_time(moment: str) -> str:
    return moment.replace("T", " ")[:16]


# ------------------------------------------------------------------ the parts


def summary(incident: Incident, records: Records) -> list[str]:
    intent = incident["intent"]
    written = _written(incident, ("postmortem",), "summary", "overview")
    if written is None:
        written = _demoted(intent["description"].splitlines()) if intent["description"].strip() else []
        for unit in _units(incident, "triage")[:1]:
            written += _first_paragraph(unit["body"])
    where = (
        "The incident is closed: every stage passed its gate."
        if intent["complete"]
        else f"As of {_day_time(incident['as_of'])} UTC the incident is in its **{intent['stage']}** stage "
        f"({intent['phase']})."
    )
    findings = incident["findings"]
    open_ = [f for f in findings if f["status"] not in ("closed", "non_actionable", "rejected")]
    blocking = [f for f in open_ if f["blocking"]]
    counts = f"{len(open_)} of {len(findings)} findings are open, {len(blocking)} of them blocking."
    return [*written, *([""] if written else []), f"{where} {counts}"]


def impact(incident: Incident, records: Records) -> list[str]:
    return _written(incident, ("postmortem", "triage", "mitigate"), "impact") or [NOT_RECORDED]


def root_causes(incident: Incident, records: Records) -> list[str]:
    written = _written(incident, ("postmortem",), "root cause", "contributing factors", "contributors")
    if written:
        return written
    out: list[str] = []
    for unit in _units(incident, "investigate"):
        text = _section_text(unit["body"], "root cause")
        if text:
            out += [*([""] if out else []), f"From investigate, *{unit['title']}*:", "", *text]
    return out or [NOT_RECORDED]


def trigger(incident: Incident, records: Records) -> list[str]:
    return _written(incident, (), "trigger") or [NOT_RECORDED]


def detection(incident: Incident, records: Records) -> list[str]:
    return _written(incident, (), "detection") or [NOT_RECORDED]


def resolution(incident: Incident, records: Records) -> list[str]:
    written = _written(incident, ("postmortem",), "resolution")
    if written:
        return written
    out: list[str] = []
    mitigations = _units(incident, "mitigate")
    if mitigations:
        out.append("**Mitigation** (the stop-gap that ended the impact):")
        out.append("")
        out += [f"- {u['title']}: {' '.join(u['body'].split())}" for u in mitigations]
    fixes = _units(incident, "resolve")
    if fixes:
        out += [*([""] if out else []), "**Permanent fix** (resolve stage):", ""]
        for unit in fixes:
            state = (
                "done"
                if unit["status"] == "done"
                else f"{unit['status']}, with the {unit['hat']}"
                if unit["hat"]
                else unit["status"]
            )
            fix = _section_text(unit["body"], "fix")
            what = " ".join(" ".join(fix).split()) if fix else " ".join(_first_paragraph(unit["body"]))
            out.append(f"- {unit['title']} ({state}): {what}")
        lift = _written(incident, ("resolve",), "mitigation lift")
        if lift:
            out += ["", "**Lifting the mitigation:**", "", *lift]
    return out or [NOT_RECORDED]


def action_items(incident: Incident, records: Records) -> list[str]:
    written = _written(incident, ("postmortem",), "action items", "followups", "follow ups")
    if written:
        return written
    rows = ["| Action | Type | Owner | Due | Tracker | Status |", "|---|---|---|---|---|---|"]
    for stage in incident["stages"]:
        if stage["name"] not in ("resolve", "postmortem"):
            continue
        for unit in stage["units"]:
            if unit["status"] == "done":
                continue
            tracking = _section_text(unit["body"], "tracking")  # "Owner: … · Due: … · Ticket: …"
            body = "\n".join(tracking) if tracking else unit["body"]
            owner, due, tracker = _OWNER.search(body), _DUE.search(body), _TRACKER.search(body)
            status = unit["status"] + (f" ({unit['hat']})" if unit["hat"] else "")
            rows.append(
                f"| {_cell(unit['title'])} | {'fix' if stage['name'] == 'resolve' else 'follow-up'} "
                f"| {_cell(owner[1] if owner else '')} | {_cell(due[1] if due else '')} "
                f"| {_cell(tracker[1] if tracker else '')} | {_cell(status)} |"
            )
    if len(rows) == 2:
        return ["No open work: every resolve unit is done."]
    return rows


def lessons(incident: Incident, records: Records) -> list[str]:
    written = _written(incident, ("postmortem",), "lessons learned", "learnings", "how we did")
    if written:
        return written
    well = [
        f"- The {s['name']} stage passed its gate at {_day_time(s['gate']['approval']['at'])} UTC."
        for s in incident["stages"]
        if s["gate"]["approval"] and not s["gate"]["approval"]["reason"]
    ]
    wrong = [
        f"- {f['id']} ({f['severity'] or 'unclassified'}, {f['title']}) went to a person: {f['escalated_because']}"
        for f in incident["findings"]
        if f["escalated_because"]
    ] + [f"- {_phrase(r)}" for r in records if r["command"] == "reject_hat"]
    lucky = [f"- {_message(r)}" for r in records if r["command"] == "note" and "lucky" in r["text"].lower()]
    return [
        "**What went well**",
        "",
        *(well or [NOT_RECORDED]),
        "",
        "**What went wrong**",
        "",
        *(wrong or [NOT_RECORDED]),
        "",
        "**Where we got lucky**",
        "",
        *(lucky or [NOT_RECORDED]),
    ]


def _message(record: Mapping[str, Any]) -> str:
    """The event's own words: its text without the command's name (and a note without its time)."""
    text = record["text"].removeprefix(record["command"].replace("_", " ")).strip()
    return without_time(text) if record.get("happened_at") else text


def _phrase(record: Mapping[str, Any]) -> str:
    """One timeline row's words, said as a reader would: 'FB-001 filed: …', 'mitigate gate approved'."""
    refs, message = record["references"], _message(record)
    command = record["command"]
    said = {
        "note": message,
        "create_intent": f"incident opened: {message}",
        "approve_gate": f"{refs.get('stage', '?')} gate approved" + (f": {message}" if message else ""),
        "file_feedback": f"{refs.get('finding', 'a finding')} filed: {message}",
        "close_feedback": f"{refs.get('finding', 'a finding')} closed: {message}",
        "reject_hat": f"{refs.get('unit', '?')} sent back by the {refs.get('hat', 'reviewer')}: {message}",
        "advance_hat": f"{refs.get('unit', '?')} handed on by the {refs.get('hat', '?')}: {message}",
    }.get(command)
    return said if said is not None else record["text"]


def timeline(incident: Incident, records: Records) -> list[str]:
    """The starred events, the notes and the gates passed, in the order they happened (UTC)."""
    chosen = [
        r for r in records if r["starred"] or r["command"] in ("note", "approve_gate", "create_intent", "haiku_create")
    ]
    chosen.sort(key=lambda r: (r.get("happened_at") or r["at"], r["id"]))
    rows = ["| Time (UTC) | Who | What |", "|---|---|---|"]
    for r in chosen:
        text = _phrase(r)
        rows.append(f"| {_day_time(r.get('happened_at') or r['at'])} | {_cell(r['actor'])} | {_cell(text)} |")
    return [
        *rows,
        "",
        f"Starred events, notes and gates only; the full log ({incident['events']} events) is in timeline.jsonl.",
    ]


def responders(incident: Incident, records: Records) -> list[str]:
    counts: dict[str, int] = {}
    for r in records:
        counts[r["actor"]] = counts.get(r["actor"], 0) + 1
    return [f"- {who}: {n} recorded action{'s' if n != 1 else ''}" for who, n in sorted(counts.items())] or [
        NOT_RECORDED
    ]


def supporting(incident: Incident, records: Records) -> list[str]:
    out = ["**Decisions and overrides**", ""]
    decisions = [
        d for d in incident["decisions"] if d["kind"] in ("approved", "changes_requested", "resumed", "revisited")
    ]
    for d in decisions:
        how = (
            f" over open findings: {d['reason']}"
            if d["kind"] == "approved" and d["reason"]
            else (f": {d['reason']}" if d["reason"] else "")
        )
        via = f" ({d['path']}" + (f", {d['url']}" if d["url"] else "") + ")" if d["path"] else ""
        out.append(f"- {_day_time(d['at'])} UTC {d['by']}: {d['stage']} {d['kind'].replace('_', ' ')}{via}{how}")
    if not decisions:
        out.append(NOT_RECORDED)
    out += ["", "**Commands run**", ""]
    runs = incident["runs"]
    for run in runs:
        seconds = f", {run['duration_ms'] / 1000:.1f} s" if run["duration_ms"] is not None else ""
        ended = f"exit {run['exit_code']}" if run["outcome"] == "exited" else (run["outcome"] or "running")
        out.append(
            f"- {_day_time(run['started_at'])} UTC {run['actor']} ran {run['runbook']} block {run['block']} "
            f"({run['risk']}) on {run['host']}: `{_cell(run['command'])}` — {ended}{seconds}"
        )
    copies = [r for r in records if r["command"] == "runbook_copy"]
    out += [f"- {_day_time(r['at'])} UTC {r['actor']} copied {r['text'].removeprefix('runbook copy ')}" for r in copies]
    if not runs and not copies:
        out.append("No runbook step was run or copied from cockpit.")
    out += ["", "**Findings**", "", "| Finding | Severity | Status | Title | Fix loop |", "|---|---|---|---|---|"]
    for f in incident["findings"]:
        rejected = sum(1 for s in f["fix_loop"] if s["result"] == "reject")
        loop = f"{len(f['fix_loop'])} fix steps" + (f", {rejected} sent back" if rejected else "")
        out.append(
            f"| {f['id']} | {_cell(f['severity'] or 'unclassified')} | {_cell(f['status'])} | {_cell(f['title'])} | {loop} |"
        )
    out += ["", "**AI assistance**", ""]
    ai = incident["ai"]
    out += [
        f"- {_day_time(a['at'])} UTC: {a['note']} on {a['unit'] or a['finding'] or a['stage'] or 'the intent'}, "
        f"accepted by {a['accepted_by']}"
        for a in ai
    ] or ["No part of this record was drafted by an LLM."]
    out += [
        "",
        "**The record**",
        "",
        f"- incident.json (schema {incident['schema']} v{incident['schema_version']}): stages, units, findings with "
        "their fix loops, gates, decisions, runs and AI provenance.",
        f"- timeline.jsonl: every event ({incident['events']}), one per line, starred ones marked.",
    ]
    return out


def what_happened(incident: Incident, records: Records) -> list[str]:
    return [*trigger(incident, records), "", "**Detection**", "", *detection(incident, records)]


def contributors(incident: Incident, records: Records) -> list[str]:
    return [*root_causes(incident, records), "", "**Trigger**", "", *trigger(incident, records)]


def mitigators(incident: Incident, records: Records) -> list[str]:
    return [*resolution(incident, records), "", "**Detection**", "", *detection(incident, records)]


Part = Callable[[Incident, Records], list[str]]

LAYOUTS: dict[str, tuple[tuple[str, Part], ...]] = {
    "google": (
        ("Summary", summary),
        ("Impact", impact),
        ("Root causes", root_causes),
        ("Trigger", trigger),
        ("Resolution", resolution),
        ("Detection", detection),
        ("Action items", action_items),
        ("Lessons learned", lessons),
        ("Timeline (UTC)", timeline),
        ("Supporting information", supporting),
    ),
    "pagerduty": (
        ("Overview", summary),
        ("What happened", what_happened),
        ("Contributing factors", root_causes),
        ("Resolution", resolution),
        ("Impact", impact),
        ("Responders", responders),
        ("Timeline (UTC)", timeline),
        ("How we did", lessons),
        ("Action items", action_items),
        ("Supporting information", supporting),
    ),
    "incident-io": (
        ("Summary", summary),
        ("Impact", impact),
        ("Timeline (UTC)", timeline),
        ("Contributors", contributors),
        ("Mitigators", mitigators),
        ("Learnings and risks", lessons),
        ("Follow-ups", action_items),
        ("Supporting information", supporting),
    ),
}


def postmortem(incident: Incident, records: Records, layout: str = "google") -> str:
    intent = incident["intent"]
    status = "closed" if intent["complete"] else f"draft: the incident is in its {intent['stage']} stage"
    head = [
        f"# Postmortem: {intent['title']}",
        "",
        f"<!-- cockpit postmortem: layout {layout}, schema {incident['schema_version']} -->",
        "",
        f"- **Incident:** {intent['slug']} ({intent['studio']})",
        f"- **Opened:** {_day_time(intent['created_at'])} UTC",
        f"- **As of:** {_day_time(incident['as_of'])} UTC",
        f"- **Status:** {status}",
        f"- **Authors:** {', '.join(incident['actors']) or '—'}",
    ]
    body: list[str] = []
    for title, part in LAYOUTS[layout]:
        body += ["", f"## {title}", "", *part(incident, records)]
    return "\n".join(head + body).rstrip() + "\n"


# ------------------------------------------------------------------ the lint


def lint(text: str) -> list[Any]:
    """The postmortem checks (cockpit.checks.postmortem) on a document: their Results, in order."""
    from cockpit.checks.base import CheckContext
    from cockpit.checks.registry import POSTMORTEM_CHECKS, get

    parsed = markdown.sections(text)
    return [get(check_id).run(text, CheckContext(), parsed) for check_id in POSTMORTEM_CHECKS]
