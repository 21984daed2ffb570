"""The demo database: a realistic incident mid-resolve and an operations change mid-execute, and
the bundled sample runbooks.

Everything goes through the named commands, as a real session would, so the demo also proves
the walk. Each intent is seeded in one transaction: a seed killed half-way leaves nothing, and
seeding again skips intents that are already there.

The demo keeps to a database of its own, marked as the demo's (`claim`): only that database holds
the fictional sample runbooks (cockpit.runbooks.index), and only it can be reset. A database with
intents of its own is never claimed, so neither the samples nor a reset can reach a team's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.app.engine import Engine
from cockpit.clock import Clock, parse_iso, stepping_clock
from cockpit.errors import CockpitError
from cockpit.store import demo as demo_store

if TYPE_CHECKING:
    from cockpit.runbooks.index import IndexReport
    from cockpit.store.database import Store

# The commands (and the checks they import) are imported by the functions that seed: `cockpit demo`
# on a database already seeded (every start after the first) opens the screen without them.

INCIDENT = "checkout-5xx-cert-rotation"
OPERATIONS = "orders-api-pool-limits"
SLUGS = (INCIDENT, OPERATIONS)

UnitSpec = tuple[str, str, str, Sequence[str]]  # slug, title, body, depends_on


def _unit(engine: Engine, slug: str, stage: str, spec: UnitSpec) -> None:
    from cockpit.domain import commands as c

    unit, title, body, deps = spec
    engine.run(slug, c.add_unit, title=title, unit=unit, stage=stage, body=body, depends_on=tuple(deps))


def sign_all(engine: Engine, slug: str) -> None:
    from cockpit.domain import commands as c

    active = engine.position(slug).active
    for unit, role in active.missing_signoffs if active else ():
        engine.run(slug, c.signoff, unit=unit, role=role, note=f"{role} checks hold for {unit}")


def walk_unit(engine: Engine, slug: str, unit: str, hats: Sequence[str], upto: int | None = None) -> None:
    """Start the unit and hand its baton on until `upto` hats have advanced (all by default)."""
    from cockpit.domain import commands as c

    engine.run(slug, c.advance_hat, unit=unit)
    for hat in hats[: len(hats) if upto is None else upto]:
        engine.run(slug, c.advance_hat, unit=unit, message=f"Checklist met; handing on from {hat} — see the unit body.")


def complete_stage(engine: Engine, slug: str, stage: str, units: Sequence[UnitSpec], evidence: str = "") -> None:
    from cockpit.domain import commands as c

    for spec in units:
        _unit(engine, slug, stage, spec)
    engine.run(slug, c.declare_ready)
    sign_all(engine, slug)
    hats = engine.position(slug).stage(stage).stage.hats
    for spec in units:
        walk_unit(engine, slug, spec[0], hats)
    sign_all(engine, slug)
    gate = engine.position(slug).stage(stage).gate
    if not gate.approved:
        external = None if "ask" in gate.kinds else evidence
        engine.run(slug, c.approve, external_url=external)


INVESTIGATE_BODY = """\
## Root cause
checkout-api trusts only the CA bundle baked into its image at build time, so any change to the
payments gateway's certificate chain breaks TLS until the image is rebuilt.

## Evidence
`PKIX path building failed` in checkout-api logs from 02:09; gateway certificate rotated at 02:08.

## Trigger
The payments gateway's scheduled certificate rotation at 02:08 UTC, which moved its chain to a new
intermediate CA. The rotation itself worked as designed; no checkout change was involved.
"""

# The root-cause section retells the trigger instead of quoting investigate's root cause, so the
# engine's resolve.root-cause check fails (`cockpit check`), and will hold the unit at its verifier.
RESOLVE_BODY = """\
## Root cause (from investigate)
The payments gateway's certificate was rotated to a chain signed by a new intermediate CA.
checkout-api's HTTP client pins a truststore baked into its image, which did not contain the new
intermediate, so every TLS handshake to the gateway failed with `PKIX path building failed`.

