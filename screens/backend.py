"""The one door from the UI to the engine: every call runs under one lock, off the UI thread.

SQLite connections must not be used by two threads at once; workers call through here.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

from cockpit.engine import Done, Engine
from cockpit.walk import Position

T = TypeVar("T")


class Backend:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return fn(*args, **kwargs)

    def position(self, slug: str) -> Position:
        return self.call(self.engine.position, slug)

    def positions(self) -> list:
        return self.call(self.engine.positions)

    def run(self, slug: str, command: Callable, **kwargs: Any) -> tuple[Done, Position]:
        """Apply a command and read the new position, both before the UI says anything."""
        with self._lock:
            done = self.engine.run(slug, command, **kwargs)
            return done, done.position

    def data_version(self) -> int:
        """Changes whenever another connection (a second cockpit, the CLI) commits."""
        return self.call(lambda: int(self.engine.store.db.execute("PRAGMA data_version").fetchone()[0]))

    def timeline(self, slug: str) -> list[dict[str, Any]]:
        return self.call(self.engine.timeline, slug)
