"""Where the Textual UI comes from: the one place the core names the `screens` package.

In a checkout (and an editable install) the UI is the repository's top-level `screens/`. The wheel
installs the same files as `cockpit.screens` (pyproject.toml, `[tool.hatch.build.targets.wheel]`),
so an installed cockpit claims no generic top-level name that another distribution could claim too.
Inside, screens/ imports itself relatively, so its modules work under either name.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def ui_module(name: str) -> ModuleType:
    """The UI's module `name` ("app", "keymap"): installed, `cockpit.screens.NAME`; in a checkout,
    `screens.NAME`. Only the installed package's absence falls back: a module missing inside the
    UI (a dependency not installed) is raised as it is, not hidden behind the other name."""
    try:
        return importlib.import_module(f"cockpit.screens.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != "cockpit.screens":
            raise
    return importlib.import_module(f"screens.{name}")
