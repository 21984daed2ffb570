"""Phase guidance (a stage's phases/*.md) goes with the hat's mandate to the model, for the phase the
stage is in, through the one redaction: the engine feeds a phase's guidance to the hats of that phase
(gigsmart/haiku-method packages/haiku/src/studio-reader.ts, `readPhaseOverride`)."""

from __future__ import annotations

import shutil
from datetime import timedelta

from helpers import T0, new_incident, to_execute

from cockpit.app.engine import Engine
from cockpit.assist.prompt import build_prompt
from cockpit.clock import stepping_clock
from cockpit.domain.studio import Stage
from cockpit.sources.studios import bundled_studios_dir, load_catalog
from cockpit.store.database import Store

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # secret-shaped, built at run time


def _stage(**phases: str) -> Stage:
    return Stage("s", "", ("h",), (), ("auto",), "autonomous", (), {}, phases=phases)


def test_a_walk_phase_finds_its_guidance_file():
    stage = _stage(execution="Keep steps small.", elaboration="Criteria a command proves.")
    assert stage.guidance("execute") == "## Phase guidance: execution\n\nKeep steps small."
    assert stage.guidance("elaborate").endswith("Criteria a command proves.")
    assert stage.guidance("gate") == "" and _stage().guidance("execute") == ""


def test_the_draft_prompt_carries_the_execute_guidance_redacted(tmp_path):
    studios = tmp_path / "studios"
    shutil.copytree(bundled_studios_dir() / "incident-response", studios / "incident-response")
    phases = studios / "incident-response" / "stages" / "resolve" / "phases"
    (phases / "EXECUTION.md").write_text(f"# Resolve — execution\n\nEXEC-GUIDE: ship behind a flag. {TOKEN}\n")
    catalog = load_catalog([studios], cache=False, project=None)
    engine = Engine(Store(":memory:"), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="t")
    new_incident(engine, upto="resolve")
    to_execute(engine, "inc", [("fix", ())])
    system = "\n".join(b["text"] for b in build_prompt(engine.position("inc"), "draft", unit="fix").system)
    assert "## Phase guidance: execution" in system and "EXEC-GUIDE: ship behind a flag." in system
    assert system.index("# Hat: Engineer") < system.index("EXEC-GUIDE")  # after the hat's mandate
    assert TOKEN not in system  # through the one redaction, like the rest of the prompt
