"""Every test, in tests/ and snapshots/, starts from a clean environment: no COCKPIT_* or XDG_*
variable of the machine running it (a developer's config, database or API key) can change a
result, and nothing a test writes lands in the real home directory."""

from __future__ import annotations

import os

import pytest

_ISOLATED = ("COCKPIT_", "XDG_", "ANTHROPIC_")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path_factory):
    for name in list(os.environ):
        if name.startswith(_ISOLATED):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("xdg")
    for kind in ("CONFIG", "STATE", "DATA", "CACHE"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(home / kind.lower()))
