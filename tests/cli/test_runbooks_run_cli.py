"""`cockpit runbooks run NAME` (issue 16): the dry run, the gate per tier from a script, the exit
code mirroring the step's, the record on an intent, the last run in the library, ctrl+c killing
the step's group."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import REPO

RUNBOOK = """\
# Orders

```sh
echo "hello $NAMESPACE"; exit 3
```

```sh
touch $FILE
```

```sh {name=wipe}
rm -f $FILE
```
"""


@pytest.fixture
def lib(cli, tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "orders.md").write_text(RUNBOOK)
    code, _, err = cli("runbooks", "index", str(folder))
    assert code == 0, err
    return folder


def test_dry_run_says_everything_and_runs_nothing(cli, lib, tmp_path):
    target = tmp_path / "made"
    code, out, _ = cli("runbooks", "run", "orders", "--block", "2", "--dry-run", "--var", f"FILE={target}")
    assert code == 0 and not target.exists()
    assert "orders#2 (line 7 under Orders)" in out and "risk: write" in out and "  touch $FILE" in out
    assert f"FILE={target} (given)" in out and "confirm to run it" in out
    code, out, _ = cli("runbooks", "run", "orders", "--block", "2", "--dry-run", "--json", "--var", "FILE=x")
    assert json.loads(out)["plan"]["risk"] == "write"


def test_a_read_step_runs_with_yes_and_its_exit_code_is_the_steps(cli, lib, tmp_path):
    code, out, err = cli("runbooks", "run", "orders", "--block", "1", "--yes", "--var", "NAMESPACE=prod")
    assert code == 3
    assert "hello prod" in out and "ran orders#1: exit 3" in err


def test_without_a_confirmation_a_script_runs_nothing(cli, lib, tmp_path):
    target = tmp_path / "made"
    code, _, err = cli("runbooks", "run", "orders", "--block", "2", "--var", f"FILE={target}")
    assert code == 1 and "pass --yes" in err and not target.exists()


def test_yes_alone_never_runs_a_destructive_step(cli, lib, tmp_path):
    target = tmp_path / "keep"
    target.write_text("x")
    code, _, err = cli("runbooks", "run", "orders", "--block", "3", "--yes", "--var", f"FILE={target}")
    assert code == 1 and "--yes alone does not run a destructive step" in err and target.exists()
    code, _, err = cli("runbooks", "run", "orders", "--block", "3", "--confirm", "nope", "--var", f"FILE={target}")
    assert code == 1 and "does not name this step's target" in err and target.exists()
    code, _, err = cli("runbooks", "run", "orders", "--block", "3", "--confirm", str(target), "--var", f"FILE={target}")
    assert code == 0 and not target.exists()


def test_a_run_on_an_intent_is_in_its_timeline_and_the_library_says_when(cli, lib, tmp_path):
    code, _, err = cli("new", "--title", "Checkout errors", "--studio", "incident-response", "--slug", "inc")
    assert code == 0, err
    code, out, err = cli(
        "runbooks", "run", "orders", "--block", "1", "--intent", "inc", "--yes", "--var", "NAMESPACE=a", "--json"
    )
    assert code == 3, err
    data = json.loads(out)
    assert data["run"]["output"] == "hello a\n" and data["run"]["event_id"]
    code, out, _ = cli("timeline", "inc")
    assert "ran orders#1 (read): exit 3" in out
    _, out, _ = cli("runbooks", "list", "--json")
    assert json.loads(out)["runbooks"][0]["last_run"].endswith("exit 3")
    # the variable was remembered for the intent: not asked, not needed again
    code, out, _ = cli("runbooks", "run", "orders", "--block", "1", "--intent", "inc", "--dry-run")
    assert "NAMESPACE=a (remembered for inc)" in out


def test_nothing_runs_read_only(cli, lib, tmp_path):
    target = tmp_path / "made"
    code, _, err = cli("--read-only", "runbooks", "run", "orders", "--block", "2", "--yes", "--var", f"FILE={target}")
    assert code == 1 and "read-only" in err and not target.exists()


def test_ctrl_c_cancels_and_kills_the_steps_group(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    pidfile = tmp_path / "child.pid"
    (folder / "slow.md").write_text(f"# Slow\n\n```sh\nsleep 300 & echo $! > {pidfile}; echo started; wait\n```\n")
    env = {**os.environ, "COCKPIT_DB": str(tmp_path / "c.db"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    cockpit = [sys.executable, "-m", "cockpit"]
    subprocess.run([*cockpit, "runbooks", "index", str(folder)], env=env, check=True, capture_output=True, cwd=REPO)
    process = subprocess.Popen(
        [*cockpit, "runbooks", "run", "slow", "--yes"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    until = time.monotonic() + 20
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < until, "the step never started"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    assert b"cancelled" in err
    assert _dead(int(pidfile.read_text()))


def _dead(pid: int) -> bool:
    """Gone, or a zombie nobody reaped yet (it runs nothing)."""
    until = time.monotonic() + 3
    while time.monotonic() < until:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(") ", 1)[1][0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_show_numbers_every_block_with_its_tier():
    from cockpit.cli.runbooks import numbered_blocks
    from cockpit.runbooks.doc import parse_runbook

    doc = parse_runbook("# T\n\n1. step\n\n   ```sh\n   kubectl get pods\n   ```\n\n```yaml\na: 1\n```\n", name="t")
    lines = numbered_blocks(doc.text.splitlines(), doc)
    assert "   **block 1** · read" in lines and "**block 2** · not run" in lines
    assert lines.index("   **block 1** · read") == lines.index("   ```sh") - 2
