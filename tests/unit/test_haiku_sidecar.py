"""The cockpit sidecar of an exported intent (cockpit/facts.jsonl): encode and decode."""

from __future__ import annotations

import json

from cockpit.domain.haiku_sidecar import (
    DecisionNote,
    EventNote,
    FindingName,
    MessageNote,
    Sidecar,
    SignoffNote,
    TickNote,
    UnitName,
    decode,
    encode,
)

UNIT = "stages/resolve/units/unit-001-fix.md"
SIDECAR = Sidecar(
    units=(UnitName(UNIT, "fix"),),
    findings=(FindingName("feedback/001-pool-limits.md", 3),),
    signoffs=(SignoffNote(UNIT, "correctness", "review", "2026-05-01T09:00:00Z", "ana", "read the diff"),),
    decisions=(
        DecisionNote(
            "resolve", "approved", "2026-05-01T10:00:00Z", "ana", path="ask", reason="override: FB-002 is a follow-up"
        ),
        DecisionNote("resolve", "resumed", "2026-05-01T10:05:00Z", "bo", unit=UNIT, reason="new lead"),
    ),
    ticks=(TickNote(UNIT, "engineer", 1, "Tests pass", True),),
    messages=(MessageNote(UNIT, 0, "handing over: écrit à 3 h\nsecond line"),),
    events=(EventNote("2026-05-01T08:00:00Z", "ana", "create_intent", data={"slug": "inc", "studio": "x"}),),
)


def test_round_trip_is_exact_and_bytes_are_stable():
    text = encode(SIDECAR)
    assert decode(text) == (SIDECAR, ())
    assert encode(decode(text)[0]) == text
    lines = text.split("\n")
    assert lines[0] == '{"format":1,"kind":"cockpit"}' and lines[-1] == ""
    assert [json.loads(line)["kind"] for line in lines[1:-1]] == [
        "unit",
        "finding",
        "signoff",
        "decision",
        "decision",
        "tick",
        "message",
        "event",
    ]
    assert all(list(json.loads(line)) == sorted(json.loads(line)) for line in lines[:-1])


def test_a_bad_line_is_named_and_the_rest_is_read():
    good = encode(SIDECAR).split("\n")
    text = "\n".join(
        [
            good[0],
            good[1],
            "{not json",
            '{"kind":"tick","unit":"u","hat":"h","bolt":"1","item":"i","ticked":true}',
            *good[2:],
        ]
    )
    sidecar, problems = decode(text, "x/cockpit/facts.jsonl")
    assert sidecar == SIDECAR
    assert [str(p) for p in problems] == [
        "x/cockpit/facts.jsonl:3: not JSON: Expecting property name enclosed in double quotes",
        "x/cockpit/facts.jsonl:4: tick: bolt is str, not int",
    ]


def test_unknown_kinds_are_skipped_and_a_newer_format_is_refused():
    text = encode(Sidecar(units=(UnitName("u.md", "u"),))) + '{"kind":"hologram","x":1}\n'
    assert decode(text) == (Sidecar(units=(UnitName("u.md", "u"),)), ())
    newer, problems = decode('{"format":2,"kind":"cockpit"}\n' + text)
    assert newer == Sidecar() and "format 2" in str(problems[0])
