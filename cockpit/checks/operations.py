"""Checks for an operations unit body (software studio, operations stage; seed 000).

The ops-engineer writes Preconditions, Action, Post-condition checks, Rollback and Open Questions;
the sre appends SLOs and Alerts. These checks are the verifier's mechanical rules over that body.
"""

from __future__ import annotations

import re

from cockpit.checks import markdown, slo
from cockpit.checks.base import CheckContext, Problem, Refused, Skip, plural

REQUIRED = (
    ("Preconditions", ("precondition",)),
    ("Action", ("action",)),
    ("Post-condition checks", ("postcondition", "post condition")),
)


def sections(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str]:
    problems: list[Problem] = []
    seen: list[str] = []
    for name, prefixes in REQUIRED:
        section = markdown.find(found, *prefixes)
        if section is None:
            problems.append(
                Problem(
                    f"no `## {name}` section: the verifier needs preconditions, action and post-condition checks",
                    None,
                    1,
                )
            )
        elif not section.prose:
            problems.append(Problem("the section says nothing concrete", section.title, section.line))
        else:
            seen.append(f"{section.title} (line {section.line})")
    return problems, "has " + ", ".join(seen)


# Wording that hands the operator a choice inside what must be one procedure.
_CHOICE = re.compile(
    r"\balternatively\b|\beither\b|\band/or\b|\boptionally\b|\bif you prefer\b|\bwhichever\b|\bat your discretion\b"
    r"|^\s*(?:[-*+]|\d+[.)])?\s*or\b|`\s*,?\s*or\s+`",
    re.IGNORECASE,
)
_CHOICE_ANYWHERE = re.compile(_CHOICE.pattern, re.IGNORECASE | re.MULTILINE)  # one scan of the whole action first
_TRIGGER = re.compile(r"\b(pipeline|workflow|job|run)\b.*\b(trigger|dispatch|start|run)", re.IGNORECASE)


def single_procedure(
    body: str, found: list[markdown.Section], context: CheckContext
) -> tuple[list[Problem], str] | Skip:
    action = markdown.find(found, "action")
    if action is None:
        return Skip("no `## Action` section (reported by ops.sections)")
    problems: list[Problem] = []
    prose = action.prose
    for line in prose if _CHOICE_ANYWHERE.search("\n".join(line.text for line in prose)) else ():
        match = _CHOICE.search(line.text)
        if match:
            word = match.group(0).strip(" `,-*").strip() or "or"
            problems.append(
                Problem(
                    f'the action offers a choice ("{word}"): write one procedure, decide the branch up front',
                    action.title,
                    line.number,
                )
            )
    if not markdown.has_command(action.text) and not _TRIGGER.search(action.text):
        problems.append(Problem("the action names no literal command or pipeline trigger", action.title, action.line))
    return problems, f"one procedure with a literal command ({action.title}, line {action.line})"


_VAGUE_PASS = re.compile(
    r"\b(by eye|looks? (good|ok|fine|right|normal)|as expected|seems? fine|no issues|works|healthy|green|normal)\b",
    re.IGNORECASE,
)
_CONCRETE_PASS = re.compile(
    r"\d|`|\b(present|absent|exists|empty|true|false|matches|contains|listed|equals?)\b", re.IGNORECASE
)
_EMPTY_CELL = re.compile(r"^\s*(?:-|—|–|n/?a|none|\?|)\s*$", re.IGNORECASE)


def postcondition_rows(
    body: str, found: list[markdown.Section], context: CheckContext
) -> tuple[list[Problem], str] | Skip:
    section = markdown.find(found, "postcondition", "post condition")
    if section is None:
        return Skip("no `## Post-condition checks` section (reported by ops.sections)")
    tables = section.tables()
    if not tables:
        return [
            Problem(
                "no table of checks: give each a command and a pass criterion (| Check | How to run | Pass criteria |)",
                section.title,
                section.line,
            )
        ], ""
    problems: list[Problem] = []
    rows = 0
    for table in tables:
        how = table.column("how", "command", "run", "query")
        passes = table.column("pass", "criteri", "expect", "success")
        if how is None or passes is None:
            problems.append(
                Problem("the table needs a command column and a pass-criteria column", section.title, table.line)
            )
            continue
        for row in table.rows:
            rows += 1
            name = row.get(0) or f"row at line {row.line}"
            command, criterion = row.get(how), row.get(passes)
            if _EMPTY_CELL.match(command):
                problems.append(Problem(f'check "{name}" has no command to run', section.title, row.line))
            elif not markdown.has_command(command) and not re.search(r"\w+:\s*\S", command):
                problems.append(
                    Problem(f'check "{name}": "{command}" is not a command anyone can run', section.title, row.line)
                )
            if _EMPTY_CELL.match(criterion):
                problems.append(Problem(f'check "{name}" has no pass criterion', section.title, row.line))
            elif _VAGUE_PASS.search(criterion) and not _CONCRETE_PASS.search(criterion):
                problems.append(
                    Problem(f'check "{name}": "{criterion}" is not a pass/fail signal', section.title, row.line)
                )
    if not rows and not problems:
        problems.append(Problem("the table of checks has no rows", section.title, tables[0].line))
    return problems, f"{plural(rows, 'post-condition check')}, each with a command and a pass criterion"


