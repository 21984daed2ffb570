"""Quality gates as the walk knows them: the specs a unit's frontmatter declares
(`quality_gates: [{name, command, dir?, expect?, timeout?}]`), why one is refused, and the record
of a run.

A gate is a shell command that must exit 0, or, with `expect: fail`, must fail: that is how "the
regression test is red on the pre-fix code" is shown. Commands never run because a file said so:
the engineer confirms each one (its exact name, command, dir and expectation) once per unit, and
the confirmation is recorded (`commands.confirm_quality_gates`).

What is confirmed must be what runs, so a command holding a control character other than tab and
newline (a carriage return and an erase sequence can make `make test` show while something else
runs; a bidi override can reorder what is read) is refused, never cleaned: when the file is read
and again right before it would run.

Pure: parsing and refusal only. Starting a process is cockpit.sources.quality_gates (`run_gate`),
the one place that does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cockpit.checks.registry import GATE_PREFIX
from cockpit.text import redact
from cockpit.text.terminal import control_chars, safe

CANCELLED = "cancelled"


@dataclass(frozen=True)
class GateSpec:
    name: str
    command: str
    dir: str | None = None
    expect: str = "pass"  # pass | fail
    timeout: float | None = None

    @property
    def check_id(self) -> str:
        return GATE_PREFIX + (re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "gate")

    @property
    def digest(self) -> str:
        """What a confirmation covers: change the command (or where it runs) and it must be confirmed again."""
        text = json.dumps([self.name, self.command, self.dir, self.expect], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> str:
        """The gate as the engineer confirms it: every character of the command shown, controls as pictures."""
        where = f" in {safe(self.dir, one_line=True)}" if self.dir else ""
        return f"{safe(self.name, one_line=True)}: `{safe(self.command)}`{where}" + (
            " (must fail)" if self.expect == "fail" else ""
        )

    def refusal(self) -> str | None:
        """Why this gate must not run, whatever root it would run from (None: it may, once
        confirmed): a control character in its command. The runner adds the one rule that needs
        the file system, a `dir` leading outside the root (cockpit.sources.quality_gates.refusal)."""
        reason = unreadable(self.command)
        if reason is not None:
            return f"its command {reason}"
        return None


def unreadable(command: str) -> str | None:
    """Why `command` cannot be confirmed as read: the control characters in it (tab and newline
    are fine), each with its offset, or None."""
    found = control_chars(command)
    if not found:
        return None
    shown = ", ".join(f"{picture} at {offset}" for offset, picture in found[:5]) + (" …" if len(found) > 5 else "")
    return f"holds control characters ({shown}): what is shown would not be what runs; refused"


def gate_specs(meta: Mapping[str, Any]) -> tuple[list[GateSpec], list[str]]:
    """The unit's gates, and a problem line for each malformed or refused entry (skipped, never guessed at)."""
    specs, problems = gate_entries(meta)
    return specs, [problem for _index, problem in problems]


def gate_entries(meta: Mapping[str, Any]) -> tuple[list[GateSpec], list[tuple[int | None, str]]]:
    """As `gate_specs`, each problem with the 0-based index of its entry (None: the list as a
    whole), so a file reader can name the line."""
    raw = meta.get("quality_gates") or []
    if not isinstance(raw, list):
        return [], [(None, "`quality_gates` must be a list of {name, command, dir?, expect?}")]
    specs: list[GateSpec] = []
    problems: list[tuple[int | None, str]] = []
    for index, entry in enumerate(raw):
        number = index + 1
        if not isinstance(entry, dict) or not isinstance(entry.get("command"), str) or not entry["command"].strip():
            problems.append((index, f"quality gate #{number} has no `command`"))
            continue
        expect = str(entry.get("expect", "pass")).lower()
        if expect not in ("pass", "fail"):
            problems.append(
                (index, f"quality gate #{number}: `expect` must be pass or fail, not {entry.get('expect')!r}")
            )
            continue
        timeout = entry.get("timeout")
        if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
            problems.append((index, f"quality gate #{number}: `timeout` must be a positive number of seconds"))
            continue
        directory = entry.get("dir")
        spec = GateSpec(
            str(entry.get("name") or f"gate {number}"),
            entry["command"].strip(),
            str(directory) if directory else None,
            expect,
            float(timeout) if timeout else None,
        )
        reason = spec.refusal()
        if reason is not None:
            problems.append((index, f"quality gate #{number} ({safe(spec.name, one_line=True)}): {reason}"))
            continue
        specs.append(spec)
    return specs, problems


@dataclass(frozen=True)
class GateRun:
    name: str
    command: str
    dir: str | None
    expect: str
    check: str
    exit_code: int | None  # None: timed out or never started
    timed_out: bool
    seconds: float
    tail: str  # redacted, capped (cockpit.sources.quality_gates.tail_of)
    error: str | None = None  # did not run (refused, no such directory, ...), or CANCELLED

    @property
    def passed(self) -> bool:
        if self.timed_out or self.error or self.exit_code is None:
            return False
        return self.exit_code == 0 if self.expect == "pass" else self.exit_code != 0

    def outcome(self) -> str:
        if self.error == CANCELLED:
            return f"cancelled after {self.seconds:.1f} s"
        if self.error:
            return f"did not run: {self.error}"
        if self.timed_out:
            return f"timed out after {self.seconds:.1f} s"
        wanted = "0" if self.expect == "pass" else "non-zero (it must fail)"
        return f"exited {self.exit_code} in {self.seconds:.1f} s, expected {wanted}"

    def verdict(self) -> str:
        """The outcome without timings: the same failure reads the same on every run."""
        if self.error == CANCELLED:
            return CANCELLED
        if self.error:
            return f"did not run: {self.error}"
        if self.timed_out:
            return "timed out"
        return f"exited {self.exit_code}, expected " + ("0" if self.expect == "pass" else "a failure")

    def to_json(self) -> dict[str, Any]:
        """What is recorded: the command too is redacted (a token can sit in a curl line)."""
        return {**asdict(self), "command": redact.redact(self.command).text, "passed": self.passed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GateRun:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
