"""Index runbook folders into the store: walk, hash, and re-parse only what changed.

The library is a cache of files, not incident state, so it is written here directly rather than
through a named command, and it adds no timeline event. It is written in short transactions (at
most BATCH_FILES files or BATCH_SECONDS of writing each, the lock then left free for as long as it
was held), so a person's write in another session never waits behind a big index. Files are read
and parsed before each transaction, so the lock is held only for row writes. A runbook's row and
its search row commit together; an interrupted run leaves some runbooks updated and the rest as
they were, and the next run finishes the job (files marked gone last, once every file was seen).

A file that disappears keeps its row with `gone_at` set and leaves the search index; when it
comes back it is un-gone. A file that cannot be read is reported as `path: reason` and keeps its
last good copy; the rest of the library still indexes.

The sample runbooks bundled with cockpit are fiction written for the demo: they are indexed into
the demo database only (the one `cockpit demo` marks), never into a team's library, where a search
for "primary failover" would answer with the sample before the team's own runbook. A sample not
indexed by this run (every sample in a team's database, left there by an earlier cockpit) is
removed, not kept as gone: it was never the team's, and nothing the team wrote is touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.clock import Clock, iso, system_clock
from cockpit.runbooks.doc import RUNBOOK_SUFFIXES, RunbookDoc, RunbookReadError, parse_runbook, read_runbook_text
from cockpit.store import demo as demo_store
from cockpit.store import runbooks as stored
from cockpit.store.database import Store

_LINK_TARGET = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# Folder notes, not runbooks: they describe the library and would fail its lint.
SKIPPED_FILES = frozenset({"readme.md"})


def bundled_runbooks_dir() -> Path:
    """The sample runbooks shipped with cockpit: inside the wheel, or the repo's top-level folder."""
    here = Path(__file__).resolve().parent.parent  # the cockpit package
    installed = here / "_runbooks"
    return installed if installed.is_dir() else here.parent / "runbooks"


def is_sample_root(root: str | None) -> bool:
    """Is `root` a folder of bundled samples: this cockpit's, or that of another install (a
    cockpit installed under another Python or path indexed them there)?"""
    return root is not None and (
        root == str(bundled_runbooks_dir()) or Path(root).parts[-2:] == ("cockpit", "_runbooks")
    )


def library_roots(*folder_lists: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The team's folders of the library in order (config, then flags), without repeats.

    A later folder's runbook shadows an earlier one of the same name. The bundled samples are not
    among them: `index_library` adds them for the demo database alone."""
    roots = [Path(os.path.abspath(os.path.expanduser(str(f)))) for folders in folder_lists for f in folders]
    return _unique(roots)


def _unique(roots: Iterable[Path]) -> list[Path]:
    unique: dict[str, Path] = {}
    for root in roots:
        unique.setdefault(str(root), root)
    return list(unique.values())


@dataclass(frozen=True)
class FoundFile:
    path: str  # absolute, as walked (symlinks not resolved, so names stay the ones people wrote)
    name: str  # path under its root without the suffix: `db-failover`, `payments/gateway-tls`
    root: str


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)  # gone before, present again
    problems: list[str] = field(default_factory=list)  # `path: reason`, one per skipped file or folder
    notes: list[str] = field(default_factory=list)  # shadowed names: worth saying, not a failure
    removed: list[str] = field(default_factory=list)  # bundled samples taken out of a library not the demo's

    def summary(self) -> str:
        counts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.gone)} gone",
        ]
        if self.back:
            counts.append(f"{len(self.back)} back")
        if self.problems:
            counts.append(f"{len(self.problems)} skipped")
        if self.removed:
            counts.append(f"{len(self.removed)} sample{'s' if len(self.removed) != 1 else ''} removed")
        return ", ".join(counts)


# ------------------------------------------------------------------ walking


def _inside(path: str, real_root: str) -> tuple[bool, str]:
    """(is `path`, links resolved, inside `real_root`?, where it leads). A link that cannot be
    resolved (a loop, a dangling target) counts as inside when its lexical target is: reading it
    then reports the real reason."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError:
        target = os.path.realpath(path)
    return target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep), target


