"""Unexpected exceptions (bugs): one line on the terminal, the traceback in a private log file.

The CLI and the app both end through `record`, so an engineer at 3 AM sees what happened and
where the details are, not a screen of traceback, and the details survive for the bug report.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

MAX_LOG_BYTES = 1_000_000  # past this the log starts afresh: it keeps the recent crashes, not all of them


def log_path() -> Path:
    """`$XDG_STATE_HOME/cockpit/cockpit.log` (default `~/.local/state/cockpit/cockpit.log`)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "cockpit" / "cockpit.log"


def record(exc: BaseException, *, where: str = "cli") -> str:
    """Append `exc`'s traceback to the log (created 0600, its folder 0700) and return the one line
    to show. When the log cannot be written the traceback goes to stderr: it must land somewhere."""
    path = log_path()
    summary = _summary(exc)
    text = "".join(traceback.format_exception(exc))
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    entry = f"--- {stamp} cockpit {where} (pid {os.getpid()}, {' '.join(sys.argv[:1] + sys.argv[1:2])})\n{text}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        mode = "w" if path.exists() and path.stat().st_size > MAX_LOG_BYTES else "a"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if mode == "w" else os.O_APPEND), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(entry)
    except OSError as err:
        sys.stderr.write(text)
        return f"cockpit: internal error: {summary} (could not write {path}: {err.strerror or err}; traceback above)"
    return f"cockpit: internal error: {summary} — details in {path}"


def _summary(exc: BaseException) -> str:
    """`Type: first line of the message`, short, with control characters made visible."""
    from cockpit.text.terminal import safe

    message = str(exc).strip().splitlines()
    first = message[0] if message else ""
    line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return safe(line[:300], one_line=True)
