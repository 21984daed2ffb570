"""Studio resolution, per-file overlays, digests and phase guidance, as the H·AI·K·U engine reads studios.

Engine semantics read from gigsmart/haiku-method packages/haiku/src/studio-reader.ts (`resolveStudio`:
folder name, `name`, `slug` or an alias, compared case-insensitively; `scanStudiosFromDisk`: the
project's `.haiku/studios` read after the plugin's; `readHatDefs` / `readReviewAgentDefs` /
`readPhaseOverride`: each file looked up in the project first, hats and agents merged by file name)
and packages/haiku/src/orchestrator/studio.ts (`resolveStudioFilePath`: first existing path, project
over plugin). Fixtures are our own words in the real layout (tests/studio_fixtures.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from studio_fixtures import MAKER_HAT, write_real_studio

from cockpit.sources.studios import BUNDLED, find_project_studios, load_catalog


def _load(*dirs: Path, project: Path | None = None):
    catalog = load_catalog(list(dirs), cache=False, project=project)
    assert not catalog.problems, [str(p) for p in catalog.problems]
    return catalog


def test_a_real_studio_on_studios_wins_every_id_the_bundled_one_claims(tmp_path):
    write_real_studio(tmp_path / "real")
    catalog = _load(tmp_path / "real")
    for ident in ("application-development", "software", "appdev", "AppDev", "SOFTWARE"):
        studio = catalog.get(ident)
        assert studio.name == "application-development" and studio.source == str(tmp_path / "real"), ident
        assert studio.stage_names == ("build",)
    [shadowed] = catalog.shadowed
    assert (shadowed.studio.name, shadowed.studio.source, shadowed.by) == (
        "software",
        BUNDLED,
        ("application-development",),
    )
    assert "software" not in catalog.studios
    assert catalog.get("incident-response").source == BUNDLED  # untouched


def test_a_studio_taking_one_id_leaves_the_bundled_one_its_others(tmp_path):
    folder = write_real_studio(tmp_path / "real", folder="ops")
    (folder / "STUDIO.md").write_text("---\nname: ops\naliases: [AppDev]\nstages: [build]\n---\n")
    catalog = _load(tmp_path / "real")
    assert catalog.get("appdev").name == "ops" and catalog.get("ops").name == "ops"
    for ident in ("software", "application-development"):  # the bundled one keeps its name and other alias
        assert (catalog.get(ident).name, catalog.get(ident).source) == ("software", BUNDLED)
    assert catalog.shadowed == []


def test_a_partial_overlay_replaces_one_file_and_keeps_the_rest(tmp_path):
    write_real_studio(tmp_path / "plugin")
    base = _load(tmp_path / "plugin").get("appdev")
    overlay = tmp_path / "project" / ".haiku" / "studios" / "software" / "stages" / "build" / "hats"
    overlay.mkdir(parents=True)
    (overlay / "maker.md").write_text(MAKER_HAT.replace("**Produces:** A change", "**Produces:** A reviewed change"))
    catalog = _load(tmp_path / "plugin", project=tmp_path / "project")
    studio = catalog.get("application-development")
    stage = studio.stage("build")
    assert stage.hat("maker").checklist[0].startswith("Produced: A reviewed change")  # from the overlay
    assert stage.hat("checker").path == str(
        tmp_path / "plugin" / "software" / "stages" / "build" / "hats" / "checker.md"
    )
    assert stage.reviewer_names == ("guard",) and set(stage.phases) == {"elaboration", "execution"}
    assert studio.overlay == str(tmp_path / "project" / ".haiku" / "studios" / "software")
    assert studio.overlaid == ("stages/build/hats/maker.md",)
    assert studio.source == str(tmp_path / "plugin") and studio.digest != base.digest
    assert len(catalog.studios) == 2  # the overlaid studio replaces its base
    assert [s.studio.source for s in catalog.shadowed] == [BUNDLED]  # the bundled software, as without overlay


def test_an_overlay_of_one_stage_md_changes_that_stage_only_and_is_found_from_a_subfolder(tmp_path):
    write_real_studio(tmp_path / "plugin")
    stage_dir = tmp_path / "project" / ".haiku" / "studios" / "APPDEV" / "stages" / "build"  # any id, any case
    stage_dir.mkdir(parents=True)
    (stage_dir / "STAGE.md").write_text("---\nname: build\nhats: [checker]\nreview: [external, ask]\n---\n# Ours\n")
    deep = tmp_path / "project" / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_project_studios(deep) == tmp_path / "project" / ".haiku" / "studios"
    stage = _load(tmp_path / "plugin", project=deep).get("software").stage("build")
    assert (stage.hats, stage.gate) == (("checker",), ("external", "ask"))
    assert stage.hat("maker") is None and stage.body.strip() == "# Ours"


def test_the_bundled_studio_can_be_overlaid_too(tmp_path):
    hats = tmp_path / ".haiku" / "studios" / "incident-response" / "stages" / "triage" / "hats"
    hats.mkdir(parents=True)
    (hats / "verifier.md").write_text("---\nname: verifier\n---\n**Produces:** A signed brief.\n")
    studio = _load(project=tmp_path).get("ir")
    assert studio.stage("triage").hat("verifier").checklist == ("Produced: A signed brief.",)
    assert studio.source == BUNDLED and studio.overlaid == ("stages/triage/hats/verifier.md",)


def test_a_project_folder_naming_no_studio_is_a_whole_studio_or_a_located_problem(tmp_path):
    studios = tmp_path / ".haiku" / "studios"
    write_real_studio(studios, folder="own", name="own-studio")
    (studios / "typo" / "stages").mkdir(parents=True)
    catalog = load_catalog(cache=False, project=tmp_path)
    assert catalog.get("own-studio").source == str(studios)
    [problem] = catalog.problems
    assert problem.path == str(studios / "typo") and "names no loaded studio" in problem.reason


def test_the_digest_covers_what_was_read_and_only_that(tmp_path):
    write_real_studio(tmp_path / "a")
    first = _load(tmp_path / "a").get("appdev").digest
    assert len(first) == 64 and _load(tmp_path / "a").get("appdev").digest == first
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert _load(tmp_path / "b").get("appdev").digest == first  # relative paths: the folder does not count
    (tmp_path / "a" / "software" / "examples").mkdir()
    (tmp_path / "a" / "software" / "examples" / "sample.md").write_text("not read by the loader\n")
    assert _load(tmp_path / "a").get("appdev").digest == first
    phase = tmp_path / "a" / "software" / "stages" / "build" / "phases" / "EXECUTION.md"
    phase.write_text(phase.read_text() + "One more line.\n")
    assert _load(tmp_path / "a").get("appdev").digest != first


def test_a_shared_hat_a_studio_names_is_part_of_its_digest(tmp_path):
    root = tmp_path / "s"
    write_real_studio(root)
    stage_md = root / "software" / "stages" / "build" / "STAGE.md"
    stage_md.write_text(stage_md.read_text().replace("hats: [maker, checker]", "hats: [maker, helper]"))
    (root / "hats").mkdir()
    (root / "hats" / "helper.md").write_text("---\nname: helper\n---\n**Produces:** Help.\n")
    first = _load(root).get("appdev").digest
    (root / "hats" / "helper.md").write_text("---\nname: helper\n---\n**Produces:** More help.\n")
    assert _load(root).get("appdev").digest != first


def test_phase_guidance_is_read_by_lower_case_phase_name_without_frontmatter(tmp_path):
    write_real_studio(tmp_path / "r")
    phases = _load(tmp_path / "r").get("appdev").stage("build").phases
    assert phases["elaboration"].startswith("# Build — elaboration") and "criteria_focus" not in phases["elaboration"]
    assert phases["execution"].endswith("Small steps, each one green.")
    assert "elaboration" in load_catalog(cache=False, project=None).get("ir").stage("triage").phases


def test_real_format_files_give_non_empty_hand_off_items_and_checks(tmp_path):
    write_real_studio(tmp_path / "r")
    stage = _load(tmp_path / "r").get("appdev").stage("build")
    assert all(stage.hat(h).checklist for h in stage.hats)
    assert all(agent.checks for agent in stage.reviewers)


def test_the_cache_sees_an_edited_overlay(tmp_path):
    write_real_studio(tmp_path / "plugin")
    hats = tmp_path / "p" / ".haiku" / "studios" / "software" / "stages" / "build" / "hats"
    hats.mkdir(parents=True)
    (hats / "maker.md").write_text("---\nname: maker\n---\n**Produces:** First.\n")
    load = lambda: load_catalog([tmp_path / "plugin"], project=tmp_path / "p")  # noqa: E731
    assert load().get("appdev").stage("build").hat("maker").checklist == ("Produced: First.",)
    (hats / "maker.md").write_text("---\nname: maker\n---\n**Produces:** Second.\n")
    assert load().get("appdev").stage("build").hat("maker").checklist == ("Produced: Second.",)
    assert load_catalog([tmp_path / "plugin"], project=None).get("appdev").stage("build").hat("maker").checklist[0] != (
        "Produced: Second."
    )