## Class search
Searched every service that builds its own truststore (`rg -l "trustStore" services/`):
checkout-api, refunds-worker and ledger-sync embed one. refunds-worker is fixed in this unit;
ledger-sync is split into unit `ledger-sync-truststore`.

## Fix
Build the truststore at deploy time from the platform CA bundle instead of baking it into the
image (`deploy/checkout-api/truststore.yaml`), and validate the full chain in CI.

## Regression test
`tests/integration/test_gateway_tls.py::test_rotated_intermediate_is_trusted` (integration
layer: the failure is at the service boundary). It fails on the pre-fix image and passes on the fix.

## Deployment plan
Canary to 5% of checkout pods for 30 minutes, then 50%, then 100%. Roll back at once if the
gateway handshake error rate exceeds 0.5% or checkout p95 latency exceeds 800 ms for 5 minutes;
the payments on-call watches the canary dashboard. Verification window: 24 hours at full rollout.

## Mitigation lift plan
- Criteria: zero handshake failures for 24 hours with the new chain in place.
- Procedure: remove the pinned previous intermediate from the gateway (`make -C gateway unpin-ca`).
- Owner: payments on-call (Priya), the morning after full rollout.

## Tracking
Owner: checkout team (Priya) · Due: {due} · Ticket: CHK-1412
"""


def _seed_incident(engine: Engine, slug: str) -> None:
    from cockpit.domain import commands as c

    run = engine.run
    start = parse_iso(engine.store.intent(slug).created_at)  # the story's times follow the seeding clock

    def due(days: int) -> str:
        return f"{start + timedelta(days=days):%Y-%m-%d}"

    complete_stage(
        engine,
        slug,
        "triage",
        [
            (
                "declare-sev2",
                "Declare SEV2 and open the incident channel",
                "Checkout returns 5xx for ~38% of requests since 02:10 UTC. SEV2 declared, #inc-checkout opened, "
                "status page set to *degraded*.\n\n"
                "## Impact\n"
                "- About 38% of checkout requests failed for 52 minutes (02:10 to 03:02 UTC): some 4,100 "
                "failed checkouts from about 2,900 customers.\n"
                "- No card was charged for a failed checkout (payments confirmed); refunds, ledger and "
                "browsing were unaffected.\n"
                "- 61 customer support tickets in the window.\n\n"
                "## Detection\n"
                "The CheckoutErrorRateHigh alert paged the checkout on-call at 02:12 UTC, two minutes after "
                "the first errors and eight minutes before the first customer ticket.\n",
                (),
            ),
            (
                "page-payments-oncall",
                "Page payments on-call and assign roles",
                "Incident commander: Sam. Payments on-call paged at 02:14. Comms: status page every 30 min.",
                ("declare-sev2",),
            ),
        ],
    )
    complete_stage(
        engine,
        slug,
        "investigate",
        [
            ("trace-tls-failures", "Trace TLS handshake failures to the gateway", INVESTIGATE_BODY, ()),
            (
                "correlate-deploys",
                "Correlate with the change timeline",
                "No checkout deploy in 24 h; the gateway rotation is the only change in the window.",
                (),
            ),
        ],
    )
    complete_stage(
        engine,
        slug,
        "mitigate",
        [
            (
                "pin-previous-intermediate",
                "Serve the previous intermediate CA from the gateway",
                "Gateway serves the old chain again (`make -C gateway pin-ca`); 5xx back to baseline at 03:02.",
                (),
            ),
        ],
    )
    # resolve: mid-execute, units at different hats.
    for spec in [
        (
            "truststore-at-deploy",
            "Build checkout-api's truststore at deploy time",
            RESOLVE_BODY.replace("{due}", due(7)),
            (),
        ),
        (
            "chain-expiry-alerts",
            "Alert on certificate chain changes and expiry",
            "## Fix\nAdd a blackbox probe that validates the full gateway chain every minute and pages on failure.\n\n"
            f"## Tracking\nOwner: observability team (Lena) · Due: {due(10)} · Ticket: OBS-877\n",
            (),
        ),
        (
            "ledger-sync-truststore",
            "Apply the truststore fix to ledger-sync",
            "Same defect class as checkout-api, found by the class search.\n\n"
            f"## Tracking\nOwner: ledger team (Omar) · Due: {due(14)} · Ticket: LED-305\n",
            ("truststore-at-deploy",),
        ),
        (
            "lift-ca-pin",
            "Lift the pinned intermediate on the gateway",
            "Runs after the truststore fix has held for 24 hours.\n\n"
            f"## Tracking\nOwner: payments on-call (Priya) · Due: {due(9)} · Ticket: PAY-2290\n",
            ("truststore-at-deploy",),
        ),
    ]:
        _unit(engine, slug, "resolve", spec)
    run(slug, c.declare_ready)
    sign_all(engine, slug)
    hats = engine.position(slug).stage("resolve").stage.hats
    walk_unit(engine, slug, "truststore-at-deploy", hats, upto=1)  # engineer → reviewer
    run(
        slug,
        c.reject_hat,
        unit="truststore-at-deploy",
        message="Regression test only covers checkout-api; the class search names refunds-worker too.",
    )
    run(
        slug,
        c.advance_hat,
        unit="truststore-at-deploy",
        message="refunds-worker covered by the same test module; class search updated.",
    )
    walk_unit(engine, slug, "chain-expiry-alerts", hats, upto=0)  # engineer holds it

    def fb(**kw) -> None:
        run(slug, c.file_feedback, stage="resolve", **kw)

    fb(
        title="Regression test passes on the pre-fix image",
        severity="blocker",
        unit="truststore-at-deploy",
        origin="adversarial-review",
        role="correctness",
        body="Running the test against the pre-fix image also passes: it stubs the TLS layer.",
    )
    run(
        slug,
        c.advance_fix,
        ref="FB-001",
        message="Targets truststore-at-deploy; the test never exercises the handshake.",
    )
    fb(
        title="Canary thresholds lack an owner during the night window",
        severity="high",
        unit="truststore-at-deploy",
        origin="adversarial-review",
        role="correctness",
        body="Who watches the 5% canary if it starts after 22:00 UTC?",
    )
    fb(
        title="Alert fires on staging certificates too",
        severity="medium",
        unit="chain-expiry-alerts",
        origin="adversarial-review",
        role="correctness",
        body="The probe target list includes staging gateways.",
    )
    fb(
        title="Typo in the runbook link text",
        severity="low",
        unit="chain-expiry-alerts",
        origin="adversarial-review",
        role="correctness",
    )
    fb(
        title="Customer support asks for the refund window",
        origin="user-chat",
        body="Support wants to know whether failed checkouts between 02:10 and 03:02 were charged.",
    )
    fb(
        title="Probe interval too coarse to catch a rotation",
        severity="high",
        unit="chain-expiry-alerts",
        origin="agent",
        body="A one-minute probe still leaves a gap; the assessor keeps finding the interval unchanged.",
    )
    run(slug, c.advance_fix, ref="FB-006", message="Routed to the engineer: probe config.")
    for _ in range(3):  # the assessor sends it back three times: escalated, a human decides
        run(slug, c.advance_fix, ref="FB-006", message="Interval set to 30 s.")
        run(slug, c.reject_fix, ref="FB-006", reason="The interval is unchanged in the deployed probe config.")
    fb(
        title="Status page wording blames the vendor",
        severity="medium",
        origin="user-chat",
        unit="truststore-at-deploy",
    )
    run(
        slug,
        c.close_finding,
        ref="FB-007",
        resolution="non_actionable",
        text="Status page copy is owned by comms; forwarded.",
    )
    _record_story(engine, slug)


def _record_story(engine: Engine, slug: str) -> None:
    """The engineers' own notes, dated as the unit bodies tell the story (02:10 UTC the first
    errors, 03:02 back to baseline), and the events starred for the postmortem: what a reader of
    the exported postmortem sees as its timeline. The times are the story's, whenever it is seeded."""
    from cockpit.app.timeline import add_note, set_star

    for text in (
        "02:12 CheckoutErrorRateHigh paged the checkout on-call (Sam)",
        "02:14 paged the payments on-call; Sam is incident commander, Priya joins",
        "02:31 gateway team confirms their scheduled certificate rotation ran at 02:08",
        "02:47 decided to pin the previous intermediate on the gateway: checkout had no change to roll back",
        "03:02 5xx back to baseline after the gateway pin; status page set to monitoring",
        "03:03 lucky: the rotation ran at night, when checkout traffic is a fifth of its daytime peak",
    ):
        add_note(engine, slug, text)
    for event in engine.timeline(slug):
        data = event["data"]
        if (event["command"] == "reject_hat" and event["unit"] == "truststore-at-deploy") or (
            event["command"] == "file_feedback" and data.get("feedback") in ("FB-001", "FB-006")
        ):
            set_star(engine, slug, event["id"], True)


