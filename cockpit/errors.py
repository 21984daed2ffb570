"""Errors a person reads: each renders as one clear line."""

from __future__ import annotations


class CockpitError(Exception):
    """A refusal or failure the CLI prints as one line and exits non-zero on."""


class IllegalTransition(CockpitError):
    """A command the walk does not allow from the current position."""


class NotFound(CockpitError):
    """An unknown intent slug, unit, finding or studio."""


class SchemaTooNew(CockpitError):
    """The database was written by a newer cockpit; we refuse to touch it."""


class SourceError(CockpitError):
    """Bad input in a file, located as `path:line: reason`."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, int, str]]:
        """Pickled (the studio cache, sources/studio_cache.py) as the three fields it is made from."""
        return (type(self), (self.path, self.line, self.reason))


# ------------------------------------------------------------------ storage faults
# The store translates SQLite's and the file system's failures into these (cockpit.store.database.storage_error),
# so every caller (CLI, TUI) prints one line naming the file, the cause and what to do.

EX_TEMPFAIL = 75  # sysexits.h: a temporary failure, the same command may work if tried again
EX_SOFTWARE = 70  # sysexits.h: an internal error (a bug); the traceback is in the log file


class StoreError(CockpitError):
    """The database file could not be read or written; the command itself was not refused."""

    exit_code = 1


class StoreBusy(StoreError):
    """Another process held the write lock past the busy timeout: trying again may work."""

    exit_code = EX_TEMPFAIL


class StoreFull(StoreError):
    """The disk (or SQLite's page limit) is full: nothing of the command was written."""


class StoreReadOnly(StoreError):
    """The file, its folder or its mount cannot be written, or it was opened with --read-only."""


class StoreCorrupt(StoreError):
    """SQLite found a damaged page (or the file is not a database): cockpit will not write to it."""


class StoreIOError(StoreError):
    """The operating system failed a read or write (a disk error, a vanished file)."""
