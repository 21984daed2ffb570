"""A run's output read back from a shell (issue 16): `cockpit timeline SLUG --json` gives a run's
event its run id, and `cockpit runbooks output SLUG EVENT` prints what ran, where, how it ended and
the redacted output, made inert for the terminal."""

from __future__ import annotations

import json

KEY = "AKIAPS90VTSLOZUDCF0V"  # an AWS key id: redacted before it is stored

RUNBOOK = f"""\
# Keys

```sh
echo "aws_access_key_id = {KEY}"; printf 'red \\033[31mtext\\n'; exit 2
```
"""


def test_a_run_event_names_its_run_and_its_output_prints_redacted_and_inert(cli, tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "keys.md").write_text(RUNBOOK)
    assert cli("runbooks", "index", str(folder))[0] == 0
    code, _, err = cli("new", "--title", "Checkout errors", "--studio", "incident-response", "--slug", "inc")
    assert code == 0, err
    code, out, err = cli("runbooks", "run", "keys", "--intent", "inc", "--yes", "--json")
    assert code == 2, err
    event_id = json.loads(out)["run"]["event_id"]

    code, out, _ = cli("timeline", "inc", "--json")
    events = {e["id"]: e for e in json.loads(out)["events"]}
    assert isinstance(events[event_id]["run_id"], int)
    assert all("run_id" not in e for i, e in events.items() if i != event_id)

    code, out, _ = cli("runbooks", "output", "inc", str(event_id))
    assert code == 0
    assert "tier: read" in out and "ended: exit 2" in out and "cwd: " in out and "host: " in out
    assert "command:" in out and "keys block 1" in out
    assert "aws_access_key_id" in out and KEY not in out
    assert "red " in out and "text" in out and "\x1b" not in out  # the escape is shown, not obeyed

    code, out, _ = cli("runbooks", "output", "inc", str(event_id), "--json")
    run = json.loads(out)["run"]
    assert run["id"] == events[event_id]["run_id"] and run["exit_code"] == 2 and KEY not in run["output"]


def test_an_event_that_records_no_run_is_refused(cli):
    code, _, err = cli("new", "--title", "Checkout errors", "--studio", "incident-response", "--slug", "inc")
    assert code == 0, err
    code, _, err = cli("runbooks", "output", "inc", "1")
    assert code != 0 and "inc has no run recorded by event #1" in err
