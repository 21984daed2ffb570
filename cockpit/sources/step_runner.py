"""Running one runbook step: the one place a runbook's command becomes a process.

`/bin/sh -c COMMAND` in its own session (so its own process group), stdin closed, stdout and
stderr together on one pipe read by a thread. Every line handed to the caller's `on_line` and every
byte kept passes the redaction first (values known to be secrets are masked before it); there is
no way to ask for the raw output. Output is kept up to a cap: the head and the tail, cut at line
boundaries, the bytes in between counted, so a step printing 100 MB costs a bounded amount of
memory. Live lines are bounded too (`STREAM_LINES`); past them the caller hears how much more came.

On a timeout, a cancel (`cancel` set: the app's Esc) or an interrupt (ctrl+c in the CLI: the step
is not in the terminal's foreground group, so nobody else would stop it) the whole group is
killed, grandchildren included. Background children still holding the output after the shell
exits are killed too: a step does not leave processes behind unseen.

Whether a step may run (read-only mode, its confirmation) is decided before this is called
(cockpit.app.steps); this module only runs what it is given.
"""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cockpit.sources.process_group import kill_group, wait_until
from cockpit.text.redact import redact

OUTPUT_CAP = 256 * 1024  # bytes kept of a step's output: half head, half tail
STREAM_LINES = 2000  # lines shown live; after them, the count of what else came
_CHUNK = 64 * 1024
_EXIT_GRACE = 0.5  # seconds the pipe may stay open after the shell exits before leftovers are killed

EXITED, TIMEOUT, CANCELLED, NOT_STARTED = "exited", "timeout", "cancelled", "not_started"


@dataclass(frozen=True)
class StepRun:
    outcome: str  # exited | timeout | cancelled | not_started
    exit_code: int | None
    duration_ms: int
    output: str  # redacted; head, a line saying what was left out, tail
    output_bytes: int  # every byte the step printed
    truncated: bool
    cwd: str
    host: str
    user: str
    error: str | None = None  # why it did not start
    interrupted: bool = False  # ended by ctrl+c in this process: the CLI exits 130 after recording it


def host_name() -> str:
    return socket.gethostname()


def user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return str(os.getuid())


