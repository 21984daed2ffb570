"""constraints.txt pins every distribution the project installs, within pyproject's ranges, so a new
release upstream cannot change what CI and the README install."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
# The installer itself (sqlite-utils requires pip): every venv has it, and pinning it would make
# the install command replace the installer it is running with.
INSTALLER = {"pip", "setuptools"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    found = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt:{number}: not an exact pin: {line!r}"
            found[canonical(name)] = version
    return found


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**default_environment(), "extra": extra}) for extra in extras or {""})


def test_every_pin_is_exact_and_within_the_projects_ranges():
    pinned = pins()
    for req in project_requirements():
        assert canonical(req.name) in pinned, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pinned[canonical(req.name)], prereleases=True), (
            f"constraints.txt pins {req.name}=={pinned[canonical(req.name)]}, outside pyproject's {req.specifier}"
        )


def test_every_distribution_installed_for_the_project_is_pinned():
    """Walk the requirement tree as installed here: a dependency added to pyproject (or pulled in by
    a new release of a direct one) must be pinned too."""
    pinned, missing, seen = pins(), [], set()
    todo = [(req, set(req.extras)) for req in project_requirements()]
    while todo:
        req, extras = todo.pop()
        name = canonical(req.name)
        if name in seen or name in INSTALLER or not applies(req, extras):
            continue
        seen.add(name)
        if name not in pinned:
            missing.append(req.name)
        for sub in metadata.requires(req.name) or []:
            child = Requirement(sub)
            if applies(child, set(req.extras)):
                todo.append((child, set(child.extras)))
    assert missing == [], f"not pinned in constraints.txt: {sorted(missing)}"
