"""An intent walks by the studio definition it was created with (issue 14): the folders changing
under it move nothing until `studio upgrade` re-pins it, and an intent made before pins walks by
the files until its next write pins it (never on a read)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import T0, to_execute

from cockpit.app.demo import sign_all
from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.domain.walk import derive
from cockpit.errors import CockpitError
from cockpit.sources.studios import bundled_studios_dir, load_catalog
from cockpit.store.database import Store

OLD_HATS = "hats: [incident-commander, first-responder, verifier]"
NEW_HATS = "hats: [first-responder, incident-commander, verifier]"


def studio_copy(tmp_path: Path) -> Path:
    root = tmp_path / "studios"
    shutil.copytree(bundled_studios_dir() / "incident-response", root / "incident-response")
    return root


def edit_stage(root: Path, stage: str, old: str, new: str) -> None:
    path = root / "incident-response" / "stages" / stage / "STAGE.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def engine_on(store: Store, root: Path) -> Engine:
    """An engine reading the studio folders as they are now (as a new `cockpit` run would)."""
    catalog = load_catalog([root], cache=False)
    assert not catalog.problems, [str(p) for p in catalog.problems]
    return Engine(store, catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="tester")


def started(engine: Engine, slug: str = "inc") -> str:
    """An incident whose triage unit `declare` has passed incident-commander to first-responder."""
    engine.create_intent(studio="incident-response", title="Checkout 5xx", slug=slug)
    to_execute(engine, slug, [("declare", ())])
    engine.run(slug, c.advance_hat, unit="declare")  # starts it
    engine.run(slug, c.advance_hat, unit="declare", message="declared")
    assert engine.position(slug).active.unit("declare").hat == "first-responder"
    return slug


def test_the_position_holds_when_the_studio_folders_change_until_upgraded(tmp_path):
    root = studio_copy(tmp_path)
    store = Store(tmp_path / "c.db")
    slug = started(engine_on(store, root))
    assert engine_on(store, root).studio_drift(slug) is None

    edit_stage(root, "triage", OLD_HATS, NEW_HATS)
    edit_stage(root, "triage", "review: auto", "review: ask")
    engine = engine_on(store, root)
    assert engine.catalog.get("incident-response").stage("triage").hats[0] == "first-responder"  # the files moved

    pos = engine.position(slug)
    triage = pos.stage("triage")
    assert triage.stage.hats == ("incident-commander", "first-responder", "verifier")
    assert triage.stage.gate == ("auto",)
    assert triage.unit("declare").hat == "first-responder"
    overview = next(o for o in engine.overviews() if not isinstance(o, CockpitError))
    assert (overview.stage, overview.phase) == ("triage", "execute")
    # A command decides by the pinned definition too: first-responder hands on to verifier.
    engine.run(slug, c.advance_hat, unit="declare", message="contained")
    assert engine.position(slug).active.unit("declare").hat == "verifier"
    engine.run(slug, c.advance_hat, unit="declare", message="verified")
    sign_all(engine, slug)
    pinned = engine.position(slug)
    assert (pinned.active.name, pinned.active.phase) == ("investigate", "elaborate")  # triage passed its auto gate
    by_files = derive(engine.catalog.get("incident-response"), pinned.facts)
    assert (by_files.active.name, by_files.active.phase) == ("triage", "gate")  # what the pin protects it from

    drift = engine.studio_drift(slug)
    assert drift is not None and drift.current is not None and drift.pinned != drift.current
    assert drift.line == "studio incident-response changed on disk: see cockpit studio upgrade inc"

    plan = engine.studio_upgrade_plan(slug)
    assert not plan.up_to_date and plan.orphans == ()
    assert "triage: hats reordered: incident-commander → first-responder → verifier  ⇒  " in "\n".join(
        plan.diff.lines()
    )
    assert "triage: gate: auto → ask" in plan.diff.lines()
    assert engine.position(slug).active.name == "investigate"  # planning moved nothing

    done = engine.upgrade_studio(slug, to=plan.current)
    moved = done.position
    assert moved.stage("triage").stage.hats == ("first-responder", "incident-commander", "verifier")
    assert (moved.active.name, moved.active.phase) == ("triage", "gate")  # the new gate asks a human
    assert engine.studio_drift(slug) is None
    event = engine.timeline(slug)[-1]
    assert event["command"] == "studio_upgrade" and event["data"]["to"] == plan.current
    assert "triage: gate: auto → ask" in event["data"]["changes"]
    assert engine_on(store, root).position(slug).active.phase == "gate"


def test_an_upgrade_that_would_orphan_facts_is_refused_and_writes_nothing(tmp_path):
    root = studio_copy(tmp_path)
    store = Store(tmp_path / "c.db")
    slug = started(engine_on(store, root))
    edit_stage(root, "triage", OLD_HATS, "hats: [first-responder, verifier]")
    engine = engine_on(store, root)
    plan = engine.studio_upgrade_plan(slug)
    assert plan.orphans == ("triage: hat incident-commander is removed while unit declare (not done) has worked on it",)
    events = len(engine.timeline(slug))
    with pytest.raises(CockpitError, match="would orphan recorded facts: triage: hat incident-commander"):
        engine.upgrade_studio(slug, to=plan.current)
    assert len(engine.timeline(slug)) == events
    assert engine.studio_drift(slug) is not None  # still pinned to the old one
    assert engine.position(slug).stage("triage").stage.hats[0] == "incident-commander"


def test_an_upgrade_refuses_files_that_changed_again_since_they_were_shown(tmp_path):
    root = studio_copy(tmp_path)
    store = Store(tmp_path / "c.db")
    slug = started(engine_on(store, root))
    edit_stage(root, "triage", "review: auto", "review: ask")
    shown = engine_on(store, root).studio_upgrade_plan(slug).current
    edit_stage(root, "triage", "review: ask", "review: external")
    with pytest.raises(CockpitError, match="changed again"):
        engine_on(store, root).upgrade_studio(slug, to=shown)


def test_an_intent_made_before_pins_walks_by_the_files_and_is_pinned_at_its_next_write(tmp_path):
    root = studio_copy(tmp_path)
    store = Store(tmp_path / "c.db")
    slug = started(engine_on(store, root))
    with store.db.conn:
        store.db.execute("DELETE FROM studio_pins")  # as migration m008 leaves an older intent
    edit_stage(root, "triage", OLD_HATS, NEW_HATS)
    engine = engine_on(store, root)

    pos = engine.position(slug)  # by the files: first-responder advanced leads to incident-commander
    assert pos.stage("triage").stage.hats[0] == "first-responder"
    engine.positions(), engine.overviews(), engine.studio_drift(slug)
    assert store.db.execute("SELECT count(*) FROM studio_pins").fetchone()[0] == 0  # reads never pin

    done = engine.run(slug, c.add_unit, title="Page the payments team", unit="page")
    pins = store.db.execute("SELECT digest, event_id FROM studio_pins").fetchall()
    assert [event for _, event in pins] == [done.event_id]  # in the command's own transaction
    edit_stage(root, "triage", NEW_HATS, OLD_HATS)
    assert engine_on(store, root).position(slug).stage("triage").stage.hats[0] == "first-responder"


def test_studio_upgrade_pins_an_intent_made_before_pins_without_moving_it(tmp_path):
    root = studio_copy(tmp_path)
    store = Store(tmp_path / "c.db")
    engine = engine_on(store, root)
    slug = started(engine)
    with store.db.conn:
        store.db.execute("DELETE FROM studio_pins")
    plan = engine.studio_upgrade_plan(slug)
    assert plan.pinned is None and not plan.up_to_date and plan.orphans == ()
    before = engine.position(slug).active.unit("declare").hat
    assert engine.upgrade_studio(slug, to=plan.current).position.active.unit("declare").hat == before
    assert engine.studio_upgrade_plan(slug).up_to_date


def test_a_stored_definition_that_cannot_be_read_is_named_and_the_other_intents_still_derive(engine, tmp_path):
    engine.create_intent(studio="incident-response", title="One", slug="one")
    engine.create_intent(studio="software", title="Two", slug="two")
    store = engine.store
    with store.db.conn:
        store.db.execute("UPDATE studio_definitions SET definition = '{\"format\": 1}' WHERE studio = 'software'")
    # The pinned files are on disk unchanged: walked by them, the stored copy is not needed.
    assert engine.position("two").studio.name == "software"
    # Once the files change, the stored definition is all there is, and it cannot be read.
    root = tmp_path / "studios"
    shutil.copytree(bundled_studios_dir() / "software", root / "software")
    (root / "software" / "STUDIO.md").write_text((root / "software" / "STUDIO.md").read_text() + "\nEdited.\n")
    changed = Engine(store, load_catalog([root], cache=False), clock=engine.clock, actor="t")
    with pytest.raises(CockpitError, match="two: its studio definition .*: not a stored studio definition"):
        changed.position("two")
    results = changed.overviews()
    assert [type(r).__name__ for r in results] == ["Overview", "CockpitError"]
    assert changed.positions()[0].facts.intent.slug == "one"


def test_the_very_files_pinned_are_walked_without_decoding_the_stored_copy(engine, monkeypatch):
    """Speed: `status SLUG` decoded ~170 kB of stored JSON per run although the catalog (cached
    between runs) held the same files' definition; the file digest says when they are the same."""
    from cockpit.domain import studio_codec

    engine.create_intent(studio="incident-response", title="One", slug="one")
    fresh = Engine(engine.store, engine.catalog, clock=engine.clock, actor="t")
    monkeypatch.setattr(studio_codec, "loads", lambda *a, **k: pytest.fail("decoded the stored definition"))
    assert fresh.position("one").studio is engine.catalog.get("incident-response")


