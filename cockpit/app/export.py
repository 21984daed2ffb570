"""`cockpit export`: the incident leaves the database as a postmortem and as data.

- `incident.json`: the whole incident (stages, units, findings with their fix loops, gates,
  decisions and overrides, runbook runs, AI provenance, stars), with a schema version;
- `timeline.jsonl`: one event per line (id, at, actor, source, kind, text, references, starred),
  its first line a header naming the schema and its version;
- `postmortem.md`: the layout's sections filled from the incident (cockpit.app.postmortem).

Everything exported passes the redaction (one Redactor for the whole export, so a secret has the
same placeholder in every file) and is terminal-safe. The same database gives the same bytes: no
wall clock (the incident is dated by its own last event), every list in a stable order, JSON with
sorted keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.domain.record import happened_at, kind_of, source_of, starred
from cockpit.errors import CockpitError
from cockpit.text.redact import Redactor
from cockpit.text.terminal import json_controls_escaped, safe

if TYPE_CHECKING:
    from cockpit.app.engine import Engine
    from cockpit.domain.walk import Position

INCIDENT_SCHEMA = "cockpit.incident"
TIMELINE_SCHEMA = "cockpit.timeline"
SCHEMA_VERSION = 1
FORMATS = ("md", "json", "jsonl")
FILES = {"md": "postmortem.md", "json": "incident.json", "jsonl": "timeline.jsonl"}


class Cleaner:
    """Every string of the export through the same redaction, then made terminal-safe."""

    def __init__(self) -> None:
        self.redactor = Redactor()

    def text(self, value: str) -> str:
        return safe(self.redactor.redact(value).text)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {str(k): self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value


# ------------------------------------------------------------------ the timeline as data


def _references(event: Mapping[str, Any]) -> dict[str, Any]:
    """What the event is about, by name: stage, unit, hat, finding, the event a star names, a run."""
    data = event.get("data") or {}
    refs = {key: event.get(key) for key in ("stage", "unit", "hat") if event.get(key)}
    if data.get("feedback"):
        refs["finding"] = data["feedback"]
    if event["command"] in ("star", "unstar") and isinstance(data.get("event"), int):
        refs["event"] = data["event"]
    if data.get("runbook"):
        refs["runbook"] = data["runbook"]
    for key in ("block", "run", "line"):
        if key in data and isinstance(data[key], int):
            refs[key] = data[key]
    return refs


def timeline_record(event: Mapping[str, Any], stars: set[int]) -> dict[str, Any]:
    """One line of timeline.jsonl."""
    from cockpit.app.report import ai_note

    data = event.get("data") or {}
    text = " ".join(x for x in (event["command"].replace("_", " "), event.get("message") or "") if x)
    record: dict[str, Any] = {
        "id": event["id"],
        "at": event["at"],
        "actor": event["actor"],
        "source": source_of(event),
        "kind": kind_of(event["command"]),
        "command": event["command"],
        "text": text,
        "references": _references(event),
        "starred": event["id"] in stars,
    }
    if happened_at(event) != event["at"]:
        record["happened_at"] = happened_at(event)
    if data.get("ai"):
        record["ai"] = {"note": ai_note(dict(event)), **data["ai"]}
    return record


def timeline_lines(events: list[dict[str, Any]], slug: str, clean: Cleaner) -> list[dict[str, Any]]:
    stars = starred(events)
    header = {"schema": TIMELINE_SCHEMA, "schema_version": SCHEMA_VERSION, "intent": slug, "events": len(events)}
    return [header, *(clean(timeline_record(e, stars)) for e in events)]


# ------------------------------------------------------------------ the whole incident


def _iteration(it: Any) -> dict[str, Any]:
    return {
        "hat": it.hat,
        "started_at": it.started_at,
        "completed_at": it.completed_at,
        "result": it.result,
        "message": it.message,
    }


def _decision(d: Any) -> dict[str, Any]:
    return {
        "stage": d.stage,
        "kind": d.kind,
        "at": d.at,
        "by": d.actor,
        "path": d.path,
        "reason": d.reason,
        "url": d.url,
        "event": d.event_id,
    }


def ai_provenance(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each AI-assisted action: what it touched, which model drafted it, and who accepted it (the
    actor who ran the command: a model never calls commands)."""
    from cockpit.app.report import ai_note

    out = []
    for e in events:
        ai = (e.get("data") or {}).get("ai")
        if not ai:
            continue
        out.append(
            {
                "event": e["id"],
                "at": e["at"],
                "accepted_by": e["actor"],
                "command": e["command"],
                "note": ai_note(dict(e)),
                "stage": e.get("stage"),
                "unit": e.get("unit"),
                "finding": (e.get("data") or {}).get("feedback"),
                "model": ai.get("model") if isinstance(ai, dict) else None,
                "task": ai.get("task") if isinstance(ai, dict) else None,
                "edited": bool(ai.get("edited")) if isinstance(ai, dict) else False,
            }
        )
    return out


