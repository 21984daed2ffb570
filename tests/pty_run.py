"""Run `cockpit` as a real subprocess on a pseudo-terminal and collect every byte it writes.

What a CLI prints to a pipe is not what it prints to a terminal: rich styles output, `input()`
prompts only at a tty, and the CLI decides to render markdown because `isatty()` is true. The
hostile-text tests need the stream a terminal would obey, so they read the pty's master side
until EOF.

    out = run_on_pty(["runbooks", "list", "--db", db], env)
    assert raw_sequences(out) == [] and out.code == 0
"""

from __future__ import annotations

import codecs
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _raw_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    # A byte that is not UTF-8 becomes the character of the same number: a raw 8-bit C1 byte
    # (0x9b, CSI to some terminals) stays visible to `raw_sequences` instead of turning into U+FFFD.
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("pty-raw-bytes", _raw_bytes)


class PtyOutput(str):
    """What reached the terminal (a str, CR LF as LF), with the exit status as `.code`."""

    code: int


COCKPIT = (sys.executable, "-m", "cockpit")


def run_on_pty(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    typed: bytes = b"",
    timeout: float = 30.0,
    size: tuple[int, int] = (40, 120),
    program: Sequence[str] = COCKPIT,
) -> PtyOutput:
    """Run `python -m cockpit ARGS` (or `program ARGS`) with stdin, stdout and stderr on one pty of `size` (rows,
    columns), `typed` written to the keyboard side first (answers to prompts), and return all it
    wrote. `env` is added to a copy of os.environ with TERM=xterm-256color and NO_COLOR removed,
    so styled output is what a person's terminal would get."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    environ.update({"TERM": "xterm-256color", "PYTHONUNBUFFERED": "1"})
    environ.update(env or {})
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    try:
        process = subprocess.Popen(
            [*program, *args], stdin=slave, stdout=slave, stderr=slave, env=environ, cwd=REPO, close_fds=True
        )
    finally:
        os.close(slave)
    chunks: list[bytes] = []
    try:
        if typed:
            os.write(master, typed)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                process.kill()
                raise AssertionError(
                    f"cockpit {' '.join(args)} still running after {timeout} s; it wrote {b''.join(chunks)[-2000:]!r}"
                )
            ready, _, _ = select.select([master], [], [], min(left, 0.2))
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every process holding the terminal has closed it
                break
            if not data:
                break
            chunks.append(data)
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    text = b"".join(chunks).decode("utf-8", errors="pty-raw-bytes").replace("\r\n", "\n")
    output = PtyOutput(text)
    output.code = process.returncode
    return output