def scan_folder(root: Path) -> tuple[list[FoundFile], list[str]]:
    """Markdown files under `root` and `path: reason` problems.

    Symlinks are followed while they stay inside `root` (a team links a shared folder in); one
    that leads outside is reported and skipped, or a link to `/` would index the whole machine and
    a link to /etc/passwd would be shown as a runbook. Directory loops are refused by identity."""
    found: list[FoundFile] = []
    problems: list[str] = []
    visited: set[tuple[int, int]] = set()
    real_root = os.path.realpath(root)

    def on_error(exc: OSError) -> None:
        problems.append(f"{exc.filename}: {exc.strerror or exc}")

    def escapes(path: str) -> bool:
        if not os.path.islink(path):
            return False  # a plain entry of a folder already known to be inside
        inside, target = _inside(path, real_root)
        if not inside:
            problems.append(f"{path}: symlink to {target} leads outside {root}, skipped")
        return not inside

    for folder, dirs, files in os.walk(root, followlinks=True, onerror=on_error):
        try:
            stat = os.stat(folder)
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror or exc}")
            dirs[:] = []
            continue
        if (stat.st_dev, stat.st_ino) in visited:
            problems.append(f"{folder}: symlink loop (folder already indexed as another path)")
            dirs[:] = []
            continue
        visited.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and not escapes(os.path.join(folder, d)))
        for file in sorted(files):
            if file.startswith(".") or not file.lower().endswith(RUNBOOK_SUFFIXES) or file.lower() in SKIPPED_FILES:
                continue
            path = os.path.join(folder, file)
            if escapes(path):
                continue
            relative = os.path.relpath(path, root)
            found.append(FoundFile(path, os.path.splitext(relative)[0].replace(os.sep, "/"), str(root)))
    return found, problems


def collect(roots: Sequence[Path]) -> tuple[list[FoundFile], list[str], list[str], set[str]]:
    """Every runbook of the library by name: (files, problems, notes, roots that are missing)."""
    by_name: dict[str, FoundFile] = {}
    problems: list[str] = []
    notes: list[str] = []
    missing: set[str] = set()
    for root in roots:
        if not root.is_dir():
            problems.append(f"{root}: runbooks folder not found")
            missing.add(str(root))
            continue
        files, found_problems = scan_folder(root)
        problems.extend(found_problems)
        for file in files:
            earlier = by_name.get(file.name)
            if earlier is not None:
                notes.append(f"{earlier.path}: shadowed by {file.path} (same name {file.name!r})")
            by_name[file.name] = file
    return list(by_name.values()), problems, notes, missing


# ------------------------------------------------------------------ indexing


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fts_columns(doc: RunbookDoc) -> stored.SearchColumns:
    """(title, headings, body, code): the text each FTS column holds, weighted apart in search.
    The heading that gave the title is in the title column only: a snippet of the headings then
    never repeats the title shown above it."""
    heading_lines = {h.line for h in doc.headings}
    first_h1 = next((h for h in doc.headings if h.level == 1), None)
    headings = [h.text for h in doc.headings if h is not first_h1 or h.text != doc.title]
    # Link targets are addresses, not words of the runbook: `[restart](service-restart.md)` is "restart".
    body = [
        _LINK_TARGET.sub(r"\1", line)
        for number, line in enumerate(doc.lines, 1)
        if number >= doc.body_start and number not in doc.code_lines and number not in heading_lines
    ]
    return stored.SearchColumns(
        doc.title,
        "\n".join(headings),
        "\n".join(body),
        "\n".join(block.text for block in doc.code_blocks),
    )


def write_fts(store: Store, runbook_id: int, doc: RunbookDoc | None) -> None:
    """Replace (or with None, remove) one runbook's search row. Inside `store.writing()`."""
    stored.replace_search_row(store.conn, runbook_id, None if doc is None else fts_columns(doc))


def free_name(store: Store, wanted: str, source: str) -> str:
    """`wanted`, or `wanted-2`, `-3`… if another source already holds it."""
    candidate, number = wanted, 1
    while True:
        holder = stored.source_named(store.conn, candidate)
        if holder is None or holder == source:
            return candidate
        number += 1
        candidate = f"{wanted}-{number}"


@dataclass(frozen=True)
class _Read:
    file: FoundFile
    text: str | None
    sha: str | None
    error: str | None
    doc: RunbookDoc | None = None  # parsed outside the transaction when the content looked changed


# A write transaction holds at most this many files or this much time, whichever comes first, so a
# person filing a finding while a big library indexes waits a fraction of a second, not the index.
BATCH_FILES = 50
BATCH_SECONDS = 0.05


class _Batches:
    """Short write transactions with the lock left free between them at least as long as it was
    held: SQLite's busy handler polls a waiting writer at up to 100 ms intervals, so a gap it can
    land in matters as much as a short hold."""

    def __init__(
        self, store: Store, files: int, seconds: float, timer: Callable[[], float], pause: Callable[[float], None]
    ) -> None:
        self.store, self.files, self.seconds, self.timer, self.pause = store, max(1, files), seconds, timer, pause
        self.free_until = 0.0

    def run(self, items: deque, write: Callable[[Any], None]) -> None:
        """Call `write(item)` for every item, in batches; each batch commits or rolls back whole."""
        while items:
            wait = self.free_until - self.timer()
            if wait > 0:
                self.pause(wait)
            started = self.timer()
            with self.store.writing():
                done = 0
                while items and done < self.files and (done == 0 or self.timer() - started < self.seconds):
                    write(items[0])
                    items.popleft()  # only once written: a failed item is not lost from the queue
                    done += 1
            ended = self.timer()
            self.free_until = ended + (ended - started)


