"""Pilot tests of the assist pane, through the real Anthropic SDK against the loopback fake API.

Each asserts what the engineer sees and what is stored; the fake asserts that no planted secret
ever reaches it.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import pytest
from fake_anthropic import closed_port_url, fake_api_fixture
from helpers import NOW, new_incident, settle, to_execute, until

from cockpit.app.engine import Engine
from cockpit.assist.client import Assistant
from cockpit.assist.settings import LLMSettings
from cockpit.clock import fixed_clock
from cockpit.domain import commands as c
from cockpit.store.database import Store
from screens.app import CockpitApp
from screens.assist import AssistScreen
from screens.dialogs import SendPreview

pytestmark = pytest.mark.anyio
PLANTED = "AKIAIOSFODNN7EXAMPLE"  # an AWS access key id in the unit body: must never leave the machine
MODEL = "claude-haiku-4-5"  # the fake echoes the model asked for
DRAFT = ["## Fix\n", "Build the truststore ", "at deploy time ", "from the platform CA bundle.\n"]


fake = fake_api_fixture()


@pytest.fixture
def engine(catalog, tmp_path) -> Engine:
    """A resolve stage with two units in execute; `fix` carries a secret in its body."""
    engine = Engine(Store(tmp_path / "as.db"), catalog, clock=fixed_clock(NOW), actor="oncall")
    slug = new_incident(engine, upto="resolve")
    to_execute(engine, slug, [("fix", ()), ("probe", ())])
    engine.run(slug, c.edit_unit, unit="fix", body=f"Draft: rotate with key {PLANTED} then redeploy.\n")
    return engine


def make_app(engine, settings: LLMSettings, **kwargs) -> CockpitApp:
    return CockpitApp(engine, open_slug="inc", poll_seconds=0.2, assistant=Assistant(settings), **kwargs)


@asynccontextmanager
async def drafted(engine, fake, size: tuple[int, int] = (80, 24), **app_kwargs):
    """The app on the intent, a draft asked for the `fix` unit, sent from the preview and answered."""
    app = make_app(engine, settings_for(fake.url), **app_kwargs)
    async with app.run_test(size=size) as pilot:
        await select_unit(app, pilot, "fix")
        screen = await ask(app, pilot, "w")
        yield app, pilot, screen


def settings_for(url: str, **kwargs) -> LLMSettings:
    return LLMSettings(api_key="test-key", base_url=url, model=MODEL, max_retries=0, timeout=5.0, **kwargs)


async def select_unit(app, pilot, slug: str) -> None:
    await settle(app, pilot)
    screen = app.screen
    screen.selected_unit = slug
    screen._show_unit()


async def to_preview(app, pilot, *keys: str) -> SendPreview:
    await pilot.press(*keys)
    await until(pilot, lambda: isinstance(app.screen, SendPreview))
    return app.screen


async def ask(app, pilot, *keys: str, preview: bool = True) -> AssistScreen:
    """Press keys that open an assist request; accept the first-request preview; wait for the answer."""
    if preview:
        await to_preview(app, pilot, *keys)
        await pilot.press("y")
    else:
        await pilot.press(*keys)
    await until(pilot, lambda: isinstance(app.screen, AssistScreen))
    await settle(app, pilot, rounds=6)
    return app.screen


def requests(engine) -> list[dict]:
    return list(engine.store.db["llm_requests"].rows)


def last_event(engine, kind: str) -> dict:
    return next(e for e in reversed(engine.timeline("inc")) if e["command"] == kind)


async def test_draft_streams_then_accept_saves_it_as_an_ai_revision(engine, fake):
    fake.text(DRAFT, input_tokens=900, cache_read=400)
    async with drafted(engine, fake, size=(100, 30)) as (app, pilot, screen):
        assert screen.query_one("#as-text").text == "".join(DRAFT)
        assert "done" in str(screen.query_one("#as-status").render())
        await pilot.press("a")
        await settle(app, pilot)
        assert not isinstance(app.screen, AssistScreen)
    assert engine.position("inc").stage("resolve").unit("fix").unit.body == "".join(DRAFT)
    event = last_event(engine, "edit_unit")
    assert event["data"]["ai"] == {"task": "draft", "model": MODEL, "request_id": "req_fake_0001"}
    [row] = requests(engine)
    assert (row["task"], row["unit"], row["input_tokens"], row["cache_read_tokens"], row["cancelled"]) == (
        "draft",
        "fix",
        900,
        400,
        0,
    )
    assert json.loads(row["redactions"]).get("AWS_KEY") == 1
    fake.assert_never_received(PLANTED)


async def test_draft_discarded_with_esc_changes_nothing_but_is_recorded(engine, fake):
    fake.text(DRAFT)
    app = make_app(engine, settings_for(fake.url))
    body = engine.position("inc").stage("resolve").unit("fix").unit.body
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        await ask(app, pilot, "w")
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, AssistScreen)
    assert engine.position("inc").stage("resolve").unit("fix").unit.body == body
    assert len(requests(engine)) == 1 and not any(
        e["command"] == "edit_unit" and e["data"].get("ai") for e in engine.timeline("inc")
    )


async def test_edit_first_then_accept_stores_the_edited_text(engine, fake):
    fake.text(DRAFT)
    async with drafted(engine, fake, size=(80, 24)) as (app, pilot, screen):
        await pilot.press("e")
        area = screen.query_one("#as-text")
        assert not area.read_only and screen.focused is area
        area.text = "## Fix\nEdited by the engineer.\n"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert engine.position("inc").stage("resolve").unit("fix").unit.body == "## Fix\nEdited by the engineer.\n"


async def test_review_files_two_of_three_proposals(engine, fake):
    findings = [
        {"title": "No alert on handshake failures", "body": "Page on TLS errors.", "severity": "high", "unit": "fix"},
        {
            "title": "Canary window too short",
            "body": "30 minutes misses the hourly job.",
            "severity": "medium",
            "unit": None,
        },
        {"title": "Typo in the heading", "body": "Cosmetic.", "severity": "low", "unit": "probe"},
    ]
    fake.tool_use("file_findings", {"findings": findings}, preface_text="Three findings.")
    app = make_app(engine, settings_for(fake.url))
    before = {f.feedback.ref for f in engine.position("inc").findings}
    async with app.run_test(size=(100, 30)) as pilot:
        await select_unit(app, pilot, "fix")
        await pilot.press("R")  # the stage's review agent and the studio's: pick one
        await settle(app, pilot)
        assert [o.id for o in app.screen.query_one("#choices")._options] == ["correctness", "cross-stage-consistency"]
        screen = await ask(app, pilot, "enter")
        assert screen.reviewer == "correctness"
        assert [p.title for p in screen.proposals] == [f["title"] for f in findings]
        await pilot.press("f")  # file the first
        await settle(app, pilot)
        await pilot.press("d")  # drop the canary one (now first)
        await pilot.press("f")  # file the typo
        await settle(app, pilot)
        assert screen.proposals == []
    filed = [f for f in engine.position("inc").findings if f.feedback.ref not in before]
    assert sorted(f.feedback.title for f in filed) == ["No alert on handshake failures", "Typo in the heading"]
    assert {f.feedback.origin for f in filed} == {"adversarial-review"}
    assert {f.target for f in filed} == {"fix", "probe"}
    assert all(
        e["data"]["ai"]["task"] == "review"
        for e in engine.timeline("inc")
        if e["command"] == "file_feedback" and e["data"].get("ai")
    )


async def test_classify_proposes_and_accept_applies_it(engine, fake):
    engine.run("inc", c.file_feedback, title="Checkout still slow for some users", body="p95 up in eu-west")
    ref = next(f.feedback.ref for f in engine.position("inc").findings if f.feedback.severity is None)
    fake.tool_use("classify_finding", {"severity": "high", "unit": "fix", "reason": "Latency on the fixed path."})
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.selected_finding = ref
        screen = await ask(app, pilot, "C")
        assert "high" in str(screen.query_one("#as-result").render())
        await pilot.press("a")
        await settle(app, pilot)
    found = engine.position("inc").finding(ref)
    assert (found.feedback.severity, found.target) == ("high", "fix")
    event = last_event(engine, "classify")
    assert event["data"]["ai"]["task"] == "classify" and "Latency on the fixed path." in (event["message"] or "")


async def test_esc_cancels_a_slow_stream_and_keeps_the_partial_text(engine, fake):
    fake.slow([f"word{i} " for i in range(200)], delay=0.05)
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        await to_preview(app, pilot, "w")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, AssistScreen))
        screen = app.screen
        for _ in range(100):  # until some words have arrived
            await pilot.pause(0.05)
            if screen.query_one("#as-text").text.count("word") >= 3:
                break
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AssistScreen)  # still open: the partial answer is on screen
        shown = screen.query_one("#as-text").text
        assert shown.startswith("word0 word1 word2") and "word199" not in shown
        assert "cancelled" in str(screen.query_one("#as-status").render())
        assert fake.disconnected.wait(5)
    [row] = requests(engine)
    assert row["cancelled"] == 1


async def test_midstream_error_keeps_partial_text_and_r_retries(engine, fake):
    fake.midstream_error(["## Fix\n", "Build the"], "overloaded_error")
    fake.text(DRAFT)
    async with drafted(engine, fake, size=(80, 24)) as (app, pilot, screen):
        assert screen.query_one("#as-text").text == "## Fix\nBuild the"
        status = str(screen.query_one("#as-status").render())
        assert "r retry" in status and "cut off (overloaded error); the text so far is kept" in status
        assert status.count("retry") == 1 and status.count("kept") == 1
        await pilot.press("r")
        await settle(app, pilot, rounds=8)
        assert screen.query_one("#as-text").text == "".join(DRAFT)
    assert [r["error_type"] for r in requests(engine)] == ["midstream", None]


async def test_no_key_says_how_to_enable_and_sends_nothing(engine, fake):
    app = make_app(engine, LLMSettings(api_key=None, base_url=fake.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        await pilot.press("w")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AssistScreen)
        status = str(screen.query_one("#as-status").render())
        assert "ANTHROPIC_API_KEY" in status and "chmod 600" in status
        await pilot.press("escape", "c")  # the rest of the app works as before
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ChecksScreen"
    assert fake.request_count == 0 and requests(engine) == []


async def test_connection_refused_names_the_url(engine, fake):
    url = closed_port_url()
    app = make_app(engine, settings_for(url))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        screen = await ask(app, pilot, "w")
        status = str(screen.query_one("#as-status").render())
        assert url.split("//")[1] in status
    assert [r["error_type"] for r in requests(engine)] == ["connection"]


async def test_declining_the_preview_sends_nothing_and_a_later_request_skips_it(engine, fake):
    fake.text(DRAFT)
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        preview = await to_preview(app, pilot, "w")
        assert PLANTED not in preview.prompt.preview and "AWS_KEY" in str(preview.query_one(".dialog-hint").render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert fake.request_count == 0 and "Not sent" in str(app.screen.query_one("#as-status").render())
        await to_preview(app, pilot, "r")  # send it after all
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, AssistScreen))
        await settle(app, pilot, rounds=6)
        await pilot.press("escape")
        fake.text(DRAFT)
        await ask(app, pilot, "w", preview=False)  # the intent has a request on record: no second preview
    assert fake.request_count == 2


async def test_read_only_can_ask_but_not_accept(engine, fake):
    fake.text(DRAFT)
    body = engine.position("inc").stage("resolve").unit("fix").unit.body
    async with drafted(engine, fake, read_only=True) as (app, pilot, screen):
        assert screen.check_action("accept", ()) is None
        await pilot.press("a")
        await settle(app, pilot)
        assert app.screen is screen
    assert engine.position("inc").stage("resolve").unit("fix").unit.body == body


def test_the_app_runs_an_intent_without_importing_anthropic(tmp_path):
    """The SDK costs seconds to import: the app starts, opens the engine and walks an intent without it."""
    import os
    import subprocess
    import sys

    from helpers import REPO

    script = f"""
