"""Runbook steps as evidence: recording a run of a runbook's code block on the intent.

The run itself happens outside the domain (cockpit.sources.step_runner, called by
cockpit.app.steps); this command records what happened, as one timeline event (who, when, which
runbook and block, the command, how it ended, the duration, where the output is) and its `runs`
row, written in one transaction by the store. The command and the output are redacted here again,
so no caller can store them raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cockpit.domain.change import Change, Ctx, Event, Insert
from cockpit.domain.commands._common import _redacted
from cockpit.domain.step_risk import RISKS
from cockpit.domain.walk import Position
from cockpit.errors import CockpitError

OUTCOMES = ("exited", "timeout", "cancelled", "not_started")


def ended(outcome: str, exit_code: int | None) -> str:
    """'exit 0', 'timed out', 'cancelled', 'not started': how a run ended, in a few words."""
    if outcome == "exited":
        return f"exit {exit_code}"
    return {"timeout": "timed out", "cancelled": "cancelled", "not_started": "not started"}.get(outcome, outcome)


def record_run(pos: Position, ctx: Ctx, *, run: Mapping[str, Any]) -> Change:
    """Record one run of a runbook step. `run` holds the `runs` columns: runbook, block, command,
    risk, cwd, host, user, started_at, finished_at, outcome, exit_code, duration_ms, output,
    output_bytes, truncated."""
    if run.get("risk") not in RISKS:
        raise CockpitError(f"a run's risk is one of {', '.join(RISKS)}, not {run.get('risk')!r}")
    if run.get("outcome") not in OUTCOMES:
        raise CockpitError(f"a run's outcome is one of {', '.join(OUTCOMES)}, not {run.get('outcome')!r}")
    command = _redacted(str(run["command"]))
    row = {
        "intent_id": pos.facts.intent.id,
        "runbook": str(run["runbook"]),
        "block": int(run["block"]),
        "command": command,
        "risk": run["risk"],
        "cwd": str(run["cwd"]),
        "host": str(run["host"]),
        "user": str(run["user"]),
        "actor": ctx.actor,
        "started_at": str(run.get("started_at") or ctx.now),
        "finished_at": run.get("finished_at"),
        "outcome": run["outcome"],
        "exit_code": run.get("exit_code"),
        "duration_ms": run.get("duration_ms"),
        "output": _redacted(str(run.get("output") or "")),
        "output_bytes": int(run.get("output_bytes") or 0),
        "truncated": 1 if run.get("truncated") else 0,
    }
    how = ended(row["outcome"], row["exit_code"])
    seconds = f" in {row['duration_ms'] / 1000:.1f} s" if row["duration_ms"] is not None else ""
    first = next((line.strip() for line in command.splitlines() if line.strip()), "")
    shown = first if len(first) <= 100 else first[:99] + "…"
    label = f"{row['runbook']}#{row['block']}"
    data = {
        key: row[key]
        for key in (
            "runbook",
            "block",
            "command",
            "risk",
            "cwd",
            "host",
            "user",
            "started_at",
            "finished_at",
            "outcome",
            "exit_code",
            "duration_ms",
            "output_bytes",
            "truncated",
        )
    }
    data["output_in"] = "runs"  # the run's row, found by this event's id (runs.event_id), holds the output
    stage = pos.active.name if pos.active else None
    return Change(
        Event("runbook_run", f"ran {label} ({row['risk']}): {how}{seconds}: {shown}", stage, data=data),
        (Insert("runs", row),),
        f"ran {label}: {how}{seconds} (recorded in the timeline)",
    )
