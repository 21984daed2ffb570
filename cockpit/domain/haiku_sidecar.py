"""The cockpit sidecar of a H·AI·K·U intent folder: the facts cockpit holds and the engine has no
field for, in `<intent folder>/cockpit/facts.jsonl` (the engine reads no file under `cockpit/`).

Format (version 1): UTF-8, one JSON object per line, each line's keys sorted, no spaces, `\\n`
after every line. The first line is the header `{"format":1,"kind":"cockpit"}`. Then, in this
order and each group in the order cockpit recorded its facts:

| kind       | keys                                                           | what                                 |
|------------|----------------------------------------------------------------|--------------------------------------|
| `unit`     | `file`, `slug`                                                 | cockpit's slug of the unit in `file` |
| `finding`  | `file`, `number`                                               | cockpit's number of that finding     |
| `signoff`  | `unit`, `role`, `phase` (review, approve), `at`, `actor`, `note` | every sign-off, with who and why   |
| `decision` | `stage`, `decision`, `at`, `actor`, `path`, `reason`, `url`, `unit`, `finding`, `branch` | every human decision (elaborated, approved with its override reason, resumed, submitted, revisited…) |
| `tick`     | `unit`, `hat`, `bolt`, `item`, `ticked`                        | a hand-off checklist box (un)ticked  |
| `message`  | `owner`, `nth`, `message`                                      | the hand-off message of iteration `nth` (0-based) of the unit or finding file `owner` |
| `event`    | `at`, `actor`, `command`, `stage`, `unit`, `hat`, `message`, `data` | the intent's timeline, oldest first |

`file`, `unit`, `finding` and `owner` are paths relative to the intent folder (the files hold
the engine's identity: a unit's name is its file's stem; a finding's number is its file's
prefix, per directory); `stage` is "" for intent-scope findings. Optional keys hold null when
unset. An event's `unit` is the unit as the event recorded it (cockpit's slug at the time).
A reader skips kinds it does not know (a newer cockpit's), and reports a malformed line as
`path:line: reason` and reads the rest (`decode`). The same facts encode to the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from cockpit.errors import SourceError

SIDECAR = "cockpit/facts.jsonl"  # relative to the intent folder
FORMAT = 1


class UnitName(NamedTuple):
    file: str
    slug: str


class FindingName(NamedTuple):
    file: str
    number: int


class SignoffNote(NamedTuple):
    unit: str
    role: str
    phase: str  # review | approve
    at: str
    actor: str
    note: str | None


class DecisionNote(NamedTuple):
    stage: str
    decision: str  # elaborated | approved | changes_requested | resumed | submitted | revisited
    at: str
    actor: str
    path: str | None = None
    reason: str | None = None
    url: str | None = None
    unit: str | None = None
    finding: str | None = None
    branch: str | None = None


class TickNote(NamedTuple):
    unit: str
    hat: str
    bolt: int
    item: str
    ticked: bool


class MessageNote(NamedTuple):
    owner: str
    nth: int  # 0-based place in the owner's iterations
    message: str


class EventNote(NamedTuple):
    at: str
    actor: str
    command: str
    stage: str | None = None
    unit: str | None = None
    hat: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Sidecar:
    units: tuple[UnitName, ...] = ()
    findings: tuple[FindingName, ...] = ()
    signoffs: tuple[SignoffNote, ...] = ()
    decisions: tuple[DecisionNote, ...] = ()
    ticks: tuple[TickNote, ...] = ()
    messages: tuple[MessageNote, ...] = ()
    events: tuple[EventNote, ...] = ()


# kind → (record type, Sidecar field); the order of the groups in the file
_KINDS: dict[str, tuple[type[Any], str]] = {
    "unit": (UnitName, "units"),
    "finding": (FindingName, "findings"),
    "signoff": (SignoffNote, "signoffs"),
    "decision": (DecisionNote, "decisions"),
    "tick": (TickNote, "ticks"),
    "message": (MessageNote, "messages"),
    "event": (EventNote, "events"),
}
_TYPES: dict[str, type | tuple[type, ...]] = {
    "bolt": int,
    "nth": int,
    "number": int,
    "ticked": bool,
    "data": dict,
}


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def encode(sidecar: Sidecar) -> str:
    """The file's text: the header, then every record, group by group (module docstring)."""
    out = [_line({"kind": "cockpit", "format": FORMAT})]
    for kind, (_, name) in _KINDS.items():
        for record in getattr(sidecar, name):
            out.append(_line({"kind": kind, **record._asdict()}))
    return "".join(out)


def decode(text: str, path: str = SIDECAR) -> tuple[Sidecar, tuple[SourceError, ...]]:
    """The sidecar's records and the lines that could not be read (`path:line: reason`; the rest
    is read). A file of a newer format is refused whole (one problem, nothing read)."""
    groups: dict[str, list[Any]] = {name: [] for _, name in _KINDS.values()}
    problems: list[SourceError] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(SourceError(path, number, f"not JSON: {exc.msg}"))
            continue
        if not isinstance(row, dict):
            problems.append(SourceError(path, number, "not a JSON object"))
            continue
        kind = row.pop("kind", None)
        if kind == "cockpit":
            if row.get("format") != FORMAT:
                return Sidecar(), (SourceError(path, number, f"sidecar format {row.get('format')!r} is not {FORMAT}"),)
            continue
        if kind not in _KINDS:
            continue  # a newer cockpit's facts: not ours to read
        record, problem = _record(_KINDS[kind][0], row)
        if problem:
            problems.append(SourceError(path, number, f"{kind}: {problem}"))
        else:
            groups[_KINDS[kind][1]].append(record)
    return Sidecar(**{name: tuple(rows) for name, rows in groups.items()}), tuple(problems)


def _record(kind: type[Any], row: dict[str, Any]) -> tuple[Any, str | None]:
    fields: tuple[str, ...] = kind._fields
    defaults: dict[str, Any] = kind._field_defaults
    values: dict[str, Any] = {}
    for name in fields:
        if name not in row:
            if name in defaults:
                values[name] = defaults[name]
                continue
            return None, f"{name} is missing"
        value = row[name]
        wanted = _TYPES.get(name, str)
        optional = name in defaults or name == "note"
        if value is None and optional:
            values[name] = None
            continue
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            return None, f"{name} is {type(value).__name__}, not {getattr(wanted, '__name__', wanted)}"
        values[name] = value
    return kind(**values), None
