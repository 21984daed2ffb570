"""The binding ids a `[keys]` table may name: every binding of every screen, dialog and widget here.

Every binding has an id (a test holds it), so the user's keymap can remap any key by name, as
posting does; `set_keymap` applies it. The ids are read from the classes themselves, so this list
cannot fall behind a screen; the modules are imported only when a keymap needs checking.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from textual.binding import Binding, BindingType
from textual.dom import DOMNode


def bindings() -> Iterator[tuple[type[DOMNode], BindingType]]:
    """Each (class, binding) declared in this package's modules, by the class that declares it."""
    package = importlib.import_module(__package__ or "screens")
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DOMNode) and value.__module__ == module.__name__:
                for binding in value.__dict__.get("BINDINGS", []):
                    yield value, binding


def binding_ids() -> set[str]:
    return {b.id for _, b in bindings() if isinstance(b, Binding) and b.id}
