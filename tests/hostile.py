"""Hostile text for the boundary tests: every kind of sequence a terminal obeys, each tagged with a
marker so a test can tell whether the sequence reached the terminal raw (`\x1b]0;PWN-TITLE`) or
as a picture (`␛]0;PWN-TITLE`)."""

from __future__ import annotations

import re
from pathlib import Path

# (name, the raw sequence, the text right after it). The raw sequence followed by its marker must
# never appear in what reaches the terminal.
SEQUENCES = [
    ("osc52-clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07", "PWN-CLIP"),  # base64 of `rm -rf ~`
    ("osc0-title", "\x1b]0;", "PWN-TITLE\x07"),
    ("osc8-link", "\x1b]8;;https://evil.example/\x1b\\", "PWN-LINK"),
    ("csi-clear", "\x1b[2J", "PWN-CLEAR"),
    ("csi-report", "\x1b[6n", "PWN-DSR"),
    ("csi-color", "\x1b[31m", "PWN-RED"),
    ("dcs", "\x1bPq#0;2;0;0;0", "PWN-DCS\x1b\\"),
    ("apc", "\x1b_Gf=100;", "PWN-APC\x1b\\"),
    ("c1-csi", "\x9b2J", "PWN-C1"),
    ("c1-osc", "\x9d0;", "PWN-C1OSC\x9c"),
    ("bell", "\x07", "PWN-BELL"),
    ("backspace", "\x08\x08\x08", "PWN-BS"),
    ("cr-overwrite", "\r", "PWN-CR"),
    ("bidi-override", "\u202e", "PWN-BIDI"),
]

# One line holding every sequence, for one-line fields (titles, names, messages).
LINE = (
    "x "
    + " ".join(raw + marker for _name, raw, marker in SEQUENCES)
    + " [bold]PWN-MARKUP[/bold] [link=https://evil.example/]PWN-MU-LINK[/link]"
)

# Markers whose preceding sequence must never arrive raw; checked on any captured output.
_RAW_BEFORE = [(raw, marker) for _name, raw, marker in SEQUENCES if raw not in ("\r",)]


def raw_sequences(output: str) -> list[str]:
    """The hostile sequences that reached `output` raw (empty when the output is safe).

    Besides each sequence before its marker: any BEL, any C1 control, and any OSC at all (cockpit
    itself writes none outside a copy, so an OSC in the stream came from data)."""
    found = [f"{raw!r}{marker[:9]}" for raw, marker in _RAW_BEFORE if raw + marker.rstrip("\x07\x1b\\\x9c") in output]
    found += [f"C1 {c!r}" for c in sorted(set(re.findall("[\x80-\x9f]", output)))]
    if "\x07" in output:
        found.append("BEL")
    if "\r" + "PWN-CR" in output:
        found.append("CR before PWN-CR")
    found += [f"OSC {m!r}" for m in re.findall(r"\x1b\][^\x07\x1b]{0,20}", output)]
    return found


def plant(engine, folder: Path, *, clock) -> str:
    """An incident whose every free-text field holds LINE: the intent's title (written by another
    tool into the shared file), unit title and body, a hand-off message, a finding's title and body;
    and a hostile runbook indexed from `folder`. Returns the intent's slug."""
    from helpers import new_incident, to_execute

    from cockpit.domain import commands as c
    from cockpit.runbooks.index import index_library, library_roots

    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ())])
    engine.run(slug, c.edit_unit, unit="fix", body=f"## Fix\n\n{LINE}\n\n```sh\n{LINE}\n```\n")
    engine.run(slug, c.advance_hat, unit="fix", message=LINE)
    engine.run(
        slug, c.file_feedback, title="Hostile finding", body=LINE, severity="high", unit="fix", origin="user-chat"
    )
    with engine.store.writing():  # data from elsewhere: the app never wrote these bytes itself
        engine.store.db.execute("UPDATE intents SET title = ?", [LINE])
        engine.store.db.execute("UPDATE units SET title = ? WHERE slug = 'fix'", [LINE])
        engine.store.db.execute("UPDATE feedback SET title = ? WHERE title = 'Hostile finding'", [LINE])
    folder.mkdir(exist_ok=True)
    (folder / "hostile.md").write_text(
        f"# Hostile {LINE}\n\n## Steps\n\n{LINE}\n\n```sh\n{LINE}\n```\n", encoding="utf-8"
    )
    index_library(engine.store, library_roots([folder]), clock=clock)
    return slug


# What a terminal obeys and cockpit's own styling never writes: the test looks for these anywhere,
# not only before a marker, since rich adds its SGR codes around the data on a tty.
NEVER = {
    "OSC": "\x1b]",
    "DCS": "\x1bP",
    "APC": "\x1b_",
    "clear screen": "\x1b[2J",
    "status report": "\x1b[6n",
    "BEL": "\x07",
    "backspace": "\x08",
}


def terminal_safe(output: str) -> list[str]:
    """What from data reached the terminal raw: the hostile sequences, and any byte on NEVER."""
    return raw_sequences(output) + [name for name, raw in NEVER.items() if raw in output]
