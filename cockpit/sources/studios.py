"""Load studio folders (H·AI·K·U layout) into Studio definitions, collecting located problems.

A broken studio is skipped and reported as `path:line: reason`; the others still load.
Keys we do not use stay in `meta`, so a studio from a real H·AI·K·U checkout loads unchanged.
The parsed catalog is cached between runs, keyed by the files' content (see studio_cache.py).

Which definition an id names, as the H·AI·K·U engine resolves it (packages/haiku/src/studio-reader.ts,
`resolveStudio`): a studio answers to its folder name, `name`, `slug` and `aliases`, case-insensitively.
The folders are read in rising precedence: the bundled studios, the config's `studios` folders, the
`--studios` folders, and last a project's `.haiku/studios` (found by walking up from the current
directory). A studio answering to an id wins it from every earlier studio answering to the same id;
one that loses its name, or every id, is *shadowed* (kept in `Catalog.shadowed`, said by
`cockpit studios`). A project folder named after an id of a loaded studio is an overlay of that studio,
one file at a time (see studio_files.py); one that names none must be a whole studio (a STUDIO.md).
Hat checklists and reviewer checks come from the bodies in either form (see studio_items.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from cockpit.domain.studio import GATE_KINDS, Hat, ReviewAgent, Stage, Studio, Template
from cockpit.errors import NotFound, SourceError
from cockpit.sources.studio_files import StudioFiles, read_document

if TYPE_CHECKING:
    from cockpit.text import frontmatter

BUNDLED = "bundled"


class Shadowed(NamedTuple):
    """A studio hidden by later ones: `by` names the studios that took its ids."""

    studio: Studio
    by: tuple[str, ...]


@dataclass
class Catalog:
    studios: dict[str, Studio] = field(default_factory=dict)
    problems: list[SourceError] = field(default_factory=list)
    index: dict[str, str] = field(default_factory=dict)  # every id, lower case → the name of the studio it resolves to
    shadowed: list[Shadowed] = field(default_factory=list)
    # Every id (lower case) of a studio that failed to load and would have won it (a later folder
    # than the studio loaded under that id, or none loaded): its problems. Such an id is refused,
    # never silently answered by another definition (the bundled `software` for a broken real one).
    failed: dict[str, list[SourceError]] = field(default_factory=dict)

    def get(self, name: str) -> Studio:
        broken = self.failed.get(name.lower())
        if broken:  # it exists but failed to load: say why, where
            raise NotFound(
                f"studio {name!r} failed to load: {broken[0]}"
                + (f" (and {len(broken) - 1} more)" if len(broken) > 1 else "")
            )
        found = self.index.get(name.lower())
        studio = self.studios.get(found) if found is not None else None
        if studio is not None:
            return studio
        known = ", ".join(sorted(self.studios)) or "none loaded"
        raise NotFound(f"unknown studio {name!r} (known: {known})")

    def resolutions(self) -> dict[str, str]:
        """Every id (lower case) → the studio name it resolves to, sorted by id."""
        return dict(sorted(self.index.items()))


def bundled_studios_dir() -> Path:
    """The studios shipped with cockpit: inside the wheel, or the repo's top-level folder."""
    here = Path(__file__).resolve().parent.parent  # the cockpit package
    installed = here / "_studios"
    return installed if installed.is_dir() else here.parent / "studios"


def find_project_studios(start: str | os.PathLike[str] = ".") -> Path | None:
    """The project's `.haiku/studios` folder (cockpit.sources.project), or None."""
    from cockpit.sources.project import find_project, studios_dir

    project = find_project(start)
    studios = studios_dir(project) if project is not None else None
    return studios if studios is not None and studios.is_dir() else None


