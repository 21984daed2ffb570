"""The studio loader and the bundled studios: facts from the seeds, and located load errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cockpit.errors import NotFound, SourceError
from cockpit.sources.studios import bundled_studios_dir, load_catalog
from cockpit.text import frontmatter

# ------------------------------------------------------------------ bundled facts


def test_software_operations_matches_seed_000(catalog):
    software = catalog.get("application-development")  # alias resolves
    assert software.name == "software"
    assert software.stage_names == ("inception", "design", "product", "development", "operations", "security")
    ops = software.stage("operations")
    assert ops.hats == ("ops-engineer", "sre", "verifier")
    assert ops.fix_hats == ("classifier", "ops-engineer", "feedback-assessor")
    assert ops.gate == ("auto",)
    assert ops.elaboration == "autonomous"
    # own lenses first, then the borrowed security reviewer from development
    assert ops.reviewer_names[:2] == ("observability", "reliability")
    assert "security" in ops.reviewer_names
    outputs = {t.name for t in ops.templates if t.kind == "output"}
    assert len(outputs) == 2
    assert "Good" in ops.body or "good" in ops.body  # criteria guidance lives in the stage


def test_incident_response_stages_match_the_model(catalog):
    ir = catalog.get("incident-response")
    expected = {
        "triage": (("incident-commander", "first-responder", "verifier"), ("auto",)),
        "investigate": (("investigator", "log-analyst", "verifier"), ("auto",)),
        "mitigate": (("mitigation-planner", "mitigator", "verifier"), ("ask", "await")),
        "resolve": (("engineer", "reviewer", "verifier"), ("ask",)),
        "postmortem": (("postmortem-author", "action-item-tracker", "verifier"), ("external",)),
    }
    assert ir.stage_names == tuple(expected)
    for name, (hats, gate) in expected.items():
        stage = ir.stage(name)
        assert (stage.hats, stage.gate) == (hats, gate), name
        assert stage.fix_hats[0] == "classifier" and stage.fix_hats[-1] == "feedback-assessor"
    resolve = ir.stage("resolve")
    assert resolve.fix_hats == ("classifier", "engineer", "feedback-assessor")
    assert resolve.reviewer_names == ("correctness",)
    assert [t.name for t in resolve.templates if t.kind == "output"]


def test_every_bundled_hat_has_a_mandate_and_a_tickable_checklist(catalog):
    for studio in catalog.studios.values():
        for stage in studio.stages:
            for name in (*stage.hats, *stage.fix_hats):
                hat = stage.hat(name)
                assert hat is not None, (studio.name, stage.name, name)
                assert len(hat.checklist) >= 3, hat.path
                assert all(item and not item.startswith("[") for item in hat.checklist), hat.path
            for agent in stage.reviewers:
                assert agent.checks, agent.path


def test_resolve_correctness_agent_carries_its_checks(catalog):
    agent = catalog.get("incident-response").stage("resolve").reviewers[0]
    assert len(agent.checks) >= 5
    assert agent.failure_modes


# ------------------------------------------------------------------ frontmatter


def test_section_items_parses_boxes_and_wrapped_items():
    body = "# Hat\n\n## Hand-off checklist\n- [ ] First thing\n  continues here\n- [x] Second\n\n## Anti-patterns\n- not me\n"
    assert frontmatter.section_items(body, "hand-off checklist") == ["First thing continues here", "Second"]


def test_bad_yaml_names_the_file_and_line():
    text = "---\nname: x\nhats: [a, b\nreview: ask\n---\nbody\n"
    with pytest.raises(SourceError) as err:
        frontmatter.parse("STAGE.md", text)
    assert str(err.value).startswith("STAGE.md:")
    assert err.value.line in (3, 4, 5)


def test_unclosed_frontmatter_is_an_error():
    with pytest.raises(SourceError, match="never closed"):
        frontmatter.parse("x.md", "---\nname: x\n")


def test_file_without_frontmatter_is_all_body():
    doc = frontmatter.parse("x.md", "# Title\ntext")
    assert doc.meta == {} and doc.body.startswith("# Title")


# ------------------------------------------------------------------ malformed studios


def _studio(
    root: Path,
    name: str = "tiny",
    stage_meta: str = "hats: [worker]\nreview: ask",
    hat_files=("worker",),
    stages="[one]",
) -> Path:
    folder = root / name
    (folder / "stages" / "one" / "hats").mkdir(parents=True)
    (folder / "STUDIO.md").write_text(f"---\nname: {name}\nstages: {stages}\nowner: someone\n---\n# {name}\n")
    (folder / "stages" / "one" / "STAGE.md").write_text(f"---\nname: one\n{stage_meta}\nfuture_key: kept\n---\n# One\n")
    for hat in hat_files:
        (folder / "stages" / "one" / "hats" / f"{hat}.md").write_text(
            f"---\nname: {hat}\n---\n# {hat}\n\n## Hand-off checklist\n- [ ] done\n"
        )
    return folder


def test_unknown_keys_are_kept(tmp_path):
    _studio(tmp_path)
    catalog = load_catalog([tmp_path])
    tiny = catalog.get("tiny")
    assert tiny.meta["owner"] == "someone"
    assert tiny.stage("one").meta["future_key"] == "kept"


def test_missing_hat_file_is_reported_with_its_line_and_others_still_load(tmp_path):
    _studio(tmp_path, "broken", stage_meta="hats:\n  - worker\n  - ghost\nreview: ask")
    _studio(tmp_path, "fine")
    catalog = load_catalog([tmp_path])
    assert "fine" in catalog.studios and "broken" not in catalog.studios
    assert "incident-response" in catalog.studios
    [problem] = catalog.problems
    assert problem.path.endswith("broken/stages/one/STAGE.md")
    assert problem.line == 5  # the `- ghost` line
    assert "ghost" in problem.reason


def test_missing_stage_md_is_reported_at_the_studio_line(tmp_path):
    folder = _studio(tmp_path, "gap", stages="\n  - one\n  - two")
    catalog = load_catalog([tmp_path])
    [problem] = catalog.problems
    assert problem.path == str(folder / "STUDIO.md")
    assert problem.line == 5 and "two" in problem.reason


def test_bad_yaml_in_a_studio_skips_only_that_studio(tmp_path):
    folder = _studio(tmp_path, "yamlbad")
    (folder / "stages" / "one" / "STAGE.md").write_text("---\nname: one\nhats: [worker\n---\n")
    _studio(tmp_path, "fine")
    catalog = load_catalog([tmp_path])
    assert "fine" in catalog.studios and "yamlbad" not in catalog.studios
    assert any(("invalid YAML" in str(p) and ":3:" in str(p)) or ":4:" in str(p) for p in catalog.problems)


def test_unknown_gate_kind_is_reported(tmp_path):
    _studio(tmp_path, "gatebad", stage_meta="hats: [worker]\nreview: maybe")
    [problem] = load_catalog([tmp_path]).problems
    assert problem.line == 4 and "review" in problem.reason


def test_invalid_utf8_is_reported_not_raised(tmp_path):
    folder = _studio(tmp_path, "binary")
    (folder / "stages" / "one" / "hats" / "worker.md").write_bytes(b"---\nname: w\n---\n\xff\xfe")
    [problem] = load_catalog([tmp_path]).problems
    assert "UTF-8" in problem.reason and problem.path.endswith("worker.md")


def test_a_later_folder_overrides_a_studio_of_the_same_name(tmp_path):
    _studio(tmp_path, "incident-response")
    catalog = load_catalog([tmp_path])
    assert catalog.get("incident-response").stage_names == ("one",)


def test_unknown_studio_lists_the_known_ones(catalog):
    with pytest.raises(NotFound, match="incident-response"):
        catalog.get("nope")


def test_bundled_copy_loads_unchanged_with_haiku_extras(tmp_path):
    """A real H·AI·K·U studio folder carries extra folders and keys; none of them is fatal."""
    copy = tmp_path / "incident-response"
    shutil.copytree(bundled_studios_dir() / "incident-response", copy)
    (copy / "operations").mkdir()
    (copy / "operations" / "weekly.md").write_text("---\nname: weekly\ntype: scheduled\n---\n")
    (copy / "templates").mkdir()
    (copy / "templates" / "t.md").write_text("---\nname: t\nunits: []\n---\n")
    catalog = load_catalog([tmp_path])
    assert not catalog.problems
    assert catalog.get("incident-response").stage("resolve").hats == ("engineer", "reviewer", "verifier")


def test_haiku_stage_keys_load_unchanged(tmp_path):
    meta = (
        "hats: [worker]\nfix_hats: [classifier, worker, feedback-assessor]\nreview: [external, ask]\n"
        "elaboration: collaborative\nunit_types: [fix, test, deployment]\nrequires_design_direction: false\n"
        "gate-protocol:\n  timeout: 72h\n  timeout-action: escalate\n  escalation: comms\n"
        '  conditions: ["no HIGH findings from review agents"]\n'
        "inputs:\n  - stage: one\n    discovery: notes\n"
    )
    _studio(tmp_path, "haikuish", stage_meta=meta)
    catalog = load_catalog([tmp_path])
    assert not catalog.problems, [str(p) for p in catalog.problems]
    stage = catalog.get("haikuish").stage("one")
    assert stage.gate == ("external", "ask") and stage.elaboration == "collaborative"
    assert stage.meta["gate-protocol"]["timeout"] == "72h"
    assert stage.hat("classifier").checklist  # the shared fix hats resolve
