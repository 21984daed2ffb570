"""User configuration: `$XDG_CONFIG_HOME/cockpit/config.toml`.

Precedence, strongest first: command-line flags, environment ($COCKPIT_DB, $COCKPIT_ACTOR,
$COCKPIT_BLOCKING_THRESHOLD), this file, built-in defaults.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from cockpit.errors import CockpitError


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(os.environ.get("COCKPIT_CONFIG") or Path(base) / "cockpit" / "config.toml")


def default_db_path() -> Path:
    """Where the database lives when neither --db, $COCKPIT_DB nor the config names one."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "cockpit" / "cockpit.db"


# The themes `theme = "..."` may name (Textual's, by its names): the default, a light one, and
# the two that draw with the terminal's own palette (its 16 colours and default foreground and
# background), so cockpit looks like the rest of the terminal and follows its light or dark scheme.
DEFAULT_THEME = "textual-dark"
THEMES: tuple[str, ...] = (DEFAULT_THEME, "textual-light", "ansi-dark", "ansi-light")


class Config(NamedTuple):  # not a dataclass: it is read by every command, and a NamedTuple costs ~1 ms less to define
    db: str | None = None
    studios: tuple[str, ...] = ()
    runbooks: tuple[str, ...] = ()  # runbook folders (the demo database adds the bundled samples)
    threshold: str = "high"
    actor: str | None = None
    keys: Mapping[str, str] = MappingProxyType({})  # binding id -> key(s), e.g. "intent.advance" = "n"
    theme: str = DEFAULT_THEME  # one of THEMES
    haiku: tuple[str, ...] = ()  # H·AI·K·U projects the cockpit screen imports and keeps in step with its files
    path: Path | None = None  # the file read, named in errors found after loading (check_keys)
    raw: Mapping[str, object] = MappingProxyType({})  # the file as parsed


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    raw: dict = {}
    if path.is_file():
        import tomllib  # only when there is a file to read (every command loads the config)

        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CockpitError(f"{path}: {exc}") from None
    db = _text(raw, "db", path, "a file path")
    actor = _text(raw, "actor", path, "a name")
    threshold = _text(raw, "blocking_threshold", path, "a severity (blocker, high, medium or low)")
    theme = _text(raw, "theme", path, "a theme name") or DEFAULT_THEME
    if theme not in THEMES:  # said at start, not found as an unstyled screen
        raise CockpitError(f"{path}: unknown theme {theme!r}: use one of {', '.join(THEMES)}")
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(k, str) for k in keys.values()):
        raise CockpitError(f'{path}: `keys` must be a table of binding ids to keys, e.g. [keys] "intent.advance" = "n"')
    return Config(
        db=os.path.expanduser(db) if db else None,
        studios=tuple(os.path.expanduser(s) for s in _folders(raw.get("studios", []), "studios", path)),
        runbooks=_runbook_folders(raw.get("runbooks", []), path),
        threshold=os.environ.get("COCKPIT_BLOCKING_THRESHOLD") or threshold or "high",
        actor=actor,
        keys=dict(keys),
        theme=theme,
        haiku=tuple(os.path.expanduser(f) for f in _folders(raw.get("haiku", []), "haiku", path)),
        path=path,
        raw=raw,
    )


def check_keys(config: Config, known: Iterable[str]) -> None:
    """Refuse a `[keys]` entry naming no binding: a typo would otherwise leave the key unmapped
    with no word said, found only at 3 AM. The UI passes its ids (the core knows no screens)."""
    known = set(known)
    unknown = sorted(set(config.keys) - known)
    if not unknown:
        return
    said = []
    for name in unknown:
        said.append(f"[keys] {name!r} names no binding; {_suggest(name, known)}")
    where = config.path or config_path()
    raise CockpitError(f"{where}: {'; '.join(said)} (the README's Keys section lists every id)")


def _suggest(name: str, known: set[str]) -> str:
    """The closest ids, else those of its screen (the part before the dot), else the screens."""
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    group = sorted(k for k in known if k.split(".")[0] == name.split(".")[0])
    if group:
        return "ids of that screen: " + ", ".join(group)
    return "ids start with " + ", ".join(sorted({k.split(".")[0] + "." for k in known}))


def _text(raw: dict, key: str, path: Path, what: str) -> str | None:
    """A string value of the file, or None; any other type is refused naming the file and key
    (`db = 5` must not become a database file called "5", nor a traceback)."""
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise CockpitError(f"{path}: `{key}` must be {what} in quotes, not {_toml_type(value)} ({value!r})")
    return value


def _toml_type(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _folders(value: object, key: str, path: Path) -> list[str]:
    folders = [value] if isinstance(value, str) else value
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise CockpitError(f'{path}: `{key}` must be a folder or a list of folders, e.g. {key} = ["~/{key}"]')
    return folders


def _runbook_folders(value: object, path: Path) -> tuple[str, ...]:
    """`runbooks = "~/rb"` or `runbooks = ["~/rb", "/srv/rb"]`, `~` expanded."""
    return tuple(os.path.expanduser(f) for f in _folders(value, "runbooks", path))
