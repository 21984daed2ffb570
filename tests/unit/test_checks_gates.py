"""Quality-gate commands from unit frontmatter: kept on import, run only once confirmed, with a
timeout, from the unit's dir, recorded with a capped, redacted output tail; expect-fail gates; a
failed gate is a blocker finding that holds the verifier and closes when the gate passes."""

from __future__ import annotations

import _thread
import json
import threading
import time

import pytest
from helpers import resolve_intent, unit_file

from cockpit.app.engine import Engine
from cockpit.cli import checks as cli_checks
from cockpit.cli.main import main
from cockpit.domain import commands as c
from cockpit.domain.check_runs import check_id_of
from cockpit.domain.gates import GateSpec, gate_specs
from cockpit.domain.model import unit_meta
from cockpit.errors import CockpitError
from cockpit.sources.quality_gates import TAIL_CHARS, TAIL_LINES, run_gate
from cockpit.store.database import Store

SECRET = "hunter" + "2-" + "Zq81"


# ------------------------------------------------------------------ specs and the runner


def test_frontmatter_is_kept_on_import(engine, tmp_path):
    slug = resolve_intent(
        engine, unit_file(tmp_path, "  - {name: unit, command: 'pytest -q', dir: svc, expect: fail}\n")
    )
    unit = engine.position(slug).active.unit("unit-01-fix").unit
    meta = unit_meta(unit)
    assert meta["title"] == "Keep counters across failover"
    assert meta["quality_gates"] == [{"name": "unit", "command": "pytest -q", "dir": "svc", "expect": "fail"}]


def test_gate_specs_skip_malformed_entries_with_a_reason():
    specs, problems = gate_specs(
        {
            "quality_gates": [
                {"name": "ok", "command": "make test"},
                {"name": "no command"},
                {"command": "x", "expect": "maybe"},
                {"command": "y", "timeout": -1},
                "just text",
            ]
        }
    )
    assert [s.name for s in specs] == ["ok"]
    assert problems == [
        "quality gate #2 has no `command`",
        "quality gate #3: `expect` must be pass or fail, not 'maybe'",
        "quality gate #4: `timeout` must be a positive number of seconds",
        "quality gate #5 has no `command`",
    ]
    assert gate_specs({"quality_gates": "make test"})[1] == [
        "`quality_gates` must be a list of {name, command, dir?, expect?}"
    ]


def test_changing_the_command_or_where_it_runs_changes_what_a_confirmation_covers():
    base = GateSpec("unit", "pytest -q")
    assert base.digest == GateSpec("unit", "pytest -q").digest
    assert (
        len(
            {
                base.digest,
                GateSpec("unit", "pytest -q; curl x | sh").digest,
                GateSpec("unit", "pytest -q", dir="other").digest,
                GateSpec("unit", "pytest -q", expect="fail").digest,
            }
        )
        == 4
    )


def test_a_gate_passes_fails_and_runs_in_its_dir(tmp_path):
    (tmp_path / "svc").mkdir()
    ok = run_gate(GateSpec("where", "pwd", dir="svc"), tmp_path, timeout=10)
    assert ok.passed and ok.exit_code == 0 and ok.tail.endswith("/svc")
    bad = run_gate(GateSpec("lint", "echo 'E501 line too long'; exit 2"), tmp_path, timeout=10)
    assert (bad.passed, bad.exit_code, bad.tail) == (False, 2, "E501 line too long")
    assert bad.verdict() == "exited 2, expected 0"
    missing = run_gate(GateSpec("nowhere", "true", dir="gone"), tmp_path, timeout=10)
    assert not missing.passed and missing.error.startswith("no directory")


def test_an_expect_fail_gate_passes_only_when_the_command_fails(tmp_path):
    assert run_gate(GateSpec("pre-fix is red", "exit 1", expect="fail"), tmp_path, timeout=10).passed
    green = run_gate(GateSpec("pre-fix is red", "exit 0", expect="fail"), tmp_path, timeout=10)
    assert not green.passed and green.verdict() == "exited 0, expected a failure"


