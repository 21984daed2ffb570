"""The layers hold: the import-linter contracts in pyproject.toml pass, and the pure core really
loads nothing impure.

The contracts read the static import graph; the subprocess test looks at `sys.modules` after a
real import, which also catches what arrives sideways (a third-party import of ours, an import
done with importlib) and proves a deferred import stays deferred.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Everything the domain is made of, and the pure layers beneath it.
PURE = [
    "cockpit.domain.change",
    "cockpit.domain.check_runs",
    "cockpit.domain.commands",
    "cockpit.domain.dag",
    "cockpit.domain.gates",
    "cockpit.domain.model",
    "cockpit.domain.studio",
    "cockpit.domain.units",
    "cockpit.domain.walk",
    "cockpit.checks",
    "cockpit.checks.registry",
    "cockpit.text.redact",
    "cockpit.text.terminal",
    "cockpit.text.frontmatter",
]
# Storage, network, the model's SDK, the UI, and the modules that start processes or read the world.
IMPURE = (
    "sqlite3",
    "sqlite_utils",
    "httpx",
    "anthropic",
    "textual",
    "subprocess",
    "cockpit.store",
    "cockpit.sources",
    "cockpit.runbooks",
    "cockpit.assist",
    "cockpit.app",
    "cockpit.cli",
    "screens",
)


def test_the_domain_imports_nothing_impure():
    """Every domain module and the pure layers beneath it, imported in a fresh interpreter (nothing
    this test process already loaded can hide a leak): none of IMPURE is loaded."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {PURE!r}:\n"
        "    importlib.import_module(name)\n"
        f"impure = {IMPURE!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m in impure or m.startswith(tuple(p + '.' for p in impure)))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(done.stdout) == []


def test_the_import_contracts_hold():
    """`lint-imports` as CI runs it (.ci/run), through import-linter's own entry point."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0
