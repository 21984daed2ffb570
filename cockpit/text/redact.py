"""The one egress redaction function: secrets and personal data out of any text that leaves.

Everything that leaves the machine or lands in a shared record (LLM prompts, logged responses,
quality-gate output, finding text, copied runbook lines) goes through `redact`. Checks that hunt for
hardcoded secrets use `find_secrets`, so detection lives in exactly one place.

Design: specific patterns run before generic ones (an AWS key inside `aws_key = ...` is an AWS key,
not a generic assignment); overlapping hits keep the earlier pattern. Placeholders are typed and
numbered per kind in order of first appearance (`[AWS_KEY_1]`), so one secret keeps one name across
the text and a reader can still follow it. Placeholders never match a pattern again, which makes
redaction idempotent.

The patterns cover three families, so that a format missing from a vendor list is still caught by
where it sits: vendor formats (a prefix and a shape), the places secrets are written (assignments
to secret-sounding names, CLI flags, URLs, headers, cookies, `.netrc`, Docker and Kubernetes
config, prose such as "the password is …"), entropy near key-like names, and key blocks. Our own
list rather than detect-secrets 1.5 (its default plugins, as `scan_file` runs them): on
tests/secrets_corpus.py it caught 29 of 108 secrets against 108 here (it reports values, not spans,
and only part of a key block or a long token), flagged a lockfile hash, cost 186 ms per
60,000-character prompt against 11 ms plus a 106 ms import against 33 ms, and keeps its settings in
process-global state (bench/redaction_corpus.py prints the comparison).

`suspect_tokens` is a second, independent look at text that was already redacted: high-entropy
tokens no pattern explained. It masks nothing; the app asks before sending when it finds one.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

# A placeholder this module wrote: `[KIND_N]`.
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]*_\d+\]")
# What may sit around placeholders in a value that hides nothing more: a JSON `\n`, quotes, spaces.
_FILLER = re.compile(r"(?:\\[nrt]|[\s\"',;])*")


def _only_placeholders(value: str) -> bool:
    """`[PRIVATE_KEY_1]\\n` was masked already: matching it again would break idempotence."""
    return PLACEHOLDER.search(value) is not None and _FILLER.fullmatch(PLACEHOLDER.sub("", value)) is not None


@dataclass(frozen=True)
class Pattern:
    kind: str  # placeholder stem, e.g. AWS_KEY
    regex: re.Pattern[str]
    group: int = 0  # the part of the match that is the secret
    keywords: tuple[str, ...] = ()  # cheap pre-filter: skip the regex when none occurs (lower-case)
    accept: Callable[[str], bool] | None = None  # rejects look-alikes the regex cannot tell apart
    secret: bool = True  # False for personal data (emails): masked, but not a "hardcoded secret"
    multiline: bool = False  # spans lines (key blocks): scanned over the whole text, not line by line
    # For structures a regex cannot delimit (a YAML block, a token wrapped over lines): yields the
    # (start, end) spans of secrets in the text; `regex` then only finds where to look.
    spans: Callable[[str, re.Match[str]], Iterable[tuple[int, int]]] | None = None


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
        <[^>]*> | \$\{[^}]*\}? | \{\{.*\}\} | \$[A-Za-z_]\w* | %[A-Za-z_]\w*% | \$\(.*\)? |   # templates, env refs
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
    """An unquoted value: a prose word after `password:` is not a secret, nor is a path."""
    if not _real_value(value) or value.startswith(("/", "~/", "./", "../")):
        return False
    if len(value) >= 16:
        return True
    # Digits, symbols or an upper-case letter past the first: "Rotated" is a word, "hunter2" is not.
    mixed = (
        any(c.isdigit() for c in value) or any(not c.isalnum() for c in value) or any(c.isupper() for c in value[1:])
    )
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


def _mixed_case_and_digits(value: str) -> bool:
    """A random key has upper and lower case and digits; a word, a path or a hex hash does not."""
    return any(c.isupper() for c in value) and any(c.islower() for c in value) and _has_digit(value)


def _random_value(value: str) -> bool:
    """Long and varied enough to be a generated key: not a word, a name or a number."""
    classes = sum((any(c.isupper() for c in value), any(c.islower() for c in value), any(c.isdigit() for c in value)))
    return len(value) >= 16 and classes >= 2 and shannon_entropy(value) >= 3.5


def _url_password(value: str) -> bool:
    # `host:8080/path@x` is a port and a path, not `user:password@`.
    return _real_value(value) and not re.match(r"\d{1,5}(?:/|$)", value)


# ------------------------------------------------------------------ structures a regex cannot delimit

_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_.-]*")
_WRAP = re.compile(r"\\?\r?\n[ \t]*")  # a line break inside a token: wrapped by a log, or continued with `\`


def _jwt_spans(text: str, match: re.Match[str]) -> Iterator[tuple[int, int]]:
    """A JWT, also when a log or a terminal wrapped it over lines: the pieces are glued back while
    the token is not yet whole (three segments) and the next line starts with token characters."""
    start = match.start()
    end = match.end()
    while True:
        wrap = _WRAP.match(text, end)
        if wrap is None:
            break
        more = _TOKEN_CHARS.match(text, wrap.end())
        assert more is not None  # the pattern matches the empty string, so it always matches
        piece = more.group()
        whole = text[start:end].count(".") >= 2 and len(text[start:end].rsplit(".", 1)[1]) >= 16
        # Glue when the token is not whole yet, or when the next line is nothing but token characters.
        rest_of_line = text[more.end() : more.end() + 1] in ("", "\n", "\r")
        if len(piece) < 8 or (whole and not rest_of_line):
            break
        end = more.end()
    token = re.sub(r"\\?\s+", "", text[start:end])
    if token.count(".") >= 2 and _jwt_header(token):
        yield start, end


_DATA_BLOCK = re.compile(r"(?m)^([ \t]*)(?:data|stringData|binaryData):[ \t]*\r?\n")
_DATA_ENTRY = re.compile(r"([ \t]+)[\"']?[\w.-]+[\"']?:[ \t]*([^\s#]+)[ \t]*\r?\n?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _k8s_data_spans(text: str, match: re.Match[str]) -> Iterator[tuple[int, int]]:
    """Values under a Kubernetes `data:`/`stringData:` block: Secret data is base64 (a ConfigMap's
    plain values are left alone), `stringData` is plain secret text."""
    plain = match.group(0).lstrip().startswith("stringData")
    parent = len(match.group(1).expandtabs())
    at = match.end()
    while True:
        entry = _DATA_ENTRY.match(text, at)
        if entry is None or len(entry.group(1).expandtabs()) <= parent:
            return
        value = entry.group(2).strip("\"'")
        if _real_value(value) and (plain or (len(value) >= 8 and len(value) % 4 == 0 and _BASE64.fullmatch(value))):
            yield (
                entry.start(2) + (1 if entry.group(2)[0] in "\"'" else 0),
                entry.start(2) + len(entry.group(2).rstrip("\"'")),
            )
        at = entry.end()


# ------------------------------------------------------------------ the patterns, specific first

# Starts at the secret-sounding word itself (`db_password` matches from `password`): a leading
# `[\w.-]*` would make the engine backtrack through every word of the text. Short words (pass, pw,
# pwd) must stand alone, so `bypass` and `compass` are not names of secrets. Not after `:` — that
# is a path segment (`arn:…:secret:name`), not an assignment.
_KEY_NAME = (
    r"(?<!:)(?:(?<![A-Za-z])(?:pass|pw|pwd)(?![A-Za-z])|password|passwd|passphrase|secret|token|api[_-]?key|apikey"
    r"|(?:private|access|secret|app|application|auth|client|account|master|signing|encryption)[_-]?key"
    r"|credentials?)[A-Za-z0-9_.-]*"
)
_KEY_WORDS = ("pass", "pw", "secret", "token", "key", "credential")
_ASSIGN = r"[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
_VALUE = r"([^\s,;'\"`()\[\]{{}}<>]++)(?![(\[])"  # an unquoted value; not a call (`token = get()`)
_QUOTED = r"(['\"])([^\n]*?)(?<!\\)\1"  # group 2: a quoted value (group 1 is the quote)


def _vendor(kind: str, regex: str, *keywords: str, accept: Callable[[str], bool] | None = None) -> Pattern:
    return Pattern(kind, re.compile(regex), keywords=tuple(k.lower() for k in keywords), accept=accept)


_LOGIN_TOOLS = r"(?:docker|podman|nerdctl|buildah|skopeo|helm|oras|crane)"
_MYSQL_TOOLS = r"(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlsh|mariadb|mariadb-dump)"
_FLAG_NAMES = (
    r"(?:password|passwd|pass|passphrase|token|secret|api-?key|api-secret|auth-token|access-key|secret-key"
    r"|client-secret|cookie)"
)
_ARG = r"(['\"]?)([^\s'\"]+)\1"  # one shell word, optionally quoted; group 2 is the value (group 1 the quote)

PATTERNS: tuple[Pattern, ...] = (
    # ---- key blocks (also inside a JSON string, where the line breaks are `\n`)
    Pattern(
        "PRIVATE_KEY",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"
        ),
        keywords=("private key",),
        multiline=True,
    ),
    Pattern(
        "PRIVATE_KEY",
        re.compile(r"PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC: *\S+|\Z)"),
        keywords=("putty-user-key-file",),
        multiline=True,
    ),
    Pattern(
        "JWT",
        re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*"),
        keywords=("eyj",),
        multiline=True,
        spans=_jwt_spans,
    ),
    # ---- vendor formats: a prefix and a shape
    _vendor(
        "GITHUB_TOKEN",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
    ),
    _vendor(
        "GITLAB_TOKEN",
        r"\bgl(?:pat|dt|rt|ptt|ft|imt|agent|oas)-[A-Za-z0-9_-]{20,}",
        "glpat-",
        "gldt-",
        "glrt-",
        "glptt-",
        "glft-",
        "glimt-",
        "glagent-",
        "gloas-",
    ),
    _vendor("SLACK_TOKEN", r"\bxox[abposre]-[A-Za-z0-9-]{10,}", "xox"),
    _vendor("SLACK_TOKEN", r"\bxapp-\d-[A-Za-z0-9-]{20,}", "xapp-"),
    _vendor(
        "SLACK_WEBHOOK",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}",
        "hooks.slack.com",
    ),
    _vendor(
        "DISCORD_WEBHOOK",
        r"https://(?:(?:canary|ptb)\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{30,}",
        "/api/webhooks/",
    ),
    Pattern(
        "DISCORD_TOKEN",
        re.compile(r"(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}\b"),
        accept=_has_digit,
    ),
    _vendor("TELEGRAM_TOKEN", r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b", ":aa"),
    _vendor(
        "STRIPE_KEY",
        r"\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=]{24,})",
        "_live_",
        "_test_",
        "whsec_",
    ),
    _vendor("TWILIO_KEY", r"\bSK[0-9a-f]{32}\b", "sk"),
    _vendor("SENDGRID_KEY", r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}", "sg."),
    _vendor("MAILGUN_KEY", r"\bkey-[0-9a-f]{32}\b", "key-"),
    _vendor("ANTHROPIC_KEY", r"\bsk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-"),
    _vendor("OPENAI_KEY", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", "sk-", accept=_has_digit),
    _vendor("GOOGLE_KEY", r"\bAIza[0-9A-Za-z_-]{35}", "aiza"),
    _vendor("GOOGLE_OAUTH_SECRET", r"\bGOCSPX-[A-Za-z0-9_-]{28}", "gocspx-"),
    _vendor("NPM_TOKEN", r"\bnpm_[A-Za-z0-9]{36}", "npm_"),
    _vendor("PYPI_TOKEN", r"\bpypi-AgE[A-Za-z0-9_-]{50,}", "pypi-age"),
    _vendor("VAULT_TOKEN", r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}", "hvs.", "hvb.", "hvr."),
    _vendor("HEROKU_KEY", r"\bHRKU-[A-Za-z0-9_-]{20,}", "hrku-"),
    _vendor("DIGITALOCEAN_TOKEN", r"\bdo[por]_v1_[a-f0-9]{64}\b", "dop_v1_", "doo_v1_", "dor_v1_"),
    _vendor("SHOPIFY_TOKEN", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b", "shpat_", "shpca_", "shppa_", "shpss_"),
    _vendor(
        "GRAFANA_TOKEN", r"\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})", "glsa_", "glc_"
    ),
    _vendor("SENTRY_TOKEN", r"\bsntr[ysu]_[A-Za-z0-9+/=_-]{30,}", "sntrys_", "sntryu_"),
    _vendor("CIRCLECI_TOKEN", r"\bCCIPAT_[A-Za-z0-9]{20,}_[a-f0-9]{40}\b", "ccipat_"),
    _vendor("AWS_KEY", r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b", "akia", "asia", "abia", "acca", "a3t"),
    # ---- cloud connection strings
    Pattern(
        "AWS_SECRET",
        re.compile(
            r"(?i:aws)[\w.-]{0,20}?(?i:secret|key|token)[\w.-]{0,20}?[\"']?\s*(?::=|=>|[:=])\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        group=1,
        keywords=("aws",),
    ),
    # A secret access key alone on its line or in a CSV cell (the console's download): 40 characters of
    # base64 with both cases and digits, which a git SHA (hex) never has.
    Pattern(
        "AWS_SECRET",
        re.compile(r"(?m)(?:^|,)[ \t]*([A-Za-z0-9/+]{40})[ \t]*(?=\r?$|,)"),
        group=1,
        multiline=True,
        accept=_mixed_case_and_digits,
    ),
    Pattern(
        "AZURE_KEY",
        re.compile(r"(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=([^;\"'\s]{16,})"),
        group=1,
        keywords=("accountkey=", "sharedaccesskey=", "sharedaccesssignature="),
    ),
    # ---- URLs
    Pattern(
        "URL_PASSWORD",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:([^\s@]+)@"),
        group=1,
        keywords=("://",),
        accept=_url_password,
    ),
    Pattern(
        "URL_SECRET",
        re.compile(
            r"(?i)[?&](?:access_token|id_token|refresh_token|token|api_key|apikey|key|sig|signature|x-amz-signature|x-amz-credential"
            r"|x-amz-security-token|password|secret|client_secret)=([^&#\s'\"]{8,})"
        ),
        group=1,
        keywords=("token=", "key=", "sig=", "signature=", "credential=", "password=", "secret="),
        accept=_real_value,
    ),
    # ---- headers and cookies
    Pattern(
        "AUTH_HEADER",
        re.compile(
            r"(?i)\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|digest|negotiate|apikey)\s+)?"
            r"(?!(?:bearer|basic|token|digest|negotiate|apikey)\b)([A-Za-z0-9._~+/=:-]{8,})"
        ),
        group=1,
        keywords=("authorization",),
    ),
    Pattern(
        "API_KEY_HEADER",
        re.compile(r"(?i)\bx-(?:api-key|auth-token)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9._~+/=-]{8,})"),
        group=1,
        keywords=("x-api-key", "x-auth-token"),
    ),
    # A header: at the start of a line, or after a label (`handed over: Cookie: …`), not mid-prose.
    Pattern(
        "COOKIE",
        re.compile(r"(?im)(?:^|:[ \t]+)[ \t<>]*(?:set-)?cookie:[ \t]*(\S[^\r\n]*)"),
        group=1,
        keywords=("cookie:",),
        accept=_real_value,
    ),
    Pattern("BEARER", re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)"), group=1, keywords=("bearer",)),
    # ---- command lines
    Pattern(
        "CLI_PASSWORD",
        re.compile(rf"(?i)(?<![\w-])--(?:[\w-]*-)?{_FLAG_NAMES}(?:=|[ \t]+){_ARG}"),
        group=2,
        keywords=("--",),
        accept=lambda v: _real_value(v) and not v.startswith("-"),
    ),
    Pattern(
        "CLI_PASSWORD",
        re.compile(rf"\b{_MYSQL_TOOLS}\b[^\n|;&]*?[ \t]-p{_ARG}"),
        group=2,
        keywords=("mysql", "mariadb"),
        accept=_real_value,
    ),
    Pattern(
        "CLI_PASSWORD",
        re.compile(rf"\b{_LOGIN_TOOLS}\b[^\n|;&]*?\blogin\b[^\n|;&]*?[ \t]-p[ \t]+{_ARG}"),
        group=2,
        keywords=("login",),
        accept=_real_value,
    ),
    Pattern(
        "CLI_PASSWORD",
        re.compile(rf"\bsshpass[ \t]+-p[ \t]*{_ARG}"),
        group=2,
        keywords=("sshpass",),
        accept=_real_value,
    ),
    Pattern(
        "CLI_PASSWORD",
        re.compile(rf"\bredis-cli\b[^\n|;&]*?[ \t]-a[ \t]+{_ARG}"),
        group=2,
        keywords=("redis-cli",),
        accept=_real_value,
    ),
    Pattern(
        "BASIC_AUTH",
        re.compile(
            r"\b(?:curl|wget|http|https|xh)\b[^\n|;&]*?[ \t](?:-u|--user)[ \t=]*(['\"]?)[^\s'\":]*:([^\s'\"]+)\1"
        ),
        group=2,
        keywords=("-u", "--user"),
        accept=_real_value,
    ),
    # ---- config files
    Pattern(
        "NETRC_PASSWORD",
        re.compile(r"(?i)\b(?:machine|default)\b[^\n]*?\bpassword[ \t]+(\S+)"),
        group=1,
        keywords=("password",),
        accept=_real_value,
    ),
    Pattern(
        "NETRC_PASSWORD",
        re.compile(r"(?im)^[ \t]*password[ \t]+(\S+)[ \t]*$"),
        group=1,
        keywords=("password",),
        accept=_looks_secret,
    ),
    Pattern(
        "DOCKER_AUTH",
        re.compile(r"\"(?:auth|identitytoken|registrytoken)\"\s*:\s*\"([^\"\s]{8,})\""),
        group=1,
        keywords=('"auth"', "identitytoken", "registrytoken"),
        accept=_real_value,
    ),
    Pattern("K8S_SECRET", _DATA_BLOCK, keywords=("data:",), multiline=True, spans=_k8s_data_spans),
    # ---- prose: "the password is …", "pw was …", "the password for bastion-02 is now …"
    Pattern(
        "SECRET",
        re.compile(
            r"(?i)\b(?:password|passwd|passphrase|passcode|pwd|pw|secret|token|api key)(?:[ \t]+(?:for|of|on)[ \t]+[\w.@-]+)?"
            r"[ \t]+(?:is now|now is|is|was|set to)[ \t]+"
            r"[`'\"]?([^\s`'\"]*[^\s`'\".,;:!?)])"
        ),
        group=1,
        keywords=_KEY_WORDS,
        accept=_looks_secret,
    ),
    # ---- generic `name = value` assignments: a quoted value is a literal; an unquoted one must look like a secret.
    Pattern(
        "SECRET", re.compile(rf"(?i){_KEY_NAME}{_ASSIGN}{_QUOTED}"), group=2, keywords=_KEY_WORDS, accept=_real_value
    ),
    Pattern(
        "SECRET", re.compile(rf"(?i){_KEY_NAME}{_ASSIGN}{_VALUE}"), group=1, keywords=_KEY_WORDS, accept=_looks_secret
    ),
    # Entropy near a key-like name, for names no word above covers (`LICENSE_KEY=…`, `signing.key: …`,
    # `X_AUTH=…`): masked when the value is random enough to be a key, whatever its vendor.
    Pattern(
        "SECRET",
        re.compile(rf"(?i)(?:(?<=[_.-])|(?<![A-Za-z0-9]))(?:key|auth)(?![A-Za-z0-9]){_ASSIGN}{_VALUE}"),
        group=1,
        keywords=("key", "auth"),
        accept=lambda v: _real_value(v) and _random_value(v),
    ),
    Pattern(
        "EMAIL",
        re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
        keywords=("@",),
        accept=_not_git_host,
        secret=False,
    ),
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


def _matches(pattern: Pattern, chunk: str) -> Iterator[tuple[int, int]]:
    for match in pattern.regex.finditer(chunk):
        if pattern.spans is not None:
            yield from pattern.spans(chunk, match)
        else:
            yield match.span(pattern.group)


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
                lines_for[pattern.keywords] = _keyword_lines(
                    text, lowered, (k for k in pattern.keywords if k in present)
                )
            spans = lines_for[pattern.keywords]
        for offset, chunk in spans:
            for start, end in _matches(pattern, chunk):
                value = chunk[start:end]
                if start == end or _only_placeholders(value):
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

    def placeholder(self, kind: str, value: str, taken: frozenset[str] = frozenset()) -> str:
        """`taken`: placeholders already in the text (a model answer echoes them): a new secret
        never gets a name that already stands for another one there."""
        key = (kind, value)
        while key not in self._names:
            self._per_kind[kind] = self._per_kind.get(kind, 0) + 1
            name = f"[{kind}_{self._per_kind[kind]}]"
            if name not in taken:
                self._names[key] = name
        return self._names[key]

    def redact(self, text: str) -> Redacted:
        hits = find_secrets(text)
        if not hits:
            return Redacted(text, {})
        taken = frozenset(PLACEHOLDER.findall(text))
        out: list[str] = []
        counts: dict[str, int] = {}
        cursor = 0
        for hit in hits:
            out.append(text[cursor : hit.start])
            out.append(self.placeholder(hit.kind, hit.value, taken))
            counts[hit.kind] = counts.get(hit.kind, 0) + 1
            cursor = hit.end
        out.append(text[cursor:])
        return Redacted("".join(out), counts)


def redact(text: str) -> Redacted:
    """Mask every secret and email in `text`; placeholders are numbered afresh for this call."""
    return Redactor().redact(text)


# ------------------------------------------------------------------ the second, independent scan


@dataclass(frozen=True)
class Suspect:
    """A token that looks random enough to be a secret no pattern recognised."""

    line: int  # 1-based
    column: int  # 0-based, within the line
    start: int  # offsets in the scanned text
    end: int
    shown: str  # the token partly masked, safe to display
    entropy: float  # Shannon entropy, bits per character

    @property
    def length(self) -> int:
        return self.end - self.start


# Runs of key-ish characters (`=` only as base64 padding, so `NAME=value` is two tokens); `-` and `.` split them, so names such as `checkout-api-7d9f8b6c5d`
# and host names fall apart into short, ordinary pieces, while a random key stays whole.
_SUSPECT_TOKEN = re.compile(r"[A-Za-z0-9+/_~]{20,}={0,2}")
_HEX = re.compile(r"[0-9a-fA-F]+")
# What may sit right before a long token that is public by nature: a digest, a data URI, a public key.
_PUBLIC_BEFORE = re.compile(
    r"(?:sha(?:1|224|256|384|512)[-:]|base64,|ssh-(?:rsa|dss|ed25519) |ecdsa-sha2-nistp\d+ )$", re.IGNORECASE
)
_PUBLIC_BLOCK = re.compile(
    r"-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|PGP PUBLIC KEY BLOCK|X509 CRL|CERTIFICATE REQUEST)-----"
    r"[\s\S]*?(?:-----END [A-Z0-9 ]+-----|\Z)"
)


def shannon_entropy(token: str) -> float:
    counts = Counter(token)
    n = len(token)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _entropy_floor(length: int) -> float:
    """Bits per character a random token of this length reaches (a random 20-char token scores
    about 4.1, a 40-char one about 4.9); words and names stay well under 0.8 of log2(length)."""
    return min(4.5, max(3.3, 0.8 * math.log2(length)))


def _case_switches(token: str) -> float:
    """How often adjacent characters change class (upper, lower, digit, other): about 0.6 in a
    random base64 key, far less in `orders_2026_11` or a number written out."""
    classes = ["u" if c.isupper() else "l" if c.islower() else "d" if c.isdigit() else "o" for c in token]
    return sum(a != b for a, b in itertools.pairwise(classes)) / max(1, len(token) - 1)


_WORDISH = re.compile(r"[A-Z]?[a-z]{3,}|[A-Z]{4,}")


def _word_like(token: str) -> bool:
    """Mostly pronounceable words (`getUserAccountById2`): long letter runs with vowels in them.
    A random key rarely has four lower-case letters in a row."""
    words = _WORDISH.findall(token)
    letters = "".join(words)
    if not letters:
        return False
    vowels = sum(c in "aeiouyAEIOUY" for c in letters) / len(letters)
    return len(letters) / len(token) >= 0.5 and vowels >= 0.25


def _random_looking(token: str) -> float | None:
    """The token's entropy if it looks like a random key, else None."""
    core = token.strip("=/+_~")
    if len(core) < 20 or _HEX.fullmatch(core):  # SHAs, digests, trace ids: hex is an id, not a key
        return None
    classes = sum((any(c.isupper() for c in core), any(c.islower() for c in core), any(c.isdigit() for c in core)))
    # Two classes only (lower-case and digits, letters without digits): only long ones are keys.
    if classes < 2 or (classes == 2 and len(core) < 32) or _word_like(core):
        return None
    entropy = shannon_entropy(core)
    if entropy < _entropy_floor(len(core)) or _case_switches(core) < 0.3:
        return None
    return entropy


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the spans turned into spaces: offsets stay, their content is never scanned."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def mask_token(token: str) -> str:
    """Enough to find it again, not enough to use it: `xK9…Qz (40 chars)`."""
    return f"{token[:3]}…{token[-2:]} ({len(token)} chars)"


def suspect_tokens(text: str) -> list[Suspect]:
    """High-entropy tokens left in already-redacted text (placeholders, digests, UUIDs, public keys,
    certificates and data URIs are not suspects). A different method from the patterns: it knows
    no formats, only what random looks like."""
    hidden = [m.span() for m in PLACEHOLDER.finditer(text)] + [m.span() for m in _PUBLIC_BLOCK.finditer(text)]
    scanned = _blank(text, hidden) if hidden else text
    found: list[Suspect] = []
    for match in _SUSPECT_TOKEN.finditer(scanned):
        token = match.group()
        if _PUBLIC_BEFORE.search(scanned, max(0, match.start() - 24), match.start()):
            continue
        entropy = _random_looking(token)
        if entropy is None:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        found.append(
            Suspect(
                text.count("\n", 0, match.start()) + 1,
                match.start() - line_start,
                match.start(),
                match.end(),
                mask_token(token),
                round(entropy, 2),
            )
        )
    return found