def test_intents_share_a_stored_definition_and_it_is_decoded_once(engine):
    engine.create_intent(studio="incident-response", title="One", slug="one")
    engine.create_intent(studio="incident-response", title="Two", slug="two")
    assert engine.store.db.execute("SELECT count(*) FROM studio_definitions").fetchone()[0] == 1
    first, second = engine.position("one").studio, engine.position("two").studio
    assert first is second
    assert first == engine.catalog.get("incident-response")


def test_run_from_outside_the_project_the_overlay_is_missing_not_changed(tmp_path, monkeypatch):
    """An intent made inside a project walks by the studio with the project's overlay; opened from
    another folder (no overlay here) the files did not change: drift says the overlay is missing,
    and the upgrade plan shows that it would drop it (review of issue 14: it said 'changed on disk'
    and pointed to an upgrade that silently dropped the overlay)."""
    project = tmp_path / "payments"
    hat = project / ".haiku" / "studios" / "incident-response" / "stages" / "triage" / "hats" / "verifier.md"
    hat.parent.mkdir(parents=True)
    hat.write_text(
        (bundled_studios_dir() / "incident-response/stages/triage/hats/verifier.md").read_text() + "\nMore.\n"
    )
    store = Store(tmp_path / "c.db")
    clock = stepping_clock(T0, timedelta(minutes=1))
    inside = Engine(store, load_catalog(project=project, cache=False), clock=clock, actor="t")
    inside.create_intent(studio="incident-response", title="Checkout 5xx", slug="inc")
    assert inside.studio_drift("inc") is None
    outside = Engine(store, load_catalog(project=tmp_path / "elsewhere", cache=False), clock=clock, actor="t")
    drift = outside.studio_drift("inc")
    assert drift is not None and drift.elsewhere
    assert drift.line.startswith(f"studio incident-response loads here without the project overlay {hat.parents[3]}")
    assert "changed on disk" not in drift.warning
    plan = outside.studio_upgrade_plan("inc")
    assert plan.diff.lines()[0].startswith(f"project overlay: {hat.parents[3]} -> none")