# The sre's alert table pages on saturation with no runbook: ops.alert-runbooks fails on this body.
OPS_BODY = """\
## Preconditions
- orders-api p99 connection wait under 50 ms for the last 7 days (`promql: histogram_quantile(0.99, pool_wait_seconds)`).
- Helm chart `orders-api` at 4.12.0 in production.

## Action
`helm upgrade orders-api charts/orders-api -n production -f values/prod.yaml --set db.pool.max=40`

## Post-condition checks
| Check | Command | Pass when |
|---|---|---|
| Pods ready | `kubectl rollout status deploy/orders-api -n production` | exits 0 within 10 min |
| Pool saturation | `promql: max(pool_in_use / pool_max)` | below 0.8 for 30 min |

## Rollback
`helm rollback orders-api -n production` to the previous revision; the pool limit is config only.

## Alerts
| Alert name | Fires on | Severity | Pages whom | Runbook |
|---|---|---|---|---|
| OrdersApiPoolSaturated | `max(pool_in_use / pool_max)` above 0.9 for 10 min | page | orders on-call | — |
| OrdersApiPoolWaitHigh | p99 `pool_wait_seconds` above 0.2 s for 30 min | ticket | orders team | — |
"""


def _seed_operations(engine: Engine, slug: str) -> None:
    from cockpit.domain import commands as c

    run = engine.run
    for stage, units in [
        (
            "inception",
            [
                (
                    "pool-exhaustion-brief",
                    "Frame the pool exhaustion problem",
                    "orders-api exhausted DB connections twice last month.",
                    (),
                )
            ],
        ),
        (
            "design",
            [
                (
                    "pool-sizing-approach",
                    "Choose per-pod pool limits",
                    "Limit per pod, sized from observed peak × 2.",
                    (),
                )
            ],
        ),
        (
            "product",
            [
                (
                    "no-user-visible-change",
                    "Confirm no user-visible behaviour change",
                    "Limits change latency tails only.",
                    (),
                )
            ],
        ),
        (
            "development",
            [("configurable-pool", "Make the pool size configurable", "`DB_POOL_MAX` read at start-up.", ())],
        ),
    ]:
        complete_stage(engine, slug, stage, units, evidence="https://git.example.internal/orders-api/pull/812")
    for spec in [
        ("deploy-pool-limits", "Deploy pool limits to production", OPS_BODY, ()),
        (
            "pool-slo-alerts",
            "SLOs and alerts for pool saturation",
            "## SLOs\n| SLI | SLO target | Window | Source metric | Error budget per window |\n|---|---|---|---|---|\n"
            "| Availability of orders-api | 99.5% | 30d | http_requests_total | ~3.6h / 30d |\n",
            ("deploy-pool-limits",),
        ),
    ]:
        _unit(engine, slug, "operations", spec)
    run(slug, c.declare_ready)
    sign_all(engine, slug)
    hats = engine.position(slug).stage("operations").stage.hats
    walk_unit(engine, slug, "deploy-pool-limits", hats, upto=1)  # ops-engineer → sre
    run(
        slug,
        c.file_feedback,
        title="Rollback does not restore the old pool size on running pods",
        severity="high",
        unit="deploy-pool-limits",
        origin="adversarial-review",
        role="reliability",
        stage="operations",
        body="`helm rollback` leaves pods running until the next restart; say so or add a rollout restart.",
    )


