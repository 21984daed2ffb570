"""Recall and false positives of the redaction on tests/secrets_corpus.py, before and after, in one run.

Detectors compared on the same corpus:
- `before`: cockpit/redact.py as landed (read from git at BASE), the one this work replaced;
- `detect-secrets`: Yelp's detector (every plugin of its default settings, line by line), when
  installed — what we would get by adopting it instead of our own patterns;
- `after`: cockpit.text.redact.redact as it is now;
- `suspects`: the second, independent scan (cockpit.text.redact.suspect_tokens) alone, on the raw corpus.

A secret sample counts as caught when none of its values survives; a look-alike is a false positive
when anything in it changed (for detect-secrets and the suspect scan: when anything was reported).
Also timed: the import of each detector (fresh interpreter) and one 60,000-character prompt.

Run from the repository root: `python bench/redaction_corpus.py [--runs 5]`. Writes bench/out/redaction_corpus.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from secrets_corpus import LOOK_ALIKES, SECRETS

BASE = "ec563f4e75fd83ad69bf19fda582c898c22edf3b"  # main before this redaction work
CAP = 60_000  # llm_prompt.Caps.total


def landed_redact() -> Callable[[str], str]:
    from landed import landed_module

    module = landed_module(BASE, "cockpit/redact.py", "landed_redact")
    return lambda text: module.redact(text).text


def current_redact() -> Callable[[str], str]:
    from cockpit.text.redact import redact

    return lambda text: redact(text).text


def detect_secrets_masker() -> Callable[[str], str] | None:
    """Mask what detect-secrets reports (it gives values, not positions), scanning the text as a
    file of its own (`incident.txt`) with its default plugins and filters: the path `scan_file`
    takes. Its ad-hoc `scan_line` is not used: it searches eagerly and flags almost every token."""
    try:
        from detect_secrets.core.scan import _process_line_based_plugins
        from detect_secrets.settings import default_settings
    except ImportError:
        return None

    def mask(text: str) -> str:
        with default_settings():
            found = {
                s.secret_value
                for s in _process_line_based_plugins(list(enumerate(text.split("\n"), 1)), "incident.txt")
            }
        for value in sorted(filter(None, found), key=len, reverse=True):
            text = text.replace(value, "[DS]")
        return text

    return mask


def suspect_marker() -> Callable[[str], str]:
    from cockpit.text.redact import suspect_tokens

    def mark(text: str) -> str:
        for s in sorted(suspect_tokens(text), key=lambda s: -s.start):
            text = text[: s.start] + "[SUSPECT]" + text[s.end :]
        return text

    return mark


def score(mask: Callable[[str], str]) -> dict:
    missed = [s for s in SECRETS if any(v in mask(s.context) for v in s.values)]
    flagged = [a for a in LOOK_ALIKES if mask(a.context) != a.context]
    kinds = {s.kind for s in SECRETS}
    missed_kinds = sorted({s.kind for s in missed})
    return {
        "recall": round(1 - len(missed) / len(SECRETS), 3),
        "caught": len(SECRETS) - len(missed),
        "secrets": len(SECRETS),
        "kinds_fully_caught": len(kinds - {s.kind for s in missed}),
        "kinds": len(kinds),
        "missed_kinds": missed_kinds,
        "false_positives": len(flagged),
        "look_alikes": len(LOOK_ALIKES),
        "flagged": sorted({a.kind for a in flagged}),
    }


def big_prompt() -> str:
    """A prompt at the cap: the corpus (secrets and look-alikes) padded with ordinary log lines."""
    seed = "\n".join([*(s.context for s in SECRETS), *(a.context for a in LOOK_ALIKES)])
    filler = "2026-11-20T02:14:07Z orders-api GET /v1/orders/42 200 12ms upstream=pg-primary pool=8/20\n"
    text = seed + "\n"
    while len(text) < CAP:
        text += filler
    return text[:CAP]


def timed(fn: Callable[[str], str], text: str, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(text)
        samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def import_ms(statement: str) -> float | None:
    code = f"import time; t = time.perf_counter(); {statement}; print((time.perf_counter() - t) * 1000)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    return round(float(done.stdout), 1) if done.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    detectors = {
        "before": landed_redact(),
        "detect-secrets": detect_secrets_masker(),
        "after": current_redact(),
        "suspects": suspect_marker(),
    }
    imports = {
        "before": None,
        "detect-secrets": import_ms("from detect_secrets.core.scan import scan_line"),
        "after": import_ms("import cockpit.text.redact"),
        "suspects": None,
    }
    prompt = big_prompt()
    report: dict = {
        "corpus": {"secrets": len(SECRETS), "kinds": len({s.kind for s in SECRETS}), "look_alikes": len(LOOK_ALIKES)},
        "prompt_chars": len(prompt),
        "detectors": {},
    }
    print(
        f"corpus: {len(SECRETS)} secrets of {report['corpus']['kinds']} kinds, {len(LOOK_ALIKES)} look-alikes; "
        f"timing on one {len(prompt):,}-char prompt, {args.runs} runs\n"
    )
    print(f"{'detector':<15} {'recall':>7} {'caught':>8} {'kinds':>7} {'false +':>8} {'import ms':>10} {'60k ms':>8}")
    for name, fn in detectors.items():
        if fn is None:
            print(f"{name:<15} not installed")
            continue
        row = {**score(fn), "import_ms": imports[name], "prompt": timed(fn, prompt, args.runs)}
        report["detectors"][name] = row
        print(
            f"{name:<15} {row['recall']:>7.1%} {row['caught']:>4}/{row['secrets']:<3} {row['kinds_fully_caught']:>3}/{row['kinds']:<3}"
            f" {row['false_positives']:>4}/{row['look_alikes']:<3} {row['import_ms'] if row['import_ms'] is not None else '-':>10}"
            f" {row['prompt']['median_ms']:>8}"
        )
    for name, row in report["detectors"].items():
        print(
            f"\n{name}: missed kinds: {', '.join(row['missed_kinds']) or 'none'}; look-alikes changed: {', '.join(row['flagged']) or 'none'}"
        )
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "redaction_corpus.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
