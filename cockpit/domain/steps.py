"""A runbook step: one fenced code block, numbered from 1 in document order, as something that may run.

The rules of running one, pure (no process, no disk, no clock):

- its fence's attributes (```` ```sh {risk=destructive name=failover} ````, runme-style);
- its risk tier: the stricter of the classifier's (cockpit.domain.step_risk) and the declared one;
- the variables it uses (`$NAMESPACE`, `${SERVICE}`), which are asked once per intent and passed to
  it in its environment, never pasted into the command text;
- whether a value may be remembered (never one the redaction's detector calls a secret);
- the dry run: exactly what would run, where and as whom, every byte terminal-safe;
- the confirmation its tier needs: read one key, write a confirmation, destructive the target (or
  the block's name) typed in; from a script `--yes` covers read and write, never destructive, which
  needs `--confirm TEXT`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cockpit.domain.gates import unreadable
from cockpit.domain.step_risk import (
    DESTRUCTIVE,
    DESTRUCTIVE_WORDS,
    READ,
    RISKS,
    WRITE,
    Verdict,
    classify,
    split_parts,
    stricter,
    words,
)
from cockpit.errors import CockpitError
from cockpit.text.terminal import safe

SHELL_LANGUAGES = frozenset({"", "sh", "bash", "shell", "zsh", "console"})
# Set by the shell or the login: referenced freely, never asked for.
AMBIENT = frozenset(
    [
        "HOME",
        "PATH",
        "USER",
        "LOGNAME",
        "PWD",
        "OLDPWD",
        "SHELL",
        "HOSTNAME",
        "LANG",
        "LC_ALL",
        "TERM",
        "TMPDIR",
        "RANDOM",
        "LINENO",
        "SECONDS",
        "IFS",
        "UID",
        "EUID",
        "PPID",
        "BASH_VERSION",
    ]
)
# Words naming what kind of thing a destructive verb acts on, not which one (`delete pod X`).
_KINDS = frozenset(
    [
        "pod",
        "pods",
        "deploy",
        "deployment",
        "deployments",
        "svc",
        "service",
        "services",
        "node",
        "nodes",
        "ns",
        "namespace",
        "job",
        "jobs",
        "sts",
        "statefulset",
        "daemonset",
        "ds",
        "pvc",
        "pv",
        "configmap",
        "cm",
        "secret",
        "secrets",
        "replicaset",
        "rs",
        "table",
        "database",
        "index",
        "key",
        "cluster",
        "member",
        "instance",
        "instances",
        "volume",
        "container",
        "image",
        "--",
    ]
)
_ATTRIBUTE = re.compile(r"""([A-Za-z_][\w-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s,}]+)""")
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=?+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
_ASSIGNED = re.compile(r"(?:^|[;&|\s(])(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=")
_LOOP_OR_READ = re.compile(r"\b(?:for|read(?:\s+-\w+)*)\s+([A-Za-z_][A-Za-z0-9_]*)")


class StepRefused(CockpitError):
    """Why a step cannot run at all (not a shell block, unreadable bytes): the message says it."""


@dataclass(frozen=True)
class Step:
    runbook: str
    number: int  # 1-based, in document order, among every fenced block of the runbook
    line: int  # the opening fence's line in the file
    language: str
    info: str
    command: str
    heading: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """`database-failover#3`: how the CLI and the timeline name the block."""
        return f"{self.runbook}#{self.number}"

    @property
    def name(self) -> str:
        """The block's name: its `name=` attribute, else its label."""
        return self.attributes.get("name") or self.label

    @property
    def declared(self) -> str | None:
        """The tier the fence declares; one this module does not know counts as destructive."""
        value = self.attributes.get("risk")
        if value is None:
            return None
        return value.lower() if value.lower() in RISKS else DESTRUCTIVE

    @property
    def verdict(self) -> Verdict:
        return classify(self.command)

    @property
    def risk(self) -> str:
        """The stricter of the classifier's tier and the declared one."""
        detected = self.verdict.risk
        return detected if self.declared is None else stricter(detected, self.declared)

    @property
    def variables(self) -> tuple[str, ...]:
        return referenced(self.command)

    def refusal(self) -> str | None:
        """Why this block never runs, whatever is confirmed (None: it may, once confirmed)."""
        if self.language not in SHELL_LANGUAGES:
            return f"block {self.number} is {self.language}, not a shell command"
        if not self.command.strip():
            return f"block {self.number} is empty"
        reason = unreadable(self.command)
        return f"block {self.number} {reason}" if reason else None

    def first_line(self) -> str:
        return next((line.strip() for line in self.command.splitlines() if line.strip()), "")


def attributes(info: str) -> dict[str, str]:
    """The `{key=value …}` attributes of a fence's info string (quotes removed; commas or spaces
    between them). `sh {risk=destructive}` → {'risk': 'destructive'}."""
    start = info.find("{")
    if start < 0:
        return {}
    end = info.find("}", start)
    inside = info[start + 1 : end if end > 0 else len(info)]
    return {key.lower(): value.strip("\"'") for key, value in _ATTRIBUTE.findall(inside)}


def language(info: str) -> str:
    """The fence's language: its first word unless that word opens the attributes."""
    first = info.split(None, 1)[0] if info.strip() else ""
    return "" if first.startswith("{") else first.strip(".").lower()


def referenced(command: str) -> tuple[str, ...]:
    """The variables the command uses and does not set itself, in order of first use: `$NAME`
    and `${NAME}`, not inside single quotes (awk's `$NF`), not `${NAME:-default}` (it has one),
    not the shell's own (`$HOME`)."""
    text = _SINGLE_QUOTED.sub("''", command)
    assigned = set(_ASSIGNED.findall(text)) | set(_LOOP_OR_READ.findall(text))
    found: dict[str, None] = {}
    for match in _REFERENCE.finditer(text):
        name = match.group(1) or match.group(3)
        if match.group(2) or name in AMBIENT or name in assigned:
            continue
        found.setdefault(name)
    return tuple(found)


