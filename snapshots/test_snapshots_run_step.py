"""Running a runbook step (issue 16), at 80x24 and 160x48 with a fixed clock, host, user and
folder: the dry run of a destructive step waiting for its target to be typed, and the run pane
after a read-only step streamed its output."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import NOW, workers_done
from snapshot_harness import SIZES

from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.clock import fixed_clock
from cockpit.runbooks.index import index_library
from cockpit.sources import step_runner
from cockpit.sources.studios import load_catalog
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.run_step import RunStep
from screens.runbooks import RunbookScreen

RUNBOOK = """# Checkout pods

## Look at the pods

```sh
echo "checkout-7f9   Running   3 restarts"; echo "checkout-8c1   Running   0 restarts"
```

## Delete the stuck pod

```sh
kubectl delete pod checkout-7f9 --namespace payments
```
"""


@pytest.fixture
def app(tmp_path, monkeypatch) -> CockpitApp:
    monkeypatch.setattr(step_runner, "host_name", lambda: "oncall-laptop")
    monkeypatch.setattr(step_runner, "user_name", lambda: "sam")
    monkeypatch.chdir("/")
    real = step_runner.run_step

    def timed_fixed(*args, **kwargs):  # a loaded machine takes longer to start the shell: not drawn
        return dataclasses.replace(real(*args, **kwargs), duration_ms=40)

    monkeypatch.setattr(step_runner, "run_step", timed_fixed)
    engine = Engine(Store(tmp_path / "rb.db"), load_catalog(), clock=fixed_clock(NOW), actor="oncall")
    demo.seed(engine)
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "checkout-pods.md").write_text(RUNBOOK)
    index_library(engine.store, [folder], clock=fixed_clock(NOW))
    return CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=3600)


def open_block(block: int, *then: str):
    async def run(pilot) -> None:
        app = pilot.app
        await workers_done(app)
        await pilot.pause()
        app.push_screen(RunbookScreen(demo.INCIDENT, open_name="checkout-pods"))
        for _ in range(50):
            await pilot.pause(0.05)
            if getattr(app.screen, "runbook", None) is not None:
                break
        await pilot.press("x")
        await workers_done(app)
        await pilot.pause()
        await pilot.press(*["j"] * (block - 1), "enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, RunStep):
                break
        for key in then:
            await pilot.press(key)
        for _ in range(100):
            await pilot.pause(0.05)
            if not then or getattr(app.screen, "state", "") == "done":
                break
        await workers_done(app)
        app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dry_run_of_a_destructive_step(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=open_block(2))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_run_pane_after_a_read_step(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=open_block(1, "y"))
