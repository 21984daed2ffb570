"""The config's theme is the app's, and a theme drawn in the terminal's own palette stays legible
under NO_COLOR."""

from __future__ import annotations

import pytest
from helpers import settle
from textual.theme import BUILTIN_THEMES

from cockpit.app import demo
from cockpit.app.config import DEFAULT_THEME, THEMES
from screens.app import CockpitApp

pytestmark = pytest.mark.anyio


def test_every_theme_the_config_knows_is_one_textual_has():
    assert set(THEMES) <= set(BUILTIN_THEMES)
    assert {name for name in THEMES if BUILTIN_THEMES[name].ansi} == {"ansi-dark", "ansi-light"}
    assert not BUILTIN_THEMES["textual-light"].dark


async def test_no_theme_is_todays_default(seeded):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == DEFAULT_THEME


@pytest.mark.parametrize("name", THEMES)
async def test_the_theme_asked_for_is_drawn(seeded, name):
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT, theme=name)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == name and app.current_theme.ansi == BUILTIN_THEMES[name].ansi


async def test_a_terminal_palette_theme_under_no_color_uses_the_terminals_own_colours(seeded, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = CockpitApp(seeded, poll_seconds=3600, open_slug=demo.INCIDENT, theme="ansi-dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        header = next(iter(app.screen._compositor.render_strips()))
        styles = [segment.style for segment in header if segment.text.strip()]
        assert styles, "the header draws the slug"
        # the terminal's default foreground on its default background: set after the app was
        # built, the theme was drawn through the greyscale filter, black on black
        assert all(s.color is not None and s.color.is_default for s in styles)
        assert all(s.bgcolor is not None and s.bgcolor.is_default for s in styles)


def test_the_config_files_theme_reaches_the_app(tmp_path, monkeypatch):
    """`cockpit` reads `theme` from the config file and starts the app in it."""
    import argparse
    import gc
    import sys

    from cockpit.cli import tui
    from cockpit.cli.common import cli_config

    config = tmp_path / "config.toml"
    config.write_text('theme = "ansi-light"\n', encoding="utf-8")
    monkeypatch.setenv("COCKPIT_CONFIG", str(config))
    cli_config.cache_clear()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    seen = []

    def run(app, **_):
        gc.enable()  # the launcher turns collection off until the first frame
        seen.append(app.theme)

    monkeypatch.setattr(CockpitApp, "run", run)
    try:
        assert tui.open_cockpit(argparse.Namespace(read_only=True, runbook_dirs=None)) == 0
    finally:
        gc.enable()
        cli_config.cache_clear()
    assert seen == ["ansi-light"]


def test_an_unknown_theme_stops_cockpit_at_start(cli, tmp_path):
    config = tmp_path / "config" / "cockpit" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('theme = "textual-ansi"\n', encoding="utf-8")
    code, _, err = cli("status")
    assert code == 1
    assert str(config) in err and "unknown theme 'textual-ansi'" in err and "ansi-dark" in err
