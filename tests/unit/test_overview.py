"""The all-intents overview (`cockpit status`, `Engine.overviews`) reads only the findings that
decide a position (walk.deciding, in SQL in Store.overview_facts) and counts the rest; it must
say exactly what the overview of the full derivation says, on a database with findings in every
state, at every blocking threshold."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from helpers import T0, new_incident, to_execute

from cockpit.app import demo, report
from cockpit.app.engine import Engine
from cockpit.clock import stepping_clock
from cockpit.domain import commands as c
from cockpit.domain import walk
from cockpit.errors import CockpitError
from cockpit.severity import SEVERITIES
from cockpit.store.database import Store

STAGES = ("triage", "investigate", "mitigate", "resolve", "postmortem")


def _try(engine: Engine, slug: str, command, **kwargs) -> None:
    try:
        engine.run(slug, command, **kwargs)
    except CockpitError:  # a step the walk refuses in this state: the state is what is tested
        pass


def _findings(engine: Engine, slug: str, rng: random.Random, n: int) -> None:
    """`n` findings of every severity and origin, then each moved at random: classified (with
    sign-offs it invalidates), through its fix chain, rejected to escalation, closed every way."""
    pos = engine.position(slug)
    reached = [s.name for s in pos.stages if s.status != "pending"]
    for k in range(n):
        origin = rng.choice(("user-chat", "user-visual", "agent", "engine-review", "drift", "external-pr"))
        severity = rng.choice((*SEVERITIES, None))
        if severity is None and origin in ("agent", "engine-review", "drift"):
            severity = "high"
        _try(
            engine,
            slug,
            c.file_feedback,
            title=f"Finding {k}",
            severity=severity,
            origin=origin,
            stage=rng.choice(reached),
        )
    for f in engine.position(slug).findings:
        ref, roll = f.feedback.ref, rng.random()
        if roll < 0.15:
            invalidates = rng.choice(
                ((), ("user",), tuple(engine.position(slug).studio.stage(f.feedback.stage).reviewer_names[:1]))
            )
            _try(engine, slug, c.classify, ref=ref, severity=rng.choice(SEVERITIES), invalidates=invalidates)
        elif roll < 0.3:
            _try(engine, slug, c.advance_fix, ref=ref)
        elif roll < 0.45:
            for _ in range(rng.randint(1, 4)):
                _try(engine, slug, c.advance_fix, ref=ref)
                _try(engine, slug, c.reject_fix, ref=ref, reason="not fixed")
        elif roll < 0.75:
            if rng.random() < 0.5:
                _try(engine, slug, c.classify, ref=ref, invalidates=rng.choice((("user",), ())))
            resolution = rng.choice(("closed", "closed", "non_actionable", "rejected"))
            _try(engine, slug, c.close_finding, ref=ref, resolution=resolution, text="done")


@pytest.fixture(scope="module")
def varied(catalog, tmp_path_factory) -> str:
    """The demo incidents plus intents at every stage and phase, with findings in every state."""
    path = str(tmp_path_factory.mktemp("overview") / "varied.db")
    engine = Engine(Store(path), catalog, clock=stepping_clock(T0, timedelta(minutes=1)), actor="tester")
    demo.seed(engine)
    rng = random.Random(12)
    for k, upto in enumerate((*STAGES, None, "triage", "investigate", "mitigate")):
        slug = new_incident(engine, upto=upto, slug=f"inc-{k}")
        if upto is not None and k % 3 == 0:
            to_execute(engine, slug, [("a", ()), ("b", ("a",))])
        _findings(engine, slug, rng, 12)
    engine.create_intent(studio="incident-response", title="Nothing yet", slug="empty")
    new_incident(engine, upto=None, slug="done")
    stuck = new_incident(engine, upto="mitigate", slug="stuck")  # a blocker escalated after three rejects
    engine.run(stuck, c.file_feedback, title="Keeps failing", severity="blocker", origin="agent")
    for _ in range(3):
        engine.run(stuck, c.advance_fix, ref="FB-001")
        engine.run(stuck, c.reject_fix, ref="FB-001", reason="not fixed")
    engine.store.close()
    return path


@pytest.mark.parametrize("threshold", SEVERITIES)
def test_overview_is_the_full_derivation(varied, catalog, threshold):
    engine = Engine(Store(varied, read_only=True), catalog, threshold=threshold)
    full = [walk.overview(p) for p in engine.positions() if isinstance(p, walk.Position)]
    fast = [o for o in engine.overviews() if isinstance(o, walk.Overview)]
    assert len(full) == len(fast) > 10
    assert fast == full
    assert [report.overview_json(o) for o in sorted(fast, key=report.urgency_key)] == [
        report.overview_json(o) for o in sorted(full, key=report.urgency_key)
    ]
    # The database holds what the fast path skips and what it must not: every kind of finding.
    positions = [p for p in engine.positions() if isinstance(p, walk.Position)]
    statuses = {f.status for p in positions for f in p.findings}
    assert {"pending", "fixing", "escalated", "closed", "non_actionable", "rejected"} <= statuses
    assert {p.next.kind for p in positions} >= {"fix", "complete", "decide_finding"}
    # The order of the sorted overview (urgency) is the same for positions and overviews.
    assert [report.urgency_key(p) for p in sorted(positions, key=report.urgency_key)] == [
        report.urgency_key(o) for o in sorted(fast, key=report.urgency_key)
    ]


def test_store_reads_what_the_walk_picks(varied, catalog):
    """Store.overview_facts (SQL) reads the findings walk.deciding (Python) picks, ties aside: the
    same first blocking finding per stage, and a finding with the same newest gate mark."""
    store = Store(varied, read_only=True)
    everything = {f.intent.id: f for f in store.all_facts()}
    for threshold in SEVERITIES:
        for picked in store.overview_facts(walk.blocking_severities(threshold), walk.CLEARING_RESOLUTION):
            full = everything[picked.intent.id].feedback
            wanted = walk.deciding(full, threshold)
            got = {fb.id for fb in picked.feedback}
            by_id = {fb.id: fb for fb in full}
            assert {i for i in wanted if not by_id[i].is_open} == {i for i in got if not by_id[i].is_open}
            for stage in {fb.stage for fb in full}:
                blocking = [fb for fb in full if fb.stage == stage and fb.is_open and fb.id in wanted | got]
                assert min(map(walk.order_key, [b for b in blocking if b.id in wanted]), default=None) == min(
                    map(walk.order_key, [b for b in blocking if b.id in got]), default=None
                )
                assert max(map(walk.gate_mark, [b for b in blocking if b.id in wanted]), default=None) == max(
                    map(walk.gate_mark, [b for b in blocking if b.id in got]), default=None
                )


def test_status_all_json_is_the_full_derivation(varied, catalog, capsys, monkeypatch):
    """`cockpit status --json` (and the table) print what the full derivation's overview prints."""
    from cockpit.cli.common import print_json
    from cockpit.cli.main import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(varied) + ".config")
    assert main(["status", "--json", "--read-only", "--db", varied]) == 0
    fast_json = capsys.readouterr().out
    assert main(["status", "--read-only", "--db", varied]) == 0
    fast_table = capsys.readouterr().out
    engine = Engine(Store(varied, read_only=True), catalog)
    full = sorted(
        (walk.overview(p) for p in engine.positions() if isinstance(p, walk.Position)), key=report.urgency_key
    )
    print_json({"intents": [report.overview_json(o) for o in full], "problems": []})
    assert fast_json == capsys.readouterr().out
    assert fast_table == "\n".join(report.table(report.overview_rows(full), indent="")) + "\n"
