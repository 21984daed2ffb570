"""User configuration: `$XDG_CONFIG_HOME/cockpit/config.toml`.

Precedence, strongest first: command-line flags, environment ($COCKPIT_DB, $COCKPIT_ACTOR,
$COCKPIT_BLOCKING_THRESHOLD), this file, built-in defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cockpit.errors import CockpitError


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(os.environ.get("COCKPIT_CONFIG") or Path(base) / "cockpit" / "config.toml")


def default_db_path() -> Path:
    """Where the database lives when neither --db, $COCKPIT_DB nor the config names one."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "cockpit" / "cockpit.db"


@dataclass(frozen=True)
class Config:
    db: str | None = None
    studios: tuple[str, ...] = ()
    runbooks: tuple[str, ...] = ()  # runbook folders, indexed after the bundled samples
    threshold: str = "high"
    actor: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    raw: dict = {}
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CockpitError(f"{path}: {exc}") from None
    studios = raw.get("studios", [])
    if isinstance(studios, str):
        studios = [studios]
    return Config(
        db=os.path.expanduser(raw["db"]) if raw.get("db") else None,
        studios=tuple(os.path.expanduser(s) for s in studios),
        runbooks=_runbook_folders(raw.get("runbooks", []), path),
        threshold=os.environ.get("COCKPIT_BLOCKING_THRESHOLD") or raw.get("blocking_threshold", "high"),
        actor=raw.get("actor"),
        raw=raw,
    )


def _runbook_folders(value: object, path: Path) -> tuple[str, ...]:
    """`runbooks = "~/rb"` or `runbooks = ["~/rb", "/srv/rb"]`, `~` expanded."""
    folders = [value] if isinstance(value, str) else value
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise CockpitError(f"{path}: `runbooks` must be a folder or a list of folders")
    return tuple(os.path.expanduser(f) for f in folders)
