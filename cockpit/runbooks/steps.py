"""A parsed runbook's code blocks as steps (cockpit.domain.steps), numbered from 1 in document order."""

from __future__ import annotations

from collections.abc import Sequence

from cockpit.domain.steps import Step, attributes, language
from cockpit.errors import NotFound
from cockpit.runbooks.doc import RunbookDoc


def steps_of(doc: RunbookDoc) -> tuple[Step, ...]:
    """Every fenced block of `doc`, runnable or not: the numbers must match what a reader counts."""
    return tuple(
        Step(
            runbook=doc.name,
            number=number,
            line=block.line,
            language=language(block.info),
            info=block.info,
            command=block.text,
            heading=block.heading.text if block.heading else None,
            attributes=attributes(block.info),
        )
        for number, block in enumerate(doc.code_blocks, start=1)
    )


def step_of(doc: RunbookDoc, number: int) -> Step:
    return numbered(steps_of(doc), doc.name, number)


def numbered(steps: Sequence[Step], runbook: str, number: int) -> Step:
    """Block `number` of a runbook's `steps`, refused in words when it has none by that number."""
    if not 1 <= number <= len(steps):
        count = f"blocks 1 to {len(steps)}" if steps else "no code blocks"
        raise NotFound(f"runbook {runbook} has no block {number} (it has {count})")
    return steps[number - 1]
