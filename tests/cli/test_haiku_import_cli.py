"""`cockpit haiku import` (issue 15) on the fixtures in tests/fixtures/haiku (written in our own
words after the shapes the H·AI·K·U engine writes: gigsmart/haiku-method
packages/haiku/src/orchestrator.ts runNext for A/B, orchestrator/workflow/cursor.ts and
packages/shared/src/derived-stage-state.ts for v4). After import, `cockpit status SLUG --json`
agrees with the files; a re-import changes nothing, picks up an edited file, and a broken file is
reported as path:line while the rest imports."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "haiku" / "project"
INTENTS = ".haiku/intents"
TABLES = ("units", "iterations", "feedback", "fix_iterations", "signoffs", "decisions", "events", "haiku_files")

# slug → (active stage, its phase) as the files say (cockpit's phase names: module docstring of
# cockpit.domain.haiku_import); None: the intent is finished.
EXPECTED = {
    "ledger-export": ("development", "execute"),  # A: active_stage + state.json phase
    "checkout-redesign": ("design", "execute"),  # B
    "search-latency": ("design", "execute"),  # C: a unit not past its last hat
    # C, design and product skipped: inception's agents approved, its user did not (no approvals.user)
    "config-cleanup": ("inception", "gate"),
    "cache-stampede": None,  # A, status completed
    "queue-backlog": ("mitigate", "execute"),  # B, rejects
}


@pytest.fixture
def project(tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(FIXTURES, copy)
    return copy


def status(cli, slug: str) -> dict:
    code, out, err = cli("status", slug, "--json")
    assert code == 0, err
    return json.loads(out)


def findings(cli, slug: str) -> dict[str, dict]:
    code, out, err = cli("feedback", "list", slug, "--all", "--json")
    assert code == 0, err
    return {f["title"]: f for f in json.loads(out)["feedback"]}


def counts(tmp_path) -> tuple[int, ...]:
    with sqlite3.connect(tmp_path / "c.db") as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)


def units(state: dict) -> dict[str, dict]:
    return {u["slug"]: u for u in state["units"]}


def test_import_agrees_with_the_files(cli, project):
    code, out, err = cli("haiku", "import", str(project))
    assert code == 0, err
    for slug, expected in EXPECTED.items():
        assert f"{slug}: imported" in out
        state = status(cli, slug)
        if expected is None:
            assert state["complete"], slug
        else:
            assert (state["stage"], state["phase"]) == expected, slug
    assert "ledger-export: imported (generation A): 4 units, 0 findings, 6 stages" in out
    assert "search-latency: imported (generation C)" in out and "checkout-redesign: imported (generation B)" in out
    # studio "" is refused with its file and line; the others imported
    assert f"{project}/{INTENTS}/untitled-idea/intent.md:3: no studio chosen" in err
    assert "untitled-idea: not imported" in out


def test_units_stand_where_their_files_say(cli, project):
    cli("haiku", "import", str(project))
    ledger = units(status(cli, "ledger-export"))
    assert ledger["unit-01-schema"]["status"] == "done"  # status: completed
    assert (ledger["unit-02-archive-tools"]["status"], ledger["unit-02-archive-tools"]["hat"]) == ("active", "builder")
    assert ledger["unit-03-docs"]["status"] == "waiting"
    assert ledger["unit-01-who-reads-it"]["status"] == "done"
    latency = units(status(cli, "search-latency"))
    assert latency["unit-001-result-skeleton"]["status"] == "done"
    # advance, reject at design-reviewer, open again at designer: bolt 2
    assert (latency["unit-002-empty-state"]["hat"], latency["unit-002-empty-state"]["bolt"]) == ("designer", 2)
    backlog = units(status(cli, "queue-backlog"))["unit-01-shed-load"]
    assert (backlog["status"], backlog["hat"], backlog["bolt"]) == ("active", "mitigator", 3)


def test_findings_of_every_shape(cli, project):
    cli("haiku", "import", str(project))
    checkout = findings(cli, "checkout-redesign")
    user = checkout["The pay button is hard to see outdoors"]
    assert (user["severity"], user["status"], user["stage"], user["author"]) == (None, "pending", "design", "user")
    closed = checkout["The order total scrolls out of view on long carts"]  # closed_by, folded title
    assert closed["status"] == "closed" and closed["author"] == "fsm-code-review"
    scope = checkout["The intent calls it basket and checkout in turns"]
    assert (scope["stage"], scope["author"], scope["status"]) == ("", "parent-agent", "pending")
    latency = findings(cli, "search-latency")
    assert latency["Keyboard focus is lost when results arrive"]["status"] == "pending"
    assert latency["Keyboard focus is lost when results arrive"]["unit"] == "unit-002-empty-state"
    migrated = latency["The skeleton flickers on fast answers"]  # closed_at: a unit name, not a time
    assert migrated["status"] == "closed" and migrated["closure"] is None  # the file holds none
    assert latency["Spacing differs from the style guide"]["closure"] == "Spacing now uses the 8 px scale."
    # the open list (and the text table) take an intent-scope finding as well
    code, out, err = cli("feedback", "list", "checkout-redesign")
    assert code == 0 and "basket" in out, err


def test_reimport_changes_nothing_then_picks_up_an_edit(cli, project, tmp_path):
    cli("haiku", "import", str(project))
    before = counts(tmp_path)
    code, out, _ = cli("haiku", "import", str(project))
    assert code == 0 and "ledger-export: unchanged" in out
    assert counts(tmp_path) == before
    unit = project / INTENTS / "ledger-export/stages/development/units/unit-02-archive-tools.md"
    text = unit.read_text().replace("status: active", "status: completed").replace("- [ ]", "- [x]")
    unit.write_text(text.replace("hat: builder", "hat: ''\ncompleted_at: '2026-03-03T15:00:00Z'"))
    finding = project / INTENTS / "checkout-redesign/stages/design/feedback/01-button-hard-to-see.md"
    finding.write_text(finding.read_text().replace("status: pending", "status: addressed"))
    code, out, err = cli("haiku", "import", str(project))
    assert code == 0, err
    assert "ledger-export: updated" in out and "cache-stampede: unchanged" in out
    ledger = units(status(cli, "ledger-export"))
    assert ledger["unit-02-archive-tools"]["status"] == "done"
    assert ledger["unit-03-docs"]["status"] == "ready"
    assert findings(cli, "checkout-redesign")["The pay button is hard to see outdoors"]["status"] == "closed"
    after = counts(tmp_path)
    assert after[0] == before[0] and after[2] == before[2]  # the same units and findings, updated
    cli("haiku", "import", str(project))
    assert counts(tmp_path) == after  # and once more: nothing new


def test_a_broken_file_is_reported_and_the_rest_imports(cli, project):
    broken = project / INTENTS / "search-latency/stages/design/units/unit-002-empty-state.md"
    broken.write_text("---\ntitle: [unclosed\n---\nbody\n")
    code, _out, err = cli("haiku", "import", str(project), "--slug", "search-latency")
    assert code == 0
    assert f"{broken}:3: invalid YAML frontmatter" in err
    state = status(cli, "search-latency")
    assert "unit-001-result-skeleton" in units(state) and "unit-002-empty-state" not in units(state)


def test_studio_chosen_on_the_command_line(cli, project):
    folder = project / INTENTS / "untitled-idea"
    code, out, err = cli("haiku", "import", str(folder), "--studio", "nope")
    assert code == 1 and "untitled-idea: not imported" in out  # nothing imported: exit 1
    assert f"{folder}/intent.md:3: unknown studio 'nope'" in err
    code, out, err = cli("haiku", "import", str(folder), "--studio", "software")
    assert code == 0, err
    assert status(cli, "untitled-idea")["studio"] == "software"


def test_skipped_stages_and_unit_frontmatter_kept(cli, project):
    cli("haiku", "import", str(project))
    stages = {s["name"]: s["status"] for s in status(cli, "config-cleanup")["stages"]}
    assert stages["design"] == stages["product"] == "skipped" and stages["inception"] == "active"  # at its gate