import asyncio, sys
from cockpit.app import demo
from cockpit.app.engine import Engine
from cockpit.store.database import Store
from cockpit.sources.studios import load_catalog
from screens.app import CockpitApp

async def main():
    engine = Engine(Store({str(tmp_path / "d.db")!r}), load_catalog())
    demo.seed(engine)
    app = CockpitApp(engine, open_slug=demo.INCIDENT, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("c", "escape", "b", "escape", "t")
        await app.workers.wait_for_complete()
        await pilot.pause()
    print("ANTHROPIC" if "anthropic" in sys.modules else "CLEAN")

asyncio.run(main())
"""
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'tests'}"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip().splitlines()[-1:] == ["CLEAN"], out.stderr[-2000:]


@pytest.mark.parametrize(
    "script, seen, stored",
    [
        (lambda f: f.status(429, "rate_limit_error", retry_after=0).text(DRAFT), "done", [None]),
        (lambda f: f.status(529, "overloaded_error"), "overloaded", ["overloaded"]),
        (lambda f: f.hang(3), "timed out", ["timeout"]),
    ],
    ids=["429-then-ok", "529", "timeout"],
)
async def test_api_trouble_is_shown_and_recorded(engine, fake, script, seen, stored):
    script(fake)
    retries = 1 if stored == [None] else 0  # the SDK's own retry covers the first request's 429
    app = make_app(
        engine, LLMSettings(api_key="test-key", base_url=fake.url, model=MODEL, max_retries=retries, timeout=0.5)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        screen = await ask(app, pilot, "w")
        assert seen in str(screen.query_one("#as-status").render()).lower()
    assert [r["error_type"] for r in requests(engine)] == stored


async def test_breaker_pauses_assist_after_repeated_failures(engine, fake):
    url = closed_port_url()
    app = make_app(engine, settings_for(url, breaker_failures=2, breaker_cooldown=600))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        screen = await ask(app, pilot, "w")
        for _ in range(2):
            await pilot.press("r")
            await settle(app, pilot, rounds=6)
        assert "assist paused after 2 failed requests" in str(screen.query_one("#as-status").render())
    assert [r["error_type"] for r in requests(engine)] == ["connection", "connection"]  # the refusal sent nothing


async def test_review_proposals_are_redacted_before_they_are_stored(engine, fake):
    leaked = "ops@example.com"
    fake.tool_use(
        "file_findings",
        {
            "findings": [
                {
                    "title": f"Page {leaked} on handshake failures",
                    "body": f"Escalate to {leaked}.",
                    "severity": "high",
                    "unit": "fix",
                }
            ]
        },
    )
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(100, 30)) as pilot:
        await select_unit(app, pilot, "fix")
        await pilot.press("R")
        await settle(app, pilot)
        await ask(app, pilot, "enter")
        await pilot.press("f")
        await settle(app, pilot)
    filed = next(f for f in engine.position("inc").findings if f.feedback.origin == "adversarial-review")
    assert leaked not in filed.feedback.title + filed.feedback.body and "[EMAIL_1]" in filed.feedback.body


async def test_the_timeline_marks_an_accepted_ai_draft(engine, fake):
    from screens.timeline import TimelineView

    fake.text(DRAFT)
    async with drafted(engine, fake, size=(120, 30)) as (app, pilot, _screen):
        await pilot.press("e")
        app.screen.query_one("#as-text").text = "## Fix\nChanged.\n"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineView)
        options = app.screen.query_one("#events")
        last = options.get_option_at_index(options.option_count - 1).prompt
        assert f"AI-drafted revision, edited · {MODEL}" in str(last)


async def test_ask_shows_the_answer_and_writes_nothing(engine, fake):
    answer = [
        "Facts\n",
        "- The unit plans a redeploy [unit:fix]\n\n",
        "Hypotheses\n",
        "- The key may be stale (unconfirmed)\n",
    ]
    fake.text(answer)
    app = make_app(engine, settings_for(fake.url))
    events_before = len(engine.timeline("inc"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("Q")
        await settle(app, pilot)
        await pilot.press(*"what changed?")
        screen = await ask(app, pilot, "enter")
        assert screen.question == "what changed?" and screen.query_one("#as-text").text == "".join(answer)
        assert screen.check_action("accept", ()) is False  # an answer is read, not accepted into state
    sent = fake.requests[0].body["messages"][0]["content"][0]["text"]
    assert "what changed?" in sent
    assert len(engine.timeline("inc")) == events_before and [r["task"] for r in requests(engine)] == ["ask"]


async def test_usage_not_recorded_is_said_through_the_apps_one_error_path(engine, fake, monkeypatch):
    """A ledger that cannot be written (a busy or damaged database) is said as every failed write
    is, through CockpitApp.write_failed; the answer stays on screen, still acceptable."""
    from cockpit.errors import StoreBusy

    fake.text(DRAFT)
    app = make_app(engine, settings_for(fake.url))
    said: list[tuple[Exception, dict]] = []
    write_failed = app.write_failed

    def spy(exc, **kwargs):
        said.append((exc, kwargs))
        write_failed(exc, **kwargs)

    def busy(prompt, reply):
        raise StoreBusy("database is locked (another cockpit is writing); try again")

    monkeypatch.setattr(app, "write_failed", spy)
    monkeypatch.setattr(app.backend, "record_assist", busy)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        screen = await ask(app, pilot, "w")
        await until(pilot, lambda: bool(said))
        assert [(type(exc), kw.get("title")) for exc, kw in said] == [(StoreBusy, "Usage not recorded")]
        assert ("Usage not recorded", "error", "database is locked (another cockpit is writing); try again") in [
            (n.title, n.severity, n.message) for n in app._notifications
        ]
        assert isinstance(app.screen, AssistScreen) and screen.query_one("#as-text").text == "".join(DRAFT)
        assert screen.check_action("accept", ()) is True
    assert requests(engine) == []


# ---------------------------------------------------------------- regressions from the tmux walk-through


async def test_a_cut_off_draft_cannot_replace_the_body_with_one_key(engine, fake):
    fake.midstream_error(["## Fix\n", "Build the"], "overloaded_error")
    before = engine.position("inc").stage("resolve").unit("fix").unit.body
    async with drafted(engine, fake) as (app, pilot, screen):
        assert screen.check_action("accept", ()) is None
        await pilot.press("a")
        await settle(app, pilot)
        assert engine.position("inc").stage("resolve").unit("fix").unit.body == before
        await pilot.press("e")  # an explicit edit makes it the engineer's text
        assert (
            screen.check_action("accept_edited", ()) is True
            and "Accept edited" in screen.query_one("KeyBar").line().plain
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert engine.position("inc").stage("resolve").unit("fix").unit.body == "## Fix\nBuild the"
    event = last_event(engine, "edit_unit")
    assert (
        event["data"]["ai"]["partial"] is True and event["data"]["replaced"] == before
    )  # the old body can be restored


async def test_accepting_a_draft_refuses_if_the_body_changed_meanwhile(engine, fake):
    fake.text(DRAFT)
    async with drafted(engine, fake, size=(80, 24)) as (app, pilot, _screen):
        engine.run("inc", c.edit_unit, unit="fix", body="Saved from another session.\n")
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, AssistScreen)  # refused: the draft is still there to copy or redo
    assert engine.position("inc").stage("resolve").unit("fix").unit.body == "Saved from another session.\n"


async def test_the_intent_screen_shows_what_the_assist_filed_when_it_comes_back(engine, fake):
    fake.tool_use(
        "file_findings",
        {
            "findings": [
                {
                    "title": "No alert on handshake failures",
                    "body": "Page on TLS errors.",
                    "severity": "high",
                    "unit": "fix",
                },
                {"title": "Canary window too short", "body": "Longer.", "severity": "medium", "unit": None},
            ]
        },
    )
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(100, 30)) as pilot:
        await select_unit(app, pilot, "fix")
        intent = app.screen
        await pilot.press("R")
        await settle(app, pilot)
        screen = await ask(app, pilot, "enter")
        await pilot.press("f", "f")  # quickly: each f files the proposal under the cursor, once
        await settle(app, pilot)
        assert screen.proposals == []
        await pilot.press("escape")
        await settle(app, pilot)
        titles = [f.feedback.title for f in intent.position.findings]
    filed = sorted(
        f.feedback.title for f in engine.position("inc").findings if f.feedback.origin == "adversarial-review"
    )
    assert filed == ["Canary window too short", "No alert on handshake failures"]
    assert set(filed) <= set(titles)


async def test_classify_shows_the_finding_now_and_a_kept_target(engine, fake):
    engine.run("inc", c.file_feedback, title="Probe flaps", body="", severity="medium", unit="probe")
    ref = next(f.feedback.ref for f in engine.position("inc").findings if f.feedback.title == "Probe flaps")
    fake.tool_use("classify_finding", {"severity": "high", "unit": None, "reason": "Pages at night."})
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.selected_finding = ref
        screen = await ask(app, pilot, "C")
        shown = str(screen.query_one("#as-result").render())
        assert "Now:" in shown and "medium → probe" in shown and "high → probe (unchanged)" in shown


async def test_retrying_an_answer_keeps_it_until_new_text_arrives(engine, fake):
    fake.text(["Facts\n", "- one [unit:fix]\n"])
    fake.status(500, "api_error")
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("Q")
        await settle(app, pilot)
        await pilot.press(*"why?")
        screen = await ask(app, pilot, "enter")
        await pilot.press("r")
        await settle(app, pilot, rounds=6)
        assert screen.query_one("#as-text").text == "Facts\n- one [unit:fix]\n"
        assert "✗" in str(screen.query_one("#as-status").render())


async def test_the_preview_of_a_declined_request_does_not_say_it_was_sent(engine, fake):
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        await to_preview(app, pilot, "w")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, SendPreview) and app.screen.mode == "unsent"
        assert "nothing was sent" in str(app.screen.query_one(".dialog-title").render())


async def test_the_assist_menu_takes_the_keys_it_shows(engine, fake):
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        await pilot.press("i")
        await pilot.pause()
        await to_preview(app, pilot, "w")  # w in the menu: a draft, as from the intent screen
        assert app.screen.prompt.task == "draft"


UNKNOWN = "qbqQElxsRbewJ4ndv5MKgBdgH7PBeBRd9HhOjJKu"  # random, in no vendor's format: only the second scan sees it


async def test_a_suspect_token_is_marked_and_only_typing_send_sends_it(engine, fake):
    engine.run("inc", c.edit_unit, unit="fix", body=f"Replay the queue with {UNKNOWN} once the cert is in.\n")
    fake.text(DRAFT)
    app = make_app(engine, settings_for(fake.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_unit(app, pilot, "fix")
        preview = await to_preview(app, pilot, "w")
        assert UNKNOWN in preview.prompt.preview and len(preview.prompt.suspects) == 1
        listed = str(preview.query_one("#suspects").render())
        assert f"line {preview.prompt.suspects[0].line}" in listed and UNKNOWN not in listed
        assert preview.query_one("#editor").selected_text == UNKNOWN  # marked where it sits
        await pilot.press("y", "enter")  # a reflex: types a y, then enter refuses it
        await pilot.pause()
        assert app.screen is preview and fake.request_count == 0
        await pilot.press("tab", "y")  # y off the input field: the send binding, refused as well
        await pilot.pause()
        assert app.screen is preview and fake.request_count == 0
        preview.query_one("#confirm").value = ""
        preview.query_one("#confirm").focus()
        await pilot.press(*"send", "enter")
        await until(pilot, lambda: isinstance(app.screen, AssistScreen))
        await settle(app, pilot, rounds=6)
    assert fake.request_count == 1


async def test_a_suspect_asks_again_even_after_the_intents_first_request(engine, fake):
    fake.text(DRAFT)
    async with drafted(engine, fake) as (app, pilot, _screen):
        await pilot.press("escape")
        await settle(app, pilot)
        engine.run("inc", c.edit_unit, unit="probe", body=f"Replay with {UNKNOWN}.\n")
        await select_unit(app, pilot, "probe")
        preview = await to_preview(app, pilot, "w")  # not skipped: the scan has doubts
        assert preview.needs_typing and "Possible secret" in str(preview.query_one(".dialog-title").render())
        await pilot.press("escape")
        await settle(app, pilot)
    assert fake.request_count == 1  # the first draft only
