"""Engine-run quality checks: pure functions over a unit body that the verifier's and reviewers'
mandates spell out point by point. See `registry` for the ids, `base` for what a check returns."""

from cockpit.checks.base import FAIL, PASS, SKIP, CheckContext, Problem, Result, RunbookLookup  # noqa: F401
from cockpit.checks.registry import CHECKS, GATE_PREFIX, known_ids  # noqa: F401