_FORWARD_FIX = re.compile(
    r"\bno rollback\b|\bforward[- ]fix(?:[- ]only)?\b|\bnot reversible\b|\birreversible\b", re.IGNORECASE
)


def rollback(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str]:
    section = markdown.find(found, "rollback", "roll back", "rollback procedure")
    if section is None:
        return [
            Problem(
                'no `## Rollback` section: give a reverse procedure, or "no rollback — forward-fix only" with a rationale',
                None,
                1,
            )
        ], ""
    text = " ".join(line.text for line in section.prose)
    if not text.strip():
        return [Problem("the rollback section is empty", section.title, section.line)], ""
    forward = _FORWARD_FIX.search(text)
    if forward:
        rationale = re.sub(r"\s+", " ", (text[: forward.start()] + text[forward.end() :])).strip(" -—–:.,;")
        if len(re.findall(r"[A-Za-z]{2,}", rationale)) < 6:
            return [
                Problem(
                    "forward-fix only, but no rationale: say why a rollback is impossible or unsafe",
                    section.title,
                    section.line,
                )
            ], ""
        return [], f"forward-fix only, with a rationale ({section.title}, line {section.line})"
    if not markdown.has_command(section.text):
        return [
            Problem(
                "the rollback names no literal command: write the reverse procedure an operator can run",
                section.title,
                section.line,
            )
        ], ""
    return [], f"a reverse procedure with commands ({section.title}, line {section.line})"


# image:tag and @ref forms that move under you; `tag: latest` style settings too.
_MUTABLE = re.compile(
    r"[\w./-]+[:@](latest|main|master|stable|edge|nightly|head|dev)\b(?![.\w/-])"
    r"|\b(?:tag|version|image[._-]?tag|ref)\s*[:=]\s*[\"']?(latest|main|master|stable|edge|nightly)\b",
    re.IGNORECASE,
)


# A whole-body pre-filter: most bodies name no mutable tag, and then no line needs scanning.
_MUTABLE_WORD = re.compile(r"[:@=]\s*[\"']?(?:latest|main|master|stable|edge|nightly|head|dev)\b", re.IGNORECASE)


def mutable_tags(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str]:
    problems: list[Problem] = []
    for line in markdown.lines(body) if _MUTABLE_WORD.search(body) else ():
        if not _MUTABLE_WORD.search(line.text):
            continue
        for match in _MUTABLE.finditer(line.text):
            where = markdown.section_of(found, line.number)
            tag = match.group(1) or match.group(2)
            problems.append(
                Problem(
                    f"`{match.group(0)}` uses the mutable reference `{tag}`: pin a digest, SHA or version",
                    where.title if where else None,
                    line.number,
                )
            )
    return problems, "every image and artifact reference is pinned"


_NA = re.compile(r"^\s*n/?a\b", re.IGNORECASE)


def slo_table(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str] | Skip:
    section = markdown.find(found, "slo")
    if section is None:
        return Skip("no `## SLOs` section in this unit")
    tables = section.tables()
    if not tables:
        return [
            Problem(
                "SLOs are listed without a table (SLI | target | window | source metric | error budget)",
                section.title,
                section.line,
            )
        ], ""
    problems: list[Problem] = []
    checked = 0
    for table in tables:
        columns = {
            "SLI": table.column("sli", "indicator", "name"),
            "target": table.column("target", "objective", "slo"),
            "window": table.column("window", "period"),
            "source metric": table.column("metric", "source"),
            "error budget": table.column("budget"),
        }
        if columns["SLI"] is None and columns["target"] not in (
            0,
            None,
        ):  # "| SLO | Target |": the first column names it
            columns["SLI"] = 0
        missing = [name for name, index in columns.items() if index is None]
        if missing:
            problems.append(Problem(f"the SLO table has no {', '.join(missing)} column", section.title, table.line))
            continue
        for row in table.rows:
            checked += 1
            cells = {name: row.get(index) for name, index in columns.items()}
            label = cells["SLI"] or f"row at line {row.line}"
            empty = [
                name
                for name, value in cells.items()
                if _EMPTY_CELL.match(value) and not (name == "error budget" and _NA.match(value))
            ]
            if empty:
                problems.append(Problem(f'SLO "{label}" has no {", ".join(empty)}', section.title, row.line))
                continue
            problems += _budget_problems(label, cells, section.title, row.line)
    return (
        problems,
        f"{plural(checked, 'SLO')}, each with an SLI, target, window, source metric and a correct error budget",
    )