def test_a_timeout_kills_the_whole_command(tmp_path):
    started = time.monotonic()
    run = run_gate(GateSpec("hangs", "sleep 30 & sleep 30; echo never"), tmp_path, timeout=0.5)
    assert time.monotonic() - started < 10
    assert (run.timed_out, run.exit_code, run.passed) == (True, None, False)
    assert "never" not in run.tail


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _grandchild_gone(pidfile) -> bool:
    for _ in range(40):  # its shell is killed with it; init reaps it a moment later
        if pidfile.exists() and pidfile.read_text().strip() and not _alive(int(pidfile.read_text())):
            return True
        time.sleep(0.05)
    return False


def _start_grandchild(tmp_path) -> tuple[GateSpec, object]:
    pidfile = tmp_path / "grandchild.pid"
    # `sleep` runs as a grandchild (a child of the gate's shell), which then waits on it
    return GateSpec("hangs", f"sleep 30 & echo $! > {pidfile}; wait"), pidfile


def test_a_timeout_kills_the_grandchildren_too(tmp_path):
    spec, pidfile = _start_grandchild(tmp_path)
    run = run_gate(spec, tmp_path, timeout=0.5)
    assert run.timed_out and _grandchild_gone(pidfile)


def test_a_cancel_kills_the_whole_group_and_says_so(tmp_path):
    spec, pidfile = _start_grandchild(tmp_path)
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    run = run_gate(spec, tmp_path, timeout=30, cancel=cancel)
    assert time.monotonic() - started < 5
    assert (run.timed_out, run.exit_code, run.error, run.passed) == (False, None, "cancelled", False)
    assert run.outcome().startswith("cancelled after ") and run.verdict() == "cancelled"
    assert _grandchild_gone(pidfile)


def test_ctrl_c_while_a_gate_runs_kills_its_group_before_the_interrupt_goes_on(tmp_path):
    """The gate runs in its own session, outside the terminal's foreground group: Ctrl-C reaches
    only cockpit, which must take the gate down with it."""
    spec, pidfile = _start_grandchild(tmp_path)
    threading.Timer(0.3, _thread.interrupt_main).start()
    with pytest.raises(KeyboardInterrupt):
        run_gate(spec, tmp_path, timeout=30)
    assert _grandchild_gone(pidfile)


HOSTILE_COMMANDS = [
    ("cr-erase", "rm -rf ~/.ssh\r\x1b[2Kmake test", "␍ at 13, ␛ at 14"),
    ("osc52", "make test \x1b]52;c;cm0gLXJmIH4=\x07", "␛ at 10, ␇ at 29"),
    ("backspace", "make test\x08\x08\x08\x08; curl x|sh", "␈ at 9, ␈ at 10, ␈ at 11, ␈ at 12"),
    ("c1", "make\x9b2J test", "<U+009B> at 4"),
    ("bidi", "make test \u202e hs|x lruc", "<U+202E> at 10"),
]


@pytest.mark.parametrize("name, command, where", HOSTILE_COMMANDS, ids=[h[0] for h in HOSTILE_COMMANDS])
def test_a_command_with_control_characters_is_refused_naming_each_one(name, command, where, tmp_path):
    specs, problems = gate_specs(
        {"quality_gates": [{"name": "tests", "command": command}, {"name": "ok", "command": "make\ttest\n"}]}
    )
    assert [s.name for s in specs] == ["ok"]
    assert problems == [
        f"quality gate #1 (tests): its command holds control characters ({where}): "
        "what is shown would not be what runs; refused"
    ]
    marker = tmp_path / "ran"
    run = run_gate(
        GateSpec("tests", f"touch {marker}; {command}"), tmp_path, timeout=10
    )  # built by hand: refused again
    assert not marker.exists() and not run.passed and run.error.startswith("its command holds control characters")
    assert "\x1b" not in GateSpec("tests", command).describe() and "\r" not in GateSpec("tests", command).describe()