def seed(engine: Engine) -> list[tuple[str, bool]]:
    """Seed every demo intent that is not there yet; returns (slug, created) pairs."""
    start = engine.clock() - timedelta(hours=5)
    storyteller = Engine(
        engine.store,
        engine.catalog,
        clock=stepping_clock(start, timedelta(minutes=2)),
        actor=engine.actor,
        threshold=engine.threshold,
        runbooks=engine.runbooks,
    )
    results = []
    for slug, studio, title, fill in [
        (INCIDENT, "incident-response", "Checkout API 5xx after payments-gateway certificate rotation", _seed_incident),
        (OPERATIONS, "software", "Roll out connection-pool limits for orders-api", _seed_operations),
    ]:
        if slug in engine.store.slugs():
            results.append((slug, False))
            continue
        with engine.store.writing():  # all or nothing
            storyteller.create_intent(studio=studio, title=title, slug=slug)
            fill(storyteller, slug)
        results.append((slug, True))
    return results


# ------------------------------------------------------------------ the demo database


def claim(engine: Engine, *, default: bool = False) -> None:
    """Mark the engine's database as the demo's, or refuse (CockpitError) when it holds intents
    of its own: sample runbooks and resets are for the demo alone. `default`: the database is the
    demo's by its place (`cockpit demo` without --db), whatever it holds."""
    store = engine.store
    with store.snapshot():
        if demo_store.is_demo(store.conn):
            return
    with store.writing():
        own = [slug for slug in demo_store.intent_slugs(store.conn) if slug not in SLUGS]
        if own and not default:
            named = ", ".join(own[:3]) + (f" and {len(own) - 3} more" if len(own) > 3 else "")
            raise CockpitError(
                f"{store.path} holds intents of its own ({named}): the demo keeps to a database of its own. "
                "Leave out --db (the demo has its own file), or give --db a new file; nothing was changed"
            )
        demo_store.mark_demo(store.conn)


