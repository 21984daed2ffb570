"""The store is the only place that speaks SQL (issue 12): no module outside cockpit/store/ holds
an SQL statement in a string literal (f-string parts included) or calls `execute` itself.

An import-linter contract cannot say this (the runbook modules import the store, rightly), so it
is read from the syntax tree: docstrings and comments that mention SQL words in prose pass, a
statement does not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "cockpit" / "store"
# Uppercase statement openings, as the store writes them; prose ("select a runbook") is lowercase.
STATEMENT = re.compile(
    r"\b(SELECT\s+\S|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|"
    r"CREATE\s+(TABLE|INDEX|VIRTUAL|TRIGGER|VIEW)\b|DROP\s+(TABLE|INDEX)\b|PRAGMA\s+\w)"
)
EXECUTE = {"execute", "executemany", "executescript"}


def _modules() -> list[Path]:
    files = [*(ROOT / "cockpit").rglob("*.py"), *(ROOT / "screens").rglob("*.py")]
    return sorted(f for f in files if STORE not in f.parents)


def _offences(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and STATEMENT.search(node.value):
            found.append(f"{path.relative_to(root)}:{node.lineno}: SQL {node.value[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE:
            found.append(f"{path.relative_to(root)}:{node.lineno}: .{node.func.attr}(...)")
    return found


def test_no_module_outside_the_store_holds_or_runs_sql():
    modules = _modules()
    assert any(p.parts[-2:] == ("runbooks", "index.py") for p in modules)  # the scan sees the runbook modules
    offences = [o for path in modules for o in _offences(path)]
    assert offences == [], "SQL belongs in cockpit/store/:\n" + "\n".join(offences)


def test_the_scan_catches_statements_and_execute_but_not_prose(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(conn, table):\n"
        '    """Select a runbook, then update the list; DELETE stays prose."""\n'
        '    conn.execute(f"SELECT id FROM {table} WHERE name = ?", ["x"])\n'
        '    return "DELETE FROM runbooks"\n',
        encoding="utf-8",
    )
    found = sorted(_offences(sample, tmp_path))
    assert [o.split(": ", 1)[1][:4] for o in found] == [".exe", "SQL ", "SQL "]
