"""LLM settings: [llm] table, environment overrides, key-file permissions, validation, prices."""

from __future__ import annotations

import pytest

from cockpit.app.config import load_config
from cockpit.assist.settings import DEFAULT_PRICES, FALLBACK_PRICE, LLMSettings, load_llm_settings
from cockpit.errors import CockpitError

KEY = "sk-ant-file-PLANTED-0002"


def write(tmp_path, text: str, mode: int = 0o600):
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def load(path, environ=None):
    return load_llm_settings(load_config(path).raw, path, environ or {})


def test_defaults_with_no_table_and_no_env(tmp_path):
    path = write(tmp_path, 'actor = "oncall"\n', 0o644)
    s = load(path)
    assert (s.model, s.max_tokens, s.base_url, s.api_key) == ("claude-sonnet-4-6", 2048, None, None)
    assert (s.timeout, s.connect_timeout, s.max_retries) == (60.0, 5.0, 2)
    assert (s.breaker_failures, s.breaker_cooldown) == (3, 120.0)
    reason = s.disabled_reason()
    assert "ANTHROPIC_API_KEY" in reason and f"chmod 600 {path}" in reason and "\n" not in reason


def test_the_table_is_read_and_the_environment_wins(tmp_path):
    path = write(
        tmp_path,
        f'[llm]\nmodel = "claude-haiku-4-5"\nmax_tokens = 512\nbase_url = "http://gw.local/a"\n'
        f'api_key = "{KEY}"\ntimeout = 20\nmax_retries = 0\n',
    )
    s = load(path)
    assert (s.model, s.max_tokens, s.base_url, s.api_key, s.timeout, s.max_retries) == (
        "claude-haiku-4-5",
        512,
        "http://gw.local/a",
        KEY,
        20.0,
        0,
    )
    assert s.key_source == str(path) and s.disabled_reason() is None

    env = {"ANTHROPIC_API_KEY": "sk-env", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9", "COCKPIT_LLM_MODEL": "m-env"}
    s = load(path, env)
    assert (s.api_key, s.base_url, s.model, s.key_source) == (
        "sk-env",
        "http://127.0.0.1:9",
        "m-env",
        "ANTHROPIC_API_KEY",
    )
    assert s.max_tokens == 512  # untouched by the environment


def test_empty_environment_values_do_not_override(tmp_path):
    path = write(tmp_path, '[llm]\nmodel = "claude-haiku-4-5"\n')
    s = load(path, {"COCKPIT_LLM_MODEL": "", "ANTHROPIC_API_KEY": ""})
    assert s.model == "claude-haiku-4-5" and s.api_key is None


def test_a_key_in_a_file_others_can_read_is_refused(tmp_path):
    path = write(tmp_path, f'[llm]\napi_key = "{KEY}"\n', 0o644)
    with pytest.raises(CockpitError) as err:
        load(path)
    assert str(path) in str(err.value) and f"chmod 600 {path}" in str(err.value)
    assert KEY not in str(err.value)
    with pytest.raises(CockpitError, match="chmod 600"):  # even when the environment has a key too
        load(path, {"ANTHROPIC_API_KEY": "sk-env"})
    path.chmod(0o600)
    assert load(path).api_key == KEY


def test_a_readable_file_without_a_key_is_fine(tmp_path):
    assert load(write(tmp_path, "[llm]\nmax_tokens = 100\n", 0o644)).max_tokens == 100


def test_the_key_is_never_in_the_repr(tmp_path):
    s = LLMSettings(api_key=KEY)
    assert KEY not in repr(s) and KEY not in str(s)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("max_tokens = 0", "llm.max_tokens"),
        ('max_tokens = "lots"', "llm.max_tokens"),
        ("max_tokens = true", "llm.max_tokens"),
        ("timeout = -1", "llm.timeout"),
        ("max_retries = 2.5", "llm.max_retries"),
        ('base_url = "ftp://x"', "llm.base_url"),
        ('model = ""', "llm.model"),
        ("api_key = 7", "llm.api_key"),
        ("breaker_failures = 0", "llm.breaker_failures"),
        ("max_token = 100", "llm.max_token"),
        ('prices = { "m" = { input = 1 } }', 'llm.prices."m"'),
        ('prices = { "m" = { input = -1, output = 2 } }', 'llm.prices."m"'),
    ],
)
def test_bad_values_name_the_file_and_the_key(tmp_path, line, key):
    path = write(tmp_path, f"[llm]\n{line}\n")
    with pytest.raises(CockpitError) as err:
        load(path)
    assert str(err.value).startswith(str(path)) and key in str(err.value)


def test_a_non_table_llm_is_refused(tmp_path):
    with pytest.raises(CockpitError, match=r"\[llm\]"):
        load(write(tmp_path, 'llm = "on"\n'))


def test_prices_merge_over_the_defaults_and_match_by_longest_prefix(tmp_path):
    path = write(tmp_path, '[llm.prices."claude-sonnet-4-5"]\ninput = 2.5\noutput = 12\n')
    s = load(path)
    assert s.price("claude-sonnet-4-5") == (2.5, 12.0)
    assert s.price("claude-sonnet-4-5-20250929") == (2.5, 12.0)
    assert s.price("claude-sonnet-4-0") == DEFAULT_PRICES["claude-sonnet-4"]
    assert s.price("claude-opus-4-1") == DEFAULT_PRICES["claude-opus-4"]
    assert s.price("claude-opus-4-5") == DEFAULT_PRICES["claude-opus-4-5"]
    assert s.price("someone-elses-model") == FALLBACK_PRICE
