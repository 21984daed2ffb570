"""Running quality gates (cockpit.domain.gates): the one place that starts a process.

A gate runs from the root `cockpit check --root` names, in its own session, with a timeout;
output is kept only as a capped, redacted tail. A gate's `dir` must stay inside that root: the
rule needs the file system (symlinks are followed), so it is here and not in the pure spec.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

from cockpit.domain.gates import CANCELLED, GateRun, GateSpec
from cockpit.sources.artifacts import outside_root
from cockpit.sources.process_group import kill_group, wait_until
from cockpit.text import redact

TAIL_LINES = 40
TAIL_CHARS = 4000
_READ_WINDOW = 64 * 1024  # redact a window larger than the tail, so a secret cut at the edge is not half-kept


def refusal(spec: GateSpec, root: str | os.PathLike[str]) -> str | None:
    """Why `spec` must not run from `root` (None: it may, once confirmed): what the spec itself
    refuses (a control character in its command), or a `dir` that leads outside `root`."""
    reason = spec.refusal()
    if reason is None and spec.dir:
        reason = outside_root(spec.dir, root, what="its dir")
    return reason


def tail_of(text: str, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    cleaned = redact.redact(text).text
    kept = "\n".join(cleaned.rstrip("\n").splitlines()[-lines:])
    return kept[-chars:]


def run_gate(
    spec: GateSpec, root: str | os.PathLike[str], timeout: float, cancel: threading.Event | None = None
) -> GateRun:
    """Run one gate from `root`/`dir`, in its own session, killing its whole process group on
    timeout, when `cancel` is set, or when the caller is interrupted (Ctrl-C: the gate is not in
    the terminal's foreground group, so nobody else would stop it). Output goes to a temporary
    file, so a chatty test suite cannot fill memory. A command or dir `refusal` names is not run."""
    limit = spec.timeout or timeout
    cwd = Path(root) / spec.dir if spec.dir else Path(root)
    gate_run = partial(
        GateRun, name=spec.name, command=spec.command, dir=spec.dir, expect=spec.expect, check=spec.check_id
    )
    refused = refusal(spec, root)  # again here: a spec may have been built without gate_specs
    if refused is not None:
        return gate_run(exit_code=None, timed_out=False, seconds=0.0, tail="", error=refused)
    if not cwd.is_dir():
        return gate_run(exit_code=None, timed_out=False, seconds=0.0, tail="", error=f"no directory {cwd}")
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(
                spec.command,
                shell=True,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            return gate_run(exit_code=None, timed_out=False, seconds=0.0, tail="", error=exc.strerror or str(exc))
        try:
            code = wait_until(process, started + limit, cancel)
        except BaseException:  # KeyboardInterrupt, SystemExit: leave nothing running behind
            kill_group(process)
            raise
        timed_out = code is None and not (cancel is not None and cancel.is_set())
        if code is None:
            kill_group(process)
        seconds = time.monotonic() - started
        size = output.seek(0, os.SEEK_END)
        output.seek(max(0, size - _READ_WINDOW))
        text = output.read().decode("utf-8", errors="replace")
    error = CANCELLED if code is None and not timed_out else None
    return gate_run(exit_code=code, timed_out=timed_out, seconds=round(seconds, 3), tail=tail_of(text), error=error)