class _Masker:
    """Known secret values out first (a variable the engineer gave that looks like a secret), then the redaction."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self._secrets = sorted(((v, f"[{k}]") for k, v in secrets.items() if len(v) >= 4), key=lambda p: -len(p[0]))

    def __call__(self, text: str) -> str:
        for value, name in self._secrets:
            text = text.replace(value, name)
        return redact(text).text


class _Collector:
    """Reads the pipe: keeps head and tail within the cap, counts bytes, streams lines."""

    def __init__(self, cap: int, on_line: Callable[[str], None] | None, mask: _Masker) -> None:
        self.cap, self.on_line, self.mask = cap, on_line, mask
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self._partial = bytearray()
        self._streamed = 0
        self._unstreamed = 0
        self._said_at = 0.0

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if len(self.head) < self.cap:
            self.head += chunk  # until the cap, everything is head
        else:
            self.tail += chunk
            if len(self.tail) > self.cap:  # keep about half a cap of tail; trim in big steps (cheap)
                del self.tail[: len(self.tail) - self.cap // 2]
        if self.on_line is not None:
            self._stream(chunk)

    def _stream(self, chunk: bytes) -> None:
        if self._streamed >= STREAM_LINES:
            self._unstreamed += len(chunk)
            now = time.monotonic()
            if now - self._said_at > 1.0:
                self._said_at = now
                assert self.on_line is not None
                self.on_line(f"… {self._unstreamed:,} more bytes, not shown live (the end is kept)")
            return
        self._partial += chunk
        *lines, rest = self._partial.split(b"\n")
        self._partial = bytearray(rest)
        for line in lines:
            self._emit(bytes(line))
        if len(self._partial) > _CHUNK:  # one endless line: show it in pieces
            self._emit(bytes(self._partial))
            self._partial.clear()

    def _emit(self, line: bytes) -> None:
        if self._streamed >= STREAM_LINES:
            self._unstreamed += len(line) + 1
            return
        self._streamed += 1
        assert self.on_line is not None
        self.on_line(self.mask(line.decode("utf-8", errors="replace")))

    def finish(self) -> None:
        if self.on_line is not None and self._partial and self._streamed < STREAM_LINES:
            self._emit(bytes(self._partial))
        if self.on_line is not None and self._unstreamed:
            self.on_line(f"… {self._unstreamed:,} bytes were not shown live; the end of the output is kept")

    def output(self) -> tuple[str, bool]:
        """(redacted output, truncated). Over the cap: the head's first half and the tail's last
        half, each cut at a line boundary, so a secret on one line is never cut in two."""
        if self.total <= self.cap:
            return self.mask(bytes(self.head).decode("utf-8", errors="replace")), False
        half = self.cap // 2
        head = bytes(self.head[:half])
        head = head[: head.rfind(b"\n") + 1] or head
        tail_bytes = bytes(self.tail if len(self.tail) >= half else (self.head + self.tail))[-half:]
        cut = tail_bytes.find(b"\n")
        tail = tail_bytes[cut + 1 :] if 0 <= cut < len(tail_bytes) - 1 else tail_bytes
        left_out = self.total - len(head) - len(tail)
        middle = f"\n… {left_out:,} bytes left out (kept: the first {len(head):,} and the last {len(tail):,}) …\n"
        text = self.mask(head.decode("utf-8", errors="replace")) + middle
        return text + self.mask(tail.decode("utf-8", errors="replace")), True


def run_step(
    command: str,
    *,
    cwd: str,
    env: Mapping[str, str] | None = None,
    timeout: float,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    secrets: Mapping[str, str] | None = None,
    cap: int = OUTPUT_CAP,
) -> StepRun:
    """Run `command` with `/bin/sh -c` from `cwd`, the variables `env` added to this process's
    environment. `secrets`: values (by name) masked as `[NAME]` wherever they are printed."""
    mask = _Masker(secrets or {})
    host, user = host_name(), user_name()
    where = os.path.abspath(cwd)

    def not_started(reason: str) -> StepRun:
        return StepRun(NOT_STARTED, None, 0, "", 0, False, where, host, user, error=reason)

    if not os.path.isdir(where):
        return not_started(f"no directory {where}")
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            ["/bin/sh", "-c", command],
            cwd=where,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        return not_started(exc.strerror or str(exc))
    assert process.stdout is not None
    collector = _Collector(cap, on_line, mask)
    reader = threading.Thread(target=_read, args=(process.stdout.fileno(), collector), daemon=True)
    interrupted = False
    try:  # from the moment it exists: a ctrl+c before the wait must kill it too
        reader.start()
        code = wait_until(process, started + timeout, cancel)
    except BaseException:  # KeyboardInterrupt (ctrl+c), SystemExit: leave nothing running behind
        kill_group(process)
        code, interrupted = None, True
    outcome = EXITED if code is not None else TIMEOUT if not interrupted and not _set(cancel) else CANCELLED
    if code is None:
        kill_group(process)
    if reader.ident is not None:
        reader.join(_EXIT_GRACE)
    if reader.is_alive():  # background children still hold the pipe: they go with the step
        kill_group(process)
        reader.join(_EXIT_GRACE)
    process.stdout.close()
    collector.finish()
    duration_ms = int((time.monotonic() - started) * 1000)
    output, truncated = collector.output()
    return StepRun(
        outcome,
        code,
        duration_ms,
        output,
        collector.total,
        truncated,
        where,
        host,
        user,
        interrupted=interrupted,
    )


def _set(event: threading.Event | None) -> bool:
    return event is not None and event.is_set()


def _read(fd: int, collector: _Collector) -> None:
    try:
        while chunk := os.read(fd, _CHUNK):
            collector.feed(chunk)
    except OSError:  # closed under us after the grace: what was read is kept
        pass
