"""The parsed studio catalog, cached between runs and keyed by the studio files' content.

Parsing every studio file (YAML frontmatter, checklists, review agents) on every command cost more
than the command itself. The cache holds the parsed catalog in `$XDG_CACHE_HOME/cockpit/`
(default `~/.cache/cockpit/`), one file per list of studio folders. Its key is every file and
folder under those folders (path, size, modification time and a CRC of the bytes) and the
loader's own source files, so an edited, added or removed studio file, or a new cockpit, is a
miss and the folders are parsed again. A cache file that cannot be read, is damaged or was
written by another Python is ignored and replaced; one that cannot be written is skipped. Nothing
here changes what is loaded: on a miss the catalog is exactly what `load` returns.

The file is a pickle, written 0600 in a 0700 folder of the user's own cache directory: whoever
can write there can already change the user's shell start-up files.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

C = TypeVar("C")  # the catalog (cockpit.sources.studios.Catalog, which imports this module)

FORMAT = 3
_PACKAGE = Path(__file__).resolve().parent.parent  # the cockpit package
# The code that decides what a studio file parses to: a change to any of it is a miss.
_LOADER_SOURCES = (
    "sources/studios.py",
    "sources/studio_cache.py",
    "sources/studio_files.py",
    "sources/studio_items.py",
    "domain/studio.py",
    "text/frontmatter.py",
    "errors.py",
    "checks",  # `checks:` ids are validated against the registry of checks
)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cockpit"


def _stat(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _tree(root: str, with_content: bool) -> list[tuple[Any, ...]]:
    """Every folder and file under `root` (hidden folders skipped: the loader never reads them)."""
    entries: list[tuple[Any, ...]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        entries.append((os.path.relpath(folder, root), "dir"))
        for name in sorted(files):
            path = os.path.join(folder, name)
            size, mtime = _stat(path)
            crc = 0
            if with_content:
                with open(path, "rb") as handle:
                    crc = zlib.crc32(handle.read())
            entries.append((os.path.relpath(path, root), size, mtime, crc))
    return entries


def key(dirs: list[Path], overlay: bool = False) -> tuple[Any, ...]:
    """What the parsed catalog depends on: the studio folders' files (with their bytes' CRC), whether the
    last folder is a project's overlays, and the loader's code."""
    code = []
    for name in _LOADER_SOURCES:
        path = _PACKAGE / name
        code.append((name, _tree(str(path), False) if path.is_dir() else _stat(str(path))))
    folders = [(str(d), d.is_dir() and _tree(str(d), True)) for d in dirs]
    return (FORMAT, sys.version, tuple(code), tuple(folders), overlay)


def _file_for(dirs: list[Path], overlay: bool) -> Path:
    name = "\0".join(str(d.resolve()) for d in dirs) + ("\0overlay" if overlay else "")
    return cache_dir() / f"studios-{zlib.crc32(name.encode()):08x}-{len(dirs)}.pickle"


def _read(path: Path, wanted: tuple[Any, ...]) -> Any:
    try:
        with open(path, "rb") as handle:
            stored_key, catalog = pickle.load(handle)
        if stored_key != wanted or not hasattr(catalog, "studios") or not hasattr(catalog, "problems"):
            return None
        return catalog
    except Exception:  # missing, damaged, truncated, from another version: parse again
        return None


def _write(path: Path, wanted: tuple[Any, ...], catalog: object) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((wanted, catalog), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    except Exception:  # a read-only or full cache folder: the next run parses again
        try:
            os.unlink(tmp)
        except OSError:
            pass


def cached(dirs: list[Path], load: Callable[[list[Path]], C], *, overlay: bool = False) -> C:
    """`load(dirs)`, or the catalog it returned last time if no file it depends on changed.
    `overlay`: the last folder is a project's `.haiku/studios` (its folders overlay the others')."""
    try:
        wanted = key(dirs, overlay)
    except OSError:  # a file vanished while being listed: do not cache this round
        return load(dirs)
    path = _file_for(dirs, overlay)
    found = _read(path, wanted)
    if found is not None:
        return found  # what `load` returned when it was written
    catalog = load(dirs)
    _write(path, wanted, catalog)
    return catalog
