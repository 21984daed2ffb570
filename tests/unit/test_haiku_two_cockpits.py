"""Two cockpits, one intent (issue 15): cockpit A works an incident and exports it to a project
folder; cockpit B, a fresh database, imports that folder. B must stand where A stands — the
status JSON (`cockpit status SLUG --json` is report.position_json) with A's unit slugs and
finding numbers — and tell the same timeline apart from the import's and export's own events
(`haiku_*`), because the import reads A's sidecar (cockpit.domain.haiku_sidecar). B then exports
into the same folder and changes nothing: not a byte, not a modification time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import T0, new_incident, to_execute

from cockpit.app import report
from cockpit.app.demo import sign_all
from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.sources.haiku_writer import export_intent
from cockpit.store.database import Store

AT = "2026-11-21T00:00:00Z"


def export(engine: Engine, slug: str, project: Path):
    return export_intent(engine.store, engine.position(slug), project, timeline=engine.timeline(slug), at=AT, actor="t")


def worked(engine: Engine) -> str:
    """resolve walked with a reject, a tick, a finding filed, classified and closed, another left
    open and blocking, the gate approved over it with an override reason; postmortem begun."""
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ()), ("test", ("fix",))])
    engine.run(slug, c.advance_hat, unit="fix")
    item = engine.position(slug).active.stage.hat("engineer").checklist[0]
    engine.run(slug, c.tick, unit="fix", item=item, ticked=True)
    engine.run(slug, c.advance_hat, unit="fix", message="patched the pool size")
    engine.run(slug, c.reject_hat, unit="fix", message="no test for the limit")
    engine.run(slug, c.advance_hat, unit="fix", message="with a test now")
    engine.run(slug, c.file_feedback, title="Limit is hard-coded", unit="fix")
    engine.run(slug, c.classify, ref="FB-001", severity="low", reason="config later is fine")
    engine.run(slug, c.close_finding, ref="FB-001", resolution="closed", text="moved to settings")
    for _ in range(2):
        engine.run(slug, c.advance_hat, unit="fix", message="verified")
    for _ in range(4):
        engine.run(slug, c.advance_hat, unit="test", message="ok")
    sign_all(engine, slug)
    engine.run(slug, c.file_feedback, title="No alert on pool exhaustion", severity="high", unit="test")
    engine.run(slug, c.approve, override="alerting is tracked in the postmortem")
    position = engine.position(slug)
    assert position.active is not None and position.active.name == "postmortem"
    assert [d.reason for d in position.facts.decisions if d.stage == "resolve" and d.kind == "approved"] == [
        "alerting is tracked in the postmortem"
    ]
    return slug


def status_json(engine: Engine, slug: str) -> dict:
    return report.position_json(engine.position(slug))


def story(engine: Engine, slug: str) -> list[dict]:
    """The timeline as `cockpit timeline --json` gives it, less row ids and the haiku_* events."""
    return [
        {k: v for k, v in e.items() if k not in ("id", "intent_id")}
        for e in engine.timeline(slug)
        if not str(e["command"]).startswith("haiku_")
    ]


def files_of(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def second(catalog) -> Engine:
    return Engine(Store(":memory:"), catalog, clock=stepping_clock(T0, timedelta(hours=9)), actor="bea")


def test_a_second_cockpit_imports_what_the_first_exported_and_stands_where_it_stands(engine, second, tmp_path):
    slug = worked(engine)
    report_a = export(engine, slug, tmp_path)
    assert not report_a.conflicts
    folder = tmp_path / ".haiku" / "intents" / slug
    (result,) = second.import_haiku(tmp_path)
    assert result.status == "imported" and result.problems == [], [str(p) for p in result.problems]

    assert status_json(second, slug) == status_json(engine, slug)
    assert story(second, slug) == story(engine, slug)
    mine, theirs = engine.position(slug).facts, second.position(slug).facts
    assert [(s.role, s.phase, s.at, s.actor, s.note) for s in theirs.signoffs] == [
        (s.role, s.phase, s.at, s.actor, s.note) for s in mine.signoffs
    ]
    assert [(d.stage, d.kind, d.at, d.actor, d.path, d.reason, d.url) for d in theirs.decisions] == [
        (d.stage, d.kind, d.at, d.actor, d.path, d.reason, d.url) for d in mine.decisions
    ]
    assert [(t.hat, t.bolt, t.item, t.ticked) for t in theirs.ticks] == [
        (t.hat, t.bolt, t.item, t.ticked) for t in mine.ticks
    ]
    assert [i.message for i in theirs.iterations] == [i.message for i in mine.iterations]

    before = files_of(folder)
    report_b = export(second, slug, tmp_path)
    assert {o.status for o in report_b.files} == {"unchanged"}
    assert files_of(folder) == before
    assert [e["command"] for e in second.timeline(slug) if e["command"].startswith("haiku_export")] == []


def test_the_second_cockpit_walks_on_from_there(engine, second, tmp_path):
    """B's position is a working one: the next step A would take, B can take."""
    slug = worked(engine)
    export(engine, slug, tmp_path)
    second.import_haiku(tmp_path)
    for one in (engine, second):
        one.run(slug, c.add_unit, title="Write the postmortem", unit="write-up")
        one.run(slug, c.declare_ready)
    assert status_json(second, slug) == status_json(engine, slug)


