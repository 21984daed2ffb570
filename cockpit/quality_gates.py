"""Quality-gate commands from a unit's frontmatter: `quality_gates: [{name, command, dir?, expect?, timeout?}]`.

A gate is a shell command that must exit 0, or, with `expect: fail`, must fail: that is how "the
regression test is red on the pre-fix code" is shown. Commands never run because a file said so:
the engineer confirms each one (its exact name, command, dir and expectation) once per unit, and
the confirmation is recorded. Output is kept only as a capped, redacted tail.

Parsing is pure; `run_gate` is the one place that starts a process.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

from cockpit import redact
from cockpit.checks.registry import GATE_PREFIX

TAIL_LINES = 40
TAIL_CHARS = 4000
_READ_WINDOW = 64 * 1024  # redact a window larger than the tail, so a secret cut at the edge is not half-kept


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
        where = f" in {self.dir}" if self.dir else ""
        return f"{self.name}: `{self.command}`{where}" + (" (must fail)" if self.expect == "fail" else "")


def gate_specs(meta: Mapping[str, Any]) -> tuple[list[GateSpec], list[str]]:
    """The unit's gates, and a problem line for each malformed entry (skipped, never guessed at)."""
    raw = meta.get("quality_gates") or []
    if not isinstance(raw, list):
        return [], ["`quality_gates` must be a list of {name, command, dir?, expect?}"]
    specs: list[GateSpec] = []
    problems: list[str] = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("command"), str) or not entry["command"].strip():
            problems.append(f"quality gate #{index} has no `command`")
            continue
        expect = str(entry.get("expect", "pass")).lower()
        if expect not in ("pass", "fail"):
            problems.append(f"quality gate #{index}: `expect` must be pass or fail, not {entry.get('expect')!r}")
            continue
        timeout = entry.get("timeout")
        if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
            problems.append(f"quality gate #{index}: `timeout` must be a positive number of seconds")
            continue
        directory = entry.get("dir")
        specs.append(GateSpec(str(entry.get("name") or f"gate {index}"), entry["command"].strip(),
                              str(directory) if directory else None, expect, float(timeout) if timeout else None))
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
    tail: str  # redacted, at most TAIL_LINES lines / TAIL_CHARS characters
    error: str | None = None  # could not start (no such directory, ...)

    @property
    def passed(self) -> bool:
        if self.timed_out or self.error or self.exit_code is None:
            return False
        return self.exit_code == 0 if self.expect == "pass" else self.exit_code != 0

    def outcome(self) -> str:
        if self.error:
            return f"did not run: {self.error}"
        if self.timed_out:
            return f"timed out after {self.seconds:.1f} s"
        wanted = "0" if self.expect == "pass" else "non-zero (it must fail)"
        return f"exited {self.exit_code} in {self.seconds:.1f} s, expected {wanted}"

    def verdict(self) -> str:
        """The outcome without timings: the same failure reads the same on every run."""
        if self.error:
            return f"did not run: {self.error}"
        if self.timed_out:
            return "timed out"
        return f"exited {self.exit_code}, expected " + ("0" if self.expect == "pass" else "a failure")

    def to_json(self) -> dict[str, Any]:
        """What is recorded: the command too is redacted (a token can sit in a curl line)."""
        return {**asdict(self), "command": redact.redact(self.command).text, "passed": self.passed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "GateRun":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def tail_of(text: str, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    cleaned = redact.redact(text).text
    kept = "\n".join(cleaned.rstrip("\n").splitlines()[-lines:])
    return kept[-chars:]


def run_gate(spec: GateSpec, root: str | os.PathLike[str], timeout: float) -> GateRun:
    """Run one gate from `root`/`dir` (an absolute dir stands alone), killing its whole process
    group on timeout. Output goes to a temporary file, so a chatty test suite cannot fill memory."""
    limit = spec.timeout or timeout
    cwd = Path(root) / spec.dir if spec.dir else Path(root)
    base = dict(name=spec.name, command=spec.command, dir=spec.dir, expect=spec.expect, check=spec.check_id)
    if not cwd.is_dir():
        return GateRun(**base, exit_code=None, timed_out=False, seconds=0.0, tail="", error=f"no directory {cwd}")
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(spec.command, shell=True, cwd=cwd, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            return GateRun(**base, exit_code=None, timed_out=False, seconds=0.0, tail="", error=exc.strerror or str(exc))
        timed_out = False
        try:
            code: int | None = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out, code = True, None
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the shell and everything it started
            except ProcessLookupError:
                pass
            process.wait()
        seconds = time.monotonic() - started
        size = output.seek(0, os.SEEK_END)
        output.seek(max(0, size - _READ_WINDOW))
        text = output.read().decode("utf-8", errors="replace")
    return GateRun(**base, exit_code=code, timed_out=timed_out, seconds=round(seconds, 3), tail=tail_of(text))
