"""`cockpit runbooks` subcommands. Imported by every `cockpit` run: keep it to argparse at import time."""

from __future__ import annotations

from typing import Any, Callable


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
