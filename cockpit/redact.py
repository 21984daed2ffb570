"""The one egress redaction function: secrets and personal data out of any text that leaves.

Everything that leaves the machine or lands in a shared record (LLM prompts, logged responses,
quality-gate output, finding text) goes through `redact`. Checks that hunt for hardcoded secrets
use `find_secrets`, so detection lives in exactly one place.

Design: specific patterns run before generic ones (an AWS key inside `aws_key = ...` is an AWS key,
not a generic assignment); overlapping hits keep the earlier pattern. Placeholders are typed and
numbered per kind in order of first appearance (`[AWS_KEY_1]`), so one secret keeps one name across
the text and a reader can still follow it. Placeholders never match a pattern again, which makes
redaction idempotent.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

# A placeholder this module wrote: `[KIND_N]`.
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]*_\d+\]")


@dataclass(frozen=True)
class Pattern:
    kind: str  # placeholder stem, e.g. AWS_KEY
    regex: re.Pattern[str]
    group: int = 0  # the part of the match that is the secret
    keywords: tuple[str, ...] = ()  # cheap pre-filter: skip the regex when none occurs (lower-case)
    accept: Callable[[str], bool] | None = None  # rejects look-alikes the regex cannot tell apart
    secret: bool = True  # False for personal data (emails): masked, but not a "hardcoded secret"
    multiline: bool = False  # spans lines (key blocks): scanned over the whole text, not line by line


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int
    value: str
    line: int  # 1-based
    secret: bool


@dataclass(frozen=True)
class Redacted:
    text: str
    counts: Mapping[str, int] = field(default_factory=dict)  # kind → occurrences masked

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# ------------------------------------------------------------------ look-alike filters

# Values that stand for a secret without being one: empty, masked, templated, or a reference.
_NOT_A_VALUE = re.compile(
    r"""^(?:
        \*+ | x{3,} | \.{3,} | -+ |                       # masked / elided
        <[^>]*> | \$\{[^}]*\} | \{\{.*\}\} | \$[A-Za-z_]\w* | %[A-Za-z_]\w*% |   # templates, env refs
        (?:vault|ssm|secretsmanager|arn|env|kms|k8s|sops|op):.* | secret/.* |       # secret-store refs
        changeme | change-me | null | none | nil | true | false | redacted | placeholder |
        example | dummy | secret | password | your[-_]?\w+ | \[[A-Z][A-Z0-9_]*_\d+\]
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def _real_value(value: str) -> bool:
    value = value.strip()
    return bool(value) and not _NOT_A_VALUE.match(value)


def _looks_secret(value: str) -> bool:
    """An unquoted assignment value: a prose word after `password:` is not a secret."""
    if not _real_value(value):
        return False
    if len(value) >= 16:
        return True
    # Digits, symbols or an upper-case letter past the first: "Rotated" is a word, "hunter2" is not.
    mixed = any(c.isdigit() for c in value) or any(not c.isalnum() for c in value) or any(c.isupper() for c in value[1:])
    return len(value) >= 6 and mixed


def _jwt_header(token: str) -> bool:
    head = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        return isinstance(json.loads(decoded), dict)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False


def _has_digit(value: str) -> bool:
    return any(c.isdigit() for c in value)


def _not_git_host(value: str) -> bool:
    return not value.lower().startswith("git@")


# ------------------------------------------------------------------ the patterns, specific first

# Starts at the secret-sounding word itself (`db_password` matches from `password`): a leading
# `[\w.-]*` would make the engine backtrack through every word of the text.
_KEY_NAME = r"(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credentials?)[A-Za-z0-9_.-]*"
_KEY_WORDS = ("password", "passwd", "pwd", "secret", "token", "api_key", "api-key", "apikey", "private_key", "private-key",
              "access_key", "access-key", "credential")

