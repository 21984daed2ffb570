"""Load studio folders (H·AI·K·U layout) into Studio definitions, collecting located problems.

A broken studio is skipped and reported as `path:line: reason`; the others still load.
Keys we do not use stay in `meta`, so a studio from a real H·AI·K·U checkout loads unchanged.
The parsed catalog is cached between runs, keyed by the files' content (see studio_cache.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.domain.studio import GATE_KINDS, Hat, ReviewAgent, Stage, Studio, Template
from cockpit.errors import NotFound, SourceError

if TYPE_CHECKING:
    from cockpit.text import frontmatter

CHECKLIST_HEADING = "Hand-off checklist"


@dataclass
class Catalog:
    studios: dict[str, Studio] = field(default_factory=dict)
    problems: list[SourceError] = field(default_factory=list)

    def get(self, name: str) -> Studio:
        for studio in self.studios.values():
            if name in studio.ids():
                return studio
        known = ", ".join(sorted(self.studios)) or "none loaded"
        broken = [p for p in self.problems if f"{os.sep}{name}{os.sep}" in p.path]
        if broken:  # it exists but failed to load: say why, where
            raise NotFound(
                f"studio {name!r} failed to load: {broken[0]}"
                + (f" (and {len(broken) - 1} more)" if len(broken) > 1 else "")
            )
        raise NotFound(f"unknown studio {name!r} (known: {known})")


def bundled_studios_dir() -> Path:
    """The studios shipped with cockpit: inside the wheel, or the repo's top-level folder."""
    here = Path(__file__).resolve().parent.parent  # the cockpit package
    installed = here / "_studios"
    return installed if installed.is_dir() else here.parent / "studios"


def load_catalog(extra_dirs: Iterable[str | os.PathLike[str]] = (), *, cache: bool = True) -> Catalog:
    """Bundled studios first, then each extra folder; a later studio of the same name wins.
    `cache`: reuse the catalog parsed by an earlier run when none of the files changed."""
    dirs = [bundled_studios_dir(), *(Path(d) for d in extra_dirs)]
    if cache:
        from cockpit.sources import studio_cache

        return studio_cache.cached(dirs, _parse_catalog)
    return _parse_catalog(dirs)


def _parse_catalog(dirs: list[Path]) -> Catalog:
    catalog = Catalog()
    shared: dict[str, Hat | None] = {}
    for root in dirs:
        if not root.is_dir():
            catalog.problems.append(SourceError(str(root), 1, "studios folder not found"))
            continue
        shared.update(_load_hat_dir(root / "hats", catalog.problems))
    for root in dirs:
        if not root.is_dir():
            continue
        for entry in sorted(root.iterdir()):
            if not entry.is_dir() or entry.name == "hats" or entry.name.startswith((".", "_")):
                continue
            if not (entry / "STUDIO.md").is_file():
                if (entry / "stages").is_dir():
                    catalog.problems.append(SourceError(str(entry / "STUDIO.md"), 1, "studio folder has no STUDIO.md"))
                continue
            problems: list[SourceError] = []
            studio = _load_studio(entry, shared, problems)
            catalog.problems.extend(problems)
            if studio is not None and not problems:
                catalog.studios[studio.name] = studio
    return catalog


def _items(body: str, heading: str) -> list[str]:
    from cockpit.text import frontmatter

    return frontmatter.section_items(body, heading)


def _title(doc: frontmatter.Document, fallback: str) -> str:
    match = re.search(r"^#\s+(.+?)\s*$", doc.body, re.MULTILINE)
    return match.group(1) if match else fallback.replace("-", " ").title()


def _read(path: Path, problems: list[SourceError]) -> frontmatter.Document | None:
    from cockpit.text import frontmatter  # YAML: imported only when a studio is parsed, not on a cache hit

    try:
        return frontmatter.read(str(path))
    except SourceError as exc:
        problems.append(exc)
        return None


