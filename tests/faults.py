"""Storage faults made real for tests: another process holding the write lock, a read-only file or
mount, a full disk, a damaged page.

Root ignores file permissions, so as root "read-only" is a read-only bind mount (what a read-only
mount is), and a full disk is a small tmpfs; a test that needs either skips, saying why, only where
the machine allows neither.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = os.geteuid() == 0

# Holds the write lock (BEGIN IMMEDIATE) until its stdin closes or `seconds` pass, as another
# cockpit, a backup script or `sqlite3` left open at a prompt would.
_HOLDER = textwrap.dedent(
    """
    import select, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    select.select([sys.stdin], [], [], float(sys.argv[2]))
    conn.execute("ROLLBACK")
    """
)


@contextmanager
def write_lock_held(db: str | os.PathLike[str], seconds: float = 20.0) -> Iterator[subprocess.Popen]:
    """Another process holds `db`'s write lock for up to `seconds` (released when the block ends)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db), str(seconds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a file or a folder) cannot be written: chmod for a normal user, a read-only bind
    mount for root (whom permissions do not stop)."""
    if not ROOT:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    try:
        _mount("--bind", str(path), str(path))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"running as root and cannot bind-mount {path} read-only: {getattr(exc, 'stderr', exc)}")
    try:
        _mount("-o", "remount,bind,ro", str(path))
        yield
    finally:
        _unmount(path)


@contextmanager
def small_disk(folder: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` (root only, where the machine allows mounts)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not ROOT:
        pytest.skip("a small tmpfs needs root to mount; the full-disk case is also tested with PRAGMA max_page_count")
    try:
        _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {getattr(exc, 'stderr', exc)}")
    try:
        yield folder
    finally:
        _unmount(folder)


def fill(folder: Path) -> Path:
    """Write a file into `folder` until its disk is full; returns the file (delete it to free space)."""
    filler = folder / "filler"
    chunk = b"\0" * 4096
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError:
            pass
    return filler


def checkpoint(db: Path) -> None:
    """Move everything in the -wal file into the database file, so a test can damage its pages."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def damage_page(db: Path, table: str) -> None:
    """Overwrite the b-tree header of `table`'s root page, as a torn write or a bad sector would."""
    checkpoint(db)
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    conn.close()
    with open(db, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 64)
