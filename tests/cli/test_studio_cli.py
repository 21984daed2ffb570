"""`cockpit status` says when the studio's files differ from the definition an intent walks by, and
`cockpit studio upgrade` shows the changes, asks, refuses an upgrade that would orphan facts
(writing nothing) and re-pins on yes (issue 14)."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from cockpit.sources.studios import bundled_studios_dir


@pytest.fixture
def studios(tmp_path) -> Path:
    root = tmp_path / "studios"
    shutil.copytree(bundled_studios_dir() / "incident-response", root / "incident-response")
    return root


def edit_triage(root: Path, old: str, new: str) -> None:
    path = root / "incident-response" / "stages" / "triage" / "STAGE.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def run(cli, studios, monkeypatch):
    """`cockpit ARGS --studios <the copy>`, with `answer` on standard input."""

    def call(*args: str, answer: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
        return cli(*args, "--studios", str(studios))

    call("new", "--studio", "incident-response", "--title", "Checkout 5xx", "--slug", "inc")
    return call


def events(run) -> int:
    return len(json.loads(run("timeline", "inc", "--json")[1])["events"])


def test_status_says_when_the_studio_changed_on_disk(run, studios):
    code, out, _ = run("status", "inc")
    assert code == 0 and "changed on disk" not in out
    assert json.loads(run("status", "inc", "--json")[1])["studio_drift"] is None
    assert run("studio", "upgrade", "inc")[1].startswith("inc is up to date: it walks by studio incident-response")

    edit_triage(studios, "review: auto", "review: ask")
    code, out, _ = run("status", "inc")
    assert code == 0
    assert out.splitlines()[-1] == "studio incident-response changed on disk: see cockpit studio upgrade inc"
    drift = json.loads(run("status", "inc", "--json")[1])["studio_drift"]
    assert drift["studio"] == "incident-response" and drift["pinned"] != drift["current"]


def test_upgrade_shows_the_changes_asks_and_re_pins_on_yes(run, studios):
    edit_triage(studios, "review: auto", "review: ask")
    before = events(run)
    code, out, err = run("studio", "upgrade", "inc", answer="n\n")
    assert code == 1 and "nothing was changed" in err
    assert "  triage: gate: auto → ask" in out.splitlines()
    assert out.rstrip().endswith("[y/N]")
    assert events(run) == before

    code, out, _ = run("studio", "upgrade", "inc", "--json")  # the diff; nothing applied without --yes
    plan = json.loads(out)
    assert code == 1 and plan["lines"] == ["triage: gate: auto → ask"] and plan["orphans"] == []
    assert plan["changes"]["changed_stages"][0]["gate"]["after"] == ["ask"]
    assert events(run) == before

    code, out, _ = run("studio", "upgrade", "inc", answer="y\n")
    assert code == 0 and "inc now walks by studio incident-response: " in out
    assert events(run) == before + 1
    assert "changed on disk" not in run("status", "inc")[1]
    assert run("studio", "upgrade", "inc")[1].startswith("inc is up to date")


def test_upgrade_refuses_to_orphan_recorded_facts_and_writes_nothing(run, studios):
    assert run("unit", "add", "inc", "--title", "Declare SEV2", "--unit-slug", "declare")[0] == 0
    assert run("advance", "inc")[0] == 0  # the unit list is ready
    assert run("signoff", "inc", "--role", "severity-accuracy")[0] == 0
    assert run("advance", "inc", "declare")[0] == 0  # incident-commander takes it
    edit_triage(
        studios,
        "hats: [incident-commander, first-responder, verifier]",
        "hats: [first-responder, verifier]",
    )
    before = events(run)
    code, out, err = run("studio", "upgrade", "inc", "--yes")
    assert code == 1
    assert "  triage: hats removed: incident-commander" in out.splitlines()
    assert "cockpit: inc was not upgraded: it would orphan recorded facts:" in err
    assert "triage: hat incident-commander is removed while unit declare (not done) has worked on it" in err
    assert events(run) == before
    assert "changed on disk" in run("status", "inc")[1]