def _load_hat(path: Path, problems: list[SourceError]) -> Hat | None:
    doc = _read(path, problems)
    if doc is None:
        return None
    name = str(doc.meta.get("name") or path.stem)
    checklist = tuple(_items(doc.body, CHECKLIST_HEADING))
    return Hat(name, _title(doc, name), doc.body, checklist, str(path), doc.meta)


def _load_hat_dir(folder: Path, problems: list[SourceError]) -> dict[str, Hat | None]:
    """Hats by file stem; a file that failed to load maps to None (already reported)."""
    hats: dict[str, Hat | None] = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            hats[path.stem] = _load_hat(path, problems)
    return hats


def _load_agents(folder: Path, problems: list[SourceError], scope: str) -> dict[str, ReviewAgent]:
    agents: dict[str, ReviewAgent] = {}
    if not folder.is_dir():
        return agents
    for path in sorted(folder.glob("*.md")):
        doc = _read(path, problems)
        if doc is None:
            continue
        name = str(doc.meta.get("name") or path.stem)
        agents[path.stem] = ReviewAgent(
            name=name,
            title=_title(doc, name),
            body=doc.body,
            checks=tuple(_items(doc.body, "Check")),
            failure_modes=tuple(_items(doc.body, "Common failure modes")),
            path=str(path),
            scope=str(doc.meta.get("scope") or scope),
            meta=doc.meta,
        )
    return agents


def _load_templates(folder: Path, kind: str, problems: list[SourceError]) -> list[Template]:
    templates: list[Template] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            doc = _read(path, problems)
            if doc is not None:
                name = str(doc.meta.get("name") or path.stem)
                templates.append(Template(name, kind, _title(doc, name), doc.body, str(path), doc.meta))
    return templates


def _name_list(doc: frontmatter.Document, key: str, problems: list[SourceError], required: bool) -> tuple[str, ...]:
    value = doc.meta.get(key)
    if value is None:
        if required:
            problems.append(SourceError(doc.path, doc.line_of(key), f"`{key}:` is required"))
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(SourceError(doc.path, doc.line_of(key), f"`{key}:` must be a list of names"))
        return ()
    if required and not value:
        problems.append(SourceError(doc.path, doc.line_of(key), f"`{key}:` must name at least one"))
    return tuple(value)


def _gate(doc: frontmatter.Document, problems: list[SourceError]) -> tuple[str, ...]:
    value = doc.meta.get("review", "auto")
    kinds = [value] if isinstance(value, str) else value
    if not isinstance(kinds, list) or not kinds or not all(k in GATE_KINDS for k in kinds):
        problems.append(
            SourceError(
                doc.path,
                doc.line_of("review"),
                f"`review:` must be one of {', '.join(GATE_KINDS)} or a list of them, not {value!r}",
            )
        )
        return ("ask",)
    return tuple(dict.fromkeys(kinds))


def _checks(doc: frontmatter.Document, problems: list[SourceError]) -> tuple[str, ...]:
    """`checks:` names engine-run checks; an id the engine does not know is a load error at its line."""
    from cockpit.checks.registry import known_ids  # imports every check: only when a studio is parsed

    names = _name_list(doc, "checks", problems, required=False)
    known = known_ids()
    for name in names:
        if name not in known:
            problems.append(
                SourceError(
                    doc.path, doc.line_of("checks", name), f"unknown check {name!r} (known: {', '.join(known)})"
                )
            )
    return tuple(dict.fromkeys(n for n in names if n in known))


