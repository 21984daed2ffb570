"""The commit message of one `cockpit haiku sync`: what changed in the intent since the last sync,
said from its timeline events (Store.timeline rows). Pure.

The subject names the intent and the changes in the order they first happened, one phrase per
thing that moved: a unit or finding moved several times is named once, where it ended up
("advanced cause to reviewer", not every hand-off on the way). What does not fit in the subject
is counted there ("and 3 more") and listed in full in the body. Events of linking the intent to
its files (haiku_*) are not changes of the intent, but a conflict decided (haiku_resolve) is. No event (files changed outside cockpit, or a
first sync) gives "files updated".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SUBJECT_WIDTH = 100  # git's own tools show about this much of a subject line


def _text(value: Any) -> str:
    # names come from the store; a control character would still reach the terminal of whoever runs git log
    return "".join(ch for ch in str(value) if ord(ch) >= 32 and ord(ch) != 127)


def phrase(event: Mapping[str, Any]) -> tuple[str, str] | None:
    """(what it is about, what happened to it) for one timeline row; None for rows that say
    nothing about the intent's progress. A later phrase about the same subject replaces the
    earlier one."""
    command = str(event.get("command") or "")
    data = event.get("data") or {}
    if command == "haiku_resolve" and isinstance(data, Mapping):  # a conflict decided: the next commit carries it
        path = _text(data.get("path") or "")
        return f"resolve:{path}", f"took {_text(data.get('take') or '')} of {path}"
    if command.startswith("haiku_"):
        return None
    stage, unit, hat = (_text(event.get(k) or "") for k in ("stage", "unit", "hat"))
    ref = _text(data.get("feedback") or "") if isinstance(data, Mapping) else ""
    to = _text(data.get("to") or "") if isinstance(data, Mapping) else ""
    unit_key, fb_key, stage_key = f"unit:{unit}", f"fb:{ref}", f"stage:{stage}"
    match command:
        case "create_intent":
            return "intent", "opened"
        case "add_unit":
            return unit_key, f"added {unit} to {stage}"
        case "import_units":
            units = data.get("units") if isinstance(data, Mapping) else None
            return f"import:{stage}", f"imported {len(units or ())} units into {stage}"
        case "edit_unit":
            return f"edit:{unit}", f"edited {unit}"
        case "declare_ready":
            return stage_key, f"{stage} unit list ready"
        case "start_unit":
            return unit_key, f"started {unit} as {hat}"
        case "advance_hat":
            return unit_key, f"advanced {unit} to {to}" if to else f"completed {unit}"
        case "reject_hat":
            return unit_key, f"sent {unit} back to {to}"
        case "resume":
            return (fb_key, f"resumed {ref}") if ref else (unit_key, f"resumed {unit}")
        case "tick":
            return f"tick:{unit}", f"ticked {unit}'s checklist"
        case "signoff":
            role = _text(data.get("role") or "") if isinstance(data, Mapping) else ""
            return f"signoff:{unit}:{role}", f"{role} signed off {unit}"
        case "file_feedback" | "request_changes" if ref:
            return fb_key, f"{ref} filed"
        case "advance_fix":
            return fb_key, f"{ref} to {to}"
        case "close_feedback":
            return fb_key, f"{ref} closed"
        case "reject_fix":
            return fb_key, f"{ref} sent back to {to}"
        case "classify":
            return f"classify:{ref}", f"{ref} reclassified"
        case "approve_gate":
            return stage_key, f"{stage} gate approved"
        case "submit_gate":
            return stage_key, f"{stage} submitted for review"
        case "revisit_stage":
            return stage_key, f"{stage} revisited"
        case _:
            words = command.replace("_", " ")
            about = ref or unit or stage
            return f"{command}:{about}", f"{words} {about}".strip()


def changes(events: Sequence[Mapping[str, Any]]) -> list[str]:
    """The phrases, in the order their subjects first changed, each subject's last word kept."""
    said: dict[str, str] = {}
    for event in events:
        found = phrase(event)
        if found is not None:
            key, text = found
            said[key] = text  # an existing key keeps its place, takes the newer text
    return list(dict.fromkeys(said.values()))


def commit_message(slug: str, events: Sequence[Mapping[str, Any]]) -> str:
    """`cockpit: <slug> — a; b; c`, and every change in the body when the subject cannot hold them."""
    lines = changes(events) or ["files updated"]
    head = f"cockpit: {_text(slug)} — "
    shown: list[str] = []
    for n, text in enumerate(lines):
        rest = len(lines) - n - 1
        tail = f"; and {rest} more" if rest else ""
        if shown and len(head + "; ".join([*shown, text]) + tail) > SUBJECT_WIDTH:
            break
        shown.append(text)
    subject = head + "; ".join(shown)
    if len(shown) == len(lines):
        return subject
    return f"{subject}; and {len(lines) - len(shown)} more\n\n" + "\n".join(f"- {text}" for text in lines)
