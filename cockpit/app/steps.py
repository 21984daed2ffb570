"""Running a runbook step, for the CLI and the screens alike: plan it (the dry run), run it, record it.

One path for both, so the gate is the same wherever a command comes from (a runbook block, or a
command an assistant proposed: it is planned and confirmed exactly like a block):

1. `plan_step` reads the block, resolves its variables (given now, remembered for the intent, the
   environment) and says what would run and what confirming it takes; nothing runs.
2. The caller obtains the confirmation its tier needs (cockpit.domain.steps.Confirmation): the CLI
   asks at the terminal or checks --yes / --confirm, the app asks in its dialog.
3. `run_planned` refuses what must never run (read-only mode, a non-shell block, unreadable bytes,
   a variable nobody gave), remembers the variables given (never a secret), runs the step
   (cockpit.sources.step_runner) and records it: on an intent a timeline event and its `runs` row in
   one transaction (commands.runs.record_run), on none a `runs` row alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cockpit.clock import ago, iso
from cockpit.domain.steps import Confirmation, Step, StepRefused, Variable, confirmation, dry_run, looks_secret
from cockpit.errors import CockpitError

if TYPE_CHECKING:
    from cockpit.app.engine import Engine
    from cockpit.sources.step_runner import StepRun
    from cockpit.store.runs import RunRecord

DEFAULT_TIMEOUT = 300.0
READ_ONLY = "read-only: this cockpit was started with --read-only, so no runbook step runs"


@dataclass(frozen=True)
class Plan:
    """What would run, where, as whom, and what it takes to run it."""

    step: Step
    slug: str | None
    cwd: str
    host: str
    user: str
    timeout: float
    variables: tuple[Variable, ...]
    refusal: str | None  # why it never runs as things stand (None: it may, once confirmed)
    intent_id: int | None = None

    @property
    def values(self) -> dict[str, str]:
        return {v.name: v.value for v in self.variables if v.value is not None}

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables if v.value is None)

    @property
    def confirmation(self) -> Confirmation:
        return confirmation(self.step, self.values)

    def dry_run(self) -> list[str]:
        lines = dry_run(
            self.step, cwd=self.cwd, host=self.host, user=self.user, variables=self.variables, timeout=self.timeout
        )
        if self.refusal:
            lines.append(f"refused: {self.refusal}")
        return lines

    def given(self, values: Mapping[str, str]) -> Plan:
        """The plan with these variables given now (the engineer typed them)."""
        variables = tuple(Variable(v.name, values[v.name], "given") if v.name in values else v for v in self.variables)
        return replace(self, variables=variables)

    def to_json(self) -> dict[str, Any]:
        rule = self.confirmation
        return {
            "runbook": self.step.runbook,
            "block": self.step.number,
            "line": self.step.line,
            "command": self.step.command,
            "risk": self.step.risk,
            "classifier": {"risk": self.step.verdict.risk, "reasons": list(self.step.verdict.reasons)},
            "declared": self.step.declared,
            "cwd": self.cwd,
            "host": self.host,
            "user": self.user,
            "timeout": self.timeout,
            "variables": [
                {"name": v.name, "source": v.source, "set": v.value is not None, "secret": _secret(v)}
                for v in self.variables
            ],
            "confirmation": {"kind": rule.kind, "expected": list(rule.expected)},
            "refused": self.refusal,
        }


def _secret(variable: Variable) -> bool:
    return variable.value is not None and looks_secret(variable.name, variable.value)


@dataclass(frozen=True)
class Recorded:
    """A run and where it was recorded."""

    run: StepRun
    summary: str
    event_id: int | None = None  # the timeline event (runs on an intent)
    remembered: tuple[str, ...] = field(default_factory=tuple)  # the variables kept for the intent


def step_choices(engine: Engine, name: str) -> tuple[Step, ...]:
    """Every block of the runbook, numbered as `runbooks show` and the screens show them."""
    from cockpit.runbooks.library import get_runbook
    from cockpit.runbooks.steps import steps_of

    return steps_of(get_runbook(engine.store, name).doc)


def plan_step(
    engine: Engine,
    name: str,
    block: int | None = None,
    *,
    slug: str | None = None,
    cwd: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    given: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The plan for block `block` of runbook `name` (None: its only shell block). Nothing runs."""
    steps = step_choices(engine, name)
    if block is None:
        runnable = [s for s in steps if s.refusal() is None]
        if len(runnable) != 1:
            listed = "; ".join(f"{s.number}: {s.first_line()[:40]}" for s in runnable) or "none runs"
            raise CockpitError(f"runbook {name} has {len(runnable)} shell blocks: choose one with --block N ({listed})")
        step = runnable[0]
    else:
        from cockpit.runbooks.steps import numbered

        step = numbered(steps, name, block)
    return plan_for(engine, step, slug=slug, cwd=cwd, timeout=timeout, given=given, environ=environ)


