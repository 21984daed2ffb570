"""Real-format (H·AI·K·U bold-label) studio files for the loader tests, written in our own words."""

from __future__ import annotations

from pathlib import Path

MAKER_HAT = """---
name: maker
stage: build
studio: software
---

**Focus:** Turn the agreed plan into a working change, one small
verified step at a time.

**Produces:** A change on the branch that passes the suite, with its files named in the unit.

**Reads:** The plan and the unit's references.

**Anti-patterns (RFC 2119):**
- The agent **MUST NOT** start before reading the unit's criteria
- The agent **MUST NOT** silence a failing check to get green
- The agent **MUST** leave each step committed
  so nothing is lost on a reset
- The agent **SHOULD** split a step that grows:
  - by file
  - by behaviour

When blocked, the agent **MUST** say so in the unit.
"""

CHECKER_HAT = """---
name: checker
stage: build
studio: software
---

**Focus:** Confirm the change does what the unit promised.

**Produces:**
1. A verdict: pass or send back
2. The list of gaps, if any

**Anti-patterns (RFC 2119):**
- The agent **MUST NOT** pass work it did not run
"""

GUARD_AGENT = """---
name: guard
stage: build
studio: software
interpretation: lens
---

**Mandate:** The agent **MUST** find ways the change could leak or corrupt data.

**Check:**
- The agent **MUST** verify that every input from outside is validated
- The agent **MUST** verify that no credential is written to a log
- The agent **MUST NOT** accept a *claim* of safety without [evidence](https://example.invalid)

**Anti-patterns (RFC 2119):**
- The agent **MUST NOT** file style remarks as findings
"""

STAGE = """---
name: build
description: Make the change
hats: [maker, checker]
review: ask
---

# Build
"""

ELABORATION = """---
criteria_focus: testable
---

# Build — elaboration

Write criteria a command can prove.
"""

EXECUTION = "# Build — execution\n\nSmall steps, each one green.\n"


def write_real_studio(root: Path, *, folder: str = "software", name: str = "application-development") -> Path:
    """A one-stage studio in the real layout: folder `software`, name application-development, slug
    appdev, alias software (as the public software studio declares them)."""
    studio = root / folder
    stage = studio / "stages" / "build"
    for sub in ("hats", "review-agents", "phases"):
        (stage / sub).mkdir(parents=True, exist_ok=True)
    (studio / "STUDIO.md").write_text(
        f"---\nname: {name}\nslug: appdev\naliases: [software]\ndescription: Ship software\nstages: [build]\n---\n"
    )
    (stage / "STAGE.md").write_text(STAGE)
    (stage / "hats" / "maker.md").write_text(MAKER_HAT)
    (stage / "hats" / "checker.md").write_text(CHECKER_HAT)
    (stage / "review-agents" / "guard.md").write_text(GUARD_AGENT)
    (stage / "phases" / "ELABORATION.md").write_text(ELABORATION)
    (stage / "phases" / "EXECUTION.md").write_text(EXECUTION)
    return studio
