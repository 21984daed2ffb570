"""Hostile runbooks synced from a 127.0.0.1 server, and hostile quality-gate commands, through the
real CLI on a pseudo-terminal: no ESC/BEL/C1 byte that came from data reaches the terminal stream,
a gate command with control characters is refused and never runs, and the prompt shows pictures."""

from __future__ import annotations

import json
import sys

import pytest
from helpers import resolve_intent, unit_file
from hostile import LINE, terminal_safe
from pty_run import run_on_pty
from runbook_server import Reply, Server

from cockpit.app.engine import Engine
from cockpit.store.database import Store

HOSTILE_RUNBOOK = (
    f"---\nservice: checkout {LINE}\n---\n# Hostile restart {LINE}\n\n## Steps\n\n1. {LINE}\n\n"
    f"[PWN-MD-LINK](https://evil.example/\x1b]8;;x\x07)\n\n```sh\nsystemctl restart {LINE}\n```\n"
)


def test_the_pty_helper_sees_what_a_terminal_would_obey():
    """The helper itself: a raw OSC and an 8-bit C1 byte written to the pty are found, so an empty
    list below means the sequences were not there."""
    script = "import sys; sys.stdout.write('\\x1b]0;PWN-TITLE\\x07 ok\\n'); sys.stdout.flush(); sys.stdout.buffer.write(b'\\x9b2J\\n')"
    out = run_on_pty(["-c", script], program=[sys.executable])
    assert out.code == 0 and "ok\n" in out
    assert terminal_safe(out) == ["'\\x1b]0;'PWN-TITLE", "C1 '\\x9b'", "BEL", "OSC '\\x1b]0;PWN-TITLE'", "OSC", "BEL"]


@pytest.fixture
def env(tmp_path):
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "COCKPIT_ACTOR": "oncall",
    }


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """One database with the hostile runbook synced into it by `cockpit runbooks sync` on a pty."""
    home = tmp_path_factory.mktemp("pty")
    env = {"XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"), "COCKPIT_ACTOR": "oncall"}
    db = str(home / "c.db")
    server = Server()
    server.script["/hostile.md"] = [Reply(body=HOSTILE_RUNBOOK.encode(), headers={"Content-Type": "text/markdown"})]
    try:
        out = run_on_pty(["runbooks", "sync", server.url("/hostile.md"), "--retries", "0", "--db", db], env)
    finally:
        server.close()
    return db, env, out


def test_sync_on_a_terminal_shows_the_hostile_title_as_pictures(synced):
    _db, _env, out = synced
    assert out.code == 0, out
    assert out.startswith("added      hostile: added (Hostile restart x ␛]52;c;cm0gLXJmIH4=␇PWN-CLIP")
    assert terminal_safe(out) == []


@pytest.mark.parametrize(
    "args",
    [
        ["runbooks", "list"],
        ["runbooks", "search", "PWN"],
        ["runbooks", "search", "restart"],
        ["runbooks", "show", "hostile"],
        ["runbooks", "show", "hostile", "--raw"],
        ["runbooks", "list", "--json"],
    ],
    ids=lambda a: "-".join(a[1:]),
)
def test_a_synced_hostile_runbook_reaches_the_terminal_inert(synced, args):
    db, env, _ = synced
    out = run_on_pty([*args, "--db", db], env)
    assert out.code == 0, out
    assert "PWN-CLIP" in out or "hostile" in out  # the runbook was shown, not skipped
    assert terminal_safe(out) == [], out


def test_show_on_a_terminal_renders_every_sequence_as_a_picture(synced):
    db, env, _ = synced
    out = run_on_pty(["runbooks", "show", "hostile", "--db", db], env, size=(60, 400))
    for picture in ("␛]52;c;cm0gLXJmIH4=␇PWN-CLIP", "␛[2JPWN-CLEAR", "␛[6nPWN-DSR", "␇PWN-BELL", "␈␈␈PWN-BS"):
        assert picture in out, picture
    assert "[bold]PWN-MARKUP[/bold]" in out  # markup in data is shown, not obeyed
    # Rendered markdown reads a lone CR as a line break (CommonMark); the raw text shows it.
    assert "␈␈␈PWN-BS ␍PWN-CR" in run_on_pty(["runbooks", "show", "hostile", "--raw", "--db", db], env, size=(60, 400))


# ------------------------------------------------------------------ hostile gate commands


@pytest.fixture
def gated(tmp_path, catalog):
    """An intent whose unit declares one hostile gate (a `\\r` and an erase sequence hide what runs)
    and one honest gate with a hostile name, stored as another tool would have written them."""
    marker, honest = tmp_path / "ran", tmp_path / "honest-ran"
    db = str(tmp_path / "c.db")
    store = Store(db)
    resolve_intent(
        Engine(store, catalog, actor="setup"), unit_file(tmp_path, "  - {name: placeholder, command: 'true'}\n")
    )
    gates = [
        {"name": "tests", "command": f"touch {marker}; exit 0\r\x1b[2K\x1b]0;PWN-TITLE\x07make test"},
        {"name": "lint \x1b]52;c;cm0gLXJmIH4=\x07PWN-CLIP", "command": f"touch {honest}"},
    ]
    with store.writing():
        store.db.execute("UPDATE units SET meta = ? WHERE slug = 'unit-01-fix'", [json.dumps({"quality_gates": gates})])
    store.close()
    return db, marker, honest


def test_a_hostile_gate_command_is_refused_on_a_terminal_and_nothing_runs(gated, env, tmp_path):
    db, marker, honest = gated
    out = run_on_pty(["check", "inc", "unit-01-fix", "--db", db, "--root", str(tmp_path)], env, typed=b"n\n")
    assert not marker.exists() and not honest.exists()
    assert out.code == 1, out
    assert terminal_safe(out) == [], out
    # The refusal shows the bytes that would have run, as pictures.
    assert "✗ refused  unit-01-fix: quality gate #1 (tests): its command holds control characters" in out
    # The honest gate was asked about, its hostile name as pictures; "n" was typed, so it did not run.
    assert "unit-01-fix: run quality gate lint ␛]52;c;cm0gLXJmIH4=␇PWN-CLIP: `touch " in out and "[y/N]" in out
    assert (
        "quality gates not run: unit-01-fix: quality gate #1 (refused), unit-01-fix: lint ␛]52;c;cm0gLXJmIH4=␇PWN-CLIP "
        "(not confirmed)" in out
    )


def test_yes_does_not_run_a_hostile_gate_command_either(gated, env, tmp_path):
    db, marker, honest = gated
    out = run_on_pty(["check", "inc", "unit-01-fix", "--yes", "--db", db, "--root", str(tmp_path)], env)
    assert not marker.exists() and honest.exists()  # --yes confirms what can be read, never the rest
    assert out.code == 1 and terminal_safe(out) == [], out
