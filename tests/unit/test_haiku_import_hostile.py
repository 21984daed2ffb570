"""An intent folder is hostile data like any file (issue 15): a symbolic link is never followed (a
unit that is a link to /etc/passwd became a unit's body, bound for prompts, exports and commits), a
title with control characters is refused at its line, a huge file is not read, and the rest of the
intent still imports."""

from __future__ import annotations

import shutil

from helpers import REPO

from cockpit.sources import haiku_intents

FIXTURE = REPO / "tests/fixtures/haiku/project/.haiku"


def project(tmp_path):
    root = tmp_path / "payments"
    shutil.copytree(FIXTURE, root / ".haiku")
    return root


def units_dir(root):
    return root / ".haiku/intents/ledger-export/stages/development/units"


def imported_units(engine) -> set[str]:
    pos = engine.position("ledger-export")
    return {u.unit.slug for s in pos.stages for u in s.units}


def test_a_unit_file_that_is_a_symbolic_link_is_refused_and_never_read(engine, tmp_path):
    root = project(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (units_dir(root) / "unit-09-evil.md").symlink_to(secret)
    [result] = [r for r in engine.import_haiku(root, slugs=["ledger-export"])]
    assert any("unit-09-evil.md:1: a symbolic link: refused" in str(p) for p in result.problems)
    assert "unit-09-evil" not in imported_units(engine) and "unit-01-schema" in imported_units(engine)
    bodies = [u.body for u in engine.store.facts("ledger-export").units]
    assert not any("root:x:0:0" in body for body in bodies)


def test_a_linked_units_folder_and_a_linked_intent_folder_are_not_followed(engine, tmp_path):
    root = project(tmp_path)
    outside = tmp_path / "outside"
    shutil.copytree(units_dir(root), outside)
    shutil.rmtree(units_dir(root))
    units_dir(root).symlink_to(outside)
    (root / ".haiku/intents/elsewhere").symlink_to(root / ".haiku/intents/cache-stampede")
    _root, folders = haiku_intents.intent_folders(root)
    assert "elsewhere" not in {f.name for f in folders}
    folder, problems, _present = haiku_intents.read_intent_folder(root / ".haiku/intents/ledger-export")
    assert folder is not None and not any(u for s in folder.stages if s.name == "development" for u in s.units)
    assert any("a symbolic link: refused" in str(p) for p in problems)


def test_a_title_with_control_characters_is_refused_at_its_line(engine, tmp_path):
    root = project(tmp_path)
    (units_dir(root) / "unit-08-esc.md").write_text(
        '---\ntitle: "\\e]52;c;ZWNobyBoaQ==\\a evil \\e[2J"\nstatus: pending\n---\nbody\n'
    )
    [result] = engine.import_haiku(root, slugs=["ledger-export"])
    assert any(
        str(p).endswith("unit-08-esc.md:2: the title holds control characters (␛ at 1, ␇ at 20, ␛ at 27)")
        for p in result.problems
    )
    assert "unit-08-esc" not in imported_units(engine) and "unit-01-schema" in imported_units(engine)


def test_a_huge_file_is_not_read(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.setattr(haiku_intents, "MAX_FILE_BYTES", 1000)
    (units_dir(root) / "unit-07-huge.md").write_text("---\ntitle: Huge\n---\n" + "x" * 2000)
    folder, problems, _ = haiku_intents.read_intent_folder(root / ".haiku/intents/ledger-export")
    assert folder is not None
    assert any("unit-07-huge.md:1: 2,0" in str(p) and "not read" in str(p) for p in problems)
