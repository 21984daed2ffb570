"""What a check is and what it returns.

A check is a pure function of a unit body and a small context (upstream stage outputs, sibling
unit names, the runbook library as a read-only lookup). It never touches the database; the engine
decides what its results mean for findings and the walk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from cockpit import severity as sev
from cockpit.checks import markdown


class RunbookLookup(Protocol):
    """The runbook library as the checks see it (see cockpit.runbooks.lookup for an adapter)."""

    def exists(self, name: str) -> bool: ...

    def lint_errors(self, name: str) -> list[str]: ...


@dataclass(frozen=True)
class Refused:
    """A listed file the caller refused to read, and why."""

    reason: str


@dataclass(frozen=True)
class CheckContext:
    unit: str = ""  # the unit's slug
    stage: str = ""
    siblings: tuple[str, ...] = ()  # every unit slug of the same stage
    # Earlier stages' output: stage name → ((unit slug, body), ...), in studio order.
    upstream: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    runbooks: RunbookLookup | None = None
    # Files the unit lists under "Artifacts produced", path → text, when a caller read them
    # (`cockpit check --root DIR`); None means nobody did, and artifact checks say so. A path the
    # caller would not read (it leads outside the root) maps to a `Refused` saying why.
    artifacts: Mapping[str, str | Refused] | None = None


@dataclass(frozen=True)
class Problem:
    message: str
    section: str | None  # the heading it concerns (None: the body as a whole)
    line: int  # 1-based line in the unit body; 0 when it is not about the body (a gate command)
    severity: str | None = None  # overrides the check's own severity for this problem

    def located(self) -> str:
        if self.line <= 0:
            return self.message
        where = f"line {self.line}" + (f", ## {self.section}" if self.section else "")
        return f"{where}: {self.message}"


PASS, FAIL, SKIP = "pass", "fail", "skip"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class Result:
    check: str
    status: str  # pass | fail | skip
    severity: str  # the check's severity, or its most severe problem's
    problems: tuple[Problem, ...] = ()
    note: str = ""  # pass: what satisfied it; skip: why it could not run
    detail: str = ""  # evidence to quote in a finding (a gate command's output tail)

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def line(self) -> int | None:
        return self.problems[0].line if self.problems else None

    def summary(self) -> str:
        if not self.problems:
            return self.note
        more = len(self.problems) - 1
        return self.problems[0].located() + (f" (+{more} more)" if more else "")


@dataclass(frozen=True)
class Skip:
    """The check could not judge this body: nothing to check, or a dependency is missing."""

    reason: str


# body, its parsed sections, the context → (problems, pass note) or Skip
CheckFn = Callable[[str, list[markdown.Section], CheckContext], "tuple[list[Problem], str] | Skip"]


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    title: str  # what it asks for, in a few words: also the finding's title
    run_fn: CheckFn

    def run(self, body: str, context: CheckContext, parsed: list[markdown.Section] | None = None) -> Result:
        """Run on one body. The function returns problems and a pass note, or a Skip."""
        parsed = markdown.sections(body) if parsed is None else parsed
        outcome = self.run_fn(body, parsed, context)
        if isinstance(outcome, Skip):
            return Result(self.id, SKIP, self.severity, (), outcome.reason)
        problems, note = outcome
        if not problems:
            return Result(self.id, PASS, self.severity, (), note)
        worst = min((p.severity or self.severity for p in problems), key=sev.rank)
        return Result(self.id, FAIL, worst, tuple(problems), note)
