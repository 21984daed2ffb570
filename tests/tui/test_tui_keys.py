"""The keymap: every binding has an id, `[keys]` remaps it on every screen, and an id naming no
binding stops the app at start with the file, the id and the closest ids."""

from __future__ import annotations

import pytest
from helpers import settle
from pty_run import run_on_pty

from cockpit.app.config import Config, check_keys, load_config
from cockpit.errors import CockpitError
from screens.app import CockpitApp
from screens.intent_list import IntentList
from screens.keymap import binding_ids, bindings


def test_every_binding_of_every_screen_dialog_and_widget_has_an_id():
    from textual.binding import Binding

    found = list(bindings())
    classes = {cls.__name__ for cls, _ in found}
    # The walk reaches the app, the screens, the dialogs and the widgets (not only what start imports).
    assert {"CockpitApp", "IntentList", "IntentView", "TimelineView", "HelpScreen", "Choice", "DocumentView"} <= classes
    missing = [f"{cls.__name__}: {b!r}" for cls, b in found if not (isinstance(b, Binding) and b.id)]
    assert missing == []


def test_every_binding_id_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert sorted(i for i in binding_ids() if f"`{i}`" not in readme) == []


def test_an_unknown_id_is_refused_naming_the_file_the_id_and_close_matches(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"intent.advnce" = "n"\n"cursor.down" = "n"\n', encoding="utf-8")
    config = load_config(path)
    with pytest.raises(CockpitError) as refused:
        check_keys(config, binding_ids())
    message = str(refused.value)
    assert str(path) in message and "'intent.advnce'" in message and "did you mean 'intent.advance'" in message
    assert "cursor.down" not in message  # a known id is not complained about


def test_an_unknown_screen_lists_the_screens():
    with pytest.raises(CockpitError, match=r"'nope\.x' names no binding; ids start with .*intent\."):
        check_keys(Config(keys={"nope.x": "n"}), binding_ids())


def test_known_ids_pass():
    check_keys(Config(keys={"intent.advance": "n", "cursor.down": "j,ctrl+n"}), binding_ids())


def test_cockpit_refuses_to_start_with_an_unknown_id(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"intent.advnce" = "n"\n', encoding="utf-8")
    out = run_on_pty(["demo", "--db", str(tmp_path / "demo.db")], {"COCKPIT_CONFIG": str(config)}, timeout=30)
    assert out.code == 1
    assert str(config) in out and "'intent.advnce' names no binding" in out and "'intent.advance'" in out


@pytest.mark.anyio
async def test_a_remapped_cursor_key_moves_the_cursor_and_the_old_key_does_not(seeded):
    app = CockpitApp(seeded, poll_seconds=0.2, keymap={"cursor.down": "n"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, IntentList)
        intents = app.screen.query_one("#intents")
        assert intents.highlighted == 0
        await pilot.press("j")
        await pilot.pause()
        assert intents.highlighted == 0
        await pilot.press("n")
        await pilot.pause()
        assert intents.highlighted == 1
