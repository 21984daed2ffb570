"""What passes between the prompt builder, the Anthropic client and the app.

UI-free and SDK-free: importing this module never imports `anthropic`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Prompt:
    """One request, already redacted: exactly what leaves the machine."""

    task: str  # one of TASKS
    slug: str  # the intent it is about
    system: tuple[dict[str, Any], ...]  # text blocks; the last stable one carries cache_control
    messages: tuple[dict[str, Any], ...]
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: dict[str, Any] | None = None
    unit: str | None = None  # the unit it is about, if any
    ref: str | None = None  # the finding it is about (classify)
    reviewer: str | None = None  # the review agent (review)
    redactions: dict[str, int] = field(default_factory=dict)  # kind -> count, over the whole prompt
    preview: str = ""  # the prompt as plain text, for the pre-send preview
    # cockpit.text.redact.Suspect: high-entropy tokens the redaction left in `preview` (the second scan);
    # sending such a prompt needs the engineer's explicit confirmation.
    suspects: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0


@dataclass(frozen=True)
class AssistError:
    """Why a request failed, in words an engineer can act on."""

    kind: str  # no_key | circuit_open | connection | timeout | rate_limited | overloaded | auth | bad_request | midstream | api
    message: str
    retryable: bool = False
    request_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """What came back, whole or partial (cancelled or cut by an error)."""

    task: str
    text: str = ""
    tool_calls: tuple[dict[str, Any], ...] = ()  # {"name": ..., "input": {...}}
    stop_reason: str | None = None
    model: str | None = None
    request_id: str | None = None
    usage: Usage = Usage()
    latency_ms: int = 0
    cost_usd: float = 0.0
    error: AssistError | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    @property
    def sent(self) -> bool:
        """False for a refusal before sending (no key, breaker open): nothing left the machine."""
        return self.error is None or self.error.kind not in ("no_key", "circuit_open")
