"""Walk helpers shared by the unit, Pilot and snapshot tests."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from cockpit.app.demo import complete_stage, sign_all
from cockpit.app.engine import Engine
from cockpit.domain import commands as c
from cockpit.sources.unit_files import read_unit_files

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # the fixed start of the tests' stepping clock
NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # the fixed moment every screen test is drawn at
CHECK_FIXTURES = REPO / "tests" / "fixtures" / "checks"

# Unit bodies that pass the engine's checks, for stages that declare them (and the investigate
# output the resolve body quotes): walk tests get past the verifier as a real write-up would.
STAGE_BODIES = {
    "investigate": (CHECK_FIXTURES / "investigate-root-cause.md").read_text(),
    "resolve": (CHECK_FIXTURES / "resolve" / "pass.md").read_text(),
    "operations": (CHECK_FIXTURES / "operations" / "pass.md").read_text(),
    "postmortem": (CHECK_FIXTURES / "postmortem" / "pass.md").read_text(),
}


def new_incident(engine: Engine, upto: str | None = None, slug: str = "inc") -> str:
    """An incident-response intent whose stages before `upto` are complete."""
    engine.create_intent(studio="incident-response", title="Checkout 5xx", slug=slug)
    for stage in engine.catalog.get("incident-response").stage_names:
        if stage == upto:
            break
        body = STAGE_BODIES.get(stage, "")
        complete_stage(
            engine, slug, stage, [(f"{stage}-work", f"Work of {stage}", body, ())], evidence="https://git.example/pr/1"
        )
    return slug


def to_execute(engine: Engine, slug: str, units: list[tuple[str, tuple[str, ...]]]) -> None:
    """Add units to the active stage, declare them ready and sign off every reviewer."""
    active = engine.position(slug).active
    body = STAGE_BODIES.get(active.name, "") if active.stage.checks else ""
    for unit, deps in units:
        engine.run(slug, c.add_unit, title=f"Unit {unit}", unit=unit, depends_on=deps, body=body)
    engine.run(slug, c.declare_ready)
    active = engine.position(slug).active
    for unit, role in active.missing_review:
        engine.run(slug, c.signoff, unit=unit, role=role)


def to_gate(engine, slug: str) -> None:
    active = engine.position(slug).active
    unit = f"{active.name}-work"
    to_execute(engine, slug, [(unit, ())])
    for _ in range(len(active.stage.hats) + 1):
        engine.run(slug, c.advance_hat, unit=unit, message="done")
    sign_all(engine, slug)
    assert engine.position(slug).active.phase == "gate"


# Set-ups shared by the check and gate tests (engine, CLI, stored redaction, hostile pty).

GOOD_OPS = (CHECK_FIXTURES / "operations" / "pass.md").read_text()
NO_ROLLBACK = (CHECK_FIXTURES / "operations" / "fail-rollback.md").read_text()


def ops_intent(engine: Engine, *units: tuple[str, str]) -> str:
    """A software intent in operations/execute with the given (slug, body) units, reviewed."""
    engine.create_intent(studio="software", title="Pool limits", slug="ops")
    for stage in ("inception", "design", "product", "development"):
        complete_stage(engine, "ops", stage, [(f"{stage}-u", "u", "", ())], evidence="https://git.example/pr/1")
    for slug, body in units:
        engine.run("ops", c.add_unit, title=slug, unit=slug, body=body)
    engine.run("ops", c.declare_ready)
    sign_all(engine, "ops")
    return "ops"


def gate_with_blockers(engine: Engine, blockers: int, slug: str = "inc") -> str:
    """A new incident at its resolve gate (one unit, walked and signed off) with `blockers`
    blocking findings whose titles wrap at 80 columns: the approve dialog at its fullest."""
    new_incident(engine, upto="resolve", slug=slug)
    engine.run(slug, c.add_unit, title="Build the truststore at deploy time", unit="fix", body=STAGE_BODIES["resolve"])
    engine.run(slug, c.declare_ready)
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    engine.run(slug, c.advance_hat, unit="fix")
    for hat in ("engineer", "reviewer", "verifier"):
        engine.run(slug, c.advance_hat, unit="fix", message=f"{hat}: checklist met")
    engine.run(slug, c.signoff, unit="fix", role="correctness")
    for n in range(blockers):
        engine.run(
            slug,
            c.file_feedback,
            title=f"Blocking finding {n} whose title is long enough to wrap at eighty columns",
            severity="blocker",
            unit="fix",
        )
    return slug


def to_verifier(engine: Engine, slug: str, unit: str) -> None:
    for _ in range(3):  # start, ops-engineer → sre, sre → verifier
        engine.run(slug, c.advance_hat, unit=unit, message="ok")


def unit_file(tmp_path, gates: str) -> str:
    folder = tmp_path / "units"
    folder.mkdir(exist_ok=True)
    path = folder / "unit-01-fix.md"
    path.write_text(f"---\ntitle: Keep counters across failover\nquality_gates:\n{gates}---\n{STAGE_BODIES['resolve']}")
    return str(path)


def resolve_intent(engine: Engine, path: str) -> str:
    slug = new_incident(engine, upto="resolve")
    files, problems = read_unit_files([path])
    assert not problems
    engine.run(slug, c.import_units, files=tuple(files))
    return slug


async def settle(app, pilot, rounds: int = 4) -> None:
    """Let the app's workers finish and the screen catch up. A worker superseded by a newer one
    of its exclusive group (a reload, a search typed on) is cancelled: that is not a failure."""
    for _ in range(rounds):
        await workers_done(app)
        await pilot.pause()


async def fill(pilot, text: str) -> None:
    """Put `text` in the focused field as if typed (key by key costs a wait per key); for the
    tests where typing itself is not what is tested."""
    from textual.widgets import Input

    await pilot.pause()
    field = pilot.app.focused
    if isinstance(field, Input):
        field.value = text
        field.cursor_position = len(text)
    else:
        field.insert(text)  # a TextArea, at its cursor
    await pilot.pause()


async def workers_done(app) -> None:
    from textual.worker import WorkerCancelled

    try:
        await app.workers.wait_for_complete()
    except WorkerCancelled:
        pass


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Poll the app until `condition()` holds. For states reached while a worker waits on a
    dialog (the assist's send preview): `settle` would wait for that worker forever."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {condition}")


def plant_corpus(engine: Engine, slug: str, unit: str) -> str:
    """Every secret of tests/secrets_corpus.py where an engineer might paste it: the unit body, a
    finding on the unit, and the hand-off message of its first hat (also in the timeline). Returns
    the finding's ref."""
    from secrets_corpus import SECRETS

    planted = "\n".join(s.context for s in SECRETS)
    engine.run(slug, c.edit_unit, unit=unit, body=f"## Notes from the bridge\n{planted}\n")
    engine.run(slug, c.file_feedback, title="Credentials pasted in the incident channel", body=planted, unit=unit)
    engine.run(slug, c.advance_hat, unit=unit)  # starts the unit: the first hat holds the baton
    engine.run(slug, c.advance_hat, unit=unit, message=f"handing over; what I found:\n{planted}")
    return engine.position(slug).findings[-1].feedback.ref


# Git, for the tests that need a real repository (local only: no network).

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}


def git(repo: Path | str, *args: str) -> str:
    """Run git in `repo` as a fixed author; its stdout, stripped."""
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout.strip()


def repo_with_branch(root: Path, branch: str) -> Path:
    """A repository at `root` on main with one commit, and `branch` one commit ahead of it (not merged)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    (root / "a").write_text("a")
    git(root, "add", "a")
    git(root, "commit", "-q", "-m", "first")
    git(root, "checkout", "-q", "-b", branch)
    (root / "b").write_text("b")
    git(root, "add", "b")
    git(root, "commit", "-q", "-m", branch)
    git(root, "checkout", "-q", "main")
    return root