def test_a_confirmation_of_a_command_with_control_characters_is_refused(engine, tmp_path):
    slug = resolve_intent(engine, unit_file(tmp_path, "  - {name: lint, command: make lint}\n"))
    gate = {"name": "tests", "command": "rm -rf ~\r\x1b[2Kmake test", "dir": None, "expect": "pass", "digest": "x"}
    with pytest.raises(
        CockpitError, match="unit unit-01-fix: quality gate tests: its command holds control characters"
    ):
        engine.run(slug, c.confirm_quality_gates, unit="unit-01-fix", gates=(gate,))
    assert not [e for e in engine.timeline(slug) if e["command"] == "confirm_quality_gates"]


def test_a_dir_outside_the_root_is_refused(tmp_path):
    root = tmp_path / "repo"
    (root / "svc").mkdir(parents=True)
    (root / "escape").symlink_to(tmp_path)
    marker = tmp_path / "ran"
    for where in ("..", "/tmp", "svc/../..", "escape"):
        run = run_gate(GateSpec("t", f"touch {marker}", dir=where), root, timeout=10)
        assert not marker.exists() and not run.passed
        assert run.error == f"its dir `{where}` resolves outside the root {root}; refused", where
    assert run_gate(GateSpec("t", "true", dir="svc/.."), root, timeout=10).passed


def test_the_output_tail_is_capped_and_redacted(tmp_path):
    script = f"for i in $(seq 1 500); do echo line $i; done; echo db_password={SECRET}; echo done"
    run = run_gate(GateSpec("chatty", script), tmp_path, timeout=10)
    assert SECRET not in run.tail and "db_password=[SECRET_1]" in run.tail
    assert len(run.tail.splitlines()) == TAIL_LINES and len(run.tail) <= TAIL_CHARS
    assert run.tail.splitlines()[-1] == "done"
    assert SECRET not in json.dumps(run.to_json())
    assert (
        run_gate(GateSpec("cmd", f"true password={SECRET}"), tmp_path, 10).to_json()["command"]
        == "true password=[SECRET_1]"
    )


# ------------------------------------------------------------------ recording, findings, the walk


def test_a_failed_gate_files_a_blocker_with_the_redacted_tail_and_a_pass_closes_it(engine, tmp_path):
    slug = resolve_intent(engine, unit_file(tmp_path, "  - {name: lint, command: make lint}\n"))
    engine.run(slug, c.declare_ready)
    failed = run_gate(GateSpec("lint", f"echo password={SECRET}; exit 1"), tmp_path, timeout=10)
    done = engine.run(slug, c.record_quality_gates, unit="unit-01-fix", runs=(failed.to_json(),))
    assert done.summary == "unit-01-fix: quality gates 0/1 passed (filed FB-001)"
    finding = done.position.finding("FB-001")
    assert (check_id_of(finding.feedback), finding.feedback.severity, finding.target) == (
        "gate:lint",
        "blocker",
        "unit-01-fix",
    )
    assert "exited 1, expected 0" in finding.feedback.body and "password=[SECRET_1]" in finding.feedback.body
    event = engine.timeline(slug)[-1]
    assert event["command"] == "quality_gates" and event["data"]["gates"][0]["exit_code"] == 1
    assert SECRET not in json.dumps(engine.timeline(slug)) and SECRET not in finding.feedback.body
    again = engine.run(slug, c.record_quality_gates, unit="unit-01-fix", runs=(failed.to_json(),))
    assert "filed" not in again.summary  # the same failure: no second finding
    passed = run_gate(GateSpec("lint", "true"), tmp_path, timeout=10)
    done = engine.run(slug, c.record_quality_gates, unit="unit-01-fix", runs=(passed.to_json(),))
    assert "closed FB-001" in done.summary
    assert done.position.finding("FB-001").feedback.closure_text.startswith(
        "Check gate:lint passes now: `true` exited 0"
    )


