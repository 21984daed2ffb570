"""The CLI's reports on a real terminal: an intent whose every free-text field, a studio file and a
local runbook all hold every hostile sequence (tests/hostile.py). Run as a subprocess on a pty, no
ESC/BEL/C1 byte from data reaches the terminal, the text is still shown (as pictures), and --json
stays exact for a program."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import NOW
from hostile import LINE, plant, terminal_safe
from pty_run import run_on_pty

from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store

BUNDLED = Path(__file__).resolve().parents[2] / "studios"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(db, env, studios folder): the planted incident, and a copy of a bundled studio whose
    description (read from its file) is the hostile line."""
    home = tmp_path_factory.mktemp("hostile-cli")
    db = home / "c.db"
    plant(
        Engine(Store(db), load_catalog(), clock=fixed_clock(NOW), actor="oncall"),
        home / "runbooks",
        clock=fixed_clock(NOW),
    )
    studios = home / "studios"
    shutil.copytree(BUNDLED / "incident-response", studios / "hostile-ir")
    studio = studios / "hostile-ir" / "STUDIO.md"
    text = (
        studio.read_text(encoding="utf-8")
        .replace("name: incident-response", "name: hostile-ir")
        .replace("slug: ir", "slug: hir")
    )
    lines = [
        f"description: {json.dumps(LINE)}" if line.startswith("description:") else line for line in text.splitlines()
    ]
    studio.write_text("\n".join(lines) + "\n", encoding="utf-8")  # JSON's \u escapes are YAML's too
    env = {"XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"), "COCKPIT_ACTOR": "oncall"}
    return str(db), env, str(studios)


REPORTS = [
    ["status"],
    ["status", "inc"],
    ["timeline", "inc"],
    ["feedback", "list", "inc"],
    ["feedback", "list", "inc", "--all"],
    ["runbooks", "list"],
    ["runbooks", "search", "PWN"],
    ["runbooks", "show", "hostile"],
]


@pytest.mark.parametrize("args", REPORTS, ids=lambda a: "-".join(a))
def test_reports_reach_the_terminal_inert_and_still_say_it(hostile, args):
    db, env, _ = hostile
    out = run_on_pty([*args, "--db", db], env)
    assert out.code == 0, out
    assert terminal_safe(out) == [], out
    assert "PWN-CLIP" in out and "␛" in out  # shown as pictures, not dropped


def test_a_studio_file_with_hostile_text_is_listed_inert(hostile):
    db, env, studios = hostile
    out = run_on_pty(["studios", "--studios", studios, "--db", db], env)
    assert "hostile-ir — x ␛]52;c;cm0gLXJmIH4=" in out
    assert terminal_safe(out) == [], out


def test_an_error_that_quotes_what_was_typed_is_inert(hostile):
    db, env, _ = hostile
    out = run_on_pty(["status", "no\x1b]0;PWN-TITLE\x07such", "--db", db], env)
    assert out.code == 1 and out.startswith("cockpit: no intent ") and "PWN-TITLE" in out
    assert terminal_safe(out) == [], out


@pytest.mark.parametrize(
    "args",
    [["status", "inc", "--json"], ["status", "--json"], ["timeline", "inc", "--json"]],
    ids=lambda a: "-".join(a),
)
def test_json_on_a_terminal_is_inert_and_exact(hostile, args):
    """JSON keeps every byte (as \\u escapes, C1 and bidi included): a program gets the title as it
    is stored, a terminal gets nothing it obeys."""
    db, env, _ = hostile
    out = run_on_pty([*args, "--db", db], env)
    assert out.code == 0, out
    assert terminal_safe(out) == [] and "\u202e" not in out, out
    assert LINE in strings(json.loads(out))  # the exact text, sequences and all


def strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []
