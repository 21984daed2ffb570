"""The live link from the command line (issue 15): a command on an imported intent writes its
files back at once, a file it cannot write is said on stderr, and `--haiku` / config `haiku` name
the projects the cockpit screen opens."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "haiku" / "project"
SLUG = "search-latency"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / ".haiku" / "intents" / SLUG, root / ".haiku" / "intents" / SLUG)
    return root


def test_a_finding_filed_from_the_cli_lands_in_the_project_at_once(cli, project):
    assert cli("haiku", "import", str(project))[0] == 0
    code, _out, err = cli("feedback", "add", SLUG, "--title", "Spinner hides the results", "--severity", "medium")
    assert (code, err) == (0, "")
    written = project / ".haiku/intents" / SLUG / "stages/design/feedback/004-spinner-hides-the-results.md"
    assert "title: Spinner hides the results" in written.read_text()


def test_a_conflict_is_said_on_stderr_and_the_command_still_counts(cli, project, tmp_path):
    cli("haiku", "import", str(project))
    unit = project / ".haiku/intents" / SLUG / "stages/design/units/unit-002-empty-state.md"
    unit.write_text(unit.read_text().replace("Say what was searched", "A teammate's words"))
    body = tmp_path / "body.md"
    body.write_text("Cockpit's words.\n")
    code, _out, err = cli("unit", "edit", SLUG, "unit-002-empty-state", "--body-file", str(body))
    assert code == 0
    assert err.startswith("cockpit: warning: 1 file(s) of ") and "unit-002-empty-state.md" in err
    assert "A teammate's words" in unit.read_text()


def test_haiku_projects_come_from_the_flag_and_the_config(tmp_path, monkeypatch):
    from cockpit.app.config import load_config
    from cockpit.cli.main import build_parser
    from cockpit.errors import CockpitError

    args = build_parser().parse_args(["--haiku", "a", "--haiku", "b"])
    assert args.haiku == ["a", "b"]
    monkeypatch.setenv("HOME", str(tmp_path))
    config = tmp_path / "config.toml"
    config.write_text('haiku = ["~/src/payments", "/srv/ledger"]\n')
    assert load_config(config).haiku == (str(tmp_path / "src/payments"), "/srv/ledger")
    config.write_text("haiku = 5\n")
    with pytest.raises(CockpitError, match="`haiku` must be a folder or a list of folders"):
        load_config(config)
