"""Named commands: the only way state changes. This package is the domain's public command
namespace: callers write `from cockpit.domain import commands as c` and call `c.advance_hat`,
`c.file_feedback`, ...; the names below are the commands (and the naming rules) it offers.

Each command is a pure function of the derived position: it checks the transition is legal and
returns a Change — the rows to write and the one timeline event that records it. The store
commits a Change in a single transaction. The CLI, the TUI, the demo seeder and (later) the LLM
tools all call these; none of them writes tables.

The commands live in modules by concern: `units` (elaborate a stage's unit list, edit a body),
`baton` (advance or reject a unit's hat, tick its checklist, resume), `feedback` (file, classify,
the fix loop, close or reject), `gates` (review sign-offs, approve, request changes, submit for
external review), `stages` (revisit: send a stage back to elaborate), `checks` (the engine's
checks and the quality-gate confirmations and records), `runbooks` (a copied runbook block) and
`names` (titles and slugs). `_common` holds what they share; it imports none
of them.
"""

from cockpit.domain.commands.baton import advance_hat, reject_hat, resume, tick
from cockpit.domain.commands.checks import confirm_quality_gates, record_quality_gates, run_checks
from cockpit.domain.commands.feedback import (
    CLOSURES,
    advance_fix,
    classify,
    close_finding,
    file_feedback,
    reject_fix,
)
from cockpit.domain.commands.gates import approve, approve_merged, check_branch, request_changes, signoff, submit
from cockpit.domain.commands.names import check_slug, check_title, slugify
from cockpit.domain.commands.runbooks import record_runbook_copy
from cockpit.domain.commands.stages import revisit
from cockpit.domain.commands.units import add_unit, declare_ready, edit_unit, import_units

__all__ = [
    "CLOSURES",
    "add_unit",
    "advance_fix",
    "advance_hat",
    "approve",
    "approve_merged",
    "check_branch",
    "check_slug",
    "check_title",
    "classify",
    "close_finding",
    "confirm_quality_gates",
    "declare_ready",
    "edit_unit",
    "file_feedback",
    "import_units",
    "record_quality_gates",
    "record_runbook_copy",
    "reject_fix",
    "reject_hat",
    "request_changes",
    "resume",
    "revisit",
    "run_checks",
    "signoff",
    "slugify",
    "submit",
    "tick",
]
