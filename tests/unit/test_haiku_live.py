"""Live with the team (issue 15): write-through after every command on a linked intent, and the
watcher that re-imports what changed on disk but never what cockpit wrote itself.

The fixture intent is tests/fixtures/haiku/project's search-latency (v4 form, written in our own
words after gigsmart/haiku-method packages/haiku/src/orchestrator/workflow/cursor.ts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import git

from cockpit.app.backend import Backend
from cockpit.app.haiku_live import Watcher, needs_import, read_by_import, refresh, write_back
from cockpit.domain import commands as c

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "haiku" / "project"
SLUG = "search-latency"
UNIT = "stages/design/units/unit-002-empty-state.md"


@pytest.fixture
def project(tmp_path) -> Path:
    """A project holding one intent of the fixtures."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / ".haiku" / "intents" / SLUG, root / ".haiku" / "intents" / SLUG)
    return root


@pytest.fixture
def linked(engine, project):
    [result] = engine.import_haiku(project)
    assert result.status == "imported", result.problems
    return engine


def folder_of(project: Path) -> Path:
    return project / ".haiku" / "intents" / SLUG


def retitle(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


class CountingImports:
    """The engine's import_haiku, counted."""

    def __init__(self, engine) -> None:
        self.calls: list[Path] = []
        self._real = engine.import_haiku
        engine.import_haiku = self

    def __call__(self, path, **kwargs):
        self.calls.append(Path(path))
        return self._real(path, **kwargs)


def test_the_importer_reads_only_these_files():
    assert read_by_import("intent.md")
    assert read_by_import("feedback/01-x.md")
    assert read_by_import("stages/design/state.json") and read_by_import("stages/design/elaboration.md")
    assert read_by_import("stages/design/units/unit-01-a.md") and read_by_import("stages/d/feedback/002-b.md")
    for other in (
        "cockpit/facts.jsonl",
        "cockpit/conflicts/intent.md",
        ".fsm_checksum",
        "stages/design/units/.unit-01-a.md.x1.tmp",  # the writer's temporary file
        "stages/design/artifacts/plan.md",
        "knowledge/notes.md",
    ):
        assert not read_by_import(other), other


def test_a_file_edited_on_disk_is_reimported_once(linked, project):
    watcher = Watcher([project])
    watcher.prime()
    assert watcher.changes() == {}
    imports = CountingImports(linked)
    retitle(folder_of(project) / UNIT, "What an empty result says", "What an empty search says")
    changes = watcher.changes()
    assert changes == {folder_of(project).resolve(): {UNIT}}
    results = refresh(linked, changes)
    assert imports.calls == [folder_of(project).resolve()]
    assert [r.status for r in results] == ["updated"]
    titles = {u.slug: u.title for u in linked.position(SLUG).facts.units}
    assert titles["unit-002-empty-state"] == "What an empty search says"
    assert refresh(linked, watcher.changes()) == [] and len(imports.calls) == 1  # nothing moved since


def test_cockpits_own_write_back_sets_off_no_reimport(linked, project):
    watcher = Watcher([project])
    watcher.prime()
    imports = CountingImports(linked)
    done = linked.run(SLUG, c.file_feedback, title="Spinner hides the results", severity="medium")
    assert done.written is not None and done.written.problem is None
    changes = watcher.changes()
    assert changes  # the files did move on disk...
    assert not needs_import(linked, *next(iter(changes.items())))  # ...to the bytes cockpit recorded
    assert refresh(linked, changes) == [] and imports.calls == []


def test_a_new_intent_folder_is_imported_and_a_deleted_unit_file_is_noticed(linked, project):
    watcher = Watcher([project])
    watcher.prime()
    other = project / ".haiku" / "intents" / "cache-stampede"
    shutil.copytree(FIXTURES / ".haiku" / "intents" / "cache-stampede", other)
    changes = watcher.changes()
    assert other.resolve() in changes
    assert [r.slug for r in refresh(linked, changes)] == ["cache-stampede"]
    (folder_of(project) / UNIT).unlink()
    changes = watcher.changes()
    assert changes == {folder_of(project).resolve(): {UNIT}}
    assert needs_import(linked, folder_of(project).resolve(), changes[folder_of(project).resolve()])


def test_a_command_on_a_linked_intent_rewrites_its_file(linked, project):
    unit = folder_of(project) / UNIT
    before = unit.read_text()
    done = linked.run(SLUG, c.edit_unit, unit="unit-002-empty-state", body="Say what was searched.\n")
    assert done.written is not None and done.written.problem is None
    after = unit.read_text()
    assert after != before and after.endswith("Say what was searched.\n")
    assert after.split("---")[1] == before.split("---")[1]  # only the body changed: frontmatter kept byte for byte
    # The command's event is the record: the write-back adds no bookkeeping line per command.
    assert [e["command"] for e in linked.timeline(SLUG)][-1] == "edit_unit"


def test_an_intent_in_the_database_only_writes_no_file(engine):
    from helpers import new_incident

    slug = new_incident(engine)
    done = engine.run(slug, c.file_feedback, title="Only here", severity="low")
    assert done.written is None
    assert Backend(engine).location(slug) is None  # nothing to say while no project is open


def test_a_write_back_conflict_is_said_and_the_database_keeps_the_change(linked, project):
    unit = folder_of(project) / UNIT
    retitle(unit, "What an empty result says", "A teammate's title")  # not re-imported yet
    told: list[str] = []
    linked.warn = told.append
    done = linked.run(SLUG, c.edit_unit, unit="unit-002-empty-state", body="Cockpit's body.\n")
    problem = done.written.problem if done.written else None
    assert problem and "not written" in problem and UNIT in problem and "cockpit/conflicts/" in problem
    assert told == [problem]
    assert "A teammate's title" in unit.read_text()  # theirs left alone
    assert (folder_of(project) / "cockpit" / "conflicts" / UNIT).read_text().endswith("Cockpit's body.\n")
    bodies = {u.slug: u.body for u in linked.position(SLUG).facts.units}
    assert bodies["unit-002-empty-state"] == "Cockpit's body.\n"
    assert Backend(linked).location(SLUG).conflicts == (UNIT,)


def test_a_refused_write_is_said(linked, project, monkeypatch):
    from cockpit.errors import CockpitError
    from cockpit.sources import haiku_writer

    def refuse(path, data):
        raise CockpitError(f"cannot write {path}: Permission denied")

    monkeypatch.setattr(haiku_writer, "write_atomic", refuse)
    done = linked.run(SLUG, c.file_feedback, title="Spinner hides the results", severity="medium")
    problem = done.written.problem if done.written else ""
    assert (
        problem
        and problem.startswith(f"not written to {folder_of(project).resolve()}")
        and "Permission denied" in problem
    )
    assert any(f.feedback.title == "Spinner hides the results" for f in linked.position(SLUG).findings)
    assert write_back(linked, SLUG) is not None


def test_location_names_the_branch_and_its_distance_to_the_remote(linked, project, tmp_path):
    backend = Backend(linked)
    where = backend.location(SLUG)
    assert (where.project, where.branch, where.conflicts) == (str(project.resolve()), None, ())  # not in git
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "intents")
    where = backend.location(SLUG)
    assert (where.branch, where.ahead, where.behind) == ("main", None, None)  # no upstream
    git(project, "remote", "add", "origin", str(remote))
    git(project, "push", "-q", "-u", "origin", "main")
    linked.run(SLUG, c.file_feedback, title="Spinner hides the results", severity="medium")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "a finding")
    where = backend.location(SLUG)
    assert (where.branch, where.ahead, where.behind) == ("main", 1, 0)
    from cockpit.app.haiku_sync import sync

    sync(linked, SLUG)  # commits and pushes the finding's files
    where = backend.location(SLUG)
    assert (where.ahead, where.behind) == (0, 0) and where.last_sync is not None
