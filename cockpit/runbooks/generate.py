"""Generated runbooks for tests and benchmarks: long ones (TUI scrolling) and many (indexing).

Deterministic for a given seed, in the per-alert shape, and clean under `runbook_lint`, so a
benchmark or a snapshot measures the viewer and the index, not the lint findings.
"""

from __future__ import annotations

import random
from pathlib import Path

_SERVICES = (
    "checkout-api",
    "orders-api",
    "catalog-api",
    "refunds-worker",
    "ledger-sync",
    "search-api",
    "auth-api",
    "inventory",
)
_SIGNALS = (
    "5xx ratio",
    "p99 latency",
    "queue depth",
    "pool saturation",
    "consumer lag",
    "disk usage",
    "error budget burn",
)
_TEAMS = ("payments", "orders", "platform", "database", "search", "identity")


def _entry(rnd: random.Random, number: int) -> list[str]:
    service, signal, team = rnd.choice(_SERVICES), rnd.choice(_SIGNALS), rnd.choice(_TEAMS)
    alert = f"{service.title().replace('-', '')}{signal.title().replace(' ', '')}{number}"
    minutes, percent, replicas = rnd.choice((5, 10, 15)), rnd.choice((1, 2, 5)), rnd.randint(4, 24)
    return [
        f"## Runbook: {alert}",
        "",
        "### What this alert means",
        "",
        f"The {signal} of {service} has been above its threshold for {minutes} minutes. Requests that depend on",
        f"{service} slow down or fail; customers notice within minutes. This entry is number {number} of the handbook.",
        "",
        "### Symptoms to verify",
        "",
        f"1. Check the {signal} on the [service dashboard](https://grafana.internal/d/{service}).",
        f"2. Check the pods: `kubectl get pods -n production -l app={service} -o wide`.",
        "",
        "   ```sh",
        f"   kubectl top pods -n production -l app={service} --sort-by=cpu | head -{rnd.randint(5, 12)}",
        "   ```",
        "",
        "### Initial triage (5 minutes)",
        "",
        f"1. Check recent deploys: `kubectl rollout history deploy/{service} -n production | tail -3`.",
        f"2. Check the logs for the first error: `kubectl logs -n production deploy/{service} --since=15m | grep -m5 ERROR`.",
        "3. Check whether the cause is upstream:",
        "",
        "   ```promql",
        f'   sum by (upstream) (rate(upstream_errors_total{{service="{service}"}}[5m]))',
        "   ```",
        "",
        "| Signal | Normal | Paging |",
        "|---|---|---|",
        f"| {signal} | below {percent}% | above {percent * 2}% |",
        "",
        "### Mitigations (in order of reversibility)",
        "",
        f"1. Scale out: `kubectl scale deploy/{service} -n production --replicas={replicas}`.",
        f"2. Roll back the last deploy: `kubectl rollout undo deploy/{service} -n production`.",
        f"3. Restart gracefully: `kubectl rollout restart deploy/{service} -n production`.",
        "",
        "### Rollback",
        "",
        f"- Undo the scale-out: `kubectl scale deploy/{service} -n production --replicas={max(2, replicas // 2)}`.",
        "",
        "### When to escalate",
        "",
        f"- If the {signal} is still above threshold {minutes * 2} minutes after mitigation, page the {team} on-call.",
        f"- If more than {percent * 5}% of requests fail, page the incident commander.",
        "",
        "### Postmortem checklist",
        "",
        f"- Export the {signal} series for the window from the [service dashboard](https://grafana.internal/d/{service}).",
        f"- Save the rollout history: `kubectl rollout history deploy/{service} -n production > rollout-{number}.txt`.",
        "",
    ]


def long_runbook(lines: int = 2000, seed: int = 7) -> str:
    """A handbook of per-alert entries, about `lines` lines long (never shorter)."""
    rnd = random.Random(seed)
    out = ["# Platform operations handbook", "", "Every pageable alert of the platform, one entry each.", ""]
    number = 1
    while len(out) < lines:
        out.extend(_entry(rnd, number))
        number += 1
    return "\n".join(out) + "\n"


def write_library(folder: str | Path, count: int, seed: int = 11) -> list[Path]:
    """`count` small runbooks (one alert entry each) under `folder`, for index benchmarks."""
    rnd = random.Random(seed)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        entry = _entry(rnd, number)
        title = entry[0].removeprefix("## Runbook: ")
        path = root / f"rb-{number:05d}.md"
        path.write_text("\n".join([f"# {title}", "", *entry]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
