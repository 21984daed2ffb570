"""LLM assist settings: the `[llm]` table of the config file, overridden by the environment.

Precedence, strongest first: `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `COCKPIT_LLM_MODEL`; the
`[llm]` table; built-in defaults. A key in the config file counts only if the file is readable by
its owner alone — a key in a world-readable file is refused loudly, not used quietly.

```toml
[llm]
model = "claude-sonnet-4-6"
max_tokens = 2048
timeout = 60            # seconds of silence allowed between bytes of the answer
connect_timeout = 5
max_retries = 2
api_key = "sk-ant-..."  # only with chmod 600
[llm.prices."claude-sonnet-4-6"]
input = 3.0             # $ per million tokens
output = 15.0
```
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.errors import CockpitError

# $ per million tokens (input, output). Matched by longest prefix, so dated ids
# ("claude-sonnet-4-5-20250929") find their family. Cache writes cost 1.25x input, reads 0.1x.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4": (15.0, 75.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-3-7-sonnet": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-3-5-haiku": (0.8, 4.0),
}
# An unknown model is priced like a Sonnet: a visible estimate beats a silent $0.
FALLBACK_PRICE: tuple[float, float] = (3.0, 15.0)

_FILE_KEYS = {
    "model",
    "max_tokens",
    "base_url",
    "api_key",
    "timeout",
    "connect_timeout",
    "max_retries",
    "breaker_failures",
    "breaker_cooldown",
    "prices",
}


@dataclass(frozen=True)
class LLMSettings:
    model: str = "claude-sonnet-4-6"  # 4-5 is deprecated in SDK 2.11 (end of life 2026-11-30)
    max_tokens: int = 2048
    base_url: str | None = None  # None: the SDK's default endpoint
    api_key: str | None = field(default=None, repr=False)  # never printed, logged or stored
    timeout: float = 60.0
    connect_timeout: float = 5.0
    max_retries: int = 2
    breaker_failures: int = 3
    breaker_cooldown: float = 120.0
    prices: Mapping[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    config_file: Path | None = None  # where the settings came from, for messages
    key_source: str | None = None  # "ANTHROPIC_API_KEY" or the config file's path; never the key

    def price(self, model: str | None = None) -> tuple[float, float]:
        """($/MTok input, $/MTok output) for `model` (default: the configured one)."""
        model = model or self.model
        best = max((p for p in self.prices if model.startswith(p)), key=len, default=None)
        return self.prices[best] if best is not None else FALLBACK_PRICE

    def disabled_reason(self) -> str | None:
        """None when assist can run; otherwise one line saying how to turn it on."""
        if self.api_key:
            return None
        if self.config_file is None:  # built by hand, not read from a config file
            return "LLM assist is off: no API key. Set ANTHROPIC_API_KEY, or put api_key under [llm] in the config file and `chmod 600` it."
        where = self.config_file
        return (
            f"LLM assist is off: no API key. Set ANTHROPIC_API_KEY, or put api_key under [llm] in {where} "
            f"and run `chmod 600 {where}`."
        )


def load_llm_settings(
    raw: Mapping[str, Any], config_file: Path, environ: Mapping[str, str] = os.environ
) -> LLMSettings:
    """Settings from the config file's `[llm]` table (`raw`: the whole file as read from
    `config_file`, cockpit.app.config.Config.raw) and the environment."""
    path = config_file
    table = raw.get("llm", {})
    if not isinstance(table, dict):
        raise CockpitError(f"{path}: `llm` must be a table ([llm])")
    unknown = sorted(set(table) - _FILE_KEYS)
    if unknown:
        raise CockpitError(f"{path}: unknown key llm.{unknown[0]} (known: {', '.join(sorted(_FILE_KEYS))})")

    def get(key: str, check, what: str, default: Any) -> Any:
        if key not in table:
            return default
        value = table[key]
        if isinstance(value, bool) or not check(value):
            raise CockpitError(f"{path}: llm.{key} must be {what}")
        return value

    positive = lambda v: isinstance(v, (int, float)) and math.isfinite(v) and v > 0  # noqa: E731
    text = lambda v: isinstance(v, str) and v.strip() != ""  # noqa: E731
    url = lambda v: isinstance(v, str) and v.startswith(("http://", "https://"))  # noqa: E731
    defaults = LLMSettings()

    file_key = get("api_key", text, "a non-empty string", None)
    if file_key is not None:
        _require_private(path)
    env_key = environ.get("ANTHROPIC_API_KEY") or None
    return LLMSettings(
        model=environ.get("COCKPIT_LLM_MODEL") or get("model", text, "a model name", defaults.model),
        max_tokens=get("max_tokens", lambda v: isinstance(v, int) and v > 0, "a whole number > 0", defaults.max_tokens),
        base_url=environ.get("ANTHROPIC_BASE_URL") or get("base_url", url, "an http:// or https:// URL", None),
        api_key=env_key or file_key,
        timeout=float(get("timeout", positive, "a number of seconds > 0", defaults.timeout)),
        connect_timeout=float(get("connect_timeout", positive, "a number of seconds > 0", defaults.connect_timeout)),
        max_retries=get(
            "max_retries", lambda v: isinstance(v, int) and 0 <= v <= 10, "a whole number 0-10", defaults.max_retries
        ),
        breaker_failures=get(
            "breaker_failures", lambda v: isinstance(v, int) and v > 0, "a whole number > 0", defaults.breaker_failures
        ),
        breaker_cooldown=float(
            get(
                "breaker_cooldown",
                lambda v: isinstance(v, (int, float)) and v >= 0,
                "a number of seconds >= 0",
                defaults.breaker_cooldown,
            )
        ),
        prices={**DEFAULT_PRICES, **_prices(table.get("prices", {}), path)},
        config_file=path,
        key_source="ANTHROPIC_API_KEY" if env_key else str(path) if file_key else None,
    )


def _require_private(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise CockpitError(f"{path}: cannot check its permissions ({exc.strerror})") from None
    if mode & 0o077:
        raise CockpitError(
            f"{path} holds llm.api_key but others can read it (mode {mode & 0o777:o}): "
            f"run `chmod 600 {path}`, or use ANTHROPIC_API_KEY instead"
        )


def _prices(value: object, path: Path) -> dict[str, tuple[float, float]]:
    if not isinstance(value, dict):
        raise CockpitError(f"{path}: llm.prices must be a table of models")
    prices = {}
    for model, entry in value.items():
        ok = (
            isinstance(entry, dict)
            and set(entry) == {"input", "output"}
            and all(
                isinstance(entry[k], (int, float)) and not isinstance(entry[k], bool) and entry[k] >= 0
                for k in ("input", "output")
            )
        )
        if not ok:
            raise CockpitError(f'{path}: llm.prices."{model}" must be {{ input = <$/MTok>, output = <$/MTok> }}')
        prices[model] = (float(entry["input"]), float(entry["output"]))
    return prices
