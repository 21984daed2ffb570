"""LLM assist as the screens use it: the session's client, built from the config file.

The app layer joins the config (cockpit.app.config) and the assist settings, so neither imports
the other, and the screens reach assist only through here and cockpit.app.assist_context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.assist.client import Assistant


def open_assistant() -> Assistant:
    """The LLM client for the config file's `[llm]` table and the environment. Raises CockpitError
    when the config is unusable. Imports on call: the client is not needed before the first request."""
    from cockpit.app.config import config_path, load_config
    from cockpit.assist.client import Assistant
    from cockpit.assist.settings import load_llm_settings

    return Assistant(load_llm_settings(load_config().raw, config_path()))
