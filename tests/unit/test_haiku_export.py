"""`cockpit haiku export`: the mapping of a cockpit intent onto H·AI·K·U files (cockpit.domain.
haiku_export) and the writer that puts them in a project (cockpit.sources.haiku_writer).

The engine shapes checked are those of the implementer's notes "H·AI·K·U intents on disk"
(§1, §3), read from packages/haiku/src/orchestrator/workflow/cursor.ts @ 08652405 (a v4 unit is
done when its last iteration is an advance on the stage's last hat), packages/haiku/src/
orchestrator.ts (A/B: unit status/hat/bolt, stage state.json) and state/feedback.ts (findings
numbered max + 1 per folder, slugs from titles).
"""

from __future__ import annotations

import json
import os

import pytest
from helpers import new_incident, to_execute

from cockpit.domain import commands as c
from cockpit.domain.haiku_checksum import NEW_SEAL, OLD_SEAL
from cockpit.domain.haiku_export import KnownFile, plan_export, slug_of
from cockpit.domain.haiku_sidecar import SIDECAR, decode
from cockpit.errors import CockpitError
from cockpit.sources.haiku_writer import CONFLICTS, export_intent, intent_folder, refuse_links, sha256
from cockpit.store import haiku_files
from cockpit.text.frontmatter_patch import frontmatter_values, patch_markdown

AT = "2026-11-21T00:00:00Z"


def mid_resolve(engine) -> str:
    """resolve in execute: `fix` has walked every hat, `test` (after fix) wears its second hat
    after a reject, and a finding on fix is open."""
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ()), ("test", ("fix",))])
    for _ in range(4):  # start, engineer → reviewer → verifier → done
        engine.run(slug, c.advance_hat, unit="fix", message="ok")
    engine.run(slug, c.advance_hat, unit="test")
    engine.run(slug, c.advance_hat, unit="test", message="written")
    engine.run(slug, c.reject_hat, unit="test", message="the test passes on the old build")
    engine.run(slug, c.advance_hat, unit="test", message="now it fails first")
    engine.run(slug, c.file_feedback, title="Pool limits: too low!", severity="high", unit="fix")
    return slug


def export(engine, slug, root, **kw):
    return export_intent(
        engine.store, engine.position(slug), root, timeline=engine.timeline(slug), at=AT, actor="t", **kw
    )


def folder_of(root, slug="inc"):
    return root / ".haiku" / "intents" / slug


def meta(path) -> dict:
    return frontmatter_values(path.read_text())


# ------------------------------------------------------------ the mapping


def test_slugs_are_made_as_the_engine_makes_them():
    assert slug_of("Pool limits: too low!") == "pool-limits-too-low"
    assert slug_of("  -Leading dash") == "-leading-dash"  # the engine leaves a leading dash
    assert slug_of("x" * 59 + " yz") == "x" * 59  # cut at 60, trailing dash removed


def test_new_files_are_numbered_after_what_is_on_disk_and_known_files_keep_their_names(engine):
    slug = mid_resolve(engine)
    position = engine.position(slug)
    fix = next(u for u in position.facts.units if u.slug == "fix")
    on_disk = {"stages/resolve/units": ["unit-07-other.md", "notes.md"], "stages/resolve/feedback": ["12-old.md"]}
    paths = {p.path for p in plan_export(position, "B", (), on_disk)}
    assert {"stages/resolve/units/unit-08-fix.md", "stages/resolve/units/unit-09-test.md"} <= paths
    assert "stages/resolve/feedback/13-pool-limits-too-low.md" in paths
    known = [KnownFile("stages/resolve/units/unit-04-legacy-fix.md", "unit", "resolve", fix.id)]
    planned = {p.path: p for p in plan_export(position, "C", known)}
    assert "stages/resolve/units/unit-04-legacy-fix.md" in planned
    test = next(p for p in planned.values() if p.path.endswith("-test.md"))
    assert test.path == "stages/resolve/units/unit-005-test.md"  # three digits in v4, after 04
    assert test.wanted["depends_on"] == ["unit-04-legacy-fix"]  # the engine's name of the unit