def sample_library(store: Store, clock: Clock, roots: Iterable[str | Path] = ()) -> IndexReport:
    """Mark `store` as the demo's and index its library: the bundled samples and `roots`."""
    from cockpit.runbooks.index import index_library

    with store.writing():
        demo_store.mark_demo(store.conn)
    return index_library(store, [Path(r) for r in roots], clock=clock)


@dataclass(frozen=True)
class Reset:
    """What `reset` did."""

    path: str
    removed: list[str]  # the intents there were, demo or not
    events: int  # their timeline rows
    seeded: list[str]
    runbooks: IndexReport  # the library, samples included, brought up to date

    def summary(self) -> str:
        gone = f"{len(self.removed)} intent{'s' if len(self.removed) != 1 else ''}"
        if self.removed:
            gone += f" ({', '.join(self.removed)}) with {self.events} timeline events"
        return (
            f"reset the demo database {self.path}:\n"
            f"  removed {gone}\n"
            f"  seeded {', '.join(self.seeded) or 'nothing'}\n"
            f"  runbooks kept, indexed: {self.runbooks.summary()}"
        )


def reset(engine: Engine, *, default: bool = False, roots: Iterable[str | Path] = ()) -> Reset:
    """Put the demo database back to its seeded state, in one transaction: every intent, event,
    finding and assist record goes, the demo intents are seeded afresh (at the engine's time), and
    the runbook library (a cache of files) stays. Refused, changing nothing, on a database that is
    not the demo's (see `claim`)."""
    from cockpit.runbooks.index import index_library

    claim(engine, default=default)
    store = engine.store
    with store.writing():  # all or nothing: a reset killed half-way leaves the demo as it was
        removed = demo_store.intent_slugs(store.conn)
        cleared = demo_store.clear_intents(store.conn)
        seeded = [slug for slug, created in seed(engine) if created]
    runbooks = index_library(store, [Path(r) for r in roots], clock=engine.clock)
    return Reset(str(store.path), removed, cleared.get("events", 0), seeded, runbooks)