def incident_data(pos: Position, events: list[dict[str, Any]], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole incident as plain data (not yet redacted)."""
    from cockpit.app.report import finding_detail_json
    from cockpit.domain.finding_detail import finding_detail

    intent = pos.facts.intent
    active = pos.active
    stars = starred(events)
    return {
        "schema": INCIDENT_SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "intent": {
            "slug": intent.slug,
            "title": intent.title,
            "studio": pos.studio.name,
            "description": intent.description,
            "created_at": intent.created_at,
            "complete": pos.complete,
            "stage": active.name if active else None,
            "phase": active.phase if active else "complete",
        },
        "as_of": events[-1]["at"] if events else intent.created_at,
        "actors": sorted({e["actor"] for e in events}),
        "stages": [
            {
                "name": s.name,
                "status": s.status,
                "phase": s.phase,
                "reopened": s.reopened,
                "gate": {
                    "kinds": list(s.gate.kinds),
                    "approved": s.gate.approved,
                    "approval": None if s.gate.approval is None else _decision(s.gate.approval),
                    "overridden": [f.feedback.ref for f in s.gate.overridden],
                    "blocked_by": [f.feedback.ref for f in s.gate.blockers],
                },
                "units": [
                    {
                        "slug": u.unit.slug,
                        "title": u.unit.title,
                        "status": u.status,
                        "hat": u.hat,
                        "bolt": u.bolt,
                        "depends_on": list(u.unit.depends_on),
                        "created_at": u.unit.created_at,
                        "body": u.unit.body,
                        "iterations": [_iteration(it) for it in u.iterations],
                    }
                    for u in s.units
                ],
            }
            for s in pos.stages
        ],
        "findings": [
            finding_detail_json(finding_detail(pos, f.feedback.ref, events))
            for f in sorted(pos.findings, key=lambda f: f.feedback.number)
        ],
        "decisions": [_decision(d) for d in sorted(pos.facts.decisions, key=lambda d: (d.at, d.id))],
        "runs": runs,
        "ai": ai_provenance(events),
        "starred": sorted(stars),
        "events": len(events),
    }


def _runs(engine: Engine, intent_id: int) -> list[dict[str, Any]]:
    from cockpit.store.runs import runs_of_intent

    return [asdict(r) for r in runs_of_intent(engine.store.conn, intent_id)]


def read(engine: Engine, slug: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The incident (not yet redacted) and its events, read in one snapshot."""
    with engine.store.snapshot():
        pos = engine.position(slug)
        events = engine.timeline(slug)
        runs = _runs(engine, pos.facts.intent.id)
    return incident_data(pos, events, runs), events


def dumps(value: Any) -> str:
    """Stable JSON: sorted keys, UTF-8 kept, control characters escaped, one newline at the end."""
    return json_controls_escaped(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)) + "\n"


def rendered(engine: Engine, slug: str, formats: Iterable[str], layout: str) -> dict[str, str]:
    """File name → its text, for each format asked (in FORMATS order)."""
    from cockpit.app.postmortem import LAYOUTS, postmortem

    wanted = set(formats)
    unknown = wanted - set(FORMATS)
    if unknown:
        raise CockpitError(f"unknown export format {', '.join(sorted(unknown))} (formats: {', '.join(FORMATS)}, all)")
    if layout not in LAYOUTS:
        raise CockpitError(f"unknown postmortem layout {layout!r} (layouts: {', '.join(LAYOUTS)})")
    incident, events = read(engine, slug)
    clean = Cleaner()  # one for every file: a secret reads the same placeholder everywhere
    safe_incident = clean(incident)
    out: dict[str, str] = {}
    for fmt in FORMATS:
        if fmt not in wanted:
            continue
        if fmt == "md":
            out[FILES[fmt]] = postmortem(safe_incident, timeline_lines(events, slug, clean)[1:], layout)
        elif fmt == "json":
            out[FILES[fmt]] = dumps(safe_incident)
        else:
            lines = timeline_lines(events, slug, clean)
            out[FILES[fmt]] = "".join(
                json_controls_escaped(json.dumps(line, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
                + "\n"
                for line in lines
            )
    return out


def export(
    engine: Engine, slug: str, formats: Iterable[str], out_dir: str | Path, layout: str = "google"
) -> list[Path]:
    """Write the files asked for into `out_dir` (made if missing); their paths."""
    files = rendered(engine, slug, formats, layout)
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in files.items():
            path = folder / name
            path.write_text(text, encoding="utf-8", newline="\n")
            written.append(path)
    except OSError as exc:
        raise CockpitError(f"{folder}: could not write the export ({exc.strerror or exc})") from None
    return written
