"""Titles and slugs: the naming rules the commands and the engine (creating an intent) share."""

from __future__ import annotations

import re

from cockpit.domain.commands._common import _required
from cockpit.domain.model import (
    MAX_TITLE,
)
from cockpit.errors import CockpitError
from cockpit.text.terminal import control_chars, safe


def slugify(text: str, limit: int = 48) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "item"


def check_title(value: str | None) -> str:
    """A title is one line of plain text: it heads lists, prompts and commit-like summaries."""
    title = _required(value, "a title")
    if "\n" in title or len(title) > MAX_TITLE:
        raise CockpitError(f"a title is one line of at most {MAX_TITLE} characters")
    where = title_controls(title)
    if where:
        raise CockpitError(f"a title is plain text: it holds control characters ({where})")
    return title


def title_controls(title: str) -> str:
    """The first control characters in `title` and where ("␛ at 1, ␇ at 20"), or "" when it is
    plain text: what a title may not hold, for commands and for titles read from files."""
    return ", ".join(f"{picture} at {offset + 1}" for offset, picture in control_chars(title, allow="")[:3])


def check_slug(value: str, limit: int = 48) -> str:
    """An explicit slug is used as given or refused: silently rewriting `../../etc/passwd` into
    `etc-passwd` would hide what was asked for."""
    wanted = slugify(value, limit)
    if wanted != value:
        raise CockpitError(
            f"invalid slug {safe(value, one_line=True)!r}: use lowercase letters, digits and dashes (e.g. {wanted!r})"
        )
    return value
