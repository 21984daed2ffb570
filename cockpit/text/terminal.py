"""Terminal-safe text: the one function between data and a terminal.

Text that cockpit did not write (titles, bodies, findings, runbooks, model answers, gate commands
and their output, studio names, config values) may carry bytes a terminal obeys: OSC 52 writes the
clipboard, OSC 0 retitles the pane, CSI 2J clears the screen, CSI 6n makes the terminal type a reply
into the shell, a lone carriage return lets later text overwrite what a prompt showed. `safe`
turns every such byte into a visible picture (ESC becomes ␛), so nothing drives the terminal and a
reader can still see that something was there: a hidden sequence is worse than an ugly one.

`strip` removes whole sequences instead; it is for model answers, which are stored and re-sent and
have no business carrying escape sequences at all. `control_chars` lets a caller refuse a string
(a command to run) instead of showing it cleaned.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

# Unicode bidirectional controls (Trojan Source: text that reads differently from how it runs) and
# zero-width characters (names that look alike but differ). U+200D (joiner) is kept in bodies so
# emoji sequences survive; names drop it too.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

_C0 = "".join(chr(c) for c in range(0x20))
_C1 = "".join(chr(c) for c in range(0x80, 0xA0))
_DEL = "\x7f"


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀…␟: ESC is ␛, BEL is ␇, CR is ␍
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"  # C1, bidi and zero-width characters have no picture of their own


def _table(keep: str, extra: str) -> dict[int, str]:
    return {ord(c): _picture(c) for c in _C0 + _DEL + _C1 + BIDI + extra if c not in keep}


_MULTILINE = _table(keep="\n\t", extra="")
_ONE_LINE = _table(keep="", extra=ZERO_WIDTH) | {ord("\n"): " ", ord("\t"): " "}
_ANY = re.compile(f"[{re.escape(_C0 + _DEL + _C1 + BIDI + ZERO_WIDTH)}]")
_RAW_IN_JSON = re.compile(f"[{re.escape(_DEL + _C1 + BIDI + ZERO_WIDTH)}]")  # what json.dumps leaves unescaped


def safe(text: object, *, one_line: bool = False) -> str:
    """`text` with every control character shown as a picture instead of obeyed.

    Newline and tab are kept (a CR LF pair becomes a newline) unless `one_line`, where they
    become spaces and zero-width characters are shown too: use it for names and titles."""
    text = "" if text is None else str(text)
    if _ANY.search(text) is None:  # the common case: nothing to do, no copy
        return text
    text = text.replace("\r\n", "\n")
    return text.translate(_ONE_LINE if one_line else _MULTILINE)


# ESC or its 8-bit form, then: CSI (parameters, intermediates, a final byte); OSC, DCS, SOS, PM or
# APC (a string up to BEL or ST, or to the end); or a two-byte escape.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
_STRIP = {ord(c): None for c in _C0 + _DEL + _C1 + BIDI if c not in "\n\t"}


def strip(text: str) -> str:
    """`text` without escape sequences or control characters (newline and tab kept)."""
    if _ANY.search(text) is None:
        return text
    return _SEQUENCE.sub("", text.replace("\r\n", "\n")).translate(_STRIP)


def has_controls(text: str) -> bool:
    """Whether `text` holds anything `safe` would change (newline and tab included)."""
    return _ANY.search(text) is not None


def control_chars(text: str, *, allow: str = "\t\n") -> list[tuple[int, str]]:
    """(offset, picture) of each control character in `text` other than those in `allow`."""
    return [(m.start(), _picture(m.group())) for m in _ANY.finditer(text) if m.group() not in allow]


def json_controls_escaped(text: str) -> str:
    """JSON text with every control, bidi and zero-width character inside strings as a `\\uXXXX` escape.

    `json.dumps(ensure_ascii=False)` escapes C0 but leaves C1 and bidi characters raw. In JSON text
    such characters can only stand inside strings, where the escape means the same value: the
    document stays exact for a program and inert for a terminal."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeStream(io.TextIOBase):
    """A text stream that passes everything written through `safe`: the CLI's stdout and stderr.

    Output the CLI styles itself (rich rendering a runbook for a person) goes to `styled`, the
    stream underneath, and must have made its data safe before styling it."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.styled = stream

    def write(self, text: str) -> int:
        self.styled.write(safe(text))
        return len(text)

    def flush(self) -> None:
        self.styled.flush()

    def isatty(self) -> bool:
        return self.styled.isatty()

    def fileno(self) -> int:
        # No descriptor: `input(prompt)` would otherwise hand the prompt to readline, which writes
        # it to the descriptor directly, past `write`.
        raise io.UnsupportedOperation("fileno")

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.styled, "encoding", "utf-8")


@contextmanager
def safe_stdio() -> Iterator[None]:
    """stdout and stderr through `SafeStream` for the duration (the CLI's handlers)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def styled_stdout() -> TextIO:
    """The stream under a `SafeStream` stdout, for output styled on purpose (escape codes of ours)."""
    return getattr(sys.stdout, "styled", sys.stdout)