def load_catalog(
    extra_dirs: Iterable[str | os.PathLike[str]] = (),
    *,
    cache: bool = True,
    project: str | os.PathLike[str] | None = ".",
) -> Catalog:
    """Bundled studios first, then each extra folder, then the project's overlays (see the module docstring).
    `project`: the folder from which a `.haiku/studios` is looked for upward (default: the current
    directory); None for no project overlays.
    `cache`: reuse the catalog parsed by an earlier run when none of the files changed."""
    dirs = [bundled_studios_dir(), *(Path(d) for d in extra_dirs)]
    overlay = find_project_studios(project) if project is not None else None

    def parse(_dirs: list[Path]) -> Catalog:
        return _parse_catalog(dirs, overlay)

    if cache:
        from cockpit.sources import studio_cache

        return studio_cache.cached([*dirs, *([overlay] if overlay else [])], parse, overlay=overlay is not None)
    return _parse_catalog(dirs, overlay)


_SharedHats = dict[str, tuple[Hat | None, bytes]]


def _studio_folders(root: Path) -> list[Path]:
    return [
        entry
        for entry in sorted(root.iterdir())
        if entry.is_dir() and entry.name != "hats" and not entry.name.startswith((".", "_"))
    ]


def _parse_catalog(dirs: list[Path], overlay: Path | None = None) -> Catalog:
    catalog = Catalog()
    shared: _SharedHats = {}
    for root in [*dirs, *([overlay] if overlay else [])]:
        if not root.is_dir():
            catalog.problems.append(SourceError(str(root), 1, "studios folder not found"))
            continue
        shared.update(_load_shared_hats(root / "hats", catalog.problems))
    loaded: list[Studio] = []  # in rising precedence
    # Each studio that failed: (how many had loaded before it, the ids it declares, its problems).
    failures: list[tuple[int, tuple[str, ...], list[SourceError]]] = []
    for root in dirs:
        if not root.is_dir():
            continue
        source = BUNDLED if root == dirs[0] else str(root)
        for entry in _studio_folders(root):
            if not (entry / "STUDIO.md").is_file():
                if (entry / "stages").is_dir():
                    catalog.problems.append(SourceError(str(entry / "STUDIO.md"), 1, "studio folder has no STUDIO.md"))
                continue
            before = len(catalog.problems)
            studio = _load_checked(StudioFiles(entry), shared, source, catalog.problems)
            if studio is not None:
                loaded.append(studio)
            else:
                failures.append((len(loaded), _declared_ids(entry), catalog.problems[before:]))
    if overlay is not None and overlay.is_dir():
        for entry in _studio_folders(overlay):
            base = _overlaid(entry.name, loaded)
            if base is None and not (entry / "STUDIO.md").is_file():
                catalog.problems.append(
                    SourceError(str(entry), 1, f"overlay {entry.name!r} names no loaded studio and has no STUDIO.md")
                )
                continue
            files = StudioFiles(Path(base.path), entry) if base is not None else StudioFiles(entry)
            studio = _load_checked(files, shared, base.source if base else str(overlay), catalog.problems)
            if studio is not None:
                if base is not None:
                    loaded.remove(base)  # the overlaid definition replaces its base
                loaded.append(studio)
    _resolve(catalog, loaded)
    position = {id(studio): n for n, studio in enumerate(loaded)}
    for loaded_before, ids, problems in failures:
        for ident in ids:
            owner = catalog.studios.get(catalog.index.get(ident, ""))
            if owner is None or position.get(id(owner), -1) < loaded_before:  # it would have won the id
                catalog.failed.setdefault(ident, problems)
    return catalog


def _declared_ids(folder: Path) -> tuple[str, ...]:
    """The ids a studio folder claims (folder name, and its STUDIO.md's name, slug and aliases when
    its frontmatter reads), lower case: so a broken studio still holds them against another."""
    from cockpit.text import frontmatter

    ids = [folder.name]
    try:
        meta = frontmatter.read(str(folder / "STUDIO.md")).meta
    except SourceError:
        meta = {}
    aliases = meta.get("aliases") or []
    for value in (meta.get("name"), meta.get("slug"), *(aliases if isinstance(aliases, list) else [aliases])):
        if isinstance(value, str) and value:
            ids.append(value)
    return tuple(dict.fromkeys(i.lower() for i in ids))