def _budget_problems(label: str, cells: dict[str, str], section: str, line: int) -> list[Problem]:
    target = slo.parse_target(cells["target"], cells["SLI"])
    window = slo.parse_duration(cells["window"])
    if target is None:
        return [
            Problem(
                f'SLO "{label}": cannot read the target "{cells["target"]}" (e.g. 99.5%, < 1%, < 200ms)', section, line
            )
        ]
    if window is None:
        return [Problem(f'SLO "{label}": cannot read the window "{cells["window"]}" (e.g. 30d, 24h)', section, line)]
    budget = cells["error budget"]
    expected = slo.budget_hours(target, window)
    if expected is None:  # latency: n/a, or a figure we cannot recompute
        return []
    if _NA.match(budget):
        return [
            Problem(
                f'SLO "{label}": error budget is n/a, but {cells["target"]} over {cells["window"]} allows '
                f"{slo.describe_hours(expected)}",
                section,
                line,
            )
        ]
    stated = slo.parse_duration(budget.split("/")[0]) or slo.parse_duration(budget)
    if stated is None:
        percent = slo.parse_percent(budget)  # a budget given as a share: 0.5%
        if (
            percent is not None
            and target.bad_fraction is not None
            and abs(percent - target.bad_fraction) <= 0.05 * target.bad_fraction
        ):
            return []
        return [Problem(f'SLO "{label}": cannot read the error budget "{budget}" (e.g. ~3.6h / 30d)', section, line)]
    if not slo.budget_matches(stated, expected):
        return [
            Problem(
                f'SLO "{label}": error budget {stated.text} is wrong: {cells["target"]} over {cells["window"]} allows '
                f"{slo.describe_hours(expected)}",
                section,
                line,
            )
        ]
    return []


_PAGEABLE = re.compile(r"\bpag(e|es|ing|er)\b|\bp[01]\b|\bcritical\b|\bsev[ -]?[12]\b", re.IGNORECASE)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def runbook_reference(cell: str) -> str | None:
    """What a runbook cell points at: a link target, a code span, or the plain text; None if nothing."""
    if _EMPTY_CELL.match(cell) or re.match(r"^\s*(?:tbd|todo|none yet|missing)\b", cell, re.IGNORECASE):
        return None
    link = _LINK.search(cell)
    if link:
        return link.group(1)
    code = re.search(r"`([^`]+)`", cell)
    return (code.group(1) if code else cell).strip() or None


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).strip().replace(" ", "-")


def alert_runbooks(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str] | Skip:
    section = markdown.find(found, "alert")
    if section is None:
        return Skip("no `## Alerts` section in this unit")
    tables = section.tables()
    if not tables:
        return [
            Problem(
                "alerts are listed without a table (alert | fires on | severity | pages whom | runbook)",
                section.title,
                section.line,
            )
        ], ""
    problems: list[Problem] = []
    to_look_up: list[tuple[str, str, int]] = []
    pageable = 0
    for table in tables:
        severity, runbook = table.column("severity", "sev", "level"), table.column("runbook", "playbook")
        if runbook is None:
            problems.append(Problem("the alerts table has no runbook column", section.title, table.line, "blocker"))
            continue
        for row in table.rows:
            if severity is not None and not _PAGEABLE.search(row.get(severity)):
                continue  # a ticket-level alert need not carry a runbook (no severity column: every alert pages)
            pageable += 1
            name = row.get(0) or f"alert at line {row.line}"
            reference = runbook_reference(row.get(runbook))
            if reference is None:
                problems.append(
                    Problem(f'pageable alert "{name}" names no runbook', section.title, row.line, "blocker")
                )
            elif reference.startswith("#"):
                if reference[1:].lower() not in {_anchor(s.title) for s in found}:
                    problems.append(
                        Problem(
                            f'pageable alert "{name}" links to {reference}, which is no heading in this body',
                            section.title,
                            row.line,
                            "blocker",
                        )
                    )
            else:
                to_look_up.append((name, reference, row.line))
    if to_look_up and context.runbooks is None and not problems:
        return Skip(f"no runbook library available: {len(to_look_up)} runbook reference(s) not verified")
    library = context.runbooks
    if library is not None:
        for name, reference, line in to_look_up:
            if not library.exists(reference):
                problems.append(
                    Problem(
                        f'pageable alert "{name}" links to runbook `{reference}`, which is not in the runbook library',
                        section.title,
                        line,
                        "blocker",
                    )
                )
                continue
            errors = library.lint_errors(reference)
            if errors:
                problems.append(
                    Problem(
                        f'runbook `{reference}` for "{name}" fails its lint: {errors[0]}'
                        + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""),
                        section.title,
                        line,
                        "high",
                    )
                )
    unverified = (
        f"; {len(to_look_up)} reference(s) not verified (no runbook library)" if library is None and to_look_up else ""
    )
    return (
        problems,
        f"{plural(pageable, 'pageable alert')}, each with a runbook that exists and passes its lint{unverified}",
    )