def test_a_failed_gate_holds_the_verifier_even_when_the_body_checks_pass(engine, tmp_path):
    slug = resolve_intent(engine, unit_file(tmp_path, "  - {name: lint, command: make lint}\n"))
    engine.run(slug, c.declare_ready)
    for unit, role in engine.position(slug).active.missing_review:
        engine.run(slug, c.signoff, unit=unit, role=role)
    for _ in range(3):
        engine.run(slug, c.advance_hat, unit="unit-01-fix", message="ok")
    failed = run_gate(GateSpec("lint", "exit 1"), tmp_path, timeout=10)
    engine.run(slug, c.record_quality_gates, unit="unit-01-fix", runs=(failed.to_json(),))
    done = engine.run(slug, c.advance_hat, unit="unit-01-fix", message="verified")
    assert "cannot advance" in done.summary and "FB-001" in done.summary
    engine.run(
        slug,
        c.record_quality_gates,
        unit="unit-01-fix",
        runs=(run_gate(GateSpec("lint", "true"), tmp_path, 10).to_json(),),
    )
    assert (
        engine.run(slug, c.advance_hat, unit="unit-01-fix", message="verified")
        .position.active.unit("unit-01-fix")
        .status
        == "done"
    )


# ------------------------------------------------------------------ confirmation, from the shell


@pytest.fixture
def shell(tmp_path, monkeypatch, capsys, catalog):
    monkeypatch.setenv("COCKPIT_ACTOR", "oncall")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    db = str(tmp_path / "c.db")
    marker = tmp_path / "ran"
    gates = (
        f"  - {{name: pre-fix is red, command: 'touch {marker}; exit 1', expect: fail}}\n"
        f"  - {{name: fixed is green, command: 'echo token={SECRET}'}}\n"
    )
    store = Store(db)
    resolve_intent(Engine(store, catalog, actor="setup"), unit_file(tmp_path, gates))
    store.close()

    def run(*args: str) -> tuple[int, str]:
        code = main(["check", "inc", *args, "--db", db, "--root", str(tmp_path)])
        return code, capsys.readouterr().out

    run.marker, run.db = marker, db
    return run


def timeline(db, catalog):
    store = Store(db)
    try:
        return Engine(store, catalog, actor="t").timeline("inc")
    finally:
        store.close()


def test_an_unconfirmed_gate_never_runs(shell, monkeypatch, catalog):
    monkeypatch.setattr(cli_checks, "_ask", lambda prompt: False)  # the engineer says no (or there is no terminal)
    code, out = shell("unit-01-fix")
    assert not shell.marker.exists()
    assert "pre-fix is red: `touch" in out and "not confirmed, not run" in out
    assert not [e for e in timeline(shell.db, catalog) if e["command"] in ("confirm_quality_gates", "quality_gates")]
    # The body checks pass, but a declared gate that did not run is not a pass.
    assert code == 1
    assert out.splitlines()[-2] == (
        "quality gates not run: unit-01-fix: pre-fix is red (not confirmed), "
        "unit-01-fix: fixed is green (not confirmed)"
    )


def test_a_confirmed_gate_runs_now_and_later_without_asking(shell, monkeypatch, catalog):
    asked: list[str] = []
    monkeypatch.setattr(cli_checks, "_ask", lambda prompt: asked.append(prompt) or True)
    code, out = shell("unit-01-fix")
    assert code == 0 and shell.marker.exists()
    assert len(asked) == 2 and "pre-fix is red: `touch" in asked[0] and "(must fail)" in asked[0]
    assert "✓ pass  gate:pre-fix-is-red" in out and "recorded: unit-01-fix: quality gates 2/2 passed" in out
    events = [e["command"] for e in timeline(shell.db, catalog)]
    assert events[-2:] == ["confirm_quality_gates", "quality_gates"]
    shell.marker.unlink()
    asked.clear()
    code, out = shell("unit-01-fix")
    assert asked == [] and shell.marker.exists()  # confirmed once for this unit
    assert SECRET not in json.dumps(timeline(shell.db, catalog))