def test_the_sidecar_holds_what_the_engine_has_no_field_for(engine, tmp_path):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path)
    sidecar, problems = decode((folder_of(tmp_path) / SIDECAR).read_text())
    assert problems == ()
    assert ("stages/resolve/units/unit-001-fix.md", "fix") in sidecar.units
    assert [f.number for f in sidecar.findings] == [1]
    assert {d.decision for d in sidecar.decisions} >= {"elaborated", "approved"}
    assert any(m.message == "the test passes on the old build" for m in sidecar.messages)
    assert sidecar.events[0].command == "create_intent"
    assert not any(e.command.startswith("haiku_") for e in sidecar.events)  # the export's own event stays out


# ------------------------------------------------------------ engine-shaped files


def test_a_cockpit_born_intent_is_written_in_v4(engine, tmp_path):
    slug = mid_resolve(engine)
    report = export(engine, slug, tmp_path)
    assert report.generation == "C" and not report.conflicts
    folder = folder_of(tmp_path)
    intent = meta(folder / "intent.md")
    assert intent["plugin_version"] == "4.0.0" and intent["sealed_at"] is None
    assert intent["studio"] == "incident-response" and "status" not in intent and "active_stage" not in intent
    assert not list(folder.rglob("state.json"))  # v4 keeps none
    fix = meta(folder / "stages/resolve/units/unit-001-fix.md")
    last_hat = engine.catalog.get("incident-response").stage("resolve").hats[-1]
    assert (fix["iterations"][-1]["hat"], fix["iterations"][-1]["result"]) == (last_hat, "advance")
    assert set(fix["approvals"]) >= {"spec", "quality_gates"} and set(fix["reviews"]) >= {"spec", "correctness", "user"}
    test = meta(folder / "stages/resolve/units/unit-002-test.md")
    assert test["depends_on"] == ["unit-001-fix"] and test["started_at"] == test["iterations"][0]["started_at"]
    assert [i["result"] for i in test["iterations"]] == ["advance", "reject", "advance", None]
    assert test["iterations"][1]["reason"] == "the test passes on the old build"
    finding = meta(folder / "stages/resolve/feedback/001-pool-limits-too-low.md")
    assert finding["targets"] == {"unit": "unit-001-fix", "invalidates": ["user"]}
    assert finding["severity"] == "high" and finding["closed_at"] is None and finding["status"] == "pending"
    assert meta(folder / "stages/resolve/elaboration.md")["verified_at"]
    done = meta(folder / "stages/triage/units/unit-001-triage-work.md")
    assert "user" in done["approvals"]  # the gate passed: the human's approval is there


def test_generation_a_keeps_the_scalar_state_and_state_json(engine, tmp_path):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path, generation="A")
    folder = folder_of(tmp_path)
    intent = meta(folder / "intent.md")
    assert (intent["status"], intent["active_stage"]) == ("active", "resolve")
    resolve = json.loads((folder / "stages/resolve/state.json").read_text())
    assert (resolve["status"], resolve["phase"], resolve["gate_outcome"]) == ("active", "execute", None)
    triage = json.loads((folder / "stages/triage/state.json").read_text())
    assert (triage["status"], triage["phase"], triage["gate_outcome"]) == ("completed", "gate", "advanced")
    assert not (folder / "stages/postmortem/state.json").exists()  # not reached
    fix = meta(folder / "stages/resolve/units/unit-01-fix.md")
    assert (fix["status"], fix["hat"], fix["bolt"]) == ("completed", "", 1) and "iterations" not in fix
    test = meta(folder / "stages/resolve/units/unit-02-test.md")
    assert (test["status"], test["hat"], test["bolt"]) == ("active", "reviewer", 2)
    assert test["hat_started_at"] == engine.position(slug).stage("resolve").unit("test").iterations[-1].started_at


# ------------------------------------------------------------ writing


