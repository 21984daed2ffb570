"""`.fsm_checksum` as the engine computes it (packages/haiku/src/state-integrity.ts, read at
2876f1c6 for intent + stage and ba02d62d for intent + stage + unit; fsm-fields.ts at 32ccb159)."""

from __future__ import annotations

from cockpit.domain.haiku_checksum import NEW_SEAL, OLD_SEAL, intended_seal, resealed, seal

INTENT = {"status": "active", "active_stage": "mitigate", "started_at": "2026-05-01T09:00:00Z"}
STAGE = {"status": "active", "phase": "execute", "gate_outcome": None}
UNIT = {"status": "active", "bolt": 1, "hat": "responder"}


def test_the_engines_two_constants():
    # JSON.stringify's allow-list filters every depth: the field values never reach the hash.
    assert seal({"intent": INTENT, "stage": STAGE}) == OLD_SEAL
    assert seal({"intent": INTENT, "stage": STAGE, "unit": UNIT}) == NEW_SEAL
    assert seal({"intent": {}, "stage": {}, "unit": {}}) == NEW_SEAL
    assert seal({"intent": {"status": "completed"}, "stage": {}, "unit": {}}) == NEW_SEAL


def test_the_intended_recipe_hashes_the_values():
    one = intended_seal({"intent": INTENT, "stage": STAGE, "unit": UNIT})
    other = intended_seal({"intent": {**INTENT, "status": "completed"}, "stage": STAGE, "unit": UNIT})
    assert one != other and len(one) == 16 and one not in (OLD_SEAL, NEW_SEAL)


def test_when_an_export_writes_the_file():
    combined = {"intent": INTENT, "stage": STAGE, "unit": UNIT}
    assert resealed(None, True, combined) is None  # never created
    assert resealed(OLD_SEAL, True, combined) is None  # an engine's seal stays byte for byte
    assert resealed(NEW_SEAL + "\n", True, combined) is None
    assert resealed("garbled", False, combined) is None  # not ours to touch when nothing protected moved
    assert resealed("garbled", True, combined) == NEW_SEAL  # the newest constant, no newline
