"""STAGE.md `checks:`: parsed onto the Stage, and an unknown id is a load error at its line."""

from __future__ import annotations

from cockpit.checks import known_ids
from cockpit.sources.studios import load_catalog


def _studio(root, checks: str):
    folder = root / "tiny"
    (folder / "stages" / "one" / "hats").mkdir(parents=True)
    (folder / "STUDIO.md").write_text("---\nname: tiny\nstages: [one]\n---\n")
    (folder / "stages" / "one" / "STAGE.md").write_text(
        f"---\nname: one\nhats: [worker]\nreview: ask\n{checks}---\n# One\n"
    )
    (folder / "stages" / "one" / "hats" / "worker.md").write_text(
        "---\nname: worker\n---\n## Hand-off checklist\n- [ ] done\n"
    )
    return folder


def test_bundled_stages_declare_their_checks(catalog):
    ops = catalog.get("software").stage("operations")
    resolve = catalog.get("incident-response").stage("resolve")
    assert {"ops.rollback", "ops.alert-runbooks", "ops.slo-table", "body.secrets"} <= set(ops.checks)
    assert {"resolve.root-cause", "resolve.deployment-plan", "body.placeholders"} <= set(resolve.checks)
    assert catalog.get("incident-response").stage("triage").checks == ()
    assert set(ops.checks) | set(resolve.checks) <= set(known_ids())


def test_known_checks_load_in_order_without_duplicates(tmp_path):
    _studio(tmp_path, "checks:\n  - body.secrets\n  - ops.rollback\n  - body.secrets\n")
    catalog = load_catalog([tmp_path])
    assert not catalog.problems
    assert catalog.get("tiny").stage("one").checks == ("body.secrets", "ops.rollback")


def test_an_unknown_check_is_a_load_error_naming_its_line_and_the_known_ids(tmp_path):
    folder = _studio(tmp_path, "checks:\n  - ops.rollback\n  - ops.rolback\n")
    catalog = load_catalog([tmp_path])
    assert "tiny" not in catalog.studios
    [problem] = catalog.problems
    assert problem.path == str(folder / "stages" / "one" / "STAGE.md")
    assert problem.line == 7  # the `- ops.rolback` line
    assert problem.reason.startswith("unknown check 'ops.rolback' (known: ops.sections, ")
    assert str(problem).startswith(f"{problem.path}:7: unknown check")


def test_checks_must_be_a_list_of_ids(tmp_path):
    _studio(tmp_path, "checks: {ops.rollback: true}\n")
    [problem] = load_catalog([tmp_path]).problems
    assert problem.line == 5 and "`checks:` must be a list" in problem.reason