def mark_read(engine, slug, rel, text):
    """Record `text` as the bytes cockpit last read at `rel` (what an import does)."""
    with engine.store.writing():
        intent_id = engine.store.intent(slug).id
        row = next(r for r in haiku_files.files(engine.store, intent_id) if r.path == rel)
        haiku_files.record_export(
            engine.store,
            intent_id=intent_id,
            link_to=haiku_files.link(engine.store, intent_id),
            rows=[row._replace(sha256=sha256(text.encode()))],
            at=AT,
            actor="t",
            message="read",
            data={},
        )


def snapshot(folder):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_exporting_an_unchanged_intent_again_changes_nothing(engine, tmp_path):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path)
    before = snapshot(folder_of(tmp_path))
    events = len(engine.timeline(slug))
    again = export(engine, slug, tmp_path)
    assert {o.status for o in again.files} == {"unchanged"}
    assert snapshot(folder_of(tmp_path)) == before  # bytes and mtimes
    assert len(engine.timeline(slug)) == events  # nothing recorded either


def test_a_change_in_cockpit_rewrites_only_the_lines_that_differ(engine, tmp_path):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path)
    folder = folder_of(tmp_path)
    path = folder / "stages/resolve/units/unit-002-test.md"
    # someone's own key, a comment and a note in the body, read back by cockpit (as an import would)
    edited = path.read_text().replace("title: Unit test\n", "title: Unit test\nowner: dana  # on call\n")
    path.write_text(edited)
    mark_read(engine, slug, "stages/resolve/units/unit-002-test.md", edited)
    engine.run(slug, c.advance_hat, unit="test", message="verified")
    report = export(engine, slug, tmp_path)  # (a live link may have written it already: the same bytes)
    assert not report.conflicts
    text = path.read_text()
    assert "owner: dana  # on call\n" in text and text.endswith(edited.split("---\n", 2)[2])
    assert [i["result"] for i in meta(path)["iterations"]][-2:] == ["advance", None]  # verifier now holds it


def test_a_file_edited_on_disk_is_a_conflict_and_is_not_overwritten(engine, tmp_path):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path)
    folder = folder_of(tmp_path)
    path = folder / "stages/resolve/units/unit-002-test.md"
    theirs = path.read_text() + "\nA teammate's note.\n"
    path.write_text(theirs)
    engine.run(slug, c.advance_hat, unit="test", message="verified")
    report = export(engine, slug, tmp_path)
    (conflict,) = report.conflicts
    assert (conflict.path, conflict.status, conflict.kept) == (
        "stages/resolve/units/unit-002-test.md",
        "conflict",
        f"{CONFLICTS}/stages/resolve/units/unit-002-test.md",
    )
    assert path.read_text() == theirs  # left alone
    ours = (folder / conflict.kept).read_text()
    assert len(frontmatter_values(ours)["iterations"]) == 5  # both versions there: ours has the new hat
    assert "edited on disk" in conflict.reason
    path.unlink()
    assert "deleted on disk" in export(engine, slug, tmp_path).conflicts[0].reason


def test_nothing_is_written_through_a_symbolic_link(engine, tmp_path):
    slug = mid_resolve(engine)
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    (project / ".haiku").mkdir(parents=True)
    (project / ".haiku" / "intents").symlink_to(outside)
    with pytest.raises(CockpitError, match="symbolic link"):
        export(engine, slug, project)
    assert list(outside.iterdir()) == []
    (project / ".haiku" / "intents").unlink()
    export(engine, slug, project)
    units = folder_of(project) / "stages/resolve/units"
    os.rename(units, tmp_path / "moved")
    units.symlink_to(tmp_path / "moved")
    engine.run(slug, c.advance_hat, unit="test")
    with pytest.raises(CockpitError, match="symbolic link"):
        export(engine, slug, project)


