"""Error-budget arithmetic for the SLO table (SRE workbook definitions).

For a target T over a window P the budget is (1 − T) × P: 99.5% over 30 days is 0.005 × 720 h =
3.6 h; 99.9% is 43.2 min. An error-rate SLO written as "< 1%" allows 1% bad, so over 24 h its
budget is 14.4 min. Latency targets ("p95 < 200ms") have no time budget of this form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HOURS_PER = {"s": 1 / 3600, "m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
_UNIT_WORDS = {
    "s": ("s", "sec", "secs", "second", "seconds"),
    "m": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
    "w": ("w", "wk", "wks", "week", "weeks"),
}
_UNIT = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
# A number and the word after it; the word is looked up in _UNIT (a regex alternation of every
# unit word is several times slower, and this runs on every SLO row of every unit).
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*([a-zA-Z]+)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_AT_MOST = re.compile(r"<|≤|below|under|at most|max", re.IGNORECASE)  # "< 1%": the share allowed to be bad
_BAD_EVENTS = re.compile(r"\berror|\bfail|\bbad|\b5xx", re.IGNORECASE)
_LATENCY_SLI = re.compile(r"latency|p\d\d", re.IGNORECASE)
_LATENCY = re.compile(r"\d\s*(?:ms|µs|us|s|sec|seconds)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    hours: float
    text: str  # as written, e.g. "3.6h"
    resolution: float  # half a unit of the last digit written, in hours


def parse_duration(text: str) -> Duration | None:
    match = next((m for m in _DURATION.finditer(text) if m.group(2).lower() in _UNIT), None)
    if not match:
        return None
    number, unit = match.group(1), _UNIT[match.group(2).lower()]
    decimals = len(number.split(".")[1]) if "." in number else 0
    scale = HOURS_PER[unit]
    return Duration(float(number) * scale, match.group(0), 0.5 * 10**-decimals * scale)


@dataclass(frozen=True)
class Target:
    kind: str  # "ratio" (availability, error rate) or "latency"
    bad_fraction: float | None  # the share of events (or time) allowed to be bad


def parse_target(target: str, sli: str = "") -> Target | None:
    """`99.5%` → 0.5% bad; `< 1%` error rate → 1% bad; `< 200ms` → latency (no ratio)."""
    percent = _PERCENT.search(target)
    if percent is None:
        return Target("latency", None) if _LATENCY.search(target) else None
    value = float(percent.group(1)) / 100
    if value > 1:
        return None
    error_style = bool(_AT_MOST.search(target)) or bool(_BAD_EVENTS.search(sli))
    if _LATENCY.search(target) or (_LATENCY_SLI.search(sli) and not error_style):
        return Target("latency", None)
    return Target("ratio", value if error_style else 1 - value)


def parse_percent(text: str) -> float | None:
    match = _PERCENT.search(text)
    return float(match.group(1)) / 100 if match else None


def budget_hours(target: Target, window: Duration) -> float | None:
    return None if target.bad_fraction is None else target.bad_fraction * window.hours


def describe_hours(hours: float) -> str:
    if hours >= 1:
        return f"{hours:.3g} h"
    if hours * 60 >= 1:
        return f"{hours * 60:.3g} min"
    return f"{hours * 3600:.3g} s"


def budget_matches(stated: Duration, expected_hours: float) -> bool:
    """Within 5%, or within the rounding the writer used (`~4 min` for 4.32 min is fine)."""
    tolerance = max(0.05 * expected_hours, stated.resolution)
    return abs(stated.hours - expected_hours) <= tolerance + 1e-12