def _load_stage(
    folder: Path, studio_fix_hats: dict[str, Hat | None], shared: dict[str, Hat | None], problems: list[SourceError]
) -> tuple[Stage, dict[str, ReviewAgent], frontmatter.Document] | None:
    doc = _read(folder / "STAGE.md", problems)
    if doc is None:
        return None
    before = len(problems)
    hats = _name_list(doc, "hats", problems, required=True)
    fix_hats = _name_list(doc, "fix_hats", problems, required=False)
    gate = _gate(doc, problems)
    checks = _checks(doc, problems)
    own_hats = _load_hat_dir(folder / "hats", problems)
    hat_defs: dict[str, Hat] = {}
    for key, names in (("hats", hats), ("fix_hats", fix_hats)):
        for name in names:
            found = next((d for d in (own_hats, studio_fix_hats, shared) if name in d), None)
            hat = found[name] if found is not None else None
            if found is None:
                problems.append(
                    SourceError(
                        doc.path, doc.line_of(key, name), f"hat {name!r} named in `{key}:` has no file hats/{name}.md"
                    )
                )
            elif hat is not None:
                hat_defs[name] = hat
    agents = _load_agents(folder / "review-agents", problems, "stage")
    templates = _load_templates(folder / "outputs", "output", problems) + _load_templates(
        folder / "discovery", "discovery", problems
    )
    inputs = doc.meta.get("inputs") or []
    if not isinstance(inputs, list):
        problems.append(
            SourceError(doc.path, doc.line_of("inputs"), "`inputs:` must be a list of {stage, discovery|output}")
        )
        inputs = []
    if len(problems) > before:
        return None
    stage = Stage(
        name=str(doc.meta.get("name") or folder.name),
        description=str(doc.meta.get("description") or ""),
        hats=hats,
        fix_hats=fix_hats,
        gate=gate,
        elaboration=str(doc.meta.get("elaboration") or "autonomous"),
        reviewers=tuple(agents.values()),
        hat_defs=hat_defs,
        templates=tuple(templates),
        inputs=tuple(i for i in inputs if isinstance(i, dict)),
        checks=checks,
        body=doc.body,
        path=doc.path,
        meta=doc.meta,
    )
    return stage, agents, doc


def _load_studio(folder: Path, shared: dict[str, Hat | None], problems: list[SourceError]) -> Studio | None:
    doc = _read(folder / "STUDIO.md", problems)
    if doc is None:
        return None
    stage_names = _name_list(doc, "stages", problems, required=True)
    fix_hats = _load_hat_dir(folder / "fix-hats", problems)
    loaded: dict[str, tuple[Stage, dict[str, ReviewAgent], frontmatter.Document]] = {}
    for name in stage_names:
        stage_md = folder / "stages" / name / "STAGE.md"
        if not stage_md.is_file():
            problems.append(
                SourceError(doc.path, doc.line_of("stages", name), f"stage {name!r} has no stages/{name}/STAGE.md")
            )
            continue
        result = _load_stage(stage_md.parent, fix_hats, shared, problems)
        if result is not None:
            loaded[name] = result
    stages: list[Stage] = []
    for stage, _agents, stage_doc in loaded.values():
        borrowed = list(stage.reviewers)
        for include in stage.meta.get("review-agents-include") or []:
            source = include.get("stage") if isinstance(include, dict) else None
            for agent_name in (include.get("agents") or []) if isinstance(include, dict) else []:
                agent = loaded.get(source, (None, {}, None))[1].get(agent_name) if source else None
                if agent is None:
                    problems.append(
                        SourceError(
                            stage_doc.path,
                            stage_doc.line_of("review-agents-include"),
                            f"borrowed review agent {source}/{agent_name} not found",
                        )
                    )
                elif agent.name not in {a.name for a in borrowed}:
                    borrowed.append(agent)
        stages.append(replace(stage, reviewers=tuple(borrowed)))
    aliases = doc.meta.get("aliases") or []
    return Studio(
        name=str(doc.meta.get("name") or folder.name),
        aliases=tuple(str(a) for a in (aliases if isinstance(aliases, list) else [aliases])),
        description=str(doc.meta.get("description") or ""),
        category=str(doc.meta.get("category") or "general"),
        stages=tuple(stages),
        reviewers=tuple(_load_agents(folder / "review-agents", problems, "intent").values()),
        slug=str(doc.meta["slug"]) if doc.meta.get("slug") else None,
        path=str(folder),
        meta=doc.meta,
    )
