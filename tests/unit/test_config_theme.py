"""`theme = "..."` in the config file: one of a few known names, the default today's; anything else
stops at start naming the file and the names it knows."""

from __future__ import annotations

import pytest

from cockpit.app.config import DEFAULT_THEME, THEMES, load_config
from cockpit.errors import CockpitError


def config_file(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_theme_keeps_the_default(tmp_path):
    assert load_config(config_file(tmp_path, 'actor = "sam"\n')).theme == DEFAULT_THEME == "textual-dark"
    assert load_config(tmp_path / "absent.toml").theme == DEFAULT_THEME


@pytest.mark.parametrize("name", THEMES)
def test_each_known_theme_is_taken(tmp_path, name):
    assert load_config(config_file(tmp_path, f'theme = "{name}"\n')).theme == name


def test_the_terminals_own_palette_and_a_light_theme_are_offered():
    assert {"ansi-dark", "ansi-light", "textual-light", "textual-dark"} <= set(THEMES)


def test_an_unknown_theme_names_the_file_and_the_known_names(tmp_path):
    path = config_file(tmp_path, 'theme = "solarised"\n')
    with pytest.raises(CockpitError) as refused:
        load_config(path)
    message = str(refused.value)
    assert str(path) in message and "'solarised'" in message
    assert all(name in message for name in THEMES)


def test_a_theme_that_is_not_text_is_refused(tmp_path):
    path = config_file(tmp_path, "theme = 3\n")
    with pytest.raises(CockpitError, match=r"`theme` must be a theme name in quotes, not a number"):
        load_config(path)
