"""`cockpit assist preview`: what the app would send, redacted, counted, and nothing sent.

The intent carries the whole secrets corpus (tests/secrets_corpus.py) in a unit body, a finding and
a hand-off message; the preview must show none of it, and must be the app's own prompt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from fake_anthropic import fake_api_fixture
from helpers import REPO, T0, new_incident, plant_corpus, to_execute
from secrets_corpus import SECRETS, gen

from cockpit.app.backend import Backend
from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.store.database import Store
from cockpit.text.redact import Redactor

VALUES = [v for s in SECRETS for v in s.values]
TASK_ARGS = {
    "draft": ["fix"],
    "review": ["fix"],
    "classify": ["--finding", "FB-001"],
    "ask": ["--question", "what broke?"],
}
fake = fake_api_fixture()


@pytest.fixture
def db(tmp_path, catalog) -> str:
    """The `cli` fixture's database, holding an incident with the corpus planted in `fix`."""
    path = str(tmp_path / "c.db")
    engine = Engine(Store(path), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="tester")
    new_incident(engine, upto="resolve")
    to_execute(engine, "inc", [("fix", ()), ("probe", ())])
    assert plant_corpus(engine, "inc", "fix") == "FB-001"
    engine.store.close()
    return path


def _preview_part(out: str) -> str:
    """The stdout after the summary lines: the prompt itself."""
    return out.split("\n\n", 1)[1].rstrip("\n")


@pytest.mark.parametrize("task", list(TASK_ARGS))
def test_the_preview_shows_no_corpus_secret_and_counts_each_kind(db, cli, task):
    code, out, err = cli("assist", "preview", "inc", *TASK_ARGS[task], "--task", task)
    assert (code, err) == (0, "")
    assert not [v for v in VALUES if v in out]
    head = out.split("\n\n", 1)[0]
    assert head.startswith(f"assist {task} on inc") and "nothing was sent" in head
    assert "AWS_KEY" in head and "PRIVATE_KEY" in head and "JWT" in head
    assert "[PRIVATE_KEY_1]" in out and "──── user ────" in out


@pytest.mark.parametrize("task", list(TASK_ARGS))
def test_the_preview_is_the_apps_prompt_byte_for_byte(db, cli, catalog, task):
    code, out, _err = cli("assist", "preview", "inc", *TASK_ARGS[task], "--task", task)
    assert code == 0
    args = TASK_ARGS[task]
    backend = Backend(Engine(Store(db), catalog, actor="tester"))
    prompt = backend.assist_prompt(
        "inc",
        task,
        redactor=Redactor(),
        unit=args[0] if task in ("draft", "review") else None,
        ref="FB-001" if task == "classify" else None,
        question="what broke?" if task == "ask" else None,
    )
    assert _preview_part(out) == prompt.preview


def test_json_holds_the_request_blocks_the_counts_and_no_secret(db, cli):
    code, out, _err = cli("assist", "preview", "inc", "fix", "--task", "draft", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["sent"] is False and (data["task"], data["slug"], data["unit"]) == ("draft", "inc", "fix")
    assert sum(data["redactions"].values()) >= len(SECRETS) and data["redactions"]["AWS_SECRET"] >= 1
    assert data["suspects"] == []
    request = json.dumps(data["request"])
    assert not [v for v in VALUES if v in request]
    user = data["request"]["messages"][0]["content"][0]["text"]
    assert user in data["preview"] and data["chars"] == len(data["preview"])
    assert data["request"]["system"][-1]["cache_control"] == {"type": "ephemeral"}


def test_a_token_no_pattern_knows_is_listed_as_a_suspect(db, cli, catalog):
    token = gen("cli-unknown", 40)
    engine = Engine(Store(db), catalog, actor="tester")
    engine.run("inc", c.edit_unit, unit="probe", body=f"## Replay\nuse {token} for the replay\n")
    engine.store.close()
    code, out, _err = cli("assist", "preview", "inc", "probe", "--task", "draft")
    assert code == 0 and "suspects: 1 high-entropy token" in out and "type `send`" in out
    assert f"{token[:3]}…{token[-2:]} (40 chars)" in out
    code, out, _err = cli("assist", "preview", "inc", "probe", "--task", "draft", "--json")
    [suspect] = json.loads(out)["suspects"]
    assert suspect["length"] == 40 and token not in suspect["shown"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--task", "classify"], "classify needs --finding"),
        (["--task", "ask"], "ask needs --question"),
        (["--task", "draft"], "draft needs a unit"),
        (["nope", "--task", "draft"], "has no unit 'nope'"),
    ],
)
def test_an_incomplete_request_is_refused_in_one_line(db, cli, args, message):
    code, out, err = cli("assist", "preview", "inc", *args)
    assert code == 1 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_the_preview_sends_nothing_and_never_loads_the_sdk(db, fake, tmp_path):
    """With a key and the fake API configured, as for a real request: the fake hears nothing."""
    code = (
        "import sys; from cockpit.cli.main import main; rc = main(sys.argv[1:]); "
        "assert 'anthropic' not in sys.modules, 'the SDK was imported'; sys.exit(rc)"
    )
    env = {
        **os.environ,
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": fake.url,
        "COCKPIT_ACTOR": "oncall",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": str(REPO),
    }
    for task, args in TASK_ARGS.items():
        done = subprocess.run(
            [sys.executable, "-c", code, "assist", "preview", "inc", *args, "--task", task, "--db", db],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "nothing was sent" in done.stdout
    assert fake.request_count == 0 and fake.requests == []
