"""Refusals before input (issue 13): a dialog whose command the walk refuses whatever is typed does
not open; the refusal is said at once, in the command's own words (`a` on a waiting unit opened
the hand-off dialog and refused only after the message was typed, losing it)."""

from __future__ import annotations

import pytest
from helpers import settle

from cockpit.app import demo
from screens.app import CockpitApp
from screens.dialogs import _Modal
from screens.intent_view import IntentView

pytestmark = pytest.mark.anyio

OPS = demo.OPERATIONS


def refusals(app: CockpitApp) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Refused"]


async def open_ops(app: CockpitApp, pilot, unit: str | None = None) -> IntentView:
    await settle(app, pilot)
    view = app.screen
    assert isinstance(view, IntentView)
    if unit is not None:
        view.selected_unit = unit
        view.show(view.position)
    return view


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("a", "unit pool-slo-alerts waits on deploy-pool-limits"),
        ("r", "unit pool-slo-alerts waits on deploy-pool-limits"),
        ("A", "the gate of operations is not open: it is in execute"),
        ("X", "the gate of operations is not open: it is in execute"),
    ],
)
async def test_a_key_the_walk_refuses_says_why_and_opens_no_dialog(seeded, key, said):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=OPS)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_ops(app, pilot, "pool-slo-alerts")
        before = seeded.store.last_event_id()
        await pilot.press(key)
        await settle(app, pilot)
        assert app.screen is view and not isinstance(app.screen, _Modal)
        assert any(m.startswith(said) for m in refusals(app)), refusals(app)
    assert seeded.store.last_event_id() == before


async def test_send_back_from_the_first_fix_hat_is_refused_before_the_reason_is_asked(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=OPS)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_ops(app, pilot)
        finding = view.position.open_findings[0]
        assert finding.hat == "classifier"  # the first hat of the fix loop
        view._finding_action(finding, "send_back")
        await settle(app, pilot)
        assert app.screen is view
        assert any("the first fix hat: there is no hat to send it back to" in m for m in refusals(app))


async def test_a_unit_that_can_move_still_gets_its_hand_off_dialog(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=OPS)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ops(app, pilot, "deploy-pool-limits")  # held by its sre hat
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, _Modal) and refusals(app) == []