def _overlaid(folder: str, loaded: list[Studio]) -> Studio | None:
    """The studio a project folder overlays: the engine matches the folder name; we also accept any id."""
    for match in (
        lambda s: os.path.basename(s.path) == folder,
        lambda s: folder.lower() in (i.lower() for i in s.ids()),
    ):
        found = [s for s in loaded if match(s)]
        if found:
            return found[-1]  # the one that wins that id
    return None


def _resolve(catalog: Catalog, loaded: list[Studio]) -> None:
    """Give every id to the last studio answering to it; a studio that lost its name or every id is shadowed."""
    owner: dict[str, Studio] = {}
    for studio in loaded:
        for ident in studio.ids():
            owner[ident.lower()] = studio
    for studio in loaded:
        kept = [i for i in studio.ids() if owner[i.lower()] is studio]
        if owner[studio.name.lower()] is studio and catalog.studios.get(studio.name) is None:
            catalog.studios[studio.name] = studio
        else:
            winners = {owner[i.lower()].name: None for i in studio.ids() if owner[i.lower()] is not studio}
            catalog.shadowed.append(Shadowed(studio, tuple(winners)))
            for ident in kept:  # ids nobody else claims still need a studio that is listed
                del owner[ident.lower()]
    catalog.index = {ident: studio.name for ident, studio in owner.items()}


def _load_checked(files: StudioFiles, shared: _SharedHats, source: str, problems: list[SourceError]) -> Studio | None:
    found: list[SourceError] = []
    studio = _load_studio(files, shared, found)
    problems.extend(found)
    if studio is None or found:
        return None
    return replace(
        studio,
        digest=files.digest(),
        source=source,
        overlay=str(files.overlay) if files.overlay else "",
        overlaid=tuple(sorted(files.overlaid)),
    )


def _title(doc: frontmatter.Document, fallback: str) -> str:
    match = re.search(r"^#\s+(.+?)\s*$", doc.body, re.MULTILINE)
    return match.group(1) if match else fallback.replace("-", " ").title()


def _hat(doc: frontmatter.Document, stem: str) -> Hat:
    from cockpit.sources.studio_items import hat_checklist

    name = str(doc.meta.get("name") or stem)
    return Hat(name, _title(doc, name), doc.body, hat_checklist(doc.body), doc.path, doc.meta)


def _load_shared_hats(folder: Path, problems: list[SourceError]) -> _SharedHats:
    """A studios folder's shared hats by file stem, with their bytes (for the digest of a studio
    that names one); a file that failed to load maps to None (already reported)."""
    hats: _SharedHats = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            try:
                doc, data = read_document(path)
            except SourceError as exc:
                problems.append(exc)
                hats[path.stem] = (None, b"")
                continue
            hats[path.stem] = (_hat(doc, path.stem), data)
    return hats


def _load_hat_dir(files: StudioFiles, rel_dir: str, problems: list[SourceError]) -> dict[str, Hat | None]:
    """Hats by file stem; a file that failed to load maps to None (already reported)."""
    hats: dict[str, Hat | None] = {}
    for rel in files.markdown(rel_dir):
        stem = Path(rel).stem
        doc = files.read(rel, problems)
        hats[stem] = _hat(doc, stem) if doc is not None else None
    return hats


def _load_agents(files: StudioFiles, rel_dir: str, problems: list[SourceError], scope: str) -> dict[str, ReviewAgent]:
    from cockpit.sources.studio_items import reviewer_checks, reviewer_failure_modes

    agents: dict[str, ReviewAgent] = {}
    for rel in files.markdown(rel_dir):
        doc = files.read(rel, problems)
        if doc is None:
            continue
        stem = Path(rel).stem
        name = str(doc.meta.get("name") or stem)
        agents[stem] = ReviewAgent(
            name=name,
            title=_title(doc, name),
            body=doc.body,
            checks=reviewer_checks(doc.body),
            failure_modes=reviewer_failure_modes(doc.body),
            path=doc.path,
            scope=str(doc.meta.get("scope") or scope),
            meta=doc.meta,
        )
    return agents


def _load_templates(files: StudioFiles, rel_dir: str, kind: str, problems: list[SourceError]) -> list[Template]:
    templates: list[Template] = []
    for rel in files.markdown(rel_dir):
        doc = files.read(rel, problems)
        if doc is not None:
            name = str(doc.meta.get("name") or Path(rel).stem)
            templates.append(Template(name, kind, _title(doc, name), doc.body, doc.path, doc.meta))
    return templates


