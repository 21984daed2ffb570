"""What an assist request is about, read from the engine: the one path to a prompt.

The app (cockpit/app/backend.py) and `cockpit assist preview` both build their prompt here, so the
preview prints byte for byte what the app would send. Reading (under the app's lock) and building
(CPU only, outside it) are two steps. In the app layer: it joins the engine, the runbook library
and the prompt builder (cockpit.assist.prompt), none of which may import the others' layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cockpit.assist.prompt import build_prompt
from cockpit.runbooks.library import get_runbook
from cockpit.runbooks.relevance import relevant_runbooks

if TYPE_CHECKING:
    from cockpit.app.engine import Engine
    from cockpit.assist.types import Prompt
    from cockpit.domain.walk import Position
    from cockpit.text.redact import Redactor

RUNBOOKS = 3  # the most relevant runbooks of the local library go along as context


@dataclass(frozen=True)
class AssistContext:
    position: Position
    runbooks: tuple[tuple[str, str], ...]  # (name, markdown)
    timeline: tuple[dict[str, Any], ...]


def read_context(engine: Engine, slug: str) -> AssistContext:
    """The intent, its timeline and its most relevant runbooks, as stored now."""
    position = engine.position(slug)
    names = [r.name for r in relevant_runbooks(engine.store, engine.store.facts(slug), limit=RUNBOOKS)]
    runbooks = tuple((name, get_runbook(engine.store, name).content) for name in names)
    return AssistContext(position, runbooks, tuple(engine.timeline(slug)))


def prompt_for(
    context: AssistContext,
    task: str,
    *,
    redactor: Redactor | None = None,
    unit: str | None = None,
    ref: str | None = None,
    reviewer: str | None = None,
    question: str | None = None,
) -> Prompt:
    """The redacted request for one task: exactly what would leave the machine."""
    return build_prompt(
        context.position,
        task,
        unit=unit,
        ref=ref,
        reviewer=reviewer,
        question=question,
        runbooks=context.runbooks,
        timeline=context.timeline,
        redactor=redactor,
    )
