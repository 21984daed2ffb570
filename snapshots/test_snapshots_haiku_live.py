"""Where an intent lives (issue 15), at 80x24 and 160x48 with a fixed clock: the header of an intent
linked to a H·AI·K·U project in git, one commit ahead of its remote, with a unit file left in
conflict (a teammate's edit on disk, cockpit's version kept in cockpit/conflicts/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import git
from snapshot_harness import NOW, SIZES, settle_then

from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store
from screens.app import CockpitApp

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "haiku" / "project"
SLUG = "search-latency"
IDS = lambda s: f"{s[0]}x{s[1]}"  # noqa: E731


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_header_of_an_intent_in_a_project(snap_compare, tmp_path, monkeypatch, size):
    monkeypatch.setenv("HOME", str(tmp_path))  # the project is named ~/project whatever the temp folder
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / ".haiku" / "intents" / SLUG, project / ".haiku" / "intents" / SLUG)
    engine = Engine(Store(tmp_path / "c.db"), load_catalog(), clock=fixed_clock(NOW), actor="oncall")
    engine.import_haiku(project)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "intents")
    git(project, "remote", "add", "origin", str(remote))
    git(project, "push", "-q", "-u", "origin", "main")
    engine.run(SLUG, c.file_feedback, title="Spinner hides the results", severity="medium")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "a finding")
    unit = project / ".haiku/intents" / SLUG / "stages/design/units/unit-002-empty-state.md"
    unit.write_text(unit.read_text().replace("Say what was searched", "A teammate's words"))
    engine.run(SLUG, c.edit_unit, unit="unit-002-empty-state", body="Cockpit's words.\n")
    app = CockpitApp(engine, poll_seconds=3600, open_slug=SLUG)
    assert snap_compare(app, terminal_size=size, run_before=settle_then())
