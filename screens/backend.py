"""The one door from the UI to the engine: every call runs under one lock, off the UI thread.

SQLite connections must not be used by two threads at once; workers call through here. The
engine itself is opened on first use, in a worker: importing the core, loading studios and
opening the database then happen after the first frame is on screen, not before it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from cockpit.engine import Done, Engine
    from cockpit.walk import Position

class Backend:
    def __init__(self, engine: Engine | Callable[[], Engine]) -> None:
        """`engine` is an open Engine, or a function that opens one (called once, on first use)."""
        self._opener = engine if callable(engine) else None
        self._engine = None if callable(engine) else engine
        self._lock = threading.RLock()

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self._opener()  # a failure propagates and is retried on the next call
            return self._engine

    def position(self, slug: str) -> Position:
        with self._lock:
            return self.engine.position(slug)

    def positions(self) -> list:
        with self._lock:
            return self.engine.positions()

    def run(self, slug: str, command: Callable, **kwargs: Any) -> tuple[Done, Position]:
        """Apply a command and read the new position, both before the UI says anything."""
        with self._lock:
            done = self.engine.run(slug, command, **kwargs)
            return done, done.position

    def data_version(self) -> int:
        """Changes whenever another connection (a second cockpit, the CLI) commits."""
        with self._lock:
            return int(self.engine.store.db.execute("PRAGMA data_version").fetchone()[0])

    def timeline(self, slug: str) -> list[dict[str, Any]]:
        with self._lock:
            return self.engine.timeline(slug)