def test_a_path_that_climbs_out_is_refused(tmp_path):
    folder = intent_folder(tmp_path, "inc")
    for rel in ("stages/../../../escape.md", "/etc/passwd", "stages//x.md", "a\\b.md"):
        with pytest.raises(CockpitError, match="not a plain path"):
            refuse_links(tmp_path, folder, rel)
    refuse_links(tmp_path, folder, "stages/resolve/units/unit-001-fix.md")  # nothing there yet: fine


def test_an_intent_folder_cockpit_did_not_write_is_refused(engine, tmp_path):
    slug = mid_resolve(engine)
    folder_of(tmp_path).mkdir(parents=True)
    (folder_of(tmp_path) / "intent.md").write_text("---\ntitle: Someone else's\n---\n")
    with pytest.raises(CockpitError, match="did not write"):
        export(engine, slug, tmp_path)
    for bad in ("../inc", "a/b", ".."):
        with pytest.raises(CockpitError, match="plain folder name"):
            intent_folder(tmp_path, bad)


@pytest.mark.parametrize(
    ("held", "expected"),
    [(OLD_SEAL, OLD_SEAL), (NEW_SEAL + "\n", NEW_SEAL + "\n"), ("0123 hand-edited", NEW_SEAL), (None, None)],
)
def test_the_seal_is_kept_resealed_or_never_created(engine, tmp_path, held, expected):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path, generation="A")
    seal = folder_of(tmp_path) / ".fsm_checksum"
    if held is not None:
        seal.write_text(held)
    engine.run(slug, c.advance_hat, unit="test", message="verified")  # a protected field moves
    export(engine, slug, tmp_path)
    assert (seal.read_text() if seal.exists() else None) == expected


def test_what_a_file_already_says_in_its_own_words_is_left_alone(engine, tmp_path):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path)
    folder = folder_of(tmp_path)
    planned = {p.path: p for p in plan_export(engine.position(slug), "C")}

    def unchanged(rel, *edits):
        text = (folder / rel).read_text()
        for old, new in edits:
            assert old in text
            text = text.replace(old, new)
        return patch_markdown(text, planned[rel].wanted, planned[rel].body).changed

    assert unchanged("intent.md", ("studio: incident-response", "studio: Incident-Response")) == ()
    fix = "stages/resolve/units/unit-001-fix.md"
    assert unchanged(fix, ("result: advance", "result: advanced")) == ()  # v3's spelling
    assert unchanged(fix, ("  correctness:\n    at:", "  correctness:\n    migrated: true\n    at:")) == ()
    assert unchanged(fix, ("  spec:\n", "  spec:\n    by: someone\n")) == ()  # a derived role's record is the file's
    assert unchanged(fix, ("result: advance", "result: reject")) == ("iterations",)
    # a file signing review agents alone is not given the roles cockpit derives
    text = (folder / fix).read_text()
    start = text.index("reviews:")
    stripped = (
        text[:start] + "reviews: {correctness: {at: '2026-11-20T02:29:00Z'}}\n" + text[text.index("approvals:") :]
    )
    assert "reviews" not in patch_markdown(stripped, planned[fix].wanted, planned[fix].body).changed


def test_a_file_that_cannot_be_patched_safely_is_refused_and_left_alone(engine, tmp_path):
    slug = mid_resolve(engine)
    export(engine, slug, tmp_path)
    path = folder_of(tmp_path) / "stages/resolve/units/unit-002-test.md"
    broken = "---\ntitle: Unit test\niterations: [\n---\nbody\n"
    path.write_text(broken)
    report = export(engine, slug, tmp_path)
    (refused,) = report.conflicts
    assert (refused.path, refused.status) == ("stages/resolve/units/unit-002-test.md", "refused")
    assert "cannot be patched safely" in refused.reason and path.read_text() == broken


def test_a_write_that_fails_names_the_file(engine, tmp_path):
    slug = mid_resolve(engine)
    (tmp_path / ".haiku").write_text("a file where the folder should be")
    with pytest.raises(CockpitError, match=r"cannot write .*intent.md"):
        export(engine, slug, tmp_path)