PATTERNS: tuple[Pattern, ...] = (
    Pattern("PRIVATE_KEY", re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"),
        keywords=("private key",), multiline=True),
    Pattern("PRIVATE_KEY", re.compile(r"PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC: *\S+|\Z)"), keywords=("putty-user-key-file",),
            multiline=True),
    Pattern("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), keywords=("eyj",), accept=_jwt_header),
    Pattern("GITHUB_TOKEN", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"), keywords=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    Pattern("GITLAB_TOKEN", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), keywords=("glpat-",)),
    Pattern("SLACK_TOKEN", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), keywords=("xox",)),
    Pattern("SLACK_WEBHOOK", re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]{20,}"), keywords=("hooks.slack.com",)),
    Pattern("STRIPE_KEY", re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"), keywords=("_live_", "_test_")),
    Pattern("ANTHROPIC_KEY", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}"), keywords=("sk-ant-",)),
    Pattern("OPENAI_KEY", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}"), keywords=("sk-",), accept=_has_digit),
    Pattern("GOOGLE_KEY", re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), keywords=("aiza",)),
    Pattern("NPM_TOKEN", re.compile(r"\bnpm_[A-Za-z0-9]{36}"), keywords=("npm_",)),
    Pattern("AWS_KEY", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b"), keywords=("akia", "asia", "abia", "acca", "a3t")),
    Pattern("AWS_SECRET", re.compile(
        r"(?i:aws)[\w.-]{0,20}?(?i:secret|key|token)[\w.-]{0,20}?[\"']?\s*(?::=|=>|[:=])\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),
        group=1, keywords=("aws",)),
    Pattern("URL_PASSWORD", re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:([^\s@/]+)@"), group=1, keywords=("://",), accept=_real_value),
    Pattern("AUTH_HEADER", re.compile(
        r"(?i)\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|digest|negotiate|apikey)\s+)?"
        r"(?!(?:bearer|basic|token|digest|negotiate|apikey)\b)([A-Za-z0-9._~+/=:-]{8,})"),
        group=1, keywords=("authorization",)),
    Pattern("API_KEY_HEADER", re.compile(r"(?i)\bx-(?:api-key|auth-token)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9._~+/=-]{8,})"), group=1, keywords=("x-api-key", "x-auth-token")),
    Pattern("COOKIE", re.compile(r"(?im)^[ \t>]*(?:set-)?cookie:[ \t]*(\S[^\r\n]*)"), group=1, keywords=("cookie:",), accept=_real_value),
    Pattern("BEARER", re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)"), group=1, keywords=("bearer",)),
    Pattern("URL_SECRET", re.compile(
        r"(?i)[?&](?:access_token|token|api_key|apikey|key|sig|signature|x-amz-signature|x-amz-credential|password|secret)=([^&#\s]{8,})"),
        group=1, keywords=("token=", "key=", "sig=", "signature=", "credential=", "password=", "secret="), accept=_real_value),
    # Generic `name = value` assignments: a quoted value is a literal; an unquoted one must look like a secret.
    Pattern("SECRET", re.compile(rf"(?i){_KEY_NAME}[\"']?[ \t]*(?::=|=>|[:=])[ \t]*\"([^\"\n]*)\""), group=1,
            keywords=_KEY_WORDS, accept=_real_value),
    Pattern("SECRET", re.compile(rf"(?i){_KEY_NAME}[\"']?[ \t]*(?::=|=>|[:=])[ \t]*'([^'\n]*)'"), group=1,
            keywords=_KEY_WORDS, accept=_real_value),
    Pattern("SECRET", re.compile(rf"(?i){_KEY_NAME}[ \t]*(?::=|=>|[:=])[ \t]*([^\s,;'\"`()\[\]{{}}<>]++)(?![(\[])"), group=1,
            keywords=_KEY_WORDS, accept=_looks_secret),
    Pattern("EMAIL", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), keywords=("@",),
            accept=_not_git_host, secret=False),
)


# ------------------------------------------------------------------ finding and masking


_ALL_KEYWORDS = tuple(sorted({k for p in PATTERNS for k in p.keywords}))


def _keyword_lines(text: str, lowered: str, keywords: Iterable[str]) -> list[tuple[int, str]]:
    """(offset, line) of each line holding any keyword: plain `find`, far faster than a regex."""
    lines: dict[int, str] = {}
    for keyword in keywords:
        at = lowered.find(keyword)
        while at >= 0:
            start = lowered.rfind("\n", 0, at) + 1
            end = lowered.find("\n", at)
            end = len(text) if end < 0 else end + 1
            lines.setdefault(start, text[start:end])
            at = lowered.find(keyword, end)
    return sorted(lines.items())


def _candidates(text: str, patterns: Iterable[Pattern]) -> list[tuple[int, Hit]]:
    # Single-line patterns run only on the lines holding one of their keywords: most lines hold
    # none, and the regexes are the whole cost (checks run this over every unit body).
    lowered = text.lower()
    present = {k for k in _ALL_KEYWORDS if k in lowered}
    lines_for: dict[tuple[str, ...], list[tuple[int, str]]] = {}  # patterns that share keywords share the scan
    found: list[tuple[int, Hit]] = []
    for priority, pattern in enumerate(patterns):
        if pattern.keywords and present.isdisjoint(pattern.keywords):
            continue  # the common case
        if pattern.multiline or not pattern.keywords:
            spans = [(0, text)]
        else:
            if pattern.keywords not in lines_for:
                lines_for[pattern.keywords] = _keyword_lines(text, lowered, (k for k in pattern.keywords if k in present))
            spans = lines_for[pattern.keywords]
        for offset, chunk in spans:
            for match in pattern.regex.finditer(chunk):
                start, end = match.span(pattern.group)
                value = match.group(pattern.group)
                if start == end or PLACEHOLDER.fullmatch(value):
                    continue
                if pattern.accept is not None and not pattern.accept(value):
                    continue
                found.append((priority, Hit(pattern.kind, offset + start, offset + end, value, 0, pattern.secret)))
    return found


# Credentials only (no personal data): what a "hardcoded secret" check looks for.
SECRET_PATTERNS: tuple[Pattern, ...] = tuple(p for p in PATTERNS if p.secret)


def find_secrets(text: str, patterns: Iterable[Pattern] = PATTERNS) -> list[Hit]:
    """Every sensitive span, in text order, without overlaps (the more specific pattern wins)."""
    taken: list[Hit] = []
    for _priority, hit in sorted(_candidates(text, patterns), key=lambda c: (c[0], c[1].start)):
        if all(hit.end <= other.start or hit.start >= other.end for other in taken):
            taken.append(hit)
    taken.sort(key=lambda h: h.start)
    # Line numbers in one pass rather than counting newlines per hit.
    lines, line, cursor = [], 1, 0
    for hit in taken:
        line += text.count("\n", cursor, hit.start)
        cursor = hit.start
        lines.append(Hit(hit.kind, hit.start, hit.end, hit.value, line, hit.secret))
    return lines


class Redactor:
    """Keeps placeholders stable across several calls (e.g. every prompt of one assist session)."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}
        self._per_kind: dict[str, int] = {}

    def placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self._names:
            self._per_kind[kind] = self._per_kind.get(kind, 0) + 1
            self._names[key] = f"[{kind}_{self._per_kind[kind]}]"
        return self._names[key]

    def redact(self, text: str) -> Redacted:
        hits = find_secrets(text)
        if not hits:
            return Redacted(text, {})
        out: list[str] = []
        counts: dict[str, int] = {}
        cursor = 0
        for hit in hits:
            out.append(text[cursor:hit.start])
            out.append(self.placeholder(hit.kind, hit.value))
            counts[hit.kind] = counts.get(hit.kind, 0) + 1
            cursor = hit.end
        out.append(text[cursor:])
        return Redacted("".join(out), counts)


def redact(text: str) -> Redacted:
    """Mask every secret and email in `text`; placeholders are numbered afresh for this call."""
    return Redactor().redact(text)
