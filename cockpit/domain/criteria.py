"""Completion criteria in a unit's body: the `- [ ]` boxes that hold its last hat.

The H·AI·K·U engine refuses the advance that would complete a unit while its file holds an
unchecked box, and counts them as it finds them: every `- [ ]` anywhere in the text, under any
heading, inside a code block or not. Ticked boxes (`- [x]`, `- [X]`) do not hold it. We count
the same way, so a unit held here is held there; the text after each box names the criterion.
"""

from __future__ import annotations

import re

UNCHECKED = re.compile(r"- \[ \]([^\n]*)")
SHOWN = 3  # criteria named in a message; the rest are counted


def unchecked_criteria(body: str) -> tuple[str, ...]:
    """The text of every unchecked box in `body`, in order (empty text for a bare box)."""
    return tuple(match.group(1).strip() for match in UNCHECKED.finditer(body))


def held_by_criteria(slug: str, unchecked: tuple[str, ...]) -> str:
    """`3 completion criteria unchecked in fix-dns: "a", "b", "c"` (the first few, then how many more)."""
    count = len(unchecked)
    named = [f'"{text}"' if text else "(a box with no text)" for text in unchecked[:SHOWN]]
    more = f" and {count - SHOWN} more" if count > SHOWN else ""
    noun = "criterion" if count == 1 else "criteria"
    return f"{count} completion {noun} unchecked in {slug}: {', '.join(named)}{more}"
