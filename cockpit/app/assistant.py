"""LLM assist as the screens use it: the session's client, the SDK loader, the answers parsed.

The app layer joins the config (cockpit.app.config) and the assist settings, so neither imports
the other, and the screens reach assist only through here, cockpit.app.backend (the prompt and the
ledger) and cockpit.app.assist_context. Everything imports on call: none of it is needed before the
first request, and the SDK's import alone takes seconds on a small box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cockpit.assist.client import Assistant as Assistant  # the screens' names for assist's types
    from cockpit.assist.prompt import Classification as Classification
    from cockpit.assist.prompt import Proposal as Proposal
    from cockpit.assist.types import Prompt as Prompt
    from cockpit.assist.types import Reply as Reply
    from cockpit.domain.walk import Position


def open_assistant() -> Assistant:
    """The LLM client for the config file's `[llm]` table and the environment. Raises CockpitError
    when the config is unusable. Imports on call: the client is not needed before the first request."""
    from cockpit.app.config import config_path, load_config
    from cockpit.assist.client import Assistant
    from cockpit.assist.settings import load_llm_settings

    return Assistant(load_llm_settings(load_config().raw, config_path()))


async def load_sdk() -> Any:
    """The `anthropic` module, imported once, off the event loop (start it early: it is slow)."""
    from cockpit.assist.client import load_sdk

    return await load_sdk()


def parse_proposals(reply: Reply, position: Position, stage: str) -> tuple[list[Proposal], list[str]]:
    """A review's findings as proposals, each checked against `stage`; the notes say what was
    fixed up or dropped."""
    from cockpit.assist.prompt import parse_proposals

    return parse_proposals(reply, position, stage)


def parse_classification(reply: Reply, position: Position, ref: str) -> Classification:
    """The classifier's proposal for finding `ref`, checked; CockpitError says what is wrong."""
    from cockpit.assist.prompt import parse_classification

    return parse_classification(reply, position, ref)
