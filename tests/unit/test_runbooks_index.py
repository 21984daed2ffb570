"""Indexing runbook folders: counts, only-changed re-indexing, gone and back, bad input, short
transactions, symlinks that lead outside."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cockpit.app.config import load_config
from cockpit.clock import stepping_clock
from cockpit.errors import CockpitError
from cockpit.runbooks import index as runbook_index
from cockpit.runbooks.index import bundled_runbooks_dir, index_library, library_roots
from cockpit.runbooks.library import freshness, get_runbook, library_freshness, list_runbooks
from cockpit.runbooks.search import search_runbooks
from cockpit.store.database import Store

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "runbooks"


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "c.db")


@pytest.fixture
def clock():
    return stepping_clock(T0, timedelta(minutes=1))


def runbook(path: Path, title: str, body: str = "Some text.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    return path


def test_first_index_adds_every_file_and_names_them_by_path(store, clock, tmp_path):
    runbook(tmp_path / "lib" / "restart.md", "Restart")
    runbook(tmp_path / "lib" / "db" / "failover.md", "Failover")
    report = index_library(store, [tmp_path / "lib"], clock=clock)
    assert sorted(report.added) == ["db/failover", "restart"]
    assert report.summary() == "2 added, 0 changed, 0 unchanged, 0 gone"
    assert get_runbook(store, "db/failover").title == "Failover"


def test_reindexing_touches_only_files_whose_content_changed(store, clock, tmp_path):
    a = runbook(tmp_path / "a.md", "Alpha")
    runbook(tmp_path / "b.md", "Beta")
    index_library(store, [tmp_path], clock=clock)
    before = {i.name: i for i in list_runbooks(store)}
    a.write_text("# Alpha\n\nNew words: quokka.\n", encoding="utf-8")
    os.utime(tmp_path / "b.md")  # a touch without a content change is not a change
    report = index_library(store, [tmp_path], clock=clock)
    assert (report.added, report.changed, report.unchanged, report.gone) == ([], ["a"], ["b"], [])
    after = {i.name: i for i in list_runbooks(store)}
    assert after["b"].indexed_at == before["b"].indexed_at and after["b"].checked_at != before["b"].checked_at
    assert after["a"].indexed_at != before["a"].indexed_at and after["a"].sha256 != before["a"].sha256
    assert [h.name for h in search_runbooks(store, "quokka")] == ["a"]


def test_unchanged_files_are_not_parsed_again(store, clock, tmp_path, monkeypatch):
    runbook(tmp_path / "a.md", "Alpha")
    index_library(store, [tmp_path], clock=clock)
    parsed = []
    real = runbook_index.parse_runbook
    monkeypatch.setattr(runbook_index, "parse_runbook", lambda *a, **k: parsed.append(k) or real(*a, **k))
    index_library(store, [tmp_path], clock=clock)
    assert parsed == []


def test_a_removed_file_is_gone_out_of_search_and_back_when_it_returns(store, clock, tmp_path):
    path = runbook(tmp_path / "wombat.md", "Wombat handling")
    runbook(tmp_path / "other.md", "Other")
    index_library(store, [tmp_path], clock=clock)
    content = path.read_text()
    path.unlink()
    report = index_library(store, [tmp_path], clock=clock)
    assert report.gone == ["wombat"]
    assert search_runbooks(store, "wombat") == []
    assert [i.name for i in list_runbooks(store)] == ["other"]
    kept = get_runbook(store, "wombat")
    assert kept.gone and kept.content == content  # not deleted silently
    assert "gone" in freshness(kept, T0 + timedelta(hours=1))
    assert index_library(store, [tmp_path], clock=clock).gone == []  # already gone: not reported again
    path.write_text(content)
    report = index_library(store, [tmp_path], clock=clock)
    assert report.back == ["wombat"] and report.added == []
    assert not get_runbook(store, "wombat").gone
    assert [h.name for h in search_runbooks(store, "wombat")] == ["wombat"]


def test_a_moved_file_keeps_its_row(store, clock, tmp_path):
    runbook(tmp_path / "one" / "x.md", "X")
    index_library(store, [tmp_path / "one"], clock=clock)
    first = get_runbook(store, "x")
    (tmp_path / "one").rename(tmp_path / "two")
    report = index_library(store, [tmp_path / "two"], clock=clock)
    moved = get_runbook(store, "x")
    assert (moved.id, moved.gone, report.gone, report.unchanged) == (first.id, False, [], ["x"])
    assert moved.source == str(tmp_path / "two" / "x.md")


def test_bad_input_is_reported_and_the_rest_still_indexes(store, clock, tmp_path):
    lib = tmp_path / "lib"
    runbook(lib / "good.md", "Good")
    (lib / "latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    (lib / "binary.md").write_bytes(b"\x00\x01\x02 binary")
    (lib / "huge.md").write_bytes(b"# Huge\n" + b"x" * (5 * 1024 * 1024))
    os.symlink(lib / "self.md", lib / "self.md")
    os.symlink(lib, lib / "loop")  # a folder that contains itself
    (lib / "notes.txt").write_text("not markdown")
    report = index_library(store, [lib], clock=clock)
    assert report.added == ["good"]
    problems = "\n".join(report.problems)
    assert f"{lib / 'latin1.md'}: not UTF-8 text" in problems
    assert f"{lib / 'binary.md'}: binary file" in problems
    assert f"{lib / 'huge.md'}: too large (5.2 MB" in problems
    assert f"{lib / 'self.md'}: symlink loop" in problems
    assert f"{lib / 'loop'}: symlink loop" in problems
    assert len(report.problems) == 5


def test_a_file_that_turns_bad_keeps_its_last_good_copy(store, clock, tmp_path):
    path = runbook(tmp_path / "a.md", "Alpha", "Words about koalas.")
    index_library(store, [tmp_path], clock=clock)
    path.write_bytes(b"\xff\xfe broken")
    report = index_library(store, [tmp_path], clock=clock)
    kept = get_runbook(store, "a")
    assert report.gone == [] and "koalas" in kept.content and kept.last_error.startswith("not UTF-8")
    assert [h.name for h in search_runbooks(store, "koalas")] == ["a"]


def test_a_later_folder_shadows_an_earlier_runbook_of_the_same_name(store, clock, tmp_path):
    runbook(tmp_path / "samples" / "restart.md", "Sample restart")
    runbook(tmp_path / "team" / "restart.md", "Team restart")
    report = index_library(store, [tmp_path / "samples", tmp_path / "team"], clock=clock)
    assert report.added == ["restart"] and "shadowed by" in report.notes[0]
    assert get_runbook(store, "restart").title == "Team restart"


def test_a_missing_folder_is_reported_and_its_runbooks_are_not_marked_gone(store, clock, tmp_path):
    runbook(tmp_path / "mnt" / "a.md", "A")
    index_library(store, [tmp_path / "mnt"], clock=clock)
    (tmp_path / "mnt" / "a.md").rename(tmp_path / "a.md")
    (tmp_path / "mnt").rmdir()  # an unmounted share: we cannot tell what is gone
    report = index_library(store, [tmp_path / "mnt"], clock=clock)
    assert report.problems == [f"{tmp_path / 'mnt'}: runbooks folder not found"] and report.gone == []


def test_a_failed_batch_rolls_back_whole_and_a_rerun_finishes_the_job(store, clock, tmp_path, monkeypatch):
    for letter in "abcde":
        runbook(tmp_path / f"{letter}.md", letter.upper(), f"Words about {letter}wombat.")
    real = runbook_index.write_fts
    calls = []

    def failing(store_, runbook_id, doc):
        calls.append(runbook_id)
        if len(calls) == 4:  # the second file of the second batch
            raise RuntimeError("disk full")
        real(store_, runbook_id, doc)

    monkeypatch.setattr(runbook_index, "write_fts", failing)
    with pytest.raises(RuntimeError):
        index_library(store, [tmp_path], clock=clock, batch_files=2, pause=lambda s: None)
    # The first batch stays; of the failed one, not even its first file's row is left without a search row.
    assert [i.name for i in list_runbooks(store)] == ["a", "b"]
    assert store.db.execute("SELECT count(*) FROM runbooks_fts").fetchone()[0] == 2
    monkeypatch.setattr(runbook_index, "write_fts", real)
    report = index_library(store, [tmp_path], clock=clock, batch_files=2, pause=lambda s: None)
    assert (report.added, report.unchanged) == (["c", "d", "e"], ["a", "b"])
    assert [h.name for h in search_runbooks(store, "cwombat")] == ["c"]


def _count_transactions(store, monkeypatch) -> list[int]:
    """Files written per write transaction (each write_fts call is one file's search row)."""
    sizes: list[int] = []
    real_writing, real_fts = store.writing, runbook_index.write_fts

    @contextmanager
    def writing():
        sizes.append(0)
        with real_writing():
            yield

    def fts(store_, runbook_id, doc):
        sizes[-1] += 1
        real_fts(store_, runbook_id, doc)

    monkeypatch.setattr(store, "writing", writing)
    monkeypatch.setattr(runbook_index, "write_fts", fts)
    return sizes


def test_indexing_commits_in_batches_of_at_most_batch_files(store, clock, tmp_path, monkeypatch):
    for number in range(120):
        runbook(tmp_path / f"rb-{number:03d}.md", f"Runbook {number}")
    sizes = _count_transactions(store, monkeypatch)
    report = index_library(store, [tmp_path], clock=clock, pause=lambda s: None)
    assert len(report.added) == 120 and sizes == [50, 50, 20]
    for number in range(110, 120):
        (tmp_path / f"rb-{number:03d}.md").unlink()
    sizes.clear()
    report = index_library(store, [tmp_path], clock=clock, batch_files=4, pause=lambda s: None)
    assert len(report.gone) == 10 and sizes[-3:] == [4, 4, 2]  # marking gone is batched too


def test_a_batch_ends_when_its_time_is_up_and_the_lock_is_then_left_free_as_long(store, clock, tmp_path, monkeypatch):
    """Each file's writes 'take' 20 ms on a fake timer: a 50 ms budget closes a batch after 3."""
    for number in range(10):
        runbook(tmp_path / f"rb-{number}.md", f"Runbook {number}")
    now = [0.0]
    pauses: list[float] = []
    sizes = _count_transactions(store, monkeypatch)
    counting_fts = runbook_index.write_fts

    def slow_fts(store_, runbook_id, doc):
        now[0] += 0.02
        counting_fts(store_, runbook_id, doc)

    monkeypatch.setattr(runbook_index, "write_fts", slow_fts)

    def pause(seconds):
        pauses.append(round(seconds, 6))
        now[0] += seconds

    index_library(store, [tmp_path], clock=clock, batch_seconds=0.05, timer=lambda: now[0], pause=pause)
    assert sizes == [3, 3, 3, 1]
    assert pauses == [0.06, 0.06, 0.06]  # before each later batch: as long as the one before held the lock


def test_files_are_read_and_parsed_outside_the_write_transaction(store, clock, tmp_path, monkeypatch):
    for number in range(7):
        runbook(tmp_path / f"rb-{number}.md", f"Runbook {number}")
    inside: list[bool] = []
    real_parse, real_read = runbook_index.parse_runbook, runbook_index.read_runbook_text
    monkeypatch.setattr(
        runbook_index,
        "parse_runbook",
        lambda *a, **k: inside.append(store.db.conn.in_transaction) or real_parse(*a, **k),
    )
    monkeypatch.setattr(
        runbook_index,
        "read_runbook_text",
        lambda *a, **k: inside.append(store.db.conn.in_transaction) or real_read(*a, **k),
    )
    index_library(store, [tmp_path], clock=clock, batch_files=3, pause=lambda s: None)
    assert len(inside) == 14 and not any(inside)


# ------------------------------------------------------------------ symlinks


def test_symlinks_that_lead_outside_the_folder_are_reported_and_skipped(store, clock, tmp_path):
    lib = tmp_path / "lib"
    runbook(lib / "good.md", "Good")
    outside = runbook(tmp_path / "private" / "secret.md", "Secret", "Not a runbook of this folder.")
    os.symlink("/etc/passwd", lib / "passwd.md")
    os.symlink("/", lib / "everything")
    os.symlink(outside, lib / "secret.md")
    os.symlink("../private", lib / "private")  # relative, still outside
    os.symlink(lib / "nowhere" / ".." / ".." / "private" / "secret.md", lib / "dotdot.md")
    report = index_library(store, [lib], clock=clock)
    assert report.added == ["good"]
    real_private = os.path.realpath(tmp_path / "private")
    assert sorted(report.problems) == sorted(
        [
            f"{lib / 'passwd.md'}: symlink to {os.path.realpath('/etc/passwd')} leads outside {lib}, skipped",
            f"{lib / 'everything'}: symlink to / leads outside {lib}, skipped",
            f"{lib / 'secret.md'}: symlink to {real_private}/secret.md leads outside {lib}, skipped",
            f"{lib / 'private'}: symlink to {real_private} leads outside {lib}, skipped",
            f"{lib / 'dotdot.md'}: symlink to {real_private}/secret.md leads outside {lib}, skipped",
        ]
    )
    assert search_runbooks(store, "runbook folder") == [] and search_runbooks(store, "root") == []


def test_symlinks_inside_the_folder_are_followed_and_a_cycle_ends(store, clock, tmp_path):
    lib = tmp_path / "lib"
    runbook(lib / "shared" / "restart.md", "Restart")
    runbook(lib / "db" / "failover.md", "Failover")
    os.symlink(lib / "shared", lib / "team")  # a folder linked in from inside: fine
    os.symlink("../db/failover.md", lib / "shared" / "db-failover.md")
    os.symlink("..", lib / "db" / "up")  # a cycle: db/up/db/up/...
    report = index_library(store, [lib], clock=clock)
    assert sorted(report.added) == ["db/failover", "shared/db-failover", "shared/restart"]
    assert report.problems == [
        f"{lib / 'db' / 'up'}: symlink loop (folder already indexed as another path)",
        f"{lib / 'team'}: symlink loop (folder already indexed as another path)",
    ]


def test_a_root_reached_through_a_symlink_still_indexes(store, clock, tmp_path):
    runbook(tmp_path / "real" / "a.md", "A")
    os.symlink(tmp_path / "real" / "a.md", tmp_path / "real" / "b.md")
    os.symlink(tmp_path / "real", tmp_path / "link")
    report = index_library(store, [tmp_path / "link"], clock=clock)
    assert sorted(report.added) == ["a", "b"] and report.problems == []


def test_library_roots_are_the_teams_folders_without_repeats_or_samples(tmp_path):
    roots = library_roots([str(tmp_path / "a")], [str(tmp_path / "a"), "~/rb"])
    assert roots == [tmp_path / "a", Path(os.path.expanduser("~/rb"))]
    assert library_roots([]) == []


def test_the_bundled_samples_index_cleanly(store, clock):
    report = index_library(store, [bundled_runbooks_dir()], clock=clock)
    assert sorted(report.added) == [
        "cache-invalidation",
        "certificate-rotation",
        "database-failover",
        "service-restart",
        "upstream-dependency-failure",
    ]
    assert report.problems == []


def test_library_freshness_says_when_it_was_indexed(store, clock, tmp_path):
    runbook(tmp_path / "a.md", "A")
    assert library_freshness(store, T0) == "last indexed never"
    index_library(store, [tmp_path], clock=clock)
    assert library_freshness(store, T0 + timedelta(minutes=31)) == "last indexed 31 min ago"


def test_config_runbooks_key_takes_a_folder_or_a_list(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    config = tmp_path / "config.toml"
    config.write_text('runbooks = "~/rb"\n')
    assert load_config(config).runbooks == (str(tmp_path / "rb"),)
    config.write_text('runbooks = ["~/a", "/srv/b"]\n')
    assert load_config(config).runbooks == (str(tmp_path / "a"), "/srv/b")
    config.write_text("runbooks = 3\n")
    with pytest.raises(CockpitError, match="`runbooks` must be a folder or a list of folders"):
        load_config(config)