def looks_secret(name: str, value: str) -> bool:
    """Whether a variable's value must never be remembered (nor shown): the redaction's detector
    finds a secret in `NAME=value` or in the value, or the value is a random-looking token."""
    from cockpit.text.redact import find_secrets, suspect_tokens

    return bool(find_secrets(f"{name}={value}") or find_secrets(value) or suspect_tokens(value))


def target(step: Step, values: Mapping[str, str]) -> str | None:
    """What a destructive step acts on, for the engineer to type, with the variables' values in
    it: in its last destructive part, the first plain word after the destructive verb (a kind such
    as `pod` skipped: `kubectl delete pod orders-7d9` → `orders-7d9`), else the part's last plain
    word. None when there is none or it still names a variable nobody gave."""
    chosen: str | None = None
    for part in split_parts(step.command):
        if classify(part).risk != DESTRUCTIVE:
            continue
        tokens = words(part)[1:]
        verb = next((i for i, t in enumerate(tokens) if t.lower() in DESTRUCTIVE_WORDS), None)
        after = [t for t in tokens[(verb or 0) + 1 :] if not t.startswith("-") and t.lower() not in _KINDS]
        plain = [t for t in tokens if not t.startswith("-") and "=" not in t]
        found = after[0] if verb is not None and after else plain[-1] if plain else None
        chosen = found or chosen
    if chosen is None:
        return None
    resolved = _REFERENCE.sub(lambda m: values.get(m.group(1) or m.group(3) or "", m.group(0)), chosen)
    return None if "$" in resolved or not resolved.strip() else resolved


@dataclass(frozen=True)
class Confirmation:
    """What the engineer must do for a step of this tier to run."""

    risk: str
    kind: str  # "key" (one key), "confirm" (say yes), "type" (type one of `expected`)
    expected: tuple[str, ...] = ()

    @property
    def prompt(self) -> str:
        if self.kind == "key":
            return "read-only step: press enter (or y) to run it"
        if self.kind == "confirm":
            return "this step changes things: confirm to run it"
        shown = " or ".join(f"'{safe(e, one_line=True)}'" for e in self.expected)
        return f"destructive step: type {shown} to run it"

    def accepts(self, typed: str) -> bool:
        """For `type`: the text typed is exactly one of the expected (spaces around ignored)."""
        return self.kind != "type" or typed.strip() in self.expected

    def from_script(self, *, yes: bool, confirm: str | None) -> str | None:
        """Why a run asked for by flags (no one at a terminal) is refused, or None. `--yes` covers
        read and write steps; a destructive one needs `--confirm TEXT` naming its target."""
        if self.kind != "type":
            if yes or confirm is not None:
                return None
            return f"a {self.risk} step runs only once confirmed: answer at a terminal, or pass --yes"
        if confirm is None:
            shown = " or ".join(safe(e, one_line=True) for e in self.expected)
            why = "--yes alone does not run a destructive step; " if yes else ""
            return f"{why}a destructive step needs --confirm {shown}"
        if not self.accepts(confirm):
            shown = " or ".join(safe(e, one_line=True) for e in self.expected)
            return f"--confirm {safe(confirm, one_line=True)!r} does not name this step's target: expected {shown}"
        return None


def confirmation(step: Step, values: Mapping[str, str]) -> Confirmation:
    risk = step.risk
    if risk == READ:
        return Confirmation(READ, "key")
    if risk == WRITE:
        return Confirmation(WRITE, "confirm")
    aim = target(step, values)
    expected = tuple(dict.fromkeys(e for e in (aim, step.name) if e))
    return Confirmation(DESTRUCTIVE, "type", expected)


@dataclass(frozen=True)
class Variable:
    name: str
    value: str | None  # None: nobody gave it yet
    source: str  # "intent" (remembered), "environment", "given" (this run), "missing"

    def shown(self) -> str:
        if self.value is None:
            return f"{self.name} (not set: asked before it runs)"
        if looks_secret(self.name, self.value):
            return f"{self.name}=•••• (looks like a secret: never shown nor remembered; {self.source})"
        return f"{self.name}={safe(self.value, one_line=True)} ({self.source})"


def dry_run(
    step: Step,
    *,
    cwd: str,
    host: str,
    user: str,
    variables: tuple[Variable, ...],
    timeout: float,
) -> list[str]:
    """Exactly what would run, line by line, every byte terminal-safe: the command as written
    (it runs as `/bin/sh -c`, the variables given in its environment), where, as whom, its tier
    and why, and what confirming it takes."""
    verdict = step.verdict
    why = ", ".join(verdict.reasons) or "—"
    declared = f"; declared {step.attributes.get('risk')}" if step.declared else ""
    where = f" under {step.heading}" if step.heading else ""
    lines = [
        safe(f"{step.label} (line {step.line}{where})", one_line=True),
        f"risk: {step.risk} (classifier: {verdict.risk}, {safe(why, one_line=True)}{safe(declared, one_line=True)})",
        "command (/bin/sh -c):",
        *(f"  {line}" for line in safe(step.command).splitlines()),
        f"cwd: {safe(cwd, one_line=True)}",
        f"host: {safe(host, one_line=True)}",
        f"user: {safe(user, one_line=True)}",
        f"timeout: {timeout:g} s",
    ]
    if variables:
        lines.append("environment it references:")
        lines += [f"  {v.shown()}" for v in variables]
    else:
        lines.append("environment it references: none")
    values = {v.name: v.value for v in variables if v.value is not None}
    lines.append(confirmation(step, values).prompt)
    return lines