_ACCOUNTED = re.compile(
    r"\banswer(?:ed)?\s*[:—–-]|\banswered\b|\bdefault(?:s|ed)?\s*(?::|to\b|is\b|=)|\(default|\bdecided\b|\bresolved\b"
    r"|\bescalat\w*|\bflagged\b|needs human|\bowner:|→|->|=>",
    re.IGNORECASE,
)
_NONE = re.compile(r"^\s*(none|no open questions|n/?a)\b", re.IGNORECASE)


def open_questions(body: str, found: list[markdown.Section], context: CheckContext) -> tuple[list[Problem], str]:
    section = markdown.find(found, "open question")
    if section is None:
        return [], "no open questions section"
    items = section.items() or [line for line in section.prose]
    problems = [
        Problem(
            f'open question left open: "{_shorten(item.text)}" — answer it, state a default, or flag it (needs human escalation)',
            section.title,
            item.number,
        )
        for item in items
        if not _NONE.match(item.text) and not _ACCOUNTED.search(item.text)
    ]
    asked = [item for item in items if not _NONE.match(item.text)]
    return (
        problems,
        f"{plural(len(asked), 'open question')}, each answered, defaulted or flagged" if asked else "no open questions",
    )


def _shorten(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def artifact_paths(body: str, found: list[markdown.Section] | None = None) -> list[tuple[str, int]]:
    """(path, body line) of each file in the `## Artifacts produced` table's first column."""
    section = markdown.find(markdown.sections(body) if found is None else found, "artifact")
    if section is None:
        return []
    paths: list[tuple[str, int]] = []
    for table in section.tables():
        column = table.column("path", "file", "artifact")
        for row in table.rows:
            cell = row.get(column if column is not None else 0)
            code = re.search(r"`([^`]+)`", cell)
            path = (code.group(1) if code else cell).strip()
            if path and not _EMPTY_CELL.match(path):
                paths.append((path, row.line))
    return paths


def artifact_secrets(
    body: str, found: list[markdown.Section], context: CheckContext
) -> tuple[list[Problem], str] | Skip:
    from cockpit.checks.body import KIND_NAMES
    from cockpit.text import redact

    paths = artifact_paths(body, found)
    if not paths:
        return Skip("no `## Artifacts produced` table listing files")
    if context.artifacts is None:
        return Skip(f"{plural(len(paths), 'listed artifact')} not read: `cockpit check --root DIR` scans them")
    section = markdown.find(found, "artifact")
    title = section.title if section else None
    problems: list[Problem] = []
    for path, line in paths:
        if path.endswith("/"):
            continue  # a directory: its files are listed separately, or not at all
        text = context.artifacts.get(path)
        if text is None:
            problems.append(Problem(f"listed artifact `{path}` is not there to check", title, line, "high"))
            continue
        if isinstance(text, Refused):
            problems.append(Problem(f"{text.reason}: not read", title, line, "high"))
            continue
        for hit in redact.find_secrets(text, redact.SECRET_PATTERNS):
            if hit.secret:
                problems.append(
                    Problem(
                        f"`{path}` line {hit.line}: hardcoded {KIND_NAMES.get(hit.kind, hit.kind)}: reference a secret store",
                        title,
                        line,
                    )
                )
    return problems, f"{plural(len(paths), 'listed artifact')} read, no hardcoded credentials"
