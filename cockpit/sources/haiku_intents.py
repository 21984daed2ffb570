"""Read H·AI·K·U intent folders (`.haiku/intents/<slug>/`) from disk into
cockpit.domain.haiku_folder.IntentFolder: intent.md, intent-scope feedback/, and per stage its
state.json, elaboration.md, units/*.md and feedback/NN-*.md, and the cockpit sidecar
(cockpit.domain.haiku_sidecar: its text, decoded by the mapping). Each file keeps the digest of its
bytes. A file that cannot be read or parsed is a problem `path:line: reason` and is left out; the
rest of the folder is read.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from cockpit.domain.commands.names import title_controls
from cockpit.domain.haiku_folder import IntentFolder, SourceFile, StageFolder, is_feedback_name
from cockpit.domain.haiku_sidecar import SIDECAR
from cockpit.errors import SourceError
from cockpit.sources.project import find_project, first_link, intents_dir
from cockpit.text import frontmatter

MAX_FILE_BYTES = 4 * 1024 * 1024  # an intent's file is a page of text; anything larger is refused, not read


def intent_folders(path: str | os.PathLike[str]) -> tuple[Path | None, list[Path]]:
    """(project, intent folders) for `path`: one intent folder (it holds intent.md), or a project
    found upward as git finds .git, whose `.haiku/intents/*/intent.md` folders are listed by name."""
    here = Path(path).resolve()
    if (here / "intent.md").is_file():
        project = find_project(here)
        return project, [here]
    project = find_project(here)
    if project is None:
        return None, []
    root = intents_dir(project)
    folders = (
        sorted(p for p in root.iterdir() if not p.is_symlink() and (p / "intent.md").is_file()) if root.is_dir() else []
    )
    return project, folders


def _read(folder: Path, path: Path, problems: list[SourceError]) -> SourceFile | None:
    rel = path.relative_to(folder).as_posix()
    if first_link(folder, path.relative_to(folder).parts) is not None:
        problems.append(
            SourceError(str(path), 1, "a symbolic link: refused (an intent's files are read where they are)")
        )
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(SourceError(str(path), 1, f"{size:,} bytes: larger than an intent file can be, not read"))
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(SourceError(str(path), 1, exc.strerror or str(exc)))
        return None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(SourceError(str(path), 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None
    if path.suffix == ".jsonl":
        return SourceFile(rel, str(path), digest, text=text)
    if path.suffix == ".json":
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            problems.append(SourceError(str(path), exc.lineno, f"invalid JSON: {exc.msg}"))
            return None
        if not isinstance(data, dict):
            problems.append(SourceError(str(path), 1, "state.json must hold an object"))
            return None
        return SourceFile(rel, str(path), digest, data=data, text=text)
    try:
        doc = frontmatter.parse(str(path), text)
    except SourceError as exc:
        problems.append(exc)
        return None
    title = doc.meta.get("title")
    where = title_controls(title) if isinstance(title, str) else ""
    if where:  # a title heads lists, prompts and commit messages: plain text only, as `unit add` requires
        problems.append(SourceError(str(path), doc.line_of("title"), f"the title holds control characters ({where})"))
        return None
    return SourceFile(rel, str(path), digest, doc=doc, text=text)


def _markdown(folder: Path, directory: Path, problems: list[SourceError], *, numbered: bool) -> tuple[SourceFile, ...]:
    if not directory.is_dir():
        return ()
    names = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix == ".md")
    if numbered:
        names = [p for p in names if is_feedback_name(p.name)]
    return tuple(f for f in (_read(folder, p, problems) for p in names) if f is not None)


def read_intent_folder(path: str | os.PathLike[str]) -> tuple[IntentFolder | None, list[SourceError], set[str]]:
    """(the folder, or None when its intent.md cannot be read; the problems; every path relative to
    the folder that was found, readable or not)."""
    folder = Path(path)
    problems: list[SourceError] = []
    present: set[str] = set()
    intent = _read(folder, folder / "intent.md", problems)
    stages: list[StageFolder] = []
    stages_dir = folder / "stages"
    for stage_dir in sorted(p for p in stages_dir.iterdir() if p.is_dir()) if stages_dir.is_dir() else []:
        state_path, elaboration_path = stage_dir / "state.json", stage_dir / "elaboration.md"
        state = _read(folder, state_path, problems) if state_path.is_file() else None
        elaboration = _read(folder, elaboration_path, problems) if elaboration_path.is_file() else None
        units = _markdown(folder, stage_dir / "units", problems, numbered=False)
        feedback = _markdown(folder, stage_dir / "feedback", problems, numbered=True)
        stages.append(StageFolder(stage_dir.name, state, elaboration, units, feedback))
    scope = _markdown(folder, folder / "feedback", problems, numbered=True)
    for directory in [
        folder / "feedback",
        *(d / sub for d in (stages_dir.iterdir() if stages_dir.is_dir() else []) for sub in ("units", "feedback")),
    ]:
        if directory.is_dir():
            present |= {p.relative_to(folder).as_posix() for p in directory.iterdir() if p.suffix == ".md"}
    sidecar_path = folder / SIDECAR
    sidecar = None
    if sidecar_path.is_file() and not sidecar_path.is_symlink():
        sidecar = _read(folder, sidecar_path, problems)
    if intent is None:
        return None, problems, present
    return IntentFolder(folder.name, str(folder), intent, tuple(stages), scope, sidecar), problems, present
