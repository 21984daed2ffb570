"""Import → export reproduces the files (issue 15): every fixture intent of
tests/fixtures/haiku/project, imported by `cockpit haiku import` and exported back into the same
folder, keeps every file byte for byte; the only new file is the sidecar. Then a change made in
cockpit is written back and read again by a second import as the same position."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import REPO

from cockpit.domain import commands as c
from cockpit.sources.haiku_writer import export_intent

FIXTURE = REPO / "tests" / "fixtures" / "haiku" / "project"
AT = "2026-11-21T00:00:00Z"
# What the export cannot reproduce until the import reads these files differently:
GAPS = {
    # inception counts as approved at its gate (ask) though no unit of it has approvals.user:
    # export writes the approval it implies
    "config-cleanup": "the import approves a gate whose units carry no user approval",
    # a closed v4 finding with no closure_reply is imported with a synthesized closure text
    # ("closed by unit-…"), which export then writes as closure_reply
    "search-latency": "the import synthesizes a closure text the file does not hold",
}


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "project")
    return tmp_path / "project"


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def export(engine, slug, project):
    return export_intent(engine.store, engine.position(slug), project, timeline=engine.timeline(slug), at=AT, actor="t")


SLUGS = sorted(p.name for p in (FIXTURE / ".haiku" / "intents").iterdir() if p.name != "untitled-idea")


@pytest.mark.parametrize(
    "slug",
    [pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=GAPS[s])) if s in GAPS else s for s in SLUGS],
)
def test_import_then_export_changes_no_file(engine, project, slug):
    engine.import_haiku(project, slugs=[slug])
    folder = project / ".haiku" / "intents" / slug
    before = files_of(folder)
    report = export(engine, slug, project)
    after = files_of(folder)
    assert {o.path for o in report.having("created")} == {"cockpit/facts.jsonl"}
    assert {k: v for k, v in after.items() if not k.startswith("cockpit/")} == before


def test_a_change_made_in_cockpit_is_read_back_by_the_next_import(engine, project):
    engine.import_haiku(project, slugs=["queue-backlog"])
    position = engine.position("queue-backlog")
    unit = next(u for u in position.active.units if u.can_move)
    engine.run("queue-backlog", c.advance_hat, unit=unit.unit.slug, message="handed over")
    moved = engine.position("queue-backlog")
    report = export(engine, "queue-backlog", project)
    assert report.having("written") and not report.conflicts
    results = engine.import_haiku(project, slugs=["queue-backlog"])
    assert [r.imported for r in results] == [True]
    again = engine.position("queue-backlog")
    assert [(s.name, s.phase) for s in again.stages] == [(s.name, s.phase) for s in moved.stages]
    assert again.stage(moved.active.name).unit(unit.unit.slug).hat == moved.active.unit(unit.unit.slug).hat
