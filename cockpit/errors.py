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