def _read(file: FoundFile, known: dict[str, str | None], report: IndexReport) -> _Read:
    try:
        text = read_runbook_text(file.path)
    except RunbookReadError as exc:
        report.problems.append(str(exc))
        return _Read(file, None, None, str(exc).removeprefix(f"{file.path}: "))
    sha = content_hash(text)
    # Parse outside the lock; a file another session indexed meanwhile is re-parsed inside if needed.
    doc = parse_runbook(text, source=file.path, name=file.name) if known.get(file.path) != sha else None
    return _Read(file, text, sha, None, doc)


def index_library(
    store: Store,
    roots: Sequence[Path],
    *,
    clock: Clock = system_clock,
    batch_files: int = BATCH_FILES,
    batch_seconds: float = BATCH_SECONDS,
    timer: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> IndexReport:
    """Bring the store's file runbooks in line with `roots`; see the module docstring.

    `batch_files` and `batch_seconds` bound each write transaction; `timer` and `pause` are for tests.
    The demo database's library also holds the bundled samples, first (a team folder shadows them)."""
    with store.snapshot():
        if demo_store.is_demo(store.conn):
            roots = _unique([bundled_runbooks_dir(), *roots])
    files, problems, notes, missing = collect(roots)
    report = IndexReport(problems=problems, notes=notes)
    with store.snapshot():
        # A gone row counts as unknown: a file that comes back is parsed here too, not under the lock.
        known = {f.source: None if f.gone_at else f.sha256 for f in stored.file_hashes(store.conn)}
    now = iso(clock())
    present = {f.path for f in files}
    claimed: set[int] = set()  # rows this run matched to a file: never marked gone
    batches = _Batches(store, batch_files, batch_seconds, timer, pause)

    def write(read: _Read) -> None:
        # The row is read inside the transaction that writes it: another session may have indexed it.
        row = stored.index_row_at_source(store.conn, read.file.path)
        if row is None:  # a file that moved keeps its row (and its name) when its old path is gone
            candidate = stored.index_row_named(store.conn, read.file.name)
            if (
                candidate
                and candidate.kind == "file"
                and candidate.id not in claimed
                and candidate.source not in present
            ):
                row = candidate
        if row is not None:
            claimed.add(row.id)
        _index_one(store, read, row, now, report)

    pending = deque(files)
    while pending:  # read and parse one batch's worth, then write it: only the writes hold the lock
        reads = deque(_read(pending.popleft(), known, report) for _ in range(min(len(pending), batches.files)))
        batches.run(reads, write)

    with store.snapshot():  # samples this run did not index: out of a library that is not the demo's
        samples = deque(
            r
            for r in stored.file_roots(store.conn)
            if is_sample_root(r.root) and r.root not in missing and r.id not in claimed and r.source not in present
        )

    def remove(row: stored.FileRoot) -> None:
        if stored.delete_runbook(store.conn, row.id, row.source):  # unless another session moved it
            report.removed.append(row.name)

    batches.run(samples, remove)

    with store.snapshot():
        live = stored.live_files(store.conn)
    vanished = deque(
        r
        for r in live
        if r.id not in claimed
        and r.source not in present
        and not any(r.source.startswith(root + os.sep) for root in missing)
    )

    def mark_gone(row: stored.LiveFile) -> None:
        # Unless another session brought it back (or moved it) since the snapshot above.
        if stored.mark_gone(store.conn, row.id, row.source, now):
            write_fts(store, row.id, None)
            report.gone.append(row.name)

    batches.run(vanished, mark_gone)
    return report


def _index_one(store: Store, read: _Read, row: stored.IndexRow | None, now: str, report: IndexReport) -> None:
    file, text = read.file, read.text
    if text is None:  # unreadable now: keep the last good copy and say why
        if row is not None:
            stored.record_error(store.conn, row.id, read.error, now)
        return

    def doc() -> RunbookDoc:
        return read.doc or parse_runbook(text, source=file.path, name=file.name)

    assert read.sha is not None  # read with its text
    if row is None:
        name = free_name(store, file.name, file.path)
        parsed = doc()
        runbook_id = stored.insert_file(
            store.conn,
            name=name,
            source=file.path,
            root=file.root,
            title=parsed.title,
            content=text,
            sha256=read.sha,
            now=now,
        )
        write_fts(store, runbook_id, parsed)
        report.added.append(name)
        return
    runbook_id, name, gone_at = row.id, row.name, row.gone_at
    stored.check_file(store.conn, runbook_id, source=file.path, root=file.root, now=now)
    if row.sha256 != read.sha:
        parsed = doc()
        stored.update_content(store.conn, runbook_id, title=parsed.title, content=text, sha256=read.sha, now=now)
        write_fts(store, runbook_id, parsed)
        report.changed.append(name)
    elif gone_at is not None:  # back with the same content: searchable again
        write_fts(store, runbook_id, doc())
    else:
        report.unchanged.append(name)
    if gone_at is not None:
        report.back.append(name)
