"""Import a module as it was at an earlier commit, for a same-run baseline.

The tree was reorganised into layer packages after some baselines were taken, so the old source's
`cockpit.X` imports are mapped to where those modules live now before it runs."""

from __future__ import annotations

import re
import subprocess
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Flat module (before the layer packages) -> its module now.
MOVED = {
    "model": "domain.model",
    "studio": "domain.studio",
    "dag": "domain.dag",
    "walk": "domain.walk",
    "commands": "domain.commands",
    "check_runs": "domain.check_runs",
    "redact": "text.redact",
    "frontmatter": "text.frontmatter",
    "store": "store.database",
    "schema": "store.schema",
    "llm_usage": "store.assist_ledger",
    "studio_loader": "sources.studios",
    "unit_files": "sources.unit_files",
    "artifacts": "sources.artifacts",
    "quality_gates": "sources.quality_gates",
    "runbook_doc": "runbooks.doc",
    "runbook_generate": "runbooks.generate",
    "runbook_index": "runbooks.index",
    "runbook_library": "runbooks.library",
    "runbook_lint": "runbooks.lint",
    "runbook_relevance": "runbooks.relevance",
    "runbook_search": "runbooks.search",
    "runbook_shapes": "runbooks.shapes",
    "runbook_sync": "runbooks.sync",
    "llm_client": "assist.client",
    "llm_context": "app.assist_context",
    "llm_prompt": "assist.prompt",
    "llm_settings": "assist.settings",
    "llm_types": "assist.types",
    "engine": "app.engine",
    "config": "app.config",
    "demo": "app.demo",
    "report": "app.report",
    "crashlog": "app.crashlog",
    "cli": "cli.main",
    "cli_assist": "cli.assist",
    "cli_checks": "cli.checks",
    "cli_runbooks": "cli.runbooks",
}
_DOTTED = re.compile(rf"\bcockpit\.({'|'.join(sorted(MOVED, key=len, reverse=True))})\b")
_FROM = re.compile(rf"^(\s*)from cockpit import ({'|'.join(MOVED)})\b", re.M)


def landed_module(rev: str, path: str, name: str) -> types.ModuleType:
    """The module at `path` (e.g. cockpit/runbook_index.py) of commit `rev`, imported as `name`."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:{path}"], capture_output=True, text=True, check=True
    ).stdout
    source = _DOTTED.sub(lambda m: "cockpit." + MOVED[m[1]], source)
    source = _FROM.sub(
        lambda m: (
            f"{m[1]}from cockpit.{MOVED[m[2]].rpartition('.')[0]} import {MOVED[m[2]].rpartition('.')[2]} as {m[2]}"
        ),
        source,
    )
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up there
    exec(compile(source, f"{rev[:7]}:{path}", "exec"), module.__dict__)
    return module
