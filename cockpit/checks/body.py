"""Checks any unit body should pass, whatever the stage: no placeholders, no hardcoded secrets."""

from __future__ import annotations

import re

from cockpit.checks import markdown
from cockpit.checks.base import CheckContext, Problem, plural
from cockpit.text import redact
from cockpit.text.slots import template_slots

_MARKER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|\?\?\?")
_ELIDED = re.compile(r"^\s*(?:[-*+]\s*)?(?:\.\.\.|…|placeholder|lorem ipsum.*)\s*$", re.IGNORECASE)
# Inline HTML a markdown body may legitimately carry; anything else in angle brackets is a slot.


def _where(sections: list[markdown.Section], line: int) -> str | None:
    found = markdown.section_of(sections, line)
    return found.title if found else None


def placeholders(body: str, sections: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str]:
    if not body.strip():
        return [Problem("the body is empty", None, 1)], ""
    problems: list[Problem] = []
    flagged: set[int] = set()  # one problem per line: the first kind found there
    # Whole-body scans mapped back to lines: far cheaper than three regexes per line.
    for match in _MARKER.finditer(body) if any(m in body for m in ("TODO", "TBD", "FIXME", "XXX", "???")) else ():
        number = markdown.line_number(body, match.start())
        if number not in flagged:
            flagged.add(number)
            problems.append(Problem(f"placeholder marker `{match.group(0)}`", _where(sections, number), number))
    for match in template_slots(body):
        number = markdown.line_number(body, match.start())
        if number not in flagged:
            flagged.add(number)
            problems.append(Problem(f"unfilled template slot `{match.group(0)}`", _where(sections, number), number))
    lowered = body.lower()
    elided = any(
        word in lowered for word in ("...", "…", "placeholder", "lorem")
    )  # skip the line scan when none can match
    for line in markdown.lines(body) if elided else ():
        if line.number not in flagged and not line.in_code and _ELIDED.match(line.text):
            problems.append(
                Problem("elided content stands in for the real text", _where(sections, line.number), line.number)
            )
    for section in sections:
        if section.is_empty and not section.has_subsections:  # an empty parent's children are reported
            problems.append(Problem("the section is empty", section.title, section.line))
    problems.sort(key=lambda p: p.line)
    return problems, f"no placeholders, template slots or empty sections ({plural(len(sections), 'section')})"


# Human names for the kinds redact knows; a kind missing here is shown as its placeholder stem.
KIND_NAMES = {
    "AWS_KEY": "AWS access key id",
    "AWS_SECRET": "AWS secret key",
    "AUTH_HEADER": "Authorization header credential",
    "API_KEY_HEADER": "API key header",
    "BEARER": "bearer token",
    "COOKIE": "cookie value",
    "PRIVATE_KEY": "private key block",
    "URL_PASSWORD": "password in a URL",
    "URL_SECRET": "secret in a URL query",
    "JWT": "JSON web token",
    "SECRET": "secret assigned inline",
    "GITHUB_TOKEN": "GitHub token",
    "GITLAB_TOKEN": "GitLab token",
    "SLACK_TOKEN": "Slack token",
    "SLACK_WEBHOOK": "Slack webhook URL",
    "STRIPE_KEY": "Stripe secret key",
    "ANTHROPIC_KEY": "Anthropic API key",
    "OPENAI_KEY": "OpenAI API key",
    "GOOGLE_KEY": "Google API key",
    "NPM_TOKEN": "npm token",
}


def secrets(body: str, sections: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str]:
    """Hardcoded credentials, found with the redaction patterns. The value is never repeated."""
    problems = [
        Problem(
            f"hardcoded {KIND_NAMES.get(hit.kind, hit.kind)}: reference a secret store instead of the value",
            _where(sections, hit.line),
            hit.line,
        )
        for hit in redact.find_secrets(body, redact.SECRET_PATTERNS)
    ]
    return problems, "no hardcoded credentials (checked with the redaction patterns)"
