"""`.fsm_checksum`: the seal the H·AI·K·U engine keeps beside intent.md under a harness without
hooks, and the one rule for when an export touches it.

The engine (packages/haiku/src/state-integrity.ts) gathers the protected fields of intent.md, of
the active stage's state.json and (newer engines) of the active unit into one object, serialises
it with JavaScript's `JSON.stringify(object, sortedTopLevelKeys)`, and keeps the first 16 hex
digits of its SHA-256. An array given to `JSON.stringify` is an allow-list applied at every
depth, and no protected field is named `intent`, `stage` or `unit`: every inner object becomes
`{}`, so the seal is a constant per engine version. `seal` reproduces that exactly;
`intended_seal` is what the code means to compute (keys sorted at every level), for the day the
engine fixes it: then only `SEAL_OF` changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

CHECKSUM_FILE = ".fsm_checksum"
OLD_SEAL = "70343ca7c096574d"  # engines sealing intent + stage
NEW_SEAL = "c36ad273e3755315"  # engines sealing intent + stage + active unit (the newest)
ENGINE_SEALS = frozenset({OLD_SEAL, NEW_SEAL})

# The fields the engine protects (packages/haiku/src/fsm-fields.ts): an export that changes one
# of them must leave a seal the engine accepts.
PROTECTED: Mapping[str, frozenset[str]] = {
    "intent": frozenset({"status", "active_stage", "started_at", "completed_at"}),
    "stage": frozenset({"status", "phase", "started_at", "completed_at", "gate_entered_at", "gate_outcome"}),
    "unit": frozenset({"status", "started_at", "completed_at", "bolt", "hat", "hat_started_at"}),
}


def _stringify(value: Any, allow: Sequence[str]) -> str:
    """JSON.stringify(value, allow): every object, at every depth, keeps only the allowed keys, in
    the allow-list's order."""
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(k)}:{_stringify(value[k], allow)}" for k in allow if k in value) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_stringify(v, allow) for v in value) + "]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _digest(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def seal(combined: Mapping[str, Mapping[str, Any]]) -> str:
    """The checksum as the engine computes it for `combined` ({"intent": …, "stage": …[, "unit": …]})."""
    return _digest(_stringify(combined, sorted(combined)))


def intended_seal(combined: Mapping[str, Mapping[str, Any]]) -> str:
    """The checksum the engine's code means: every protected value, keys sorted at every level."""
    return _digest(json.dumps(combined, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


SEAL_OF = seal  # the recipe exports use; switch to intended_seal if the engine is fixed


def resealed(existing: str | None, protected_changed: bool, combined: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The `.fsm_checksum` text to write, or None to leave the file as it is (or absent).

    Never created where none existed (absent means "not sealed yet" to the engine); one holding an
    engine seal is left byte for byte; one holding anything else is resealed only when the export
    changed protected fields (its state is then ours to vouch for), with no newline."""
    if existing is None or existing.strip() in ENGINE_SEALS or not protected_changed:
        return None
    return SEAL_OF(combined)
