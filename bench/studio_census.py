"""Census of a studios folder as cockpit loads it: do hats and reviewers come with tickable items?

Per studio: stages, hats (distinct hat files the stages use, fix hats included), hats with at least
one checklist item, review agents (stage and studio level, distinct files), agents with at least one
check, phase guidance files loaded (Stage.phases), and the load problems.

Then, independently of cockpit's parser, every hat and review-agent file on disk is scanned for a
list at all: a markdown list item whose list is introduced by a bold label line (`**Produces:**`,
`**Anti-patterns (RFC 2119):**`, `**Check:**`, ...) or by a heading. "Non-empty checklists wherever
the files carry such lists" holds when every file with a list has parsed items; the mismatches are
listed with the reason (no items parsed, studio not loaded, file not named by any stage).

Run from the repository root: `python bench/studio_census.py FOLDER [--json]`, FOLDER being the
`plugin/studios` folder of a gigsmart/haiku-method checkout.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cockpit.domain.studio import Studio
from cockpit.sources.studios import load_catalog
from cockpit.text.terminal import safe, safe_stdio

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
_BOLD_LABEL = re.compile(r"^\s*\*\*([^*]+?)\*\*")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*?)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class FileScan:
    """What one hat or review-agent file carries, read as plain markdown."""

    path: str
    kind: str  # "hat" | "fix-hat" | "reviewer"
    list_items: int = 0
    labels: list[str] = field(default_factory=list)  # the labels or headings that introduce a list
    parsed_items: int | None = None  # cockpit's checklist/checks; None: cockpit did not load the file
    why_not_loaded: str = ""


@dataclass
class StudioRow:
    folder: str
    name: str = ""
    loaded: bool = False
    stages: int = 0
    hats: int = 0
    hats_with_items: int = 0
    agents: int = 0
    agents_with_checks: int = 0
    phases: int = 0
    problems: list[str] = field(default_factory=list)
    # Hats a stage names whose file is not in that stage's hats/ folder (e.g. the studio's fix-hats/):
    # by the loader's rule, but it also hides a stage-level file missing from the folder.
    resolved_elsewhere: list[str] = field(default_factory=list)


def scan_lists(text: str) -> tuple[int, list[str]]:
    """List items introduced by a bold label or a heading, and those labels, in file order."""
    body = re.sub(r"\A---\n.*?\n---\n", "", text, count=1, flags=re.DOTALL)  # frontmatter is not body
    items = 0
    labels: list[str] = []
    opener: str | None = None  # the label or heading of the block the next list item belongs to
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or not line.strip():
            continue
        if _LIST_ITEM.match(line):
            if opener is not None:
                items += 1
                if not labels or labels[-1] != opener:
                    labels.append(opener)
            continue
        if line.startswith(("  ", "\t")) and items:
            continue  # a wrapped list item: the list goes on
        heading = _HEADING.match(line)
        label = _BOLD_LABEL.match(line)
        if heading:
            opener = "## " + heading.group(1)
        elif label:
            opener = "**" + label.group(1).strip().rstrip(":") + "**"
        else:
            opener = None  # a paragraph: a list after it is not introduced by a label
    return items, labels


def _files(studio_dir: Path) -> list[tuple[Path, str]]:
    found = [(p, "hat") for p in sorted(studio_dir.glob("stages/*/hats/*.md"))]
    found += [(p, "fix-hat") for p in sorted(studio_dir.glob("fix-hats/*.md"))]
    found += [(p, "reviewer") for p in sorted(studio_dir.glob("stages/*/review-agents/*.md"))]
    found += [(p, "reviewer") for p in sorted(studio_dir.glob("review-agents/*.md"))]
    return found


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def _shown(path: str, studio_path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(studio_path).resolve()))
    except ValueError:
        return str(path)


def _studio_row(studio: Studio, row: StudioRow, parsed: dict[str, int]) -> None:
    row.name, row.loaded, row.stages = studio.name, True, len(studio.stages)
    hats: dict[str, int] = {}
    agents: dict[str, int] = {}
    for stage in studio.stages:
        own = (Path(studio.path) / "stages" / stage.name / "hats").resolve()
        for name, hat in stage.hat_defs.items():
            hats[_key(hat.path)] = len(hat.checklist)
            if Path(hat.path).resolve().parent != own:
                row.resolved_elsewhere.append(f"{stage.name}: {name} -> {_shown(hat.path, studio.path)}")
        for agent in stage.reviewers:
            agents[_key(agent.path)] = len(agent.checks)
        row.phases += len(getattr(stage, "phases", {}) or {})
    for agent in studio.reviewers:
        agents[_key(agent.path)] = len(agent.checks)
    row.hats, row.hats_with_items = len(hats), sum(1 for n in hats.values() if n)
    row.agents, row.agents_with_checks = len(agents), sum(1 for n in agents.values() if n)
    parsed.update(hats)
    parsed.update(agents)


def census(folder: Path) -> dict[str, Any]:
    catalog = load_catalog([folder], cache=False)
    root = folder.resolve()
    # Bundled studios load first and stay when a real one of the same name fails: keep only ours.
    ours = {Path(s.path).resolve(): s for s in catalog.studios.values() if Path(s.path).resolve().parent == root}
    rows: list[StudioRow] = []
    scans: list[FileScan] = []
    parsed: dict[str, int] = {}
    for studio_dir in sorted(p for p in root.iterdir() if (p / "STUDIO.md").is_file()):
        row = StudioRow(folder=studio_dir.name)
        row.problems = [
            f"{Path(e.path).resolve().relative_to(root)}:{e.line}: {e.reason}"
            for e in catalog.problems
            if Path(e.path).resolve().is_relative_to(studio_dir)
        ]
        studio = ours.get(studio_dir)
        if studio is not None:
            _studio_row(studio, row, parsed)
        rows.append(row)
        for path, kind in _files(studio_dir):
            items, labels = scan_lists(path.read_text(encoding="utf-8", errors="replace"))
            scan = FileScan(str(path.relative_to(root)), kind, items, labels)
            scan.parsed_items = parsed.get(_key(path))
            if scan.parsed_items is None:
                scan.why_not_loaded = "studio not loaded" if studio is None else "not named by any stage"
            scans.append(scan)
    return {"folder": str(root), "studios": rows, "files": scans}


def mismatches(scans: list[FileScan]) -> list[tuple[FileScan, str]]:
    out: list[tuple[FileScan, str]] = []
    for scan in scans:
        if scan.list_items and scan.parsed_items is None:
            out.append((scan, f"has a list, {scan.why_not_loaded}"))
        elif scan.list_items and not scan.parsed_items:
            out.append((scan, "has a list, cockpit parsed no item"))
        elif not scan.list_items and scan.parsed_items:
            out.append((scan, "no list found here, cockpit parsed items"))
    return out


def _totals(rows: list[StudioRow]) -> dict[str, int]:
    keys = ("stages", "hats", "hats_with_items", "agents", "agents_with_checks", "phases")
    totals = {k: sum(getattr(r, k) for r in rows) for k in keys}
    totals["studios"] = len(rows)
    totals["loaded"] = sum(r.loaded for r in rows)
    totals["problems"] = sum(len(r.problems) for r in rows)
    return totals


def _file_totals(scans: list[FileScan]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for kind in ("hat", "fix-hat", "reviewer"):
        mine = [s for s in scans if s.kind == kind]
        out[kind] = {
            "files": len(mine),
            "with_list": sum(1 for s in mine if s.list_items),
            "loaded": sum(1 for s in mine if s.parsed_items is not None),
            "with_parsed_items": sum(1 for s in mine if s.parsed_items),
            "with_list_and_items": sum(1 for s in mine if s.list_items and s.parsed_items),
        }
    return out


def print_report(result: dict[str, Any]) -> None:
    rows: list[StudioRow] = result["studios"]
    scans: list[FileScan] = result["files"]
    print(f"studios folder: {result['folder']}\n")
    head = ("studio", "loaded", "stages", "hats", "w/items", "agents", "w/checks", "phases", "problems")
    fmt = "{:<22} {:>6} {:>6} {:>5} {:>7} {:>6} {:>8} {:>6} {:>8}"
    print(fmt.format(*head))
    for r in rows:
        cells = (r.folder, "yes" if r.loaded else "NO", r.stages, r.hats, r.hats_with_items)
        print(fmt.format(*cells, r.agents, r.agents_with_checks, r.phases, len(r.problems)))
    t = _totals(rows)
    print(
        fmt.format(
            f"TOTAL ({t['studios']})",
            t["loaded"],
            t["stages"],
            t["hats"],
            t["hats_with_items"],
            t["agents"],
            t["agents_with_checks"],
            t["phases"],
            t["problems"],
        )
    )
    print("\nload problems:")
    for r in rows:
        for problem in r.problems:
            print(f"  {problem}")
    print("\nhats resolved outside their stage's hats/ folder:")
    for r in rows:
        for line in r.resolved_elsewhere:
            print(f"  {r.folder}/{line}")
    print("\nfiles on disk, scanned independently of cockpit's parser:")
    print(f"  {'kind':<9} {'files':>5} {'w/list':>6} {'loaded':>6} {'w/parsed':>8} {'both':>5}")
    for kind, c in _file_totals(scans).items():
        counts = (c["files"], c["with_list"], c["loaded"], c["with_parsed_items"], c["with_list_and_items"])
        print(f"  {kind:<9} {counts[0]:>5} {counts[1]:>6} {counts[2]:>6} {counts[3]:>8} {counts[4]:>5}")
    labels = Counter(label for s in scans for label in s.labels)
    print("\nlabels and headings that introduce lists (files):")
    for label, n in labels.most_common():
        print(f"  {n:>4}  {label}")
    found = mismatches(scans)
    reasons = Counter(reason for _, reason in found)
    print(f"\nmismatches: {len(found)}" + "".join(f"\n  {n:>4}  {why}" for why, n in reasons.most_common()))
    for scan, why in found:
        print(f"  {scan.path}: {why} (list items {scan.list_items}, parsed {scan.parsed_items})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a studios folder: plugin/studios of a gigsmart/haiku-method checkout")
    parser.add_argument("--json", action="store_true", help="print the census as JSON")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(safe(f"no studios folder at {folder}"), file=sys.stderr)
        return 2
    result = census(folder)
    with safe_stdio():  # file names and problem texts come from third-party files
        if args.json:
            payload = {
                "folder": result["folder"],
                "totals": _totals(result["studios"]),
                "file_totals": _file_totals(result["files"]),
                "studios": [asdict(r) for r in result["studios"]],
                "files": [asdict(s) for s in result["files"]],
                "mismatches": [{"path": s.path, "why": why} for s, why in mismatches(result["files"])],
            }
            print(json.dumps(payload, indent=2))
        else:
            print_report(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