def plan_for(
    engine: Engine,
    step: Step,
    *,
    slug: str | None = None,
    cwd: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    given: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The plan for `step` (a runbook block, or a command proposed elsewhere wrapped as a Step)."""
    from cockpit.sources.step_runner import host_name, user_name
    from cockpit.store.runs import intent_vars

    if timeout <= 0:
        raise CockpitError(f"a timeout is a positive number of seconds, not {timeout:g}")
    environ = os.environ if environ is None else environ
    given = given or {}
    remembered: dict[str, str] = {}
    intent_id = None
    if slug is not None:
        with engine.store.snapshot():
            intent_id = engine.store.intent(slug).id
            remembered = intent_vars(engine.store.conn, intent_id)
    variables = []
    for name in step.variables:
        if name in given:
            variables.append(Variable(name, given[name], "given"))
        elif name in remembered:
            variables.append(Variable(name, remembered[name], f"remembered for {slug}"))
        elif name in environ:
            variables.append(Variable(name, environ[name], "environment"))
        else:
            variables.append(Variable(name, None, "missing"))
    refusal = READ_ONLY if engine.store.read_only else step.refusal()
    where = os.path.abspath(cwd or os.getcwd())
    return Plan(step, slug, where, host_name(), user_name(), timeout, tuple(variables), refusal, intent_id)


def run_planned(
    engine: Engine,
    plan: Plan,
    *,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    guard: AbstractContextManager[Any] | None = None,
) -> Recorded:
    """Run a confirmed plan and record it. The caller has obtained the confirmation the plan's
    tier needs; what may never run is refused here, whoever asks. `guard` is held around each use of
    the database (the app's backend lock), not while the step runs (minutes, maybe)."""
    from cockpit.sources.step_runner import run_step
    from cockpit.store import runs

    if engine.store.read_only:
        raise StepRefused(READ_ONLY)
    if plan.refusal:
        raise StepRefused(plan.refusal)
    if plan.missing:
        raise StepRefused(f"{plan.step.label} needs {', '.join('$' + m for m in plan.missing)}: give a value first")
    values = plan.values
    secrets = {name: value for name, value in values.items() if looks_secret(name, value)}
    keep = {
        v.name: v.value for v in plan.variables if v.source == "given" and v.value is not None and v.name not in secrets
    }
    guard = guard or nullcontext()
    if plan.intent_id is not None and keep:  # asked once per intent: the next step reuses them
        with guard, engine.store.writing():
            runs.remember_vars(engine.store, plan.intent_id, keep, iso(engine.clock()))
    started_at = iso(engine.clock())
    run = run_step(
        plan.step.command,
        cwd=plan.cwd,
        env=values,
        timeout=plan.timeout,
        on_line=on_line,
        cancel=cancel,
        secrets=secrets,
    )
    row = {
        "runbook": plan.step.runbook,
        "block": plan.step.number,
        "command": plan.step.command,
        "risk": plan.step.risk,
        "cwd": run.cwd,
        "host": run.host,
        "user": run.user,
        "started_at": started_at,
        "finished_at": iso(engine.clock()),
        "outcome": run.outcome,
        "exit_code": run.exit_code,
        "duration_ms": run.duration_ms,
        "output": run.output,
        "output_bytes": run.output_bytes,
        "truncated": run.truncated,
    }
    from cockpit.domain.commands.runs import ended, record_run

    if plan.slug is not None:
        with guard:
            done = engine.run(plan.slug, record_run, run=row)
        return Recorded(run, done.summary, done.event_id, tuple(keep))
    from cockpit.text.redact import redact

    with guard, engine.store.writing():
        runs.insert_run(
            engine.store,
            {**row, "intent_id": None, "actor": engine.actor, "command": redact(plan.step.command).text},
        )
    return Recorded(run, f"ran {plan.step.label}: {ended(run.outcome, run.exit_code)} (no intent: not in a timeline)")


# ------------------------------------------------------------------ reading runs back


def last_runs(engine: Engine) -> dict[str, RunRecord]:
    """Each runbook's latest run, by name; a runbook never run is absent."""
    from cockpit.store.runs import last_runs as stored

    with engine.store.snapshot():
        return stored(engine.store.conn)


def last_run_text(record: RunRecord | None, now: datetime) -> str:
    """'ran 3 d ago, exit 0' (or 'never run'), for the library, its search and the runbook screen."""
    from cockpit.domain.commands.runs import ended

    if record is None:
        return "never run"
    return f"ran {ago(record.started_at, now)}, {ended(record.outcome or 'not_started', record.exit_code)}"


def run_of_event(engine: Engine, event_id: int) -> RunRecord | None:
    """The run a `runbook_run` timeline event records, with its redacted output."""
    from cockpit.store.runs import run_for_event

    with engine.store.snapshot():
        return run_for_event(engine.store.conn, event_id)


def run_refs(engine: Engine, slug: str) -> dict[int, int]:
    """The intent's runs by the timeline event recording each: event id → run id."""
    from cockpit.store.runs import runs_of_intent

    with engine.store.snapshot():
        records = runs_of_intent(engine.store.conn, engine.store.intent(slug).id)
    return {r.event_id: r.id for r in records if r.event_id is not None}


def run_facts(record: RunRecord, now: datetime) -> list[tuple[str, str]]:
    """A run as read, (label, value) each: what ran, its tier, where and as whom, how it ended and
    what it printed. One reading for the timeline's run view and `cockpit runbooks output`."""
    from cockpit.clock import stamp
    from cockpit.domain.commands.runs import ended

    printed = f"{record.output_bytes:,} bytes"
    if record.truncated:
        printed += ": the head and the tail are kept, the middle is left out (the line between them says how much)"
    seconds = "-" if record.duration_ms is None else f"{record.duration_ms / 1000:.1f} s"
    return [
        ("run", f"#{record.id}: {record.runbook} block {record.block}"),
        ("command", record.command),
        ("tier", record.risk),
        ("cwd", record.cwd),
        ("host", record.host),
        ("user", record.user),
        ("by", record.actor),
        ("started", f"{stamp(record.started_at, now)} ({ago(record.started_at, now)})"),
        ("ended", ended(record.outcome or "not_started", record.exit_code)),
        ("duration", seconds),
        ("output", printed),
    ]


def run_text(record: RunRecord, now: datetime) -> str:
    """`cockpit runbooks output`: the facts ("tier: read"; a command of several lines indented under
    its label), a blank line, then the redacted output as kept."""
    lines = []
    for label, value in run_facts(record, now):
        if "\n" in value:
            lines += [f"{label}:", *(f"  {line}" for line in value.splitlines())]
        else:
            lines.append(f"{label}: {value}")
    return "\n".join([*lines, "", record.output.rstrip("\n")]) + "\n"
