"""`cockpit check SLUG [UNIT]`: pass/fail per unit with section and line, the findings it files,
--dry-run, --json, and exit 1 on a blocking failure."""

from __future__ import annotations

import json

import pytest
from helpers import CHECK_FIXTURES as FX
from helpers import GOOD_OPS, NO_ROLLBACK, ops_intent, to_verifier

from cockpit.app.engine import Engine
from cockpit.cli.main import main
from cockpit.runbooks.index import bundled_runbooks_dir
from cockpit.store.database import Store


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_ACTOR", "oncall")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return str(tmp_path / "c.db")


@pytest.fixture
def cli(db, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", db])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def seeded(db, catalog, *units, verifier=("deploy",)):
    store = Store(db)
    engine = Engine(store, catalog, actor="setup")
    ops_intent(engine, *units)
    for unit in verifier:
        to_verifier(engine, "ops", unit)
    events = len(engine.timeline("ops"))
    store.close()
    return events


def timeline(db, catalog):
    store = Store(db)
    try:
        return Engine(store, catalog, actor="t").timeline("ops")
    finally:
        store.close()


def test_check_prints_each_result_with_section_and_line_and_files_a_finding(db, catalog, cli):
    seeded(db, catalog, ("deploy", NO_ROLLBACK), ("draft", NO_ROLLBACK))
    code, out, _ = cli("check", "ops")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "deploy  [operations, at verifier]"
    assert "  ✗ FAIL  ops.rollback              blocker → FB-001" in lines
    assert (
        "      line 29, ## Rollback: the rollback names no literal command: write the reverse procedure an operator can run"
        in lines
    )
    assert any(line.startswith("  ✓ pass  ops.sections") for line in lines)
    assert any(line.startswith("  - skip  ops.alert-runbooks") and "no runbook library" in line for line in lines)
    assert any(line.startswith("draft  [operations, at ops-engineer] — draft:") for line in lines)
    assert lines[-1] == "findings: filed FB-001"
    # a second run finds the same finding again: no duplicate, nothing written
    before = len(timeline(db, catalog))
    code, out, _ = cli("check", "ops", "deploy")
    assert code == 1 and out.splitlines()[-1] == "findings: no change"
    assert len(timeline(db, catalog)) == before


def test_dry_run_reports_what_it_would_file_and_writes_nothing(db, catalog, cli):
    events = seeded(db, catalog, ("deploy", NO_ROLLBACK))
    code, out, _ = cli("check", "ops", "--dry-run")
    assert code == 1
    assert out.splitlines()[-1] == "findings (dry run, nothing written): would have filed FB-001"
    assert len(timeline(db, catalog)) == events


def test_json_shape(db, catalog, cli):
    seeded(db, catalog, ("deploy", NO_ROLLBACK))
    code, out, _ = cli("check", "ops", "deploy", "--json")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"slug", "dry_run", "units", "findings", "quality_gates", "gates_not_run", "blocking"}
    assert (data["slug"], data["dry_run"], data["blocking"]) == ("ops", False, True)
    assert data["findings"] == {"filed": ["FB-001"], "updated": [], "closed": [], "waived": []}
    [unit] = data["units"]
    assert {k: unit[k] for k in ("unit", "stage", "hat", "status", "engaged")} == {
        "unit": "deploy",
        "stage": "operations",
        "hat": "verifier",
        "status": "active",
        "engaged": True,
    }
    rollback = next(r for r in unit["results"] if r["check"] == "ops.rollback")
    assert rollback == {
        "check": "ops.rollback",
        "status": "fail",
        "severity": "blocker",
        "blocking": True,
        "finding": "FB-001",
        "note": "",
        "problems": [{"message": rollback["problems"][0]["message"], "section": "Rollback", "line": 29}],
    }
    assert {r["status"] for r in unit["results"]} == {"pass", "fail", "skip"}


