"""`cockpit studios` and `cockpit new` with real-format studios: which definition each id resolves
to, from where, with the hats' items and the reviewers' checks.

Resolution as the H·AI·K·U engine does it: gigsmart/haiku-method packages/haiku/src/studio-reader.ts
(`resolveStudio`, `scanStudiosFromDisk`). Fixtures in our own words (tests/studio_fixtures.py)."""

from __future__ import annotations

import json

from studio_fixtures import write_real_studio


def test_new_creates_on_the_real_studio_not_the_bundled_one(cli, tmp_path):
    write_real_studio(tmp_path / "real")
    for ident in ("application-development", "software", "appdev"):
        code, out, err = cli("new", "--studio", ident, "--title", f"On {ident}", "--studios", str(tmp_path / "real"))
        assert code == 0, err
        _code, status, _ = cli("status", out.strip(), "--json", "--studios", str(tmp_path / "real"))
        assert [s["name"] for s in json.loads(status)["stages"]] == ["build"], ident


def test_studios_json_says_where_each_id_resolves_and_lists_items_and_checks(cli, tmp_path, monkeypatch):
    write_real_studio(tmp_path / "real")
    hats = tmp_path / "proj" / ".haiku" / "studios" / "software" / "stages" / "build" / "hats"
    hats.mkdir(parents=True)
    (hats / "checker.md").write_text("---\nname: checker\n---\n**Produces:** A signed verdict.\n")
    monkeypatch.chdir(tmp_path / "proj")
    code, out, err = cli("studios", "--json", "--studios", str(tmp_path / "real"))
    assert code == 0, err
    data = json.loads(out)
    assert data["resolves"]["appdev"] == data["resolves"]["software"] == "application-development"
    real = next(s for s in data["studios"] if s["name"] == "application-development")
    assert real["source"] == str(tmp_path / "real") and len(real["digest"]) == 64
    assert real["overlay"] == str(tmp_path / "proj" / ".haiku" / "studios" / "software")
    assert real["overlaid"] == ["stages/build/hats/checker.md"]
    [build] = real["stages"]
    assert build["hat_items"]["checker"] == ["Produced: A signed verdict."]
    assert "Did not silence a failing check to get green" in build["hat_items"]["maker"]
    assert build["reviewer_checks"]["guard"][0] == "Verify that every input from outside is validated"
    assert build["phases"] == ["elaboration", "execution"]
    [shadowed] = data["shadowed"]
    assert (shadowed["name"], shadowed["source"], shadowed["shadowed_by"]) == (
        "software",
        "bundled",
        ["application-development"],
    )


def test_studios_text_names_ids_sources_and_shadowed_studios(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # piped: one entry per line, whatever the runner sets
    write_real_studio(tmp_path / "real")
    code, out, _ = cli("studios", "--studios", str(tmp_path / "real"))
    assert code == 0
    assert f"appdev → application-development  from {tmp_path / 'real'} · digest " in out
    assert "shadowed: software from bundled (by application-development)" in out
    assert "[ ] Did not start before reading the unit's criteria" in out
    assert "reviewer guard: 3 checks" in out


def test_studios_text_fits_the_terminal_with_hanging_indents(cli, monkeypatch):
    """Review of issue 14: a third of `cockpit studios`'s lines were wider than 80 columns, so the
    terminal folded long items back to column 0 under the layout. Wrapped to the width, an item's
    continuation stays under its text."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli("studios")
    assert code == 0
    lines = out.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    items = [i for i, line in enumerate(lines) if line.startswith("      [ ] ")]
    continued = [i + 1 for i in items if i + 1 < len(lines) and lines[i + 1].startswith(" " * 10 + "")]
    assert any(lines[i].startswith(" " * 10) and not lines[i].startswith(" " * 11) for i in continued)