def _load_phases(files: StudioFiles, rel_dir: str, problems: list[SourceError]) -> dict[str, str]:
    """Phase guidance (`phases/ELABORATION.md`, `EXECUTION.md`, ...) by lower-case phase name."""
    phases: dict[str, str] = {}
    for rel in files.markdown(rel_dir):
        doc = files.read(rel, problems)
        if doc is not None:
            phases[Path(rel).stem.lower()] = doc.body.strip()
    return phases


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
    files: StudioFiles,
    rel: str,
    studio_fix_hats: dict[str, Hat | None],
    shared: _SharedHats,
    problems: list[SourceError],
) -> tuple[Stage, dict[str, ReviewAgent], frontmatter.Document] | None:
    doc = files.read(f"{rel}/STAGE.md", problems)
    if doc is None:
        return None
    before = len(problems)
    hats = _name_list(doc, "hats", problems, required=True)
    fix_hats = _name_list(doc, "fix_hats", problems, required=False)
    gate = _gate(doc, problems)
    checks = _checks(doc, problems)
    own_hats = _load_hat_dir(files, f"{rel}/hats", problems)
    hat_defs: dict[str, Hat] = {}
    for key, names in (("hats", hats), ("fix_hats", fix_hats)):
        for name in names:
            if name in own_hats or name in studio_fix_hats:
                hat = own_hats[name] if name in own_hats else studio_fix_hats[name]
            elif name in shared:
                hat, data = shared[name]
                files.record(f"@shared/hats/{name}.md", data)  # part of what this studio walks by
            else:
                problems.append(
                    SourceError(
                        doc.path, doc.line_of(key, name), f"hat {name!r} named in `{key}:` has no file hats/{name}.md"
                    )
                )
                continue
            if hat is not None:
                hat_defs[name] = hat
    agents = _load_agents(files, f"{rel}/review-agents", problems, "stage")
    templates = _load_templates(files, f"{rel}/outputs", "output", problems) + _load_templates(
        files, f"{rel}/discovery", "discovery", problems
    )
    phases = _load_phases(files, f"{rel}/phases", problems)
    inputs = doc.meta.get("inputs") or []
    if not isinstance(inputs, list):
        problems.append(
            SourceError(doc.path, doc.line_of("inputs"), "`inputs:` must be a list of {stage, discovery|output}")
        )
        inputs = []
    if len(problems) > before:
        return None
    stage = Stage(
        name=str(doc.meta.get("name") or Path(rel).name),
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
        phases=phases,
        body=doc.body,
        path=doc.path,
        meta=doc.meta,
    )
    return stage, agents, doc


def _load_studio(files: StudioFiles, shared: _SharedHats, problems: list[SourceError]) -> Studio | None:
    doc = files.read("STUDIO.md", problems)
    if doc is None:
        return None
    stage_names = _name_list(doc, "stages", problems, required=True)
    fix_hats = _load_hat_dir(files, "fix-hats", problems)
    loaded: dict[str, tuple[Stage, dict[str, ReviewAgent], frontmatter.Document]] = {}
    for name in stage_names:
        if files.path(f"stages/{name}/STAGE.md") is None:
            problems.append(
                SourceError(doc.path, doc.line_of("stages", name), f"stage {name!r} has no stages/{name}/STAGE.md")
            )
            continue
        result = _load_stage(files, f"stages/{name}", fix_hats, shared, problems)
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
        name=str(doc.meta.get("name") or files.base.name),
        aliases=tuple(str(a) for a in (aliases if isinstance(aliases, list) else [aliases])),
        description=str(doc.meta.get("description") or ""),
        category=str(doc.meta.get("category") or "general"),
        stages=tuple(stages),
        reviewers=tuple(_load_agents(files, "review-agents", problems, "intent").values()),
        slug=str(doc.meta["slug"]) if doc.meta.get("slug") else None,
        path=str(files.base),
        meta=doc.meta,
    )