def test_yes_confirms_for_scripts_and_json_reports_the_runs(shell, monkeypatch):
    monkeypatch.setattr(cli_checks, "_ask", lambda prompt: pytest.fail("--yes must not ask"))
    code, out = shell("unit-01-fix", "--yes", "--json")
    data = json.loads(out)
    assert code == 0
    assert [(g["name"], g["confirmed"], g["passed"], g["exit_code"]) for g in data["quality_gates"]] == [
        ("pre-fix is red", True, True, 1),
        ("fixed is green", True, True, 0),
    ]
    assert data["quality_gates"][1]["tail"] == "token=[SECRET_1]"


def test_dry_run_runs_no_command_and_says_the_gates_did_not_run(shell):
    code, out = shell("unit-01-fix", "--dry-run", "--yes")
    assert not shell.marker.exists()
    assert code == 1 and "quality gates not run (dry run): unit-01-fix: pre-fix is red (dry run), " in out


def test_json_names_the_gates_that_did_not_run(shell, monkeypatch):
    monkeypatch.setattr(cli_checks, "_ask", lambda prompt: "pre-fix" in prompt)  # yes to the first only
    code, out = shell("unit-01-fix", "--json")
    data = json.loads(out)
    assert code == 1 and data["blocking"] is True
    assert data["gates_not_run"] == ["unit-01-fix: fixed is green (not confirmed)"]


def gated(tmp_path, catalog, gates: str) -> str:
    """A fresh database with one resolve unit declaring `gates` (stored as another tool would, so
    the import's own refusal is not in the way: check must refuse on its own)."""
    db = str(tmp_path / "g.db")
    store = Store(db)
    engine = Engine(store, catalog, actor="setup")
    resolve_intent(engine, unit_file(tmp_path, "  - {name: placeholder, command: 'true'}\n"))
    with store.writing():
        store.db.execute("UPDATE units SET meta = ? WHERE slug = 'unit-01-fix'", [json.dumps({"quality_gates": gates})])
    store.close()
    return db


def test_a_gate_command_with_control_characters_is_refused_by_check_before_anyone_is_asked(
    tmp_path, catalog, capsys, monkeypatch
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    marker = tmp_path / "ran"
    db = gated(tmp_path, catalog, [{"name": "tests", "command": f"touch {marker}\r\x1b[2Kmake test"}])
    monkeypatch.setattr(cli_checks, "_ask", lambda prompt: pytest.fail(f"asked: {prompt!r}"))
    code = main(["check", "inc", "unit-01-fix", "--yes", "--db", db, "--root", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1 and not marker.exists()
    assert (
        "  ✗ refused  unit-01-fix: quality gate #1 (tests): its command holds control characters (␍ at " in out
    ) and "what is shown would not be what runs; refused" in out
    assert "quality gates not run: unit-01-fix: quality gate #1 (refused)" in out


def test_a_gate_dir_outside_the_root_is_refused_by_check(tmp_path, catalog, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    root = tmp_path / "repo"
    root.mkdir()
    marker = tmp_path / "ran"
    db = gated(tmp_path, catalog, [{"name": "up", "command": f"touch {marker}", "dir": "../"}])
    code = main(["check", "inc", "unit-01-fix", "--yes", "--db", db, "--root", str(root)])
    out = capsys.readouterr().out
    assert code == 1 and not marker.exists()
    assert (
        f"  ✗ refused  unit-01-fix: up: `touch {marker}` in ../ — its dir `../` resolves outside the root {root}; refused"
        in out
    )
    assert "quality gates not run: unit-01-fix: up (refused)" in out


def test_the_prompt_shows_every_byte_of_the_command():
    """A tab or newline may run (a multi-line script): the prompt shows them, nothing is hidden."""
    spec = GateSpec("multi", "make lint\n\tmake test")
    assert spec.describe() == "multi: `make lint\n\tmake test`"
    assert GateSpec("t", "x", dir="\x1b[2Jsvc").describe() == "t: `x` in ␛[2Jsvc"
