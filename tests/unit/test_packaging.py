"""The wheel claims one top-level name, `cockpit`: screens/ ships as cockpit.screens.

That holds only while screens/ never names itself (`from screens.x import …` would find no
top-level `screens` once installed) and the core reaches the UI through cockpit.cli.ui alone.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SELF_IMPORT = re.compile(r"^\s*(from\s+screens(\.|\s)|import\s+screens\b)", re.M)


def test_screens_import_themselves_relatively():
    found = [
        f"{path.relative_to(REPO)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted((REPO / "screens").rglob("*.py"))
        for text in [path.read_text(encoding="utf-8")]
        for m in SELF_IMPORT.finditer(text)
    ]
    assert found == [], "inside screens/ import with `from .x import …`: installed, the package is cockpit.screens"


def test_the_core_imports_the_ui_only_through_cockpit_cli_ui():
    """`import screens…` in cockpit/ would fail installed; only type hints (under TYPE_CHECKING) may name it."""
    found = []
    for path in sorted((REPO / "cockpit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hints = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for node in ast.walk(block)
        }
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "screens" or n.startswith("screens.") for n in names) and id(node) not in hints:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_the_wheel_maps_screens_under_cockpit():
    hatch = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]
    wheel = hatch["targets"]["wheel"]
    assert wheel["sources"] == {"screens": "cockpit/screens"}
    assert "packages" not in wheel  # `packages` would install screens/ as a top-level package again
    assert set(wheel["only-include"]) == {"cockpit", "screens"}


def test_in_a_checkout_the_ui_is_the_top_level_screens():
    from cockpit.cli.ui import ui_module

    assert ui_module("app").__name__ == "screens.app"
