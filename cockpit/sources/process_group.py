"""Waiting for, and killing, a command started in its own process group (`start_new_session=True`):
the quality gates and the runbook steps both run shell commands that may start children, and a
timeout, a cancel or Ctrl-C must leave nothing of them running."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time


def wait_until(process: subprocess.Popen[bytes], until: float, cancel: threading.Event | None) -> int | None:
    """The exit status, or None once `until` (monotonic) passes or `cancel` is set."""
    while True:
        left = until - time.monotonic()
        if left <= 0 or (cancel is not None and cancel.is_set()):
            return None
        try:
            return process.wait(timeout=min(left, 0.05) if cancel is not None else left)
        except subprocess.TimeoutExpired:
            continue


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group: the shell and everything it started, grandchildren too."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
