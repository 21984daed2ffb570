"""Findings of the whole intent (H·AI·K·U's intent-scope feedback/, imported with no stage): they
are shown and can be classified, closed or rejected, but hold no stage's gate — the engine weighs
them at intent completion, which cockpit does not walk — so nothing counts them as blocking."""

from __future__ import annotations

from helpers import REPO

from cockpit.domain.walk import overview

INTENT = REPO / "tests/fixtures/haiku/project/.haiku/intents/checkout-redesign"


def test_an_intent_scope_finding_blocks_no_gate_and_is_not_counted_as_blocking(engine):
    engine.import_haiku(INTENT)
    pos = engine.position("checkout-redesign")
    whole = [f for f in pos.findings if f.feedback.stage == ""]
    assert whole and all(f.feedback.severity is None and f.is_open for f in whole)  # unset: would block in a stage
    assert not any(f.blocking for f in whole)
    assert all(f.feedback.ref not in pos.next.text for f in whole)
    staged_blocking = sum(1 for f in pos.open_findings if f.blocking)
    assert overview(pos).blocking == staged_blocking
    [listed] = [o for o in engine.overviews() if not isinstance(o, Exception) and o.intent.slug == "checkout-redesign"]
    assert listed.blocking == staged_blocking  # the SQL path (Store.overview_facts) agrees
