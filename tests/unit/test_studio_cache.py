"""The studio catalog cache: a second load reuses the parsed catalog, any change to a studio file
is seen, and a damaged or unwritable cache is ignored (the studios are parsed again)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cockpit.sources import studio_cache, studios
from cockpit.sources.studios import load_catalog


def _studio(root: Path, title: str = "One", hats: str = "[worker]") -> Path:
    folder = root / "tiny"
    (folder / "stages" / "one" / "hats").mkdir(parents=True, exist_ok=True)
    (folder / "STUDIO.md").write_text("---\nname: tiny\nstages: [one]\n---\n# Tiny\n")
    (folder / "stages" / "one" / "STAGE.md").write_text(f"---\nname: one\nhats: {hats}\nreview: ask\n---\n# {title}\n")
    (folder / "stages" / "one" / "hats" / "worker.md").write_text("---\nname: worker\n---\n# Worker\n")
    return folder


def _cache_files() -> list[Path]:
    return sorted(studio_cache.cache_dir().glob("studios-*.pickle"))


def _no_parsing(monkeypatch):
    def refuse(dirs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(studios, "_parse_catalog", refuse)


def test_a_second_load_reuses_the_parsed_catalog(tmp_path, monkeypatch):
    _studio(tmp_path)
    first = load_catalog([tmp_path])
    assert len(_cache_files()) == 1
    assert oct(_cache_files()[0].stat().st_mode & 0o777) == "0o600"
    _no_parsing(monkeypatch)
    again = load_catalog([tmp_path])
    assert again == first
    assert again.get("tiny").stage("one").body.strip() == "# One"


def test_the_cache_matches_a_fresh_parse(tmp_path):
    _studio(tmp_path)
    load_catalog([tmp_path])
    assert load_catalog([tmp_path]) == load_catalog([tmp_path], cache=False)
    assert load_catalog() == load_catalog(cache=False)


def test_an_edited_studio_file_is_parsed_again_even_with_the_same_size_and_time(tmp_path):
    folder = _studio(tmp_path, title="Aaaa")
    stage = folder / "stages" / "one" / "STAGE.md"
    before = stage.stat()
    assert load_catalog([tmp_path]).get("tiny").stage("one").body.strip() == "# Aaaa"
    _studio(tmp_path, title="Bbbb")  # the same size, and the modification time put back
    os.utime(stage, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert stage.stat().st_size == before.st_size
    assert load_catalog([tmp_path]).get("tiny").stage("one").body.strip() == "# Bbbb"


def test_an_added_or_removed_file_is_seen(tmp_path):
    folder = _studio(tmp_path)
    assert not load_catalog([tmp_path]).problems
    (folder / "stages" / "one" / "hats" / "worker.md").unlink()  # STAGE.md names a hat with no file now
    [problem] = load_catalog([tmp_path]).problems
    assert "worker" in str(problem) and problem.line == 3
    assert "tiny" not in load_catalog([tmp_path]).studios
    (folder / "stages" / "one" / "hats" / "worker.md").write_text("---\nname: worker\n---\n# Worker\n")
    catalog = load_catalog([tmp_path])
    assert "tiny" in catalog.studios and not catalog.problems


def test_problems_come_back_from_the_cache_located(tmp_path, monkeypatch):
    _studio(tmp_path, hats="[worker, ghost]")
    fresh = load_catalog([tmp_path])
    _no_parsing(monkeypatch)
    cached = load_catalog([tmp_path])
    assert [(p.path, p.line, p.reason, str(p)) for p in cached.problems] == [
        (p.path, p.line, p.reason, str(p)) for p in fresh.problems
    ]
    assert cached.problems and "ghost" in str(cached.problems[0])


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x80\x05\x95garbage", "truncate"])
def test_a_damaged_cache_file_is_ignored_and_replaced(tmp_path, damage):
    _studio(tmp_path)
    expected = load_catalog([tmp_path], cache=False)
    load_catalog([tmp_path])
    [path] = _cache_files()
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        path.write_bytes(damage)
    assert load_catalog([tmp_path]) == expected
    assert load_catalog([tmp_path]) == expected  # and the file was rewritten whole
    assert path.stat().st_size > 100


def test_a_cache_of_another_shape_is_ignored(tmp_path):
    import pickle

    _studio(tmp_path)
    load_catalog([tmp_path])
    [path] = _cache_files()
    path.write_bytes(pickle.dumps({"something": "else"}))
    assert load_catalog([tmp_path]) == load_catalog([tmp_path], cache=False)


def test_an_unwritable_cache_folder_only_costs_the_parse(tmp_path, monkeypatch):
    _studio(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # the cache folder cannot be made under a file
    assert load_catalog([tmp_path]) == load_catalog([tmp_path], cache=False)
    assert list(tmp_path.glob("**/*.tmp")) == []