def test_a_re_import_of_the_same_folder_writes_nothing(engine, second, tmp_path):
    slug = worked(engine)
    export(engine, slug, tmp_path)
    second.import_haiku(tmp_path)
    events = len(second.timeline(slug))
    (again,) = second.import_haiku(tmp_path)
    assert again.status == "unchanged" and len(second.timeline(slug)) == events


def test_the_first_cockpit_reads_back_what_the_second_did(engine, second, tmp_path):
    """B works on from A's export and exports into the same folder (a teammate's push, pulled);
    A re-imports it: A takes in B's events, sign-offs and decisions from the sidecar and the new
    unit from its file, stands where B stands, and its own export then changes no file."""
    slug = worked(engine)
    export(engine, slug, tmp_path)
    second.import_haiku(tmp_path)
    second.run(slug, c.add_unit, title="Write the postmortem", unit="write-up")
    second.run(slug, c.declare_ready)
    sign_all(second, slug)
    second.run(slug, c.advance_hat, unit="write-up", message="drafting")
    assert not export(second, slug, tmp_path).conflicts

    (again,) = engine.import_haiku(tmp_path)
    assert again.status == "updated" and again.problems == [], [str(p) for p in again.problems]
    assert status_json(engine, slug) == status_json(second, slug)
    assert story(engine, slug) == story(second, slug)
    folder = tmp_path / ".haiku" / "intents" / slug
    before = files_of(folder)
    assert {o.path: o.status for o in export(engine, slug, tmp_path).files if o.status != "unchanged"} == {}
    assert files_of(folder) == before
    (third,) = engine.import_haiku(tmp_path)
    assert third.status == "unchanged"


def test_a_damaged_sidecar_is_read_as_far_as_it_can_be(engine, second, tmp_path):
    """Hostile or damaged lines are reported as path:line and left out; the rest is restored."""
    slug = worked(engine)
    export(engine, slug, tmp_path)
    sidecar = tmp_path / ".haiku" / "intents" / slug / "cockpit" / "facts.jsonl"
    lines = sidecar.read_text().splitlines()
    lines.insert(3, "{not json")
    lines.append(
        '{"kind":"signoff","unit":"x.md","role":"r","phase":"sideways","at":"2026-11-20T00:00:00Z","actor":"m","note":null}'
    )
    lines.append('{"kind":"event","at":"yesterday","actor":"m","command":"\\u001b[2J"}')
    sidecar.write_text("\n".join(lines) + "\n")
    (result,) = second.import_haiku(tmp_path)
    assert result.status == "imported"
    found = sorted((p.line, p.reason) for p in result.problems)
    assert {p.path for p in result.problems} == {str(sidecar)}
    assert [line for line, _ in found] == [4, len(lines) - 1, len(lines)]
    assert found[0][1].startswith("not JSON")
    assert found[1][1] == "signoff: unknown phase 'sideways': left out"
    assert found[2][1].startswith("event: 'yesterday' is not a time")
    assert status_json(second, slug) == status_json(engine, slug)