def test_a_passing_unit_exits_0_and_a_fix_closes_the_finding_from_the_shell(db, catalog, cli, tmp_path):
    seeded(db, catalog, ("deploy", NO_ROLLBACK))
    assert cli("check", "ops")[0] == 1
    fixed = tmp_path / "fixed.md"
    fixed.write_text(GOOD_OPS)
    code, out, _ = cli("unit", "edit", "ops", "deploy", "--body-file", str(fixed))
    assert code == 0 and "closed FB-001" in out
    code, out, _ = cli("check", "ops", "deploy")
    assert code == 0 and "no runbook library available" in out  # nothing indexed: said, not failed
    (tmp_path / "rb").mkdir()  # the team's folder: a service-restart runbook that fails its lint
    (tmp_path / "rb" / "service-restart.md").write_text("# Service restart\n")
    code, out, _ = cli("check", "ops", "deploy", "--runbooks", str(tmp_path / "rb"))
    assert code == 1 and "fails its lint" in out
    # Fixed (the samples' lint-clean text, with the runbooks it links to): the check reads the
    # library again and passes.
    for sample in bundled_runbooks_dir().glob("*.md"):
        (tmp_path / "rb" / sample.name).write_text(sample.read_text())
    code, out, _ = cli("check", "ops", "deploy", "--runbooks", str(tmp_path / "rb"))
    assert code == 0, out
    assert "✓ pass  ops.alert-runbooks" in out


def test_unknown_units_and_intents_are_one_line_errors(db, catalog, cli):
    seeded(db, catalog, ("deploy", GOOD_OPS), verifier=())
    code, _, err = cli("check", "ops", "ghost")
    assert code == 1 and err.strip() == "cockpit: intent ops has no unit 'ghost'"
    code, _, err = cli("check", "nope")
    assert code == 1 and err.startswith("cockpit: no intent 'nope'")


def test_an_intent_whose_active_stage_declares_no_checks_reports_nothing_to_file(db, catalog, cli):
    code, _, _ = cli("new", "--studio", "incident-response", "--title", "Inc", "--slug", "inc")
    cli("unit", "add", "inc", "--title", "Declare SEV2")
    code, out, _ = cli("check", "inc")
    assert code == 0
    assert out.splitlines()[0].startswith("no checks to run")


def test_help_lists_the_check_command():
    from cockpit.cli.main import build_parser

    assert "check" in build_parser().format_help()


def test_root_scans_listed_artifacts_and_a_run_without_it_leaves_that_finding_alone(db, catalog, cli):
    body = (FX / "operations" / "fail-artifact-secrets.md").read_text()
    seeded(db, catalog, ("deploy", body))
    code, out, _ = cli("check", "ops", "deploy", "--root", str(FX / "operations" / "artifacts"))
    assert code == 1
    assert "✗ FAIL  ops.artifact-secrets      blocker → FB-001" in out
    assert "`deploy/invoice-renderer/values-staging.yaml` line 5: hardcoded secret assigned inline" in out
    code, out, _ = cli("check", "ops", "deploy")
    assert "- skip  ops.artifact-secrets      skipped: 3 listed artifacts not read" in out
    assert out.splitlines()[-1] == "findings: no change"  # skipped: the finding stands
    code, out, _ = cli("advance", "ops", "deploy")
    assert "cannot advance: blocking check findings FB-001" in out


def test_root_refuses_listed_artifacts_outside_it_and_reads_none_of_them(db, catalog, cli, tmp_path):
    """`--root` is the one tree check may read: `../`, an absolute path or a symlink out is refused
    with a line saying so, and its secret is never read (so never reported either)."""
    secret = "db_password = " + "Hunter2-outside-Zq81"
    (tmp_path / "outside.yaml").write_text(secret + "\n")
    root = tmp_path / "repo"
    (root / "deploy").mkdir(parents=True)
    (root / "deploy" / "values.yaml").write_text("replicas: 3\n")
    (root / "deploy" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    body = (FX / "operations" / "fail-artifact-secrets.md").read_text()
    listed = ["deploy/values.yaml", "../outside.yaml", str(tmp_path / "outside.yaml"), "deploy/link.yaml"]
    table = "| Path | Purpose | Notes |\n|---|---|---|\n" + "".join(f"| `{p}` | values | - |\n" for p in listed)
    start = body.index("| Path |")
    body = body[:start] + table + body[body.index("\n\n", start) :]
    seeded(db, catalog, ("deploy", body))
    code, out, _ = cli("check", "ops", "deploy", "--root", str(root))
    assert code == 1
    for path in listed[1:]:
        assert f": listed artifact `{path}` resolves outside the root {root}; refused: not read" in out, path
    assert "Hunter2" not in out and "line 1: hardcoded" not in out


def test_read_artifacts_marks_what_it_refused():
    from cockpit.checks.base import Refused
    from cockpit.sources.artifacts import read_artifacts

    body = "## Artifacts produced\n| Path |\n|---|\n| `../../etc/passwd` |\n| `pass.md` |\n"
    found = read_artifacts(body, FX / "operations")
    assert isinstance(found["../../etc/passwd"], Refused) and "pass.md" in found and isinstance(found["pass.md"], str)
